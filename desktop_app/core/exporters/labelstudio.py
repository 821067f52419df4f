"""Label Studio's full JSON export: one task per article, one annotation per annotator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from desktop_app.core.exporters.output import (
    ExportReport,
    annotated_articles,
    article_relations,
    check_quote,
    count_extent_only,
    whole_file,
    xml_text,
)
from desktop_app.core.model import Article, ArticleFilter, DocumentTag, Span
from desktop_app.core.store import Store

SPAN_FROM, TAG_FROM, NOTE_FROM = "label", "tags", "note"


def export_labelstudio(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the filtered articles as Label Studio tasks, and OUT's labeling config beside it.

    Spans are "labels" regions (code point offsets with their text, which Label Studio
    checks), a span's note a "textarea" on the same region, document tags one "choices"
    result, and each annotator's work one annotation whose `completed_by` is their name.
    A relation is a "relation" result between two regions of its annotator's annotation
    (direction right, or bi when undirected). Statuses and relation notes are not carried.
    `<OUT stem>.config.xml` is the project's labeling interface.
    """
    report = ExportReport()
    target = Path(out)
    with whole_file(target) as handle:
        handle.write("[")
        for number, (article, spans, tags) in enumerate(
            annotated_articles(store, flt or ArticleFilter(), None), 1
        ):
            task = _task(number, article, spans, tags, report)
            _add_relations(task, store, article.id, spans, report)
            handle.write(("\n" if number == 1 else ",\n") + json.dumps(task, ensure_ascii=False))
            report.articles += 1
            if progress and report.articles % 500 == 0:
                progress(report.articles)
        handle.write("\n]\n")
        # Written inside the tasks' own context: if the config fails, no tasks file appears.
        config = target.with_name(f"{target.stem}.config.xml")
        with whole_file(config) as config_handle:
            config_handle.write(labeling_config(store, report))
    report.files += [str(target), str(config)]
    if report.articles:
        report.not_carried["statuses, and each article's url, date and metadata"] += report.articles
    return report


def labeling_config(store: Store, report: ExportReport) -> str:
    """The Label Studio labeling interface for this project's labels (Labels, Choices)."""
    spans = "".join(
        f"\n    <Label value={quoteattr(xml_text(label.name, report))} "
        f"background={quoteattr(label.color)}/>"
        for label in store.labels("span")
    )
    tags = "".join(
        f"\n    <Choice value={quoteattr(xml_text(label.name, report))}/>"
        for label in store.labels("document")
    )
    kinds = "".join(
        f"\n    <Relation value={quoteattr(xml_text(kind.name, report))}/>"
        for kind in store.relation_types()
    )
    return (
        "<View>\n"
        f'  <Labels name="{SPAN_FROM}" toName="text">{spans}\n  </Labels>\n'
        '  <Text name="text" value="$text"/>\n'
        f'  <Choices name="{TAG_FROM}" toName="text" choice="multiple">{tags}\n  </Choices>\n'
        f'  <TextArea name="{NOTE_FROM}" toName="text" perRegion="true"/>\n'
        f"  <Relations>{kinds}\n  </Relations>\n"
        "</View>\n"
    )


def _task(
    number: int, article: Article, spans: list[Span], tags: list[DocumentTag], report: ExportReport
) -> dict[str, Any]:
    by_annotator: dict[str, list[dict[str, Any]]] = {}
    stamps: dict[str, list[str]] = {}
    for span in spans:
        check_quote(article.uid, article.text, span.start, span.end, span.quote)
        results = by_annotator.setdefault(span.annotator, [])
        region = {"start": span.start, "end": span.end, "text": span.quote, "labels": [span.label]}
        results.append(_result(span.uuid, SPAN_FROM, "labels", region))
        if span.note:
            results.append(_result(span.uuid, NOTE_FROM, "textarea", {"text": [span.note]}))
        stamps.setdefault(span.annotator, []).extend((span.created_at, span.updated_at))
    tag_labels: dict[str, list[str]] = {}
    for tag in tags:
        tag_labels.setdefault(tag.annotator, []).append(tag.label)
        stamps.setdefault(tag.annotator, []).extend((tag.created_at, tag.updated_at))
        if tag.note:
            report.not_carried["document tag notes"] += 1
    for annotator, labels in tag_labels.items():
        choices = {"choices": sorted(labels)}
        by_annotator.setdefault(annotator, []).append(
            _result(f"tags-{number}", TAG_FROM, "choices", choices)
        )
    report.spans += len(spans)
    count_extent_only(report, spans)
    report.tags += len(tags)
    return {
        "id": number,
        "data": {
            "text": article.text,
            "uid": article.uid,
            "title": article.title,
            "source": article.source,
        },
        "annotations": [
            {
                "id": number * 1000 + k,
                "completed_by": {"email": annotator},
                "result": results,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": min(stamps[annotator]),
                "updated_at": max(stamps[annotator]),
            }
            for k, (annotator, results) in enumerate(sorted(by_annotator.items()))
        ],
        "predictions": [],
    }


def _add_relations(
    task: dict[str, Any], store: Store, article_id: int, spans: list[Span], report: ExportReport
) -> None:
    """Each relation as a `relation` result in its annotator's annotation, between regions
    (span uuids) of that annotation: right for directed, bi for undirected."""
    directed = {kind.name: kind.directed for kind in store.relation_types()}
    annotations = {a["completed_by"]["email"]: a for a in task["annotations"]}
    for relation, a, b in article_relations(store, article_id, spans, None, report):
        annotation = annotations.get(relation.annotator)
        if annotation is None or {spans[a].annotator, spans[b].annotator} != {relation.annotator}:
            # Label Studio keeps each annotator's regions apart: a link to a colleague's
            # span has no region to point at in this annotation.
            report.not_carried["relations to another annotator's span"] += 1
            report.relations -= 1
            continue
        annotation["result"].append(
            {
                "from_id": spans[a].uuid,
                "to_id": spans[b].uuid,
                "type": "relation",
                "direction": "right" if directed.get(relation.type, True) else "bi",
                "labels": [relation.type],
            }
        )
        if relation.note:
            report.not_carried["relation notes"] += 1


def _result(region: str, from_name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": region,
        "from_name": from_name,
        "to_name": "text",
        "type": kind,
        "origin": "manual",
        "value": value,
    }
