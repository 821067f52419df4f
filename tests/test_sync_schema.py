"""The team's label schema, its settings and article deletions on a real team server."""

import json

import psycopg
import pytest
from psycopg import errors
from sync_helpers import SCHEMA, TEXTS, article, live_annotations, project, server_rows, uids

from desktop_app import cli
from desktop_app.core.model import ArticleDraft, Label, LabelSchema, RelationType
from desktop_app.core.project import open_project
from desktop_app.core.schema import load_schema, schema_to_yaml
from desktop_app.core.sync.client import sync
from desktop_app.core.sync.server_admin import server_status
from desktop_app.core.sync.server_schema import init_server, seed_from_schema
from desktop_app.paths import default_schema_path


def labels_on(team):
    with team.connect("adam") as conn:
        rows = conn.execute(
            "SELECT name, color, deleted FROM marginalia.labels ORDER BY name"
        ).fetchall()
    return {name: (color, deleted) for name, color, deleted in rows}


def settings_on(team):
    with team.connect("adam") as conn:
        rows = conn.execute(
            "SELECT key, value FROM marginalia.schema_settings WHERE NOT deleted"
        ).fetchall()
    return dict(rows)


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- 1. init seeds the schema


def test_init_seeds_the_default_schema_and_an_analyst_syncing_first_is_not_refused(
    pg_server, pg_database, tmp_path, capsys
):
    from pg_server import Team

    admin = pg_server.url(pg_database)
    code, out, err = run(capsys, "server", "init", admin)
    assert code == 0, err
    default = load_schema(default_schema_path())
    assert f"label schema: {len(default.labels)} labels seeded" in out
    team = Team(pg_server, pg_database)  # init again (changes nothing) and the people
    assert set(labels_on(team)) == {label.name for label in default.labels}
    assert json.loads(settings_on(team)["exclusive_tag_groups"]) == list(default.exclusive_groups)
    # Ana's brand-new project has the default schema too: her first sync is clean.
    path = tmp_path / "ana.sqlite"
    store, _ = open_project(path, default_schema_path())
    store.close()
    code, out, err = run(capsys, "sync", team.url("ana"), "--db", path)
    assert code == 0, out + err
    assert "0 pulled" in out and "0 refused" in out  # the seed is exactly a new project's


def test_init_from_a_schema_file_or_a_project_and_again_keeps_the_adjudicators_changes(
    pg_server, pg_database, tmp_path, capsys
):
    from pg_server import Team

    admin = pg_server.url(pg_database)
    yaml = tmp_path / "team.yaml"
    yaml.write_text(schema_to_yaml(SCHEMA), encoding="utf-8")
    code, out, err = run(capsys, "server", "init", admin, "--schema", yaml, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["labels_seeded"] == 3 and report["schema_source"] == str(yaml)
    team = Team(pg_server, pg_database)
    assert set(labels_on(team)) == {"Person", "Place", "Energy"}
    # The adjudicator changes the schema; init again (even given another schema) keeps it.
    adam = project(tmp_path / "adam.sqlite")
    sync(adam, team.url("adam"))
    adam.save_label(Label("Person", "span", "#010203", "p"))
    assert sync(adam, team.url("adam")).refused == []
    other = project(tmp_path / "other.sqlite", schema=False)
    other.apply_schema(LabelSchema("other", (Label("Thing", "span", "#333333"),)))
    other.close()
    code, out, err = run(
        capsys, "server", "init", admin, "--from-project", tmp_path / "other.sqlite"
    )
    assert code == 0, err
    assert "kept" in out and "3 labels" in out
    assert labels_on(team)["Person"] == ("#010203", False) and "Thing" not in labels_on(team)
    assert server_status(admin).labels == {"span": 2, "document": 1}
    code, out, _ = run(capsys, "server", "status", team.url("ana"))
    assert "label schema: 2 span labels, 1 document tags" in out
    adam.close()


def test_init_from_a_project_seeds_its_labels_relation_types_and_groups(
    pg_server, pg_database, tmp_path, capsys
):
    source = project(tmp_path / "source.sqlite", schema=False)
    source.apply_schema(
        LabelSchema(
            "desk",
            (Label("Person", "span", "#ffadad"), Label("Yes", "document", "#caffbf", "", "Rel"),
             Label("No", "document", "#a0c4ff", "", "Rel")),
            ("Rel",),
            (RelationType("knows"),),
        )
    )  # fmt: skip
    source.close()
    report = init_server(pg_server.url(pg_database), schema=_schema_of(tmp_path / "source.sqlite"))
    assert report.labels_seeded == 3
    with psycopg.connect(pg_server.url(pg_database)) as conn:
        assert conn.execute("SELECT name FROM marginalia.relation_types").fetchall() == [("knows",)]
        settings = dict(conn.execute("SELECT key, value FROM marginalia.schema_settings"))
    assert json.loads(settings["exclusive_tag_groups"]) == ["Rel"]
    assert settings["schema_name"] == "desk"


def _schema_of(path):
    from desktop_app.core.sync.server_schema import seed_from_project

    return seed_from_project(path)


def test_init_refuses_a_missing_schema_file_naming_it(pg_server, pg_database, tmp_path, capsys):
    code, _, err = run(
        capsys, "server", "init", pg_server.url(pg_database), "--schema", tmp_path / "nope.yaml"
    )
    assert code == 1 and "nope.yaml" in err
    with psycopg.connect(pg_server.url(pg_database)) as conn:
        assert conn.execute("SELECT to_regnamespace('marginalia')").fetchone() == (None,)


def test_an_analysts_labels_the_server_lacks_are_reported_once_and_their_spans_pushed(
    pg_team, tmp_path, capsys, monkeypatch
):
    init_server(pg_team.admin_url, schema=seed_from_schema(SCHEMA, "test"))
    path = tmp_path / "ana.sqlite"
    ana = project(path, ["a1"])
    ana.add_labels([Label("Ana's own", "span", "#123456"), Label("Another", "span", "#654321")])
    span = ana.add_span(article(ana, "a1"), 0, 4, "Ana's own", "ana")
    ana.close()
    code, out, _ = run(capsys, "sync", pg_team.url("ana"), "--db", path)
    assert code == 1
    # One line names both labels and who can add them; the span went out all the same.
    lines = [line for line in out.splitlines() if "refused" in line and "labels" in line]
    assert len(lines) == 1, out
    assert "Ana's own" in lines[0] and "Another" in lines[0] and "adjudicator" in lines[0]
    assert span.uuid in {r[0] for r in server_rows(pg_team)["spans"]}
    monkeypatch.setenv("PGPASSWORD", pg_team.password("ana"))
    code, out, _ = run(capsys, "sync", "--db", path, "--json")
    assert code == 0 and json.loads(out)["refused"] == []  # reported once, not every sync
    # A colleague pulls the span and gets its label.
    bob = project(tmp_path / "bob.sqlite")
    sync(bob, pg_team.url("bob"))
    assert bob.span(span.uuid).label == "Ana's own"
    bob.close()


# ---------------------------------------------------------------- 2. schema settings


def test_exclusive_groups_and_the_schema_name_travel_from_the_adjudicator(pg_team, tmp_path):
    adam, ana = project(tmp_path / "adam.sqlite"), project(tmp_path / "ana.sqlite")
    try:
        sync(adam, pg_team.url("adam"))
        sync(ana, pg_team.url("ana"))
        grouped = LabelSchema(
            "team v2",
            (*SCHEMA.labels, Label("Yes", "document", "#111111", "", "Rel"),
             Label("No", "document", "#222222", "", "Rel")),
            ("Rel",),
        )  # fmt: skip
        adam.apply_schema(grouped)
        assert adam.sync_settings().pending >= 3  # two labels and the settings
        assert sync(adam, pg_team.url("adam")).refused == []
        assert json.loads(settings_on(pg_team)["exclusive_tag_groups"]) == ["Rel"]
        assert settings_on(pg_team)["schema_name"] == "team v2"
        sync(ana, pg_team.url("ana"))
        assert ana.exclusive_groups() == {"Rel"}
        assert ana.setting("schema_name") == "team v2"
        # An analyst's own change is refused and the team's stands.
        ana.set_setting("exclusive_tag_groups", "[]")
        report = sync(ana, pg_team.url("ana"))
        assert [(r.table, r.key) for r in report.refused] == [
            ("schema_settings", "exclusive_tag_groups")
        ]
        assert ana.exclusive_groups() == {"Rel"}
        assert sync(ana, pg_team.url("ana")).refused == []
        # Other project settings are no one else's business.
        adam.set_setting("samples_loaded", "1")
        assert sync(adam, pg_team.url("adam")).pushed == 0
        assert "samples_loaded" not in settings_on(pg_team)
    finally:
        adam.close()
        ana.close()


def test_an_analyst_cannot_write_schema_settings_with_plain_sql(pg_team):
    with pg_team.connect("ana") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO marginalia.schema_settings (key, value) VALUES ('schema_name', 'x')"
        )
    with pg_team.connect("adam") as conn, pytest.raises(errors.CheckViolation):
        conn.execute(
            "INSERT INTO marginalia.schema_settings (key, value) "
            "VALUES ('exclusive_tag_groups', '{}')"
        )


def test_a_label_shortcut_change_travels(pg_team, tmp_path):
    adam, bob = project(tmp_path / "adam.sqlite"), project(tmp_path / "bob.sqlite")
    try:
        sync(adam, pg_team.url("adam"))
        sync(bob, pg_team.url("bob"))
        adam.save_label(Label("Person", "span", "#ffadad", "x"))
        assert sync(adam, pg_team.url("adam")).refused == []
        assert adam.db.conn.execute("SELECT key FROM labels WHERE name = 'Person'").fetchone() == (
            "x",
        )
        sync(bob, pg_team.url("bob"))
        assert bob.db.conn.execute("SELECT key FROM labels WHERE name = 'Person'").fetchone() == (
            "x",
        )
    finally:
        adam.close()
        bob.close()


# ---------------------------------------------------------------- 3. article deletions


@pytest.fixture
def three(pg_team, tmp_path):
    stores = {n: project(tmp_path / f"{n}.sqlite", ["a1", "a2"]) for n in ("adam", "ana", "bob")}
    for name, store in stores.items():
        store.add_span(article(store, "a1"), 0, 4, "Person", name)
        store.set_status(article(store, "a1"), name, "done")
    for _ in range(2):
        for name, store in stores.items():
            sync(store, pg_team.url(name))
    yield stores
    for store in stores.values():
        store.close()


def test_an_adjudicators_article_deletion_reaches_everyone(pg_team, three):
    adam = three["adam"]
    adam.delete_articles([article(adam, "a1")])
    report = sync(adam, pg_team.url("adam"))
    assert report.refused == [] and report.problems == []
    with pg_team.connect("ana") as conn:
        assert conn.execute(
            "SELECT deleted FROM marginalia.articles WHERE uid = 'a1'"
        ).fetchone() == (True,)
        live = conn.execute(
            "SELECT count(*) FROM marginalia.spans WHERE article_uid = 'a1' AND NOT deleted "
            "UNION ALL SELECT count(*) FROM marginalia.statuses "
            "WHERE article_uid = 'a1' AND NOT deleted"
        ).fetchall()
    assert live == [(0,), (0,)]  # the server tombstoned what hung on it, in one transaction
    for name in ("ana", "bob"):
        got = sync(three[name], pg_team.url(name))
        assert got.problems == [] and got.refused == [], (got.problems, got.refused)
        assert uids(three[name]) == {"a2"}
    for name, store in three.items():
        again = sync(store, pg_team.url(name))
        assert (again.pushed, again.pulled, again.refused, again.problems) == (0, 0, [], [])
        assert live_annotations(store.sync_checksum()) == live_annotations(server_rows(pg_team))


def test_a_deleted_article_with_unpushed_edits_is_kept_and_named(pg_team, three):
    adam, bob = three["adam"], three["bob"]
    bob.add_span(article(bob, "a1"), 9, 15, "Person", "bob", note="offline work")
    adam.delete_articles([article(adam, "a1")])
    sync(adam, pg_team.url("adam"))
    report = sync(bob, pg_team.url("bob"))
    assert "a1" in uids(bob)
    assert any("a1" in p and "unpushed" in p for p in report.problems), report.problems
    assert "offline work" in [s.note for s in bob.spans(article(bob, "a1"), "bob")]
    # Said once; the next sync does not fight over it.
    again = sync(bob, pg_team.url("bob"))
    assert (again.pushed, again.problems, again.refused) == (0, [], [])


def test_an_analysts_article_deletion_stays_local_and_is_said_once(pg_team, three):
    ana, bob = three["ana"], three["bob"]
    ana.delete_articles([article(ana, "a1")])
    report = sync(ana, pg_team.url("ana"))
    assert [(r.table, r.key) for r in report.refused] == [("articles", "a1")]
    assert "this project only" in report.refused[0].reason
    assert "adjudicator" in report.refused[0].reason
    with pg_team.connect("adam") as conn:
        assert conn.execute(
            "SELECT deleted FROM marginalia.articles WHERE uid = 'a1'"
        ).fetchone() == (False,)
    # A colleague's later work on it does not bring it back here, nor does a full sync.
    bob.add_span(article(bob, "a1"), 9, 15, "Person", "bob")
    sync(bob, pg_team.url("bob"))
    again = sync(ana, pg_team.url("ana"))
    assert (again.refused, again.problems) == ([], [])
    assert uids(ana) == {"a2"}
    ana.begin_full_sync("")  # as after a server reset
    full = sync(ana, pg_team.url("ana"))
    assert (full.refused, full.problems) == ([], [])
    assert uids(ana) == {"a2"}
    # Importing it again brings it back, with the team's work on it.
    ana.add_articles([ArticleDraft(TEXTS["a1"], "a1")])
    sync(ana, pg_team.url("ana"))
    assert len([s for s in ana.spans(article(ana, "a1")) if not s.deleted]) == 4


def test_an_analyst_cannot_delete_an_article_with_plain_sql(pg_team, three):
    text = "Ana's own article."
    with pg_team.connect("ana") as conn:
        conn.execute(
            "INSERT INTO marginalia.articles (uid, text, text_sha256, imported_at) "
            "VALUES ('mine', %s, encode(sha256(convert_to(%s, 'UTF8')), 'hex'), 'now')",
            (text, text),
        )
    # Not even the article she added herself: deleting one is the adjudicators' call.
    for uid in ("mine", "a1"):
        with pg_team.connect("ana") as conn:
            try:
                conn.execute("UPDATE marginalia.articles SET deleted = true WHERE uid = %s", (uid,))
            except errors.InsufficientPrivilege:
                assert uid == "mine"  # her row, but not a change she may make
    with pg_team.connect("ana") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("DELETE FROM marginalia.articles WHERE uid = 'mine'")
    with pg_team.connect("ana") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO marginalia.articles (uid, text, text_sha256, imported_at, deleted) "
            "VALUES ('dead', 'x', encode(sha256(convert_to('x', 'UTF8')), 'hex'), 'now', true)"
        )
    with pg_team.connect("adam") as conn:
        found = conn.execute("SELECT uid, deleted FROM marginalia.articles ORDER BY uid")
        assert found.fetchall() == [("a1", False), ("a2", False), ("mine", False)]
    with pg_team.connect("adam") as conn:
        conn.execute("UPDATE marginalia.articles SET deleted = true WHERE uid = 'a1'")
    # The adjudicator's tombstone took ana's span down; she cannot revive it on a dead article.
    with pg_team.connect("ana") as conn, pytest.raises(errors.CheckViolation):
        conn.execute("UPDATE marginalia.spans SET deleted = false WHERE annotator = 'ana'")
    # Nor may she bring the article back (her update finds no row it may change).
    with pg_team.connect("ana") as conn:
        revived = conn.execute("UPDATE marginalia.articles SET deleted = false WHERE uid = 'a1'")
        assert revived.rowcount == 0


def test_a_syncing_project_upgraded_marks_its_schema_settings_to_publish(tmp_path):
    from sqlite_utils import Database

    from desktop_app.core.migrations import MIGRATIONS
    from desktop_app.core.store import Store

    path = tmp_path / "old.sqlite"
    db = Database(path)
    before = [name for name, _ in MIGRATIONS].index("sync_schema_settings")
    for number, (_, step) in enumerate(MIGRATIONS[:before], start=1):
        with db.atomic():
            step(db)
            db.conn.execute(f"PRAGMA user_version = {number}")
    with db.atomic():
        db.execute("INSERT INTO sync_state (key, value) VALUES ('url', 'postgresql://x/team')")
        db.execute("INSERT INTO project (key, value) VALUES ('exclusive_tag_groups', '[\"R\"]')")
        db.execute("INSERT INTO project (key, value) VALUES ('samples_loaded', '1')")
    db.close()
    store = Store.open(path)
    try:
        marked = [d.key for d in store.dirty_rows("schema_settings")]
        assert marked == ["exclusive_tag_groups"]  # not samples_loaded: the project's own
        store.set_setting("schema_name", "new")
        assert [d.key for d in store.dirty_rows("schema_settings")] == [
            "exclusive_tag_groups",
            "schema_name",
        ]
    finally:
        store.close()
