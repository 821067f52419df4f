"""`marginalia suggest` and `marginalia suggestions`: external recommenders from the shell."""

import json
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.store import Store

RECOMMENDER = Path(__file__).parent.parent / "resources" / "recommenders" / "dates_money.py"
TEXT = "On 5 March 2024 the ministry paid $3.5 million to Bob."


@pytest.fixture
def db(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(TEXT, encoding="utf-8")
    (folder / "two.txt").write_text("Nothing here at all.", encoding="utf-8")
    path = str(tmp_path / "p.sqlite")
    assert main(["import", "--db", path, str(folder)]) == 0
    capsys.readouterr()
    return path


def _script(tmp_path, body):
    script = tmp_path / "rec.py"
    script.write_text("import json, sys, time\n" + body, encoding="utf-8")
    return f"{sys.executable} {script}"


def _count(db):
    store = Store.open(db, read_only=True)
    try:
        return len(store.suggestions())
    finally:
        store.close()


def test_dates_money_recommender_suggests_then_accept(db, capsys):
    command = f"{sys.executable} {RECOMMENDER}"
    assert main(["suggest", "--db", db, "--command", command, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["source"], report["articles"], report["added"]) == (
        "command:dates_money.py",
        2,
        2,
    )
    assert main(["suggestions", "list", "--db", db, "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {(x["label"], x["quote"]) for x in lines} == {
        ("Date/Time", "5 March 2024"),
        ("Number/Figure", "$3.5 million"),
    }
    args = ["suggestions", "accept", "--db", db, "--annotator", "ana", "--min-score", "0.85"]
    assert main(args) == 0
    assert "1 suggestions accepted" in capsys.readouterr().out
    store = Store.open(db, read_only=True)
    try:
        [span] = store.spans(store.article_id(lines[0]["uid"]))
        assert (span.quote, span.annotator) == ("$3.5 million", "ana")
        assert store.span_provenance(span.uuid)["source"] == "command:dates_money.py"
    finally:
        store.close()
    assert main(["suggestions", "reject", "--db", db, "--annotator", "ana"]) == 0
    assert "1 suggestions rejected by ana" in capsys.readouterr().out
    assert _count(db) == 0
    assert main(["suggest", "--db", db, "--command", command, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)  # rejected and accepted: not offered again
    assert (again["added"], again["rejected_before"], again["annotated"]) == (0, 1, 1)


def test_crash_stores_nothing(db, tmp_path, capsys):
    command = _script(tmp_path, "print('{}'); sys.exit('boom')\n")
    assert main(["suggest", "--db", db, "--command", command]) == 1
    err = capsys.readouterr().err
    assert "exited with status 1" in err and "boom" in err and "nothing was stored" in err
    assert _count(db) == 0


def test_hang_is_killed_after_timeout(db, tmp_path, capsys):
    command = _script(tmp_path, "time.sleep(30)\n")
    assert main(["suggest", "--db", db, "--command", command, "--timeout", "1"]) == 1
    assert "no answer within 1 s (killed)" in capsys.readouterr().err
    assert _count(db) == 0


GOOD = (
    "for l in sys.stdin:\n"
    "    u = json.loads(l)['uid']\n"
    "    print(json.dumps({'uid': u, 'suggestions': [{'start': 0, 'end': 2, "
    "'label': 'Person'}]}))\n"
)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (GOOD + "print('not json')\n", "not JSON"),
        (GOOD + "print(json.dumps({'uid': 'nobody', 'suggestions': []}))\n", "was not sent"),
        (GOOD.replace("Person", "Alien"), "'Alien' is not in this project"),
    ],
)
def test_garbage_stores_nothing(db, tmp_path, capsys, body, reason):
    command = _script(tmp_path, body)
    assert main(["suggest", "--db", db, "--command", command]) == 1
    err = capsys.readouterr().err
    assert reason in err and "output line" in err and "nothing was stored" in err
    assert _count(db) == 0


def test_bad_offsets_are_refused_each_with_reason(db, tmp_path, capsys):
    command = _script(
        tmp_path,
        "for l in sys.stdin:\n"
        "    u = json.loads(l)['uid']\n"
        "    print(json.dumps({'uid': u, 'suggestions': [{'start': 0, 'end': 2, "
        "'label': 'Person', 'score': 0.5}, {'start': 5, 'end': 9999, 'label': 'Person'}]}))\n",
    )
    assert main(["suggest", "--db", db, "--command", command]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("outside the text") == 2
    assert "2 suggestions stored" in captured.out
    assert _count(db) == 2


def test_list_is_read_only_and_filters(db, capsys):
    command = f"{sys.executable} {RECOMMENDER}"
    assert main(["suggest", "--db", db, "--command", command]) == 0
    capsys.readouterr()
    assert main(["suggestions", "list", "--db", db, "--label", "Date/Time"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "5 March 2024" in out[0]
    assert main(["suggestions", "list", "--db", db, "--source", "command:other"]) == 0
    assert capsys.readouterr().out == ""


def test_accept_needs_annotator(db):
    with pytest.raises(SystemExit) as raised:
        main(["suggestions", "accept", "--db", db])
    assert raised.value.code == 2
