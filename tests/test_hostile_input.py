"""Broken and hostile input: each gets a clear message naming the file, and the project is
left as it was (it still checks out and holds what it held)."""

import json
import os
import random

import pytest

from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleDraft, ArticleFilter
from desktop_app.core.schema import SchemaError, load_schema
from desktop_app.core.store import Store

FORMATS = ("txt", "jsonl", "csv", "json", "ann", "conll", "qdpx", "zip")


@pytest.fixture
def store(tmp_path):
    project = Store.open(tmp_path / "p.sqlite")
    project.add_articles([ArticleDraft("An article that was here before.", "before")])
    yield project
    project.close()


def _unchanged(store):
    """The project checks out and holds exactly the article it had."""
    assert store.check(full=True) == []
    ids = [i for batch in store.iter_article_ids(ArticleFilter()) for i in batch]
    assert [store.article(i).uid for i in ids] == ["before"]


def _one_problem_naming(report, path):
    assert report.added == 0, report
    assert report.problems and all(str(path) in p.origin for p in report.problems), report
    assert all(p.reason for p in report.problems)


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("seed", range(3))
def test_random_bytes_in_every_format(store, tmp_path, suffix, seed):
    path = tmp_path / f"noise.{suffix}"
    rng = random.Random(seed)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randint(1, 5000))))
    if suffix == "ann":
        (tmp_path / "noise.txt").write_bytes(os.urandom(300))
    report = import_paths(store, [path])
    assert report.added <= 1  # noise may decode as a text; it never crashes or corrupts
    if report.added == 0:
        assert report.problems and str(path.with_suffix("")) in report.problems[0].origin
    assert store.check(full=True) == []


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("nul.txt", b"before \x00\x00\x00 after", "NUL"),
        ("latin.jsonl", '{"text": "café"}\n'.encode("cp1252") + b"\xff\xfe\n", ""),
        ("truncated.jsonl", b'{"text": "an article", "uid": "t1", "spa', "not valid JSON"),
        ("nested.jsonl", b"[" * 100_000 + b"\n", "nested too deeply"),
        ("nested.json", b'{"a":' * 100_000, "maximum recursion depth"),
        ("quoting.csv", b'text,uid\n"unclosed quote,u1\nmore,u2\n', "malformed CSV"),
        ("empty.csv", b"", "empty"),
        ("utf16-no-bom.txt", "A text in UTF-16".encode("utf-16-le"), "binary data"),
    ],
)
def test_broken_files_are_refused_by_name(store, tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    report = import_paths(store, [path])
    if report.added:  # decodable after all (a guessed encoding): still a text, recorded as such
        assert name in ("utf16-no-bom.txt", "latin.jsonl", "nul.txt")
        return
    assert any(str(path) in p.origin for p in report.problems), report.problems
    assert reason.lower() in " ".join(p.reason for p in report.problems).lower()
    assert store.check(full=True) == []


def test_a_100_mb_file_is_refused_before_it_is_read(store, tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(100 << 20)  # sparse: 100 MB that take no time to make
    report = import_paths(store, [path])
    _one_problem_naming(report, path)
    assert "limit" in report.problems[0].reason
    _unchanged(store)


def test_a_100_mb_jsonl_line_is_refused_by_line(store, tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"uid": "ok", "text": "a fine first article"}\n')
        handle.write(b'{"text": "' + b"x" * (100 << 20) + b'"}\n')
        handle.write(b'{"uid": "ok2", "text": "the article after it"}\n')
    report = import_paths(store, [path])
    assert report.added == 2
    assert [p.origin for p in report.problems] == [f"{path}:2"]
    assert "over the 50 M characters limit" in report.problems[0].reason


def test_many_tiny_files_import_one_by_one(store, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(3000):  # the full million is a benchmark; this proves the path is flat
        (folder / f"{n:07d}.txt").write_text(f"Tiny article {n}.", encoding="utf-8")
    report = import_paths(store, [folder])
    assert (report.added, report.problems) == (3000, [])


@pytest.mark.parametrize(
    ("yaml_text", "reason"),
    [
        ("span_labels: [\n", "invalid YAML"),
        ("span_labels:\n  - name: !!python/object/apply:os.system ['true']\n", "single value"),
        ("span_labels:\n  - {name: A, key: a}\n  - {name: B, key: a}\n", "key"),
        ("span_labels:\n  - name: A\n  - name: A\n", "A"),
        ("a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
         "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nspan_labels: [*c, *c, *c, *c]\n", ""),
    ],
)  # fmt: skip
def test_hostile_schemas_are_refused_with_file_and_reason(tmp_path, yaml_text, reason):
    path = tmp_path / "schema.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert str(path) in str(caught.value) and reason in str(caught.value)


def test_a_huge_schema_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "huge.yaml"
    lines = "".join(f"  - name: label {n}\n" for n in range(80_000))
    path.write_text("span_labels:\n" + lines, encoding="utf-8")
    with pytest.raises(SchemaError, match="not a label schema"):
        load_schema(path)


def test_import_into_a_project_on_a_full_disk_keeps_what_was_saved(tmp_path):
    import subprocess

    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True
        ).returncode
        == 0
    )
    if not mounted:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        store = Store.open(disk / "p.sqlite")
        store.add_articles([ArticleDraft("Saved before the disk filled up.", "saved")])
        big = tmp_path / "big.jsonl"
        with big.open("w", encoding="utf-8") as out:
            for n in range(400):
                out.write(json.dumps({"uid": f"n{n}", "text": f"Article {n}. " * 300}) + "\n")
        with pytest.raises(ValueError, match="full"):
            import_paths(store, [big])
        assert store.article_id("saved") is not None
        store.close()
        again = Store.open(disk / "p.sqlite", read_only=True)
        assert again.article_id("saved") is not None
        again.close()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
