"""Discontinuous spans (brat's `0 6;16 21`): stored, shown, merged and exported without loss."""

import json
import sqlite3

import pytest
from sqlite_utils import Database

from desktop_app.core.exporters.brat import export_brat
from desktop_app.core.exporters.doccano import export_doccano
from desktop_app.core.exporters.jsonl import export_jsonl
from desktop_app.core.exporters.output import EXTENT_ONLY
from desktop_app.core.fragments import FragmentError, check_fragments, shown_quote
from desktop_app.core.importing import import_paths
from desktop_app.core.merging import merge_path
from desktop_app.core.migrations import MIGRATIONS, latest_version
from desktop_app.core.model import ArticleDraft, ArticleFilter, SpanDraft
from desktop_app.core.store import Store

TEXT = "Barack 🇺🇸 said that Obama won.\nSecond line 北京 here."
#       0      7  9                          (Obama starts at 20)
OBAMA = TEXT.index("Obama")


@pytest.fixture
def brat_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "doc.txt").write_text(TEXT, encoding="utf-8")
    beijing = TEXT.index("北京")
    (folder / "doc.ann").write_text(
        f"T1\tPerson 0 6;{OBAMA} {OBAMA + 5}\tBarack Obama\n"
        f"#1\tAnnotatorNotes T1\tone person, two places\n"
        f"T2\tPlace {beijing} {beijing + 2}\t北京\n"
        f"T3\tPerson 0 6;{OBAMA} {OBAMA + 5};{beijing} {beijing + 1}\tBarack Obama 北\n",
        encoding="utf-8",
    )
    return folder


def _spans(store):
    return sorted(
        (s.start, s.end, s.fragments, s.label, s.quote, s.note)
        for ids in store.iter_article_ids(ArticleFilter())
        for i in ids
        for s in store.spans(i)
    )


@pytest.mark.parametrize(
    ("pieces", "reason"),
    [
        ([[0, 6], [4, 10]], "overlaps"),
        ([[6, 10], [0, 4]], "overlaps or precedes"),
        ([[0, 0], [4, 10]], "empty or reversed"),
        ([[0, 4], [6, 9]], "not the span's 0..10"),
        ([[0, "4"], [6, 10]], "not a \\[start, end\\] pair"),
        ([[0, 4, 5], [6, 10]], "not a \\[start, end\\] pair"),
        ([[True, 4], [6, 10]], "not a \\[start, end\\] pair"),
    ],
)
def test_fragments_that_cannot_belong_to_the_span_are_refused(pieces, reason):
    with pytest.raises(FragmentError, match=reason):
        check_fragments(pieces, 0, 10)


def test_one_fragment_is_an_ordinary_span_and_pieces_may_touch():
    assert check_fragments([[0, 10]], 0, 10) == ()
    assert check_fragments([[0, 4], [4, 10]], 0, 10) == ((0, 4), (4, 10))
    assert shown_quote("abcdefghij", 0, ((0, 2), (8, 10))) == "ab … ij"
    assert shown_quote("cdef", 2, ()) == "cdef"


def test_brat_discontinuous_span_imports_with_its_pieces_and_writes_back_the_same(
    brat_folder, tmp_path
):
    store = Store.memory()
    report = import_paths(store, [brat_folder], annotator="brat")
    assert report.added == 1 and report.spans_added == 3 and not report.problems
    spans = {s.label + str(len(s.fragments)): s for s in store.spans(store.article_id("in/doc"))}
    person = spans["Person2"]
    assert (person.start, person.end) == (0, OBAMA + 5)
    assert person.fragments == ((0, 6), (OBAMA, OBAMA + 5))
    assert person.quote == TEXT[0 : OBAMA + 5]  # the offset rule holds for the extent
    assert person.note == "one person, two places"
    assert spans["Place0"].fragments == ()
    assert len(spans["Person3"].fragments) == 3

    out = tmp_path / "out"
    export = export_brat(store, out)
    ann = (out / "in" / "doc.ann").read_text(encoding="utf-8")
    assert f"\tPerson 0 6;{OBAMA} {OBAMA + 5}\tBarack Obama\n" in ann
    assert f";{TEXT.index('北京')} {TEXT.index('北京') + 1}\tBarack Obama 北\n" in ann
    assert EXTENT_ONLY not in export.not_carried
    again = Store.memory()
    assert not import_paths(again, [out], annotator="brat").problems
    assert _spans(again) == _spans(store)
    # Importing the same folder twice adds nothing (identity includes the pieces).
    import_paths(again, [out], annotator="brat")
    assert len(_spans(again)) == 3
    again.close()
    store.close()


def test_native_jsonl_and_project_merge_carry_fragments(brat_folder, tmp_path):
    store = Store.open(tmp_path / "a.sqlite")
    import_paths(store, [brat_folder], annotator="brat")
    export_jsonl(store, tmp_path / "all.jsonl")
    record = json.loads((tmp_path / "all.jsonl").read_text(encoding="utf-8"))
    by_label = {(s["label"], len(s.get("fragments", []))): s for s in record["spans"]}
    assert by_label[("Person", 2)]["fragments"] == [[0, 6], [OBAMA, OBAMA + 5]]
    assert "fragments" not in by_label[("Place", 0)]

    fresh = Store.memory()
    assert not import_paths(fresh, [tmp_path / "all.jsonl"]).problems
    assert _spans(fresh) == _spans(store)
    fresh.close()
    expected = _spans(store)
    store.close()  # one writer: a merge reads a closed project file

    ours = Store.open(tmp_path / "b.sqlite")
    for source in (tmp_path / "a.sqlite", tmp_path / "all.jsonl"):
        merged = merge_path(ours, source)
        assert not merged.problems, merged.problems
    assert _spans(ours) == expected  # merged once, the second source matched by uuid
    ours.close()


def test_a_native_record_with_bad_fragments_is_refused_with_its_reason(tmp_path):
    bad = {
        "uid": "x",
        "text": "abcdefghij",
        "spans": [{"start": 0, "end": 10, "label": "L", "fragments": [[0, 3], [2, 10]]}],
    }
    (tmp_path / "bad.jsonl").write_text(json.dumps(bad) + "\n", encoding="utf-8")
    store = Store.memory()
    report = import_paths(store, [tmp_path / "bad.jsonl"])
    assert report.added == 0
    assert "span 0: fragment 2..10 overlaps" in report.problems[0].reason
    # The store checks again, whoever made the draft.
    span = SpanDraft(0, 4, "L", fragments=((0, 1), (2, 3)))
    result = store.add_articles([ArticleDraft("abcdefghij", "y", origin="o", spans=(span,))])
    assert result.added == 0
    assert "span 0: fragments run 0..3, not the span's 0..4" in result.problems[0].reason
    store.close()


def test_formats_without_pieces_write_the_extent_and_say_so(brat_folder, tmp_path):
    store = Store.memory()
    import_paths(store, [brat_folder])
    report = export_doccano(store, tmp_path / "d.jsonl", shape="label")
    assert report.not_carried[EXTENT_ONLY] == 2
    record = json.loads((tmp_path / "d.jsonl").read_text(encoding="utf-8"))
    assert [0, OBAMA + 5, "Person"] in record["label"]
    store.close()


def test_migration_gives_existing_spans_no_fragments(tmp_path):
    path = tmp_path / "old.sqlite"
    db = Database(path)
    with db.atomic():
        for number, (_, step) in enumerate(MIGRATIONS[:6], start=1):
            step(db)
            db.conn.execute(f"PRAGMA user_version = {number}")
    db.execute(
        "INSERT INTO articles (id, uid, text, text_sha256, imported_at) "
        "VALUES (1, 'o', 'old words', 'h', 't')"
    )
    db.execute("INSERT INTO labels (name, kind, color) VALUES ('L', 'span', '#cccccc')")
    db.execute("INSERT INTO annotators (name, created_at) VALUES ('ana', 't')")
    db.execute(
        'INSERT INTO spans (uuid, article, annotator, label, start, "end", quote, note, '
        "created_at, updated_at, deleted) VALUES ('u', 1, 'ana', 'L', 0, 3, 'old', '', 't', 't', 0)"
    )
    db.close()
    store = Store.open(path)
    assert store.stats()["schema_version"] == latest_version() >= 7
    (span,) = store.spans(1)
    assert span.fragments == () and span.quote == "old"
    store.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == latest_version()


def test_the_view_paints_only_the_pieces_and_the_list_shows_them(qtbot):
    from PySide6.QtGui import QTextCharFormat

    from desktop_app.core.model import Label, Span
    from desktop_app.ui.annotation_list import SpanListModel
    from desktop_app.ui.article_view import ArticleView

    stamp = "2024-01-01T00:00:00"
    beijing = TEXT.index("北京")
    pieces = ((0, 6), (OBAMA, OBAMA + 5), (beijing, beijing + 1))  # the last on line two
    extent = (0, beijing + 1)
    span = Span(
        "p", 1, "ana", "Person", *extent, TEXT[slice(*extent)], "", stamp, stamp, False, pieces
    )
    view = ArticleView()
    qtbot.addWidget(view)
    view.show_article(TEXT, [span], {"Person": Label("Person", color="#ffc09f")})

    def background(cp):
        units = len(TEXT[:cp].encode("utf-16-le")) // 2
        block = view.document().findBlock(units)
        for rng in block.layout().formats():
            if rng.start <= units - block.position() < rng.start + rng.length:
                return QTextCharFormat(rng.format).background().color().name()
        return None

    for cp in (0, 5, OBAMA, OBAMA + 4, beijing):
        assert background(cp) == "#ffc09f", cp
        assert [s.uuid for s in view.spans_at(cp)] == ["p"]
    for cp in (6, 10, OBAMA - 1, OBAMA + 5, beijing - 1, beijing + 1):  # the gaps
        assert background(cp) is None, cp
        assert view.spans_at(cp) == []

    model = SpanListModel()
    model.set_spans([span], {"Person": Label("Person")})
    assert model.index(0, 1).data() == "Barack … Obama … 北"


def test_extent_only_formats_imported_back_add_no_copies(brat_folder, tmp_path):
    from desktop_app.core.exporters.csv_rows import export_csv

    store = Store.memory()
    import_paths(store, [brat_folder], annotator="brat")
    before = _spans(store)
    export_csv(store, tmp_path / "rows.csv")
    export_doccano(store, tmp_path / "d.jsonl")
    for path in (tmp_path / "rows.csv", tmp_path / "d.jsonl"):
        report = import_paths(store, [path], annotator="brat", per_user_files=False)
        assert report.spans_added == 0, path
    assert _spans(store) == before
    store.close()


def test_a_changed_note_on_reimport_is_reported_not_taken(brat_folder, tmp_path):
    store = Store.memory()
    import_paths(store, [brat_folder], annotator="brat")
    ann = brat_folder / "doc.ann"
    ann.write_text(
        ann.read_text(encoding="utf-8").replace("one person, two places", "changed"),
        encoding="utf-8",
    )
    report = import_paths(store, [brat_folder], annotator="brat")
    assert report.spans_added == 0
    [problem] = report.problems
    assert "here already with another note; the file's note 'changed' was not taken" in (
        problem.reason
    )
    notes = {s.note for s in store.spans(store.article_id("in/doc"))}
    assert "one person, two places" in notes and "changed" not in notes
    store.close()
