"""The last import's report: what was added, duplicates with their twin, skipped, read as
another format, notes and rejections, each a table; copyable and savable as text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.model import ImportProblem, ImportReport
from desktop_app.ui.plain import plain_label

WIDEST = 320  # pixels a column starts at, at most (titles are long; the tooltip has it all)
LISTED = 10_000  # rows a section shows (and its text holds); the rest are counted
Titles = dict[object, tuple[int, str, str]]  # id or uid -> (id, uid, title)


Row = tuple[str, ...]
Section = tuple[str, tuple[str, ...], list[Row]]  # name, columns, rows


def report_sections(report: ImportReport, titles: Titles) -> list[Section]:
    """(name, columns, rows) of each part of the report, `titles` naming the articles."""
    added: list[Row] = [
        (str(found[0]), found[1], found[2])
        for i in report.added_article_ids()[:LISTED]
        if (found := titles.get(i)) is not None
    ]
    duplicates: list[Row] = []
    for uid, twin in report.duplicate_pairs[:LISTED]:
        mine, theirs = titles.get(uid), titles.get(twin)
        duplicates.append(
            (uid, mine[2] if mine else "(deleted)", twin, theirs[2] if theirs else "(deleted)")
        )
    notes: list[Row] = [(n.origin, n.reason) for n in report.notes]
    notes += [("labels", note) for note in report.label_notes()]

    def problems(items: Sequence[ImportProblem]) -> list[Row]:
        return [(p.origin, p.reason) for p in items[:LISTED]]

    return [
        (f"Added ({report.added:,})", ("Id", "Uid", "Title"), added),
        (
            f"Duplicates ({len(report.duplicate_pairs):,})",
            ("Uid", "Title", "Same text as", "Its title"),
            duplicates,
        ),
        (f"Rejected ({len(report.problems):,})", ("Input", "Why"), problems(report.problems)),
        (f"Skipped ({len(report.skipped):,})", ("Input", "Why"), problems(report.skipped)),
        (
            f"Read as another format ({len(report.detected):,})",
            ("Input", "How"),
            problems(report.detected),
        ),
        (f"Notes ({len(notes):,})", ("About", "Note"), notes[:LISTED]),
    ]


def report_text(report: ImportReport, titles: Titles) -> str:
    """The whole report as plain text, tab-separated, one section after another."""
    lines = [f"Import: {report.summary()}"]
    for name, columns, rows in report_sections(report, titles):
        lines += ["", name, "\t".join(columns)]
        lines += ["\t".join(row) for row in rows]
    return "\n".join(lines) + "\n"


class ImportReportDialog(QDialog):
    """A non-modal window listing one import's results, section by section."""

    def __init__(
        self,
        report: ImportReport,
        titles: Titles,
        save: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Last import report")
        self.resize(900, 520)
        self.text = report_text(report, titles)
        layout = QVBoxLayout(self)
        summary = plain_label(f"Import: {report.summary()}.")
        summary.setObjectName("import_summary")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}
        for name, columns, rows in report_sections(report, titles):
            table = QTableWidget(len(rows), len(columns))
            table.setHorizontalHeaderLabels(columns)
            table.verticalHeader().setVisible(False)
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    cell = QTableWidgetItem(value)  # plain text, never markup
                    cell.setToolTip(value)
                    table.setItem(r, c, cell)
            # Fitted to their contents, but no column so wide that the next is pushed off.
            table.resizeColumnsToContents()
            for c in range(len(columns)):
                table.setColumnWidth(c, min(table.columnWidth(c), WIDEST))
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            table.horizontalHeader().setStretchLastSection(True)
            table.setWordWrap(False)
            self.tables[name.split(" (")[0]] = table
            self.tabs.addTab(table, name)
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy as text")
        self.save_button = QPushButton("&Save as text…")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text))
        self.save_button.clicked.connect(lambda: save(self.text))
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
