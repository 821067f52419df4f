"""The window's benchmark runs at a tiny size and reports every figure (so it never rots)."""

import itertools
import random

import pytest

from bench.measure_ui import (
    build_project,
    make_span_ranges,
    make_text,
    measure_ui,
    write_jsonl,
)

EXPECTED = {
    "render_50k": "ms",
    "render_300k": "ms",
    "open_window_50k": "ms",
    "open_window_300k": "ms",
    "scroll_frame": "ms",
    "scroll_frame_max": "ms",
    "import_event_gap": "ms",
    "import_window_duration": "s",
    "launch": "s",
    "list_jump_ui": "ms",
    "rss_mb": "MB",
}


def test_fixture_text_and_spans_are_word_aligned_with_overlaps():
    rng = random.Random(3)
    text = make_text(20_000, rng)
    assert len(text) == 20_000
    assert not text.isascii()  # some CJK and emoji
    ranges = make_span_ranges(text, 1_000, rng, ["A", "B"])
    assert len(ranges) == 1_000
    for start, end, _ in ranges:
        assert 0 <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]  # no edge on whitespace
        assert start == 0 or text[start - 1].isspace()
        assert end == len(text) or text[end].isspace()
    ordered = sorted((s, e) for s, e, _ in ranges)
    overlaps = sum(1 for (_, e1), (s2, _) in itertools.pairwise(ordered) if s2 < e1)
    assert overlaps > 50  # nested and crossing spans are there


@pytest.fixture(scope="module")
def figures(tmp_path_factory, qapp):
    workdir = tmp_path_factory.mktemp("bench_ui")
    project = build_project(workdir / "project.sqlite", 120)
    jsonl = write_jsonl(workdir / "articles.jsonl", 60)
    return {f.key: f for f in measure_ui(workdir, project, jsonl, repeats=1, quick=True)}


def test_every_figure_is_there_with_its_unit(figures):
    assert set(EXPECTED) <= set(figures)
    for key, unit in EXPECTED.items():
        assert figures[key].unit == unit, key


def test_values_baselines_and_ratios_are_positive(figures):
    for key in EXPECTED:
        figure = figures[key]
        assert figure.value > 0, key
        assert figure.baseline is not None and figure.baseline > 0, key
        assert figure.ratio is not None and figure.ratio > 0, key
        assert figure.as_dict()["ratio"] > 0, key


def test_timed_figures_carry_targets(figures):
    for key in EXPECTED:
        if key != "import_window_duration":
            assert figures[key].target and figures[key].met is not None, key


def test_launch_saw_the_whole_project(figures):
    assert "120 articles" in figures["launch"].label
