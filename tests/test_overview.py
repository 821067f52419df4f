"""The overview's figures equal plain SQL counts; the list's source and date filters."""

import random

import pytest

from desktop_app.core.model import ArticleDraft, ArticleFilter, Label, LabelSchema
from desktop_app.core.overview import BY_SOURCE, BY_TAG, activity_window, published_buckets
from desktop_app.core.store import Store
from desktop_app.core.store.integrity import count_problems
from desktop_app.core.store.overview import filtered_statement

SCHEMA = LabelSchema(
    "test",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Place", "span", "#a0c4ff", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
        Label("Politics", "document", "#ffd6a5", "Ctrl+2"),
    ),
)
SOURCES = ("bbc/business", "reuters", "")
WHO = ("ana", "ben")


def _fill(store, n=40, seed=3):
    """n articles over three sources and two years, with spans, tags and statuses."""
    rng = random.Random(seed)
    drafts = [
        ArticleDraft(
            text=f"Article {i}: Nino met Ben in Tbilisi 🇬🇪 on a Monday. " * 2,
            uid=f"a{i:03d}",
            source=SOURCES[i % 3],
            published=None if i % 7 == 0 else f"202{3 + i % 2}-{1 + i % 12:02d}-{1 + i % 27:02d}",
        )
        for i in range(n)
    ]
    assert not store.add_articles(drafts).problems
    for article_id in range(1, n + 1):
        for _ in range(rng.randrange(4)):
            start = rng.randrange(40)
            span = store.add_span(
                article_id, start, start + 5, rng.choice(("Person", "Place")), rng.choice(WHO)
            )
            if rng.random() < 0.2:
                store.update_span(span.uuid, deleted=True)
            elif rng.random() < 0.2:
                store.update_span(span.uuid, label="Place")
        for who in WHO:
            if rng.random() < 0.5:
                store.set_tag(article_id, rng.choice(("Energy", "Politics")), who, True)
            status = rng.choice(("todo", "in progress", "done", None))
            if status:
                store.set_status(article_id, who, status)


@pytest.fixture
def store():
    store = Store.memory()
    store.apply_schema(SCHEMA)
    _fill(store)
    yield store
    store.close()


def _grouped(store, sql, params=()):
    return {
        tuple(row[:-1]) if len(row) > 2 else row[0]: row[-1]
        for row in store.db.conn.execute(sql, params)
    }


def _ids(store, flt):
    return [i for batch in store.iter_article_ids(flt) for i in batch]


def _plain(store, ids):
    """The overview's figures over these articles, counted from the base tables."""
    marks = ",".join("?" * len(ids)) or "NULL"
    live = f"deleted = 0 AND article IN ({marks})"
    figures = {
        "articles": len(ids),
        "span_labels": _grouped(
            store, f"SELECT label, count(*) FROM spans WHERE {live} GROUP BY label", ids
        ),
        "tag_labels": _grouped(
            store, f"SELECT label, count(*) FROM document_tags WHERE {live} GROUP BY label", ids
        ),
        "sources": _grouped(
            store,
            f"SELECT source, count(*) FROM articles WHERE id IN ({marks}) GROUP BY source",
            ids,
        ),
        "published": _grouped(
            store,
            "SELECT ifnull(published, ''), count(*) FROM articles "
            f"WHERE id IN ({marks}) GROUP BY 1",
            ids,
        ),
        "matrix": _grouped(
            store,
            "SELECT s.label, a.source, count(*) FROM spans s JOIN articles a "
            f"ON a.id = s.article WHERE s.{live.replace('article', 's.article')}"
            " GROUP BY 1, 2",
            ids,
        ),
        "tag_matrix": _grouped(
            store,
            "SELECT s.label, t.label, count(*) FROM spans s JOIN "
            "(SELECT DISTINCT article, label FROM document_tags WHERE "
            f"deleted = 0) t ON t.article = s.article WHERE s.deleted = 0 "
            f"AND s.article IN ({marks}) GROUP BY 1, 2",
            ids,
        ),
        "activity": _grouped(
            store,
            "SELECT annotator, day, count(*) FROM (SELECT annotator, "
            "substr(created_at, 1, 10) AS day, article FROM spans WHERE "
            f"{live} UNION ALL SELECT annotator, substr(created_at, 1, 10), "
            f"article FROM document_tags WHERE {live}) GROUP BY 1, 2",
            ids + ids,
        ),
    }
    status = {}
    for who in WHO:
        counts = _grouped(
            store,
            "SELECT status, count(*) FROM article_status WHERE annotator = ? "
            f"AND article IN ({marks}) GROUP BY status",
            [who, *ids],
        )
        done, going = counts.get("done", 0), counts.get("in progress", 0)
        status[who] = {"todo": len(ids) - done - going, "in progress": going, "done": done}
    figures["status"] = status
    return figures


def _check(store, flt):
    ids = _ids(store, flt or ArticleFilter())
    plain = _plain(store, ids)
    got = store.overview(flt)
    assert got.articles == plain["articles"]
    assert got.span_labels == plain["span_labels"]
    assert got.tag_labels == plain["tag_labels"]
    assert got.sources == plain["sources"]
    assert got.published == plain["published"]
    assert got.matrix == plain["matrix"]
    assert {name: got.status[name] for name in WHO} == plain["status"]
    activity = {(who, day): n for who, days in got.activity.items() for day, n in days.items()}
    assert activity == plain["activity"]  # every annotation was made today: all in the window
    assert store.overview(flt, matrix_by=BY_TAG).matrix == plain["tag_matrix"]
    return got


def test_the_whole_projects_figures_equal_plain_counts(store):
    got = _check(store, None)
    assert got.whole_project and got.articles == 40
    assert sum(got.span_labels.values()) > 0 and sum(got.tag_labels.values()) > 0
    assert store.overview(ArticleFilter(sort="title", descending=True)).whole_project


@pytest.mark.parametrize(
    "flt",
    [
        ArticleFilter(source="bbc/business"),
        ArticleFilter(source=""),
        ArticleFilter(label="Person"),
        ArticleFilter(tag="Energy", annotator="ben"),
        ArticleFilter(status="todo", status_annotator="ana"),
        ArticleFilter(search="Article 1*"),
        ArticleFilter(published_from="2024-01-01", published_to="2024-07-01"),
        ArticleFilter(label="Place", source="reuters"),
    ],
    ids=repr,
)
def test_a_filters_figures_equal_plain_counts_over_its_articles(store, flt):
    got = _check(store, flt)
    assert not got.whole_project


def test_the_counts_stay_exact_through_edits_and_pass_the_full_check(store):
    span = store.add_span(1, 0, 7, "Person", "cleo")
    store.update_span(span.uuid, label="Place")
    store.update_span(span.uuid, deleted=True)
    store.update_span(span.uuid, deleted=False)
    store.save_label(Label("Where", "span", "#a0c4ff", "l"), old_name="Place")
    store.save_label(Label("Topic", "document", "#caffbf", "Ctrl+1"), old_name="Energy")
    store.set_tag(2, "Topic", "cleo", True)
    store.set_tag(2, "Topic", "cleo", False)
    store.set_tag(5, "Politics", "cleo", True)
    store.set_tag(5, "Politics", "dana", True)
    store.set_tag(5, "Politics", "cleo", False)
    store.add_span(5, 0, 3, "Person", "dana")
    store.set_tag(5, "Politics", "dana", False)
    store.set_tag(5, "Politics", "dana", True)
    store.save_label(Label("Policy", "document", "#ffd6a5", "Ctrl+2"), old_name="Politics")
    store.set_status(3, "cleo", "done")
    store.set_status(3, "cleo", "in progress")
    assert count_problems(store.db.conn) == []
    assert store.check(full=True) == []
    _check(store, None)


def test_damaged_overview_counts_are_reported_and_recounted(store):
    store.db.conn.execute("UPDATE label_sources SET n = n + 5")
    store.db.conn.commit()
    problems = count_problems(store.db.conn)
    assert any("label_sources" in problem for problem in problems), problems
    store.db.conn.execute("PRAGMA query_only = OFF")
    assert any("label sources" in done for done in store.repair())
    assert count_problems(store.db.conn) == []


def test_the_source_and_date_filters_list_and_count_like_plain_sql(store):
    conn = store.db.conn
    cases = [
        (ArticleFilter(source="reuters"), "source = 'reuters'"),
        (ArticleFilter(source=""), "source = ''"),
        (
            ArticleFilter(published_from="2023-03-01", published_to="2023-06-01"),
            "published >= '2023-03-01' AND published < '2023-06-01'",
        ),
        (ArticleFilter(published_from="2024-01-01"), "published >= '2024-01-01'"),
        (
            ArticleFilter(label="Person", source="bbc/business", sort="title", descending=True),
            "source = 'bbc/business' AND id IN (SELECT article FROM spans "
            "WHERE label = 'Person' AND deleted = 0)",
        ),
    ]
    for flt, where in cases:
        expected = [row[0] for row in conn.execute(f"SELECT id FROM articles WHERE {where}")]
        assert expected, where
        assert store.count_articles(flt) == len(expected)
        listed = _ids(store, flt)
        assert sorted(listed) == sorted(expected)
        # Keyset pages of 3 give the same order as one page.
        paged = [i for batch in store.iter_article_ids(flt, batch=3) for i in batch]
        assert paged == listed
        rows = store.article_rows(flt, None, 1000)
        assert [row.id for row in rows] == listed
        assert store.row_of(flt, listed[-1]) == len(listed) - 1


def test_published_buckets_by_week_or_month():
    unit, weeks = published_buckets({"2024-03-04": 2, "2024-03-10": 1, "2024-03-20": 4, "": 9})
    assert unit == "week"
    assert [(b.start, b.end, b.count) for b in weeks] == [
        ("2024-03-04", "2024-03-11", 3),
        ("2024-03-11", "2024-03-18", 0),
        ("2024-03-18", "2024-03-25", 4),
    ]
    unit, months = published_buckets({"2023-11-30": 1, "2024-12-01": 2, "2024-12-31": 1})
    assert unit == "month" and len(months) == 14
    assert (months[0].start, months[0].end, months[0].count) == ("2023-11-01", "2023-12-01", 1)
    assert (months[-1].start, months[-1].end, months[-1].count) == ("2024-12-01", "2025-01-01", 3)
    assert sum(b.count for b in months) == 4
    assert published_buckets({"": 3}) == ("month", [])


def test_the_activity_window_ends_on_the_last_annotated_day():
    days = activity_window("2024-03-10T12:00:00", 2)
    assert len(days) == 14 and days[0] == "2024-02-26" and days[-1] == "2024-03-10"
    assert activity_window(None, 8) == ()


def test_a_reader_sees_what_the_writer_committed(tmp_path):
    store = Store.open(tmp_path / "p.sqlite")
    store.apply_schema(SCHEMA)
    reader = store.reader()
    try:
        assert reader is not store and reader.read_only
        assert reader.overview().articles == 0
        _fill(store, n=6)
        assert reader.overview().articles == 6
        assert reader.overview() == store.overview()
        assert reader.overview(matrix_by=BY_SOURCE).matrix == store.overview().matrix
    finally:
        reader.close()
        store.close()


def _stamp_some_spans_long_ago(store):
    """Backdate a third of the spans and tags, over a year, so a window cuts some out."""
    conn = store.db.conn
    for table in ("spans", "document_tags"):
        conn.execute(
            f"UPDATE {table} SET created_at = printf('2024-%02d-%02dT09:00:00.000+00:00', "
            "1 + rowid % 12, 1 + rowid % 28) WHERE rowid % 3 = 0"
        )
    conn.commit()


@pytest.mark.parametrize(
    "flt",
    [
        None,
        ArticleFilter(source="reuters"),
        ArticleFilter(tag="Politics"),
        ArticleFilter(status="todo", status_annotator="ben"),
    ],
    ids=repr,
)
def test_the_activity_window_and_the_matrix_articles_equal_plain_counts(store, flt):
    _stamp_some_spans_long_ago(store)
    ids = _ids(store, flt or ArticleFilter())
    marks = ",".join("?" * len(ids))
    live = f"deleted = 0 AND article IN ({marks})"
    made = _grouped(
        store,
        "SELECT annotator, day, count(*) FROM (SELECT annotator, substr(created_at, 1, 10) "
        f"AS day FROM spans WHERE {live} UNION ALL SELECT annotator, substr(created_at, 1, 10) "
        f"FROM document_tags WHERE {live}) GROUP BY 1, 2",
        ids + ids,
    )
    for weeks in (1, 8, 200):
        got = store.overview(flt, weeks=weeks)
        window = activity_window(max(day for _, day in made), weeks)
        assert got.activity_days == window
        counted = {(who, day): n for who, days in got.activity.items() for day, n in days.items()}
        assert counted == {key: n for key, n in made.items() if key[1] >= window[0]}
    if flt is None or len(ids) * 2 > len(_ids(store, ArticleFilter())):
        # The whole project's matrix counts spans only (from the count tables), and so does
        # a filter keeping most articles (the count tables less the rest: see below).
        assert store.overview(flt, matrix_by=BY_TAG).matrix_articles == {}
        return
    for by, sql in (
        (BY_SOURCE, "SELECT l.label, a.source, count(*) FROM article_labels l JOIN articles a "
         f"ON a.id = l.article WHERE l.n > 0 AND l.article IN ({marks}) GROUP BY 1, 2"),
        (BY_TAG, "SELECT l.label, t.label, count(*) FROM article_labels l JOIN (SELECT DISTINCT "
         "article, label FROM document_tags WHERE deleted = 0) t ON t.article = l.article "
         f"WHERE l.n > 0 AND l.article IN ({marks}) GROUP BY 1, 2"),
    ):  # fmt: skip
        assert store.overview(flt, matrix_by=by).matrix_articles == _grouped(store, sql, ids)


def _made(store, ids):
    """Annotations per (annotator, day) in these articles, from the base tables."""
    marks = ",".join("?" * len(ids)) or "NULL"
    live = f"deleted = 0 AND article IN ({marks})"
    return _grouped(
        store,
        "SELECT annotator, day, count(*) FROM (SELECT annotator, substr(created_at, 1, 10) "
        f"AS day FROM spans WHERE {live} UNION ALL SELECT annotator, substr(created_at, 1, 10) "
        f"FROM document_tags WHERE {live}) GROUP BY 1, 2",
        ids + ids,
    )


def _check_activity(store, flt, ids):
    """The filter's activity window and counts, at three window lengths, equal plain SQL's."""
    made = _made(store, ids)
    for weeks in (1, 8, 200):
        got = store.overview(flt, weeks=weeks)
        window = activity_window(max(day for _, day in made), weeks)
        assert got.activity_days == window
        counted = {(who, day): n for who, days in got.activity.items() for day, n in days.items()}
        assert counted == {key: n for key, n in made.items() if key[1] >= window[0]}


def _spy_on_the_complement(monkeypatch):
    """The list of what each call of the subtracting path returned (None: it walked)."""
    used = []
    subtract = Store._complement_overview

    def spy(self, *args):
        used.append(subtract(self, *args))
        return used[-1]

    monkeypatch.setattr(Store, "_complement_overview", spy)
    return used


TODO_ANA = ArticleFilter(status="todo", status_annotator="ana")


def _stamp(store, day, kept, every=1, flt=TODO_ANA):
    """Date the annotations (every `every`-th) in the kept (or the left-out) articles of
    the filter (status todo for ana)."""
    ids = _ids(store, flt)
    marks = ",".join("?" * len(ids))
    for table in ("spans", "document_tags"):
        store.db.conn.execute(
            f"UPDATE {table} SET created_at = ? || substr(created_at, 11) "
            f"WHERE rowid % {every} = 0 AND article {'' if kept else 'NOT '}IN ({marks})",
            [day, *ids],
        )
    store.db.conn.commit()


@pytest.mark.parametrize(
    "stamps",
    [
        (),  # every annotation today
        # the kept articles' latest a few days before the rest's, and more a week before
        (("2025-06-15", True), ("2025-06-20", True, 2)),
        (("2024-01-10", True),),  # theirs long before: outside the whole project's window
        (("2026-01-10", True), ("2025-01-10", False)),  # the left-out ones older
    ],
    ids=["today", "days-before", "long-before", "rest-older"],
)
def test_a_filter_keeping_most_articles_counts_exactly_from_the_rest(store, monkeypatch, stamps):
    """A filter keeping more than half the articles is counted as the whole project less the
    articles it leaves out (the smaller walk); every figure still equals plain SQL."""
    _stamp(store, "2025-06-24", True)
    _stamp(store, "2025-06-24", False)
    for stamp in stamps:
        _stamp(store, *stamp)
    flt = ArticleFilter(status="todo", status_annotator="ana")
    ids = _ids(store, flt)
    assert len(ids) * 2 > 40  # the case under test
    used = _spy_on_the_complement(monkeypatch)
    _check(store, flt)
    _check_activity(store, flt, ids)
    assert used and any(found is not None for found in used)
    if stamps and stamps[0][0] == "2024-01-10":  # nothing kept in the whole one's window
        assert any(found is None for found in used)  # so those articles were walked instead


def test_a_filters_overview_with_nothing_annotated_or_nothing_kept(store):
    got = store.overview(ArticleFilter(search="nowhere-to-be-found"))
    assert got.articles == 0 and got.activity == {} and got.activity_days == ()
    assert got.span_labels == {} and got.matrix == {}
    fresh = Store.memory()
    fresh.apply_schema(SCHEMA)
    assert not fresh.add_articles([ArticleDraft(text="Plain text.", uid="x", source="s")]).problems
    empty = fresh.overview(ArticleFilter(source="s"))
    assert empty.articles == 1 and empty.activity_days == () and empty.sources == {"s": 1}
    fresh.close()


@pytest.mark.parametrize("by_tag", [False, True])
def test_a_filters_overview_reads_only_covering_indexes(store, by_tag):
    """No span, tag, status or label-count row is read, and no table is scanned whole: each
    per-article figure is a seek into an index that holds every column it counts."""
    where, params = store._plan(ArticleFilter(search="Tbilisi")).where(probe=False)
    plan = [
        row[3]
        for row in store.db.conn.execute(
            "EXPLAIN QUERY PLAN " + filtered_statement(where, by_tag), (*params, "-55 days")
        )
    ]
    searches = [step for step in plan if step.startswith("SEARCH")]
    tables = ("spans", "document_tags", "article_status", "article_labels", " st ", " l ", " t ")
    for step in searches:
        if any(name in f" {step} " for name in (" x ", *tables)):
            assert "COVERING INDEX" in step, step
    for table in ("spans", "document_tags", "article_status", "article_labels", "articles"):
        assert not any(step.split()[:2] == ["SCAN", table] for step in plan), plan
    assert sum("COVERING INDEX" in step for step in plan) >= (8 if by_tag else 7), plan
    # The articles' keys come from a narrow index by id, never from their rows (and text).
    assert any("COVERING INDEX articles_keys (id=?)" in step for step in plan), plan


def test_a_filter_with_no_id_set_walks_a_small_index_and_leaves_out_a_set(store):
    """A todo status keeps the articles a set does not hold: every article's id is walked in
    the narrow index by id (no article row, with its text, is read), and the excluded ids
    are one set read once, not a probe per article (0.4 s against 4.2 s at a million)."""
    flt = ArticleFilter(status="todo", status_annotator="ana")
    plan = store._plan(flt)
    assert not plan.sets
    where, params = plan.where(probe=False, excluded_by_set=True)
    steps = [
        row[3]
        for row in store.db.conn.execute(
            "EXPLAIN QUERY PLAN " + filtered_statement(where, False), (*params, "-55 days")
        )
    ]
    assert "SCAN a USING COVERING INDEX articles_keys" in steps, steps
    assert "LIST SUBQUERY 1" in steps and "CORRELATED" not in " ".join(steps[:6]), steps
    _check(store, flt)


@pytest.mark.parametrize(
    "stamps",
    [
        (),
        (("2025-06-15", True), ("2025-06-20", True, 2)),
        (("2024-01-10", True),),
        (("2026-01-10", True), ("2025-01-10", False)),
    ],
    ids=["today", "days-before", "long-before", "rest-older"],
)
def test_a_filter_keeping_few_finds_its_activity_window_exactly(store, stamps):
    """A filter keeping few articles finds its own activity window (from its articles' latest
    annotation), whenever the rest of the project was annotated: the same figures as plain
    SQL."""
    flt = ArticleFilter(source="reuters")
    ids = _ids(store, flt)
    assert 0 < len(ids) * 2 < 40  # the case under test
    _stamp(store, "2025-06-24", True, flt=flt)
    _stamp(store, "2025-06-24", False, flt=flt)
    for stamp in stamps:
        _stamp(store, *stamp, flt=flt)
    _check(store, flt)
    _check_activity(store, flt, ids)


@pytest.mark.parametrize(
    "flt",
    [
        ArticleFilter(search="-17"),  # a search's exclusion alone
        ArticleFilter(search="Nino -17 -23"),  # a search set and exclusions
        ArticleFilter(search="Nino", published_from="2020-01-01"),  # two sets
    ],
    ids=repr,
)
def test_what_a_filter_keeping_most_leaves_out_is_read_from_id_sets(store, monkeypatch, flt):
    """The articles left out are found from the filters' id sets (the search index read once,
    not probed per article), and the figures still equal plain SQL."""
    ids = _ids(store, flt)
    assert len(ids) * 2 > 40
    used = _spy_on_the_complement(monkeypatch)
    _check(store, flt)
    assert used and all(found is not None for found in used)
    where, params = store._plan(flt).left_out()
    left = [row[0] for row in store.db.conn.execute(f"SELECT a.id FROM articles a {where}", params)]
    assert sorted(left) == sorted(set(_ids(store, ArticleFilter())) - set(ids))
    assert "MATCH" not in where or "EXISTS" not in where
