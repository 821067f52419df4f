"""Help: the keyboard shortcuts sheet, the user guide and the About box."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.help_dialogs import AboutBox, GuideWindow, about_facts
from desktop_app.ui.shell import Shell
from desktop_app.ui.shortcut_sheet import ShortcutSheet

HELP_MENU = "&Help"


class HelpController(Controller):
    """The Help menu. Each dialog is built when it opens, from the window as it is then."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self.sheet: ShortcutSheet | None = None
        self.guide: GuideWindow | None = None
        self.about: AboutBox | None = None
        a = self._action
        a(HELP_MENU, "&User guide", self.open_guide, "F1", needs_project=False)
        a(HELP_MENU, "&Keyboard shortcuts", self.open_shortcuts, "Ctrl+/", needs_project=False)
        self._separator(HELP_MENU)
        a(HELP_MENU, "&About Marginalia", self.open_about, needs_project=False)

    def open_shortcuts(self) -> None:
        """Show every shortcut the window has now."""
        self.sheet = ShortcutSheet(self.shell.window, self.shell.dialogs)
        self.sheet.show()

    def open_guide(self) -> None:
        """Show the user guide (the README, offline)."""
        try:
            self.guide = GuideWindow(self.shell.window)
        except OSError as error:
            QMessageBox.warning(
                self.shell.window, "User guide", f"The guide cannot be read: {error}"
            )
            return
        self.guide.show()

    def open_about(self) -> None:
        """Show versions, the licence and the open project's path and schema version."""
        if self.context.is_open:
            facts = about_facts(self.store.path, self.store.schema_version())
        else:
            facts = about_facts(None, None)
        self.about = AboutBox(facts, self.shell.window)
        self.about.show()
