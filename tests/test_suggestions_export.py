"""Suggestions in the native export only with --with-suggestions; span provenance travels."""

import json

import pytest

from desktop_app.cli import main
from desktop_app.core.editing import Editor
from desktop_app.core.store import Store
from desktop_app.core.store.suggestions import Proposal

TEXT = "🙂 Nino Beridze met South Caucasus Rail in Tbilisi."
SOURCE = "gazetteer:names.tsv"


def _open(path, read_only=True):
    return Store.open(path, read_only=read_only)


@pytest.fixture
def project(tmp_path, capsys):
    """A project with one accepted suggestion (a span with provenance) and two pending."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(TEXT, encoding="utf-8")
    (folder / "two.txt").write_text("Nothing to suggest here.", encoding="utf-8")
    path = str(tmp_path / "a.sqlite")
    assert main(["import", "--db", path, str(folder)]) == 0
    store = _open(path, read_only=False)
    try:
        one = store.article_id("in/one")
        assert one is not None
        proposals = [
            Proposal(one, 2, 14, "Person", 0.75, "in names.tsv"),
            Proposal(one, 19, 38, "Organization", 1.0, "in names.tsv"),
            Proposal(one, 42, 49, "Location", 0.5, "in names.tsv"),
        ]
        assert store.add_suggestions(SOURCE, proposals).added == 3
        [person] = store.suggestions(label="Person")
        [span] = Editor(store, "ana").accept_suggestions([person])
    finally:
        store.close()
    capsys.readouterr()
    return path, span.uuid, person.uuid


def _export(capsys, path, out, *extra):
    assert main(["export", "--db", path, "--format", "jsonl", "-o", str(out), *extra]) == 0
    capsys.readouterr()
    return {r["uid"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def test_export_carries_suggestions_only_with_the_flag(project, tmp_path, capsys):
    path, span_uuid, suggestion_uuid = project
    plain = _export(capsys, path, tmp_path / "plain.jsonl")
    assert all("suggestions" not in record for record in plain.values())
    assert 'Caucasus Rail", "label"' not in (tmp_path / "plain.jsonl").read_text()
    [span] = plain["in/one"]["spans"]
    assert (span["uuid"], span["quote"], span["annotator"]) == (span_uuid, "Nino Beridze", "ana")
    provenance = span["provenance"]
    assert (provenance["source"], provenance["suggestion"], provenance["score"]) == (
        SOURCE,
        suggestion_uuid,
        0.75,
    )
    assert provenance["explanation"] == "in names.tsv" and provenance["accepted_at"]

    full = _export(capsys, path, tmp_path / "full.jsonl", "--with-suggestions")
    assert full["in/two"]["suggestions"] == []
    found = full["in/one"]["suggestions"]
    assert [
        (s["start"], s["end"], s["label"], s["score"], s["source"], s["explanation"]) for s in found
    ] == [
        (19, 38, "Organization", 1.0, SOURCE, "in names.tsv"),
        (42, 49, "Location", 0.5, SOURCE, "in names.tsv"),
    ]
    assert [TEXT[s["start"] : s["end"]] for s in found] == ["South Caucasus Rail", "Tbilisi"]
    assert all(s["uuid"] and s["created_at"] for s in found)
    assert full["in/one"]["spans"] == plain["in/one"]["spans"]  # suggestions are not spans


def test_with_suggestions_is_only_for_the_native_export(project, tmp_path):
    path = project[0]
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--db", path, "--format", "csv", "-o", str(tmp_path / "x.csv"),
              "--with-suggestions"])  # fmt: skip
    assert exit_.value.code == 2


def test_import_restores_suggestions_as_suggestions_and_provenance(project, tmp_path, capsys):
    path, span_uuid, _ = project
    out = tmp_path / "full.jsonl"
    exported = _export(capsys, path, out, "--with-suggestions")
    target = str(tmp_path / "b.sqlite")
    for again in (False, True):  # the second import adds nothing
        assert main(["import", "--db", target, str(out)]) == 0
        said = capsys.readouterr().out
        assert ("2 suggestions added (not spans)" in said) != again, said
        store = _open(target)
        try:
            one = store.article_id("in/one")
            assert [s.uuid for s in store.spans(one)] == [span_uuid]
            assert store.span_provenance(span_uuid)["source"] == SOURCE
            assert [(s.uuid, s.label, s.score, s.source) for s in store.suggestions()] == [
                (s["uuid"], s["label"], s["score"], s["source"])
                for s in exported["in/one"]["suggestions"]
            ]
            assert store.stats()["spans"] == 1
            assert "suggestions" not in store.article(one).meta
        finally:
            store.close()


def test_import_skips_rejected_suggestions_and_checks_offsets(project, tmp_path, capsys):
    path = project[0]
    out = tmp_path / "full.jsonl"
    _export(capsys, path, out, "--with-suggestions")
    store = _open(path, read_only=False)
    try:
        [place] = store.suggestions(label="Location")
        Editor(store, "ana").reject_suggestions([place])
    finally:
        store.close()
    # Back into the same project: the rejected one stays rejected, the other is there already.
    assert main(["import", "--db", path, str(out)]) == 0
    store = _open(path)
    try:
        assert [s.label for s in store.suggestions()] == ["Organization"]
    finally:
        store.close()
    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    record["uid"] = "bad"
    record["suggestions"][0]["end"] = 999
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(record) + "\n", encoding="utf-8")
    capsys.readouterr()
    main(["import", "--db", str(tmp_path / "c.sqlite"), str(bad)])
    assert "bad.jsonl:1: suggestion 0: offsets 19..999" in capsys.readouterr().err


def test_another_tools_suggestions_field_stays_in_meta(tmp_path, capsys):
    line = {"id": "x", "text": "Some text.", "suggestions": [{"word": "Some"}]}
    source = tmp_path / "other.jsonl"
    source.write_text(json.dumps(line) + "\n", encoding="utf-8")
    target = str(tmp_path / "c.sqlite")
    assert main(["import", "--db", target, str(source)]) == 0
    store = _open(target)
    try:
        assert store.suggestions() == []
        assert store.article(store.article_id("x")).meta["suggestions"] == [{"word": "Some"}]
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["sqlite", "jsonl"])
def test_merge_keeps_provenance_and_never_takes_suggestions(project, tmp_path, capsys, kind):
    path, span_uuid, _ = project
    other = path
    if kind == "jsonl":
        other = tmp_path / "full.jsonl"
        _export(capsys, path, other, "--with-suggestions")
    target = str(tmp_path / "b.sqlite")
    assert main(["import", "--db", target, str(tmp_path / "in" / "two.txt")]) == 0
    assert main(["merge", "--db", target, str(other)]) == 0
    store = _open(target)
    try:
        assert [s.uuid for s in store.spans(store.article_id("in/one"))] == [span_uuid]
        assert store.span_provenance(span_uuid)["source"] == SOURCE
        assert store.suggestions() == []
    finally:
        store.close()


def test_merge_adds_provenance_to_a_span_both_sides_have(project, tmp_path, capsys):
    path, span_uuid, _ = project
    plain = tmp_path / "plain.jsonl"
    records = _export(capsys, path, plain)
    del records["in/one"]["spans"][0]["provenance"]
    bare = tmp_path / "bare.jsonl"
    bare.write_text("".join(json.dumps(r) + "\n" for r in records.values()), encoding="utf-8")
    target = str(tmp_path / "b.sqlite")
    assert main(["import", "--db", target, str(bare)]) == 0
    store = _open(target)
    try:
        assert store.span_provenance(span_uuid) is None
    finally:
        store.close()
    assert main(["merge", "--db", target, str(plain)]) == 0
    store = _open(target)
    try:
        assert store.span_provenance(span_uuid)["source"] == SOURCE
    finally:
        store.close()
