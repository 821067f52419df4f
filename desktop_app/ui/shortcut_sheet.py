"""Help > Keyboard shortcuts: every shortcut of the window, read from its own actions when the
sheet opens (so it can never drift), grouped by menu, printable and saved as HTML or PDF."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QAction, QKeySequence, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QMainWindow,
    QMenu,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.file_dialogs import FileDialogs

Shortcut = tuple[str, str]  # (what the action does, its keys)
_OTHER = "Other keys"


def _plain(text: str) -> str:
    """A menu entry's text as read: no & mnemonics, no trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").removesuffix("…")


def _keys(action: QAction) -> str:
    texts = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
    return " or ".join(t for t in texts if t)  # not ",": Ctrl+, is a key


def _menus(menu: QMenu, path: str) -> list[tuple[str, QMenu]]:
    found = [(path, menu)]
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            found += _menus(sub, f"{path} › {_plain(sub.title())}")
    return found


def _holder(action: QAction) -> str:
    """Where an action outside the menus lives: its dock's title, else "Other keys"."""
    for holder in action.associatedObjects():
        if isinstance(holder, QWidget) and _holder_of(holder) != _OTHER:
            return _holder_of(holder)
    return _OTHER


def _holder_of(widget: QWidget | None) -> str:
    """The title of the dock holding `widget`, else "Other keys"."""
    while widget is not None:
        if isinstance(widget, QDockWidget):
            return _plain(widget.windowTitle())
        widget = widget.parentWidget()
    return _OTHER


def collect_shortcuts(window: QMainWindow) -> dict[str, list[Shortcut]]:
    """Every action of the window with a shortcut, grouped by menu (in menu order), then by
    dock; an action in two places is listed once, under its first menu."""
    groups: dict[str, list[Shortcut]] = {}
    seen: set[int] = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        for path, sub in _menus(menu, _plain(menu.title())):
            for action in sub.actions():
                keys = _keys(action)
                if keys and not action.isSeparator() and id(action) not in seen:
                    seen.add(id(action))
                    groups.setdefault(path, []).append((_plain(action.text()), keys))
    for action in window.findChildren(QAction):
        keys = _keys(action)
        if keys and id(action) not in seen:
            seen.add(id(action))
            groups.setdefault(_holder(action), []).append((_plain(action.text()), keys))
    # Keys a widget handles itself while it has the focus (the review list's letters).
    for widget in window.findChildren(QWidget):
        own = getattr(widget, "key_help", None)
        if isinstance(own, tuple) and own:
            named = getattr(widget, "key_help_group", "")
            group = named or f"{_holder_of(widget)} (while its list has the focus)"
            groups.setdefault(group, []).extend((text, keys) for keys, text in own)
    return groups


def shortcuts_html(groups: dict[str, list[Shortcut]], title: str) -> str:
    """The sheet as an HTML page (one table per group), for the screen, a file or paper."""
    parts = [
        "<html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for group, rows in groups.items():
        parts.append(f"<h2>{html.escape(group)}</h2>")
        parts.append("<table cellspacing='0' cellpadding='3' width='100%'>")
        for text, keys in rows:
            parts.append(
                f"<tr><td width='35%'><b>{html.escape(keys)}</b></td>"
                f"<td>{html.escape(text)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(page: str, path: Path) -> None:
    """Save the sheet as an HTML file."""
    path.write_text(page, encoding="utf-8")


def write_pdf(page: str, path: Path) -> None:
    """Save the sheet as a PDF (A4), without a printer."""
    writer = QPdfWriter(str(path))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle("Marginalia keyboard shortcuts")
    document = QTextDocument()
    document.setHtml(page)
    document.print_(writer)


class ShortcutSheet(QDialog):
    """The shortcuts of the window as it is now, with Print…, Save as HTML… and Save as PDF…."""

    def __init__(self, window: QMainWindow, dialogs: FileDialogs) -> None:
        super().__init__(window)
        self.dialogs = dialogs
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcut_sheet")
        self.groups = collect_shortcuts(window)
        self.page = shortcuts_html(self.groups, "Marginalia keyboard shortcuts")
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Keyboard shortcuts")
        self.browser.setHtml(self.page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for text, slot in (
            ("&Print…", self.print_sheet),
            ("Save as &HTML…", lambda: self.save_as("html")),
            ("Save as P&DF…", lambda: self.save_as("pdf")),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        room = window.screen().availableGeometry()
        self.resize(min(620, room.width() - 40), min(640, room.height() - 60))

    def save_as(self, kind: str) -> Path | None:
        """Ask for a file name and write the sheet there as HTML or PDF."""
        filters = {"html": "HTML (*.html)", "pdf": "PDF (*.pdf)"}
        name, _ = self.dialogs.save_file(
            self, "Save the shortcuts", f"marginalia-shortcuts.{kind}", filters[kind]
        )
        if not name:
            return None
        path = Path(name)
        (write_html if kind == "html" else write_pdf)(self.page, path)
        return path

    def print_sheet(self) -> None:
        """Print the sheet through the system's print dialog."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec():
            self.browser.document().print_(printer)
