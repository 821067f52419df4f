"""Read brat standoff: NAME.txt kept verbatim, NAME.ann (T entities, # notes; the rest kept)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from desktop_app.core.fragments import FragmentError, check_fragments, fragment_quotes, pieces
from desktop_app.core.importers.records import unreadable
from desktop_app.core.importers.txt import MAX_TXT_BYTES
from desktop_app.core.model import ArticleDraft, ImportProblem, SpanDraft
from desktop_app.core.text import DecodeError, decode_bytes, one_line


def read_brat(ann: Path, root: Path | None = None) -> ArticleDraft | ImportProblem:
    """The article NAME.txt beside `ann`, with its text-bound annotations as spans.

    brat counts offsets in characters of the .txt as stored, so the text is kept exactly
    (no headline or date taken out of it). `T` lines become spans, each checked against
    the text it quotes; an `AnnotatorNotes` comment becomes its span's note. Relations,
    events, attributes and normalisations have no place among spans: their lines are kept,
    as written, in the article's meta (`brat`). A discontinuous span (`0 5;9 12`) keeps
    its pieces (see core.fragments).
    """
    text_path = ann.with_suffix(".txt")
    try:
        if text_path.stat().st_size > MAX_TXT_BYTES:
            return ImportProblem(str(text_path), "larger than the text file limit")
        text = decode_bytes(text_path.read_bytes()).text
        raw_ann = ann.read_bytes()
        # An empty .ann is a text nobody annotated yet (brat writes one for every text).
        # Lines end at "\n" only: a quote may hold other characters str.splitlines() breaks at.
        ann_text = decode_bytes(raw_ann).text if raw_ann.strip() else ""
        lines = [line.rstrip("\r") for line in ann_text.split("\n")]
    except FileNotFoundError:
        return ImportProblem(str(ann), f"no {text_path.name} beside it (brat needs both)")
    except (OSError, DecodeError) as exc:
        return unreadable(ann, exc)
    if "\r" in text or text.startswith("\ufeff"):
        return ImportProblem(
            str(text_path), "CR line endings or a BOM: brat's offsets count them, ours would not"
        )
    spans: dict[str, SpanDraft] = {}
    notes: dict[str, str] = {}
    kept: list[str] = []
    problems: list[str] = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        ident = fields[0]
        if ident[:1] == "T" and len(fields) < 2:
            problems.append(f"line {lineno}: a T line needs tab-separated fields")
        elif ident.startswith("T") and len(fields) >= 2:
            found = _entity(fields, text)
            if isinstance(found, str):
                problems.append(f"line {lineno} ({ident}): {found}")
            else:
                spans[ident] = found
        elif ident.startswith("#") and len(fields) >= 3 and fields[1].startswith("AnnotatorNotes"):
            target = fields[1].split()[-1]
            notes[target] = "\t".join(fields[2:])
            if target not in spans and not target.startswith("T"):
                kept.append(line)
        else:
            kept.append(line)
    if problems:
        return ImportProblem(str(ann), "; ".join(problems[:5]))
    relative = text_path.relative_to(root) if root and text_path.is_relative_to(root) else None
    uid = (relative or Path(text_path.parent.name) / text_path.name).with_suffix("").as_posix()
    meta = {"brat": kept} if kept else {}
    drafts = tuple(replace(span, note=notes.get(ident, "")) for ident, span in spans.items())
    return ArticleDraft(
        text=text, uid=uid, meta=meta, origin=str(ann), spans=drafts, uid_derived=True
    )


def _entity(fields: list[str], text: str) -> SpanDraft | str:
    """A `T` line's span, or why it cannot be one.

    `Label 0 6;16 21` is a discontinuous span: its pieces are kept as fragments and its
    extent (0..21) is the span; brat's text column then holds the pieces joined by spaces.
    """
    label, _, bounds = fields[1].partition(" ")
    ranges = []
    for piece in bounds.split(";"):
        pair = piece.split(" ")
        if len(pair) != 2 or not all(b.isascii() and b.isdecimal() for b in pair):
            return f"offsets {bounds!r} are not 'start end' (or 'start end;start end')"
        ranges.append((int(pair[0]), int(pair[1])))
    if not label:
        return "expected 'Label start end'"
    start, end = ranges[0][0], ranges[-1][1]
    where = ";".join(f"{a}..{b}" for a, b in ranges)
    try:
        fragments = check_fragments(ranges, start, end)
    except FragmentError as error:
        return str(error)
    if not 0 <= start < end <= len(text):
        return f"offsets {where} are outside the text (length {len(text)})"
    quote = "\t".join(fields[2:]) if len(fields) > 2 else None
    # brat's text column cannot hold line breaks or tabs: writers put spaces there.
    covered = " ".join(fragment_quotes(text, pieces(start, end, fragments)))
    if quote is not None and one_line(quote) != one_line(covered):
        return f"its text {quote[:40]!r} is not what the file has at {where}"
    return SpanDraft(start, end, label, quote=text[start:end], fragments=fragments)
