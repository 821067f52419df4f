"""The sync client against a real team server: push, pull, conflicts, refusals, safety."""

import itertools
import json

import pytest
from sync_helpers import article, converged, live_annotations, project, server_rows

from desktop_app import cli
from desktop_app.core.model import ArticleDraft, Label, RelationType
from desktop_app.core.sync import client
from desktop_app.core.sync.client import sync, without_password


@pytest.fixture
def ana(tmp_path):
    store = project(tmp_path / "ana.sqlite", ["a1", "a2"])
    yield store
    store.close()


@pytest.fixture
def bob(tmp_path):
    store = project(tmp_path / "bob.sqlite")
    yield store
    store.close()


def test_a_span_pushed_by_one_is_pulled_by_another(pg_team, ana, bob):
    span = ana.add_span(article(ana, "a1"), 0, 4, "Person", "ana", note="first")
    report = sync(ana, pg_team.url("ana"))
    assert report.pushed >= 3  # two articles, one span (and labels refused: not an adjudicator)
    assert report.full_sync
    assert ana.sync_settings().pending == 0
    pulled = sync(bob, pg_team.url("bob"))
    assert pulled.pulled >= 3
    got = bob.span(span.uuid)
    assert (got.annotator, got.label, got.quote, got.note) == ("ana", "Person", "Nino", "first")
    # An edit travels back as an update, and a second sync with nothing new does nothing.
    ana.update_span(span.uuid, note="second")
    assert ana.sync_settings().pending == 1
    assert sync(ana, password=pg_team.password("ana")).pushed == 1  # the URL remembered
    assert sync(bob, pg_team.url("bob")).pulled == 1
    assert bob.span(span.uuid).note == "second"
    again = sync(bob, pg_team.url("bob"))
    assert (again.pulled, again.pushed, again.conflicts, again.refused) == (0, 0, [], [])
    assert live_annotations(ana.sync_checksum()) == live_annotations(server_rows(pg_team))
    assert live_annotations(bob.sync_checksum()) == live_annotations(server_rows(pg_team))


@pytest.fixture
def adam(tmp_path):
    store = project(tmp_path / "adam.sqlite")
    yield store
    store.close()


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_three_analysts_converge_in_every_order(pg_team, tmp_path, order):
    names = ("ana", "bob", "adam")
    stores = [project(tmp_path / f"{n}.sqlite", ["a1", "a2"]) for n in names]
    try:
        for store, name in zip(stores, names, strict=True):
            sync(store, pg_team.url(name))
        for i, (store, name) in enumerate(zip(stores, names, strict=True)):
            span = store.add_span(article(store, "a1"), i, i + 3, "Person", name, note=name)
            store.set_tag(article(store, "a2"), "Energy", name, True)
            store.set_status(article(store, "a1"), name, "done")
            if i == 1:
                store.update_span(span.uuid, deleted=True)
        for _ in range(2):
            for i in order:
                report = sync(stores[i], pg_team.url(names[i]))
                assert report.refused == [] or names[i] != "adam", report.refused
        assert converged(pg_team, *stores)
        spans = live_annotations(server_rows(pg_team))["spans"]
        assert len(spans) == 2 and len(live_annotations(server_rows(pg_team))["tags"]) == 3
    finally:
        for store in stores:
            store.close()


def test_tombstones_travel(pg_team, ana, bob):
    span = ana.add_span(article(ana, "a1"), 0, 4, "Person", "ana")
    sync(ana, pg_team.url("ana"))
    sync(bob, pg_team.url("bob"))
    assert not bob.span(span.uuid).deleted
    ana.update_span(span.uuid, deleted=True)
    sync(ana, pg_team.url("ana"))
    sync(bob, pg_team.url("bob"))
    assert bob.span(span.uuid).deleted
    assert converged(pg_team, ana, bob)


def test_a_stale_push_takes_the_conflict_path_and_the_loser_is_in_history(
    pg_team, tmp_path, ana, monkeypatch
):
    # Ana on two machines: the same login, two projects.
    laptop = project(tmp_path / "laptop.sqlite")
    try:
        span = ana.add_span(article(ana, "a1"), 0, 4, "Person", "ana", note="one")
        sync(ana, pg_team.url("ana"))
        sync(laptop, pg_team.url("ana"))
        ana.update_span(span.uuid, note="desk, older")
        laptop.update_span(span.uuid, note="laptop, newer")
        real_pull = client._pull
        calls = []

        def pull_then_colleague(conn, store, me, adjudicator, report, *rest):
            real_pull(conn, store, me, adjudicator, report, *rest)
            calls.append(1)
            if len(calls) == 1:  # between our pull and our push, the desk pushes
                monkeypatch.setattr(client, "_pull", real_pull)
                sync(ana, pg_team.url("ana"))
                monkeypatch.setattr(client, "_pull", pull_then_colleague)

        monkeypatch.setattr(client, "_pull", pull_then_colleague)
        report = sync(laptop, pg_team.url("ana"))
        monkeypatch.setattr(client, "_pull", real_pull)
        assert [(c.table, c.winner) for c in report.conflicts] == [("spans", "ours")]
        history = laptop.db.conn.execute(
            "SELECT note, reason FROM annotation_history WHERE uuid = ?", (span.uuid,)
        ).fetchall()
        assert ("desk, older", "lost a sync conflict") in history
        sync(ana, pg_team.url("ana"))
        assert ana.span(span.uuid).note == "laptop, newer"
        assert converged(pg_team, ana, laptop)
    finally:
        laptop.close()


def test_others_rows_are_refused_once_and_not_looped_on(pg_team, ana, bob):
    span = ana.add_span(article(ana, "a1"), 0, 4, "Person", "ana", note="ana's")
    sync(ana, pg_team.url("ana"))
    sync(bob, pg_team.url("bob"))
    bob.update_span(span.uuid, note="bob was here")  # locally allowed; the server says no
    report = sync(bob, pg_team.url("bob"))
    assert [(r.table, r.key) for r in report.refused] == [("spans", span.uuid)]
    assert "ana's" in report.refused[0].reason
    assert bob.span(span.uuid).note == "ana's"  # the server's version, bob's in the history
    assert bob.db.conn.execute(
        "SELECT count(*) FROM annotation_history WHERE uuid = ? AND note = 'bob was here'",
        (span.uuid,),
    ).fetchone() == (1,)
    again = sync(bob, pg_team.url("bob"))
    assert again.refused == [] and again.pushed == 0
    # An analyst's schema change is refused too; the adjudicator's reaches everyone.
    bob.add_labels([Label("Bob's own", "span", "#000000")])
    assert any(r.table == "labels" for r in sync(bob, pg_team.url("bob")).refused)


def test_a_push_killed_midway_loses_nothing_and_sends_nothing_twice(pg_team, ana, monkeypatch):
    uuids = [ana.add_span(article(ana, "a1"), i, i + 2, "Person", "ana").uuid for i in range(6)]

    def die(table, sent):
        if table == "spans" and sent == 3:
            raise KeyboardInterrupt("killed")

    with pytest.raises(KeyboardInterrupt):
        sync(ana, pg_team.url("ana"), push_hook=die)
    assert server_rows(pg_team)["spans"] == []  # the transaction died with it
    # A commit we never heard of: the server has the rows, the project does not know it.
    real = type(ana).mark_pushed
    monkeypatch.setattr(type(ana), "mark_pushed", lambda *a, **k: None)
    sync(ana, pg_team.url("ana"))
    monkeypatch.setattr(type(ana), "mark_pushed", real)
    # The pull after the push met the rows and matched them by uuid and content.
    report = sync(ana, pg_team.url("ana"))
    assert report.refused == [] and report.conflicts == [] and report.pushed == 0
    assert ana.sync_settings().pending == 0
    assert sorted(r[0] for r in server_rows(pg_team)["spans"]) == sorted(uuids)
    assert converged(pg_team, ana)


def test_a_reset_server_means_a_full_sync_that_loses_nothing(pg_team, ana, bob):
    from desktop_app.core.sync.server_schema import init_server

    span = ana.add_span(article(ana, "a1"), 0, 4, "Person", "ana")
    first = sync(ana, pg_team.url("ana"))
    assert first.full_sync
    assert not sync(ana, pg_team.url("ana")).full_sync
    server = pg_team.server
    server.drop_database(pg_team.database, server.roles())
    server.fresh_database(pg_team.database)
    init_server(pg_team.admin_url)
    late = ana.add_span(article(ana, "a2"), 0, 2, "Person", "ana")
    report = sync(ana, pg_team.url("ana"))
    assert report.full_sync and report.pushed >= 4
    assert {r[0] for r in server_rows(pg_team)["spans"]} == {span.uuid, late.uuid}
    sync(bob, pg_team.url("bob"))
    assert converged(pg_team, ana, bob)


def test_odd_names_are_data_and_passwords_are_never_kept(pg_team, tmp_path, adam, ana):
    odd = "o'brien\"; drop table x"
    adam.add_labels([Label(odd, "span", "#123456")])
    adam.add_articles([ArticleDraft("Odd text " + odd, odd)])
    adam.add_span(article(adam, odd), 9, 9 + len(odd), odd, odd)  # a layer named oddly
    report = sync(adam, pg_team.url("adam"))
    assert report.refused == [], report.refused
    sync(ana, pg_team.url("ana"))
    assert ana.db.conn.execute("SELECT count(*) FROM labels WHERE name = ?", (odd,)).fetchone() == (
        1,
    )
    assert converged(pg_team, adam, ana)
    for store, name in ((adam, "adam"), (ana, "ana")):
        assert store.sync_settings().url == pg_team.url(name).replace(
            ":" + pg_team.password(name), ""
        )
        store.db.conn.execute("PRAGMA wal_checkpoint(FULL)")
        assert pg_team.password(name).encode() not in store.path.read_bytes()
        assert pg_team.password(name) not in json.dumps(report.as_json())


def test_without_password_keeps_the_rest_of_the_url():
    assert (
        without_password(
            "postgresql://ana:s3cret@db.example.org:5433/team?sslmode=require&password=x"
        )
        == "postgresql://ana@db.example.org:5433/team?sslmode=require"
    )
    assert "s3cret" not in without_password("host=db user=ana password=s3cret dbname=team")


def test_the_cli_syncs_and_remembers_the_url(pg_team, tmp_path, capsys, monkeypatch):
    path = tmp_path / "cli.sqlite"
    store = project(path, ["a1"])
    store.add_span(article(store, "a1"), 0, 4, "Person", "bob")
    store.close()
    assert cli.main(["sync", pg_team.url("bob"), "--db", str(path), "--json"]) == 1  # labels
    out = json.loads(capsys.readouterr().out)
    assert out["pushed"] == 2 and out["full_sync"] and pg_team.password("bob") not in str(out)
    monkeypatch.setenv("PGPASSWORD", pg_team.password("bob"))
    assert cli.main(["sync", "--db", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "0 pulled, 0 pushed" in printed and pg_team.password("bob") not in printed
    monkeypatch.delenv("PGPASSWORD")
    assert cli.main(["sync", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "bob@" in err and "password" in err


def test_sync_without_a_server_says_how(tmp_path, capsys):
    path = tmp_path / "none.sqlite"
    project(path).close()
    assert cli.main(["sync", "--db", str(path)]) == 1
    assert "no team server yet" in capsys.readouterr().err


def test_relations_travel_and_a_deleted_span_takes_a_colleagues_relation_down(pg_team, ana, bob):
    for store in (ana, bob):
        store.set_relation_types([RelationType("knows")])
    first = ana.add_span(article(ana, "a1"), 0, 4, "Person", "ana")
    second = ana.add_span(article(ana, "a1"), 9, 15, "Person", "ana")
    own = ana.add_relation("knows", first.uuid, second.uuid, "ana")
    sync(ana, pg_team.url("ana"))
    sync(bob, pg_team.url("bob"))
    assert bob.relation(own.uuid).from_span == first.uuid
    mine = bob.add_span(article(bob, "a1"), 19, 26, "Person", "bob")
    theirs = bob.add_relation("knows", mine.uuid, first.uuid, "bob")
    sync(bob, pg_team.url("bob"))
    sync(ana, pg_team.url("ana"))
    # Ana deletes her span: locally it takes both relations down; bob's is not hers to push.
    ana.update_span(first.uuid, deleted=True)
    report = sync(ana, pg_team.url("ana"))
    assert report.refused == []
    assert sync(ana, pg_team.url("ana")).pushed == 0  # no loop on bob's relation
    sync(bob, pg_team.url("bob"))  # bob's client takes his own relation down and says so
    assert bob.relation(theirs.uuid).deleted and bob.relation(own.uuid).deleted
    sync(ana, pg_team.url("ana"))
    assert converged(pg_team, ana, bob)
    live = [r for r in server_rows(pg_team)["relations"] if not r[-1]]
    assert live == []


def test_an_article_holding_nul_is_refused_with_a_reason(pg_team, ana):
    ana.add_articles([ArticleDraft("before\x00after", "nul-1")])
    report = sync(ana, pg_team.url("ana"))
    refused = {r.key: r.reason for r in report.refused}
    assert "U+0000" in refused["nul-1"] and "PostgreSQL" in refused["nul-1"]
    assert "nul-1" not in {r[0] for r in server_rows(pg_team)["articles"]}
    assert {"a1", "a2"} <= {r[0] for r in server_rows(pg_team)["articles"]}
    assert all(r.key != "nul-1" for r in sync(ana, pg_team.url("ana")).refused)


def test_the_adjudicators_schema_reaches_everyone(pg_team, adam, bob):
    adam.save_label(Label("Person", "span", "#010203", "p"))
    adam.add_labels([Label("Group", "span", "#040506")])
    assert sync(adam, pg_team.url("adam")).refused == []
    bob.save_label(Label("Person", "span", "#999999", "p"))  # bob's own taste: not his to push
    report = sync(bob, pg_team.url("bob"))
    assert report.conflicts == [] and all(r.table != "labels" or r.key != "Person"
                                          for r in report.refused)  # fmt: skip
    colors = dict(bob.db.conn.execute("SELECT name, color FROM labels").fetchall())
    assert colors["Person"] == "#010203" and colors["Group"] == "#040506"


def test_an_adjudicators_decisions_and_layer_travel_and_undo(pg_team, adam, ana):
    span = ana.add_span(article(ana, "a1"), 0, 4, "Person", "ana")
    sync(ana, pg_team.url("ana"))
    sync(adam, pg_team.url("adam"))
    a1 = article(adam, "a1")
    adam.decide(a1, [("item-1", "span", adam.span(span.uuid))], "adam")
    report = sync(adam, pg_team.url("adam"))
    assert report.refused == [], report.refused
    sync(ana, pg_team.url("ana"))
    assert list(ana.decisions(article(ana, "a1"))) == ["item-1"]
    assert [s.quote for s in ana.spans(article(ana, "a1"), "adjudicated")] == ["Nino"]
    adam.undecide(a1, "item-1")
    sync(adam, pg_team.url("adam"))
    sync(ana, pg_team.url("ana"))
    assert ana.decisions(article(ana, "a1")) == {}
    assert converged(pg_team, adam, ana)
    # An analyst cannot decide: refused, and the server's (no decision) stands.
    ana.decide(article(ana, "a1"), [("item-2", "span", None)], "ana")
    assert any(r.table == "decisions" for r in sync(ana, pg_team.url("ana")).refused)


def test_a_pull_killed_between_chunks_skips_nothing(pg_team, ana, bob, monkeypatch):
    for i in range(7):
        ana.add_span(article(ana, "a1"), i, i + 2, "Person", "ana")
    sync(ana, pg_team.url("ana"))
    monkeypatch.setattr(client, "PULL_CHUNK", 2)
    real = type(bob).apply_pulled
    calls = []

    def dies_on_the_third_chunk(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("killed")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(bob), "apply_pulled", dies_on_the_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        sync(bob, pg_team.url("bob"))
    monkeypatch.setattr(type(bob), "apply_pulled", real)
    assert bob.sync_settings().cursor == 0  # the cursor moves only with the last chunk
    report = sync(bob, pg_team.url("bob"))
    assert report.conflicts == [] and bob.sync_settings().pending == 0
    assert converged(pg_team, ana, bob)


def test_a_cancelled_sync_stops_and_the_next_one_loses_nothing(pg_team, ana):
    from desktop_app.core.sync.connection import Cancel, Cancelled

    uuids = [ana.add_span(article(ana, "a1"), i, i + 2, "Person", "ana").uuid for i in range(6)]
    cancel = Cancel()

    def window_closes(table, sent):
        if table == "spans" and sent == 3:
            cancel.cancel()  # from the sync's own thread here; the window calls it from its own

    with pytest.raises(Cancelled):
        sync(ana, pg_team.url("ana"), push_hook=window_closes, cancel=cancel)
    with pytest.raises(Cancelled):  # a cancelled token stays cancelled: it does not connect
        sync(ana, pg_team.url("ana"), cancel=cancel)
    report = sync(ana, pg_team.url("ana"))
    assert report.refused == [] and ana.sync_settings().pending == 0
    assert sorted(r[0] for r in server_rows(pg_team)["spans"]) == sorted(uuids)
    assert converged(pg_team, ana)


def test_every_connection_to_the_server_notices_a_vanished_peer(pg_team):
    """TCP keepalives on the sync's, the listener's and the admin's connections, so a server
    that disappears mid-sync is an error within seconds, not a hang of hours."""
    from desktop_app.core.sync.connection import connect
    from desktop_app.core.sync.live import Listener

    url = pg_team.url("ana")
    with client._connect(url, None) as conn:
        sync_params = conn.info.get_parameters()
    listener = Listener(url)
    try:
        live_params = listener._conn.info.get_parameters()
    finally:
        listener.close()
    with connect(pg_team.admin_url) as conn:
        admin_params = conn.info.get_parameters()
    for params in (sync_params, live_params, admin_params):
        assert (params.get("keepalives"), params.get("keepalives_idle")) == ("1", "10"), params
