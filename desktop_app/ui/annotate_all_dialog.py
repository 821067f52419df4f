"""The preview of Annotate all matches: every hit in context, grouped by article, to tick."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from desktop_app.core.suggest.annotate_all import CONTEXT, Found

SCOPES = (
    ("article", "This article"),
    ("filter", "The articles in the list's current filter"),
    ("all", "All articles"),
    ("not_done", "All articles I have not marked done"),
)
# (text, label, case, whole word, regex, scope key) -> the hits; ValueError when it cannot.
Search = Callable[[str, str, bool, bool, bool, str], list[Found]]


class AnnotateAllDialog(QDialog):
    """Shows the hits of a text (or pattern) for a label; `chosen()` are the ticked ones."""

    def __init__(self, text: str, label: str, labels: list[str], search: Search, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle("Annotate all matches")
        self.resize(760, 520)
        self._search = search
        self.found: list[Found] = []
        self.text = QLineEdit(text)
        self.text.setAccessibleName("Text to find")
        self.label = QComboBox()
        self.label.addItems(labels)
        self.label.setCurrentText(label)
        self.case = QCheckBox("&Case")
        self.whole = QCheckBox("&Whole words")
        self.whole.setChecked(True)
        self.regex = QCheckBox("Re&gular expression")
        self.scope = QComboBox()
        for key, name in SCOPES:
            self.scope.addItem(name, key)
        options = QHBoxLayout()
        for box in (self.case, self.whole, self.regex):
            options.addWidget(box)
        options.addStretch(1)
        form = QFormLayout()
        form.addRow("&Find:", self.text)
        form.addRow("&Label:", self.label)
        form.addRow("", options)
        form.addRow("&Scope:", self.scope)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Match in context"])
        self.tree.setRootIsDecorated(True)
        self.summary = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.text.editingFinished.connect(self.refresh)
        self.label.currentTextChanged.connect(self.refresh)
        for box in (self.case, self.whole, self.regex):
            box.toggled.connect(self.refresh)
        self.scope.currentIndexChanged.connect(self.refresh)
        self.tree.itemChanged.connect(self._count)
        self.refresh()

    def set_scope(self, key: str) -> None:
        """Choose the scope by its key (article, filter, all, not_done)."""
        self.scope.setCurrentIndex(self.scope.findData(key))

    def refresh(self) -> None:
        """Search again with the dialog's options and list every hit, ticked unless covered."""
        self.tree.blockSignals(True)
        self.tree.clear()
        try:
            self.found = self._search(
                self.text.text(),
                self.label.currentText(),
                self.case.isChecked(),
                self.whole.isChecked(),
                self.regex.isChecked(),
                str(self.scope.currentData()),
            ) if self.text.text() and self.label.currentText() else []  # fmt: skip
            problem = ""
        except ValueError as error:
            self.found, problem = [], str(error)
        groups: dict[int, QTreeWidgetItem] = {}
        for index, found in enumerate(self.found):
            group = groups.get(found.article_id)
            if group is None:
                group = QTreeWidgetItem(self.tree, [found.title or f"Article {found.article_id}"])
                groups[found.article_id] = group
            # An ellipsis only where the line was cut short.
            lead = "…" if len(found.before) == CONTEXT else ""
            tail = "…" if len(found.after) == CONTEXT else ""
            line = f"{lead}{found.before}[{found.quote}]{found.after}{tail}"
            item = QTreeWidgetItem(
                group, [line + ("   (already annotated)" if found.covered else "")]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            item.setCheckState(
                0, Qt.CheckState.Unchecked if found.covered else Qt.CheckState.Checked
            )
            if found.covered:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        self._count(problem=problem)

    def hit_items(self) -> list[QTreeWidgetItem]:
        """The hits' rows, in order."""
        rows: list[QTreeWidgetItem] = []
        root = self.tree.invisibleRootItem()
        for g in range(root.childCount()):
            group = root.child(g)
            if group is not None:
                rows += [r for c in range(group.childCount()) if (r := group.child(c)) is not None]
        return rows

    def chosen(self) -> list[Found]:
        """The ticked hits that are not covered already."""
        return [
            self.found[item.data(0, Qt.ItemDataRole.UserRole)]
            for item in self.hit_items()
            if item.checkState(0) == Qt.CheckState.Checked
            and not self.found[item.data(0, Qt.ItemDataRole.UserRole)].covered
        ]

    def _count(self, *_: object, problem: str = "") -> None:
        chosen = len(self.chosen())
        covered = sum(f.covered for f in self.found)
        articles = len({f.article_id for f in self.found})
        self.summary.setText(
            problem
            or f"{_plural(len(self.found), 'match', 'matches')} in "
            f"{_plural(articles, 'article', 'articles')} ({covered} already annotated); "
            f"{chosen} ticked"
        )
        self.apply_button.setEnabled(chosen > 0)
        self.apply_button.setText(f"&Apply ({chosen})")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
