"""The set-based pull (store/sync_bulk.py) leaves the same project as the per-row one."""

import random
import shutil

import pytest
from sync_helpers import article, project, server_rows

from desktop_app.core.model import ArticleDraft, RelationType
from desktop_app.core.store import Store, sync_state
from desktop_app.core.store.integrity import DERIVED_COUNTS
from desktop_app.core.sync import client
from desktop_app.core.sync.client import sync

WORDS = ("Nino", "met", "Amélie", "in", "Tbilisi", "🇬🇪", "李明", "flew", "to", "Lagos")


def _text(rng):
    return " ".join(rng.choice(WORDS) for _ in range(40))


def _ana_corpus(ana, rng):
    """Articles with spans (some deleted), tags, statuses and relations by ana."""
    ana.set_relation_types([RelationType("knows")])
    uids = [f"n{i}" for i in range(30)] + ["x", "gone"]
    ana.add_articles([ArticleDraft(_text(rng), uid, title=f"T {uid}") for uid in uids])
    spans = []
    for uid in uids:
        text = ana.article(article(ana, uid)).text
        for k in range(10):
            start = rng.randrange(0, len(text) - 6)
            label = rng.choice(["Person", "Place"])
            end = start + rng.randrange(1, 6)
            spans.append(ana.add_span(article(ana, uid), start, end, label, "ana", note=f"n{k}"))
        ana.set_tag(article(ana, uid), "Energy", "ana", True)
        ana.set_status(article(ana, uid), "ana", rng.choice(["in progress", "done"]))
    for span in spans[::9]:
        ana.update_span(span.uuid, deleted=True)
    for first, second in zip(spans[1::20], spans[2::20], strict=False):
        if not (ana.span(first.uuid).deleted or ana.span(second.uuid).deleted):
            ana.add_relation("knows", first.uuid, second.uuid, "ana")
    return spans


def _edits(ana, spans, rng):
    """A second round: notes and labels changed, spans deleted and restored, tags off."""
    for span in rng.sample(spans, 80):
        now = ana.span(span.uuid)
        choice = rng.random()
        if choice < 0.4:
            ana.update_span(span.uuid, note="edited " + str(rng.random()))
        elif choice < 0.6:
            ana.update_span(span.uuid, label="Place" if now.label == "Person" else "Person")
        else:
            ana.update_span(span.uuid, deleted=not now.deleted)
    for uid in ("n1", "n2", "n3"):
        ana.set_tag(article(ana, uid), "Energy", "ana", False)
        ana.set_status(article(ana, uid), "ana", "todo")


def _state(store):
    """Everything a pull writes: synced rows, marks, counts, labels, annotators, index."""
    conn = store.db.conn
    derived = {
        table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall()) for table in DERIVED_COUNTS
    }
    return {
        "rows": store.sync_checksum(),
        "marks": sorted(conn.execute("SELECT tbl, key, version, dirty FROM sync_rows")),
        "derived": derived,
        "labels": sorted(conn.execute("SELECT name, kind, color, position FROM labels")),
        "annotators": sorted(r[0] for r in conn.execute("SELECT name FROM annotators")),
        "found": sorted(
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Tbilisi'"
            )
        ),
        "history": sorted(
            conn.execute("SELECT uuid, label, note, deleted FROM annotation_history")
        ),
    }


def _same(want, got):
    """Equal states, or the first part and rows that differ."""
    for part, rows in want.items():
        if isinstance(rows, dict):
            for name, value in rows.items():
                extra = sorted(set(got[part][name]) - set(value))[:3]
                missing = sorted(set(value) - set(got[part][name]))[:3]
                assert value == got[part][name], (part, name, "extra", extra, "missing", missing)
        else:
            assert rows == got[part], (part, sorted(set(got[part]) ^ set(rows))[:6])


def _summary(report):
    return (report.pulled, sorted(report.problems), sorted(c.key for c in report.conflicts))


@pytest.mark.parametrize("chunk", [1000, 7])  # the count triggers replaced, and kept (< 100)
def test_the_set_based_pull_leaves_the_same_project_as_the_per_row_one(
    pg_team, tmp_path, monkeypatch, chunk
):
    rng = random.Random(5)
    ana = project(tmp_path / "ana.sqlite")
    # Two colleagues' projects alike: an article "x" of their own with another text.
    first = project(tmp_path / "bob-per_row.sqlite")
    first.add_articles([ArticleDraft(_text(random.Random(9)), "x")])
    first.set_relation_types([RelationType("knows")])
    # A tag of ana's here already: hers from the server clashes with it (one live tag per
    # article, annotator and label), so the set-based write of the tags falls back whole.
    first.set_tag(article(first, "x"), "Energy", "ana", True)
    first.close()
    shutil.copy(tmp_path / "bob-per_row.sqlite", tmp_path / "bob-set_based.sqlite")
    bobs = {way: Store.open(tmp_path / f"bob-{way}.sqlite") for way in ("per_row", "set_based")}
    try:
        spans = _ana_corpus(ana, rng)
        assert sync(ana, pg_team.url("ana")).pushed >= 330
        # The article "gone" is a tombstone on the server, its spans not (triggers off, so
        # no server migration takes them down with it): they have no article here.
        with pg_team.server.admin(pg_team.database) as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute("UPDATE marginalia.articles SET deleted = true WHERE uid = 'gone'")
        written = []
        real = type(ana)._apply_set_based

        def counted(self, *args):
            done = real(self, *args)
            written.append(done[0])
            return done

        monkeypatch.setattr(type(ana), "_apply_set_based", counted)
        reports = {}
        for round_ in range(2):
            written.clear()
            for way, bob in bobs.items():
                monkeypatch.setattr(sync_state, "BULK_FROM", 10**9 if way == "per_row" else 1)
                monkeypatch.setattr(client, "PULL_CHUNK", chunk)
                reports[way] = sync(bob, pg_team.url("bob"))
            assert _summary(reports["per_row"]) == _summary(reports["set_based"])
            _same(_state(bobs["per_row"]), _state(bobs["set_based"]))
            if round_ == 0:
                problems = reports["set_based"].problems
                assert any("quote is not this project's text" in p for p in problems)
                assert any("its article gone is not in this project" in p for p in problems)
                assert any(p.startswith("articles x: the server's text differs") for p in problems)
                assert any(p.startswith("tags ") and "UNIQUE" in p for p in problems)
                assert reports["set_based"].pulled > 300
                assert sum(written) > 300  # not a fallback to the per-row path
                _edits(ana, spans, rng)
                assert sync(ana, pg_team.url("ana")).pushed > 80
            else:
                assert reports["set_based"].pulled > 60 and sum(written) > 40
        for bob in bobs.values():
            assert bob.check(full=True) == []
        # Everything the server has that the project could take, it has.
        mine = {r[0] for r in bobs["set_based"].sync_checksum()["spans"]}
        assert mine == {r[0] for r in server_rows(pg_team)["spans"] if r[2] not in ("x", "gone")}
    finally:
        ana.close()
        for bob in bobs.values():
            bob.close()
