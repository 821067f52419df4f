"""The native JSONL export: one article per line with its spans, tags and statuses."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import Store


class ExportError(RuntimeError):
    """An export that could not be written, with the file and the reason."""


def article_records(store: Store, flt: ArticleFilter | None = None) -> Iterator[dict[str, Any]]:
    """The filtered articles as native records, streamed in list order, a batch at a time."""
    for ids in store.iter_article_ids(flt or ArticleFilter(), batch=500):
        for item in store.annotated_articles(ids):
            article = item.article
            spans = []
            for span in item.spans:
                # The offset rule is checked on the way out too: an export never lies.
                if article.text[span.start : span.end] != span.quote:
                    raise ExportError(f"span {span.uuid} in {article.uid}: quote mismatch")
                spans.append(
                    {
                        "uuid": span.uuid,
                        "start": span.start,
                        "end": span.end,
                        "label": span.label,
                        "quote": span.quote,
                        "note": span.note,
                        "annotator": span.annotator,
                        "created_at": span.created_at,
                    }
                )
            tags = [
                {
                    "uuid": tag.uuid,
                    "label": tag.label,
                    "annotator": tag.annotator,
                    "note": tag.note,
                    "created_at": tag.created_at,
                }
                for tag in item.tags
            ]
            yield {
                "uid": article.uid,
                "title": article.title,
                "source": article.source,
                "url": article.url,
                "published": article.published,
                "text": article.text,
                "meta": article.meta,
                "spans": spans,
                "tags": tags,
                "status": item.statuses,
            }


def export_jsonl(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the filtered articles to `out` as JSONL; return how many were written.

    The file is written beside its target and renamed at the end, so a failed export
    never leaves a half-written file where a good one was.
    """
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    count = 0
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as handle:
            for record in article_records(store, flt):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
                if progress and count % 500 == 0:
                    progress(count)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ExportError(f"{target}: cannot write ({error.strerror or error})") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count
