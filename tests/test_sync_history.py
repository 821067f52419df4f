"""A sync overwrites nothing without a record: every conflict's loser, whatever its table, is
kept in the project's sync history with its content, and `marginalia history` shows it."""

import json

from sync_helpers import article

from desktop_app import cli
from desktop_app.core.model import Label, RelationType
from desktop_app.core.sync.client import sync
from desktop_app.core.sync.server_admin import add_analyst


def losers(store, table):
    return [entry for entry in store.sync_history() if entry.table == table]


def test_status_relation_and_label_losers_are_in_the_history(pg_team, stores, tmp_path, capsys):
    add_analyst(pg_team.admin_url, "ada", pg_team.password("ada"), adjudicator=True)
    adam, ada = stores("adam"), stores("ada")
    adam.set_relation_types([RelationType("knows")])
    assert sync(adam, pg_team.url("adam")).refused == []  # the schema first
    sync(ada, pg_team.url("ada"))
    # Ana works on her desk and on her laptop: one login, two projects.
    desk, laptop = stores("desk", ["a1"]), stores("laptop")
    sync(desk, pg_team.url("ana"))  # the team's relation types
    a1 = article(desk, "a1")
    first = desk.add_span(a1, 0, 4, "Person", "ana")
    second = desk.add_span(a1, 9, 15, "Person", "ana")
    relation = desk.add_relation("knows", first.uuid, second.uuid, "ana", note="one")
    desk.set_status(a1, "ana", "in progress")
    sync(desk, pg_team.url("ana"))
    sync(laptop, pg_team.url("ana"))
    assert laptop.relation(relation.uuid).note == "one"

    # Both change the status and the relation; the desk syncs first, the laptop's edit is newer.
    desk.set_status(a1, "ana", "done")
    desk.update_relation(relation.uuid, note="desk, older")
    sync(desk, pg_team.url("ana"))
    laptop.set_status(article(laptop, "a1"), "ana", "todo")
    laptop.update_relation(relation.uuid, note="laptop, newer")
    report = sync(laptop, pg_team.url("ana"))
    assert {(c.table, c.winner) for c in report.conflicts} == {
        ("statuses", "ours"),
        ("relations", "ours"),
    }
    sync(desk, pg_team.url("ana"))
    for store in (desk, laptop):  # the winner on both sides
        assert store.relation(relation.uuid).note == "laptop, newer"
        assert store.statuses(article(store, "a1")) == {"ana": "todo"}
    (status,) = losers(laptop, "statuses")
    assert status.row["status"] == "done" and status.annotator == "ana"
    assert status.key == "a1 / ana" and status.reason == "lost a sync conflict"
    assert status.replaced_at  # when
    (lost,) = losers(laptop, "relations")
    assert lost.row["note"] == "desk, older" and lost.key == relation.uuid
    assert lost.row["from_span"] == first.uuid  # the whole row, not only what differed

    # Two adjudicators recolour the same label; the first to push wins (no time to compare).
    adam.save_label(Label("Person", "span", "#111111", "p"), "Person")
    ada.save_label(Label("Person", "span", "#222222", "p"), "Person")
    sync(adam, pg_team.url("adam"))
    report = sync(ada, pg_team.url("ada"))
    assert [(c.table, c.winner) for c in report.conflicts] == [("labels", "theirs")]
    sync(adam, pg_team.url("adam"))
    for store in (adam, ada):
        colors = dict(store.db.conn.execute("SELECT name, color FROM labels").fetchall())
        assert colors["Person"] == "#111111"
    (label,) = losers(ada, "labels")
    assert label.row["color"] == "#222222" and label.key == "Person"
    assert label.annotator == "ada" and label.reason == "replaced by sync"
    assert losers(adam, "labels") == []  # adam's won: nothing of his was replaced

    # The command line shows them (and names them in the sync report's conflicts).
    laptop.close()
    assert cli.main(["history", "--db", str(tmp_path / "laptop.sqlite"), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {(e["table"], e["reason"]) for e in shown} >= {
        ("statuses", "lost a sync conflict"),
        ("relations", "lost a sync conflict"),
    }
    assert any(e["row"].get("note") == "desk, older" for e in shown)
    assert cli.main(["history", "--db", str(tmp_path / "laptop.sqlite")]) == 0
    printed = capsys.readouterr().out
    assert "statuses a1 / ana" in printed and "'done'" in printed


def test_a_label_deleted_here_but_changed_there_keeps_the_deletion_in_history(pg_team, stores):
    add_analyst(pg_team.admin_url, "ada", pg_team.password("ada"), adjudicator=True)
    adam, ada = stores("adam"), stores("ada")
    adam.add_labels([Label("Group", "span", "#040506")])
    sync(adam, pg_team.url("adam"))
    sync(ada, pg_team.url("ada"))
    adam.save_label(Label("Group", "span", "#777777"), "Group")
    sync(adam, pg_team.url("adam"))
    ada.delete_label("Group")
    sync(ada, pg_team.url("ada"))
    colors = dict(ada.db.conn.execute("SELECT name, color FROM labels").fetchall())
    assert colors.get("Group") == "#777777"  # the server's change won
    (entry,) = losers(ada, "labels")
    assert entry.row == {"name": "Group", "deleted": True} and entry.reason == "replaced by sync"


def test_two_adjudicators_deciding_one_item_keep_the_losing_decision(pg_team, stores):
    add_analyst(pg_team.admin_url, "ada", pg_team.password("ada"), adjudicator=True)
    adam, ada = stores("adam", ["a1"]), stores("ada")
    span = adam.add_span(article(adam, "a1"), 0, 4, "Person", "adam")
    sync(adam, pg_team.url("adam"))
    sync(ada, pg_team.url("ada"))
    adam.decide(article(adam, "a1"), [("item-1", "span", None)], "adam")  # rejected
    sync(adam, pg_team.url("adam"))
    ada.decide(article(ada, "a1"), [("item-1", "span", ada.span(span.uuid))], "ada")  # newer
    report = sync(ada, pg_team.url("ada"))
    assert [(c.table, c.winner) for c in report.conflicts] == [("decisions", "ours")]
    sync(adam, pg_team.url("adam"))
    for store in (adam, ada):
        assert store.decisions(article(store, "a1"))["item-1"].decision == "accepted"
    (lost,) = losers(ada, "decisions")
    assert lost.key == "adjudicated / item-1" and lost.row["decision"] == "rejected"
    assert lost.article_uid == "a1" and lost.reason == "lost a sync conflict"
