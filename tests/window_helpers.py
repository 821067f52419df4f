"""Helpers for the window tests: reach a menu action by its text, as a user does."""

from __future__ import annotations


def menu_action(window, menu, text):  # type: ignore[no-untyped-def]
    """The action `text` in the window's menu `menu` (both as shown, with their & marks)."""
    found = [
        action
        for top in window.menuBar().actions()
        if top.text() == menu
        for action in top.menu().actions()
        if action.text() == text
    ]
    assert len(found) == 1, f"{menu} > {text}: {len(found)} actions"
    return found[0]


def trigger(window, menu, text):  # type: ignore[no-untyped-def]
    """Trigger a menu action by its text, as a click on it would (it must be enabled)."""
    action = menu_action(window, menu, text)
    assert action.isEnabled(), text
    action.trigger()
