"""The agreement window's figures as tables: spans per pair and label (P/R/F1), relations per
pair, type and matching rule, and per label Krippendorff's alpha with Cohen's kappa."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from desktop_app.core.agreement import RELATION_RULES, AgreementReport, Figure, SpanScores
from desktop_app.core.agreement_output import RULE_TEXT

ALL = "(all labels)"
SPAN_COLUMNS = ("A", "B", "Label", "Matched", "Only A", "Only B", "Precision", "Recall", "F1",
                "F1 (overlap)")  # fmt: skip


def figure_text(figure: Figure) -> str:
    """A figure with two decimals; "—" when undefined (the reason goes in the tooltip)."""
    return "—" if figure.value is None else f"{figure.value:.2f}"


def new_table(columns: Sequence[str], name: str) -> QTableWidget:
    """A read-only, sortable table with these column headers."""
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _cell(value: str | Figure, tip: str = "") -> QTableWidgetItem:
    text = figure_text(value) if isinstance(value, Figure) else value
    item = QTableWidgetItem(text)  # plain text: label and annotator names are never markup
    if isinstance(value, Figure):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        tip = value.undefined or f"over {value.items} items"
    if tip:
        item.setToolTip(tip)
    return item


def _fill(table: QTableWidget, rows: list[list[QTableWidgetItem]]) -> None:
    table.setSortingEnabled(False)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, item in enumerate(row):
            table.setItem(r, c, item)


def fill_span_table(table: QTableWidget, report: AgreementReport) -> None:
    """One row per pair and span label (and all labels): counts, P/R/F1 exact, F1 overlap."""
    rows = []
    for pair in report.span_pairs:
        labels = [*pair.exact.per_label, ALL]
        for label in labels:
            exact: SpanScores = pair.exact.per_label.get(label, pair.exact.overall)
            overlap = pair.overlap.per_label.get(label, pair.overlap.overall)
            if label == ALL:
                exact, overlap = pair.exact.overall, pair.overlap.overall
            rows.append(
                [_cell(pair.a), _cell(pair.b), _cell(label), _cell(str(exact.matched)),
                 _cell(str(exact.only_a)), _cell(str(exact.only_b)), _cell(exact.precision),
                 _cell(exact.recall), _cell(exact.f1), _cell(overlap.f1)]
            )  # fmt: skip
    _fill(table, rows)


ALL_TYPES = "(all types)"
RELATION_COLUMNS = ("A", "B", "Type", "Rule", "Matched", "Only A", "Only B", "Precision",
                    "Recall", "F1")  # fmt: skip


def fill_relation_table(table: QTableWidget, report: AgreementReport) -> None:
    """One row per pair, relation type (and all types) and matching rule: counts and P/R/F1."""
    rows = []
    for pair in report.relation_pairs:
        for kind in [*report.relation_types, ALL_TYPES]:
            for rule in RELATION_RULES:
                figures = pair.rules[rule]
                s = figures.overall if kind == ALL_TYPES else figures.per_label[kind]
                rows.append(
                    [_cell(pair.a), _cell(pair.b), _cell(kind), _cell(rule, RULE_TEXT[rule]),
                     _cell(str(s.matched)), _cell(str(s.only_a)), _cell(str(s.only_b)),
                     _cell(s.precision), _cell(s.recall), _cell(s.f1)]
                )  # fmt: skip
    _fill(table, rows)


def alpha_columns(report: AgreementReport) -> list[str]:
    """Kind, label, alpha over everyone ticked, then kappa for each pair."""
    return ["Kind", "Label", "α (all ticked)", *(f"κ {p.a}–{p.b}" for p in report.tag_pairs)]


def fill_alpha_table(table: QTableWidget, report: AgreementReport) -> None:
    """Per document tag: alpha and each pair's kappa; per span label: unitized alpha."""
    columns = alpha_columns(report)
    table.setColumnCount(len(columns))
    table.setHorizontalHeaderLabels(columns)
    rows = []
    for label in [*report.tag_labels, ALL] if report.tag_labels else []:
        alpha = report.tag_alpha.per_label.get(label, report.tag_alpha.overall)
        kappas = [p.kappa.per_label.get(label, p.kappa.overall) for p in report.tag_pairs]
        if label == ALL:
            alpha, kappas = report.tag_alpha.overall, [p.kappa.overall for p in report.tag_pairs]
        rows.append([_cell("tag"), _cell(label), _cell(alpha), *map(_cell, kappas)])
    unitized = report.unitized_alpha
    for label in [*unitized.per_label, ALL] if unitized.per_label else []:
        alpha = unitized.per_label.get(label, unitized.overall)
        blank = [_cell("", "kappa is for document tags") for _ in report.tag_pairs]
        rows.append([_cell("span (unitized)"), _cell(label), _cell(alpha), *blank])
    _fill(table, rows)
