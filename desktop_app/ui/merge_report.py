"""The merge report: what came in, each conflict with both versions, what was refused."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.model import RELATION, SPAN, MergeReport
from desktop_app.core.plural import counted
from desktop_app.ui.plain import plain_label

_COLUMNS = ("Kind", "Article", "Annotator", "Kept", "Ours", "Theirs")


class MergeReportDialog(QDialog):
    """A non-modal report of one merge: summary, conflicts table, refusals and the backup."""

    def __init__(self, report: MergeReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge report")
        self.resize(900, 480)
        layout = QVBoxLayout(self)
        summary = plain_label(f"Merged {report.source}:\n{report.summary()}.")
        summary.setObjectName("merge_summary")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.conflicts = QTableWidget(len(report.conflicts), len(_COLUMNS))
        self.conflicts.setObjectName("merge_conflicts")
        self.conflicts.setHorizontalHeaderLabels(_COLUMNS)
        self.conflicts.verticalHeader().setVisible(False)
        self.conflicts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, conflict in enumerate(report.conflicts):
            kind = {SPAN: "span", RELATION: "relation"}.get(conflict.kind, "tag")
            values = (kind, conflict.article_uid, conflict.annotator, conflict.winner)
            for column, value in enumerate((*values, conflict.ours, conflict.theirs)):
                # QTableWidgetItem shows plain text: article uids and notes are never markup.
                self.conflicts.setItem(row, column, QTableWidgetItem(value))
        self.conflicts.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        if report.conflicts:
            layout.addWidget(
                QLabel(
                    f"{counted(len(report.conflicts), 'annotation')} edited on both sides: the "
                    "newer edit was kept, the other is in Article > Sync and merge history…"
                )
            )
            layout.addWidget(self.conflicts, 1)
        else:
            self.conflicts.hide()
        self.problems = QPlainTextEdit("\n".join(str(p) for p in report.problems))
        self.problems.setObjectName("merge_problems")
        self.problems.setReadOnly(True)
        if report.problems:
            layout.addWidget(QLabel(f"{len(report.problems)} items were not merged:"))
            layout.addWidget(self.problems, 1)
        else:
            self.problems.hide()
        if report.backup:
            backup = plain_label(f"The project as it was before the merge: {report.backup}")
            backup.setWordWrap(True)
            layout.addWidget(backup)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
