"""Load, check and save the YAML label schema (span labels and document tags)."""

from __future__ import annotations

import codecs
import colorsys
import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from desktop_app.core.model import DOCUMENT, SPAN, Label, LabelSchema, RelationType

# Shortcuts the window binds itself; a label on one of them would never fire (or would
# steal undo/save), so the schema may not use them.
RESERVED_KEYS = (
    "Delete", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+F", "Ctrl+O", "Ctrl+Q", "Ctrl+S", "Ctrl+I",
    "Ctrl+Shift+I", "Ctrl+E", "Ctrl+L", "F2", "F5", "Ctrl+Return", "Ctrl+Enter", "Ctrl+Up",
    "Ctrl+Down", "Ctrl+Shift+R", "F8", "Shift+F8", "Ctrl+N", "F9",
    # Help, preferences, zoom and moving between the window's panes (issue 13).
    "F1", "Ctrl+/", "Ctrl+,", "Ctrl++", "Ctrl+=", "Ctrl+-", "Ctrl+0", "F6", "Shift+F6",
    "Ctrl+Shift+T",
    # Moving a span's edges (issue 14).
    "Shift+Alt+Left", "Shift+Alt+Right", "Ctrl+Shift+Alt+Left", "Ctrl+Shift+Alt+Right",
    "Ctrl+Alt+Left", "Ctrl+Alt+Right", "Alt+Left", "Alt+Right", "F3", "Shift+F3",
    # Annotate all matches (issue 15).
    "Ctrl+Shift+A",
    # Relations (issue 16): link the selected span, reverse, show all.
    "R", "Shift+R", "Ctrl+Shift+L",
)  # fmt: skip

# Pastel colours, all with a contrast ratio above 11:1 against black, so label text drawn
# in the default (dark) colour stays readable on any of them.
PALETTE = (
    "#ffadad", "#ffd6a5", "#fdffb6", "#caffbf", "#9bf6ff", "#a0c4ff", "#bdb2ff", "#ffc6ff",
    "#e2d4b7", "#d0f4de", "#f1c0e8", "#cfe1b9", "#bde0fe", "#fcd5ce", "#e4c1f9", "#ffe5a0",
)  # fmt: skip

_SECTIONS = {"span_labels": SPAN, "document_tags": DOCUMENT}
_TOP_KEYS = ("name", *_SECTIONS, "tag_groups", "relation_types")
_RELATION_KEYS = ("name", "key", "color", "directed", "from", "to", "description")
_GROUP_KEYS = ("exclusive",)
_ITEM_KEYS = ("name", "key", "color", "group", "description")
_MODIFIERS = ("ctrl", "alt", "shift", "meta")
_ALIASES = {"del": "delete", "esc": "escape", "return": "enter", "ins": "insert"}
_ALIASES |= {"pgup": "pageup", "pgdown": "pagedown"}
_NAMED_KEYS = {"space", "tab", "enter", "escape", "backspace", "insert", "delete", "home", "end"}
_NAMED_KEYS |= {"pageup", "pagedown", "up", "down", "left", "right", *_ALIASES}
_KEY_SHAPE = "a shortcut like p, 1, Ctrl+1, Shift+G, F5 or Space"
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_CANONICAL_COLOR = re.compile(r"#[0-9a-f]{6}")
_BAD_COLOR = "{!r} is not a colour like #1a2b3c"


class SchemaError(ValueError):
    """A label schema that cannot be used; the message names the file, line and key."""

    def __init__(self, origin: str, line: int | None, path: str, reason: str) -> None:
        where = f"{origin}:{line}" if line else origin
        super().__init__(f"{where}: {path}: {reason}" if path else f"{where}: {reason}")
        self.origin, self.line, self.path, self.reason = origin, line, path, reason


def _canonical_key(key: str) -> str:
    """Return the comparable form of a shortcut, or raise ValueError if it is malformed."""
    # "+" can itself be the final key ("Ctrl++"), so peel it off before splitting on "+".
    if key == "+" or key.endswith("++"):
        head, final = key[:-1].removesuffix("+"), "+"
    else:
        head, _, final = key.rpartition("+")
    mods = [m.lower() for m in head.split("+")] if head else []
    if any(m not in _MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        raise ValueError(f"{key!r} is not {_KEY_SHAPE}")
    name = final.lower()
    if len(final) == 1 and final.isprintable() and not final.isspace():
        pass
    elif name in _NAMED_KEYS or re.fullmatch(r"f(?:[1-9]|1[0-2])", name):
        name = _ALIASES.get(name, name)
    else:
        raise ValueError(f"{key!r} is not {_KEY_SHAPE}")
    # Sorted modifiers make "Shift+Ctrl+1" and "ctrl+shift+1" compare equal, as Qt sees them.
    return "+".join([*sorted(mods, key=_MODIFIERS.index), name])


_RESERVED = {_canonical_key(k): k for k in RESERVED_KEYS}
_SHOWN_NAMES = {"pageup": "PgUp", "pagedown": "PgDown", "escape": "Esc", "delete": "Del"}


def key_label(key: str) -> str:
    """A shortcut the way the window shows it, in one case: "p" and "P" both read "P",
    "ctrl+shift+1" reads "Ctrl+Shift+1". A malformed key is shown as written."""
    try:
        canonical = _canonical_key(key)
    except ValueError:
        return key
    if canonical == "+":
        mods, final = [], "+"
    elif canonical.endswith("++"):
        mods, final = canonical[:-2].split("+"), "+"
    else:
        *mods, final = canonical.split("+")
    if len(final) == 1:
        upper = final.upper()
        final = upper if len(upper) == 1 else final  # "ß" has no one-letter capital
    else:
        function_key = final[0] == "f" and final[1:].isdigit()
        final = _SHOWN_NAMES.get(final, final.upper() if function_key else final.capitalize())
    return "+".join([*(m.capitalize() for m in mods), final])


def _normalize_color(value: str) -> str | None:
    """Return `value` as lowercase #rrggbb, or None if it is not #rgb or #rrggbb."""
    if not _COLOR.fullmatch(value):
        return None
    digits = value[1:].lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def next_free_color(used: Iterable[str]) -> str:
    """Return a light colour (lowercase #rrggbb) that is not in `used`."""
    taken = {_normalize_color(c) or c.lower() for c in used}
    for color in PALETTE:
        if color not in taken:
            return color
    # Palette exhausted: step round the hue circle by the golden ratio, which keeps new
    # colours far apart, at a lightness that keeps dark text readable.
    for i in itertools.count():
        rgb = colorsys.hls_to_rgb((i * 0.618033988749895) % 1.0, 0.82 - (i // 97) % 3 * 0.03, 0.75)
        color = "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
        if color not in taken:
            return color
    raise AssertionError("unreachable")  # itertools.count() never ends


def _fold(text: str) -> str:
    """Comparable form of a label name: the same letters in another case, encoding or width
    (full-width "Ｐｅｒｓｏｎ") clash; invisible format characters (zero-width space and
    joiners, BOM, bidi marks) and spaces at the ends (which a project from before the rule
    may have kept) do not count."""
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", visible).casefold().strip()


class LabelNameError(ValueError):
    """A label name no project may hold; the message says why."""


# Control characters (Cc), line and paragraph separators (Zl, Zp) and lone surrogates (Cs):
# a name holding one cannot be shown on one line, typed, or written to every export format.
_NOT_IN_NAMES = frozenset({"Cc", "Zl", "Zp", "Cs"})


def check_label_name(name: str) -> str:
    """The label name as a project stores it (spaces at the ends removed), or raise
    LabelNameError saying why no project may hold it. Every way labels are made uses this."""
    cleaned = _strip_invisible(name)
    if not cleaned:
        raise LabelNameError("a label name cannot be empty")
    if any(unicodedata.category(c) in _NOT_IN_NAMES for c in cleaned):
        raise LabelNameError(f"label name {name!r} contains a line break or control character")
    return cleaned


def _strip_invisible(name: str) -> str:
    """`name` without spaces and invisible format characters (Cf) at its ends: they would
    make a second label that looks exactly like the first. Inside a name they are kept (a
    joiner inside an emoji or a Persian word is part of it); _fold ignores them."""
    start, end = 0, len(name)
    while start < end and (name[start].isspace() or unicodedata.category(name[start]) == "Cf"):
        start += 1
    while end > start and (name[end - 1].isspace() or unicodedata.category(name[end - 1]) == "Cf"):
        end -= 1
    return name[start:end]


def canonical_label(name: str, existing: Iterable[str]) -> str:
    """The name of the label `name` means among `existing`: itself when it is there, else the
    first name that differs only in case, Unicode composition or width, or invisible format
    characters, else `name` (a new label)."""
    folded, first = _fold(name), None
    for other in existing:
        if other == name:
            return name
        if first is None and _fold(other) == folded:
            first = other
    return name if first is None else first


def same_label_name(a: str, b: str) -> bool:
    """True when two names are one label (they differ only in case or composition)."""
    return _fold(a) == _fold(b)


def _text_problem(value: str) -> str | None:
    """Why a group cannot be shown on one line, or None if it can."""
    if value != value.strip():
        return f"{value!r} has spaces at the start or end"
    if any(unicodedata.category(c) in _NOT_IN_NAMES for c in value):
        return f"{value!r} contains a line break or control character"
    return None


def _name_problem(value: str) -> str | None:
    """Why `value` is not a label name as stored (check_label_name), or None."""
    try:
        cleaned = check_label_name(value)
    except LabelNameError:
        return "is empty" if not value.strip() else _text_problem(value.strip())
    if cleaned == value:
        return None
    if value != value.strip():
        return f"{value!r} has spaces at the start or end"
    return f"{value!r} has invisible characters at the start or end"


def _check(labels: Sequence[Label], origin: str, lines: Sequence[Mapping[str, int]] | None) -> None:
    """Apply the shape and uniqueness rules; `lines` maps each label's fields to lines."""
    seen: dict[tuple[str, str], tuple[str, int | None, str]] = {}
    counts = {SPAN: 0, DOCUMENT: 0}
    for i, label in enumerate(labels):
        where: Mapping[str, int] = lines[i] if lines is not None else {}
        if label.kind not in counts:
            raise SchemaError(origin, None, f"labels[{i}].kind", f"{label.kind!r} is not a kind")
        section = "span_labels" if label.kind == SPAN else "document_tags"
        path = f"{section}[{counts[label.kind]}]"
        counts[label.kind] += 1
        problems: dict[str, str | None] = {
            "name": _name_problem(label.name),
            "group": _text_problem(label.group),
            "color": None
            if _CANONICAL_COLOR.fullmatch(label.color)
            else _BAD_COLOR.format(label.color),
        }
        # Colours tell labels apart where they are drawn together: span labels among
        # themselves, document tags among themselves (a tag is never drawn on the text).
        idents = {"name": _fold(label.name), "color": f"{label.kind}:{label.color}"}
        if label.key:
            try:
                idents["key"] = _canonical_key(label.key)
            except ValueError as exc:
                problems["key"] = str(exc)
            else:
                if idents["key"] in _RESERVED:
                    reserved = _RESERVED[idents["key"]]
                    problems["key"] = f"{label.key!r} is reserved by the application ({reserved})"
        for field, problem in problems.items():
            if problem:
                raise SchemaError(origin, where.get(field), f"{path}.{field}", problem)
        for field, ident in idents.items():
            line = where.get(field)
            if (field, ident) in seen:
                first, first_line, first_name = seen[field, ident]
                at = f" (line {first_line})" if first_line else ""
                value = getattr(label, field)
                if field == "name":
                    reason = f"{value!r} is already used by {first}{at}"
                else:  # in plain words: "key P is already used by Person"
                    shown = key_label(value) if field == "key" else value
                    noun = "key" if field == "key" else "colour"
                    where_first = f"{first}, line {first_line}" if first_line else first
                    reason = f"{noun} {shown} is already used by {first_name} ({where_first})"
                raise SchemaError(origin, line, f"{path}.{field}", reason)
            seen[field, ident] = (path, line, label.name)


def validate_labels(labels: Sequence[Label], origin: str) -> None:
    """Raise SchemaError if `labels` break a shape or uniqueness rule (colours as #rrggbb)."""
    _check(labels, origin, None)


def usable_labels(labels: Iterable[Label]) -> tuple[list[Label], list[str]]:
    """`labels` made a schema that loads anywhere (a sample package from an older project):
    names cleaned; a name no project may hold, or one that reads as an earlier label (another
    case), left out; a malformed, reserved or repeated key dropped; a colour replaced the same
    way. Returns the labels and one line for each change."""
    labels = list(labels)
    kept: list[Label] = []
    notes: list[str] = []
    names: list[str] = []
    keys: set[str] = set()
    colors: list[str] = []
    for label in labels:
        try:
            name = check_label_name(label.name)
        except LabelNameError as error:
            notes.append(f"label {label.name!r} left out: {error}")
            continue
        first = canonical_label(name, names)
        if first in names or label.kind not in _SECTIONS.values():
            why = f"it reads as {first!r}, listed before it" if first in names else "no kind"
            notes.append(f"label {label.name!r} left out: {why}")
            continue
        key = label.key
        try:
            ident = _canonical_key(key) if key else ""
        except ValueError:
            ident = ""
        if key and (not ident or ident in keys or ident in _RESERVED):
            notes.append(f"label {name!r}: key {key!r} dropped (malformed, reserved or repeated)")
            key = ""
        keys.add(ident)
        color = _normalize_color(label.color)
        if color is None or color in colors:
            color = next_free_color([*colors, *(c.color for c in labels)])
        colors.append(color)
        group = label.group.strip() if _text_problem(label.group.strip()) is None else ""
        names.append(name)
        kept.append(Label(name, label.kind, color, key, group, label.description))
    validate_labels(kept, "labels")  # what the loop made must pass the rules it applies
    return kept, notes


def _describe(value: Any) -> str:
    """Name a YAML value's type the way a schema author would."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    kinds = {ScalarNode: "a single value", MappingNode: "a mapping", SequenceNode: "a list"}
    kinds |= {date: "a date", type(None): "empty"}
    return next((v for k, v in kinds.items() if isinstance(value, k)), type(value).__name__)


class _Reader:
    """Walks a composed YAML tree, so every error can say on which line it is."""

    def __init__(self, text: str, origin: str) -> None:
        self.lines, self.origin = text.splitlines(), origin
        self.constructor = SafeConstructor()

    def error(self, node: Node, path: str, reason: str) -> SchemaError:
        return SchemaError(self.origin, node.start_mark.line + 1, path, reason)

    def pairs(self, node: Node, path: str, what: str) -> list[tuple[str, Node, Node]]:
        if not isinstance(node, MappingNode):
            raise self.error(node, path, f"must be {what}, not {_describe(node)}")
        found: dict[str, Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.error(key_node, path, f"keys must be words, not {_describe(key_node)}")
            if key_node.value in found and key_node.tag != "tag:yaml.org,2002:merge":
                first = found[key_node.value].start_mark.line + 1
                raise self.error(key_node, f"{path}.{key_node.value}".lstrip("."),
                                 f"appears twice (first on line {first})")  # fmt: skip
            found[key_node.value] = key_node
        try:
            self.constructor.flatten_mapping(node)  # "<<" merge keys, as safe_load does
        except yaml.MarkedYAMLError as exc:
            raise self.error(node, path, str(exc.problem)) from None
        pairs: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:  # merged pairs come first, so own keys win
            if not isinstance(key_node, ScalarNode):  # a key brought in by a merge
                raise self.error(key_node, path, f"keys must be words, not {_describe(key_node)}")
            pairs[key_node.value] = (key_node, value_node)
        return [(key, k, v) for key, (k, v) in pairs.items()]

    def unknown(self, key: str, node: Node, path: str, allowed: Sequence[str]) -> SchemaError:
        hint = difflib.get_close_matches(key, allowed, n=1)
        reason = f"unknown key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
        return self.error(node, path, f"{reason}; expected {', '.join(allowed)}")

    def text(self, node: Node, path: str, optional: bool = True) -> str | None:
        """The string at `node`; None if it is empty and optional."""
        if not isinstance(node, ScalarNode):
            raise self.error(node, path, f"must be a single value, not {_describe(node)}")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            raise self.error(node, path, f"cannot read value: {exc.problem}") from None
        if path.endswith(".key") and isinstance(value, int) and re.fullmatch(r"[0-9]", node.value):
            return str(node.value)  # YAML reads `key: 1` as a number
        if value is None and node.value == "":
            mark = node.start_mark
            rest = "".join(self.lines[mark.line : mark.line + 1])[mark.column :].lstrip()
            if rest.startswith("#"):  # `color: #abc` unquoted is a YAML comment
                raise self.error(node, path, f"{rest.split()[0]!r} is read as a comment; quote it")
        if optional and value in (None, ""):
            return None  # an empty optional value means "use the default"
        if value is None:
            raise self.error(node, path, "is missing")
        if not isinstance(value, str):
            raise self.error(node, path, f"must be text, not {_describe(value)}; quote it")
        if not (optional or value.strip()):
            raise self.error(node, path, "is empty")
        return value

    def item(self, node: Node, path: str) -> tuple[dict[str, str], dict[str, int]]:
        line = node.start_mark.line + 1
        if isinstance(node, ScalarNode):
            name = (self.text(node, path, optional=False) or "").strip()
            return {"name": name}, dict.fromkeys(_ITEM_KEYS, line)
        fields: dict[str, str] = {}
        lines: dict[str, int] = {}
        for key, key_node, value_node in self.pairs(node, path, "a label name or a mapping"):
            if key not in _ITEM_KEYS:
                raise self.unknown(key, key_node, f"{path}.{key}", _ITEM_KEYS)
            value = self.text(value_node, f"{path}.{key}", optional=key != "name")
            if value is not None:
                fields[key], lines[key] = value, value_node.start_mark.line + 1
        if "name" not in fields:
            raise self.error(node, f"{path}.name", "is missing")
        for key in ("name", "group"):
            fields[key] = fields.get(key, "").strip()  # "group:  Topic " means "Topic"
        lines |= {key: line for key in _ITEM_KEYS if key not in lines}  # defaults: blame the item
        if "color" in fields:
            color = _normalize_color(fields["color"])
            if color is None:
                problem = _BAD_COLOR.format(fields["color"])
                raise SchemaError(self.origin, lines["color"], f"{path}.color", problem)
            fields["color"] = color
        return fields, lines


def parse_schema(text: str, origin: str = "<schema>") -> LabelSchema:
    """Parse and check a YAML label schema; `origin` names it in error messages."""
    text = text.removeprefix("\ufeff")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        # An error found at the end of the stream points past the last line; name that line.
        mark = exc.problem_mark
        line = min(mark.line + 1, len(text.splitlines()) or 1) if mark else None
        reason = f"invalid YAML: {exc.problem}"
        if exc.context and exc.context_mark:
            reason += f" ({exc.context} started on line {exc.context_mark.line + 1})"
        raise SchemaError(origin, line, "", reason) from None
    except ReaderError as exc:  # a control character, which YAML does not allow anywhere
        line = text.count("\n", 0, exc.position) + 1
        reason = f"invalid YAML: character U+{exc.character:04X} is not allowed"
        raise SchemaError(origin, line, "", reason) from None
    if root is None:
        raise SchemaError(origin, 1, "", "the schema is empty; it needs span_labels")
    reader = _Reader(text, origin)
    name = "Labels"
    items: dict[str, list[Node]] = {}
    groups_node: Node | None = None
    relations_node: Node | None = None
    for key, key_node, value_node in reader.pairs(root, "", "a mapping with span_labels"):
        if key == "name":
            name = (reader.text(value_node, key, optional=False) or "").strip()
        elif key in _SECTIONS:
            is_null = isinstance(value_node, ScalarNode) and value_node.tag.endswith(":null")
            if not (is_null or isinstance(value_node, SequenceNode)):
                raise reader.error(value_node, key, f"must be a list, not {_describe(value_node)}")
            items[key] = [] if is_null else value_node.value
        elif key == "tag_groups":
            groups_node = value_node
        elif key == "relation_types":
            relations_node = value_node
        else:
            raise reader.unknown(key, key_node, key, _TOP_KEYS)
    count = sum(len(nodes) for nodes in items.values())
    if count > MAX_LABELS:
        raise SchemaError(origin, None, "", f"{count:,} labels, more than {MAX_LABELS:,}")
    # Spans first, then tags, whatever the file's order, so a round trip keeps `labels` equal.
    parsed = [
        (_SECTIONS[section], *reader.item(node, f"{section}[{i}]"))
        for section in _SECTIONS
        for i, node in enumerate(items.get(section, []))
    ]
    used = [fields["color"] for _, fields, _ in parsed if "color" in fields]
    labels = []
    for kind, fields, _ in parsed:
        if "color" not in fields:
            fields["color"] = next_free_color(used)
            used.append(fields["color"])
        labels.append(Label(kind=kind, **fields))
    _check(labels, origin, [lines for _, _, lines in parsed])
    exclusive = _exclusive_groups(reader, groups_node, labels)
    relation_types = _relation_types(reader, relations_node, labels)
    return LabelSchema(name, tuple(labels), exclusive, relation_types)


def _relation_types(
    reader: _Reader, node: Node | None, labels: Sequence[Label]
) -> tuple[RelationType, ...]:
    """The `relation_types:` section: each a name or a mapping of name, key, color, directed
    (true unless said), from and to (span labels allowed at each end; none: any), description.

    Checked like labels: the name rule, no name twice (nor a label's name), no key twice
    (nor a label's key or a reserved one), a colour of its own among relation types, and
    from/to naming span labels of the schema (in another case they read as that label).
    """
    if node is None or (isinstance(node, ScalarNode) and node.tag.endswith(":null")):
        return ()
    if not isinstance(node, SequenceNode):
        raise reader.error(node, "relation_types", f"must be a list, not {_describe(node)}")
    span_names = [label.name for label in labels if label.kind == SPAN]
    names = {_fold(label.name): f"label {label.name!r}" for label in labels}
    keys = {_canonical_key(label.key): f"label {label.name!r}" for label in labels if label.key}
    colors: dict[str, str] = {}
    found: list[RelationType] = []
    for i, item in enumerate(node.value):
        path = f"relation_types[{i}]"
        fields, lines = _relation_fields(reader, item, path, span_names)

        def fail(field: str, reason: str, path: str = path, lines: dict[str, int] = lines) -> None:
            raise SchemaError(reader.origin, lines.get(field), f"{path}.{field}", reason)

        name = str(fields["name"])
        problem = _name_problem(name)
        if problem:
            fail("name", problem)
        if _fold(name) in names:
            fail("name", f"{name!r} is already used by {names[_fold(name)]}")
        names[_fold(name)] = f"relation type {name!r}"
        key = str(fields.get("key", ""))
        if key:
            try:
                canonical = _canonical_key(key)
            except ValueError as exc:
                fail("key", str(exc))
            if canonical in _RESERVED:
                fail("key", f"{key!r} is reserved by the application ({_RESERVED[canonical]})")
            if canonical in keys:
                fail("key", f"key {key_label(key)} is already used by {keys[canonical]}")
            keys[canonical] = f"relation type {name!r}"
        color = str(fields.get("color") or next_free_color([*colors, *(t.color for t in found)]))
        if color in colors:
            fail("color", f"colour {color} is already used by {colors[color]}")
        colors[color] = f"relation type {name!r}"
        directed = fields.get("directed", True)
        ends = [fields.get(end, ()) for end in ("from", "to")]
        from_labels, to_labels = (
            tuple(str(n) for n in e) if isinstance(e, tuple) else () for e in ends
        )
        found.append(
            RelationType(name, color, key, bool(directed), from_labels, to_labels,
                         str(fields.get("description", "")))
        )  # fmt: skip
    return tuple(found)


def _relation_fields(
    reader: _Reader, node: Node, path: str, span_names: list[str]
) -> tuple[dict[str, object], dict[str, int]]:
    """One relation type's fields as written (from/to as span label names), with lines."""
    line = node.start_mark.line + 1
    if isinstance(node, ScalarNode):
        return {"name": (reader.text(node, path, optional=False) or "").strip()}, {"name": line}
    fields: dict[str, object] = {}
    lines: dict[str, int] = {}
    for key, key_node, value_node in reader.pairs(node, path, "a relation name or a mapping"):
        where = f"{path}.{key}"
        lines[key] = value_node.start_mark.line + 1
        if key not in _RELATION_KEYS:
            raise reader.unknown(key, key_node, where, _RELATION_KEYS)
        if key == "directed":
            value = (
                reader.constructor.construct_object(value_node, deep=True)
                if isinstance(value_node, ScalarNode)
                else None
            )
            if not isinstance(value, bool):
                raise reader.error(value_node, where, "must be true or false")
            fields[key] = value
        elif key in ("from", "to"):
            items = [value_node] if isinstance(value_node, ScalarNode) else value_node.value
            if not isinstance(value_node, ScalarNode | SequenceNode):
                raise reader.error(value_node, where, "must be a list of span labels")
            chosen = []
            for item in items:
                written = (reader.text(item, where, optional=False) or "").strip()
                label = canonical_label(written, span_names)
                if label not in span_names:
                    known = ", ".join(span_names) or "none"
                    raise reader.error(
                        item, where, f"{written!r} is not a span label (span labels: {known})"
                    )
                chosen.append(label)
            fields[key] = tuple(dict.fromkeys(chosen))
        else:
            value = reader.text(value_node, where, optional=key != "name")
            if value is None:
                continue
            if key == "color":
                color = _normalize_color(value)
                if color is None:
                    raise reader.error(value_node, where, _BAD_COLOR.format(value))
                value = color
            fields[key] = value.strip() if key == "name" else value
    if "name" not in fields:
        raise reader.error(node, f"{path}.name", "is missing")
    lines.setdefault("name", line)
    lines |= {key: line for key in _RELATION_KEYS if key not in lines}
    return fields, lines


def _exclusive_groups(
    reader: _Reader, node: Node | None, labels: Sequence[Label]
) -> tuple[str, ...]:
    """The `tag_groups:` section's exclusive groups: `tag_groups: {Relevance: {exclusive: true}}`.

    Each group must be one document tags name, so a misspelt group cannot silently do nothing.
    """
    if node is None or (isinstance(node, ScalarNode) and node.tag.endswith(":null")):
        return ()
    groups = {label.group for label in labels if label.kind == DOCUMENT and label.group}
    exclusive = []
    for group, key_node, value_node in reader.pairs(node, "tag_groups", "a mapping of groups"):
        path = f"tag_groups.{group}"
        if group not in groups:
            known = ", ".join(sorted(groups)) or "none"
            reason = f"no document tag has group {group!r} (groups: {known})"
            raise reader.error(key_node, path, reason)
        for key, setting_node, setting in reader.pairs(
            value_node, path, "a mapping like {exclusive: true}"
        ):
            if key not in _GROUP_KEYS:
                raise reader.unknown(key, setting_node, f"{path}.{key}", _GROUP_KEYS)
            value = (
                reader.constructor.construct_object(setting, deep=True)
                if isinstance(setting, ScalarNode)
                else setting
            )
            if not isinstance(value, bool):
                shown = (
                    repr(setting.value) if isinstance(setting, ScalarNode) else _describe(setting)
                )
                raise reader.error(setting, f"{path}.{key}", f"must be true or false, not {shown}")
            if value:
                exclusive.append(group)
    return tuple(exclusive)


def parse_usable_schema(text: str, origin: str) -> tuple[LabelSchema, list[str]]:
    """parse_schema for a schema a program wrote (a sample package): one drawn before the one
    rule for label names may list case variants ("PERSON" beside "Person"), which loads with
    the first kept (see usable_labels). Returns the schema and what was changed."""
    try:
        return parse_schema(text, origin), []
    except SchemaError as error:
        strict = error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise strict from None
    if not isinstance(data, dict):
        raise strict
    found: list[Label] = []
    for section, kind in _SECTIONS.items():
        items = data.get(section)
        for item in items if isinstance(items, list) else []:
            fields = {"name": item} if isinstance(item, str) else item
            if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
                raise strict
            found.append(
                Label(fields.get("name", ""), kind, fields.get("color", ""), fields.get("key", ""),
                      fields.get("group", ""), fields.get("description", ""))
            )  # fmt: skip
    try:
        labels, notes = usable_labels(found)
    except SchemaError:
        raise strict from None
    name = data.get("name")
    return LabelSchema(name if isinstance(name, str) else "Labels", tuple(labels)), notes


MAX_SCHEMA_BYTES = 1 << 20  # thousands of labels fit in a few hundred kilobytes
MAX_LABELS = 5000


def load_schema(path: str | Path) -> LabelSchema:
    """Read a UTF-8 YAML label schema file (a BOM is fine) and check it."""
    origin = str(path)
    try:
        if Path(path).stat().st_size > MAX_SCHEMA_BYTES:
            limit = MAX_SCHEMA_BYTES >> 10
            raise SchemaError(origin, None, "", f"larger than {limit} KB: not a label schema")
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise SchemaError(origin, None, "", "file not found") from None
    except OSError as exc:
        raise SchemaError(origin, None, "", f"cannot read file: {exc.strerror or exc}") from None
    data = data.removeprefix(codecs.BOM_UTF8)  # Windows editors like to add one
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise SchemaError(origin, line, "", reason) from None
    return parse_schema(text, origin)


def _relation_item(kind: RelationType) -> dict[str, object]:
    fields: dict[str, object] = {"name": kind.name, "key": kind.key, "color": kind.color}
    fields |= {"directed": kind.directed, "from": list(kind.from_labels)}
    fields |= {"to": list(kind.to_labels), "description": kind.description}
    return {k: v for k, v in fields.items() if v or k in ("color", "directed")}


def schema_to_yaml(schema: LabelSchema) -> str:
    """Write `schema` in the format parse_schema reads, with every colour explicit."""

    def item(label: Label) -> dict[str, str]:
        fields = {"name": label.name, "key": label.key, "color": label.color}
        fields |= {"group": label.group, "description": label.description}
        return {k: v for k, v in fields.items() if v or k == "color"}

    data: dict[str, object] = {"name": schema.name}
    for section, kind in _SECTIONS.items():
        data[section] = [item(label) for label in schema.labels if label.kind == kind]
    if schema.exclusive_groups:
        data["tag_groups"] = {group: {"exclusive": True} for group in schema.exclusive_groups}
    if schema.relation_types:
        data["relation_types"] = [_relation_item(kind) for kind in schema.relation_types]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
