"""Relations through the interchange formats, both ways (issue 16 item 4): exported by
`marginalia export`, imported by `marginalia import` into a fresh project, they come back."""

import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.model import ArticleDraft, ArticleFilter, Label, LabelSchema, RelationType
from desktop_app.core.store import Store

TEXT = "Mayor Ana Lee said “we will build” in Paris. Ana met Bo Chen in Rome."
CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def _at(needle, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return start, start + len(needle)


def run(capsys, *args, ok=True):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert ok is None or (code == 0) == ok, (args, captured.err)
    return captured.out + captured.err


@pytest.fixture
def project(tmp_path):
    """A project with directed and undirected relations, notes, two annotators."""
    db = tmp_path / "P.sqlite"
    store = Store.open(db)
    store.apply_schema(
        LabelSchema(
            "t",
            (Label("Person", "span", "#ffadad"), Label("Quote", "span", "#a0c4ff"),
             Label("Location", "span", "#caffbf")),
            relation_types=(
                RelationType("quoted", "#ff0000", "", True, ("Quote",), ("Person",)),
                RelationType("based_in", "#00ff00", "", True, (), ("Location",)),
                RelationType("met", "#0000ff", "", False, ("Person",), ("Person",)),
            ),
        )
    )  # fmt: skip
    store.add_articles([ArticleDraft(TEXT, "a1", title="Mayor")])
    a = store.article_id("a1")
    assert a is not None
    ana = store.add_span(a, *_at("Ana Lee"), "Person", "ana")
    quote = store.add_span(a, *_at("we will build"), "Quote", "ana")
    paris = store.add_span(a, *_at("Paris"), "Location", "ana")
    ana2 = store.add_span(a, *_at("Ana", 1), "Person", "ana")
    bo = store.add_span(a, *_at("Bo Chen"), "Person", "ana")
    rome = store.add_span(a, *_at("Rome"), "Location", "ana")
    store.add_relation("quoted", quote.uuid, ana.uuid, "ana", note="direct quote")
    store.add_relation("based_in", ana.uuid, paris.uuid, "ana")
    store.add_relation("met", ana2.uuid, bo.uuid, "ana")
    store.add_relation("based_in", bo.uuid, rome.uuid, "ana", note="visiting")
    store.close()
    return db


def relations(db, notes=True, who=True):
    """(type, (from label, start, end, quote), (to …), annotator, note) of every live
    relation; an undirected relation's ends sorted."""
    store = Store.open(db, read_only=True)
    try:
        directed = {t.name: t.directed for t in store.relation_types()}
        found = []
        for ids in store.iter_article_ids(ArticleFilter()):
            for article in ids:
                spans = {s.uuid: s for s in store.spans(article)}
                for r in store.relations(article):
                    ends = [
                        (spans[u].label, spans[u].start, spans[u].end, spans[u].quote)
                        for u in (r.from_span, r.to_span)
                    ]
                    if not directed[r.type]:
                        ends.sort()
                    found.append(
                        (r.type, *ends, r.annotator if who else "", r.note if notes else "")
                    )
        return sorted(found)
    finally:
        store.close()


def types(db):
    store = Store.open(db, read_only=True)
    try:
        return {t.name: t for t in store.relation_types()}
    finally:
        store.close()


def ours(db):
    """The fixture's relation types as a file can carry them (no keys)."""
    found = types(db)
    return {name: found[name]._replace(key="") if hasattr(found[name], "_replace") else
            (found[name].color, found[name].directed, found[name].from_labels,
             found[name].to_labels) for name in ("quoted", "based_in", "met")}  # fmt: skip


def round_trip(capsys, tmp_path, project, fmt, *extra, target="out"):
    out = tmp_path / target
    said = run(capsys, "export", "--db", project, "--format", fmt, "-o", out, *extra)
    fresh = tmp_path / "Q.sqlite"
    run(capsys, "import", "--db", fresh, out)
    return fresh, said


# ----------------------------------------------------------------- native JSONL


def test_native_jsonl_round_trip_keeps_relations_uuids_notes_and_times(capsys, tmp_path, project):
    fresh, said = round_trip(capsys, tmp_path, project, "jsonl", target="out.jsonl")
    assert "4 relations written" in said
    record = json.loads((tmp_path / "out.jsonl").read_text("utf-8"))
    listed = record["relations"]
    assert len(listed) == 4 and {"uuid", "type", "from", "to", "annotator", "note",
                                 "created_at", "updated_at"} <= set(listed[0])  # fmt: skip
    span_uuids = {s["uuid"] for s in record["spans"]}
    assert all(r["from"] in span_uuids and r["to"] in span_uuids for r in listed)
    assert relations(fresh) == relations(project)
    old, new = Store.open(project, read_only=True), Store.open(fresh, read_only=True)
    try:
        a, b = old.article_id("a1"), new.article_id("a1")
        assert [(r.uuid, r.created_at) for r in old.relations(a)] == [
            (r.uuid, r.created_at) for r in new.relations(b)
        ]
        assert "relations" not in new.article(b).meta
    finally:
        old.close()
        new.close()
    # Importing again adds nothing.
    again = run(capsys, "import", "--db", fresh, tmp_path / "out.jsonl")
    assert "relations added" not in again
    assert relations(fresh) == relations(project)


def test_native_relation_to_a_missing_span_is_reported_and_kept_in_meta(capsys, tmp_path):
    text = "Ana met Bo."
    record = {
        "uid": "x", "text": text,
        "spans": [{"uuid": "s1", "start": 0, "end": 3, "label": "Person"},
                  {"uuid": "s2", "start": 8, "end": 10, "label": "Person"}],
        "relations": [{"type": "met", "from": "s1", "to": "s2"},
                      {"type": "met", "from": "s1", "to": "nowhere"}],
    }  # fmt: skip
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record) + "\n", "utf-8")
    db = tmp_path / "P.sqlite"
    said = run(capsys, "import", "--db", db, source, ok=False)
    assert "1 relations added" in said
    assert f"{source}:1" in said and "'nowhere' is no span of this record" in said
    store = Store.open(db, read_only=True)
    try:
        article = store.article_id("x")
        assert [r.type for r in store.relations(article)] == ["met"]
        assert store.article(article).meta["relations"] == [record["relations"][1]]
    finally:
        store.close()


# ----------------------------------------------------------------- doccano


def test_doccano_round_trip_names_entities_by_id(capsys, tmp_path, project):
    fresh, said = round_trip(capsys, tmp_path, project, "doccano", target="out.jsonl")
    assert "4 relations written" in said
    assert "undirected relations (doccano's are directed): 1" in said
    assert "relation notes: 2" in said
    record = json.loads((tmp_path / "out.jsonl").read_text("utf-8"))
    ids = {e["id"] for e in record["entities"]}
    assert len(record["relations"]) == 4
    assert all(r["from_id"] in ids and r["to_id"] in ids for r in record["relations"])
    assert len({r["id"] for r in record["relations"]}) == 4
    assert relations(fresh, notes=False, who=False) == relations(project, notes=False, who=False)
    run(capsys, "import", "--db", fresh, tmp_path / "out.jsonl")  # again: nothing doubles
    assert len(relations(fresh)) == 4


def test_doccano_per_annotator_and_label_shape(capsys, tmp_path, project):
    run(capsys, "export", "--db", project, "--format", "doccano", "--per-annotator",
        "-o", tmp_path / "each")  # fmt: skip
    fresh = tmp_path / "Q.sqlite"
    run(capsys, "import", "--db", fresh, tmp_path / "each")
    # The file's name is whose the relations are.
    assert relations(fresh, notes=False) == relations(project, notes=False)
    said = run(capsys, "export", "--db", project, "--format", "doccano", "--doccano-shape",
               "label", "-o", tmp_path / "triples.jsonl")  # fmt: skip
    assert "relations (the label shape has no room for them): 4" in said


def test_doccano_relation_to_a_missing_entity_is_reported_by_line(capsys, tmp_path):
    record = {
        "text": "Ana met Bob.",
        "entities": [{"id": 7, "start_offset": 0, "end_offset": 3, "label": "Person"},
                     {"id": 8, "start_offset": 8, "end_offset": 11, "label": "Person"}],
        "relations": [{"id": 1, "from_id": 7, "to_id": 8, "type": "met"},
                      {"id": 2, "from_id": 7, "to_id": 99, "type": "met"}],
    }  # fmt: skip
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps({"text": "Other."}) + "\n" + json.dumps(record) + "\n", "utf-8")
    db = tmp_path / "P.sqlite"
    said = run(capsys, "import", "--db", db, source, ok=False)
    assert f"{source}:2: relation 2: its to end 99 is no span of this record" in said
    assert [r[0] for r in relations(db)] == ["met"]


DOCCANO = CORPORA / "doccano" / "official-examples"


@pytest.mark.skipif(not DOCCANO.is_dir(), reason="the shared corpora are not here")
@pytest.mark.parametrize("name", ["import_relation_extraction.jsonl",
                                  "export_relation_extraction.jsonl"])  # fmt: skip
def test_doccano_official_relation_examples_round_trip(capsys, tmp_path, name):
    db = tmp_path / "P.sqlite"
    # doccano's export example is one pretty-printed object (with relation ids): made a line.
    source = tmp_path / name
    source.write_text(json.dumps(json.loads((DOCCANO / name).read_text("utf-8"))) + "\n")
    run(capsys, "import", "--db", db, source)
    expected = [
        ("foundedAt", ("ORG", 0, 6, "Google"), ("DATE", 22, 39, "September 4, 1998")),
        ("foundedBy", ("ORG", 0, 6, "Google"), ("Person", 44, 54, "Larry Page")),
        ("foundedBy", ("ORG", 0, 6, "Google"), ("Person", 59, 70, "Sergey Brin")),
    ]
    assert [r[:3] for r in relations(db)] == expected
    run(capsys, "import", "--db", db, source)  # idempotent
    assert len(relations(db)) == 3
    for fmt, target in (("doccano", "d.jsonl"), ("labelstudio", "ls.json"), ("brat", "brat"),
                        ("jsonl", "n.jsonl"), ("csv", "c.csv")):  # fmt: skip
        out = tmp_path / target
        run(capsys, "export", "--db", db, "--format", fmt, "-o", out)
        fresh = tmp_path / f"{fmt}.sqlite"
        if fmt == "csv":  # annotation rows need their articles (texts only) first
            texts = tmp_path / "texts.jsonl"
            lines = (tmp_path / "n.jsonl").read_text("utf-8").splitlines()
            texts.write_text(
                "".join(json.dumps({k: json.loads(line)[k] for k in ("uid", "text")}) + "\n"
                        for line in lines), "utf-8")  # fmt: skip
            run(capsys, "import", "--db", fresh, texts)
        run(capsys, "import", "--db", fresh, out)
        assert [r[:3] for r in relations(fresh)] == expected, fmt


# ----------------------------------------------------------------- brat


def test_brat_round_trip_r_lines_star_lines_and_conf(capsys, tmp_path, project):
    fresh, said = round_trip(capsys, tmp_path, project, "brat")
    assert "4 relations written" in said
    ann = (tmp_path / "out" / "a1.ann").read_text("utf-8")
    assert "R1\tquoted Arg1:T2 Arg2:T1\n" in ann and "*\tmet T4 T5\n" in ann
    assert "AnnotatorNotes R1\tdirect quote" in ann
    conf = (tmp_path / "out" / "annotation.conf").read_text("utf-8")
    assert "quoted\tArg1:Quote, Arg2:Person\n" in conf
    assert "met\tArg1:Person, Arg2:Person, <REL-TYPE>:symmetric-transitive\n" in conf
    assert "based_in\tArg1:<ENTITY>, Arg2:Location\n" in conf
    assert "quoted\tcolor:#ff0000" in (tmp_path / "out" / "visual.conf").read_text("utf-8")
    assert relations(fresh, who=False) == relations(project, who=False)
    assert ours(fresh) == ours(project)  # directions, allowed labels and colours
    run(capsys, "import", "--db", fresh, tmp_path / "out")
    assert len(relations(fresh)) == 4


def test_brat_relations_to_missing_entities_are_reported_by_line(capsys, tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "a.txt").write_text("Ana met Bo and Cy in Rome.", "utf-8")
    (folder / "a.ann").write_text(
        "T1\tPerson 0 3\tAna\nT2\tPerson 8 10\tBo\nT3\tPerson 15 17\tCy\n"
        "R1\tMet Arg1:T1 Arg2:T2\nR2\tMet Arg1:T1 Arg2:T9\nE1\tMeet:T1\n"
        "R3\tAt Arg1:E1 Arg2:T2\n*\tAlias T1 T2 T3\n#1\tAnnotatorNotes R1\tat work\nR4\t\n"
        "R5\tMet Arg1:T1\n*\tAlias T1 T2\n",
        "utf-8",
    )
    db = tmp_path / "P.sqlite"
    said = run(capsys, "import", "--db", db, folder, ok=False)
    assert "line 5 (R2): T9 is no entity (T line) of this file" in said
    assert "line 7 (R3): E1 is no entity" in said
    assert "line 10 (R4): no relation type" in said
    assert "line 11 (R5): a relation needs two arguments" in said
    found = relations(db)
    # The * line chains its entities: Ana-Bo, Bo-Cy (undirected).
    assert [(r[0], r[1][3], r[2][3], r[4]) for r in found] == [
        ("Alias", "Ana", "Bo", ""), ("Alias", "Bo", "Cy", ""), ("Met", "Ana", "Bo", "at work"),
    ]  # fmt: skip
    assert not types(db)["Alias"].directed and types(db)["Met"].directed
    store = Store.open(db, read_only=True)
    try:
        meta = store.article(store.article_id("b/a")).meta
        assert meta["brat"] == ["R2\tMet Arg1:T1 Arg2:T9", "E1\tMeet:T1", "R3\tAt Arg1:E1 Arg2:T2",
                                "R4\t", "R5\tMet Arg1:T1"]  # fmt: skip
    finally:
        store.close()


BRAT = CORPORA / "brat" / "tutorials"


@pytest.mark.skipif(not BRAT.is_dir(), reason="the shared corpora are not here")
def test_brat_tutorial_relations_and_their_conf(capsys, tmp_path):
    db = tmp_path / "P.sqlite"
    run(capsys, "import", "--db", db, BRAT / "news", ok=None)
    kinds = types(db)
    assert kinds["Located"].from_labels == ("Person",) and kinds["Located"].to_labels == ("GPE",)
    assert not kinds["Alias"].directed and kinds["Family"].directed
    found = relations(db)
    source = (BRAT / "news" / "060-relation_annotation.ann").read_text("utf-8")
    assert "*\tAlias T3 T4 T5" in source
    assert any(r[0] == "Alias" for r in found) and any(r[0] == "Located" for r in found)
    before = len(found)
    run(capsys, "import", "--db", db, BRAT / "news", ok=None)  # idempotent
    assert len(relations(db)) == before
    out = tmp_path / "out"
    run(capsys, "export", "--db", db, "--format", "brat", "-o", out)
    fresh = tmp_path / "Q.sqlite"
    run(capsys, "import", "--db", fresh, out, ok=None)
    assert relations(fresh, who=False) == relations(db, who=False)


# ----------------------------------------------------------------- Label Studio


def test_labelstudio_round_trip_with_direction_and_labels(capsys, tmp_path, project):
    fresh, said = round_trip(capsys, tmp_path, project, "labelstudio", target="out.json")
    assert "4 relations written" in said and "relation notes: 2" in said
    [task] = json.loads((tmp_path / "out.json").read_text("utf-8"))
    results = task["annotations"][0]["result"]
    regions = {r["id"] for r in results if r["type"] == "labels"}
    links = [r for r in results if r["type"] == "relation"]
    assert {(r["direction"], tuple(r["labels"])) for r in links} == {
        ("right", ("quoted",)), ("right", ("based_in",)), ("bi", ("met",))}  # fmt: skip
    assert all(r["from_id"] in regions and r["to_id"] in regions for r in links)
    config = (tmp_path / "out.config.xml").read_text("utf-8")
    assert '<Relation value="quoted"/>' in config
    assert relations(fresh, notes=False) == relations(project, notes=False)
    assert not types(fresh)["met"].directed
    run(capsys, "import", "--db", fresh, tmp_path / "out.json")
    assert len(relations(fresh)) == 4


def test_labelstudio_left_direction_and_a_missing_region(capsys, tmp_path):
    text = "Ana met Bo."
    task = {"id": 3, "data": {"text": text}, "annotations": [{"completed_by": {"email": "ana"},
        "result": [
            {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
             "value": {"start": 0, "end": 3, "text": "Ana", "labels": ["Person"]}},
            {"id": "r2", "type": "labels", "from_name": "label", "to_name": "text",
             "value": {"start": 8, "end": 10, "text": "Bo", "labels": ["Person"]}},
            {"from_id": "r1", "to_id": "r2", "type": "relation", "direction": "left",
             "labels": ["knows"]},
            {"from_id": "r1", "to_id": "gone", "type": "relation", "direction": "right"},
        ]}]}  # fmt: skip
    source = tmp_path / "ls.json"
    source.write_text(json.dumps([task]), "utf-8")
    db = tmp_path / "P.sqlite"
    said = run(capsys, "import", "--db", db, source, ok=False)
    assert f"{source}#task 3: relation r1->gone: its end 'gone' is no region" in said
    found = relations(db)
    assert [(r[0], r[1][3], r[2][3], r[3]) for r in found] == [("knows", "Bo", "Ana", "ana")]


# ----------------------------------------------------------------- CSV


def _texts_only(capsys, tmp_path, project):
    """A fresh project holding the project's articles without their annotations."""
    run(capsys, "export", "--db", project, "--format", "jsonl", "-o", tmp_path / "all.jsonl")
    texts = tmp_path / "texts.jsonl"
    lines = (tmp_path / "all.jsonl").read_text("utf-8").splitlines()
    texts.write_text("".join(json.dumps({k: json.loads(line)[k] for k in ("uid", "text")}) + "\n"
                             for line in lines), "utf-8")  # fmt: skip
    fresh = tmp_path / "Q.sqlite"
    run(capsys, "import", "--db", fresh, texts)
    return fresh


def test_csv_round_trip_one_row_per_relation(capsys, tmp_path, project):
    import csv

    out = tmp_path / "out.csv"
    said = run(capsys, "export", "--db", project, "--format", "csv", "-o", out)
    assert "4 relations written" in said
    assert "undirected relations (a row has a from and a to): 1" in said
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    linked = [r for r in rows if r["kind"] == "relation"]
    assert len(linked) == 4 and all(len(r) == 19 for r in rows)
    said_row = next(r for r in linked if r["label"] == "quoted")
    assert (said_row["from_label"], said_row["from_quote"], said_row["to_quote"],
            said_row["note"]) == ("Quote", "we will build", "Ana Lee", "direct quote")  # fmt: skip
    assert all(r["from_label"] == "" for r in rows if r["kind"] != "relation")
    fresh = _texts_only(capsys, tmp_path, project)
    run(capsys, "import", "--db", fresh, out)
    assert relations(fresh) == relations(project)
    run(capsys, "import", "--db", fresh, out)
    assert len(relations(fresh)) == 4


def test_csv_relation_row_without_its_span_row_is_reported_by_line(capsys, tmp_path, project):
    out = tmp_path / "out.csv"
    run(capsys, "export", "--db", project, "--format", "csv", "-o", out)
    lines = out.read_text("utf-8").splitlines(keepends=True)
    paris = next(i for i, line in enumerate(lines) if line.startswith("span,a1,Mayor,Location"))
    (tmp_path / "cut.csv").write_text("".join(lines[:paris] + lines[paris + 1 :]), "utf-8")
    fresh = _texts_only(capsys, tmp_path, project)
    said = run(capsys, "import", "--db", fresh, tmp_path / "cut.csv", ok=False)
    assert "cut.csv:" in said and "its to span 'Location' at 38..43 is no span row" in said
    assert len(relations(fresh)) == 3


# ----------------------------------------------------------------- formats without relations


@pytest.mark.parametrize(("fmt", "name", "target"), [("conll", "CoNLL", "out.conll"),
                                                     ("refi", "REFI-QDA", "out.qdpx")])  # fmt: skip
def test_formats_without_relations_count_them(capsys, tmp_path, project, fmt, name, target):
    said = run(capsys, "export", "--db", project, "--format", fmt, "-o", tmp_path / target)
    assert f"relations ({name} cannot carry relations): 4" in said
    said = run(capsys, "export", "--db", project, "--format", fmt, "--annotator", "nobody",
               "-o", tmp_path / f"none-{target}")  # fmt: skip
    assert "cannot carry relations" not in said
