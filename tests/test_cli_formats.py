"""Every export format through `marginalia export`, read back, and through `marginalia import`
into a fresh project: the spans that come back are the spans that went out."""

import csv
import json
import zipfile

import pytest

from desktop_app.cli import main
from desktop_app.core.store import Store

ONE = "Nino met Amélie in Tbilisi 🇬🇪 on Monday."
TWO = "李明 flew from Baku to Cairo."


def _span(text, needle, label, who, note=""):
    start = text.index(needle)
    return {"start": start, "end": start + len(needle), "label": label, "quote": needle,
            "annotator": who, "note": note}  # fmt: skip


RECORDS = [
    {"uid": "a1", "title": "Nino", "text": ONE,
     "spans": [_span(ONE, "Nino", "Person", "ana", "the minister"),
               _span(ONE, "Tbilisi", "Location", "ana"),
               _span(ONE, "Amélie", "Person", "bo")],
     "tags": [{"label": "Diplomacy", "annotator": "ana"}]},
    {"uid": "a2", "title": "Flight", "text": TWO,
     "spans": [_span(TWO, "李明", "Person", "bo"), _span(TWO, "Cairo", "Location", "ana")]},
]  # fmt: skip


def run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert code == 0, (args, captured.err)
    return captured.out


@pytest.fixture
def project(tmp_path, capsys):
    source = tmp_path / "source.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), "utf-8")
    db = tmp_path / "P.sqlite"
    run(capsys, "import", "--db", db, source)
    return db


def spans(db, who=None):
    """(uid, label, start, end, quote, annotator, note) of every live span, sorted."""
    store = Store.open(db, read_only=True)
    try:
        found = []
        for uid in ("a1", "a2"):
            article = store.article_id(uid)
            if article is None:  # formats that rebuild texts name articles otherwise
                continue
            found += [
                (uid, s.label, s.start, s.end, s.quote, s.annotator, s.note)
                for s in store.spans(article)
                if who is None or s.annotator == who
            ]
        return sorted(found)
    finally:
        store.close()


def quotes(db):
    """(label, quote, annotator) of every live span, whatever the article's uid."""
    store = Store.open(db, read_only=True)
    try:
        from desktop_app.core.model import ArticleFilter

        found = []
        for ids in store.iter_article_ids(ArticleFilter()):
            for article in ids:
                found += [(s.label, s.quote, s.annotator) for s in store.spans(article)]
        return sorted(found)
    finally:
        store.close()


def without(rows, *fields):
    """The rows without the fields a format does not carry (indexes into spans()' tuples)."""
    return sorted(tuple(v for i, v in enumerate(row) if i not in fields) for row in rows)


ANNOTATOR, NOTE = 5, 6


def test_jsonl(project, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    run(capsys, "export", "--db", project, "--format", "jsonl", "-o", out)
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert {r["uid"] for r in records} == {"a1", "a2"}
    fresh = tmp_path / "F.sqlite"
    run(capsys, "import", "--db", fresh, "--format", "jsonl", out)
    assert spans(fresh) == spans(project)


@pytest.mark.parametrize("shape", ["entities", "label"])
def test_doccano(project, tmp_path, capsys, shape):
    out = tmp_path / "out.jsonl"
    run(capsys, "export", "--db", project, "--format", "doccano", "--doccano-shape", shape,
        "-o", out)  # fmt: skip
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    key = "entities" if shape == "entities" else "label"
    assert sum(len(r[key]) for r in records) == 5
    fresh = tmp_path / "F.sqlite"
    run(capsys, "import", "--db", fresh, "--annotator", "team", out)
    expected = [(*row[:5], "team") for row in without(spans(project), NOTE)]
    assert without(spans(fresh), NOTE) == sorted(expected)


def test_doccano_per_annotator_and_forced_format(project, tmp_path, capsys):
    out = tmp_path / "per"
    run(capsys, "export", "--db", project, "--format", "doccano", "--per-annotator", "-o", out)
    assert sorted(p.name for p in out.iterdir()) == ["ana.jsonl", "bo.jsonl"]
    fresh = tmp_path / "F.sqlite"
    for who in ("ana", "bo"):
        # --format doccano reads it as doccano whatever its name says.
        renamed = out / f"{who}.txt"
        (out / f"{who}.jsonl").rename(renamed)
        run(capsys, "import", "--db", fresh, "--format", "doccano", "--annotator", who, renamed)
    assert without(spans(fresh), NOTE) == without(spans(project), NOTE)


def test_labelstudio(project, tmp_path, capsys):
    out = tmp_path / "tasks.json"
    run(capsys, "export", "--db", project, "--format", "labelstudio", "-o", out)
    tasks = json.loads(out.read_text("utf-8"))
    assert len(tasks) == 2 and (tmp_path / "tasks.config.xml").is_file()
    fresh = tmp_path / "F.sqlite"
    run(capsys, "import", "--db", fresh, "--format", "labelstudio", out)
    assert spans(fresh) == spans(project)


def test_conll(project, tmp_path, capsys):
    out = tmp_path / "out.conll"
    run(capsys, "export", "--db", project, "--format", "conll", "--annotator", "ana", "-o", out)
    lines = out.read_text("utf-8").splitlines()
    assert "-DOCSTART- a1" in lines[0] and "Nino\tB-Person" in lines
    fresh = tmp_path / "F.sqlite"
    run(capsys, "import", "--db", fresh, "--format", "conll", "--annotator", "ana", out)
    # CoNLL rebuilds the text from its tokens: the spans come back with their quotes.
    assert quotes(fresh) == sorted((r[1], r[4], r[5]) for r in spans(project, "ana"))


def test_brat(project, tmp_path, capsys):
    out = tmp_path / "brat"
    run(capsys, "export", "--db", project, "--format", "brat", "--annotator", "bo", "-o", out)
    assert sorted(p.name for p in out.iterdir()) == [
        "a1.ann", "a1.txt", "a2.ann", "a2.txt", "annotation.conf", "visual.conf"
    ]  # fmt: skip
    assert (out / "a1.txt").read_text("utf-8") == ONE
    fresh = tmp_path / "F.sqlite"
    run(capsys, "import", "--db", fresh, "--format", "brat", "--annotator", "bo", out)
    assert without(quotes(fresh), 2) == without(
        [(r[1], r[4], r[5]) for r in spans(project, "bo")], 2
    )


@pytest.mark.parametrize("name", ["refi", "qdpx"])
def test_refi_and_qdpx(project, tmp_path, capsys, name):
    out = tmp_path / "out.qdpx"
    run(capsys, "export", "--db", project, "--format", name, "-o", out)
    with zipfile.ZipFile(out) as archive:
        assert "project.qde" in archive.namelist()
    fresh = tmp_path / "F.sqlite"
    run(capsys, "import", "--db", fresh, "--format", name, out)
    assert without(quotes(fresh), 2) == without([(r[1], r[4], r[5]) for r in spans(project)], 2)
    assert sorted(r[1:] for r in quotes(fresh)) == sorted(r[1:] for r in quotes(project))


@pytest.mark.parametrize("bom", [[], ["--bom"]])
def test_csv(project, tmp_path, capsys, bom):
    out = tmp_path / "out.csv"
    run(capsys, "export", "--db", project, "--format", "csv", *bom, "-o", out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") == bool(bom)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert sum(r["kind"] == "span" for r in rows) == 5
    fresh = tmp_path / "F.sqlite"
    texts = tmp_path / "texts.jsonl"
    texts.write_text(
        "".join(json.dumps({"uid": r["uid"], "text": r["text"]}) + "\n" for r in RECORDS), "utf-8"
    )
    run(capsys, "import", "--db", fresh, texts, out)
    assert spans(fresh) == spans(project)


def test_doccano_per_annotator_without_annotations_says_nothing_was_written(tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_text("Nobody annotated this.", encoding="utf-8")
    db, out = tmp_path / "p.sqlite", tmp_path / "by_annotator"
    assert main(["import", "--db", str(db), str(source)]) == 0
    capsys.readouterr()
    code = main(["export", "--db", str(db), "--format", "doccano", "--per-annotator",
                 "-o", str(out)])  # fmt: skip
    said = capsys.readouterr().out
    assert code == 0 and "no annotator has annotations here: nothing was written" in said, said
    assert not out.exists()
