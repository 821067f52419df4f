"""Gazetteers: the three file formats, bad input named by file and line, applying, and imports."""

import json

import pytest

from desktop_app.core.editing import Editor
from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store, StoreError
from desktop_app.core.suggest.gazetteer import (
    GazetteerError,
    read_gazetteer,
    token_phrase,
    write_tsv,
)
from desktop_app.core.suggest.gazetteer_apply import (
    apply_gazetteers,
    export_gazetteer,
    load_gazetteer,
)

LABELS = ("Person", "Organization", "Location")


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def store():
    found = Store.memory()
    found.apply_schema(LabelSchema("t", tuple(Label(n, "span", "#a0c4ff") for n in LABELS)))
    found.add_articles(
        [
            ArticleDraft("Nino Beridze met Apple Inc. staff in Tbilisi. nino beridze left.", "a"),
            ArticleDraft("Pineapple is not Apple; Tbilisi 🙂 Tbilisi.", "b"),
        ]
    )
    yield found
    found.close()


def test_tsv_with_comments_tabs_and_problems_named_by_line(tmp_path):
    path = _write(
        tmp_path,
        "people.txt",
        "# INCEpTION gazetteer\n\nNino Beridze\tPerson\nno tab here\n\tPerson\n"
        "Tbilisi\tLocation\nnino beridze\tLocation\nApple\tProduct\nApple\tProduct\n",
    )
    read = read_gazetteer(path, LABELS)
    assert read.fmt == "tsv"
    assert [(t.text, t.label) for t in read.terms] == [
        ("Nino Beridze", "Person"),
        ("Tbilisi", "Location"),
    ]
    assert read.problems == [
        f"{path}:4: no tab between the term and its label",
        f"{path}:5: the term is empty",
        f"{path}:7: 'nino beridze' is 'Person' on line 3 already (not 'Location'); "
        "the first is kept",
    ]
    assert read.unknown_labels == {"Product": 2}  # reported, never invented
    assert "'Product' (2)" in read.summary()


def test_case_sensitive_reading_keeps_both_spellings(tmp_path):
    path = _write(tmp_path, "g.tsv", "Apple\tOrganization\napple\tLocation\n")
    assert len(read_gazetteer(path, LABELS, case=True).terms) == 2
    assert len(read_gazetteer(path, LABELS).terms) == 1


def test_csv_columns_in_any_order_and_bad_rows(tmp_path):
    path = _write(
        tmp_path,
        "orgs.csv",
        'label,note,term\nOrganization,x,"Apple, Inc."\nPerson,y,\nOrganization\n',
    )
    read = read_gazetteer(path, LABELS)
    assert read.fmt == "csv"
    assert [(t.text, t.label) for t in read.terms] == [("Apple, Inc.", "Organization")]
    assert read.problems == [
        f"{path}:3: the term is empty",
        f"{path}:4: fewer columns than the header",
    ]
    bad = _write(tmp_path, "bad.csv", "name,kind\nApple,ORG\n")
    with pytest.raises(GazetteerError, match=r"bad.csv:1: the header needs `term` and `label`"):
        read_gazetteer(bad, LABELS)


def test_prodigy_jsonl_phrases_and_simple_token_patterns(tmp_path):
    lines = [
        {"label": "Organization", "pattern": "Apple"},
        {"label": "Organization", "pattern": [{"LOWER": "apple"}, {"lower": "inc"}, {"ORTH": "."}]},
        {"label": "Person", "pattern": [{"lower": "nino"}, {"POS": "PROPN"}]},
        {"label": "Location", "pattern": [{"TEXT": {"REGEX": "^Tb"}}]},
        {"pattern": "no label"},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    path = _write(tmp_path, "patterns.jsonl", text)
    read = read_gazetteer(path, LABELS)
    assert read.fmt == "jsonl"
    assert [t.text for t in read.terms] == ["Apple", "apple inc."]
    assert read.problems[0] == (
        f"{path}:3: unsupported token pattern (only tokens with one LOWER, ORTH or TEXT "
        "string each are supported)"
    )
    assert read.problems[1].startswith(f"{path}:4: unsupported token pattern")
    assert read.problems[2] == f'{path}:5: not {{"label": ..., "pattern": ...}}'
    assert read.problems[3].startswith(f"{path}:6: not JSON")
    assert token_phrase([{"lower": "coca"}, {"orth": "-"}, {"lower": "cola"}]) == "coca-cola"


def test_unreadable_files_are_refused_naming_file_and_line(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Tbilisi\tLocation\nZürich\tLocation\n".encode("latin-1"))
    with pytest.raises(GazetteerError, match=r"latin.txt:2: not UTF-8"):
        read_gazetteer(latin, LABELS)
    only_unknown = _write(tmp_path, "u.tsv", "Apple\tProduct\n")
    with pytest.raises(GazetteerError, match=r"u.tsv: no terms with a label of this project"):
        read_gazetteer(only_unknown, LABELS)
    with pytest.raises(GazetteerError, match=r"missing.tsv: cannot read it"):
        read_gazetteer(tmp_path / "missing.tsv", LABELS)


def test_apply_suggests_whole_words_with_exact_offsets(store, tmp_path):
    path = _write(
        tmp_path, "g.tsv", "Nino Beridze\tPerson\nApple\tOrganization\nTbilisi\tLocation\n"
    )
    loaded = load_gazetteer(store, path)
    assert (loaded.gazetteer.name, loaded.gazetteer.terms, loaded.reused) == ("g.tsv", 3, False)
    report = apply_gazetteers(store, store.gazetteers())
    assert report.articles == 2
    found = store.suggestions()
    quotes = [(store.article(s.article_id).text[s.start : s.end], s.label) for s in found]
    assert quotes == [
        ("Nino Beridze", "Person"),
        ("Apple", "Organization"),
        ("Tbilisi", "Location"),
        ("nino beridze", "Person"),
        ("Apple", "Organization"),  # not inside "Pineapple"
        ("Tbilisi", "Location"),
        ("Tbilisi", "Location"),  # after an emoji: offsets in code points
    ]
    assert {s.source for s in found} == {"gazetteer:g.tsv"}
    assert found[3].explanation == "Nino Beridze"  # the term listed, whatever the case
    again = apply_gazetteers(store, store.gazetteers())
    assert (again.added, again.stored["gazetteer:g.tsv"].duplicates) == (0, 7)


def test_apply_respects_rejections_and_annotated_text(store, tmp_path):
    load_gazetteer(store, _write(tmp_path, "g.tsv", "Tbilisi\tLocation\nApple\tOrganization\n"))
    apply_gazetteers(store, store.gazetteers())
    a = store.article_id("a")
    editor = Editor(store, "ana")
    tbilisi, apple = [s for s in store.suggestions([a])]
    editor.reject_suggestions([tbilisi])
    editor.accept_suggestions([apple])
    report = apply_gazetteers(store, store.gazetteers(), [a])
    stored = report.stored["gazetteer:g.tsv"]
    assert (stored.added, stored.rejected_before, stored.annotated) == (0, 1, 1)
    assert store.suggestions([a]) == []


def test_disable_takes_suggestions_away_and_remove_forgets(store, tmp_path):
    load_gazetteer(store, _write(tmp_path, "g.tsv", "Tbilisi\tLocation\n"))
    apply_gazetteers(store, store.gazetteers())
    assert store.set_gazetteer_enabled("g.tsv", False) == 3
    assert store.suggestions() == [] and store.gazetteers(enabled_only=True) == []
    store.set_gazetteer_enabled("g.tsv", True)
    assert apply_gazetteers(store, store.gazetteers(enabled_only=True)).added == 3
    assert store.remove_gazetteer("g.tsv") == 3
    assert store.gazetteers() == []
    with pytest.raises(StoreError, match=r"no gazetteer 'g\.tsv'"):
        store.gazetteer("g.tsv")


def test_same_file_is_reused_another_with_that_name_refused(store, tmp_path):
    path = _write(tmp_path, "g.tsv", "Tbilisi\tLocation\n")
    first = load_gazetteer(store, path)
    assert load_gazetteer(store, path).reused
    path.write_text("Apple\tOrganization\n", encoding="utf-8")
    with pytest.raises(StoreError, match=r"a different gazetteer named 'g\.tsv'"):
        load_gazetteer(store, path)
    replaced = load_gazetteer(store, path, replace=True)
    assert replaced.gazetteer.sha256 != first.gazetteer.sha256
    assert store.gazetteer_terms("g.tsv") == [("Apple", "Organization")]


def test_label_removed_after_loading_is_reported_at_apply(store, tmp_path):
    store.add_gazetteer("x", [("Tbilisi", "Location"), ("Apple", "Gone")])
    report = apply_gazetteers(store, store.gazetteers())
    assert report.unknown_labels == {"Gone": 1} and report.added == 3
    assert "Gone" in report.summary()


def test_cancel_keeps_finished_batches(store, tmp_path):
    store.add_gazetteer("x", [("Tbilisi", "Location")])
    report = apply_gazetteers(store, store.gazetteers(), batch=1, cancelled=lambda: True)
    assert report.cancelled and report.added == 0


def test_export_round_trips_through_the_tsv_reader(store, tmp_path):
    store.add_gazetteer(
        "x", [("Nino Beridze", "Person"), ("Tbilisi", "Location"), ("#a", "Person")]
    )
    out = tmp_path / "out.tsv"
    said = export_gazetteer(store, "x", out)
    assert said == f"x: 2 terms written to {out} (1 left out: a term with a line break or " + (
        "starting with # cannot be written in this format)"
    )
    read = read_gazetteer(out, LABELS)
    assert [(t.text, t.label) for t in read.terms] == store.gazetteer_terms("x")[:2]
    assert out.read_text(encoding="utf-8").startswith("# Marginalia gazetteer x\n")
    assert write_tsv(tmp_path / "w.tsv", [("a\nb", "Person"), ("#MeToo", "Event")]) == 0


def test_import_suggests_from_enabled_gazetteers_only(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text("Talks in Tbilisi with Apple.", encoding="utf-8")
    (folder / "two.txt").write_text("Nothing here.", encoding="utf-8")
    store = Store.memory()
    try:
        store.apply_schema(LabelSchema("t", tuple(Label(n, "span", "#a0c4ff") for n in LABELS)))
        store.add_gazetteer("on", [("Tbilisi", "Location")])
        store.add_gazetteer("off", [("Apple", "Organization")], enabled=False)
        report = import_paths(store, [folder])
        assert report.added == 2 and report.suggested == 1
        assert "1 gazetteer suggestions" in report.summary()
        [found] = store.suggestions()
        assert (found.label, found.source) == ("Location", "gazetteer:on")
        (folder / "three.txt").write_text("Tbilisi again.", encoding="utf-8")
        assert import_paths(store, [folder]).suggested == 1  # only the new article
    finally:
        store.close()


def test_fold_fast_path_agrees_with_folding_each_character():
    from desktop_app.core.suggest.matcher import fold

    def slow(text):
        return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)

    for text in ("ΟΔΟΣ ΑΣ", "İstanbul ΣΑ", "Straße", "ǅemal", "Tbilisi 🙂 ТБИЛИСИ"):
        assert fold(text) == slow(text) and len(fold(text)) == len(text)


def test_bulk_suggestion_uuids_are_valid_ordered_and_unique():
    import uuid

    from desktop_app.core.store.suggestions import _ordered_uuids

    made = _ordered_uuids(10_000)
    assert made == sorted(made) and len(set(made)) == len(made)
    assert {uuid.UUID(u).version for u in made} == {7}
    assert _ordered_uuids(3) != _ordered_uuids(3)
