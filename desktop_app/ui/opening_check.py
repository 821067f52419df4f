"""The gate of the opening check: imports and merges asked for while it runs wait for it."""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.ui.context import ProjectContext
from desktop_app.ui.shell import Shell

CHECKING = "the project is being checked (a few seconds after opening); try again in a moment"


class OpeningGate:
    """Holds back writing work while the project is being checked (a ports.OpeningCheck).

    The safety feature sets the store's CHECKING state, and releases or drops what waits
    when the check has passed or failed.
    """

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        self.context = context
        self.shell = shell
        self._waiting: list[Callable[[], None]] = []

    def when_checked(self, action: Callable[[], None], what: str = "") -> bool:
        """True when `action` must wait for the opening check (it then runs after it);
        `what` is said to wait (nothing is said without it: background work)."""
        if self.context.store.read_only != CHECKING:
            return False
        self._waiting.append(action)
        if what:
            self.shell.say(f"{what} starts when the opening check has finished…")
        return True

    def release(self) -> None:
        """The check passed: run what waited for it."""
        waiting, self._waiting = self._waiting, []
        for action in waiting:
            action()

    def drop(self) -> None:
        """The check failed, or the project closes: what waited never runs."""
        self._waiting = []
