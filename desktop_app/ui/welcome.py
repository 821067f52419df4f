"""How to begin: in place of the article, a project without articles (or a window without a
project) shows what to do first, each step a working button."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.ports import Importer
from desktop_app.ui.shell import Shell

EMPTY_PROJECT = "This project has no articles yet"
NO_PROJECT = "No project is open"


class WelcomeController(Controller):
    """Shows the welcome panel instead of the article while there is nothing to read.

    `samples` is the folder of the sample articles (None: no such button); `project_actions`
    (New project…, Open project…) are offered as buttons too.
    """

    def __init__(
        self,
        context: ProjectContext,
        shell: Shell,
        importer: Importer,
        samples: Path | None,
        project_actions: Sequence[QAction],
    ) -> None:
        super().__init__(context, shell)
        self.importer = importer
        self.samples = samples
        self.panel = QFrame()
        self.panel.setObjectName("welcome")
        self.panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setObjectName("welcome_title")
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold")
        self.hint = QLabel()  # lines broken by hand: a word-wrapped label is cut short here
        self.import_files = QPushButton("Import files…")
        self.import_files.clicked.connect(importer.import_files_dialog)
        self.import_folder = QPushButton("Import a folder…")
        self.import_folder.clicked.connect(importer.import_folder_dialog)
        self.add_samples = QPushButton("Add the sample articles")
        self.add_samples.setToolTip(str(samples) if samples else "")
        self.add_samples.clicked.connect(self.import_samples)
        self.add_samples.setVisible(samples is not None)
        self.drop_hint = QLabel("…or drop files and folders anywhere on this window.")
        self.or_label = QLabel("Or:")
        self.project_buttons: list[QToolButton] = []
        for action in project_actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.project_buttons.append(button)
        self._lay_out()
        self.panel.hide()
        shell.table_model.modelReset.connect(self.update_panel)
        context.project_opened.connect(self.update_panel)
        context.project_closed.connect(self.update_panel)

    def _lay_out(self) -> None:
        imports = QHBoxLayout()
        for button in (self.import_files, self.import_folder, self.add_samples):
            button.setMinimumHeight(36)
            imports.addWidget(button)
        imports.addStretch(1)
        projects = QHBoxLayout()
        projects.addWidget(self.or_label)
        for tool in self.project_buttons:
            projects.addWidget(tool)
        projects.addStretch(1)
        column = QWidget()
        column.setMaximumWidth(640)
        layout = QVBoxLayout(column)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addSpacing(12)
        layout.addLayout(imports)
        layout.addWidget(self.drop_hint)
        layout.addSpacing(24)
        layout.addLayout(projects)
        outer = QVBoxLayout(self.panel)
        outer.addStretch(1)
        outer.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def is_empty(self) -> bool:
        """Whether there is nothing to read: no project, or a project without articles."""
        if not self.context.is_open:
            return True
        if self.shell.table_model.rowCount():
            return False
        return self.store.article_total() == 0  # not merely a search that matches nothing

    def update_panel(self) -> None:
        """Show the panel (and hide the article) while there is nothing to read."""
        empty = self.is_empty()
        is_open = self.context.is_open
        if empty:
            self.title.setText(EMPTY_PROJECT if is_open else NO_PROJECT)
            self.hint.setText(
                "Bring articles in to begin: plain text files, folders of them, JSONL or CSV,\n"
                "or exports of doccano, Label Studio, brat, CoNLL and REFI-QDA."
                if is_open
                else "Start a new project, or open one you have."
            )
        for widget in (self.import_files, self.import_folder, self.drop_hint, self.or_label):
            widget.setVisible(is_open)
        self.add_samples.setVisible(is_open and self.samples is not None)
        self.panel.setVisible(empty)
        self.shell.view.setVisible(not empty)
        self.shell.heading.setVisible(not empty)

    def import_samples(self) -> None:
        """Import the sample articles that come with Marginalia."""
        if self.samples is not None:
            self.importer.start_import([self.samples])
