"""Tools > Agreement: the figures, and every disagreement one double-click from its text."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.agreement import AgreementReport, agreement
from desktop_app.core.agreement_output import format_report
from desktop_app.core.model import ADJUDICATED
from desktop_app.core.plural import counted
from desktop_app.core.review import Disagreement, disagreements
from desktop_app.core.store import Store
from desktop_app.ui.agreement_tables import (
    RELATION_COLUMNS,
    SPAN_COLUMNS,
    fill_alpha_table,
    fill_relation_table,
    fill_span_table,
    new_table,
)
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.plain import plain_label

ALL_LABELS = "All labels"
_COLUMNS = ("Article", "Text", "Class", "A", "B", "Where")  # the quote first: it is what differs
NARROWEST = 260  # the window is not narrowed below this to stay clear of the article


@dataclass(frozen=True)
class _Result:
    report: AgreementReport
    disagreements: list[Disagreement]
    places: list[tuple[str, str]]  # each disagreement's article title and quoted text


def _places(store: Store, found: list[Disagreement]) -> list[tuple[str, str]]:
    """The title and the quoted text of each disagreement (each article read once)."""
    articles: dict[str, tuple[str, str]] = {}
    places = []
    for item in found:
        if item.article not in articles:
            article_id = store.article_id(item.article)
            article = None if article_id is None else store.article(article_id)
            articles[item.article] = (
                (article.title or item.article, article.text) if article else (item.article, "")
            )
        title, text = articles[item.article]
        quote = "(document tag)" if item.kind == "document" else text[item.start : item.end]
        if item.kind == "relation":  # from its first end to its last: may be long
            quote = f"relation: {quote[:60]}…" if len(quote) > 60 else f"relation: {quote}"
        places.append((title, quote))
    return places


class AgreementWindow(QDialog):
    """Non-modal: figures are computed on a background thread; double-click goes to the text."""

    openText = Signal(str, int, int)  # article uid, start, end (0, 0 for a document tag)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Agreement")
        self.resize(980, 640)
        self._store = store
        self._job: BackgroundJob | None = None
        self.outcome: _Result | None = None
        self.annotators = QListWidget()
        self.annotators.setObjectName("agreement_annotators")
        self.annotators.setMaximumHeight(110)
        self.label = QComboBox()
        self.a_box, self.b_box = QComboBox(), QComboBox()
        self.compute = QPushButton("Compute")
        self.compute.setObjectName("agreement_compute")
        self.status = plain_label()
        self.figures = QPlainTextEdit()
        self.figures.setObjectName("agreement_figures")
        self.figures.setReadOnly(True)
        self.figures.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.figures.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setObjectName("agreement_disagreements")
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellActivated.connect(self._activated)
        self.table.cellDoubleClicked.connect(self._activated)
        self.span_table = new_table(SPAN_COLUMNS, "agreement_spans")
        self.alpha_table = new_table(["Kind", "Label", "α (all ticked)"], "agreement_alpha")
        self.relation_table = new_table(RELATION_COLUMNS, "agreement_relations")
        tabs = QTabWidget()
        tabs.addTab(self.span_table, "Spans: precision, recall, F1")
        tabs.addTab(self.relation_table, "Relations: F1 per type (strict, boundaries, relaxed)")
        tabs.addTab(self.alpha_table, "Tags and labels: α, κ")
        tabs.addTab(self.table, "Disagreements (double-click or Return: show the text)")
        tabs.addTab(self.figures, "As text")
        self.tabs = tabs
        form = QFormLayout()
        form.addRow("Annotators", self.annotators)
        form.addRow("Label", self.label)
        pair = QHBoxLayout()
        pair.addWidget(self.a_box, 1)
        pair.addWidget(QLabel("with"))
        pair.addWidget(self.b_box, 1)
        form.addRow("Disagreements of", pair)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.compute)
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        layout.addWidget(tabs, 1)
        self.compute.clicked.connect(self.start)
        self._fill()

    def _fill(self) -> None:
        # Only who annotated something (a login name alone is nobody to compare), most active
        # first; the two most active coders are ticked and compared. The adjudicated layer is
        # a verdict, not a coder: listed, never ticked by default.
        activity = self._store.annotator_activity()
        names = [name for name, _ in activity]
        coders = [name for name in names if name != ADJUDICATED]
        for name, count in activity:
            item = QListWidgetItem(f"{name} ({counted(count, 'annotation')})")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = name in coders[:2]
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.annotators.addItem(item)
        self.label.addItem(ALL_LABELS)
        self.label.addItems([label.name for label in self._store.labels()])
        self.a_box.addItems(names)
        self.b_box.addItems(names)
        if len(coders) > 1:
            self.a_box.setCurrentText(coders[0])
            self.b_box.setCurrentText(coders[1])
        if not coders:
            self.status.setText("Nobody has annotated anything yet.")

    def chosen(self) -> list[str]:
        """The ticked annotators."""
        return [
            self.annotators.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.annotators.count())
            if self.annotators.item(row).checkState() == Qt.CheckState.Checked
        ]

    def start(self) -> None:
        """Compute the figures on a background thread (a large project takes a moment)."""
        if self._job is not None and self._job.isRunning():
            return
        names = self.chosen()
        label = None if self.label.currentText() == ALL_LABELS else self.label.currentText()
        a, b = self.a_box.currentText(), self.b_box.currentText()
        store = self._store

        def work() -> _Result:
            data = store.agreement_input(names)
            report = agreement(data, label)
            pair = store.agreement_input([a, b]) if a and b and a != b else None
            found = [] if pair is None else disagreements(pair, a, b)
            if label is not None:
                found = [d for d in found if label in (d.a_label, d.b_label)]
            return _Result(report, found, _places(store, found))

        self.compute.setEnabled(False)
        self.status.setText("Computing…")
        self._job = BackgroundJob("agreement", work)
        self._job.done.connect(self._finished)
        self._job.start()

    def _finished(self, result: object) -> None:
        if self._job is not None:
            self._job.wait()
        self.compute.setEnabled(True)
        if not isinstance(result, _Result):
            self.status.setText(f"Not computed: {result}")
            return
        self.outcome = result
        self.figures.setPlainText(format_report(result.report))
        fill_span_table(self.span_table, result.report)
        fill_alpha_table(self.alpha_table, result.report)
        fill_relation_table(self.relation_table, result.report)
        self.table.setRowCount(len(result.disagreements))
        for row, (found, (title, quote)) in enumerate(
            zip(result.disagreements, result.places, strict=True)
        ):
            where = "document tag" if found.kind == "document" else f"{found.start}–{found.end}"
            cells = (title, quote, found.item_class.value, found.a_label, found.b_label, where)
            for column, value in enumerate(cells):
                cell = QTableWidgetItem(value or "—")  # plain text: never markup
                if column == 0:
                    cell.setToolTip(found.article)  # the uid, to tell same-titled articles apart
                self.table.setItem(row, column, cell)
        # Titles are long: capped, so that the quote stays in sight in a narrowed window.
        self.table.resizeColumnsToContents()
        for column in range(len(_COLUMNS)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 180))
        a, b = self.a_box.currentText(), self.b_box.currentText()
        self.status.setText(
            f"{counted(len(result.disagreements), 'disagreement')} between {a} and {b}; "
            f"figures for {', '.join(result.report.annotators) or 'nobody'}."
        )

    def _activated(self, row: int, _column: int = 0) -> None:
        if self.outcome is None or not 0 <= row < len(self.outcome.disagreements):
            return
        found = self.outcome.disagreements[row]
        self.openText.emit(found.article, found.start, found.end)

    def keep_beside(self, covered: QRect) -> None:
        """Move (narrowing if need be) beside `covered`, the article's text in global
        coordinates, on the side with more room, so the disagreement shown is not under it."""
        frame = self.frameGeometry()
        if not frame.intersects(covered):
            return
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        border = frame.width() - self.width()
        left, right = covered.left() - area.left(), area.right() - covered.right()
        width = max(min(self.width(), max(left, right) - border), NARROWEST)
        self.resize(width, self.height())
        x = covered.right() + 1 if right >= left else covered.left() - width - border
        self.move(x, frame.y())

    def wait(self) -> None:
        """Wait for a running computation (tests, and closing the window)."""
        if self._job is not None:
            self._job.wait()
