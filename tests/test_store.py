"""The project file: schema, offsets rule, soft deletes, filters and keyset paging."""

import json
import sqlite3

import pytest

from desktop_app.core.migrations import FTS_HASH_BYTES, latest_version
from desktop_app.core.model import ArticleDraft, ArticleFilter, Label, LabelSchema, SpanDraft
from desktop_app.core.store import Store, StoreError

SCHEMA = LabelSchema(
    "test",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Place", "span", "#a0c4ff", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
        Label("Politics", "document", "#ffd6a5", "Ctrl+2"),
    ),
)
UNICODE_TEXT = "ნინო 🇬🇪 met 李明 in القاهرة; Amélie said 👍🏽 and 👩‍🔬.\nSecond line."


@pytest.fixture
def store():
    store = Store.memory()
    store.apply_schema(SCHEMA)
    yield store
    store.close()


def add(store, text, uid, **kwargs):
    result = store.add_articles([ArticleDraft(text=text, uid=uid, **kwargs)])
    assert not result.problems, result.problems
    return store.article_id(uid)


def test_new_file_is_migrated_and_reopens(tmp_path):
    path = tmp_path / "p.sqlite"
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    article = add(store, "Hello world", "a1")
    store.add_span(article, 0, 5, "Person", "ana")
    store.close()
    reopened = Store.open(path)
    assert reopened.stats()["schema_version"] == latest_version()
    assert [s.quote for s in reopened.spans(article)] == ["Hello"]
    reopened.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == latest_version()


def test_a_second_opener_is_refused_clearly_until_the_first_closes(tmp_path):
    path = tmp_path / "p.sqlite"
    first = Store.open(path)
    first.apply_schema(SCHEMA)
    add(first, "Hello world", "a1")
    with pytest.raises(StoreError, match="open in another Marginalia"):
        Store.open(path)
    assert first.article_total() == 1  # the first one is unharmed
    first.close()
    second = Store.open(path)
    assert second.article_total() == 1
    second.close()


def test_write_errors_become_store_errors_and_change_nothing(store):
    article = add(store, "Hello world", "w1")
    store.db.conn.execute("PRAGMA query_only = 1")  # as if the disk refused every write
    with pytest.raises(StoreError, match="readonly"):
        store.set_tag(article, "Energy", "ana", True)
    with pytest.raises(StoreError):
        store.add_span(article, 0, 5, "Person", "ana")
    store.db.conn.execute("PRAGMA query_only = 0")
    assert store.tags(article) == [] and store.spans(article) == []


def test_lone_surrogate_is_one_problem_not_a_failed_batch(store):
    result = store.add_articles(
        [
            ArticleDraft("ok one", "o1"),
            ArticleDraft("bad \ud83d", "s1", origin="f.jsonl:2"),
            ArticleDraft("ok two", "o2"),
        ]
    )
    assert result.added == 2 and result.problems[0].origin == "f.jsonl:2"


def test_derived_uids_with_different_texts_both_import(store):
    first = ArticleDraft("bbc text", "sport/001", uid_derived=True)
    second = ArticleDraft("cnn text", "sport/001", uid_derived=True)
    assert store.add_articles([first, second]).added == 2
    assert store.add_articles([first, second]).added == 0  # and again adds nothing
    given = ArticleDraft("other text", "sport/001")  # a uid the source gave: a conflict
    assert "different text" in str(store.add_articles([given]).problems[0])


def test_not_a_project_file_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match=r"junk\.sqlite"):
        Store.open(path)


def test_newer_schema_is_refused_without_change(tmp_path):
    path = tmp_path / "future.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer Marginalia"):
        Store.open(path)


def test_spans_use_code_point_offsets_with_matching_quotes(store):
    article = add(store, UNICODE_TEXT, "u1")
    text = store.article(article).text
    for needle in ("ნინო", "🇬🇪", "李明", "القاهرة", "Amélie", "👍🏽", "👩‍🔬"):
        start = text.index(needle)
        span = store.add_span(article, start, start + len(needle), "Person", "ana")
        assert span.quote == needle == text[span.start : span.end]


def test_span_outside_text_is_refused(store):
    article = add(store, "short", "s1")
    with pytest.raises(StoreError, match="outside the text"):
        store.add_span(article, 2, 99, "Person", "ana")
    with pytest.raises(StoreError, match="not a span label"):
        store.add_span(article, 0, 2, "Energy", "ana")
    assert store.spans(article) == []


def test_database_refuses_a_quote_that_does_not_match(store):
    article = add(store, "abcdef", "q1")
    with pytest.raises(sqlite3.DatabaseError, match="quote does not match"):
        store.db.execute(
            'INSERT INTO spans (uuid, article, annotator, label, start, "end", quote, '
            "created_at, updated_at) VALUES ('x', ?, 'a', 'Person', 0, 2, 'zz', '', '')",
            (article,),
        )


def test_article_text_is_immutable(store):
    article = add(store, "original", "t1")
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        store.db.execute("UPDATE articles SET text = 'changed' WHERE id = ?", (article,))
    assert store.article(article).text == "original"


def test_reimport_same_uid_adds_nothing_and_different_text_is_reported(store):
    add(store, "one text", "same")
    again = store.add_articles([ArticleDraft(text="one text", uid="same")])
    assert (again.added, again.unchanged) == (0, 1)
    changed = store.add_articles([ArticleDraft(text="another text", uid="same", origin="f.txt")])
    assert changed.added == 0
    assert "f.txt" in str(changed.problems[0]) and "different text" in str(changed.problems[0])
    assert store.article_total() == 1


def test_identical_text_under_another_uid_is_kept_and_marked(store):
    add(store, "twin text", "a")
    result = store.add_articles([ArticleDraft(text="twin text", uid="b")])
    assert result.duplicates == 1
    assert store.article(store.article_id("b")).meta["duplicate_of"] == "a"


def test_bad_draft_in_batch_does_not_stop_the_others(store):
    drafts = [
        ArticleDraft(text="good one", uid="g1"),
        ArticleDraft(text="bad", uid="b1", spans=(SpanDraft(0, 50, "Person"),), origin="x:2"),
        ArticleDraft(text="good two", uid="g2"),
    ]
    result = store.add_articles(drafts)
    assert result.added == 2
    assert result.problems[0].origin == "x:2"
    assert store.article_id("b1") is None  # the bad record left nothing behind


def test_imported_spans_add_unknown_labels_and_are_idempotent(store):
    draft = ArticleDraft(
        text="Alice went to Paris",
        uid="i1",
        spans=(SpanDraft(0, 5, "Human", uuid="u-1", annotator="bob"),),
    )
    assert store.add_articles([draft]).spans_added == 1
    assert store.add_articles([draft]).spans_added == 0
    assert "Human" in {label.name for label in store.labels("span")}
    assert store.spans(store.article_id("i1"))[0].annotator == "bob"


def test_soft_delete_and_restore_keep_the_uuid(store):
    article = add(store, "Hello world", "d1")
    span = store.add_span(article, 6, 11, "Place", "ana")
    store.update_span(span.uuid, deleted=True)
    assert store.spans(article) == []
    assert store.spans(article, include_deleted=True)[0].uuid == span.uuid
    store.update_span(span.uuid, deleted=False)
    assert store.spans(article)[0].quote == "world"


def test_tags_toggle_with_one_live_tag(store):
    article = add(store, "x", "t")
    assert store.set_tag(article, "Energy", "ana", True)
    assert not store.set_tag(article, "Energy", "ana", True)
    assert store.set_tag(article, "Energy", "ana", False)
    assert store.set_tag(article, "Energy", "ana", True)
    assert len(store.tags(article)) == 1
    assert len(store.tags(article, include_deleted=True)) == 1  # revived, not duplicated


def test_rename_label_renames_annotations(store):
    article = add(store, "Hello world", "r1")
    store.add_span(article, 0, 5, "Person", "ana")
    store.save_label(Label("Human", "span", "#ffadad", "p"), old_name="Person")
    assert store.spans(article)[0].label == "Human"
    assert "Person" not in {label.name for label in store.labels()}


def test_apply_schema_refuses_kind_change_and_frees_clashing_keys(store):
    article = add(store, "Hello world", "k2")
    store.add_span(article, 0, 5, "Person", "ana")
    flipped = LabelSchema("x", (Label("Person", "document", "#ffadad"),))
    with pytest.raises(StoreError, match="span label with annotations"):
        store.apply_schema(flipped)
    assert store.labels("span")[0].name == "Person"  # nothing changed
    store.apply_schema(LabelSchema("y", (Label("People", "span", "#000000", "p"),)))
    keys = {label.name: label.key for label in store.labels()}
    assert keys == {"People": "p", "Person": ""}


def test_apply_schema_keeps_labels_in_use(store):
    article = add(store, "Hello world", "k1")
    store.add_span(article, 0, 5, "Person", "ana")
    kept = store.apply_schema(LabelSchema("other", (Label("Org", "span", "#000000"),)))
    assert kept == ["Person"]
    assert {label.name for label in store.labels()} == {"Org", "Person"}


def many(store, n):
    drafts = [
        ArticleDraft(
            text=f"article number {i} about {'energy' if i % 3 == 0 else 'sport'}",
            uid=f"n{i:04d}",
            title=f"Title {(i * 7) % n:04d}",
            published=None if i % 10 == 0 else f"2024-01-{1 + i % 28:02d}",
        )
        for i in range(n)
    ]
    store.add_articles(drafts)


def straightforward(store, flt):
    """The same list with one plain ORDER BY query: what paging must reproduce."""
    key = "ifnull(published, '')" if flt.sort == "date" else "title COLLATE NOCASE"
    order = "DESC" if flt.descending else "ASC"
    return [
        r[0]
        for r in store.db.conn.execute(
            f"SELECT id FROM articles ORDER BY {key} {order}, id {order}"
        )
    ]


@pytest.mark.parametrize("sort", ["date", "title"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("page", [1, 7, 50, 1000])
def test_keyset_pages_equal_one_plain_query(store, sort, descending, page):
    many(store, 203)
    flt = ArticleFilter(sort=sort, descending=descending)
    anchors = [store.anchor_after(flt, None, 0)]
    while (following := store.anchor_after(flt, anchors[-1], page)) is not None:
        anchors.append(following)
    assert len(anchors) == -(-203 // page)
    rows = []
    for anchor in anchors:
        rows += [r.id for r in store.article_rows(flt, anchor, page)]
    assert rows == straightforward(store, flt)
    # A jump straight to a far page lands where walking page by page does.
    assert store.anchor_after(flt, None, page * (len(anchors) - 1)) == anchors[-1]
    assert store.count_articles(flt) == 203
    for position in (0, 1, 101, 202):
        assert store.row_of(flt, rows[position]) == position


def test_search_is_safe_for_any_typed_text(store):
    many(store, 30)
    typed_texts = ['"unbalanced', "AND", "energy AND", "*", "(((", "NOT", "a OR", "é'\";--", ""]
    typed_texts += ['say "a\nb: c', "x\x00y", "col: value", "-minus", "^start", "NEAR(a b)"]
    for typed in typed_texts:
        store.count_articles(ArticleFilter(search=typed))  # must not raise
    assert store.count_articles(ArticleFilter(search="energy")) == 10
    assert store.count_articles(ArticleFilter(search='"article number"')) == 30


def test_filters_match_plain_python(store):
    many(store, 40)
    ids = [store.article_id(f"n{i:04d}") for i in range(40)]
    store.add_span(ids[1], 0, 7, "Person", "ana")
    store.add_span(ids[2], 0, 7, "Place", "bob")
    store.set_tag(ids[3], "Energy", "ana", True)
    store.set_tag(ids[4], "Energy", "bob", True)
    store.set_status(ids[5], "ana", "done")
    store.set_status(ids[6], "ana", "in progress")
    store.set_status(ids[7], "bob", "done")

    def found(**kwargs):
        flt = ArticleFilter(**kwargs)
        return {i for batch in store.iter_article_ids(flt, batch=10) for i in batch}

    assert found(label="Person") == {ids[1]}
    assert found(tag="Energy") == {ids[3], ids[4]}
    assert found(tag="Energy", annotator="bob") == {ids[4]}
    assert found(annotator="ana") == {ids[1], ids[3]}
    assert found(status="done", status_annotator="ana") == {ids[5]}
    assert found(status="todo", status_annotator="ana") == set(ids) - {ids[5], ids[6]}
    assert found(search="energy", tag="Energy") == {ids[3]}
    assert store.count_articles(ArticleFilter(status="done", status_annotator="bob")) == 1


def test_list_rows_carry_counts_and_status(store):
    article = add(store, "Hello world", "c1", title="Hello")
    store.add_span(article, 0, 5, "Person", "ana")
    store.set_tag(article, "Energy", "ana", True)
    store.set_status(article, "ana", "done")
    [row] = store.article_rows(ArticleFilter(), None, 10, "ana")
    assert (row.title, row.span_count, row.tag_count, row.status) == ("Hello", 1, 1, "done")
    [row] = store.article_rows(ArticleFilter(), None, 10, "bob")
    assert row.status == "todo"


def test_stats_are_json_ready(store):
    article = add(store, "Hello world", "s1")
    store.add_span(article, 0, 5, "Person", "ana")
    figures = json.loads(json.dumps(store.stats()))
    assert figures["articles"] == 1 and figures["spans_by_label"] == {"Person": 1}


def test_empty_list_has_no_anchor(store):
    assert store.anchor_after(ArticleFilter(), None, 0) is None
    assert list(store.iter_article_ids(ArticleFilter())) == []


def test_upgrade_from_schema_1_backs_up_and_keeps_search_in_sync(tmp_path):
    from sqlite_utils import Database

    from desktop_app.core.migrations import MIGRATIONS

    path = tmp_path / "old.sqlite"
    db = Database(path)
    with db.atomic():
        MIGRATIONS[0][1](db)
        db.conn.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO articles (uid, text, text_sha256, imported_at) "
        "VALUES ('o', 'old words', 'h', 't')"
    )
    db.close()
    store = Store.open(path)
    assert store.stats()["schema_version"] == latest_version() >= 2
    from desktop_app.core.store.backups import list_backups

    [backup] = list_backups(path)
    backups = [backup.path]
    assert [b.reason for b in list_backups(path)] == [f"before-schema-{latest_version()}"]
    add(store, "fresh words here", "n")
    # An ordinary insert (no import flag) is still indexed by the trigger.
    with store.db.atomic():
        store.db.execute(
            "INSERT INTO articles (uid, text, text_sha256, imported_at) "
            "VALUES ('d', 'direct words', 'x', 't')"
        )
    for word, count in (("old", 1), ("fresh", 1), ("direct", 1), ("words", 3)):
        assert store.count_articles(ArticleFilter(search=word)) == count
    assert store.check(full=True) == []  # the search index among the rest
    assert store.setting("fts_deferred") == ""  # the import flag never outlives its batch
    # The upgraded index buffers a whole import batch, like a new project's.
    config = dict(store.db.conn.execute("SELECT k, v FROM articles_fts_config").fetchall())
    assert config["hashsize"] == FTS_HASH_BYTES
    store.close()
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()


def test_batch_with_one_bad_draft_is_redone_one_by_one(store):
    drafts = [ArticleDraft(f"text {i}", f"b{i}", origin=f"f:{i}") for i in range(50)]
    drafts[25] = ArticleDraft("clash", "b0", origin="f:25")  # same uid, other text
    result = store.add_articles(drafts)
    assert result.added == 49 and [p.origin for p in result.problems] == ["f:25"]
    assert store.count_articles(ArticleFilter(search="text")) == 49


def test_ranked_search_puts_title_matches_first_and_applies_filters(store):
    store.add_articles(
        [
            ArticleDraft("energy energy energy in the text only", "t1", title="Other"),
            ArticleDraft("a word about it", "t2", title="Energy outlook"),
            ArticleDraft("nothing relevant", "t3", title="Sport"),
        ]
    )
    rows = store.search_ranked(ArticleFilter(search="energy"))
    assert [r.uid for r in rows] == ["t2", "t1"]
    store.set_tag(store.article_id("t1"), "Energy", "ana", True)
    assert [r.uid for r in store.search_ranked(ArticleFilter(search="energy", tag="Energy"))] == [
        "t1"
    ]
    assert store.search_ranked(ArticleFilter(search='"(')) == []


def summaries_match_recount(store):
    conn = store.db.conn
    labels = set(conn.execute("SELECT article, label, n FROM article_labels WHERE n > 0"))
    recount = set(
        conn.execute("SELECT article, label, count(*) FROM spans WHERE deleted = 0 GROUP BY 1, 2")
    )
    people = set(conn.execute("SELECT article, annotator, n FROM article_annotators WHERE n > 0"))
    recount_people = set(
        conn.execute(
            "SELECT article, annotator, count(*) FROM (SELECT article, annotator FROM spans "
            "WHERE deleted = 0 UNION ALL SELECT article, annotator FROM document_tags "
            "WHERE deleted = 0) GROUP BY 1, 2"
        )
    )
    return labels == recount and people == recount_people


def test_filter_summaries_follow_every_kind_of_edit(store):
    from desktop_app.core.editing import Editor

    many(store, 12)
    ids = [store.article_id(f"n{i:04d}") for i in range(12)]
    editor = Editor(store, "ana")
    spans = [editor.add_span(ids[i % 4], 0, 7, "Person" if i % 2 else "Place") for i in range(8)]
    editor.set_tag(ids[5], "Energy", True)
    assert summaries_match_recount(store)
    editor.relabel_span(spans[0].uuid, "Person")
    editor.delete_span(spans[1].uuid)
    editor.set_tag(ids[5], "Energy", False)
    assert summaries_match_recount(store)
    editor.undo()
    editor.undo()
    editor.switch_annotator("bob")
    editor.add_span(ids[9], 0, 7, "Place")
    store.save_label(Label("Human", "span", "#ffadad", "p"), old_name="Person")
    assert summaries_match_recount(store)
    assert store.count_articles(ArticleFilter(label="Person")) == 0
    assert store.count_articles(ArticleFilter(label="Human")) == len(
        {
            s.article_id
            for s in (store.span(x.uuid) for x in spans)
            if not s.deleted and s.label == "Human"
        }
    )
    assert store.count_articles(ArticleFilter(annotator="bob")) == 1
    store.add_articles(
        [ArticleDraft("imported words", "imp", spans=(SpanDraft(0, 8, "Place", annotator="cy"),))]
    )
    assert summaries_match_recount(store)
    assert store.count_articles(ArticleFilter(annotator="cy", label="Place")) == 1


def test_batch_mixing_known_and_new_articles_indexes_every_new_one(store):
    first = [ArticleDraft(f"alpha {i} common", f"m{i}") for i in range(0, 10, 2)]
    assert store.add_articles(first).added == 5
    mixed = [ArticleDraft(f"alpha {i} common", f"m{i}") for i in range(10)]
    mixed.append(ArticleDraft("alpha 3 common", "twin"))  # same text as m3, another uid
    result = store.add_articles(mixed)
    assert (result.added, result.unchanged, result.duplicates) == (6, 5, 1)
    ids = [store.article_id(f"m{i}") for i in range(10)]
    assert len(set(ids)) == 10
    assert store.count_articles(ArticleFilter(search="common")) == 11
    for i in range(10):
        assert store.count_articles(ArticleFilter(search=f"alpha {i}")) >= 1
    twin = store.article(store.article_id("twin"))
    assert twin.meta["duplicate_of"] == "m3"
