"""Read brat standoff: NAME.txt verbatim, NAME.ann (T entities, R/* relations, notes; rest kept)."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass, replace
from pathlib import Path

from desktop_app.core.fragments import FragmentError, check_fragments, fragment_quotes, pieces
from desktop_app.core.importers.records import unreadable
from desktop_app.core.importers.txt import MAX_TXT_BYTES
from desktop_app.core.model import ArticleDraft, ImportProblem, RelationDraft, SpanDraft
from desktop_app.core.text import BOM, DecodeError, decode_bytes, normalize_text, one_line

MAX_REASONS = 5  # a refused file names its first few bad lines, and counts the rest
Numbered = list[tuple[int, str]]  # (line number, a line or a reason)


@dataclass(frozen=True)
class _Entity:
    """A parsed `T` line: its label, its pieces as written, and its text column if any."""

    lineno: int
    ident: str
    label: str
    ranges: tuple[tuple[int, int], ...]
    quote: str | None


@dataclass(frozen=True)
class _Counting:
    """One way a writer counted offsets in the .txt: the text it saw, and the positions in
    that text which the stored text (BOM dropped, CRLF made LF) no longer has."""

    text: str
    dropped: tuple[int, ...]

    def stored(self, position: int) -> int:
        """The stored text's position for `position` in this counting's text."""
        return position - bisect_left(self.dropped, position)


def read_brat(ann: Path, root: Path | None = None) -> ArticleDraft | ImportProblem:
    """The article NAME.txt beside `ann`, with its text-bound annotations as spans.

    brat reads the .txt as UTF-8 without newline translation, so its offsets count a
    leading BOM and every CR; the stored text drops both (DESIGN.md 4), and each offset is
    moved onto the same character there. brat before its Python 3 port read with universal
    newlines (CRLF counted once): when the T lines' text columns fit that counting and not
    the first, it is used. The text is otherwise kept exactly (no headline or date taken
    out of it). `T` lines become spans, each checked against the text it quotes; an
    `AnnotatorNotes` comment becomes its span's note. `R` and `*` lines between T entities
    become relations (see _relations). Events, attributes, normalisations and relations
    that name no T entity have no place here: their lines are kept, as written, in the
    article's meta (`brat`), each relation left so reported. A discontinuous span
    (`0 5;9 12`) keeps its pieces (see core.fragments). An id used twice refuses the file,
    as brat does: neither is guessed. A .txt without its .ann is a text nobody annotated yet.
    """
    text_path = ann.with_suffix(".txt")
    try:
        if text_path.stat().st_size > MAX_TXT_BYTES:
            return ImportProblem(str(text_path), "larger than the text file limit")
        decoded = decode_bytes(text_path.read_bytes())
        try:
            raw_ann = ann.read_bytes()
        except FileNotFoundError:
            raw_ann, ann = b"", text_path
        # An empty .ann is a text nobody annotated yet (brat writes one for every text).
        # Lines end at "\n" only: a quote may hold other characters str.splitlines() breaks at.
        ann_text = decode_bytes(raw_ann).text if raw_ann.strip() else ""
        lines = [line.rstrip("\r") for line in ann_text.split("\n")]
    except FileNotFoundError:
        return ImportProblem(str(ann), f"no {text_path.name} beside it (brat needs both)")
    except (OSError, DecodeError) as exc:
        return unreadable(ann, exc)
    # decode_bytes drops a UTF-8 BOM; brat's 'utf8' codec keeps it as a character.
    raw = BOM + decoded.text if decoded.encoding == "utf-8-sig" else decoded.text
    text = normalize_text(raw)
    entities, notes, kept, problems = _parse(lines)
    spans, span_problems = _spans(entities, _countings(raw), text)
    problems.extend(span_problems)
    if problems:
        problems.sort(key=lambda problem: problem[0])
        reasons = [reason for _, reason in problems[:MAX_REASONS]]
        if len(problems) > MAX_REASONS:
            reasons.append(f"and {len(problems) - MAX_REASONS} more")
        return ImportProblem(str(ann), "; ".join(reasons))
    relations, kept, reasons = _relations(kept, list(spans), notes, str(ann))
    # A note on an event (or a relation kept as written) stays with the lines kept.
    kept.extend(
        line
        for target, lines in notes.items()
        if target not in spans and target not in {r.uuid for r in relations}
        for line in lines
    )
    relative = text_path.relative_to(root) if root and text_path.is_relative_to(root) else None
    uid = (relative or Path(text_path.parent.name) / text_path.name).with_suffix("").as_posix()
    meta = {"brat": [line for _, line in sorted(kept)]} if kept else {}
    drafts = tuple(
        replace(span, note="\n".join(_note(line) for _, line in notes.get(ident, [])))
        for ident, span in spans.items()
    )
    return ArticleDraft(
        text=text,
        uid=uid,
        meta=meta,
        origin=str(ann),
        spans=drafts,
        uid_derived=True,
        # The R id only carried its note here: a relation's identity comes from its ends.
        relations=tuple(replace(r, uuid=None) for r in relations),
        problems=tuple(reasons),
    )


def _relations(
    kept: Numbered, idents: list[str], notes: dict[str, Numbered], ann: str
) -> tuple[list[RelationDraft], Numbered, list[str]]:
    """The `R` and `*` lines between T entities of this file as relations (an `R` id's
    notes its note); the lines left as written, and why each R or * line was left.

    `R1<tab>Type Arg1:T1 Arg2:T2` is directed, from its first argument to its second.
    `*<tab>Type T1 T2 T3` says the entities are equivalent: undirected relations chaining
    them (T1-T2, T2-T3), which keeps them one group without a link for every pair; brat
    draws the same chain.
    """
    where = {ident: index for index, ident in enumerate(idents)}
    relations: list[RelationDraft] = []
    left: Numbered = []
    reasons: list[str] = []
    for lineno, line in kept:
        fields = line.split("\t")
        ident = fields[0]
        if not (ident.startswith("R") or ident == "*") or len(fields) < 2:
            left.append((lineno, line))
            continue
        kind, *args = fields[1].split() or [""]
        ends = [arg.partition(":")[2] if ident != "*" else arg for arg in args]
        missing = [end for end in ends if end not in where]
        why = ""
        if not kind:
            why = "no relation type"
        elif len(ends) < 2 or (ident != "*" and len(ends) != 2):
            why = "a relation needs two arguments" if ident != "*" else "needs two entities"
        elif missing:
            why = f"{missing[0] or '?'} is no entity (T line) of this file"
        if why:
            left.append((lineno, line))
            reasons.append(f"line {lineno} ({ident}): {why}; kept in the article's metadata")
            continue
        origin = f"{ann}:{lineno}"
        if ident == "*":
            relations += [
                RelationDraft(kind, where[a], where[b], directed=False, origin=origin)
                for a, b in itertools.pairwise(ends)
            ]
        else:
            note = "\n".join(_note(text) for _, text in notes.get(ident, []))
            relations.append(
                RelationDraft(kind, where[ends[0]], where[ends[1]], note=note, uuid=ident,
                              origin=origin)
            )  # fmt: skip
    return relations, left, reasons


def _parse(lines: list[str]) -> tuple[list[_Entity], dict[str, Numbered], Numbered, Numbered]:
    """The .ann's T lines, its notes by target, the lines kept as written, and problems."""
    entities: list[_Entity] = []
    notes: dict[str, Numbered] = {}
    kept: Numbered = []
    problems: Numbered = []
    first_line: dict[str, int] = {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        ident = fields[0]
        if ident in first_line and ident not in ("", "#", "*"):
            reason = f"the id {ident} is already used on line {first_line[ident]}"
            problems.append((lineno, f"line {lineno} ({ident}): {reason}"))
            continue
        first_line.setdefault(ident, lineno)
        if ident[:1] == "T" and len(fields) < 2:
            problems.append((lineno, f"line {lineno}: a T line needs tab-separated fields"))
        elif ident.startswith("T"):
            found = _entity(lineno, fields)
            if isinstance(found, str):
                problems.append((lineno, f"line {lineno} ({ident}): {found}"))
            else:
                entities.append(found)
        elif ident.startswith("#") and len(fields) >= 3 and fields[1].startswith("AnnotatorNotes"):
            # Two notes on one annotation are both kept, in order.
            notes.setdefault(fields[1].split()[-1], []).append((lineno, line))
        else:
            kept.append((lineno, line))
    return entities, notes, kept, problems


def _note(line: str) -> str:
    """The text of an `AnnotatorNotes` line."""
    return "\t".join(line.split("\t")[2:])


def _entity(lineno: int, fields: list[str]) -> _Entity | str:
    """A `T` line as written, or why it cannot be one.

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
    quote = "\t".join(fields[2:]) if len(fields) > 2 else None
    return _Entity(lineno, fields[0], label, tuple(ranges), quote)


def _countings(raw: str) -> list[_Counting]:
    """The ways brat may have counted: every character as read (brat on Python 3), then
    with CRLF and CR read as one line break (brat on Python 2's universal newlines)."""
    bom = (0,) if raw.startswith(BOM) else ()
    if "\r" not in raw:
        return [_Counting(raw, bom)]
    crlf = tuple(i for i in range(len(raw) - 1) if raw[i] == "\r" and raw[i + 1] == "\n")
    universal = raw.replace("\r\n", "\n").replace("\r", "\n")
    return [_Counting(raw, bom + crlf), _Counting(universal, bom)]


def _spans(
    entities: list[_Entity], countings: list[_Counting], stored: str
) -> tuple[dict[str, SpanDraft], Numbered]:
    """The spans under the first counting their text columns all fit (else the first's
    reasons), their offsets moved onto the stored text."""
    first: tuple[dict[str, SpanDraft], Numbered] | None = None
    for counting in countings:
        spans: dict[str, SpanDraft] = {}
        problems: Numbered = []
        for entity in entities:
            found = _span(entity, counting, stored)
            if isinstance(found, str):
                problems.append((entity.lineno, f"line {entity.lineno} ({entity.ident}): {found}"))
            else:
                spans[entity.ident] = found
        if not problems:
            return spans, problems
        first = first or (spans, problems)
    return first or ({}, [])


def _span(entity: _Entity, counting: _Counting, stored: str) -> SpanDraft | str:
    """The entity's span on the `stored` text, or why it cannot be one."""
    text = counting.text
    start, end = entity.ranges[0][0], entity.ranges[-1][1]
    where = ";".join(f"{a}..{b}" for a, b in entity.ranges)
    try:
        fragments = check_fragments(entity.ranges, start, end)
    except FragmentError as error:
        return str(error)
    if not 0 <= start < end <= len(text):
        return f"offsets {where} are outside the text (length {len(text)})"
    # brat's text column cannot hold line breaks or tabs: writers put spaces there.
    covered = " ".join(fragment_quotes(text, pieces(start, end, fragments)))
    if entity.quote is not None and one_line(entity.quote) != one_line(covered):
        return f"its text {entity.quote[:40]!r} is not what the file has at {where}"
    moved = tuple((counting.stored(a), counting.stored(b)) for a, b in entity.ranges)
    for (a, b), (new_a, new_b) in zip(entity.ranges, moved, strict=True):
        if new_a == new_b:
            what = "the byte order mark" if a == 0 else "the CR of a CRLF line break"
            return f"offsets {a}..{b} cover only {what}, which the stored text drops"
    start, end = moved[0][0], moved[-1][1]
    fragments = check_fragments(moved, start, end)
    return SpanDraft(start, end, entity.label, quote=stored[start:end], fragments=fragments)
