"""doccano JSONL: spans as "label" triples or as "entities", document tags as a "label" list."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.core.exporters.output import (
    ExportReport,
    UniqueNames,
    annotated_articles,
    article_relations,
    check_quote,
    count_extent_only,
    safe_file_name,
    whole_file,
    whole_folder,
)
from desktop_app.core.model import Article, ArticleFilter, DocumentTag, Span
from desktop_app.core.store import Store

SHAPES = ("entities", "label")


def export_doccano(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    shape: str = "entities",
    per_annotator: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the filtered articles for doccano; per_annotator writes OUT/<name>.jsonl each.

    "entities": {"text", "entities": [{"id", "start_offset", "end_offset", "label"}],
    "relations": [{"id", "from_id", "to_id", "type"}], "label": [document tags]}: entity
    ids number the record's spans from 0 and relations name them. "label": {"text",
    "label": [[start, end, label]]}, which has no room for document tags or relations.
    Offsets are code points, as doccano's.
    Our uid, title and source ride along as extra fields (doccano keeps them as metadata).
    """
    if shape not in SHAPES:
        raise ValueError(f"doccano shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    report = ExportReport()
    flt = flt or ArticleFilter()
    target = Path(out)
    if not per_annotator:
        with whole_file(target) as handle:
            _write(store, flt, None, shape, handle.write, report, progress)
        report.files.append(str(target))
        return report
    if not store.annotators():
        return report  # no files, and no empty folder: the caller says nothing was written
    unique = UniqueNames()
    # All the files or none: they are written into a new folder renamed onto OUT at the end.
    with whole_folder(target) as folder:
        for annotator in store.annotators():
            name = f"{unique(safe_file_name(annotator, 'annotator'))}.jsonl"
            with whole_file(folder / name) as handle:
                _write(store, flt, annotator, shape, handle.write, report, progress)
            report.files.append(str(target / name))
    return report


def _write(
    store: Store,
    flt: ArticleFilter,
    annotator: str | None,
    shape: str,
    write: Callable[[str], object],
    report: ExportReport,
    progress: Callable[[int], None] | None,
) -> None:
    whose: set[str] = set()
    for number, (article, spans, tags) in enumerate(annotated_articles(store, flt, annotator), 1):
        record = _record(number, article, spans, tags, shape, report)
        if shape == "entities":
            record["relations"] = _relations(store, article.id, spans, annotator, report)
        elif store.relations(article.id, annotator):
            lost = len(store.relations(article.id, annotator))
            report.not_carried["relations (the label shape has no room for them)"] += lost
        if annotator is not None:
            record["annotator"] = annotator  # the whole name (the file's may be cut or cleaned)
        whose.update(s.annotator for s in spans)
        whose.update(t.annotator for t in tags)
        write(json.dumps(record, ensure_ascii=False) + "\n")
        report.articles += 1
        if progress and report.articles % 500 == 0:
            progress(report.articles)
    if annotator is None and len(whose) > 1:
        report.not_carried["who made each annotation (all annotators in one file)"] += 1


def _relations(
    store: Store, article_id: int, spans: list[Span], annotator: str | None, report: ExportReport
) -> list[dict[str, Any]]:
    """doccano's relations: {id, from_id, to_id, type} against the record's entity ids."""
    directed = {kind.name: kind.directed for kind in store.relation_types()}
    found = []
    for k, (relation, a, b) in enumerate(
        article_relations(store, article_id, spans, annotator, report)
    ):
        found.append({"id": k, "from_id": a, "to_id": b, "type": relation.type})
        if relation.note:
            report.not_carried["relation notes"] += 1
        if not directed.get(relation.type, True):
            report.not_carried["undirected relations (doccano's are directed)"] += 1
    return found


def _record(
    number: int,
    article: Article,
    spans: list[Span],
    tags: list[DocumentTag],
    shape: str,
    report: ExportReport,
) -> dict[str, Any]:
    for span in spans:
        check_quote(article.uid, article.text, span.start, span.end, span.quote)
        if span.note:
            report.not_carried["span notes"] += 1
    tag_notes = sum(1 for tag in tags if tag.note)
    if tag_notes:
        report.not_carried["document tag notes"] += tag_notes
    record: dict[str, Any] = {"id": number, "text": article.text}
    if shape == "entities":
        record["entities"] = [
            {"id": k, "start_offset": s.start, "end_offset": s.end, "label": s.label}
            for k, s in enumerate(spans)
        ]
        record["relations"] = []  # filled by the caller, against these entity ids
        record["label"] = sorted({tag.label for tag in tags})
        report.tags += len(record["label"])
    else:
        record["label"] = [[s.start, s.end, s.label] for s in spans]
        if tags:
            report.not_carried["document tags (the label shape has no room for them)"] += len(tags)
    report.spans += len(spans)
    count_extent_only(report, spans)
    record.update(uid=article.uid, title=article.title, source=article.source)
    if article.published:
        record["published"] = article.published
    return record
