"""Agreement figures as JSON with stable keys, and as plain-text tables for the command line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from desktop_app.core.agreement import (
    BOUNDARIES,
    RELATION_RULES,
    RELAXED,
    STRICT,
    AgreementReport,
    ByLabel,
    Figure,
    RelationPair,
    SpanPair,
    SpanScores,
)
from desktop_app.core.plural import counted

# What each relation matching rule asks of the two end spans (the type must always match).
RULE_TEXT = {
    STRICT: "same type and direction, both ends with the same boundaries and labels",
    BOUNDARIES: "same type and direction, both ends with the same boundaries, labels ignored",
    RELAXED: "same type and direction, both ends overlapping, labels ignored",
}


def figure_to_json(figure: Figure) -> dict[str, Any]:
    """{"value": float or null, "items": n, "why": reason or null}."""
    return {"value": figure.value, "items": figure.items, "why": figure.undefined or None}


def _scores_json(scores: SpanScores) -> dict[str, Any]:
    return {
        "matched": scores.matched,
        "only_a": scores.only_a,
        "only_b": scores.only_b,
        "precision": figure_to_json(scores.precision),
        "recall": figure_to_json(scores.recall),
        "f1": figure_to_json(scores.f1),
    }


def _figures_json(figures: ByLabel[Figure]) -> dict[str, Any]:
    per_label = {k: figure_to_json(v) for k, v in figures.per_label.items()}
    return {"per_label": per_label, "overall": figure_to_json(figures.overall)}


def _all_scores_json(scores: ByLabel[SpanScores]) -> dict[str, Any]:
    per_label = {k: _scores_json(v) for k, v in scores.per_label.items()}
    return {"per_label": per_label, "overall": _scores_json(scores.overall)}


def report_to_json(report: AgreementReport) -> dict[str, Any]:
    """The report as JSON-ready dicts with stable keys; undefined values are null with a why."""
    return {
        "annotators": list(report.annotators),
        "label": report.label,
        "document_tags": {
            "labels": list(report.tag_labels),
            "krippendorff_alpha": _figures_json(report.tag_alpha),
            "cohen_kappa": [
                {
                    "a": pair.a,
                    "b": pair.b,
                    "common_articles": pair.common_articles,
                    **_figures_json(pair.kappa),
                }
                for pair in report.tag_pairs
            ],
        },
        "spans": {
            "labels": list(report.span_labels),
            "pairs": [
                {
                    "a": pair.a,
                    "b": pair.b,
                    "common_articles": pair.common_articles,
                    "exact": _all_scores_json(pair.exact),
                    "overlap": _all_scores_json(pair.overlap),
                    "confusion": {k: dict(v) for k, v in pair.confusion.items()},
                }
                for pair in report.span_pairs
            ],
            "unitized_alpha": {
                "articles": report.unitized_articles,
                **_figures_json(report.unitized_alpha),
            },
        },
        "relations": {
            "types": list(report.relation_types),
            "rules": dict(RULE_TEXT),
            "pairs": [
                {
                    "a": pair.a,
                    "b": pair.b,
                    "common_articles": pair.common_articles,
                    **{rule: _all_scores_json(pair.rules[rule]) for rule in RELATION_RULES},
                }
                for pair in report.relation_pairs
            ],
        },
    }


ALL_LABELS = "all labels"
ALL_TYPES = "all types"


def _number(figure: Figure) -> str:
    return "-" if figure.value is None else f"{figure.value:.3f}"


def _why(named: Iterable[tuple[str, Figure]]) -> str:
    # The reasons for undefined cells, appended to the row so no dash goes unexplained.
    reasons = [f"{name}: {f.undefined}" for name, f in named if f.value is None]
    return "undefined " + "; ".join(reasons) if reasons else ""


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    # The last column is a free-text note; the first is left-aligned, the others right-aligned.
    widths = [max(len(r[k]) for r in (headers, *rows)) for k in range(len(headers) - 1)]
    lines = []
    for row in (headers, *rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:], strict=True)]
        lines.append(("  " + "  ".join(cells) + "  " + row[-1]).rstrip())
    return lines


def _figure_rows(figures: ByLabel[Figure], name: str) -> list[list[str]]:
    rows = [(label, f) for label, f in figures.per_label.items()]
    rows.append((ALL_LABELS, figures.overall))
    return [[label, _number(f), str(f.items), _why([(name, f)])] for label, f in rows]


def _figure_table(title: str, figures: ByLabel[Figure], name: str, items: str) -> list[str]:
    rows = _figure_rows(figures, name)
    return ["", title, *_table(["label", name, items, ""], rows)]


def _scores_table(
    title: str, scores: ByLabel[SpanScores], first: str = "label", every: str = ALL_LABELS
) -> list[str]:
    rows = []
    for label, s in [*scores.per_label.items(), (every, scores.overall)]:
        named = [("precision", s.precision), ("recall", s.recall), ("F1", s.f1)]
        counts = [str(s.matched), str(s.only_a), str(s.only_b)]
        rows.append([label, *counts, *(_number(f) for _, f in named), _why(named)])
    headers = [first, "matched", "only A", "only B", "precision", "recall", "F1", ""]
    return ["", title, *_table(headers, rows)]


def _confusion_table(title: str, confusion: Mapping[str, Mapping[str, int]]) -> list[str]:
    columns = sorted({col for cols in confusion.values() for col in cols})
    rows = [
        [row, *(str(cols.get(col, 0)) for col in columns), ""] for row, cols in confusion.items()
    ]
    if not rows:
        return ["", title, "  (no spans)"]
    return ["", title, *_table(["A \\ B", *columns, ""], rows)]


def _pair_lines(pair: SpanPair) -> list[str]:
    both = counted(pair.common_articles, "article")
    head = f"Spans: {pair.a} (A) vs {pair.b} (B), {both} both coded"
    return [
        *_scores_table(head + ", exact match (same start, end and label)", pair.exact),
        *_scores_table(head + ", overlap match (same label, one-to-one)", pair.overlap),
        *_confusion_table(head + ", labels of spans matched by overlap", pair.confusion),
    ]


def _relation_lines(pair: RelationPair) -> list[str]:
    both = counted(pair.common_articles, "article")
    head = f"Relations: {pair.a} (A) vs {pair.b} (B), {both} both coded"
    lines = []
    for rule in RELATION_RULES:
        title = f"{head}, {rule} match ({RULE_TEXT[rule]}; undirected types either way)"
        lines += _scores_table(title, pair.rules[rule], "type", ALL_TYPES)
    return lines


def format_report(report: AgreementReport) -> str:
    """The report as plain-text tables for the command line; undefined figures show why."""
    scope = f" (label {report.label})" if report.label is not None else ""
    lines = [f"Agreement among {', '.join(report.annotators) or 'nobody'}{scope}"]
    lines += _figure_table(
        "Document tags: Krippendorff's alpha (nominal, all annotators, missing allowed)",
        report.tag_alpha,
        "alpha",
        "units",
    )
    for pair in report.tag_pairs:
        title = f"Document tags: Cohen's kappa, {pair.a} vs {pair.b}"
        title += f" ({counted(pair.common_articles, 'article')} both coded)"
        lines += _figure_table(title, pair.kappa, "kappa", "items")
    for span_pair in report.span_pairs:
        lines += _pair_lines(span_pair)
    title = "Spans: Krippendorff's unitized alpha (all annotators, "
    title += f"{counted(report.unitized_articles, 'article')} all coded)"
    lines += _figure_table(title, report.unitized_alpha, "alpha", "units")
    for relation_pair in report.relation_pairs:
        lines += _relation_lines(relation_pair)
    return "\n".join(lines) + "\n"
