"""CoNLL export: a token and its tag per line; what one tag per token cannot hold is named."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from desktop_app.core.conll_tokens import Token, conll_layout
from desktop_app.core.exporters.output import (
    ExportReport,
    annotated_articles,
    check_quote,
    count_extent_only,
    count_relations_lost,
    whole_file,
)
from desktop_app.core.model import ArticleFilter, Span
from desktop_app.core.store import Store

# ASCII punctuation a uid often has stays readable; whitespace, % and non-ASCII are %-escaped.
_UID_SAFE = "/:@!$&'()*+,;=-._~"
OVERLAP = "overlapping or nested spans (one tag per token)"
OFF_TOKEN = "spans not on token boundaries (widened to whole tokens)"
NO_TOKEN = "spans covering no token (punctuation or spaces only)"
ACROSS_LINES = "spans across a line break (written as one span per sentence)"
IO_ADJACENT = "adjacent spans of one label (IO tags join them)"
DOCSTART_ADDED = "-DOCSTART- lines added to keep apart articles read from files without one"


def export_conll(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    annotator: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write `-DOCSTART- <uid>` (not before a first article read from a CoNLL file without
    one: its tokens come back exactly), then each line of text as a sentence of `token<TAB>tag`.

    An article read from CoNLL is written with its own tokens, sentences and tag scheme
    (IOB1, BIOES, BILOU, IO), so a CoNLL file comes back token for token and tag for tag;
    others are tokenized by core.conll_tokens (words with inner hyphens and apostrophes,
    single marks) and tagged in BIO2. One tag per token: of spans that overlap, the first in
    text order (the outer one when nested) is written and the others are reported per
    article, never dropped silently; so are spans whose edges fall inside a token (the whole
    tokens are tagged), and spans across a line break (one span per sentence).
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
            count_relations_lost(store, article.id, annotator, report, "CoNLL")
            if article.meta.get("conll", {}).get("docstart") is not False:
                # %-escaped: a uid with spaces or tabs stays one column (the reader unescapes).
                handle.write(f"-DOCSTART- {quote(article.uid, safe=_UID_SAFE)}\tO\n\n")
            elif report.articles:
                # Read from a file without -DOCSTART-: only the first article can do without
                # (its lines come before any); later ones need it to stay apart.
                handle.write(f"-DOCSTART- {quote(article.uid, safe=_UID_SAFE)}\tO\n\n")
                report.not_carried[DOCSTART_ADDED] += 1
            layout, scheme = conll_layout(article.text, article.meta)
            lost = _write_sentences(handle.write, layout, scheme, spans, report)
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
    write: Callable[[str], object],
    layout: list[list[Token]],
    scheme: str,
    spans: list[Span],
    report: ExportReport,
) -> int:
    """Write the tagged sentences; return how many spans overlapped an earlier one."""
    tokens = [token for sentence in layout for token in sentence]
    line_of = [number for number, sentence in enumerate(layout) for _ in sentence]
    ends = [token.end for token in tokens]
    owner: dict[int, tuple[int, str]] = {}  # token index -> (span number, label)
    lost = 0
    for number, span in enumerate(spans):  # text order, outer before inner
        covered = _covered(tokens, ends, span.start, span.end)
        if not covered:
            report.not_carried[NO_TOKEN] += 1
            continue
        if any(index in owner for index in covered):
            lost += 1
            continue
        if tokens[covered[0]].start != span.start or tokens[covered[-1]].end != span.end:
            report.not_carried[OFF_TOKEN] += 1
        if line_of[covered[0]] != line_of[covered[-1]]:
            report.not_carried[ACROSS_LINES] += 1
        for index in covered:
            owner[index] = (number, span.label)
    index = 0
    for sentence in layout:
        tags = [owner.get(i) for i in range(index, index + len(sentence))]
        # A token never holds a tab or a line break: the columns stay intact.
        for token, tag in zip(sentence, _tags(tags, scheme, report), strict=True):
            write(f"{token.text}\t{tag}\n")
        write("\n")
        index += len(sentence)
    return lost


def _covered(tokens: list[Token], ends: list[int], start: int, end: int) -> list[int]:
    """Indexes of the tokens a span covers: those overlapping it, and empty tokens (a CoNLL
    file's, kept in the layout) at or inside its edges."""
    found = []
    for index in range(bisect_left(ends, start), len(tokens)):
        token = tokens[index]
        empty = token.start == token.end
        if token.start > end or (token.start == end and not empty):
            break
        if (token.start < end and token.end > start) or (empty and token.start >= start):
            found.append(index)
    return found


def _tags(owners: list[tuple[int, str] | None], scheme: str, report: ExportReport) -> list[str]:
    """One sentence's tags in `scheme`, from each token's (span number, label) or None."""
    tags = []
    for index, owner in enumerate(owners):
        if owner is None:
            tags.append("O")
            continue
        before = owners[index - 1] if index else None
        after = owners[index + 1] if index + 1 < len(owners) else None
        first, last = before != owner, after != owner
        label = owner[1]
        # The token before belongs to another span of the same label.
        touching = first and before is not None and before[1] == label
        if scheme == "IO":
            if touching:
                report.not_carried[IO_ADJACENT] += 1
            tags.append(label)
        elif scheme == "IOB1":
            tags.append(("B-" if touching else "I-") + label)
        elif scheme in ("BIOES", "BILOU"):
            single, final = ("S", "E") if scheme == "BIOES" else ("U", "L")
            prefix = single if first and last else "B" if first else final if last else "I"
            tags.append(f"{prefix}-{label}")
        else:
            tags.append(("B-" if first else "I-") + label)
    return tags
