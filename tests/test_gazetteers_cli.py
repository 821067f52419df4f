"""`marginalia suggest --gazetteer` and `marginalia gazetteers ...` through cli.main."""

import json

import pytest

from desktop_app.cli import main
from desktop_app.core.store import Store


@pytest.fixture
def db(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text("Nino Beridze met Apple staff in Tbilisi.", encoding="utf-8")
    (folder / "two.txt").write_text("Rain in Tbilisi.", encoding="utf-8")
    path = str(tmp_path / "p.sqlite")
    assert main(["import", "--db", path, str(folder)]) == 0
    capsys.readouterr()
    return path


@pytest.fixture
def gaz(tmp_path):
    path = tmp_path / "names.tsv"
    path.write_text("# names\nNino Beridze\tPerson\nTbilisi\tLocation\n", encoding="utf-8")
    return str(path)


def _suggestions(db):
    store = Store.open(db, read_only=True)
    try:
        return [(s.label, s.source) for s in store.suggestions()]
    finally:
        store.close()


def test_suggest_gazetteer_loads_applies_and_reuses(db, gaz, capsys):
    assert main(["suggest", "--db", db, "--gazetteer", gaz, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["source"], report["terms"], report["reused"]) == (
        "gazetteer:names.tsv",
        2,
        False,
    )
    assert (report["articles"], report["added"]) == (2, 3)
    assert main(["suggest", "--db", db, "--gazetteer", gaz]) == 0
    out = capsys.readouterr().out
    assert "names.tsv: 2 terms (already loaded); 0 suggestions stored on 2 articles" in out
    assert sorted(_suggestions(db)) == [
        ("Location", "gazetteer:names.tsv"),
        ("Location", "gazetteer:names.tsv"),
        ("Person", "gazetteer:names.tsv"),
    ]


def test_suggest_gazetteer_with_filter_and_unknown_labels(db, tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text("term,label\nTbilisi,Location\nApple,Product\n", encoding="utf-8")
    args = ["suggest", "--db", db, "--gazetteer", str(path), "--query", "rain", "--json"]
    assert main(args) == 1  # something in the file was left out
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert (report["articles"], report["added"]) == (1, 1)
    assert report["unknown_labels"] == {"Product": 1}
    assert "label 'Product' is not in the project (1 terms left out)" in captured.err


def test_suggest_needs_exactly_one_source(db, gaz, capsys):
    with pytest.raises(SystemExit) as raised:
        main(["suggest", "--db", db, "--gazetteer", gaz, "--command", "x"])
    assert raised.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["suggest", "--db", db])
    assert (
        "one of the arguments --command --gazetteer --learn is required" in capsys.readouterr().err
    )


def test_bad_gazetteer_file_names_file_and_line(db, tmp_path, capsys):
    path = tmp_path / "bad.tsv"
    path.write_bytes(b"Tbilisi\tLocation\nZ\xfcrich\tLocation\n")
    assert main(["suggest", "--db", db, "--gazetteer", str(path)]) == 1
    assert f"{path}:2: not UTF-8" in capsys.readouterr().err
    assert _suggestions(db) == []


def test_gazetteers_add_list_disable_enable_export_remove(db, gaz, tmp_path, capsys):
    assert main(["gazetteers", "add", gaz, "--db", db, "--case", "--disabled"]) == 0
    assert "names.tsv: loaded, 2 terms" in capsys.readouterr().out
    assert main(["gazetteers", "add", gaz, "--db", db]) == 1  # the same file, other options
    assert "loaded already with other matching options" in capsys.readouterr().err
    assert main(["gazetteers", "add", gaz, "--db", db, "--case"]) == 0
    assert "names.tsv: was loaded already, 2 terms" in capsys.readouterr().out
    assert main(["gazetteers", "list", "--db", db, "--json"]) == 0
    [listed] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert (listed["name"], listed["enabled"], listed["case"], listed["terms"]) == (
        "names.tsv",
        False,
        True,
        2,
    )
    assert main(["gazetteers", "enable", "names.tsv", "--db", db]) == 0
    assert main(["gazetteers", "list", "--db", db]) == 0
    assert "names.tsv\ton\t2 terms\tcase, whole words" in capsys.readouterr().out
    # Switched on: the next import's new article gets its suggestions as it is stored.
    more = tmp_path / "more"
    more.mkdir()
    (more / "three.txt").write_text("Back to Tbilisi.", encoding="utf-8")
    assert main(["import", "--db", db, str(more)]) == 0
    assert "1 gazetteer suggestions" in capsys.readouterr().out
    assert _suggestions(db) == [("Location", "gazetteer:names.tsv")]
    assert main(["gazetteers", "disable", "names.tsv", "--db", db]) == 0
    assert "(1 pending suggestions taken away)" in capsys.readouterr().out
    out = tmp_path / "out.tsv"
    assert main(["gazetteers", "export", "names.tsv", str(out), "--db", db]) == 0
    assert out.read_text(encoding="utf-8").endswith("Nino Beridze\tPerson\nTbilisi\tLocation\n")
    assert main(["gazetteers", "remove", "names.tsv", "--db", db]) == 0
    assert main(["gazetteers", "remove", "names.tsv", "--db", db]) == 1
    assert "no gazetteer 'names.tsv'" in capsys.readouterr().err


def test_gazetteers_add_refuses_another_file_of_the_same_name(db, gaz, tmp_path, capsys):
    assert main(["gazetteers", "add", gaz, "--db", db]) == 0
    other = tmp_path / "x"
    other.mkdir()
    (other / "names.tsv").write_text("Apple\tOrganization\n", encoding="utf-8")
    assert main(["gazetteers", "add", str(other / "names.tsv"), "--db", db]) == 1
    assert "a different gazetteer named 'names.tsv'" in capsys.readouterr().err
    args = [
        "gazetteers",
        "add",
        str(other / "names.tsv"),
        "--db",
        db,
        "--replace",
        "--no-whole-word",
    ]
    assert main(args) == 0
    assert main(["gazetteers", "list", "--db", db]) == 0
    assert "1 terms\tany case, inside words" in capsys.readouterr().out
