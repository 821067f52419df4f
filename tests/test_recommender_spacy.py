"""The spaCy EntityRuler example recommender, run through `marginalia suggest --command`."""

import json
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.store import Store

pytest.importorskip("spacy")  # the `spacy` extra; the test extra (and so CI) installs it

RECOMMENDER = Path(__file__).parent.parent / "resources" / "recommenders" / "spacy_entity_ruler.py"
# Emoji (one code point, two UTF-16 units) before each name: offsets must stay code points.
TEXT = "🎉🎉 Nino Beridze 👍 of South Caucasus Rail met officials in TBILISI. 🚆 Nino Beridze left."
PATTERNS = [
    {"label": "Person", "pattern": "Nino Beridze"},
    {"label": "Organization", "pattern": "South Caucasus Rail"},
    {"label": "Location", "pattern": [{"LOWER": "tbilisi"}]},
    {"label": "NOT_IN_PROJECT", "pattern": "officials"},
]


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


def _patterns(tmp_path, lines):
    path = tmp_path / "patterns.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _quotes(db):
    store = Store.open(db, read_only=True)
    try:
        out = []
        for s in store.suggestions():
            text = store.article(s.article_id).text
            out.append((text[s.start : s.end], s.label, s.source, s.score))
        return sorted(out)
    finally:
        store.close()


def test_entity_ruler_suggests_with_code_point_offsets(db, tmp_path, capsys):
    patterns = _patterns(tmp_path, [json.dumps(p) for p in PATTERNS])
    command = f"{sys.executable} {RECOMMENDER} {patterns}"
    assert main(["suggest", "--db", db, "--command", command, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["source"], report["articles"], report["added"]) == (
        "command:spacy_entity_ruler.py",
        2,
        4,
    )
    source = "command:spacy_entity_ruler.py"
    assert _quotes(db) == [
        ("Nino Beridze", "Person", source, 0.9),
        ("Nino Beridze", "Person", source, 0.9),
        ("South Caucasus Rail", "Organization", source, 0.9),
        ("TBILISI", "Location", source, 0.9),
    ]
    store = Store.open(db, read_only=True)
    try:
        starts = sorted(s.start for s in store.suggestions() if s.label == "Person")
    finally:
        store.close()
    # 3 and 69 in code points; UTF-16 (what Qt counts) would say 5 and 73.
    assert starts == [TEXT.index("Nino"), TEXT.rindex("Nino")] == [3, 69]


def test_ignore_case_and_score_options(db, tmp_path, capsys):
    patterns = _patterns(tmp_path, [json.dumps({"label": "Location", "pattern": "Tbilisi"})])
    command = f"{sys.executable} {RECOMMENDER} {patterns} --score 0.5"
    assert main(["suggest", "--db", db, "--command", command]) == 0
    assert _quotes(db) == []  # the phrase is case-sensitive by default
    capsys.readouterr()
    assert main(["suggest", "--db", db, "--command", command + " --ignore-case"]) == 0
    assert _quotes(db) == [("TBILISI", "Location", "command:spacy_entity_ruler.py", 0.5)]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "patterns.jsonl:1: not JSON"),
        ('{"pattern": "x"}', "patterns.jsonl:1: a pattern needs"),
        ('{"label": "Person", "pattern": 3}', "a pattern is a phrase or a list"),
    ],
)
def test_bad_patterns_file_is_reported_and_nothing_stored(db, tmp_path, capsys, line, reason):
    patterns = _patterns(tmp_path, [line])
    command = f"{sys.executable} {RECOMMENDER} {patterns}"
    assert main(["suggest", "--db", db, "--command", command]) != 0
    assert reason in capsys.readouterr().err
    assert _quotes(db) == []
