"""brat standoff export: a folder of NAME.txt + NAME.ann pairs and an annotation.conf."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_app.core.exporters.output import (
    ExportReport,
    UniqueNames,
    annotated_articles,
    check_quote,
    safe_file_name,
    whole_file,
    whole_folder,
)
from desktop_app.core.fragments import fragment_quotes, pieces
from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import Store
from desktop_app.core.text import one_line


def export_brat(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    annotator: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write each article's text verbatim and its spans as `T` lines (notes as `#` lines).

    Files are named after the article's uid, each part made safe, always inside `out`.
    brat has no document-level annotations and no annotator field: document tags, and who
    made a span when several annotators are written together, are reported as not carried.
    """
    target = Path(out)
    # All the files or none: they are written into a new folder renamed onto OUT at the end.
    with whole_folder(target) as root:
        report = _write(store, root, target, flt, annotator, progress)
    return report


def _write(
    store: Store,
    root: Path,
    target: Path,
    flt: ArticleFilter | None,
    annotator: str | None,
    progress: Callable[[int], None] | None,
) -> ExportReport:
    """export_brat's work, into the folder `root` that becomes `target`."""
    report = ExportReport()
    labels: set[str] = set()
    whose: set[str] = set()
    unique = UniqueNames()
    for article, spans, tags in annotated_articles(store, flt or ArticleFilter(), annotator):
        # Two uids that clean up to one name ("a b", "a?b") get a_b and a_b_2.
        stem = root.joinpath(*unique("/".join(_safe_parts(article.uid))).split("/"))
        stem.parent.mkdir(parents=True, exist_ok=True)
        with whole_file(stem.with_name(stem.name + ".txt")) as handle:
            handle.write(article.text)
        lines = []
        for number, span in enumerate(spans, start=1):
            check_quote(article.uid, article.text, span.start, span.end, span.quote)
            # brat's text column cannot hold a line break or a tab: spaces there; the offsets
            # stay exact, and the importer compares quotes the same way.
            ranges = pieces(span.start, span.end, span.fragments)
            quote = one_line(" ".join(fragment_quotes(article.text, ranges)))
            bounds = ";".join(f"{a} {b}" for a, b in ranges)
            label = span.label.replace(" ", "_")  # brat type names have no spaces
            if label != span.label:
                report.not_carried["labels with spaces (written with _)"] += 1
            lines.append(f"T{number}\t{label} {bounds}\t{quote}\n")
            if span.note:
                note = one_line(span.note)
                if note != span.note:
                    report.not_carried["line breaks and tabs in notes (written as spaces)"] += 1
                lines.append(f"#{number}\tAnnotatorNotes T{number}\t{note}\n")
            labels.add(label)
            whose.add(span.annotator)
        with whole_file(stem.with_name(stem.name + ".ann")) as handle:
            handle.writelines(lines)
        report.files.append(str(target / stem.relative_to(root)))
        report.articles += 1
        report.spans += len(spans)
        if tags:
            report.not_carried["document tags (brat has none)"] += len(tags)
        if article.meta.get("brat"):
            report.not_carried["relations, events and attributes kept from a brat import"] += 1
        report.not_carried["statuses, titles and metadata (brat keeps text only)"] += 1
        if progress and report.articles % 500 == 0:
            progress(report.articles)
    if len(whose) > 1:
        report.not_carried["who made each span (several annotators in one folder)"] += 1
    with whole_file(root / "annotation.conf") as handle:
        entities = "\n".join(sorted(labels))
        handle.write(f"[entities]\n{entities}\n\n[relations]\n\n[events]\n\n[attributes]\n")
    return report


def _safe_parts(uid: str) -> list[str]:
    """The uid as path parts that stay inside the export folder (no '..', no root, no ':'),
    each a safe, bounded file name."""
    parts = [
        safe_file_name(part, "_")
        for part in uid.replace("\\", "/").split("/")
        if part not in ("", ".", "..")
    ]
    return parts or ["article"]
