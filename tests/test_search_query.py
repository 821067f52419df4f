"""The search box's syntax: words, prefixes, phrases, OR, exclusions, brackets; always safe."""

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.model import ArticleDraft, ArticleFilter
from desktop_app.core.search_query import MAX_DEPTH, SearchQuery, parse_search
from desktop_app.core.store import Store

BBC = Path("/work/shared/corpora/bbc")

TEXTS = {
    "a": "Blair spoke about the budget.",
    "b": "Brown presented the budget to parliament.",
    "c": "Blair and Brown met the prime minister.",
    "d": "The minister for sport said nothing.",
    "e": "An e-mail about title: and NEAR words.",
}


@pytest.fixture
def fts():
    """A bare FTS5 table like the project's, to run MATCH expressions against."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE f USING fts5(title, text, tokenize='unicode61 remove_diacritics 2')"
    )
    db.executemany("INSERT INTO f (title, text) VALUES (?, ?)", [(k, v) for k, v in TEXTS.items()])
    yield db
    db.close()


def found(db, typed):
    query = parse_search(typed)
    assert not query.negated
    rows = db.execute("SELECT title FROM f WHERE f MATCH ?", (query.match,))
    return {row[0] for row in rows}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("blair", "ac"),
        ("budg*", "ab"),
        ("bud*", "ab"),
        ("blair OR brown", "abc"),
        ("blair or brown", ""),  # lowercase "or" is a word: no article has all three
        ("blair brown", "c"),
        ("blair AND brown", "c"),
        ("blair -brown", "a"),
        ("blair NOT brown", "a"),
        ("blair AND NOT brown", "a"),
        ('"prime minister"', "c"),
        ('"minister prime"', ""),
        ('"prime min"*', "c"),
        ('"prime minister', "c"),  # an unclosed quote runs to the end
        ("(blair OR brown) budget", "ab"),
        ("(blair OR brown) -budget", "c"),
        ("budget -(blair brown)", "ab"),
        ("budget -(blair OR parliament)", ""),
        ("minister -sport", "c"),
        ("BLAIR", "ac"),  # case-blind for words
        ("e-mail", "e"),
        ("title:", "e"),  # a column filter is read as the word
        ("NEAR", "e"),
        ("blair (brown", "c"),  # an unclosed bracket closes at the end
        ("blair) brown", "c"),  # a bracket nothing opened is ignored
        ("blair - brown", "c"),  # a lone dash is nothing
        ("blair * brown", "c"),
        ('blair " brown', "c"),  # the lone quote starts a phrase: " brown"
    ],
)
def test_typed_search_finds(fts, typed, expected):
    assert found(fts, typed) == set(expected)


def test_terms_are_quoted_and_prefix_stays_outside():
    assert parse_search("budg*").match == '"budg"*'
    assert parse_search('say "x"').match == '("say" AND "x")'
    assert parse_search('a"b').match == '("a" AND "b")'
    assert parse_search("blair -brown").match == '"blair" NOT "brown"'


def test_nothing_to_search_is_an_empty_query():
    for typed in ("", "   ", "*", "-", '"', '""', "()", "OR", "AND NOT", "((", ")", "- * ..."):
        assert parse_search(typed) == SearchQuery(), typed


def test_exclusions_alone_are_marked_negated():
    assert parse_search("-brown") == SearchQuery('"brown"', negated=True)
    assert parse_search("--brown") == SearchQuery('"brown"', negated=True)  # dashes: one
    assert parse_search("NOT brown -blair") == SearchQuery('("brown" OR "blair")', negated=True)


def test_deep_brackets_stay_within_fts5_limits(fts):
    typed = "(" * 500 + "blair" + ")" * 500
    assert found(fts, typed) == set("ac")
    assert parse_search("(" * (MAX_DEPTH + 5) + "blair").match == '"blair"'


def test_many_words_still_search(fts):
    assert found(fts, " OR ".join(["zzz"] * 5000 + ["brown"])) in (set(), set("bc"))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([*'"()*-: ^+{}.,', "OR", "AND", "NOT", "NEAR", " ", "\x00"]),
            st.text(max_size=3),
        ),
        max_size=20,
    ).map("".join)
)
def test_any_typed_text_gives_a_valid_match_or_nothing(typed):
    query = parse_search(typed)
    db = _shared_fts()
    if query.match:
        db.execute("SELECT count(*) FROM f WHERE f MATCH ?", (query.match,)).fetchone()
    else:
        assert not query.negated


_DB: list[sqlite3.Connection] = []


def _shared_fts() -> sqlite3.Connection:
    if not _DB:
        db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE f USING fts5(title, text)")
        db.executemany("INSERT INTO f VALUES (?, ?)", [(k, v) for k, v in TEXTS.items()])
        _DB.append(db)
    return _DB[0]


# ------------------------------------------------------------------ through the store


@pytest.fixture
def store():
    store = Store.memory()
    store.add_articles([ArticleDraft(text=text, uid=uid) for uid, text in TEXTS.items()])
    yield store
    store.close()


def listed(store, typed, **kwargs):
    flt = ArticleFilter(search=typed, **kwargs)
    rows = store.article_rows(flt, None, 100)
    assert store.count_articles(flt) == len(rows)
    return {row.uid for row in rows}


def test_the_list_reads_the_syntax(store):
    assert listed(store, "budg*") == set("ab")
    assert listed(store, "blair OR brown") == set("abc")
    assert listed(store, "Blair -Brown") == set("a")
    assert listed(store, "Blair NOT Brown") == set("a")


def test_exclusions_alone_list_every_other_article(store):
    assert listed(store, "-brown") == set("ade")
    assert listed(store, "-brown -sport") == set("ae")
    a = store.article_id("a")
    assert store.row_of(ArticleFilter(search="-brown"), a) == 0
    assert store.row_of(ArticleFilter(search="-brown"), store.article_id("b")) is None


@pytest.mark.skipif(not BBC.is_dir(), reason="the BBC corpus is not on this machine")
def test_bbc_numbers(tmp_path):
    from desktop_app.core.importing import import_paths

    store = Store.open(tmp_path / "bbc.sqlite")
    try:
        import_paths(store, [BBC])

        def count(typed):
            return store.count_articles(ArticleFilter(search=typed))

        blair = count("Blair")
        assert blair > 0
        assert count("blair OR brown") >= blair
        assert count("blair OR brown") >= count("Brown")
        assert count("Blair -Brown") < blair
        assert count("Blair NOT Brown") == count("Blair -Brown")
        assert count("budg*") > count("budget") > 0
    finally:
        store.close()


def test_ranked_list_puts_best_matches_first_and_pages(store):
    store.add_articles(
        [
            ArticleDraft(text="budget budget budget budget", uid="f", title="Budget day"),
            ArticleDraft(text="nothing about money", uid="g", title="Budget"),
        ]
    )
    flt = ArticleFilter(search="budget", ranked=True, sort="title", descending=True)
    rows = store.article_rows(flt, None, 10)
    assert [r.uid for r in rows[:2]] == ["f", "g"]  # title matches first
    assert {r.uid for r in rows} == {"a", "b", "f", "g"}
    ranked = [r.id for r in rows]
    anchor, paged = store.anchor_after(flt, None, 0), []
    while anchor is not None:
        paged += [r.id for r in store.article_rows(flt, anchor, 1)]
        anchor = store.anchor_after(flt, anchor, 1)
    assert paged == ranked
    assert [store.row_of(flt, article) for article in ranked] == [0, 1, 2, 3]
    assert [k[1] for k in store.keys_after(flt, None, 10)] == ranked
    # Without a search (or with exclusions only) the list keeps its column's order.
    plain = ArticleFilter(search="-budget", ranked=True, sort="title")
    assert store.count_articles(plain) == 3
    assert len(store.article_rows(plain, None, 10)) == 3


def test_command_line_export_reads_the_syntax(tmp_path, capsys):
    import json

    from desktop_app.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    for uid, text in TEXTS.items():
        (folder / f"{uid}.txt").write_text(text, encoding="utf-8")
    db = str(tmp_path / "p.sqlite")
    assert main(["import", "--db", db, str(folder)]) == 0

    def exported(query):
        out = tmp_path / "out.jsonl"
        # --query=... : a search starting with "-" is no option of the command line
        assert (
            main(["export", "--db", db, "--format", "jsonl", "-o", str(out), f"--query={query}"])
            == 0
        )
        lines = out.read_text(encoding="utf-8").splitlines()
        return {json.loads(line)["text"][:5] for line in lines}

    assert exported("Blair -Brown") == {"Blair"}
    assert exported("Blair NOT Brown") == {"Blair"}
    assert exported("blair OR brown") == {"Blair", "Brown"}
    assert exported("budg*") == {"Blair", "Brown"}
    assert len(exported("-brown")) == 3
