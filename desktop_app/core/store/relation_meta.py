"""Turn relations an import kept as article metadata into real relations (migration 14).

Before relations were a table, a doccano record's `relations` list (or any JSONL record's)
stayed whole in the article's meta. An entry becomes a relation only where both of its ends
are known live spans of the article, so nothing is ever linked to the wrong span:

- `from_id`/`to_id` (or `from`/`to`) that are span uuids of the article: taken as they are;
- integer ids (doccano numbers the entities of a record 0, 1, 2… in the import format): taken
  as positions among the article's spans in import order, only when every span of the
  article is live and by one annotator (one import, nothing edited away) and every integer
  id of the article's list is a position there; doccano's export numbers entities across a
  whole project, and such ids fall outside and stay.

Every other entry stays in the metadata as it was (brat's `R` and `*` lines name T ids whose
lines were not kept: re-importing the .ann files brings those in). A type not in the schema
is added to it (directed, any labels at either end) with a colour of its own.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from desktop_app.core.schema import LabelNameError, check_label_name, next_free_color
from desktop_app.core.store.base import now, relation_identity


def _end(item: dict[str, Any], *names: str) -> object:
    return next((item[name] for name in names if name in item), None)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _resolve(
    item: object, uuids: dict[str, str], order: list[str] | None
) -> tuple[str, str, str] | None:
    """(type, from uuid, to uuid) for a meta relation whose ends are known, else None."""
    if not isinstance(item, dict):
        return None
    kind = item.get("type") or item.get("label")
    if not isinstance(kind, str):
        return None
    try:
        kind = check_label_name(kind)
    except LabelNameError:
        return None
    ends = [_end(item, "from_id", "from"), _end(item, "to_id", "to")]
    found: list[str] = []
    for end in ends:
        if isinstance(end, str) and end in uuids:
            found.append(end)
        elif _is_int(end) and order is not None:
            found.append(order[int(str(end))])
        else:
            return None
    if found[0] == found[1]:
        return None
    return kind, found[0], found[1]


def convert_meta_relations(db: Database) -> int:
    """Make real relations of the metadata relations whose ends are spans; how many."""
    conn = db.conn
    made = 0
    types = {str(row[0]) for row in conn.execute("SELECT name FROM relation_types")}
    colors = [str(row[0]) for row in conn.execute("SELECT color FROM relation_types")]
    rows = conn.execute(
        "SELECT id, uid, meta FROM articles WHERE meta LIKE '%\"relations\"%'"
    ).fetchall()
    for article_id, uid, raw in rows:
        try:
            meta = json.loads(raw)
        except ValueError:
            continue
        listed = meta.get("relations") if isinstance(meta, dict) else None
        if not isinstance(listed, list):
            continue
        spans = conn.execute(
            "SELECT uuid, annotator, deleted FROM spans WHERE article = ? ORDER BY rowid",
            (article_id,),
        ).fetchall()
        live = {str(u): str(a) for u, a, deleted in spans if not deleted}
        numbers = [
            int(str(end))
            for item in listed
            if isinstance(item, dict)
            for end in (_end(item, "from_id", "from"), _end(item, "to_id", "to"))
            if _is_int(end)
        ]
        one_import = len(live) == len(spans) and len(set(live.values())) == 1
        positional = one_import and all(0 <= n < len(spans) for n in numbers)
        order = [str(row[0]) for row in spans] if positional else None
        kept = []
        for item in listed:
            resolved = _resolve(item, live, order)
            if resolved is None:
                kept.append(item)
                continue
            kind, from_span, to_span = resolved
            if kind not in types:
                color = next_free_color(colors)
                conn.execute(
                    "INSERT INTO relation_types (name, color, position) VALUES (?, ?, ?)",
                    (kind, color, len(types)),
                )
                types.add(kind)
                colors.append(color)
            annotator = live[from_span]
            stamp = now()
            uuid = relation_identity(str(uid), annotator, kind, from_span, to_span)
            note = item.get("note") if isinstance(item.get("note"), str) else ""
            made += conn.execute(
                "INSERT OR IGNORE INTO relations (uuid, article, annotator, type, from_span, "
                "to_span, note, created_at, updated_at, deleted) VALUES (?,?,?,?,?,?,?,?,?,0)",
                (uuid, article_id, annotator, kind, from_span, to_span, note, stamp, stamp),
            ).rowcount
        if len(kept) == len(listed):
            continue
        if kept:
            meta["relations"] = kept
        else:
            del meta["relations"]
        conn.execute(
            "UPDATE articles SET meta = ? WHERE id = ?",
            (json.dumps(meta, ensure_ascii=False), article_id),
        )
    return made
