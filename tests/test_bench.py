"""The benchmark never rots: its quick run reports every core figure, and its data is sound."""

import itertools
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402

from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core.store.integrity import count_problems  # noqa: E402

CORE_GROUPS = "import,export,list,search,filters,edits"
CORE_KEYS = {
    "import",
    "import_rate",
    "export_rate",
    "export_memory",
    "list_count",
    "list_first_page",
    "list_jump",
    *(
        f"search_{kind}_{what}"
        for kind in ("frequent", "common", "rare")
        for what in ("page", "count", "ranked")
    ),
    *(f"filter_{what}" for what in ("tag", "label", "annotator", "status")),
    "edit_add",
    "edit_relabel",
    "edit_delete",
}


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--quick",
            "--articles",
            "400",
            "--json",
            "--only",
            CORE_GROUPS,
            "--workdir",
            str(workdir),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout), workdir


def test_quick_run_reports_every_core_figure(quick_report):
    report, _ = quick_report
    assert report["articles"] == 400
    figures = report["figures"]
    assert set(figures) == CORE_KEYS
    for key, figure in figures.items():
        assert figure["key"] == key
        assert figure["value"] > 0, key
        assert figure["baseline"] > 0, key
        assert figure["ratio"] is not None and figure["ratio"] > 0, key
        assert figure["unit"] and figure["label"], key
    # The figures that carry a target say whether it was met.
    assert all(isinstance(figures[key]["met"], bool) for key in CORE_KEYS - {"import_rate"})


def test_quick_run_reports_the_overview_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--articles", "300", "--json",
         "--only", "overview", "--workdir", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)["figures"]
    assert set(figures) == {"overview_first", "overview_refresh", "overview_filter",
                            "overview_filter_search", "overview_filter_tag",
                            "overview_filter_most", "overview_filter_todo",
                            "overview_by_tag"}  # fmt: skip
    assert all(figure["value"] > 0 for figure in figures.values())
    for key in ("overview_first", "overview_refresh", "overview_filter",
                "overview_filter_search", "overview_filter_tag"):  # fmt: skip
        assert figures[key]["met"] is True, key
    assert "300 articles" in figures["overview_first"]["note"]
    # A filter keeping most articles is counted as the whole less the rest (and says so).
    assert "less the articles left out" in figures["overview_filter_most"]["note"]


def test_quick_run_cleans_up(quick_report):
    _, workdir = quick_report
    assert list(workdir.iterdir()) == []


def test_spans_quote_the_text_and_are_deterministic():
    first = list(synth.Synth(7).records(60, annotated=True, spans_per_article=12))
    again = list(synth.Synth(7).records(60, annotated=True, spans_per_article=12))
    assert first == again
    assert first != list(synth.Synth(8).records(60, annotated=True, spans_per_article=12))
    nested = 0
    for record in first:
        text = record["text"]
        assert len(record["spans"]) == 12
        for span in record["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(text)
            assert span["quote"] == text[span["start"] : span["end"]]
            assert span["quote"] == span["quote"].strip()  # aligned to words
        ranges = sorted((s["start"], s["end"]) for s in record["spans"])
        nested += any(b[0] < a[1] for a, b in itertools.pairwise(ranges))
    assert nested > 0  # overlapping and nested spans occur
    assert any(ord(ch) > 0xFFFF for record in first for ch in record["text"])  # astral emoji
    assert sum(synth.RARE_WORD in record["text"] for record in first) == 1  # article 0 only


def test_articles_are_news_sized_and_spread(tmp_path):
    path = tmp_path / "a.jsonl"
    synth.write_jsonl(path, 200, seed=3, annotated=False)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 200
    assert len({r["uid"] for r in records}) == 200
    assert 2000 < sum(len(r["text"]) for r in records) / 200 < 4500
    assert len({r["published"][:4] for r in records}) >= 5
    assert all("spans" not in r for r in records)


def _schema(path):
    conn = sqlite3.connect(path)
    try:
        return sorted(
            conn.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            ).fetchall()
        )
    finally:
        conn.close()


def test_the_built_project_is_what_an_import_makes(tmp_path):
    """The bulk builder sets indexes and triggers aside while it loads: afterwards the schema
    is the app's, every count and the search index pass the full check, and edits through
    the store keep the counts exact (the triggers are back)."""
    fresh = tmp_path / "fresh.sqlite"
    Store.open(fresh).close()
    built = tmp_path / "built.sqlite"
    counts = synth.build_project(built, 150, spans_per_article=6, seed=4)
    assert counts["articles"] == 150 and counts["spans"] == 900
    assert _schema(built) == _schema(fresh)
    store = Store.open(built)
    try:
        assert store.check(full=True) == []
        conn = store.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                            (synth.RARE_WORD,)).fetchone()[0] == 1  # fmt: skip
        assert sum(store.overview().span_labels.values()) == 900
        label = store.labels("span")[0].name
        span = store.add_span(1, 0, 1, label, "bench-test")
        store.update_span(span.uuid, label=store.labels("span")[1].name)
        store.set_tag(2, store.labels("document")[0].name, "bench-test", True)
        store.set_status(3, "bench-test", "done")
        assert count_problems(conn) == []
        assert sum(store.overview().span_labels.values()) == 901
    finally:
        store.close()
