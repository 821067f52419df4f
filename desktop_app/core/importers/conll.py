"""Read CoNLL token files (last column the tag: BIO2, IOB1, BIOES, BILOU or IO) into articles."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from desktop_app.core.conll_tokens import joined_text, split_tag
from desktop_app.core.importers.encoding import sniff_encoding
from desktop_app.core.importers.lines import numbered_lines
from desktop_app.core.importers.records import unreadable
from desktop_app.core.model import ArticleDraft, ImportProblem, SpanDraft
from desktop_app.core.text import DecodeError, decode_bytes, normalize_text, text_sha256

DOCSTART = "-DOCSTART-"
NEEDS_TAG = "a token line needs a token and a tag"
# When a document shows signs of several schemes, the first of these it shows is its own:
# E-/S- only occur in BIOES, and B- after O only in BIO2 (an I- continuing nothing there is
# an error, read as a span start all the same).
_PRECEDENCE = ("BIOES", "BILOU", "BIO2", "IOB1", "IO")
_SIGNS = {"E": "BIOES", "S": "BIOES", "L": "BILOU", "U": "BILOU", "": "IO"}


@dataclass
class _Row:
    """A token line: the token as written, its tag, and where it was."""

    token: str
    tag: str
    line: int


@dataclass
class _Document:
    """One -DOCSTART- document (or a whole file without one) as read."""

    line: int
    uid: str | None
    sentences: list[list[_Row]] = field(default_factory=lambda: [[]])
    columns: int = 2
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    docstart: bool = True  # False: the lines before any -DOCSTART- line


def read_conll(path: Path) -> Iterator[ArticleDraft | ImportProblem]:
    """One article per -DOCSTART- document (or the whole file when there is none).

    The text is rebuilt from the tokens: one space between tokens, one line per sentence
    (CoNLL keeps no original spacing); meta["conll"] keeps the tag scheme, the column count
    and the token lengths of any sentence with a token that holds a space or is empty, so
    the export writes the same tokens and tags back. A tag is the last column; B-X starts a
    span, I-X continues one of the same type or starts one (IOB1, as in CoNLL-2003, reads as
    well as BIO2); E-/L- end a span and S-/U- are spans of one token (BIOES, BILOU); a tag
    with no such prefix is a type (IO): consecutive tokens of one type are one span. Each
    line or tag that makes no span is a problem naming its line and why.
    """
    try:
        sniffed = sniff_encoding(path)
        lines = list(numbered_lines(path, sniffed.encoding))
    except (OSError, DecodeError) as exc:
        yield unreadable(path, exc)
        return
    documents = _documents(lines, sniffed.encoding)
    built = [_article(document, path) for document in documents]
    found = {scheme for _, scheme in built if scheme}
    # A document without entities says nothing of its scheme: the file's, if it has one.
    shared = found.pop() if len(found) == 1 else None
    seen: Counter[str] = Counter()
    for document, (draft, scheme) in zip(documents, built, strict=True):
        for line, reason in sorted(document.problems):
            yield ImportProblem(f"{path}:{line}", reason)
        if draft is None:
            continue
        if scheme or shared:
            draft.meta["conll"]["scheme"] = scheme or shared
        if draft.uid is None:
            # Without a name the store calls a document by its text's hash; a text the file
            # holds again (a story sent twice) is the n-th of that name, not the same article.
            digest = text_sha256(draft.text)
            seen[digest] += 1
            if seen[digest] > 1:
                draft = replace(draft, uid=f"sha256:{digest[:24]}#{seen[digest]}")
        yield draft


def _documents(lines: list[tuple[int, str | None]], encoding: str) -> list[_Document]:
    """The file's lines as documents of sentences of rows; bad lines become problems."""
    tab_file = _tab_separated(lines)
    documents = [_Document(1, None, docstart=False)]
    for lineno, line in lines:
        here = documents[-1]
        if line is None:
            here.problems.append((lineno, f"not valid {encoding}"))
            continue
        body = line.rstrip("\r\n")
        words = body.split()
        if not words:  # also a line of tabs and spaces only
            if here.sentences[-1]:
                here.sentences.append([])
            continue
        if words[0] == DOCSTART:
            # Our export names the article after -DOCSTART-; CoNLL-2003 writes "-X-" there.
            uid = unquote(words[1]) if len(words) > 2 and words[1] != "-X-" else None
            documents.append(_Document(lineno, uid))
            continue
        # Tab-separated files may hold tokens with spaces, or of spaces: kept as written.
        if "\t" in body:
            columns = body.split("\t")
            token, tag = columns[0], columns[-1].strip()
        elif tab_file and len(words) > 1:
            reason = "no tab between token and tag (the file's other token lines have one)"
            here.problems.append((lineno, reason))
            continue
        else:
            columns = words
            token, tag = words[0], words[-1] if len(words) > 1 else ""
        if len(columns) < 2 or not tag:
            reason = NEEDS_TAG if len(columns) < 2 else "no tag after the token"
            here.problems.append((lineno, reason))
            continue
        here.columns = max(here.columns, len(columns))
        here.sentences[-1].append(_Row(token, tag, lineno))
    return documents


def _tab_separated(lines: list[tuple[int, str | None]]) -> bool:
    """True when most token lines have a tab: a line without one is then a mistake."""
    tabbed = spaced = 0
    for _, line in lines:
        words = line.split() if line is not None else []
        if line is not None and words and words[0] != DOCSTART:
            if "\t" in line.rstrip("\r\n"):
                tabbed += 1
            else:
                spaced += 1
    return tabbed > spaced


def _article(document: _Document, path: Path) -> tuple[ArticleDraft | None, str | None]:
    """The document's article and the tag scheme its tags show (None: no sign of one)."""
    sentences = [sentence for sentence in document.sentences if sentence]
    if not sentences:
        return None, None
    if not any(row.token for sentence in sentences for row in sentence):
        document.problems.append((document.line, "a document of empty tokens only"))
        return None, None
    text, uneven = joined_text([[row.token for row in sentence] for sentence in sentences])
    spans: list[SpanDraft] = []
    signs: set[str] = set()
    offset = 0
    for sentence in sentences:
        builder = _Spans(offset, spans, document.problems)
        for row in sentence:
            builder.add(row, signs)
        builder.close()
        offset = builder.position + 1
    meta: dict[str, Any] = {}
    if document.columns > 2:
        meta["columns"] = document.columns  # the middle ones (POS, chunk) are not kept
    if uneven:
        meta["tokens"] = uneven
    if not document.docstart:
        meta["docstart"] = False  # the export writes none back where it can (see conll.py)
    scheme = next((s for s in _PRECEDENCE if s in signs), None)
    draft = ArticleDraft(
        text=text,
        uid=document.uid,
        meta={"conll_source": f"{path.name}:{document.line}", "conll": meta},
        origin=f"{path}:{document.line}",
        spans=tuple(spans),
    )
    return draft, scheme


class _Spans:
    """The spans of one sentence, built token by token; tags that make none are problems."""

    def __init__(
        self, offset: int, spans: list[SpanDraft], problems: list[tuple[int, str]]
    ) -> None:
        self.spans, self.problems = spans, problems
        self.position = offset - 1  # where the last token ended (before the first: -1)
        self.open: tuple[int, int, str, _Row] | None = None  # start, end, type, first row

    def add(self, row: _Row, signs: set[str]) -> None:
        """Take the next token and its tag; `signs` gathers the schemes the tags point to."""
        start = self.position + 1
        end = self.position = start + len(row.token)
        prefix, kind = split_tag(row.tag)
        if prefix == "O":
            self.close()
            return
        if not any(c.isalnum() for c in kind):
            self.close()
            why = f"tag {row.tag!r} names no entity type (read as O)"
            self.problems.append((row.line, why))
            return
        if prefix in _SIGNS:
            signs.add(_SIGNS[prefix])
        same = self.open is not None and self.open[2] == kind
        if same and prefix in ("I", "E", "L", "") and self.open is not None:
            self.open = (self.open[0], end, kind, self.open[3])
        else:
            if prefix == "I":
                signs.add("IOB1")  # an I- that starts a span
            elif prefix == "B" and not same:
                signs.add("BIO2")  # a B- after O or another type
            self.close()
            self.open = (start, end, kind, row)
        if prefix in ("E", "L", "S", "U"):
            self.close()

    def close(self) -> None:
        """End the open span, if any; one of empty tokens only is a problem."""
        if self.open is None:
            return
        start, end, kind, row = self.open
        self.open = None
        if end > start:
            self.spans.append(SpanDraft(start, end, kind))
        else:
            why = f"an empty token cannot hold a span (tag {row.tag!r})"
            self.problems.append((row.line, why))


# ---------------------------------------------------------------- sniffing

SNIFF_BYTES = 8192
_PREFIXED_TAG = re.compile(r"[BIESLU]-\S+")
_IO_TAG = re.compile(r"[^\W\d_][\w.:-]*")


def looks_like_conll(path: Path) -> bool:
    """True when the file's head reads as CoNLL, whatever its extension.

    Nearly all (90%) of its non-blank lines, -DOCSTART- aside, and at least 3, are columns
    whose last is a tag (O, B-X, I-X, E-X, S-X, L-X, U-X), and at least one tag is prefixed
    or a -DOCSTART- line vouches for the file. IO tags (a bare type) look like prose ending
    in a capitalised word, so they count as tags only in a file with a -DOCSTART- line.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES + 1)
        whole = len(head) <= SNIFF_BYTES
        text = normalize_text(decode_bytes(head[:SNIFF_BYTES], final=whole).text)
    except (OSError, DecodeError):
        return False
    lines = text.split("\n")
    if not whole:
        lines.pop()  # the last line may be cut short
    docstart = False
    prefixed = outside = bare = other = 0
    for line in lines:
        words = line.split()
        if not words:
            continue
        if words[0] == DOCSTART:
            docstart = True
            continue
        columns = line.split("\t") if "\t" in line else words
        tag = columns[-1].strip() if len(columns) > 1 else ""
        if tag == "O":
            outside += 1
        elif _PREFIXED_TAG.fullmatch(tag):
            prefixed += 1
        elif _IO_TAG.fullmatch(tag) and len(columns) <= 12:
            bare += 1
        else:
            other += 1
    tagged = prefixed + outside + (bare if docstart else 0)
    total = prefixed + outside + bare + other
    return total >= 3 and tagged >= 0.9 * total and (prefixed > 0 or docstart)
