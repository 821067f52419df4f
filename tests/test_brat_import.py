"""brat standoff: offsets over a BOM or CRLF, repeated ids, corpus folders as brat ships them."""

from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.core.importing import import_paths
from desktop_app.core.store import Store

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
BOM = "\ufeff"


def _pair(folder, name, text_bytes, ann):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_bytes(text_bytes)
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8")


def _spans(store):
    """(article text, [(start, end, label, quote)]) of the only article."""
    (article_id,) = [i for ids in store.iter_article_ids(_everything()) for i in ids]
    article = store.article(article_id)
    spans = sorted((s.start, s.end, s.label, s.quote) for s in store.spans(article_id))
    for start, end, _, quote in spans:
        assert article.text[start:end] == quote
    return article.text, spans


def _everything():
    from desktop_app.core.model import ArticleFilter

    return ArticleFilter()


def _t_lines(raw, words, with_text):
    """T lines for `words`, with offsets counted in `raw` (as brat counts them)."""
    lines = []
    for n, (label, word) in enumerate(words, start=1):
        start = raw.index(word)
        column = f"\t{word}" if with_text else ""
        lines.append(f"T{n}\t{label} {start} {start + len(word)}{column}\n")
    return "".join(lines)


# ------------------------------------------------------------- BOM and CRLF (issue 11 item 8)

RAW_BODY = "Nino met Amélie 👩‍🔬 in Tbilisi.\r\n\r\nThey left for Batumi.\r\n"
WORDS = [("Person", "Amélie"), ("Place", "Tbilisi"), ("Place", "Batumi")]
STORED = RAW_BODY.replace("\r\n", "\n")
EXPECTED = [(STORED.index(w), STORED.index(w) + len(w), label, w) for label, w in WORDS]


@pytest.mark.parametrize("with_text", [True, False], ids=["text-column", "no-text-column"])
@pytest.mark.parametrize(
    "raw",
    [BOM + RAW_BODY.replace("\r\n", "\n"), RAW_BODY, BOM + RAW_BODY],
    ids=["bom", "crlf", "bom+crlf"],
)
def test_brat_offsets_count_the_bom_and_cr_as_brat_reads_them(tmp_path, raw, with_text):
    # brat reads the .txt as 'utf-8' (U+FEFF stays a character) without newline
    # translation, so its offsets count the BOM and every \r; the stored text drops both.
    _pair(tmp_path / "corpus", "doc", raw.encode("utf-8"), _t_lines(raw, WORDS, with_text))
    store = Store.memory()
    report = import_paths(store, [tmp_path / "corpus"], annotator="brat")
    assert report.problems == [] and report.added == 1
    text, spans = _spans(store)
    assert text == STORED
    assert spans == EXPECTED


def test_brat_offsets_of_a_universal_newline_reader_are_recognised_by_their_text(tmp_path):
    # brat before its Python 3 port read with universal newlines: CRLF counted as one
    # character. The text column tells which way the offsets were counted.
    universal = BOM + RAW_BODY.replace("\r\n", "\n")
    ann = _t_lines(universal, WORDS, with_text=True)
    _pair(tmp_path / "corpus", "doc", (BOM + RAW_BODY).encode("utf-8"), ann)
    store = Store.memory()
    report = import_paths(store, [tmp_path / "corpus"], annotator="brat")
    assert report.problems == []
    assert _spans(store)[1] == EXPECTED


def test_brat_span_on_a_removed_bom_is_refused_with_the_true_reason(tmp_path):
    raw = BOM + "Nino met Amélie."
    # A span that starts on the BOM keeps its letters; one on the BOM alone has none.
    _pair(tmp_path / "c", "doc", raw.encode("utf-8"), "T1\tPerson 0 5\nT2\tMark 0 1\n")
    store = Store.memory()
    report = import_paths(store, [tmp_path / "c"])
    assert report.added == 0
    (problem,) = report.problems
    assert problem.origin.endswith("doc.ann") and "line 2 (T2)" in problem.reason
    assert "byte order mark" in problem.reason and "line 1" not in problem.reason


# ------------------------------------------------------------- repeated ids (issue 11 item 6)


def test_brat_repeated_t_id_is_reported_with_its_line(tmp_path, capsys):
    text = "Nino met Amélie in Tbilisi."
    ann = "T1\tPerson 0 4\tNino\nT2\tPerson 9 15\tAmélie\nT1\tPlace 19 26\tTbilisi\n"
    _pair(tmp_path / "c", "doc", text.encode("utf-8"), ann)
    store = Store.memory()
    report = import_paths(store, [tmp_path / "c"])
    (problem,) = report.problems
    assert problem.origin.endswith("doc.ann")
    assert "line 3 (T1)" in problem.reason and "line 1" in problem.reason
    # Nothing is silently replaced: the file is refused whole, like any other bad line.
    assert report.spans_added == 0
    store.close()
    code = cli.main(["import", "--db", str(tmp_path / "p.db"), str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 1 and "doc.ann: line 3 (T1)" in err


# ------------------------------------------------------------- folders as brat ships them


def _brat_corpus(root):
    _pair(root / "docs", "a", "Nino met Amélie.".encode(), "T1\tPerson 0 4\tNino\n")
    _pair(root / "docs", "b", b"Tbilisi by night.", "T1\tPlace 0 7\tTbilisi\n")
    (root / "README").write_text("A corpus.\n")
    (root / "LICENSE.txt").write_text("MIT\n")
    (root / "docs" / "README.txt").write_text("About these documents.\n")
    (root / "docs" / "README-fr.txt").write_text("À propos.\n", encoding="utf-8")
    (root / "annotation.conf").write_text(
        "# types\n[entities]\nPerson\n!Geography\n\tPlace\n[relations]\nLives Arg1:Person\n"
        "[events]\n[attributes]\n"
    )
    (root / "visual.conf").write_text(
        "[labels]\nPerson | Person\n[drawing]\nPerson\tbgColor:#ffccaa, fgColor:black\n"
        "Place\tbgColor:lightgreen\n"
    )
    (root / "tools.conf").write_text("[options]\nTokens\ttokenizer:whitespace\n")
    (root / "docs" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "docs" / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    return root


@pytest.mark.parametrize("fmt", ["auto", "brat"])
def test_brat_folder_skips_what_is_not_brat_input_and_counts_it(tmp_path, capsys, fmt):
    root = _brat_corpus(tmp_path / "corpus")
    db = tmp_path / "p.db"
    code = cli.main(["import", "--db", str(db), "--format", fmt, str(root)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "rejected" not in err
    assert "2 added" in out and "skipped" in out
    store = Store.open(db)
    try:
        report = import_paths(store, [root], fmt=fmt)
        skipped = {Path(s.origin).name for s in report.skipped}
        assert {"README", "LICENSE.txt", "README.txt", "README-fr.txt", "tools.conf"} <= skipped
        assert "Thumbs.db" in skipped
        assert {".DS_Store"} <= skipped
        assert not skipped & {"a.ann", "a.txt", "annotation.conf"}
        assert f"{len(report.skipped)} skipped" in report.summary()
        assert report.problems == []
    finally:
        store.close()


def test_brat_annotation_conf_declares_labels_with_visual_conf_colours(tmp_path):
    root = _brat_corpus(tmp_path / "corpus")
    store = Store.memory()
    report = import_paths(store, [root])
    assert report.problems == []
    labels = {label.name: label for label in store.labels()}
    assert labels["Person"].color == "#ffccaa"
    assert labels["Place"].color == "#90ee90"  # CSS lightgreen
    assert labels["Place"].group == "Geography"
    assert "Geography" not in labels and "Lives" not in labels  # abstract type, a relation
    assert all(label.kind == "span" for label in labels.values())


def test_brat_annotation_conf_in_a_zip_declares_labels(tmp_path):
    import zipfile

    root = _brat_corpus(tmp_path / "corpus")
    archive = tmp_path / "corpus.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(root).as_posix())
    store = Store.memory()
    report = import_paths(store, [archive])
    assert report.problems == [] and report.added == 2
    assert {label.name: label.color for label in store.labels()}["Person"] == "#ffccaa"


def test_brat_unknown_colour_gets_a_free_one_and_a_repeated_type_is_reported(tmp_path):
    _pair(tmp_path / "c", "a", b"Nino met.", "")
    (tmp_path / "c" / "annotation.conf").write_text("[entities]\nPerson\nPlace\nperson\n")
    (tmp_path / "c" / "visual.conf").write_text("[drawing]\nPerson\tbgColor:no-such-colour\n")
    store = Store.memory()
    report = import_paths(store, [tmp_path / "c"])
    (problem,) = report.problems
    assert problem.origin.endswith("annotation.conf:4") and "already used" in problem.reason
    labels = store.labels()
    assert [label.name for label in labels] == ["Person", "Place"]
    assert len({label.color for label in labels}) == 2  # free colours, not one default grey


def test_brat_txt_without_ann_in_brat_format_is_an_unannotated_text(tmp_path):
    _pair(tmp_path / "c", "a", b"Nino met.", "T1\tPerson 0 4\tNino\n")
    (tmp_path / "c" / "b.txt").write_text(" date 2024-01-01 \nKept as it is.\n")
    store = Store.memory()
    report = import_paths(store, [tmp_path / "c"], fmt="brat")
    assert report.problems == [] and report.added == 2
    article = store.article(store.article_id("c/b"))
    assert article.text == " date 2024-01-01 \nKept as it is.\n"  # brat keeps text verbatim
    store.close()


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
@pytest.mark.parametrize("fmt", ["auto", "brat"])
def test_brat_conll2002_corpus_imports_whole_with_its_configuration(tmp_path, capsys, fmt):
    folder = CORPORA / "brat" / "conll2002-news"
    db = tmp_path / "p.db"
    code = cli.main(["import", "--db", str(db), "--format", fmt, str(folder)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "20 added" in out and "816 spans" in out and "skipped" in out
    store = Store.open(db)
    try:
        colors = {label.name: label.color for label in store.labels()}
        assert colors["PER"] == "#ffccaa" and colors["ORG"] == "#8fb2ff"
    finally:
        store.close()
