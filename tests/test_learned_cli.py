"""`marginalia suggest --learn`: learned suggestions and the gazetteer export from the shell."""

import json

import pytest

from desktop_app.cli import main
from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import Store


@pytest.fixture
def db(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text("Nino Beridze spoke in Tbilisi.", encoding="utf-8")
    (folder / "two.txt").write_text("Tbilisi hosted Nino Beridze.", encoding="utf-8")
    (folder / "three.txt").write_text("Nino Beridze, again, in Tbilisi.", encoding="utf-8")
    path = str(tmp_path / "p.sqlite")
    assert main(["import", "--db", path, str(folder)]) == 0
    store = Store.open(path)
    try:
        one = _ids(store)["one"]
        ana, ben = Editor(store, "ana"), Editor(store, "ben")
        ana.add_span(one, 0, 12, "Person")
        ben.add_span(one, 22, 29, "Location")
    finally:
        store.close()
    capsys.readouterr()
    return path


def _ids(store):
    """Article ids by their file's name ("one", "two", "three"), told apart by their text."""
    names = {"spoke": "one", "hosted": "two", "again": "three"}
    ids = [i for batch in store.iter_article_ids(ArticleFilter()) for i in batch]
    return {n: i for i in ids for word, n in names.items() if word in store.article(i).text}


def _suggested(db):
    store = Store.open(db, read_only=True)
    try:
        names = {i: name for name, i in _ids(store).items()}
        return sorted((names[s.article_id], s.label, s.source) for s in store.suggestions())
    finally:
        store.close()


def test_learn_suggests_in_the_filtered_articles_and_again_adds_nothing(db, capsys):
    assert main(["suggest", "--db", db, "--learn", "--query", "hosted", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["source"], report["articles"], report["terms"], report["added"]) == (
        "learned",
        1,
        2,
        2,
    )
    assert _suggested(db) == [("two", "Location", "learned"), ("two", "Person", "learned")]
    assert main(["suggest", "--db", db, "--learn"]) == 0
    out = capsys.readouterr().out
    assert "2 suggestions stored from learned (2 terms learned) on 3 articles" in out
    assert main(["suggest", "--db", db, "--learn", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["added"], again["removed"]) == (0, 0)


def test_annotator_learns_from_that_annotators_spans_only(db, capsys):
    assert main(["suggest", "--db", db, "--learn", "--annotator", "ben"]) == 0
    capsys.readouterr()
    assert {label for _, label, _ in _suggested(db)} == {"Location"}
    assert {uid for uid, _, _ in _suggested(db)} == {"two", "three"}  # every article, not ben's


def test_stop_words_min_length_and_export(db, tmp_path, capsys):
    stop = tmp_path / "stop.txt"
    stop.write_text("# never these\ntbilisi\n", encoding="utf-8")
    out = tmp_path / "learned.tsv"
    args = ["suggest", "--db", db, "--learn", "--stop-words", str(stop), "--export-learned"]
    assert main([*args, str(out)]) == 0
    assert "1 learned terms written" in capsys.readouterr().out
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and lines[-1] == "Nino Beridze\tPerson"
    assert len([x for x in lines if not x.startswith("#")]) == 1
    assert _suggested(db) == []  # exporting stores nothing
    assert main(["suggest", "--db", db, "--learn", "--min-length", "13", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["terms"] == 0


def test_usage_and_file_errors(db, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["suggest", "--db", db])
    assert (
        "one of the arguments --command --gazetteer --learn is required" in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["suggest", "--db", db, "--learn", "--command", "x"])
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["suggest", "--db", db, "--command", "x", "--export-learned", "f.tsv"])
    assert "go with --learn" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["suggest", "--db", db, "--learn", "--min-length", "0"])
    capsys.readouterr()
    missing = tmp_path / "nope.txt"
    assert main(["suggest", "--db", db, "--learn", "--stop-words", str(missing)]) == 1
    err = capsys.readouterr().err
    assert str(missing) in err and "cannot read the stop list" in err
    target = tmp_path / "no" / "such" / "dir.tsv"
    assert main(["suggest", "--db", db, "--learn", "--export-learned", str(target)]) == 1
    assert str(target) in capsys.readouterr().err
