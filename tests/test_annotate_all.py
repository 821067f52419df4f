"""Annotate all matches in core and on the command line: context, coverage, one undo step, scope."""

import json

import pytest

from desktop_app.cli import main
from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleDraft, ArticleFilter, Label, LabelSchema
from desktop_app.core.store import Store, StoreError
from desktop_app.core.suggest.annotate_all import (
    Scope,
    apply_found,
    check_label,
    find_all,
    make_matcher,
)

SCHEMA = LabelSchema("t", (Label("Person", "span", "#ffadad"), Label("Org", "span", "#caffbf")))
TEXTS = [
    "Nino Beridze spoke.\r\nLater nino beridze left. Beridzeshvili did not.",
    "Nothing here about her.",
    "👍 Nino Beridze again, with Energy news.",
]


@pytest.fixture
def project(tmp_path):
    from desktop_app.core.text import normalize_text

    path = tmp_path / "p.sqlite"
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    store.add_articles(
        [ArticleDraft(normalize_text(t), f"a{i}", title=f"T{i}") for i, t in enumerate(TEXTS)]
    )
    yield store, path
    store.close()


def ids(store):
    return [store.article_id(f"a{i}") for i in range(len(TEXTS))]


def test_find_all_gives_context_and_exact_offsets(project):
    store, _ = project
    found = find_all(store, make_matcher("nino beridze", "Person"), Scope(), "ana")
    assert [(f.article_id, f.quote) for f in found] == [
        (ids(store)[0], "Nino Beridze"),
        (ids(store)[0], "nino beridze"),
        (ids(store)[2], "Nino Beridze"),
    ]
    for f in found:
        assert store.article(f.article_id).text[f.start : f.end] == f.quote
    # The line around the hit, not across the (CRLF-sourced) line break.
    assert found[1].before == "Later " and found[1].after == " left. Beridzeshvili did not."
    assert found[0].after == " spoke."
    assert found[2].before == "👍 "


def test_apply_is_one_undo_step_and_idempotent(project):
    store, _ = project
    editor = Editor(store, "ana")
    editor.add_span(ids(store)[1], 0, 7, "Org")  # an earlier edit, which must survive the undo
    matcher = make_matcher("Nino Beridze", "Person")
    made = apply_found(editor, find_all(store, matcher, Scope(), "ana"))
    assert len(made) == 3
    assert all(s.annotator == "ana" and s.label == "Person" for s in made)
    again = find_all(store, matcher, Scope(), "ana")
    assert all(f.covered for f in again)
    assert apply_found(editor, again) == []
    editor.undo()
    assert [s.label for a in ids(store) for s in store.spans(a)] == ["Org"]
    editor.redo()
    assert sum(len(store.spans(a, "ana")) for a in ids(store)) == 4


def test_other_annotators_spans_do_not_cover(project):
    store, _ = project
    Editor(store, "bob").add_span(ids(store)[0], 0, 12, "Person")
    matcher = make_matcher("Nino Beridze", "Person")
    assert [f.covered for f in find_all(store, matcher, Scope(), "ana")] == [False] * 3
    assert [f.covered for f in find_all(store, matcher, Scope(), "bob")] == [True, False, False]


def test_scope_one_article_filter_and_not_done(project):
    store, _ = project
    matcher = make_matcher("Nino Beridze", "Person")
    one = find_all(store, matcher, Scope(article_id=ids(store)[2]), "ana")
    assert {f.article_id for f in one} == {ids(store)[2]}
    searched = find_all(store, matcher, Scope(ArticleFilter(search="Energy")), "ana")
    assert {f.article_id for f in searched} == {ids(store)[2]}
    store.set_status(ids(store)[0], "ana", "done")
    open_ones = find_all(store, matcher, Scope(not_done=True), "ana")
    assert {f.article_id for f in open_ones} == {ids(store)[2]}


def test_unknown_label_is_named(project):
    store, _ = project
    with pytest.raises(StoreError, match="'Place'"):
        check_label(store, "Place")


def test_cli_dry_run_json_then_apply_then_nothing(project, capsys):
    store, path = project
    store.close()
    args = ["annotate-all", "Nino Beridze", "--label", "Person", "--db", str(path)]
    assert main([*args, "--annotator", "ana", "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["hits"]) == 3 and report["added"] == 0
    assert report["hits"][0]["quote"] == "Nino Beridze"
    assert main([*args, "--annotator", "ana"]) == 0
    assert "3" in capsys.readouterr().out
    assert main([*args, "--annotator", "ana", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["added"] == 0 and all(h["covered"] for h in second["hits"])
    reopened = Store.open(path, read_only=True)
    assert sum(len(reopened.spans(a, "ana")) for a in ids(reopened)) == 3
    reopened.close()


def test_cli_dry_run_text_and_scope(project, capsys):
    store, path = project
    store.close()
    code = main(
        ["annotate-all", "nino beridze", "--label", "Person", "--db", str(path),
         "--case", "--query", "Later", "--dry-run"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "Later [nino beridze] left." in out
    assert out.count("[") == 1


def test_cli_unknown_label_and_bad_regex_are_rejected(project, capsys):
    store, path = project
    store.close()
    assert main(["annotate-all", "x", "--label", "Place", "--db", str(path)]) == 1
    assert "'Place'" in capsys.readouterr().err
    assert main(["annotate-all", "(x", "--regex", "--label", "Person", "--db", str(path)]) == 1
    assert "'(x'" in capsys.readouterr().err
