"""doccano JSONL and CSV: exports that say what they cannot carry, and imports that read back."""

import csv
import io
import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.exporters.csv_rows import COLUMNS, export_csv
from desktop_app.core.exporters.doccano import export_doccano
from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleDraft, ArticleFilter, Label, LabelSchema
from desktop_app.core.store import Store

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SCHEMA = LabelSchema(
    "x",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Place", "span", "#a0c4ff", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
    ),
)
# Emoji (astral and ZWJ sequences), CJK, Arabic: offsets are code points, never UTF-16 units.
TEXTS = {
    "e1": 'Nino 👩‍🔬 met 李明 in القاهرة 🇬🇪, said "yes, again".',
    "e2": "Line one\nLine two with Tbilisi and 👍🏽 Batumi.",
}


@pytest.fixture
def annotated():
    store = Store.memory()
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(text, uid, title=f"T {uid}") for uid, text in TEXTS.items()])
    for uid, needle, label, who in (
        ("e1", "李明", "Person", "alice"),
        ("e1", "القاهرة", "Place", "alice"),
        ("e1", "Nino 👩‍🔬", "Person", "bob"),
        ("e2", "Tbilisi", "Place", "alice"),
        ("e2", "Batumi", "Place", "bob"),
    ):
        start = TEXTS[uid].index(needle)
        store.add_span(store.article_id(uid), start, start + len(needle), label, who)
    store.set_tag(store.article_id("e1"), "Energy", "alice", True)
    yield store
    store.close()


def _spans(store):
    """(uid, start, end, label, quote) of every live span, sorted."""
    rows = []
    for uid in TEXTS:
        article_id = store.article_id(uid)
        if article_id is not None:
            rows += [(uid, s.start, s.end, s.label, s.quote) for s in store.spans(article_id)]
    return sorted(rows)


@pytest.mark.parametrize("shape", ["entities", "label"])
def test_doccano_round_trip(annotated, tmp_path, shape):
    out = tmp_path / "d.jsonl"
    report = export_doccano(annotated, out, shape=shape)
    assert report.articles == 2 and report.spans == 5
    assert "who made each annotation (all annotators in one file)" in report.not_carried
    if shape == "label":
        assert report.not_carried["document tags (the label shape has no room for them)"] == 1
    again = Store.memory()
    again.apply_schema(SCHEMA)
    result = import_paths(again, [out], annotator="doccano")
    assert result.added == 2 and not result.problems
    assert _spans(again) == _spans(annotated)
    tags = [t.label for t in again.tags(again.article_id("e1"))]
    assert tags == (["Energy"] if shape == "entities" else [])
    again.close()


def test_importing_a_file_again_adds_no_copies_and_keeps_deletions(annotated, tmp_path):
    out = tmp_path / "d.jsonl"
    export_doccano(annotated, out, shape="entities")
    again = Store.memory()
    first = import_paths(again, [out], annotator="doccano")
    assert first.spans_added == 5 and first.tags_added == 1
    gone = again.spans(again.article_id("e1"))[0]
    again.update_span(gone.uuid, deleted=True)
    second = import_paths(again, [out], annotator="doccano")
    assert (second.spans_added, second.tags_added, second.unchanged) == (0, 0, 2)
    assert len(_spans(again)) == 4 and again.span(gone.uuid).deleted
    # Another annotator's import of the same file is their own work, not a copy.
    assert import_paths(again, [out], annotator="other").spans_added == 5
    again.close()


def test_doccano_per_annotator_files(annotated, tmp_path):
    report = export_doccano(annotated, tmp_path / "out", per_annotator=True)
    assert sorted(Path(f).name for f in report.files) == ["alice.jsonl", "bob.jsonl"]
    assert not report.not_carried
    bob = [json.loads(line) for line in (tmp_path / "out" / "bob.jsonl").open(encoding="utf-8")]
    e1 = next(r for r in bob if r["uid"] == "e1")
    [entity] = e1["entities"]
    assert e1["text"][entity["start_offset"] : entity["end_offset"]] == "Nino 👩‍🔬"
    again = Store.memory()
    for who in ("alice", "bob"):
        import_paths(again, [tmp_path / "out" / f"{who}.jsonl"], annotator=who)
    assert sorted((s[0], s[3], s[4]) for s in _spans(again)) == sorted(
        (s[0], s[3], s[4]) for s in _spans(annotated)
    )
    assert {s.annotator for s in again.spans(again.article_id("e1"))} == {"alice", "bob"}
    again.close()


def test_doccano_out_of_range_and_crlf_are_refused_per_record(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"text": "short", "label": [[0, 99, "X"]]})
        + "\n"
        + json.dumps(
            {"text": "a\r\nb", "entities": [{"start_offset": 0, "end_offset": 1, "label": "X"}]}
        )
        + "\n"
        + json.dumps({"text": "fine text", "label": [[0, 4, "X"]]})
        + "\n",
        encoding="utf-8",
    )
    store = Store.memory()
    report = import_paths(store, [path])
    assert report.added == 1
    reasons = [p.reason for p in report.problems]
    assert "0..99" in reasons[0] and "CR line endings" in reasons[1]
    store.close()


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
def test_doccano_official_examples_import_with_every_span_checked(tmp_path):
    folder = CORPORA / "doccano" / "official-examples"
    store = Store.memory()
    report = import_paths(
        store,
        [
            folder / "export_sequence_labeling.jsonl",
            folder / "import_relation_extraction.jsonl",
            folder / "export_text_classification.jsonl",
            folder / "tests_sequence_labeling_overlapping.jsonl",
        ],
    )
    assert not report.problems, report.problems
    eu = store.article(store.article_id(_uid_of(store, "EU rejects")))
    assert [(s.quote, s.label) for s in store.spans(eu.id)] == [("EU", "ORG"), ("German", "MISC")]
    google = store.article(store.article_id(_uid_of(store, "Google was founded")))
    assert [s.quote for s in store.spans(google.id)][:2] == ["Google", "September 4, 1998"]
    # Relations whose ends are entities of the record are relations now, none left in meta.
    assert len(store.relations(google.id)) == 3 and "relations" not in google.meta
    great = store.article(store.article_id(_uid_of(store, "Great price.")))
    assert [t.label for t in store.tags(great.id)] == ["positive"]
    store.close()


def _uid_of(store, start):
    for ids in store.iter_article_ids(ArticleFilter()):
        for article_id in ids:
            article = store.article(article_id)
            if article.text.startswith(start):
                return article.uid
    raise AssertionError(start)


def test_csv_rows_quote_and_read_back_exactly(annotated, tmp_path):
    annotated.update_span(
        annotated.spans(annotated.article_id("e1"))[0].uuid, note='a "note", with\nlines'
    )
    out = tmp_path / "a.csv"
    report = export_csv(annotated, out, bom=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    assert report.spans == 5 and report.tags == 1 and len(rows) == 6
    for row in rows:
        if row["kind"] == "span":
            text = TEXTS[row["article_uid"]]
            assert text[int(row["start"]) : int(row["end"])] == row["quote"]
    assert any(row["note"] == 'a "note", with\nlines' for row in rows)
    assert [row["label"] for row in rows if row["kind"] == "document"] == ["Energy"]


def test_command_line_exports(tmp_path, capsys):
    db = tmp_path / "p.sqlite"
    store = Store.open(db)
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(TEXTS["e1"], "e1")])
    store.add_span(store.article_id("e1"), 0, 4, "Person", "ana")
    store.close()
    assert (
        main(["export", "--db", str(db), "--format", "csv", "--bom", "-o", str(tmp_path / "x.csv")])
        == 0
    )
    assert "1 articles, 1 spans" in capsys.readouterr().out
    args = ["export", "--db", str(db), "--format", "doccano", "--doccano-shape", "label"]
    assert main([*args, "-o", str(tmp_path / "x.jsonl")]) == 0
    record = json.loads((tmp_path / "x.jsonl").read_text(encoding="utf-8"))
    assert record["label"] == [[0, 4, "Person"]] and record["uid"] == "e1"


# ---------------------------------------------------------------- Label Studio (import)


def _ls_task(text, regions, choices=(), who="ana@example.org", notes=None):
    result = [
        {
            "id": f"r{k}",
            "type": "labels",
            "from_name": "label",
            "to_name": "text",
            "value": {"start": s, "end": e, "text": text_, "labels": [label]},
        }
        for k, (s, e, text_, label) in enumerate(regions)
    ]
    for k, note in (notes or {}).items():
        result.append({"id": f"r{k}", "type": "textarea", "value": {"text": [note]}})
    if choices:
        result.append({"id": "c", "type": "choices", "value": {"choices": list(choices)}})
    return {
        "id": 7,
        "data": {"text": text},
        "annotations": [{"id": 1, "completed_by": {"id": 3, "email": who}, "result": result}],
    }


def test_labelstudio_full_export_code_points_and_utf16_offsets(tmp_path):
    text = "👩‍🔬 Nino met 李明 in Tbilisi 🇬🇪."
    nino = text.index("Nino")
    tbilisi = text.index("Tbilisi")
    utf16 = len(text[:tbilisi].encode("utf-16-le")) // 2  # what a browser counts
    task = _ls_task(
        text,
        [(nino, nino + 4, "Nino", "Person"), (utf16, utf16 + 7, "Tbilisi", "Place")],
        choices=["Energy"],
        notes={0: "first mention"},
    )
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    store = Store.memory()
    report = import_paths(store, [path])
    assert report.added == 1 and not report.problems
    [article_id] = [i for ids in store.iter_article_ids(ArticleFilter()) for i in ids]
    spans = store.spans(article_id)
    assert [(s.quote, s.label, s.annotator, s.note) for s in spans] == [
        ("Nino", "Person", "ana@example.org", "first mention"),
        ("Tbilisi", "Place", "ana@example.org", ""),
    ]
    assert [t.label for t in store.tags(article_id)] == ["Energy"]
    assert store.article(article_id).meta["labelstudio_task"] == 7
    store.close()


def test_labelstudio_region_whose_text_is_elsewhere_is_refused(tmp_path):
    task = _ls_task("Nino met Amélie.", [(0, 4, "Amélie", "Person")])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    store = Store.memory()
    report = import_paths(store, [path])
    assert report.added == 0
    assert "'Amélie' is not at 0..4" in report.problems[0].reason
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    report = import_paths(store, [tmp_path / "broken.json"])
    assert "not a Label Studio JSON export" in report.problems[0].reason
    store.close()


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
def test_labelstudio_fixtures_import(tmp_path):
    folder = CORPORA / "labelstudio" / "converter-fixtures"
    store = Store.memory()
    report = import_paths(
        store,
        [folder / "legacy_completions_348_ner.json", folder / "full_export_with_history.json"],
    )
    assert report.added == 2, report.problems
    assert not report.problems
    spans = [
        s for ids in store.iter_article_ids(ArticleFilter()) for i in ids for s in store.spans(i)
    ]
    assert spans and all(s.label == "INGREDIENT" for s in spans)
    assert "Sodium Lauroyl Methyl Isethionate," in {s.quote for s in spans}
    tags = [
        t for ids in store.iter_article_ids(ArticleFilter()) for i in ids for t in store.tags(i)
    ]
    assert [(t.label, t.annotator) for t in tags] == [("Positive", "sergei@heartex.e2e")]
    # The Cyrillic fixture's task has no data.text: a clear, named refusal.
    report = import_paths(store, [folder / "full_export_choices_cyrillic_csv_test2.json"])
    assert report.added == 0 and "no text in data.text" in report.problems[0].reason
    store.close()


def test_labelstudio_export_round_trip_with_notes_tags_and_annotators(annotated, tmp_path):
    from desktop_app.core.exporters.labelstudio import export_labelstudio

    first = annotated.spans(annotated.article_id("e1"))[0]
    annotated.update_span(first.uuid, note="check the spelling")
    out = tmp_path / "ls.json"
    report = export_labelstudio(annotated, out)
    assert (report.articles, report.spans, report.tags) == (2, 5, 1)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    region = next(
        r
        for t in tasks
        for a in t["annotations"]
        for r in a["result"]
        if r["type"] == "labels" and r["id"] == first.uuid
    )
    value = region["value"]
    assert TEXTS["e1"][value["start"] : value["end"]] == value["text"]
    config = (tmp_path / "ls.config.xml").read_text(encoding="utf-8")
    assert '<Label value="Person"' in config and '<Choice value="Energy"/>' in config
    again = Store.memory()
    result = import_paths(again, [out])
    assert result.added == 2 and not result.problems
    assert _spans(again) == _spans(annotated)
    back = {
        (s.quote, s.annotator, s.note) for uid in TEXTS for s in again.spans(again.article_id(uid))
    }
    assert (first.quote, first.annotator, "check the spelling") in back
    assert ("Batumi", "bob", "") in back
    assert [(t.label, t.annotator) for t in again.tags(again.article_id("e1"))] == [
        ("Energy", "alice")
    ]
    again.close()


# ---------------------------------------------------------------- CoNLL


def test_conll_tokenizer_offsets_are_code_points():
    from desktop_app.core.conll_tokens import sentences

    text = "👍🏽 state-owned Rail, don't stop.\nSecond line"
    [first, second] = sentences(text)
    assert [t.text for t in first] == ["👍", "🏽", "state-owned", "Rail", ",", "don't", "stop", "."]
    assert all(text[t.start : t.end] == t.text for t in first + second)


def test_conll_export_reports_overlaps_per_article_and_reads_back(annotated, tmp_path):
    from desktop_app.core.exporters.conll import OFF_TOKEN, OVERLAP, export_conll

    e1 = annotated.article_id("e1")
    start = TEXTS["e1"].index("met")
    annotated.add_span(e1, start, start + 2, "Place", "alice")  # "me" inside "met"
    outer = TEXTS["e1"].index("李明 in")
    annotated.add_span(e1, outer, outer + len("李明 in القاهرة"), "Place", "alice")  # overlaps
    out = tmp_path / "alice.conll"
    report = export_conll(annotated, out, annotator="alice")
    assert report.not_carried[f"{OVERLAP} in e1"] == 2  # 李明 and القاهرة inside the outer one
    assert report.not_carried[OFF_TOKEN] == 1
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "-DOCSTART- e1\tO"
    assert "met\tB-Place" in lines and "李明\tB-Place" in lines and "in\tI-Place" in lines
    again = Store.memory()
    result = import_paths(again, [out])
    assert result.added == 2 and not result.problems
    rebuilt = [
        (a.text[s.start : s.end], s.label)
        for ids in again.iter_article_ids(ArticleFilter())
        for i in ids
        for a in [again.article(i)]
        for s in again.spans(i)
    ]
    assert ("met", "Place") in rebuilt and ("李明 in القاهرة", "Place") in rebuilt
    assert ("Tbilisi", "Place") in rebuilt
    assert again.article_id("e1") is not None  # the uid after -DOCSTART- comes back
    again.close()


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
def test_conll_corpora_iob1_and_emoji_import(tmp_path):
    store = Store.memory()
    report = import_paths(
        store, [CORPORA / "conll" / "iob1-samples" / "eng.train.head"], fmt="conll"
    )
    assert report.added >= 1 and not report.problems
    spans = [
        (store.article(i).text[s.start : s.end], s.label)
        for ids in store.iter_article_ids(ArticleFilter())
        for i in ids
        for s in store.spans(i)
    ]
    assert ("EU", "ORG") in spans and ("German", "MISC") in spans
    report = import_paths(
        store, [CORPORA / "unicode" / "emoji-crlf" / "btc_section_h_tweets.conll"]
    )
    assert report.added >= 1 and not report.problems
    store.close()


# ---------------------------------------------------------------- brat standoff


def test_brat_round_trip_with_notes_and_unicode(annotated, tmp_path):
    from desktop_app.core.exporters.brat import export_brat

    span = annotated.spans(annotated.article_id("e2"))[0]
    annotated.update_span(span.uuid, note="the capital")
    report = export_brat(annotated, tmp_path / "brat")
    assert report.articles == 2 and report.spans == 5
    assert report.not_carried["document tags (brat has none)"] == 1
    ann = (tmp_path / "brat" / "e2.ann").read_text(encoding="utf-8")
    assert f"T1\tPlace {span.start} {span.end}\tTbilisi\n#1\tAnnotatorNotes T1\tthe capital" in ann
    assert "Person" in (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    again = Store.memory()
    result = import_paths(again, [tmp_path / "brat"], annotator="brat")
    assert result.added == 2 and not result.problems
    back = sorted(
        (s.start, s.end, s.label, s.quote, s.note)
        for ids in again.iter_article_ids(ArticleFilter())
        for i in ids
        for s in again.spans(i)
    )
    assert back == sorted(
        (s.start, s.end, s.label, s.quote, s.note)
        for uid in TEXTS
        for s in annotated.spans(annotated.article_id(uid))
    )
    again.close()


def test_brat_bad_lines_are_refused_with_reasons(tmp_path):
    (tmp_path / "a.txt").write_text("Nino met Amélie.", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tPerson 0 4\tNina\nT2\tPerson 9 99\tx\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Split entity here.", encoding="utf-8")
    (tmp_path / "b.ann").write_text("T1\tThing 0 9;6 17\tSplit entity here\n", encoding="utf-8")
    (tmp_path / "c.ann").write_text("T1\tX 0 1\tN\n", encoding="utf-8")
    store = Store.memory()
    report = import_paths(store, [tmp_path])
    assert report.added == 0
    reasons = {Path(p.origin).name: p.reason for p in report.problems}
    assert "'Nina' is not what the file has at 0..4" in reasons["a.ann"]
    assert "outside the text" in reasons["a.ann"]
    assert "fragment 6..17 overlaps" in reasons["b.ann"]
    assert "no c.txt beside it" in reasons["c.ann"]
    store.close()


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
def test_brat_tutorials_import_with_every_span_checked():
    store = Store.memory()
    report = import_paths(store, [CORPORA / "brat" / "tutorials"])
    assert report.added > 10, report.problems
    assert not report.problems, report.problems[:3]
    intro = store.article(store.article_id("bio/000-introduction"))
    assert any(line.startswith("E1\t") for line in intro.meta["brat"])  # events kept as written
    spans = store.spans(intro.id)
    assert ("expression", "Gene_expression") in {(s.quote, s.label) for s in spans}
    report = import_paths(store, [CORPORA / "brat" / "conll2002-news"])
    assert report.added == 20 and report.spans_added == 816 and not report.problems
    store.close()


# ---------------------------------------------------------------- REFI-QDA


def test_refi_qdpx_carries_codes_selections_and_users(annotated, tmp_path):
    import xml.etree.ElementTree as ET
    import zipfile

    from desktop_app.core.exporters.refi import NS, export_refi

    span = annotated.spans(annotated.article_id("e1"))[1]
    annotated.update_span(span.uuid, note="checked <twice> & more")
    out = tmp_path / "team.qdpx"
    report = export_refi(annotated, out)
    assert (report.articles, report.spans, report.tags) == (2, 5, 1)
    with zipfile.ZipFile(out) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        ns = {"q": NS}
        users = {u.get("name") for u in root.findall("q:Users/q:User", ns)}
        assert users == {"alice", "bob"}
        codes = {c.get("guid"): c.get("name") for c in root.iter(f"{{{NS}}}Code")}
        assert {"Person", "Place", "Energy"} <= set(codes.values())
        for source in root.findall("q:Sources/q:TextSource", ns):
            path = source.get("plainTextPath").removeprefix("internal://")
            text = archive.read(f"sources/{path}").decode("utf-8")
            assert text in TEXTS.values()
            for selection in source.findall("q:PlainTextSelection", ns):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                code = codes[selection.find("q:Coding/q:CodeRef", ns).get("targetGUID")]
                assert (text[start:end], code) in {(s[4], s[3]) for s in _spans(annotated)}
        notes = [d.text for d in root.iter(f"{{{NS}}}Description")]
        assert "checked <twice> & more" in notes


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
def test_refi_project_validates_against_the_refi_schema(annotated, tmp_path):
    import zipfile

    import xmlschema

    from desktop_app.core.exporters.refi import export_refi
    from desktop_app.core.schema import load_schema
    from desktop_app.paths import default_schema_path

    # The shipped schema's groups (Topic, Relevance, …) become categories in the codebook.
    annotated.add_labels(load_schema(default_schema_path()).labels)
    out = tmp_path / "team.qdpx"
    export_refi(annotated, out)
    with zipfile.ZipFile(out) as archive:
        assert b'isCodable="false"' in archive.read("project.qde")
    schema = xmlschema.XMLSchema(str(CORPORA / "refi-qda" / "Project-mrt2019.xsd"))
    with zipfile.ZipFile(out) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))


def test_conll_export_is_read_by_seqeval_as_the_same_entities(annotated, tmp_path):
    """An independent reader (seqeval's BIO decoder) finds exactly the spans we wrote."""
    from seqeval.metrics.sequence_labeling import get_entities

    from desktop_app.core.conll_tokens import sentences
    from desktop_app.core.exporters.conll import export_conll

    out = tmp_path / "alice.conll"
    export_conll(annotated, out, annotator="alice")
    documents: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for line in out.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            current = line.split()[1]
            documents[current] = []
        elif line:
            token, tag = line.split("\t")
            documents[current].append((token, tag))
    for uid, rows in documents.items():
        tokens = [t for sentence in sentences(TEXTS[uid]) for t in sentence]
        assert [token.text for token in tokens] == [token for token, _ in rows]
        found = {
            (TEXTS[uid][tokens[first].start : tokens[last].end], label)
            for label, first, last in get_entities([tag for _, tag in rows])
        }
        ours = {(s.quote, s.label) for s in annotated.spans(annotated.article_id(uid), "alice")}
        assert found == ours


def test_refi_round_trip_keeps_codes_groups_notes_and_users(annotated, tmp_path):
    from desktop_app.core.exporters.refi import export_refi

    annotated.save_label(Label("Person", "span", "#123456", "p", group="Actors"))
    span = annotated.spans(annotated.article_id("e1"))[0]
    annotated.update_span(span.uuid, note="double-check")
    out = tmp_path / "team.qdpx"
    export_refi(annotated, out)
    again = Store.memory()
    report = import_paths(again, [out])
    assert report.added == 2 and not report.problems
    person = next(label for label in again.labels() if label.name == "Person")
    assert (person.color, person.group, person.kind) == ("#123456", "Actors", "span")
    assert next(label for label in again.labels() if label.name == "Energy").kind == "document"
    back = sorted(
        (s.start, s.end, s.label, s.quote, s.annotator, s.note)
        for ids in again.iter_article_ids(ArticleFilter())
        for i in ids
        for s in again.spans(i)
    )
    assert back == sorted(
        (s.start, s.end, s.label, s.quote, s.annotator, s.note)
        for uid in TEXTS
        for s in annotated.spans(annotated.article_id(uid))
    )
    tags = [
        (t.label, t.annotator)
        for ids in again.iter_article_ids(ArticleFilter())
        for i in ids
        for t in again.tags(i)
    ]
    assert tags == [("Energy", "alice")]
    # Identity and kinds come back: the same uids, an unused tag is still a tag, and a
    # second import changes nothing.
    assert again.article(again.article_id("e1")).title == "T e1"
    annotated.save_label(Label("Unused tag", "document", "#abcdef"))
    export_refi(annotated, out)
    assert import_paths(again, [out]).added == 0
    kinds = {label.name: label.kind for label in again.labels()}
    assert kinds["Unused tag"] == "document"
    again.close()


def test_refi_hostile_archives_are_refused_with_a_reason(tmp_path):
    import zipfile

    def qdpx(name, members):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        return path

    project = (
        '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>'
        '<TextSource guid="{g}" name="outside" plainTextPath="{where}"/></Sources></Project>'
    )
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol;"/>'
    )
    store = Store.memory()
    cases = {
        "missing.qdpx": {"other.txt": "x"},
        "entities.qdpx": {"project.qde": laughs},
        "bomb.qdpx": {"project.qde": "<" + " " * (300 << 20)},
        "broken.qdpx": {"project.qde": "<Project"},
    }
    reasons = {}
    for name, members in cases.items():
        report = import_paths(store, [qdpx(name, members)])
        assert report.added == 0
        reasons[name] = report.problems[0].reason
    assert "no project.qde" in reasons["missing.qdpx"]
    assert "DOCTYPE" in reasons["entities.qdpx"]
    assert "too large" in reasons["bomb.qdpx"]
    assert "not well-formed" in reasons["broken.qdpx"]
    guid = "6f1e2c4a-8d0b-4f57-9a51-7c3e9b2d4a10"
    outside = qdpx(
        "outside.qdpx",
        {"project.qde": project.format(g=guid, where="absolute:///etc/passwd")},
    )
    report = import_paths(store, [outside])
    assert report.added == 0 and "outside the archive" in report.problems[0].reason
    store.close()


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
def test_refi_atlas_project_without_sources_brings_its_codebook():
    store = Store.memory()
    report = import_paths(store, [CORPORA / "refi-qda" / "target-atlas-project.qdpx"])
    assert report.added == 0 and not report.problems
    assert "Commits" in {label.name for label in store.labels()}
    store.close()


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
@pytest.mark.parametrize(
    "folder, fmt",
    [
        ("brat", "auto"),
        ("doccano/official-examples", "auto"),
        ("labelstudio/converter-fixtures", "auto"),
        ("conll/iob1-samples", "conll"),
        ("unicode/emoji-crlf", "auto"),
        ("refi-qda", "auto"),
    ],
)
def test_every_annotated_corpus_file_imports_or_says_why(folder, fmt):
    """Point 5: each file imports with every span checked against its text (the store
    refuses any other), or each refused item names its file and the reason."""
    store = Store.memory()
    report = import_paths(store, [CORPORA / folder], fmt=fmt)
    for problem in report.problems:
        assert str(CORPORA) in problem.origin and problem.reason.strip()
    for ids in store.iter_article_ids(ArticleFilter()):
        for article_id in ids:
            text = store.article(article_id).text
            assert all(text[s.start : s.end] == s.quote for s in store.spans(article_id))
    assert report.added > 0 or folder == "refi-qda"
    store.close()


# ---------------------------------------------------------------- regressions from review


@pytest.mark.parametrize(
    "name, content",
    [
        ("a.jsonl", '{"text": "Paris trip", "label": ["travel"], "entities": ["Paris"]}\n'),
        ("b.jsonl", '{"text": "Paris trip", "label": 5, "entities": []}\n'),
        ("c.jsonl", '{"text": "Paris trip", "label": [{"a": 1, "b": 2}], "entities": []}\n'),
        ("d.json", '[{"data": {"text": "Paris"}, "annotations": [{"result": 5}]}]'),
        (
            "e.json",
            '[{"data": {"text": "Paris"}, "annotations": [{"result": [{"type": "labels",'
            ' "value": {"start": 0, "end": 5, "text": "Paris", "labels": "LOC"}}]}]}]',
        ),
        ("f.json", '[{"data": {"text": "Paris", "score": NaN}}]'),
        ("g.ann", "T1\tPER 0 ²\tHello\n"),
    ],
)
def test_malformed_records_are_problems_and_the_next_file_still_imports(tmp_path, name, content):
    (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / "g.txt").write_text("Hello world", encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text('{"uid": "ok", "text": "Fine text"}\n', encoding="utf-8")
    store = Store.memory()
    report = import_paths(store, [tmp_path / name, good])
    assert store.article_id("ok") is not None
    assert report.problems and all(p.reason for p in report.problems)
    assert report.added == 1
    store.close()


def test_exports_never_overwrite_articles_or_annotators_with_similar_names(tmp_path):
    from desktop_app.core.exporters.brat import export_brat

    store = Store.memory()
    store.apply_schema(SCHEMA)
    store.add_articles(
        [ArticleDraft(f"Text {i}", uid) for i, uid in enumerate(["a b", "a_b", "a?b"])]
    )
    for who, uid in (("x y", "a b"), ("x/y", "a_b")):
        store.add_span(store.article_id(uid), 0, 4, "Person", who)
    report = export_brat(store, tmp_path / "brat")
    assert len({Path(f).name for f in report.files}) == 3
    assert len(list((tmp_path / "brat").glob("*.txt"))) == 3
    doccano = export_doccano(store, tmp_path / "d", per_annotator=True)
    assert len({Path(f).name for f in doccano.files}) == 2
    store.close()


def test_control_characters_never_break_the_xml(annotated, tmp_path):
    import xml.etree.ElementTree as ET
    import zipfile

    from desktop_app.core.exporters.labelstudio import export_labelstudio
    from desktop_app.core.exporters.refi import export_refi

    span = annotated.spans(annotated.article_id("e1"))[0]
    annotated.update_span(span.uuid, note="bell \x07 and form feed \x0c")
    # No label may be named so now (core.schema.check_label_name), but a project from before
    # the rule may hold one: written here as an older version's import wrote it.
    with annotated.db.atomic():
        annotated.db.execute(
            "INSERT INTO labels (name, kind, color, key, label_group, description, position) "
            "VALUES ('Odd\x0bLabel', 'span', '#abcdef', '', '', '', 99)"
        )
    report = export_refi(annotated, tmp_path / "x.qdpx")
    assert any("XML cannot hold" in why for why in report.not_carried)
    with zipfile.ZipFile(tmp_path / "x.qdpx") as archive:
        ET.fromstring(archive.read("project.qde"))  # well-formed
    export_labelstudio(annotated, tmp_path / "ls.json")
    ET.fromstring((tmp_path / "ls.config.xml").read_text(encoding="utf-8"))


def test_conll_uid_with_spaces_comes_back_whole(tmp_path):
    from desktop_app.core.exporters.conll import export_conll

    store = Store.memory()
    store.apply_schema(SCHEMA)
    store.add_articles(
        [ArticleDraft("Nino met Amélie.", "news 1"), ArticleDraft("Other.", "news 2")]
    )
    report = export_conll(store, tmp_path / "x.conll")
    assert "document tags" not in report.not_carried and report.not_carried
    again = Store.memory()
    assert import_paths(again, [tmp_path / "x.conll"]).added == 2
    assert again.article_id("news 1") is not None and again.article_id("news 2") is not None
    store.close()
    again.close()


def test_brat_quote_across_lines_and_tabs_round_trips(tmp_path):
    from desktop_app.core.exporters.brat import export_brat

    store = Store.memory()
    store.apply_schema(LabelSchema("s", (Label("Named Thing", "span", "#ffadad", "n"),)))
    text = "Line one\nline\ttwo here"
    store.add_articles([ArticleDraft(text, "t1")])
    store.add_span(store.article_id("t1"), 5, 18, "Named Thing", "ana")
    report = export_brat(store, tmp_path / "b")
    assert report.not_carried["labels with spaces (written with _)"] == 1
    again = Store.memory()
    result = import_paths(again, [tmp_path / "b"])
    assert result.added == 1 and not result.problems
    [span] = again.spans(again.article_id("b/t1"))  # brat texts are named folder/stem
    assert (span.start, span.end, span.quote) == (5, 18, text[5:18])
    store.close()
    again.close()


def test_conll_bioes_and_bilou_tags(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text(
        "New\tB-LOC\nYork\tE-LOC\nand\tO\nParis\tS-LOC\nsaw\tO\nAnn\tU-PER\nLee\tO\n"
        "Rio\tB-LOC\nde\tI-LOC\nJaneiro\tL-LOC\n",
        encoding="utf-8",
    )
    store = Store.memory()
    assert import_paths(store, [path]).added == 1
    [article_id] = [i for ids in store.iter_article_ids(ArticleFilter()) for i in ids]
    text = store.article(article_id).text
    assert [(text[s.start : s.end], s.label) for s in store.spans(article_id)] == [
        ("New York", "LOC"),
        ("Paris", "LOC"),
        ("Ann", "PER"),
        ("Rio de Janeiro", "LOC"),
    ]
    store.close()


def test_csv_annotation_rows_import_onto_the_stored_articles(annotated, tmp_path):
    alice = annotated.spans(annotated.article_id("e1"), "alice")[0]
    annotated.update_span(alice.uuid, note='a "note", with\nlines')
    out = tmp_path / "a.csv"
    export_csv(annotated, out, bom=True)
    # The same file back into its own project: everything is there already.
    same = import_paths(annotated, [out])
    assert (same.spans_added, same.tags_added, same.problems) == (0, 0, [])

    fresh = Store.memory()
    fresh.add_articles([ArticleDraft(text, uid) for uid, text in TEXTS.items()])
    report = import_paths(fresh, [out])
    assert (report.spans_added, report.tags_added, report.problems) == (5, 1, [])

    def whole(store):
        return sorted(
            (uid, s.start, s.end, s.label, s.quote, s.note, s.annotator)
            for uid in TEXTS
            for s in store.spans(store.article_id(uid))
        )

    assert whole(fresh) == whole(annotated)
    assert [(t.label, t.annotator) for t in fresh.tags(fresh.article_id("e1"))] == [
        ("Energy", "alice")
    ]
    assert import_paths(fresh, [out]).spans_added == 0  # again: no copies
    fresh.close()


def test_csv_annotation_rows_that_do_not_fit_are_refused_one_by_one(tmp_path):
    text = TEXTS["e1"]
    start = text.index("李明")
    rows = [
        "kind,article_uid,label,start,end,quote,annotator",
        f"span,e1,Person,{start},{start + 2},李明,ana",  # fits
        f"span,e1,Person,{start},{start + 2},Li Ming,ana",  # quote is not the text there
        "span,e1,Person,0,999,,ana",  # outside the text
        "span,e1,Person,x,4,,ana",  # not a number
        "note,e1,Person,0,4,,ana",  # unknown kind
        "span,e1,,0,4,,ana",  # no label
        "span,nowhere,Person,0,4,,ana",  # no such article
        "document,e1,Energy,,,,ana",  # fits
        f"span,e1,Person,0,{'9' * 5000},,ana",  # absurd (int() of 5,000 digits fails)
        f"span,e1,Person,{start + 3},{start + 4},,ana",  # still read after all that
    ]
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    store = Store.memory()
    store.add_articles([ArticleDraft(text, "e1")])
    report = import_paths(store, [path])
    assert (report.spans_added, report.tags_added) == (2, 1)
    reasons = sorted(f"{Path(p.origin).name}: {p.reason}" for p in report.problems)
    assert len(reasons) == 7, reasons
    joined = "\n".join(reasons)
    assert f"rows.csv:3: span 'Person' at {start}..{start + 2}: its quote 'Li Ming'" in joined
    assert "rows.csv:4: span 'Person' at 0..999 is outside" in joined
    assert "rows.csv:10: start and end are too large for any text (5,000 digits)" in joined
    assert "is outside the article's text" in joined
    assert "start and end must be whole numbers, got 'x' and '4'" in joined
    assert "rows.csv:6: kind 'note' is not 'span', 'document' or 'relation'" in joined
    assert "rows.csv:7: no label" in joined
    assert "article 'nowhere' is not in this project: import its text first" in joined
    first = store.spans(store.article_id("e1"))[0]
    assert (first.quote, first.annotator) == ("李明", "ana")
    store.close()


def test_articles_and_their_csv_annotations_in_one_import(annotated, tmp_path):
    lines = [json.dumps({"uid": uid, "text": text}) for uid, text in TEXTS.items()]
    (tmp_path / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    export_csv(annotated, tmp_path / "rows.csv")  # read after the articles: same import
    fresh = Store.memory()
    report = import_paths(fresh, [tmp_path / "articles.jsonl", tmp_path / "rows.csv"])
    assert report.added == 2 and report.spans_added == 5 and not report.problems
    fresh.close()
