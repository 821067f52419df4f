"""Project settings, labels and annotators in the project file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from desktop_app.core.model import DOCUMENT, SPAN, Label, LabelSchema
from desktop_app.core.schema import (
    LabelNameError,
    canonical_label,
    check_label_name,
    key_label,
    next_free_color,
)
from desktop_app.core.store.base import StoreBase, StoreError, _serialized, now

# Annotator colours start after the first palette colours, which label schemas use most.
REVIEW_AVOID = ("#ffadad", "#ffd6a5", "#fdffb6")
# The project-table key holding the exclusive tag groups (a JSON list): a setting, not a
# column, so no migration is needed and older projects simply have none.
EXCLUSIVE_KEY = "exclusive_tag_groups"


class LabelsMixin(StoreBase):
    """The store's settings, labels and annotators."""

    # ----------------------------------------------------------------- project settings

    @_serialized
    def setting(self, key: str, default: str = "") -> str:
        """A project-wide setting (such as the schema's name)."""
        value = self._one("SELECT value FROM project WHERE key = ?", (key,))
        return default if value is None else str(value)

    @_serialized
    def set_setting(self, key: str, value: str) -> None:
        """Store a project-wide setting."""
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ----------------------------------------------------------------- labels

    @_serialized
    def labels(self, kind: str | None = None) -> list[Label]:
        """The project's labels in palette order, optionally only one kind."""
        sql = "SELECT name, kind, color, key, label_group, description FROM labels"
        params: tuple[str, ...] = ()
        if kind is not None:
            sql += " WHERE kind = ?"
            params = (kind,)
        rows = self.db.conn.execute(sql + " ORDER BY position, rowid", params).fetchall()
        return [Label(*row) for row in rows]

    @_serialized
    def apply_schema(self, schema: LabelSchema) -> list[str]:
        """Make the project's labels those of `schema`; return labels kept because in use.

        Labels that annotations still use are never dropped, so no annotation loses its label.
        A project that had labels is backed up first (a schema change).
        """
        if self.path is not None and self._one("SELECT 1 FROM labels LIMIT 1"):
            self.backup("schema-change")
        with self.db.atomic():
            self._take_schema_spellings(schema)
            for label in schema.labels:
                kind = self._one("SELECT kind FROM labels WHERE name = ?", (label.name,))
                if kind not in (None, label.kind) and self._label_in_use(label.name):
                    raise StoreError(
                        f"{label.name!r} is a {kind} label with annotations; "
                        f"it cannot become a {label.kind} label"
                    )
            for position, label in enumerate(schema.labels):
                self._upsert_label(label, position)
            names = [label.name for label in schema.labels]
            marks = ", ".join("?" for _ in names) or "''"
            stale = [
                row[0]
                for row in self.db.conn.execute(
                    f"SELECT name FROM labels WHERE name NOT IN ({marks})", names
                )
            ]
            kept = []
            keys = {key_label(label.key) for label in schema.labels if label.key}
            colors = {(label.kind, label.color) for label in schema.labels}
            for name in stale:
                if self._label_in_use(name):
                    kept.append(name)
                    # A kept label must not steal a key the new schema gives another label,
                    # nor share a colour with one of its kind (they would read as one).
                    key, kind, color = self.db.conn.execute(
                        "SELECT key, kind, color FROM labels WHERE name = ?", (name,)
                    ).fetchone()
                    if key and key_label(str(key)) in keys:
                        self.db.execute("UPDATE labels SET key = '' WHERE name = ?", (name,))
                    if (kind, color) in colors:
                        used = [c for k, c in colors if k == kind]
                        color = next_free_color(used)
                        self.db.execute("UPDATE labels SET color = ? WHERE name = ?", (color, name))
                    colors.add((kind, color))
                else:
                    self.db.execute("DELETE FROM labels WHERE name = ?", (name,))
            self.db.execute(
                "INSERT INTO project (key, value) VALUES ('schema_name', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (schema.name,),
            )
            self.db.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (EXCLUSIVE_KEY, json.dumps(list(schema.exclusive_groups))),
            )
        return kept

    @_serialized
    def exclusive_groups(self) -> set[str]:
        """The document tag groups where an annotator holds one tag at most."""
        value = self._one("SELECT value FROM project WHERE key = ?", (EXCLUSIVE_KEY,))
        try:
            groups = json.loads(str(value)) if value else []
        except ValueError:
            return set()  # a hand-edited value: no group is exclusive rather than a crash
        return {g for g in groups if isinstance(g, str)} if isinstance(groups, list) else set()

    @_serialized
    def annotation_counts(self) -> dict[str, int]:
        """How many live annotations (spans and tags, everyone's) use each label."""
        rows = self.db.conn.execute(
            "SELECT label, count(*) FROM (SELECT label FROM spans WHERE deleted = 0 "
            "UNION ALL SELECT label FROM document_tags WHERE deleted = 0) GROUP BY label"
        )
        return {str(name): int(count) for name, count in rows}

    @_serialized
    def schema(self) -> LabelSchema:
        """The project's labels as a schema (what Labels > Save schema as… writes)."""
        name = self.setting("schema_name") or "Labels"
        groups = self.exclusive_groups()
        ordered = []
        for label in self.labels():  # the groups in the order the tags list them
            if label.group in groups and label.group not in ordered:
                ordered.append(label.group)
        # Spans first, then tags, as a schema file lists them (and parse_schema reads them).
        labels = [*self.labels(SPAN), *self.labels(DOCUMENT)]
        return LabelSchema(name, tuple(labels), tuple(ordered))

    def _take_schema_spellings(self, schema: LabelSchema) -> None:
        """Rename each label here that is a schema label in another case ("PERSON" for the
        schema's "Person"), with its annotations: one name is one label (core.schema)."""
        names = [str(row[0]) for row in self.db.conn.execute("SELECT name FROM labels")]
        wanted = {label.name for label in schema.labels}
        for label in schema.labels:
            here = canonical_label(label.name, [n for n in names if n not in wanted])
            if here == label.name or label.name in names:
                continue  # not here, or here as spelled (a project holding both keeps both)
            kind = self._one("SELECT kind FROM labels WHERE name = ?", (here,))
            if kind != label.kind and self._label_in_use(here):
                raise StoreError(
                    f"{here!r} is a {kind} label with annotations; "
                    f"it cannot become the {label.kind} label {label.name!r}"
                )
            self.db.execute("UPDATE labels SET name = ? WHERE name = ?", (label.name, here))
            for table in ("spans", "document_tags"):
                self.db.execute(f"UPDATE {table} SET label = ? WHERE label = ?", (label.name, here))
            names[names.index(here)] = label.name

    def _label_in_use(self, name: str) -> bool:
        return bool(
            self._one("SELECT 1 FROM spans WHERE label = ? LIMIT 1", (name,))
            or self._one("SELECT 1 FROM document_tags WHERE label = ? LIMIT 1", (name,))
        )

    def _upsert_label(self, label: Label, position: int | None = None) -> None:
        if position is None:
            position = int(self._one("SELECT ifnull(max(position), -1) + 1 FROM labels"))
        self.db.execute(
            "INSERT INTO labels (name, kind, color, key, label_group, description, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, "
            "color = excluded.color, key = excluded.key, label_group = excluded.label_group, "
            "description = excluded.description, position = excluded.position",
            (
                label.name,
                label.kind,
                label.color,
                label.key,
                label.group,
                label.description,
                position,
            ),
        )

    @_serialized
    def save_label(self, label: Label, old_name: str | None = None) -> None:
        """Add a label, or edit one (renaming it renames it on every annotation too).

        The name follows core.schema's rule: cleaned, and refused when no project may hold
        it or when it reads as another label (the same letters in another case).
        """
        try:
            label = replace(label, name=check_label_name(label.name))
        except LabelNameError as error:
            raise StoreError(str(error)) from None
        with self.db.atomic():
            names = [str(row[0]) for row in self.db.conn.execute("SELECT name FROM labels")]
            if (old_name or label.name) != label.name or label.name not in names:
                # A new name (a new label, or a rename): it may not read as another label.
                others = [name for name in names if name != old_name]
                same = canonical_label(label.name, others)
                if same in others:
                    raise StoreError(f"a label named {same!r} already exists")
            if old_name is not None and old_name != label.name:
                position = self._one("SELECT position FROM labels WHERE name = ?", (old_name,))
                if position is None:
                    raise StoreError(f"no label named {old_name!r}")
                self.db.execute("DELETE FROM labels WHERE name = ?", (old_name,))
                self._upsert_label(label, int(position))
                self.db.execute(
                    "UPDATE spans SET label = ? WHERE label = ?", (label.name, old_name)
                )
                self.db.execute(
                    "UPDATE document_tags SET label = ? WHERE label = ?", (label.name, old_name)
                )
            else:
                position = self._one("SELECT position FROM labels WHERE name = ?", (label.name,))
                self._upsert_label(label, None if position is None else int(position))

    @_serialized
    def add_labels(self, labels: Sequence[Label]) -> list[str]:
        """Add the labels the project lacks (a colleague's package); never change existing ones.

        Returns the names added. Names follow core.schema.check_label_name: one no project
        may hold is left out, a case variant of one of ours is ours. A key or colour another
        label already uses is dropped or replaced, so the palette stays unambiguous.
        """
        added = []
        with self.db.atomic():
            names = [row[0] for row in self.db.conn.execute("SELECT name FROM labels")]
            for label in labels:
                try:
                    name = check_label_name(label.name)
                except LabelNameError:
                    continue  # no project may hold it; annotations that use it are reported
                # "PERSON" beside "Person" would be two labels that read as one: ours stands.
                if canonical_label(name, names) in names:
                    continue
                names.append(name)
                label = replace(label, name=name)
                used = [row[0] for row in self.db.conn.execute("SELECT color FROM labels")]
                key_taken = label.key and self._one(
                    "SELECT 1 FROM labels WHERE lower(key) = lower(?)", (label.key,)
                )
                color = label.color if label.color not in used else next_free_color(used)
                self._upsert_label(
                    Label(
                        label.name,
                        label.kind,
                        color,
                        "" if key_taken else label.key,
                        label.group,
                        label.description,
                    )
                )
                added.append(label.name)
        return added

    def _ensure_label(self, name: str, kind: str) -> None:
        if self._one("SELECT 1 FROM labels WHERE name = ?", (name,)):
            return
        used = [row[0] for row in self.db.conn.execute("SELECT color FROM labels")]
        self._upsert_label(Label(name=name, kind=kind, color=next_free_color(used)))

    # ----------------------------------------------------------------- annotators

    @_serialized
    def annotators(self) -> list[str]:
        """Everyone who has annotated in this project, or been chosen as the annotator."""
        return [r[0] for r in self.db.conn.execute("SELECT name FROM annotators ORDER BY name")]

    @_serialized
    def ensure_annotator(self, name: str) -> None:
        """Record `name` as an annotator of this project."""
        if not name.strip():
            raise StoreError("an annotator needs a name")
        with self.db.atomic():
            self._ensure_annotator(name)

    @_serialized
    def annotator_colors(self) -> dict[str, str]:
        """Each annotator's colour for review; one is chosen (and kept) for those without."""
        rows = self.db.conn.execute("SELECT name, color FROM annotators ORDER BY name").fetchall()
        colors = {name: color for name, color in rows if color}
        missing = [name for name, color in rows if not color]
        if missing and self.read_only:  # chosen for this view only, not kept
            for name in missing:
                colors[name] = next_free_color([*colors.values(), *REVIEW_AVOID])
        elif missing:
            with self.db.atomic():
                for name in missing:
                    colors[name] = next_free_color([*colors.values(), *REVIEW_AVOID])
                    self.db.execute(
                        "UPDATE annotators SET color = ? WHERE name = ?", (colors[name], name)
                    )
        return colors

    def _ensure_annotator(self, name: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO annotators (name, created_at) VALUES (?, ?)", (name, now())
        )
