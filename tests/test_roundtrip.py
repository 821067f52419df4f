"""The native JSONL export and its import restore the same articles and annotations."""

import json
from pathlib import Path

import pytest

from desktop_app.core.exporters.jsonl import export_jsonl
from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleDraft, ArticleFilter
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
TEXT = "Tbilisi 🇬🇪: ნინო met 李明 in القاهرة.\nAme\u0301lie wrote 👍🏽 and 👩‍🔬."


def new_project(path):
    store, _ = open_project(path, default_schema_path())
    return store


def snapshot(store):
    """Everything a round trip must keep, keyed by stable identities."""
    out = {}
    for ids in store.iter_article_ids(ArticleFilter()):
        for article_id in ids:
            article = store.article(article_id)
            out[article.uid] = (
                article.title,
                article.published,
                article.text,
                article.text_sha256,
                sorted(
                    (s.uuid, s.start, s.end, s.label, s.quote, s.note, s.annotator)
                    for s in store.spans(article_id)
                ),
                sorted((t.uuid, t.label, t.annotator) for t in store.tags(article_id)),
                store.statuses(article_id),
            )
    return out


def test_round_trip_keeps_unicode_spans_tags_and_status(tmp_path):
    store = new_project(tmp_path / "a.sqlite")
    store.add_articles([ArticleDraft(TEXT, "x1", title="Unicode"), ArticleDraft("Plain", "x2")])
    article = store.article_id("x1")
    for needle, label in (("🇬🇪", "Location"), ("ნინო", "Person"), ("👩‍🔬", "Person")):
        start = TEXT.index(needle)
        store.add_span(article, start, start + len(needle), label, "ana", note="n ✓")
    store.add_span(article, 0, 11, "Location", "bob")  # overlaps the flag span
    store.set_tag(article, "Energy", "ana", True)
    store.set_status(article, "ana", "done")
    deleted = store.add_span(article, 0, 3, "Person", "ana")
    store.update_span(deleted.uuid, deleted=True)
    out = tmp_path / "out.jsonl"
    assert export_jsonl(store, out).articles == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["uid"] for line in lines)
    assert deleted.uuid not in out.read_text(encoding="utf-8")
    copy = new_project(tmp_path / "b.sqlite")
    report = import_paths(copy, [out])
    assert report.problems == [] and report.added == 2 and report.spans_added == 4
    assert snapshot(copy) == snapshot(store)
    again = import_paths(copy, [out])
    assert (again.added, again.spans_added, again.tags_added) == (0, 0, 0)


def test_export_applies_the_filter(tmp_path):
    store = new_project(tmp_path / "a.sqlite")
    store.add_articles([ArticleDraft("about energy", "e"), ArticleDraft("about sport", "s")])
    out = tmp_path / "energy.jsonl"
    assert export_jsonl(store, out, ArticleFilter(search="energy")).articles == 1
    assert json.loads(out.read_text(encoding="utf-8"))["uid"] == "e"


def test_failed_export_leaves_no_partial_file(tmp_path):
    store = new_project(tmp_path / "a.sqlite")
    store.add_articles([ArticleDraft("x", "x")])
    target = tmp_path / "missing-folder" / "out.jsonl"
    with pytest.raises(RuntimeError, match="missing-folder"):
        export_jsonl(store, target)
    assert not target.exists()


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is absent")
def test_corpora_import_export_reimport(tmp_path):
    store = new_project(tmp_path / "a.sqlite")
    report = import_paths(store, [CORPORA / "seed", CORPORA / "bbc"])
    assert (report.added, report.problems) == (2226, [])
    seed = store.article(store.article_id("000_13829d945e102746"))
    assert seed.published == "2024-05-20" and seed.text.startswith("BAKU")
    latin1 = store.article(store.article_id("sport/199"))
    assert latin1.meta["encoding_fallback"] is True and "\ufffd" not in latin1.text
    assert import_paths(store, [CORPORA / "seed", CORPORA / "bbc"]).added == 0
    out = tmp_path / "out.jsonl"
    assert export_jsonl(store, out).articles == 2226
    copy = new_project(tmp_path / "b.sqlite")
    assert import_paths(copy, [out]).added == 2226
    assert snapshot(copy) == snapshot(store)


def test_export_refuses_a_span_that_breaks_the_offset_rule(tmp_path):
    store = new_project(tmp_path / "a.sqlite")
    store.add_articles([ArticleDraft("Alice in Paris", "x")])
    span = store.add_span(store.article_id("x"), 0, 5, "Person", "ana")
    # Only a damaged file can hold such a span: the database refuses to write one.
    store.db.execute("DROP TRIGGER spans_offsets_fixed")
    store.db.execute("UPDATE spans SET quote = 'Alicx' WHERE uuid = ?", (span.uuid,))
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError, match="x: 1 span"):
        export_jsonl(store, target)
    assert not target.exists() and not (tmp_path / "out.jsonl.partial").exists()


def test_export_is_valid_json_with_unicode_kept(tmp_path):
    store = new_project(tmp_path / "a.sqlite")
    store.add_articles([ArticleDraft(TEXT, "u", meta={"k": ["v", 1]})])
    out = tmp_path / "u.jsonl"
    export_jsonl(store, out)
    raw = out.read_text(encoding="utf-8")
    record = json.loads(raw)
    assert record["text"] == TEXT and "🇬🇪" in raw  # written as UTF-8, not \\u escapes
    assert record["meta"] == {"k": ["v", 1]} and record["spans"] == [] and record["status"] == {}
