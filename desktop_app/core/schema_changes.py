"""What loading a label schema into a project would change, and the merged schema."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from desktop_app.core.model import Label, LabelSchema
from desktop_app.core.schema import key_label, next_free_color, same_label_name

MERGE, REPLACE = "merge", "replace"


@dataclass(frozen=True)
class SchemaChanges:
    """The differences between the project's labels and a schema file's, by label name."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # in the project, not in the file
    recoloured: list[tuple[str, str, str]] = field(default_factory=list)  # name, old, new
    rekeyed: list[tuple[str, str, str]] = field(default_factory=list)  # name, old, new
    other: list[str] = field(default_factory=list)  # kind, group or description changed
    uses: Mapping[str, int] = field(default_factory=dict)  # live annotations per label
    # Relation types, by name: added, in the project and not the file, and changed.
    relations_added: list[str] = field(default_factory=list)
    relations_removed: list[str] = field(default_factory=list)
    relations_changed: list[str] = field(default_factory=list)

    def affected(self, names: list[str]) -> int:
        """How many annotations use the labels `names`."""
        return sum(self.uses.get(name, 0) for name in names)

    def lines(self, how: str) -> list[str]:
        """What `how` (MERGE or REPLACE) would do, one plain line per kind of change."""
        out = []
        if self.added:
            out.append(f"Added ({len(self.added)}): {', '.join(self.added)}")
        if how == REPLACE and self.removed:
            used = [name for name in self.removed if self.uses.get(name)]
            gone = [name for name in self.removed if not self.uses.get(name)]
            if gone:
                out.append(f"Removed ({len(gone)}): {', '.join(gone)}")
            if used:
                out.append(
                    f"Not in the file but kept, {self.affected(used):,} annotations use them "
                    f"({len(used)}): {', '.join(used)}"
                )
        elif self.removed:
            out.append(f"Kept as they are, not in the file ({len(self.removed)}): "
                       f"{', '.join(self.removed)}")  # fmt: skip
        if self.recoloured:
            out.append("Recoloured: " + ", ".join(f"{n} {a} → {b}" for n, a, b in self.recoloured))
        if self.rekeyed:
            shown = (f"{n} {key_label(a) or 'no key'} → {key_label(b) or 'no key'}"
                     for n, a, b in self.rekeyed)  # fmt: skip
            out.append("Keys changed: " + ", ".join(shown))
        if self.other:
            out.append(f"Kind, group or description changed: {', '.join(self.other)}")
        if self.relations_added:
            out.append(f"Relation types added ({len(self.relations_added)}): "
                       f"{', '.join(self.relations_added)}")  # fmt: skip
        if self.relations_changed:
            out.append(f"Relation types changed: {', '.join(self.relations_changed)}")
        if self.relations_removed:
            verb = "Relation types removed unless in use" if how == REPLACE else (
                "Relation types kept as they are, not in the file")  # fmt: skip
            out.append(f"{verb} ({len(self.relations_removed)}): "
                       f"{', '.join(self.relations_removed)}")  # fmt: skip
        changed = {n for n, *_ in self.recoloured} | {n for n, *_ in self.rekeyed}
        changed |= set(self.other) | (set(self.removed) if how == REPLACE else set())
        out.append(f"Annotations affected: {self.affected(sorted(changed)):,}")
        return out


def _match(name: str, labels: list[Label]) -> Label | None:
    return next((label for label in labels if same_label_name(label.name, name)), None)


def schema_changes(
    current: LabelSchema, incoming: LabelSchema, uses: Mapping[str, int]
) -> SchemaChanges:
    """Compare the project's schema with a file's; `uses` counts annotations per label."""
    now, new = list(current.labels), list(incoming.labels)
    changes = SchemaChanges(uses=dict(uses))
    for label in new:
        old = _match(label.name, now)
        if old is None:
            changes.added.append(label.name)
            continue
        if old.color != label.color:
            changes.recoloured.append((label.name, old.color, label.color))
        if key_label(old.key) != key_label(label.key):
            changes.rekeyed.append((label.name, old.key, label.key))
        if (old.kind, old.group, old.description) != (label.kind, label.group, label.description):
            changes.other.append(label.name)
    changes.removed.extend(lb.name for lb in now if _match(lb.name, new) is None)
    ours = {kind.name: kind for kind in current.relation_types}
    theirs = {kind.name: kind for kind in incoming.relation_types}
    for name, kind in theirs.items():
        if name not in ours:
            changes.relations_added.append(name)
        elif ours[name] != kind:
            changes.relations_changed.append(name)
    changes.relations_removed.extend(name for name in ours if name not in theirs)
    return changes


def merged_schema(current: LabelSchema, incoming: LabelSchema) -> LabelSchema:
    """The file's labels, then the project's labels it lacks; a kept label gives up a key
    the file uses, and a colour another label of its kind uses, so the palette stays clear."""
    labels = list(incoming.labels)
    keys = {key_label(label.key) for label in labels if label.key}
    for label in current.labels:
        if _match(label.name, list(incoming.labels)) is not None:
            continue
        key = "" if key_label(label.key) in keys else label.key
        same_kind = [other.color for other in labels if other.kind == label.kind]
        color = label.color if label.color not in same_kind else next_free_color(same_kind)
        labels.append(replace(label, key=key, color=color))
        keys.add(key_label(key))
    groups = [*incoming.exclusive_groups]
    groups += [g for g in current.exclusive_groups if g not in groups]
    relation_types = list(incoming.relation_types)
    names = {kind.name for kind in relation_types}
    colors = [kind.color for kind in relation_types]
    keys |= {key_label(kind.key) for kind in relation_types if kind.key}
    for kind in current.relation_types:
        if kind.name in names:
            continue
        key = "" if key_label(kind.key) in keys else kind.key
        color = kind.color if kind.color not in colors else next_free_color(colors)
        relation_types.append(replace(kind, key=key, color=color))
        keys.add(key_label(key))
        colors.append(color)
    return LabelSchema(incoming.name, tuple(labels), tuple(groups), tuple(relation_types))
