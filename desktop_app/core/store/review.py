"""What team review reads and writes: agreement input and the adjudicated layer."""

from __future__ import annotations

import json
from collections.abc import Sequence

from desktop_app.core.agreement import AgreementInput, RelationUnit, SpanUnit, TagUnit
from desktop_app.core.fragments import to_json
from desktop_app.core.model import (
    ADJUDICATED,
    DOCUMENT,
    RELATION,
    SPAN,
    Decision,
    DocumentTag,
    Relation,
    RelationType,
    Span,
)
from desktop_app.core.store.annotations import AnnotationsMixin
from desktop_app.core.store.base import (
    _SPAN_COLUMNS,
    _TAG_COLUMNS,
    StoreError,
    _serialized,
    new_uuid,
    now,
)


class ReviewMixin(AnnotationsMixin):
    """Agreement data over the articles that two or more of the compared annotators coded."""

    @_serialized
    def agreement_input(self, annotators: Sequence[str] = ()) -> AgreementInput:
        """Spans, tags, coded articles and text lengths for `annotators` (default: every coder).

        An annotator coded an article when they left an annotation or relation on it (kept or
        deleted) or set its status beyond "todo": an article they read and left untagged is data
        ("not tagged"), one they never opened is missing.
        """
        known = [row[0] for row in self.db.conn.execute("SELECT name FROM annotators")]
        # By default every coder; adjudicated layers are verdicts, compared only when named.
        layers = {
            row[0] for row in self.db.conn.execute("SELECT DISTINCT layer FROM adjudications")
        }
        chosen = list(dict.fromkeys(annotators)) or sorted(
            name for name in known if name not in layers and self._has_work(name)
        )
        unknown = [name for name in chosen if name not in known]
        if unknown:
            raise StoreError(f"no annotator named {', '.join(map(repr, unknown))} in this project")
        if not chosen:
            return AgreementInput((), {}, {}, (), ())
        marks = ", ".join("?" for _ in chosen)
        # Read into Python, not into a TEMP table: a reading command must work beside a
        # writer and on read-only media, where every write (TEMP ones too) is refused.
        coded = self.db.conn.execute(
            "SELECT DISTINCT article, annotator FROM ("
            f"SELECT article, annotator FROM spans WHERE annotator IN ({marks}) "
            f"UNION ALL SELECT article, annotator FROM document_tags WHERE annotator IN ({marks}) "
            f"UNION ALL SELECT article, annotator FROM relations WHERE annotator IN ({marks}) "
            "UNION ALL SELECT article, annotator FROM article_status "
            f"WHERE status != 'todo' AND annotator IN ({marks}))",
            [*chosen, *chosen, *chosen, *chosen],
        ).fetchall()
        return self._agreement_rows(tuple(chosen), coded)

    @_serialized
    def sample_frame(self, by: str) -> list[tuple[int, str]]:
        """Every article as (id, stratum) in id order; stratum by source, first tag or none."""
        if by == "source":
            sql = (
                "SELECT id, CASE WHEN source = '' THEN '(no source)' ELSE source END FROM articles"
            )
        elif by == "tag":
            # An article's stratum is its alphabetically first live document tag (anyone's).
            sql = (
                "SELECT a.id, ifnull((SELECT min(t.label) FROM document_tags t "
                "WHERE t.article = a.id AND t.deleted = 0), '(no tag)') FROM articles a"
            )
        else:
            sql = "SELECT id, '' FROM articles"
        return [(int(i), str(s)) for i, s in self.db.conn.execute(sql + " ORDER BY 1")]

    def _has_work(self, name: str) -> bool:
        return bool(
            self._one("SELECT 1 FROM spans WHERE annotator = ? LIMIT 1", (name,))
            or self._one("SELECT 1 FROM document_tags WHERE annotator = ? LIMIT 1", (name,))
            or self._one("SELECT 1 FROM relations WHERE annotator = ? LIMIT 1", (name,))
        )

    def _agreement_rows(
        self, chosen: tuple[str, ...], pairs: list[tuple[int, str]]
    ) -> AgreementInput:
        # Only articles two or more of them coded can show agreement or disagreement.
        coders: dict[int, set[str]] = {}
        for article, annotator in pairs:
            coders.setdefault(article, set()).add(annotator)
        ids = sorted(article for article, names in coders.items() if len(names) > 1)
        # The shared ids travel as one JSON parameter (no limit on their number, no writes).
        shared = "SELECT value FROM json_each(?)"
        uids = dict(
            self.db.conn.execute(
                f"SELECT id, uid FROM articles WHERE id IN ({shared})", (json.dumps(ids),)
            ).fetchall()
        )
        coded: dict[str, set[str]] = {name: set() for name in chosen}
        for article in ids:
            for annotator in coders[article]:
                coded[annotator].add(uids[article])
        ids_json = json.dumps(ids)
        # length() stops at a U+0000: a text holding one is measured in Python.
        lengths = {
            uid: int(length) if text is None else len(text)
            for uid, length, text in self.db.conn.execute(
                "SELECT uid, length(text), CASE WHEN instr(CAST(text AS BLOB), x'00') > 0 "
                f"THEN text END FROM articles WHERE id IN ({shared})",
                (ids_json,),
            )
        }
        marks = ", ".join("?" for _ in chosen)
        spans = tuple(
            SpanUnit(uids[article], annotator, label, start, end)
            for article, annotator, label, start, end in self.db.conn.execute(
                'SELECT article, annotator, label, start, "end" FROM spans '
                f"WHERE deleted = 0 AND annotator IN ({marks}) AND article IN ({shared}) "
                "ORDER BY article, start",
                (*chosen, ids_json),
            )
        )
        tags = tuple(
            TagUnit(uids[article], annotator, label)
            for article, annotator, label in self.db.conn.execute(
                "SELECT article, annotator, label FROM document_tags "
                f"WHERE deleted = 0 AND annotator IN ({marks}) AND article IN ({shared})",
                (*chosen, ids_json),
            )
        )
        relations = tuple(
            RelationUnit(
                uids[article], annotator, kind, bool(directed),
                SpanUnit(uids[article], f_who, f_label, f_start, f_end),
                SpanUnit(uids[article], t_who, t_label, t_start, t_end),
            )
            for article, annotator, kind, directed, f_who, f_label, f_start, f_end, t_who,
            t_label, t_start, t_end in self.db.conn.execute(
                "SELECT r.article, r.annotator, r.type, ifnull(rt.directed, 1), f.annotator, "
                'f.label, f.start, f."end", t.annotator, t.label, t.start, t."end" '
                "FROM relations r JOIN spans f ON f.uuid = r.from_span "
                "JOIN spans t ON t.uuid = r.to_span "
                "LEFT JOIN relation_types rt ON rt.name = r.type "
                f"WHERE r.deleted = 0 AND r.annotator IN ({marks}) AND r.article IN ({shared}) "
                "ORDER BY r.article, r.created_at, r.rowid",
                (*chosen, ids_json),
            )
        )  # fmt: skip
        return AgreementInput(
            chosen, {name: frozenset(v) for name, v in coded.items()}, lengths, spans, tags,
            relations,
        )  # fmt: skip

    @_serialized
    def annotator_activity(self) -> list[tuple[str, int]]:
        """(annotator, live annotations) of everyone who annotated something, most first."""
        return [
            (row[0], int(row[1]))
            for row in self.db.conn.execute(
                "SELECT annotator, sum(n) AS total FROM article_annotators GROUP BY annotator "
                "HAVING total > 0 ORDER BY total DESC, annotator"
            )
        ]


class AdjudicationMixin(ReviewMixin):
    """The adjudicated layer: a reviewer's accepted items as spans and tags of their own."""

    @_serialized
    def decisions(self, article_id: int, layer: str = ADJUDICATED) -> dict[str, Decision]:
        """Every decision taken on the article for `layer`, by item key."""
        rows = self.db.conn.execute(
            "SELECT item_key, decision, source_uuid, result_uuid, decided_by, decided_at "
            "FROM adjudications WHERE article = ? AND layer = ?",
            (article_id, layer),
        ).fetchall()
        return {row[0]: Decision._make(row) for row in rows}

    @_serialized
    def decide(
        self,
        article_id: int,
        choices: Sequence[tuple[str, str, Span | DocumentTag | Relation | None]],
        reviewer: str,
        layer: str = ADJUDICATED,
    ) -> list[Decision]:
        """Record decisions (item key, kind, the accepted annotation or None to reject).

        All in one transaction. An accepted span or tag is copied into `layer` (or linked to
        the identical one already there); changing a decision withdraws what the earlier one
        put in the layer. An accepted relation links the layer's spans at its ends' places,
        so its ends must be in the layer first (accepted earlier, or earlier in `choices`):
        otherwise StoreError says which end to decide, and nothing is recorded.
        """
        if not layer.strip() or layer == reviewer:
            raise StoreError("the adjudicated layer needs a name of its own")
        if any(chosen is not None and chosen.annotator == layer for _, _, chosen in choices):
            raise StoreError(
                f"{layer!r} is one of the compared annotators; decisions need a layer of their own"
            )
        decided: list[Decision] = []
        with self.db.atomic():
            self._ensure_annotator(layer)
            for item_key, kind, chosen in choices:
                self._withdraw(article_id, item_key, layer)
                result, created = (
                    (None, False) if chosen is None else self._copy_into(article_id, chosen, layer)
                )
                decision = Decision(
                    item_key,
                    "rejected" if chosen is None else "accepted",
                    None if chosen is None else chosen.uuid,
                    result,
                    reviewer,
                    now(),
                )
                self.db.execute(
                    "INSERT INTO adjudications (layer, item_key, article, kind, decision, "
                    "source_uuid, result_uuid, created, decided_by, decided_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (layer, item_key, article_id, kind, *decision[1:4], int(created),
                     *decision[4:]),
                )  # fmt: skip
                decided.append(decision)
        return decided

    @_serialized
    def undecide(self, article_id: int, item_key: str, layer: str = ADJUDICATED) -> bool:
        """Take a decision back (and what it put in the layer); True if there was one."""
        with self.db.atomic():
            return self._withdraw(article_id, item_key, layer)

    def _withdraw(self, article_id: int, item_key: str, layer: str) -> bool:
        row = self.db.conn.execute(
            "SELECT kind, result_uuid, created FROM adjudications WHERE layer = ? AND item_key = ?",
            (layer, item_key),
        ).fetchone()
        if row is None:
            return False
        self.db.execute(
            "DELETE FROM adjudications WHERE layer = ? AND item_key = ?", (layer, item_key)
        )
        kind, result, created = row
        # Only what this decision made is taken back (not a span the layer already had),
        # and not while another decision accepted the same text into it.
        shared = self._one(
            "SELECT 1 FROM adjudications WHERE layer = ? AND result_uuid = ?", (layer, result)
        )
        if result is not None and created and not shared:
            table = {SPAN: "spans", DOCUMENT: "document_tags", RELATION: "relations"}[kind]
            self.db.execute(
                f"UPDATE {table} SET deleted = 1, updated_at = ? WHERE uuid = ? AND deleted = 0",
                (now(), result),
            )
            if kind == SPAN:
                # The layer's relations on that span went with it (a trigger): the decisions
                # that made them are open again rather than "accepted" with nothing behind.
                self.db.execute(
                    "DELETE FROM adjudications WHERE layer = ? AND kind = ? AND result_uuid IN "
                    "(SELECT uuid FROM relations WHERE deleted = 1 AND annotator = ? "
                    "AND (from_span = ? OR to_span = ?))",
                    (layer, RELATION, layer, result, result),
                )
        return True

    def _copy_into(
        self, article_id: int, chosen: Span | DocumentTag | Relation, layer: str
    ) -> tuple[str, bool]:
        """The layer's annotation for `chosen` (made now, or the identical one already there)
        and whether it was made now."""
        stamp = now()
        if isinstance(chosen, Relation):
            return self._copy_relation(article_id, chosen, layer)
        if isinstance(chosen, Span):
            fragments = to_json(chosen.fragments)
            found = self._one(
                "SELECT uuid FROM spans WHERE article = ? AND annotator = ? AND start = ? "
                'AND "end" = ? AND label = ? AND fragments = ? AND deleted = 0',
                (article_id, layer, chosen.start, chosen.end, chosen.label, fragments),
            )
            if found:
                # Made by an earlier decision of this layer counts as made here too.
                return str(found), self._made_by_decision(layer, str(found))
            uuid = new_uuid()
            self.db.execute(
                f"INSERT INTO spans ({_SPAN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,0,?)",
                (uuid, article_id, layer, chosen.label, chosen.start, chosen.end, chosen.quote,
                 chosen.note, stamp, stamp, fragments),
            )  # fmt: skip
            return uuid, True
        found = self._one(
            "SELECT uuid FROM document_tags WHERE article = ? AND annotator = ? AND label = ? "
            "AND deleted = 0",
            (article_id, layer, chosen.label),
        )
        if found:
            return str(found), self._made_by_decision(layer, str(found))
        uuid = new_uuid()
        self.db.execute(
            f"INSERT INTO document_tags ({_TAG_COLUMNS}) VALUES (?,?,?,?,?,?,?,0)",
            (uuid, article_id, layer, chosen.label, chosen.note, stamp, stamp),
        )
        return uuid, True

    def _copy_relation(self, article_id: int, chosen: Relation, layer: str) -> tuple[str, bool]:
        """The layer's relation for `chosen`, between the layer's spans at its ends' places
        (same boundaries, the same label preferred); StoreError when an end has none."""
        ends = []
        for side, end in (("from", chosen.from_span), ("to", chosen.to_span)):
            row = self.db.conn.execute(
                'SELECT start, "end", label, quote FROM spans WHERE uuid = ?', (end,)
            ).fetchone()
            if row is None:
                raise StoreError(f"the relation's {side} span {end} is not in this project")
            found = self.db.conn.execute(
                "SELECT uuid, label FROM spans WHERE article = ? AND annotator = ? AND start = ? "
                'AND "end" = ? AND deleted = 0 ORDER BY label != ?, created_at LIMIT 1',
                (article_id, layer, row[0], row[1], row[2]),
            ).fetchone()
            if found is None:
                raise StoreError(
                    f"decide the span “{row[3]}” ({row[0]}–{row[1]}) first: an accepted "
                    f"relation links {layer}'s spans, and its {side} end is not in {layer} yet"
                )
            ends.append((str(found[0]), str(found[1])))
        rule = self.db.conn.execute(
            "SELECT directed, from_labels, to_labels FROM relation_types WHERE name = ?",
            (chosen.type,),
        ).fetchone()
        if rule is not None:
            kind = RelationType(
                chosen.type, directed=bool(rule[0]), from_labels=tuple(json.loads(rule[1])),
                to_labels=tuple(json.loads(rule[2])),
            )  # fmt: skip
            if not kind.allows(ends[0][1], ends[1][1]):
                raise StoreError(
                    f"{chosen.type} does not link {ends[0][1]} to {ends[1][1]}: {layer}'s "
                    "spans there have other labels; decide them first"
                )
        found_relation = self._one(
            "SELECT uuid FROM relations WHERE article = ? AND annotator = ? AND type = ? "
            "AND from_span = ? AND to_span = ? AND deleted = 0",
            (article_id, layer, chosen.type, ends[0][0], ends[1][0]),
        )
        if found_relation:
            return str(found_relation), self._made_by_decision(layer, str(found_relation))
        uuid = new_uuid()
        stamp = now()
        self.db.execute(
            "INSERT INTO relations (uuid, article, annotator, type, from_span, to_span, note, "
            "created_at, updated_at, deleted) VALUES (?,?,?,?,?,?,?,?,?,0)",
            (uuid, article_id, layer, chosen.type, ends[0][0], ends[1][0], chosen.note, stamp,
             stamp),
        )  # fmt: skip
        return uuid, True

    def _made_by_decision(self, layer: str, uuid: str) -> bool:
        return bool(
            self._one(
                "SELECT 1 FROM adjudications WHERE layer = ? AND result_uuid = ? AND created = 1",
                (layer, uuid),
            )
        )
