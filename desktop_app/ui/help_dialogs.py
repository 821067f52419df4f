"""Help > User guide (the README, rendered offline) and Help > About."""

from __future__ import annotations

import html
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QImage, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app import paths
from desktop_app.core.store.stats import sqlite_version

LICENCE = "MIT"
GUIDE_IMAGE_WIDTH = 820


def app_version() -> str:
    """Marginalia's installed version (or "unknown" when run from a checkout not installed)."""
    try:
        return metadata.version("marginalia")
    except metadata.PackageNotFoundError:
        return "unknown"


def about_facts(project: Path | None, schema_version: int | None) -> list[tuple[str, str]]:
    """What the About box says, as (name, value) rows."""
    return [
        ("Version", app_version()),
        ("Licence", f"{LICENCE} (PySide6 is used as a library under the LGPL)"),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", platform.python_version()),
        ("SQLite", sqlite_version()),
        ("Project", str(project) if project else "none open"),
        ("Schema version", "" if schema_version is None else str(schema_version)),
    ]


class AboutBox(QDialog):
    """Help > About: versions, the licence and the open project."""

    def __init__(self, facts: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Marginalia")
        self.setObjectName("about")
        self.facts = dict(facts)
        rows = "".join(
            f"<tr><td><b>{html.escape(name)}</b></td><td>{html.escape(value)}</td></tr>"
            for name, value in facts
        )
        self.text = QLabel(
            "<h2>Marginalia</h2><p>A desktop workbench for analysts who annotate news "
            f"articles by hand.</p><table cellpadding='3'>{rows}</table>"
        )
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(self.text.textInteractionFlags().TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


class _GuideBrowser(QTextBrowser):
    """A text browser that finds the guide's images where the package keeps them."""

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        """Qt callback: read `resources/...` images from the resources folder."""
        found = paths.guide_resource(name.toString() if isinstance(name, QUrl) else name)
        if found is not None and kind == QTextDocument.ResourceType.ImageResource.value:
            image = QImage(str(found))
            if image.width() > GUIDE_IMAGE_WIDTH:  # screenshots are larger than the guide
                image = image.scaledToWidth(
                    GUIDE_IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation
                )
            return image
        return super().loadResource(kind, name)


class GuideWindow(QDialog):
    """Help > User guide: the README's sections, rendered, with a list to jump between them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Marginalia user guide")
        self.setObjectName("guide")
        self.path = paths.guide_path()
        self.browser = _GuideBrowser()
        self.browser.setAccessibleName("User guide")
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(self.path.read_text(encoding="utf-8"))
        self.sections = QListWidget()
        self.sections.setAccessibleName("Sections of the guide")
        self.sections.addItems(self.headings())
        self.sections.setCurrentRow(-1)  # the guide opens at its top
        self.sections.currentTextChanged.connect(self.go_to)
        splitter = QSplitter()
        splitter.addWidget(self.sections)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        if parent is not None:
            room = parent.screen().availableGeometry()
            self.resize(min(960, room.width() - 40), min(700, room.height() - 60))

    def headings(self) -> list[str]:
        """The guide's section headings (its level-2 headings), in order."""
        found = []
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() == 2:
                found.append(block.text())
            block = block.next()
        return found

    def go_to(self, heading: str) -> None:
        """Scroll the guide to the section named `heading`."""
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() == 2 and block.text() == heading:
                self.browser.setTextCursor(QTextCursor(block))
                # To the bottom first, so the heading ends at the top of the view.
                self.browser.moveCursor(QTextCursor.MoveOperation.End)
                self.browser.setTextCursor(QTextCursor(block))
                self.browser.ensureCursorVisible()
                return
            block = block.next()
