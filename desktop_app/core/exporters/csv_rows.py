"""CSV for spreadsheets: a row per span, document tag and relation, quoted, UTF-8 (BOM optional)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

from desktop_app.core.exporters.output import (
    ExportReport,
    annotated_articles,
    article_relations,
    check_quote,
    count_extent_only,
    whole_file,
)
from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import Store

COLUMNS = (
    "kind", "article_uid", "title", "label", "start", "end", "quote", "note", "annotator",
    "created_at", "updated_at",
    # A relation row's ends (its label column is its type); empty on span and tag rows.
    "from_label", "from_start", "from_end", "from_quote", "to_label", "to_start", "to_end",
    "to_quote",
)  # fmt: skip
RELATION = "relation"


def export_csv(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    bom: bool = False,
    progress: Callable[[int], None] | None = None,
    formula_guard: bool = True,
) -> ExportReport:
    """Write every live span and document tag of the filtered articles, one per row.

    `kind` is "span", "document" or "relation"; a tag's start, end and quote are empty, and
    so are a relation's, whose label is its type and whose ends (label, start, end, quote
    of each span) fill the from_ and to_ columns, empty on the other rows. Every field is
    quoted when it needs to be (commas, quotes, line breaks), and rows end in CRLF as RFC
    4180 says; with `bom`, Excel opens the UTF-8 correctly. Article texts are not written:
    the file describes annotations (the quote is the text each span covers).

    With `formula_guard` (the default), a text cell starting with = + - @, a tab or a CR
    gets a leading ' (OWASP's rule against CSV injection): a spreadsheet shows it as text
    instead of running it as a formula. The CSV importer takes that ' off again.
    """
    report = ExportReport()
    target = Path(out)
    directed = {kind.name: kind.directed for kind in store.relation_types()}
    with whole_file(target, "utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        guarded = _guarded(writer.writerow) if formula_guard else writer.writerow

        def writerow(row: Iterable[object]) -> object:
            cells = list(row)  # every row as wide as the header (RFC 4180)
            return guarded([*cells, *[""] * (len(COLUMNS) - len(cells))])

        writer.writerow(COLUMNS)
        for article, spans, tags in annotated_articles(store, flt or ArticleFilter(), None):
            for s in spans:
                check_quote(article.uid, article.text, s.start, s.end, s.quote)
                writerow(
                    ("span", article.uid, article.title, s.label, s.start, s.end, s.quote,
                     s.note, s.annotator, s.created_at, s.updated_at)
                )  # fmt: skip
            for t in tags:
                writerow(
                    ("document", article.uid, article.title, t.label, "", "", "", t.note,
                     t.annotator, t.created_at, t.updated_at)
                )  # fmt: skip
            for r, a, b in article_relations(store, article.id, spans, None, report):
                ends = [(x.label, x.start, x.end, x.quote) for x in (spans[a], spans[b])]
                writerow(
                    (RELATION, article.uid, article.title, r.type, "", "", "", r.note,
                     r.annotator, r.created_at, r.updated_at, *ends[0], *ends[1])
                )  # fmt: skip
                if not directed.get(r.type, True):
                    report.not_carried["undirected relations (a row has a from and a to)"] += 1
            report.articles += 1
            report.spans += len(spans)
            count_extent_only(report, spans)
            report.tags += len(tags)
            if progress and report.articles % 500 == 0:
                progress(report.articles)
    report.files.append(str(target))
    if report.articles:
        report.not_carried["article texts (quotes only) and statuses"] += report.articles
    return report


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guard_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, with a leading ' (OWASP's rule).

    A cell that starts with ' itself gets one more, so reading back (unguard_cell) is exact.
    """
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, GUARD)):
        return GUARD + value
    return value


def unguard_cell(value: str) -> str:
    """A cell as it was before guard_cell (one leading ' before = + - @ tab CR or ' goes)."""
    if value.startswith(GUARD) and value[1:2] and value[1:].startswith((*FORMULA_STARTS, GUARD)):
        return value[1:]
    return value


def _guarded(
    writerow: Callable[[Iterable[object]], object],
) -> Callable[[Iterable[object]], object]:
    """`writerow` with every formula-like text cell guarded."""

    def write(row: Iterable[object]) -> object:
        return writerow([guard_cell(cell) for cell in row])

    return write
