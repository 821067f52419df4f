"""Article > Sync and merge history…: the versions syncs and merges replaced, newest first,
for the open article or the whole project, each shown whole in a details pane."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.replaced import ReplacedVersion, details, explained, kind, what_it_was, why
from desktop_app.ui.plain import literal, plain_label

COLUMNS = ("When", "What", "Was", "Whose", "Why", "Article")
ARTICLE_COLUMN = COLUMNS.index("Article")
WHY = (
    "When a team sync or File > Merge meets two versions of the same span, document tag, "
    "relation, status, label or review decision, one wins and the other is kept here, with "
    "whose it was and why: nothing is overwritten without a record."
)
EMPTY_ARTICLE = "No sync or merge has replaced anything on this article."
EMPTY_PROJECT = "No sync or merge has replaced anything in this project yet."
TO_PROJECT = "Tick Whole project to see what was replaced on other articles and in the labels."


def local_time(stamp: str, zone: bool = False) -> str:
    """A stored UTC stamp as the analyst's local date and time, to the second (and the time
    zone's name, with `zone`)."""
    shown = "%Y-%m-%d %H:%M:%S %Z" if zone else "%Y-%m-%d %H:%M:%S"
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime(shown)
    except ValueError:
        return stamp


def cells(entry: ReplacedVersion) -> list[str]:
    """The list's columns for one replaced version."""
    article = entry.article_title or entry.article_uid or "(the label schema)"
    whose = entry.annotator or "not recorded"
    return [
        local_time(entry.replaced_at),
        kind(entry),
        what_it_was(entry),
        whose,
        why(entry),
        article,
    ]


class ReplacedDialog(QDialog):
    """Lists what `load(whole_project)` gives; the open article's title (None: none is open)
    says which article the list is about when the whole project is not asked for."""

    def __init__(
        self, load: Callable[[bool], list[ReplacedVersion]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync and merge history")
        self.resize(1000, 560)
        self._load = load
        self._article: str | None = None
        self.entries: list[ReplacedVersion] = []
        self.scope = plain_label()
        self.scope.setWordWrap(True)
        self.whole = QCheckBox("&Whole project")
        self.whole.setToolTip("Show what was replaced anywhere in the project, not only here")
        self.whole.toggled.connect(lambda _on: self.reload())
        top = QHBoxLayout()
        top.addWidget(self.scope, 1)
        top.addWidget(self.whole)

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAccessibleName("Replaced versions, newest first")
        self.tree.currentItemChanged.connect(lambda *_: self._show_details())
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("The selected version, whole")
        self.details.setPlaceholderText("Select a version to see all of it.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.empty = plain_label()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMargin(40)
        self.pages = QStackedWidget()
        self.pages.addWidget(split)
        self.pages.addWidget(self.empty)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.copy_button = self.buttons.addButton("&Copy", role)
        self.copy_button.setToolTip("Copy the selected version, whole, to the clipboard")
        self.copy_button.clicked.connect(self.copy_selected)
        self.copy_all_button = self.buttons.addButton("Copy &list", role)
        self.copy_all_button.setToolTip("Copy the list as tab-separated lines (for a spreadsheet)")
        self.copy_all_button.clicked.connect(self.copy_list)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)

    def set_article(self, title: str | None) -> None:
        """The article being read (None: none is open, so the whole project is shown)."""
        self._article = title
        self.whole.setEnabled(title is not None)
        if title is None and not self.whole.isChecked():
            self.whole.setChecked(True)  # reloads
        else:
            self.reload()

    def changeEvent(self, event: QEvent) -> None:
        """Coming back to the dialog reads the list again: a sync whose conflicts all went
        our way changes no annotation here, so nothing else says that it kept something."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.reload()

    @property
    def whole_project(self) -> bool:
        """Whether the list is the whole project's (else the open article's)."""
        return self.whole.isChecked() or self._article is None

    def reload(self) -> None:
        """Read the list again, keeping the selected version selected."""
        selected = self.selected()
        whole = self.whole_project
        self.entries = self._load(whole)
        self.tree.clear()
        items, keep = [], None
        for index, entry in enumerate(self.entries):
            item = QTreeWidgetItem(cells(entry))
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            item.setToolTip(4, literal(explained(entry)))
            item.setToolTip(2, literal(what_it_was(entry)))
            items.append(item)
            if entry == selected:
                keep = item
        self.tree.addTopLevelItems(items)
        self.tree.setColumnHidden(ARTICLE_COLUMN, not whole)
        if items:
            self.tree.setCurrentItem(keep or items[0])
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)
            self.tree.setColumnWidth(column, min(self.tree.columnWidth(column), 360))
        count = len(self.entries)
        where = "in the whole project" if whole else f"on “{self._article}”"
        if count:
            plural = "s" if count != 1 else ""
            self.scope.setText(f"{count:,} replaced version{plural} {where}, newest first")
            self.pages.setCurrentIndex(0)
        else:
            self.scope.setText(f"Nothing replaced {where}")
            said = EMPTY_PROJECT if whole else EMPTY_ARTICLE
            tail = "" if whole else f"\n\n{TO_PROJECT}"
            self.empty.setText(f"{said}\n\n{WHY}{tail}")
            self.pages.setCurrentIndex(1)
        self.copy_button.setEnabled(bool(count))
        self.copy_all_button.setEnabled(bool(count))
        self._show_details()

    def selected(self) -> ReplacedVersion | None:
        """The version of the current row, if any."""
        item = self.tree.currentItem()
        return None if item is None else self.entries[item.data(0, Qt.ItemDataRole.UserRole)]

    def _show_details(self) -> None:
        entry = self.selected()
        self.details.setPlainText("" if entry is None else _whole(entry))

    def copy_selected(self) -> None:
        """Put the selected version, whole, on the clipboard."""
        entry = self.selected()
        if entry is not None:
            QGuiApplication.clipboard().setText(_whole(entry))

    def copy_list(self) -> None:
        """Put the list on the clipboard as tab-separated lines, a header first."""
        lines = ["\t".join(COLUMNS)]
        lines += ["\t".join(" ".join(c.split()) for c in cells(e)) for e in self.entries]
        QGuiApplication.clipboard().setText("\n".join(lines) + "\n")


def _whole(entry: ReplacedVersion) -> str:
    return details(entry, local_time(entry.replaced_at, zone=True))
