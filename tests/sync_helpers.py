"""Helpers for the sync tests: analysts' projects and a checksum of the server's rows."""

from __future__ import annotations

from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store
from desktop_app.core.store.sync_state import TRACKED, fields, normalized
from desktop_app.core.sync.server_tables import SYNCED_TABLES

SCHEMA = LabelSchema(
    "team",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Place", "span", "#a0c4ff", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
    ),
)
TEXTS = {
    "a1": "Nino met Amélie in Tbilisi 🇬🇪 on Monday.",
    "a2": "李明 flew from Cairo to Lagos.",
}


def project(path, uids=(), schema=True):
    """A project file with the team's schema and these articles."""
    store = Store.open(path)
    if schema:
        store.apply_schema(SCHEMA)
    if uids:
        store.add_articles([ArticleDraft(TEXTS[uid], uid) for uid in uids])
    return store


def article(store, uid):
    """The local id of the article `uid`."""
    return store.db.conn.execute("SELECT id FROM articles WHERE uid = ?", (uid,)).fetchone()[0]


def server_rows(team):
    """Every synced row on the server, as a project's sync_checksum() shows its own."""
    out = {}
    with team.connect("adam") as conn:
        for table in SYNCED_TABLES:
            if table.name not in TRACKED:
                continue
            names = fields(table.name)
            cols = ", ".join(f'"{n}"' for n in names)
            rows = conn.execute(f"SELECT {cols} FROM marginalia.{table.name}").fetchall()
            out[table.name] = sorted(
                tuple(normalized(table.name, dict(zip(names, r, strict=True))).values())
                for r in rows
            )
    return out


def live_annotations(rows):
    """The live spans, tags, statuses and relations of a checksum (what must converge)."""
    return {
        table: [r for r in rows[table] if not r[-1]]
        for table in ("spans", "tags", "statuses", "relations")
    }


def converged(team, *stores):
    """Every project's live annotations equal the server's."""
    want = live_annotations(server_rows(team))
    return all(live_annotations(s.sync_checksum()) == want for s in stores)


def uids(store):
    """The uids of the project's articles."""
    return {r[0] for r in store.db.conn.execute("SELECT uid FROM articles")}
