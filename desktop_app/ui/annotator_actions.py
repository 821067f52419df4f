"""The annotator: who every annotation is recorded under, shown and switched."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFrame, QHBoxLayout, QInputDialog, QLabel, QPushButton

from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.dialogs import choose_annotator_names
from desktop_app.ui.shell import Shell


class AnnotatorController(Controller):
    """Edit > Switch annotator, the status bar's annotator button and the first-start banner.

    The window places `banner` above the article and `annotator_button` in the status bar.
    """

    def __init__(self, context: ProjectContext, shell: Shell, settings: QSettings) -> None:
        super().__init__(context, shell)
        self.settings = settings
        self.banner = self._banner()
        self.annotator_button = QPushButton()
        self.annotator_button.setFlat(True)
        self.annotator_button.setToolTip("Click to switch annotator")
        self.annotator_button.clicked.connect(self.switch_annotator)
        self._action("&Edit", "Switch &annotator…", self.switch_annotator, needs_project=False)
        self._show_annotator()
        if not settings.value("annotator_confirmed", False, type=bool):
            self.banner.show()
        context.annotator_changed.connect(self._annotator_changed)

    def _banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("annotator_banner")
        # Dark text set too: on the dark theme the default text colour is light.
        banner.setStyleSheet(
            "#annotator_banner { background: #fff3cd; border-radius: 4px; }"
            " #annotator_banner QLabel { color: #1a1a1a; }"
        )
        layout = QHBoxLayout(banner)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)  # a narrow window keeps room for the article
        change = QPushButton("Choose name…")
        keep = QPushButton("Keep")
        change.clicked.connect(self.switch_annotator)
        keep.clicked.connect(lambda: self.set_annotator(self.context.annotator))
        layout.addWidget(self.banner_text, 1)
        layout.addWidget(change)
        layout.addWidget(keep)
        banner.hide()
        return banner

    def _show_annotator(self) -> None:
        name = self.context.annotator
        self.annotator_button.setText(f"Annotator: {name}")
        self.banner_text.setText(
            f"You are annotating as <b>{_escape(name)}</b>. Every annotation records this name."
        )

    def switch_annotator(self) -> None:
        """Ask for the annotator's name (existing ones offered) and switch to it."""
        known = self.store.annotators() if self.context.is_open else []
        names = choose_annotator_names(known, self.context.annotator)
        name, ok = QInputDialog.getItem(
            self.shell.window, "Annotator", "Your name:", names, 0, True
        )
        if ok and name.strip():
            self.set_annotator(name.strip())

    def set_annotator(self, name: str) -> None:
        """Annotate as `name` from now on (remembered for the next start)."""
        self.context.set_annotator(name)

    def _annotator_changed(self, name: str) -> None:
        self.settings.setValue("annotator", name)
        self.settings.setValue("annotator_confirmed", True)
        self.banner.hide()
        self._show_annotator()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
