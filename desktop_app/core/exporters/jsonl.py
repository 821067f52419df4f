"""The native JSONL export: one article per line with its spans, tags and statuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_app.core.exporters.output import ExportError, ExportReport, whole_file
from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import Store

__all__ = ["ExportError", "export_jsonl"]


def export_jsonl(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    progress: Callable[[int], None] | None = None,
    with_suggestions: bool = False,
) -> ExportReport:
    """Write the filtered articles to `out` as JSONL; return how many articles, spans and
    tags were written (the format carries everything, so nothing is reported lost).

    Machine suggestions go in only `with_suggestions` (each article's "suggestions" list);
    a span's provenance (the suggestion it was accepted from) always does.

    The file is written beside its target and renamed at the end, so a failed export
    never leaves a half-written file where a good one was.
    """
    report = ExportReport(files=[str(out)])
    with whole_file(Path(out)) as handle:
        for lines in store.native_json(flt or ArticleFilter(), with_suggestions=with_suggestions):
            for line in lines:
                # The offset rule is checked on the way out too: an export never lies.
                if line.mismatches:
                    raise ExportError(
                        f"{line.uid}: {line.mismatches} span(s) whose quote is not the "
                        "text at their offsets; run the integrity check"
                    )
                handle.write(line.json)
                handle.write("\n")
                report.spans += line.spans
                report.tags += line.tags
                report.relations += line.relations
            report.articles += len(lines)
            if progress:
                progress(report.articles)
    return report
