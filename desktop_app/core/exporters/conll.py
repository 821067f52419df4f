"""CoNLL BIO2 export: a token and its tag per line; what one tag per token cannot hold is named."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from desktop_app.core.conll_tokens import sentences
from desktop_app.core.exporters.output import (
    ExportReport,
    annotated_articles,
    check_quote,
    count_extent_only,
    whole_file,
)
from desktop_app.core.model import ArticleFilter, Span
from desktop_app.core.store import Store

# ASCII punctuation a uid often has stays readable; whitespace, % and non-ASCII are %-escaped.
_UID_SAFE = "/:@!$&'()*+,;=-._~"
OVERLAP = "overlapping or nested spans (one tag per token)"
OFF_TOKEN = "spans not on token boundaries (widened to whole tokens)"
NO_TOKEN = "spans covering no token (punctuation or spaces only)"


def export_conll(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    annotator: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write `-DOCSTART- <uid>`, then each line of text as a sentence of `token<TAB>tag`.

    Tokens come from core.conll_tokens (words with inner hyphens and apostrophes, single
    marks). One tag per token: of spans that overlap, the first in text order (the outer
    one when nested) is written and the others are reported per article, never dropped
    silently; so are spans whose edges fall inside a token (the whole tokens are tagged).
    `annotator` picks whose spans to write (default: everyone's, which may overlap).
    """
    report = ExportReport()
    target = Path(out)
    per_article: dict[str, int] = {}
    with whole_file(target) as handle:
        for article, spans, tags in annotated_articles(store, flt or ArticleFilter(), annotator):
            for span in spans:
                check_quote(article.uid, article.text, span.start, span.end, span.quote)
                if span.note:
                    report.not_carried["span notes"] += 1
            if tags:
                report.not_carried["document tags"] += len(tags)
            # %-escaped, so a uid with spaces or tabs stays one column (the reader unescapes).
            handle.write(f"-DOCSTART- {quote(article.uid, safe=_UID_SAFE)}\tO\n\n")
            lost = _write_sentences(handle.write, article.text, spans, report)
            if lost:
                per_article[article.uid] = lost
            report.articles += 1
            report.spans += len(spans)
            count_extent_only(report, spans)
            if progress and report.articles % 500 == 0:
                progress(report.articles)
    report.files.append(str(target))
    if report.articles:
        report.not_carried["the text's own spacing, titles, statuses (rebuilt from tokens)"] += (
            report.articles
        )
    for uid, lost in sorted(per_article.items()):
        report.not_carried[f"{OVERLAP} in {uid}"] += lost
    return report


def _write_sentences(
    write: Callable[[str], object], text: str, spans: list[Span], report: ExportReport
) -> int:
    """Write the tagged sentences; return how many spans overlapped an earlier one."""
    tags: dict[int, str] = {}  # token start -> tag
    split = sentences(text)
    tokens = [token for sentence in split for token in sentence]
    ends = [token.end for token in tokens]
    lost = 0
    for span in spans:  # text order, outer before inner
        first = bisect_right(ends, span.start)  # the first token ending after the span starts
        covered = []
        for token in tokens[first:]:
            if token.start >= span.end:
                break
            covered.append(token)
        if not covered:
            report.not_carried[NO_TOKEN] += 1
            continue
        if any(t.start in tags for t in covered):
            lost += 1
            continue
        if covered[0].start != span.start or covered[-1].end != span.end:
            report.not_carried[OFF_TOKEN] += 1
        for index, token in enumerate(covered):
            tags[token.start] = ("B-" if index == 0 else "I-") + span.label
    for sentence in split:
        # A token never holds whitespace (the tokenizer splits on it): columns stay intact.
        for token in sentence:
            write(f"{token.text}\t{tags.get(token.start, 'O')}\n")
        write("\n")
    return lost
