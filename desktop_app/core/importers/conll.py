"""Read CoNLL token files (BIO2 or IOB1, last column the tag) into articles with spans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from desktop_app.core.importers.encoding import sniff_encoding
from desktop_app.core.importers.lines import numbered_lines
from desktop_app.core.importers.records import unreadable
from desktop_app.core.model import ArticleDraft, ImportProblem, SpanDraft
from desktop_app.core.text import DecodeError

DOCSTART = "-DOCSTART-"


def read_conll(path: Path) -> Iterator[ArticleDraft | ImportProblem]:
    """One article per -DOCSTART- document (or the whole file when there is none).

    The text is rebuilt from the tokens: one space between tokens, one line per sentence
    (CoNLL keeps no original spacing). A tag is the last column; B-X starts a span, I-X
    continues one of the same type or starts one after O or another type (so IOB1, as in
    CoNLL-2003, reads as well as BIO2); BIOES/BILOU's E-/L- end a span and S-/U- are
    spans of one token.
    """
    try:
        sniffed = sniff_encoding(path)
        lines = list(numbered_lines(path, sniffed.encoding))
    except (OSError, DecodeError) as exc:
        yield unreadable(path, exc)
        return
    document: list[list[tuple[str, str]]] = [[]]
    first_line = 1
    uid: str | None = None
    for lineno, line in lines:
        if line is None:
            yield ImportProblem(f"{path}:{lineno}", f"not valid {sniffed.encoding}")
            continue
        # Tab-separated files may hold a whitespace token (" \tO"): columns by tab then.
        body = line.rstrip("\r\n")
        columns = body.split("\t") if "\t" in body else body.split()
        if "\t" in body and not columns[0].strip():
            continue  # a whitespace-only token: the rebuilt text has its spaces already
        columns = [c.strip() for c in columns]
        if not any(columns):
            if document[-1]:
                document.append([])
            continue
        words = body.split()
        if words[0] == DOCSTART:
            if any(document):
                yield _article(document, path, first_line, uid)
            document, first_line = [[]], lineno
            # Our export names the article after -DOCSTART-; CoNLL-2003 writes "-X-" there.
            uid = unquote(words[1]) if len(words) > 2 and words[1] != "-X-" else None
            continue
        if len(columns) < 2:
            yield ImportProblem(f"{path}:{lineno}", "a token line needs a token and a tag")
            continue
        document[-1].append((columns[0], columns[-1]))
    if any(document):
        yield _article(document, path, first_line, uid)


def _article(
    sentences: list[list[tuple[str, str]]], path: Path, line: int, uid: str | None
) -> ArticleDraft:
    text_lines: list[str] = []
    spans: list[SpanDraft] = []
    offset = 0
    for sentence in (s for s in sentences if s):
        open_span: tuple[int, int, str] | None = None
        position = offset
        for index, (token, tag) in enumerate(sentence):
            start = position + (1 if index else 0)
            end = start + len(token)
            position = end
            prefix, _, kind = tag.partition("-")
            # BIOES/BILOU too: E/L end a span, S/U are one-token spans.
            inside = prefix in ("I", "E", "L")
            continues = open_span is not None and inside and kind == open_span[2]
            if continues and open_span is not None:
                open_span = (open_span[0], end, kind)
                if prefix in ("E", "L"):
                    spans.append(SpanDraft(open_span[0], open_span[1], open_span[2]))
                    open_span = None
                continue
            if open_span is not None:
                spans.append(SpanDraft(open_span[0], open_span[1], open_span[2]))
                open_span = None
            if prefix in ("S", "U") and kind:
                spans.append(SpanDraft(start, end, kind))
            elif prefix in ("B", "I", "E", "L") and kind:
                open_span = (start, end, kind)
                if prefix in ("E", "L"):
                    spans.append(SpanDraft(start, end, kind))
                    open_span = None
        if open_span is not None:
            spans.append(SpanDraft(open_span[0], open_span[1], open_span[2]))
        text_lines.append(" ".join(token for token, _ in sentence))
        offset += len(text_lines[-1]) + 1
    return ArticleDraft(
        text="\n".join(text_lines),
        uid=uid,
        meta={"conll_source": f"{path.name}:{line}"},
        origin=f"{path}:{line}",
        spans=tuple(spans),
    )
