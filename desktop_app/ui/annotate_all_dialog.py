"""The preview of Annotate all matches: every hit in context, grouped by article, to tick; the
search runs on a thread of its own, with progress and a way to stop it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from desktop_app.core.plural import counted
from desktop_app.core.suggest.annotate_all import CONTEXT, Found

SCOPES = (
    ("article", "This article"),
    ("filter", "The articles in the list's current filter"),
    ("all", "All articles"),
    ("not_done", "All articles I have not marked done"),
)
# The search's work, run on the thread: given progress(searched, total) and cancelled(), the hits.
Work = Callable[[Callable[[int, int], None], Callable[[], bool]], list[Found]]
# (text, label, case, whole word, regex, scope key) -> its work; ValueError at once when it
# cannot (a pattern that does not compile is said before any thread starts).
Search = Callable[[str, str, bool, bool, bool, str], Work]


class SearchJob(QThread):
    """One search on its own thread (run() overridden, as BackgroundJob and ImportJob do);
    its signals are delivered on the window's thread."""

    progress = Signal(int, int)  # articles searched, articles in the scope
    done = Signal(object)  # the hits found (all, or until stopped), or the Exception raised

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.setObjectName("annotate-all search")
        self._work = work
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Stop before the next article; the hits found until then are kept."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether it was asked to stop."""
        return self._cancel.is_set()

    def run(self) -> None:
        """Search (on the thread); hand back the hits or the error, never let it escape."""
        try:
            result: object = self._work(self.progress.emit, self._cancel.is_set)
        except Exception as error:  # the dialog says it; a thread must not die silently
            result = error
        self.done.emit(result)


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
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Articles searched")
        self.progress.setFormat("%v of %m articles searched")
        self.stop_button = QPushButton("S&top searching")
        self.stop_button.clicked.connect(self.stop)
        searching = QHBoxLayout()
        searching.addWidget(self.progress, 1)
        searching.addWidget(self.stop_button)
        self.job: SearchJob | None = None  # the search running, if any
        self.searched = (0, 0)  # (articles searched, articles in the scope) of the last search
        self.stopped = ""  # what the summary says first when the search was stopped early
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.tree, 1)
        layout.addLayout(searching)
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

    @property
    def searching(self) -> bool:
        """Whether a search is still running."""
        return self.job is not None

    def refresh(self) -> None:
        """Search again with the dialog's options (on a thread); the hits are listed when it
        ends, each ticked unless covered."""
        self._end_job()
        self.found, self.searched, self.stopped = [], (0, 0), ""
        self._show_hits()
        text, label = self.text.text(), self.label.currentText()
        if not text or not label:
            self._searching(False)
            self._count()
            return
        try:
            work = self._search(
                text,
                label,
                self.case.isChecked(),
                self.whole.isChecked(),
                self.regex.isChecked(),
                str(self.scope.currentData()),
            )
        except ValueError as error:
            self._searching(False)
            self._count(problem=str(error))
            return
        job = SearchJob(work)
        job.progress.connect(lambda searched, total, job=job: self._progress(job, searched, total))
        job.done.connect(lambda result, job=job: self._done(job, result))
        self.job = job
        self._searching(True)
        self.summary.setText("Searching…")
        job.start()

    def stop(self) -> None:
        """Stop the search; the hits found so far are listed (and can be applied)."""
        if self.job is not None:
            self.job.cancel()

    def _end_job(self) -> None:
        """Stop the running search and forget it (its result would be stale)."""
        job, self.job = self.job, None
        if job is not None:
            job.cancel()
            job.wait()  # at most one article's search: it asks before each

    def _progress(self, job: SearchJob, searched: int, total: int) -> None:
        if job is not self.job:
            return  # a search that was replaced
        self.searched = (searched, total)
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(searched)

    def _done(self, job: SearchJob, result: object) -> None:
        job.wait()
        if job is not self.job:
            return
        self.job = None
        self._searching(False)
        if isinstance(result, Exception):
            self._count(problem=f"Not searched: {result}")
            return
        assert isinstance(result, list)
        self.found = result
        self._show_hits()
        searched, total = self.searched
        if job.cancelled and searched < total:
            self.stopped = f"Stopped after {searched:,} of {total:,} articles: "
        self._count()

    def _searching(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.stop_button.setVisible(running)
        if running:
            self.progress.setMaximum(0)  # busy until the first progress says how many
            self.progress.setValue(0)
            self.apply_button.setEnabled(False)

    def _show_hits(self) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
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

    def done(self, result: int) -> None:
        """Closing (Apply or Cancel) stops a running search first: no thread outlives it."""
        self._end_job()
        super().done(result)

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
        if self.job is not None:
            return  # ticks are counted when the search has listed its hits
        chosen = len(self.chosen())
        covered = sum(f.covered for f in self.found)
        articles = len({f.article_id for f in self.found})
        self.summary.setText(
            problem
            or f"{self.stopped}{counted(len(self.found), 'match', 'matches')} in "
            f"{counted(articles, 'article', 'articles')} ({covered} already annotated); "
            f"{chosen} ticked"
        )
        self.apply_button.setEnabled(chosen > 0)
        self.apply_button.setText(f"&Apply ({chosen})")
