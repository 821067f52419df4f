"""Read brat's annotation.conf (entity types) and visual.conf (their colours) as span labels."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from desktop_app.core.model import SPAN, ImportProblem, Label, LabelSchema, RelationType
from desktop_app.core.schema import (
    LabelNameError,
    SchemaError,
    check_label_name,
    next_free_color,
    validate_labels,
)
from desktop_app.core.text import DecodeError, decode_bytes

MAX_CONF_BYTES = 1 << 20
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
# The CSS colour names brat's own configurations and its users' commonly give.
_NAMED = {
    "white": "#ffffff",
    "black": "#000000",
    "gray": "#808080",
    "grey": "#808080",
    "lightgray": "#d3d3d3",
    "lightgrey": "#d3d3d3",
    "silver": "#c0c0c0",
    "red": "#ff0000",
    "pink": "#ffc0cb",
    "lightpink": "#ffb6c1",
    "salmon": "#fa8072",
    "lightsalmon": "#ffa07a",
    "orange": "#ffa500",
    "gold": "#ffd700",
    "yellow": "#ffff00",
    "lightyellow": "#ffffe0",
    "khaki": "#f0e68c",
    "wheat": "#f5deb3",
    "tan": "#d2b48c",
    "beige": "#f5f5dc",
    "green": "#008000",
    "lightgreen": "#90ee90",
    "palegreen": "#98fb98",
    "lime": "#00ff00",
    "cyan": "#00ffff",
    "lightcyan": "#e0ffff",
    "aquamarine": "#7fffd4",
    "turquoise": "#40e0d0",
    "blue": "#0000ff",
    "lightblue": "#add8e6",
    "skyblue": "#87ceeb",
    "lightskyblue": "#87cefa",
    "violet": "#ee82ee",
    "plum": "#dda0dd",
    "magenta": "#ff00ff",
    "purple": "#800080",
    "lavender": "#e6e6fa",
    "thistle": "#d8bfd8",
}


def read_brat_conf(path: Path) -> Iterator[LabelSchema | ImportProblem]:
    """The entity types of a brat annotation.conf as span labels, coloured by the
    `bgColor` of the visual.conf beside it where given.

    Indentation is brat's type hierarchy: a type's parent becomes its label's group; a
    `!Type` only groups (nothing is annotated with it). `[relations]` become relation
    types (see _relation_type), coloured by visual.conf's arc `color`. Events and
    attributes are not kept. A name the project's rules refuse is reported by line.
    """
    try:
        lines = _text(path).split("\n")
        visual = path.with_name("visual.conf")
        drawing = _text(visual).split("\n") if visual.is_file() else []
        colors, arcs = _colors(drawing), _colors(drawing, "color")
    except (OSError, DecodeError) as error:
        yield ImportProblem(str(path), f"cannot read: {getattr(error, 'strerror', None) or error}")
        return
    labels: list[Label] = []
    used: list[str] = []
    parents: list[tuple[int, str]] = []  # (indent, type) of the enclosing types
    for lineno, _, indent, name in _section(lines, "entities"):
        while parents and parents[-1][0] >= indent:
            parents.pop()
        group = parents[-1][1] if parents else ""
        parents.append((indent, name.lstrip("!")))
        if name.startswith("!"):
            continue
        color = colors.get(name) or next_free_color(used)
        label = Label(name, SPAN, color if color not in used else next_free_color(used), "", group)
        try:
            validate_labels([*labels, label], str(path))
        except SchemaError as error:
            yield ImportProblem(f"{path}:{lineno}", error.reason)
            continue
        labels.append(label)
        used.append(label.color)
    kinds: list[RelationType] = []
    for lineno, line, _, name in _section(lines, "relations"):
        found = _relation_type(line, name, arcs.get(name, ""), [k.color for k in kinds])
        if isinstance(found, str):
            yield ImportProblem(f"{path}:{lineno}", found)
        elif found is not None:
            kinds = _merged(kinds, found)
    if labels or kinds:
        yield LabelSchema(path.parent.name or "brat", tuple(labels), relation_types=tuple(kinds))


_ANY = {"<ENTITY>", "<ANY>"}


def _merged(kinds: list[RelationType], found: RelationType) -> list[RelationType]:
    """`kinds` with `found`; a type declared again (brat lists each pair of argument types
    on a line of its own) allows the labels of every line at each end."""
    for position, kind in enumerate(kinds):
        if kind.name == found.name:

            def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
                return () if not a or not b else tuple(dict.fromkeys((*a, *b)))

            both = replace(
                kind,
                from_labels=union(kind.from_labels, found.from_labels),
                to_labels=union(kind.to_labels, found.to_labels),
            )
            return [*kinds[:position], both, *kinds[position + 1 :]]
    return [*kinds, found]


def _relation_type(line: str, name: str, color: str, used: list[str]) -> RelationType | str | None:
    """A `[relations]` line (`Located Arg1:Person, Arg2:GPE|Organization`) as a relation
    type: the first argument's types may stand at its start, the second's at its end
    (`<ENTITY>`, or no such argument: any). `<REL-TYPE>:symmetric…` makes it undirected.
    A `!Type` only groups (None); `<OVERLAP>` and other `<…>` settings say nothing we keep."""
    if name.startswith("!"):
        return None
    try:
        kind = check_label_name(name)
    except LabelNameError as error:
        return f"relation type {name!r}: {error}"
    ends: list[tuple[str, ...]] = []
    directed = True
    for argument in line.strip()[len(name) :].split(","):
        role, _, allowed = argument.strip().partition(":")
        if role.strip() == "<REL-TYPE>":
            directed = "symmetric" not in allowed
        elif role.strip() and not role.strip().startswith("<"):
            names = tuple(t.strip() for t in allowed.split("|") if t.strip())
            ends.append(() if _ANY & set(names) else names)
    ends += [()] * (2 - len(ends))  # an end the line leaves out takes any label
    return RelationType(
        kind,
        color if color and color not in used else next_free_color(used),
        directed=directed,
        from_labels=ends[0],
        to_labels=ends[1],
    )


def _text(path: Path) -> str:
    """A configuration file's text (refused past MAX_CONF_BYTES)."""
    if path.stat().st_size > MAX_CONF_BYTES:
        raise DecodeError("larger than 1 MB: not a brat configuration")
    data = path.read_bytes()
    return decode_bytes(data).text if data.strip() else ""


def _section(lines: list[str], wanted: str) -> Iterator[tuple[int, str, int, str]]:
    """(line number, line, indent, first word) of each entry in the `[wanted]` section."""
    section = ""
    for lineno, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip().lower()
            continue
        word = stripped.split()[0]
        # `<MACRO>=…` definitions and `---` separators are no types.
        if section == wanted and not word.startswith("<") and word.strip("-"):
            yield lineno, line, len(line) - len(line.lstrip()), word


def _colors(lines: list[str], wanted: str = "bgColor") -> dict[str, str]:
    """Type -> #rrggbb from visual.conf's [drawing] `bgColor:` settings we can read (an
    arc's `color:` with `wanted`)."""
    colors: dict[str, str] = {}
    for _, line, _, name in _section(lines, "drawing"):
        settings = line.strip()[len(name) :]
        for setting in settings.split(","):
            key, _, value = setting.strip().partition(":")
            if key.strip() == wanted and (color := _color(value.strip())):
                colors[name] = color

    return colors


def _color(value: str) -> str | None:
    """A CSS colour as lowercase #rrggbb, or None when it is not one we know."""
    if _HEX.fullmatch(value):
        digits = value[1:].lower()
        return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)
    return _NAMED.get(value.lower())
