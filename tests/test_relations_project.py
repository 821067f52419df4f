"""Relations in a project file: the migration (metadata relations made real), the full check
and its repair, the list filter, stats and the command line's --relation (issue 16)."""

import json
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from desktop_app.cli import main
from desktop_app.core.editing import Editor
from desktop_app.core.migrations import MIGRATIONS
from desktop_app.core.model import ArticleDraft, ArticleFilter
from desktop_app.core.project import open_project
from desktop_app.core.store import Store
from desktop_app.paths import default_schema_path

GOOGLE = "Google was founded on September 4, 1998, by Larry Page and Sergey Brin."
ENTITIES = [
    {"id": 0, "start_offset": 0, "end_offset": 6, "label": "Organization"},
    {"id": 1, "start_offset": 22, "end_offset": 39, "label": "Date/Time"},
    {"id": 2, "start_offset": 44, "end_offset": 54, "label": "Person"},
    {"id": 3, "start_offset": 59, "end_offset": 70, "label": "Person"},
]
# doccano's import format numbers a record's entities 0, 1, 2…
LOCAL = {
    "text": GOOGLE,
    "entities": ENTITIES,
    "relations": [
        {"from_id": 0, "to_id": 1, "type": "foundedAt"},
        {"from_id": 0, "to_id": 2, "type": "foundedBy"},
        {"from_id": 0, "to_id": 3, "type": "foundedBy"},
        {"from_id": 0, "to_id": 0, "type": "self"},  # one span at both ends: not a relation
    ],
}
# …its export numbers them across the project: those ids name no span we know.
GLOBAL = {
    "text": "Ana met Bob.",
    "entities": [
        {"id": 17, "start_offset": 0, "end_offset": 3, "label": "Person"},
        {"id": 18, "start_offset": 8, "end_offset": 11, "label": "Person"},
    ],
    "relations": [{"id": 5, "from_id": 17, "to_id": 18, "type": "met"}],
}


def _objects(migrations):
    """Names and kinds of what these migrations create, on an empty database."""
    db = Database(memory=True)
    for _name, step in migrations:
        step(db)
    return {
        (kind, name)
        for kind, name in db.execute("SELECT type, name FROM sqlite_master WHERE sql IS NOT NULL")
    }


def _downgrade(path):
    """Make the file what the version before relations left: no relation tables (nor later ones)."""
    number = [name for name, _step in MIGRATIONS].index("relations")
    extra = _objects(MIGRATIONS) - _objects(MIGRATIONS[:number])
    conn = sqlite3.connect(path)
    for kind in ("trigger", "index", "table"):
        for name in sorted(name for k, name in extra if k == kind):
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
    conn.execute(f"PRAGMA user_version = {number}")
    conn.commit()
    conn.close()


def _meta(store, uid):
    return store.article(store.article_id(uid)).meta


def test_migration_makes_metadata_relations_real_where_both_ends_are_spans(tmp_path, capsys):
    db = tmp_path / "old.sqlite"
    source = tmp_path / "doccano.jsonl"
    lines = [{**LOCAL, "uid": "google"}, {**GLOBAL, "uid": "met"}]
    source.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    main(["import", "--db", str(db), str(source)])  # the self-link is reported
    capsys.readouterr()
    store = Store.open(db)
    ana, bob = (s.uuid for s in store.spans(store.article_id("met")))
    # A relation a record named by span uuid (a hand-written JSONL) resolves too.
    by_uuid = [{"from": bob, "to": ana, "type": "knows", "note": "since school"}]
    # What an import before relations left: each record's relations, whole, in meta.
    for uid, listed in (("met", [*GLOBAL["relations"], *by_uuid]), ("google", LOCAL["relations"])):
        store.db.execute(
            "UPDATE articles SET meta = ? WHERE uid = ?",
            (json.dumps({**_meta(store, uid), "relations": listed}), uid),
        )
    store.db.conn.commit()
    store.close()
    _downgrade(db)

    store = Store.open(db)  # migrates
    try:
        google = store.article_id("google")
        spans = store.spans(google)
        by_quote = {s.quote: s.uuid for s in spans}
        made = {(r.type, r.from_span, r.to_span) for r in store.relations(google)}
        assert made == {
            ("foundedAt", by_quote["Google"], by_quote["September 4, 1998"]),
            ("foundedBy", by_quote["Google"], by_quote["Larry Page"]),
            ("foundedBy", by_quote["Google"], by_quote["Sergey Brin"]),
        }
        assert {r.annotator for r in store.relations(google)} == {spans[0].annotator}
        # What could not be made a relation stays in the metadata, as it was.
        assert _meta(store, "google")["relations"] == [LOCAL["relations"][3]]
        met = store.article_id("met")
        [knows] = store.relations(met)
        assert (knows.type, knows.from_span, knows.to_span, knows.note) == (
            "knows",
            bob,
            ana,
            "since school",
        )
        assert _meta(store, "met")["relations"] == GLOBAL["relations"]
        # Types the schema lacked were added (directed, any labels), each its own colour.
        added = {t.name: t for t in store.relation_types()}
        assert {"foundedAt", "foundedBy", "knows"} <= set(added)
        assert added["foundedBy"].directed and added["foundedBy"].from_labels == ()
        assert len({t.color for t in added.values()}) == len(added)
        assert store.check(full=True) == []
    finally:
        store.close()


def test_migration_leaves_brat_relation_lines_in_the_metadata(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("Ana lives in Rome.", encoding="utf-8")
    ann = "T1\tPerson 0 3\tAna\nT2\tLocation 13 17\tRome\nR1\tLives Arg1:T1 Arg2:T2\t\n"
    (folder / "a.ann").write_text(ann, encoding="utf-8")
    db = tmp_path / "p.sqlite"
    assert main(["import", "--db", str(db), str(folder)]) == 0
    conn = sqlite3.connect(db)  # what an import before relations left: the line, in meta
    assert conn.execute("SELECT count(*) FROM relations").fetchone() == (1,)  # real now
    conn.execute("UPDATE articles SET meta = ?", (json.dumps({"brat": [ann.split("\n")[2]]}),))
    conn.commit()
    conn.close()
    _downgrade(db)
    store = Store.open(db)
    try:
        [(article,)] = store.db.conn.execute("SELECT id FROM articles").fetchall()
        assert store.relations(article) == []
        assert store.article(article).meta["brat"] == ["R1\tLives Arg1:T1 Arg2:T2\t"]
    finally:
        store.close()


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "p.sqlite"
    store, _ = open_project(path, default_schema_path())
    store.add_articles(
        [
            ArticleDraft("“We will win,” said Ana of Acme in Paris.", "a"),
            ArticleDraft("Bob joined Acme.", "b"),
            ArticleDraft("Nothing here.", "c"),
        ]
    )
    a, b = store.article_id("a"), store.article_id("b")
    editor = Editor(store, "ana")
    quote = editor.add_span(a, 0, 14, "Quote")
    person = editor.add_span(a, 20, 23, "Person")
    acme = editor.add_span(a, 27, 31, "Organization")
    editor.add_relation("said_by", quote.uuid, person.uuid)
    editor.add_relation("member_of", person.uuid, acme.uuid)
    editor.switch_annotator("bo")
    bob = editor.add_span(b, 0, 3, "Person")
    org = editor.add_span(b, 11, 15, "Organization")
    editor.add_relation("member_of", bob.uuid, org.uuid)
    store.close()
    return path


def test_the_list_filters_by_relation_type_and_whose(project):
    store = Store.open(project)
    try:
        ids = {store.article_id(uid): uid for uid in "abc"}

        def listed(**fields):
            flt = ArticleFilter(**fields)
            return store.count_articles(flt)

        assert listed(relation="member_of") == 2
        assert listed(relation="said_by") == 1
        assert listed(relation="member_of", annotator="bo") == 1
        assert listed(relation="said_by", annotator="bo") == 0
        assert listed(relation="located_in") == 0
        assert listed(relation="member_of", search="Bob") == 1
        assert len(ids) == 3
    finally:
        store.close()


def test_a_deleted_relation_leaves_the_filter(project):
    store = Store.open(project)
    try:
        [rel] = store.relations(store.article_id("b"))
        Editor(store, "bo").delete_relation(rel.uuid)
        assert store.count_articles(ArticleFilter(relation="member_of")) == 1
    finally:
        store.close()


def test_stats_count_relations_per_type_and_annotator(project, capsys):
    assert main(["stats", "--db", str(project), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["relations"] == 3
    assert figures["relations_by_type"] == {"member_of": {"ana": 1, "bo": 1}, "said_by": {"ana": 1}}
    assert main(["stats", "--db", str(project)]) == 0
    out = capsys.readouterr().out
    assert "relations      3" in out
    assert "  rel   member_of                2  (ana 1, bo 1)" in out
    assert "  rel   said_by                  1  (ana 1)" in out


def test_export_and_annotate_all_take_relation_filter(project, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    argv = ["export", "--db", str(project), "--format", "jsonl", "-o", str(out)]
    assert main([*argv, "--relation", "said_by"]) == 0
    assert [json.loads(line)["uid"] for line in out.read_text().splitlines()] == ["a"]
    assert main([*argv, "--relation", "member_of", "--annotator", "bo"]) == 0
    assert [json.loads(line)["uid"] for line in out.read_text().splitlines()] == ["b"]
    capsys.readouterr()
    annotate = ["annotate-all", "Acme", "--label", "Organization", "--db", str(project)]
    assert main([*annotate, "--relation", "said_by", "--dry-run", "--annotator", "cy"]) == 0
    assert "\n1 matches" in capsys.readouterr().out
    assert main([*annotate, "--dry-run", "--annotator", "cy"]) == 0
    assert "\n2 matches" in capsys.readouterr().out
    assert main(["suggestions", "list", "--db", str(project), "--relation", "said_by"]) == 0


def test_full_check_finds_relations_on_spans_that_are_gone_and_repair_deletes_them(project, capsys):
    conn = sqlite3.connect(project)  # a span deleted, its relation restored behind our back
    conn.execute("UPDATE spans SET deleted = 1 WHERE quote = 'Bob'")
    conn.execute("UPDATE relations SET deleted = 0")
    conn.commit()
    conn.close()
    assert main(["check", "--db", str(project)]) != 0
    out = capsys.readouterr().out
    assert "1 relations link spans that are deleted, missing or of another article" in out
    assert main(["check", "--repair", "--db", str(project)]) == 0
    assert "deleted 1 relations whose spans are gone" in capsys.readouterr().out
    assert main(["check", "--db", str(project)]) == 0
    store = Store.open(project)
    try:
        [gone] = store.relations(store.article_id("b"), include_deleted=True)
        assert gone.deleted  # soft: a merge carries the deletion
    finally:
        store.close()


def test_a_relation_to_a_span_of_another_article_is_found_too(project, capsys):
    conn = sqlite3.connect(project)
    conn.execute(
        "UPDATE relations SET to_span = (SELECT uuid FROM spans WHERE quote = 'Bob') "
        "WHERE type = 'said_by'"
    )
    conn.commit()
    conn.close()
    store = Store.open(project)
    try:
        [problem] = store.check(full=True)
        assert problem.startswith("1 relations link spans")
        assert "deleted 1 relations whose spans are gone" in store.repair()
        assert store.check(full=True) == []
    finally:
        store.close()


def test_deleting_a_label_or_articles_takes_their_relations_and_undo_restores(project):
    store = Store.open(project)
    try:
        editor = Editor(store, "ana")
        a = store.article_id("a")
        editor.delete_label("Person", a)
        assert store.relations(a) == [] and store.check(full=True) == []
        editor.undo()
        assert len(store.relations(a)) == 2
        editor.delete_articles([a])
        assert store.check(full=True) == []
        editor.undo()
        assert len(store.relations(a)) == 2 and store.check(full=True) == []
    finally:
        store.close()


CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "doccano"
EXAMPLE = CORPUS / "official-examples" / "import_relation_extraction.jsonl"


@pytest.mark.skipif(not EXAMPLE.exists(), reason="the shared corpora are not here")
def test_doccano_official_relation_example_imported_before_relations_becomes_relations(
    tmp_path, capsys
):
    db = tmp_path / "p.sqlite"
    assert main(["import", "--db", str(db), str(EXAMPLE)]) == 0
    capsys.readouterr()
    store = Store.open(db)  # what an import before relations left: the list, whole, in meta
    [line] = EXAMPLE.read_text("utf-8").splitlines()
    store.db.execute(
        "UPDATE articles SET meta = ?", (json.dumps({"relations": json.loads(line)["relations"]}),)
    )
    store.db.conn.commit()
    store.close()
    _downgrade(db)
    store = Store.open(db)
    try:
        [(article,)] = store.db.conn.execute("SELECT id FROM articles").fetchall()
        quotes = {s.uuid: s.quote for s in store.spans(article)}
        made = sorted(
            (r.type, quotes[r.from_span], quotes[r.to_span]) for r in store.relations(article)
        )
        assert made == [
            ("foundedAt", "Google", "September 4, 1998"),
            ("foundedBy", "Google", "Larry Page"),
            ("foundedBy", "Google", "Sergey Brin"),
        ]
        assert "relations" not in store.article(article).meta
    finally:
        store.close()
