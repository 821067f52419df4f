"""Property tests: every importer, fed generated input, never crashes and never corrupts.

Each example is written to a file of the format's type and imported into a real project
file; the import must return a report (problems, not exceptions), and the project must then
pass the full check (SQLite's integrity check, every span's quote equal to its text, the
search index in step) and still hold the article it held before.
"""

import json
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleDraft
from desktop_app.core.store import Store

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10_000) | st.floats() | WORDS,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "text",
                    "uid",
                    "label",
                    "spans",
                    "entities",
                    "start",
                    "end",
                    "start_offset",
                    "end_offset",
                    "tags",
                    "status",
                    "quote",
                    "annotations",
                    "result",
                    "value",
                    "data",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)


def _imports_safely(name: str, content: bytes, extra: dict[str, bytes] | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        store = Store.open(root / "p.sqlite")
        try:
            store.add_articles([ArticleDraft("Held before the import.", "before")])
            (root / name).write_bytes(content)
            for other, data in (extra or {}).items():
                (root / other).write_bytes(data)
            report = import_paths(store, [root / name])
            assert report.added >= 0 and all(p.reason for p in report.problems)
            assert store.check(full=True) == []
            assert store.article_id("before") is not None
        finally:
            store.close()


@SETTINGS
@given(
    st.binary(max_size=2000),
    st.sampled_from(["txt", "jsonl", "csv", "json", "conll", "qdpx", "zip"]),
)
def test_any_bytes_in_any_format(content, suffix):
    _imports_safely(f"input.{suffix}", content)


@SETTINGS
@given(st.lists(JSON, max_size=6))
def test_jsonl_records_of_any_shape(records):
    lines = [json.dumps(record, allow_nan=True) for record in records]
    _imports_safely("input.jsonl", "\n".join(lines).encode("utf-8"))


@SETTINGS
@given(
    st.text(min_size=1, max_size=300),
    st.lists(
        st.tuples(
            st.sampled_from(["T", "#", "R", "A", "E", "*"]),
            st.integers(-3, 400),
            st.integers(-3, 400),
            WORDS,
            st.booleans(),
        ),
        max_size=8,
    ),
)
def test_brat_annotations_of_any_offsets(text, lines):
    ann = []
    for number, (kind, start, end, words, split) in enumerate(lines, start=1):
        bounds = f"{start} {end};{end + 2} {end + 5}" if split else f"{start} {end}"
        ann.append(f"{kind}{number}\tLabel {bounds}\t{words}")
    extra = {"input.txt": text.encode("utf-8")}
    _imports_safely("input.ann", "\n".join(ann).encode("utf-8"), extra)


@SETTINGS
@given(
    st.lists(st.lists(WORDS, min_size=1, max_size=5), min_size=1, max_size=8),
    st.sampled_from([",", ";", "\t"]),
)
def test_csv_rows_of_any_quoting(rows, delimiter):
    header = delimiter.join(["text", "uid", "kind", "article_uid", "label", "start", "end"])
    body = "\n".join(delimiter.join(row) for row in rows)
    _imports_safely("input.csv", f"{header}\n{body}\n".encode())


@SETTINGS
@given(
    st.lists(
        st.tuples(
            WORDS,
            st.sampled_from(
                ["O", "B-PER", "I-PER", "E-LOC", "S-X", "U-Y", "L-Z", "I-", "B", "-DOCSTART-"]
            ),
        ),
        max_size=30,
    )
)
def test_conll_tokens_and_tags_of_any_order(tokens):
    lines = [f"{token.split()[0] if token.split() else '_'}\t{tag}" for token, tag in tokens]
    _imports_safely("input.conll", "\n".join(lines).encode("utf-8"))


@SETTINGS
@given(JSON)
def test_label_studio_exports_of_any_shape(document):
    _imports_safely("input.json", json.dumps(document).encode("utf-8"))


@SETTINGS
@given(st.dictionaries(st.text(min_size=1, max_size=30), st.binary(max_size=300), max_size=5))
def test_zip_archives_of_any_members(members):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                try:
                    archive.writestr(name, data)
                except (ValueError, UnicodeEncodeError, IndexError):
                    continue  # a name zipfile itself will not write
        content = path.read_bytes()
    _imports_safely("input.zip", content)
