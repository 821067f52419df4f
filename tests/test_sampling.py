"""Double-coding samples: seeded and stratified draws, packages, and the way back by merge."""

import json
import zipfile

import pytest

from desktop_app.cli import main
from desktop_app.core.importing import import_paths
from desktop_app.core.merging import merge_path
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.sampling import (
    ARTICLES,
    LABELS,
    MANIFEST,
    PackageError,
    draw_sample,
    open_package,
    write_package,
)
from desktop_app.core.store import Store

SCHEMA = LabelSchema(
    "sampling",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Quote", "span", "#123456", "q"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
    ),
)


@pytest.fixture
def lead_path(tmp_path):
    """A project of 100 articles: 80 from AP, 20 from AFP."""
    store = Store.open(tmp_path / "lead.sqlite")
    store.apply_schema(SCHEMA)
    store.add_articles(
        [
            ArticleDraft(
                f"Story {i} 🇬🇪 about things.", f"s{i:03}", source="AP" if i < 80 else "AFP"
            )
            for i in range(100)
        ]
    )
    store.close()
    return tmp_path / "lead.sqlite"


@pytest.fixture
def project(lead_path):
    store = Store.open(lead_path)
    yield store
    store.close()


def test_same_seed_same_sample_other_seed_other_sample(project):
    first = draw_sample(project, 10, seed=3)
    assert draw_sample(project, 10, seed=3).ids == first.ids
    assert draw_sample(project, 10, seed=4).ids != first.ids
    assert len(set(first.ids)) == 10


def test_stratified_by_source_is_proportional(project):
    drawn = draw_sample(project, 10, seed=1, by="source")
    assert drawn.strata == {"AFP": 2, "AP": 8}
    sources = [project.article(i).source for i in drawn.ids]
    assert sources.count("AFP") == 2 and sources.count("AP") == 8


def test_stratified_by_tag_keeps_small_strata(project):
    for i in range(3):
        project.set_tag(project.article_id(f"s{i:03}"), "Energy", "lead", True)
    drawn = draw_sample(project, 5, seed=2, by="tag")
    assert drawn.strata == {"(no tag)": 4, "Energy": 1}


def test_package_round_trip_and_work_comes_back_by_merge(project, tmp_path):
    lead_article = project.article_id("s001")
    project.add_span(lead_article, 0, 5, "Person", "lead")  # must not travel: blind coding
    drawn = draw_sample(project, 6, seed=9)
    package = write_package(project, drawn, tmp_path / "for-bob.zip", "pilot", "bob", "lead")
    bob = Store.open(tmp_path / "bob.sqlite")
    report = import_paths(bob, [package], annotator="bob")
    assert report.added == 6 and not report.problems
    assert {label.name for label in bob.labels()} == {"Person", "Quote", "Energy"}
    assert next(label for label in bob.labels() if label.name == "Quote").color == "#123456"
    uids = sorted(project.article(i).uid for i in drawn.ids)
    assert sorted(bob.article(bob.article_id(uid)).uid for uid in uids) == uids
    first = bob.article(bob.article_id(uids[0]))
    assert first.meta["sample"] == "pilot"
    assert all(bob.spans(bob.article_id(uid)) == [] for uid in uids)
    bob.add_span(first.id, 0, 5, "Quote", "bob")
    bob.close()
    merged = merge_path(project, tmp_path / "bob.sqlite")
    assert merged.spans_added == 1 and merged.articles_added == 0
    back = project.spans(project.article_id(uids[0]), "bob")
    assert [(s.label, s.quote) for s in back] == [("Quote", "Story")]


def test_command_line_sample(lead_path, tmp_path, capsys):
    db = str(lead_path)
    out = tmp_path / "pkg.zip"
    args = ["sample", "--db", db, "--size", "4", "--by", "source", "--for", "bob", "-o", str(out)]
    assert main(args) == 0
    assert "4 articles (AFP: 1, AP: 3)" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        lines = archive.read(ARTICLES).decode("utf-8").splitlines()
    assert manifest["for"] == "bob" and manifest["seed"] == 1 and len(lines) == 4
    assert all("spans" not in json.loads(line) for line in lines)


def _zip(path, members):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_broken_and_hostile_packages_are_refused_with_a_reason(tmp_path):
    manifest = json.dumps({"marginalia_package": 1})
    labels = "name: x\nspan_labels:\n  - {name: A}\n"
    no_articles = _zip(tmp_path / "a.zip", {MANIFEST: manifest, LABELS: labels})
    with pytest.raises(PackageError, match=r"no articles\.jsonl"):
        open_package(no_articles, tmp_path)
    bomb = _zip(
        tmp_path / "bomb.zip", {MANIFEST: manifest, LABELS: labels, ARTICLES: b"\0" * (64 << 20)}
    )
    with pytest.raises(PackageError, match="too large"):
        open_package(bomb, tmp_path)
    bad_yaml = _zip(tmp_path / "y.zip", {MANIFEST: manifest, LABELS: "[", ARTICLES: ""})
    with pytest.raises(PackageError, match=r"y\.zip"):
        open_package(bad_yaml, tmp_path)
    (tmp_path / "junk.zip").write_bytes(b"PK\3\4 not really")
    with pytest.raises(PackageError, match="junk"):
        open_package(tmp_path / "junk.zip", tmp_path)
    traversal = _zip(
        tmp_path / "t.zip",
        {MANIFEST: manifest, LABELS: labels, ARTICLES: "", "../../evil.txt": "x"},
    )
    (tmp_path / "out").mkdir()
    package = open_package(traversal, tmp_path / "out")
    assert package.articles.parent == tmp_path / "out"  # only the known members, by name
    assert not (tmp_path.parent / "evil.txt").exists()


def test_importing_a_broken_package_reports_it_and_adds_nothing(tmp_path):
    store = Store.memory()
    bad = _zip(tmp_path / "bad.zip", {MANIFEST: json.dumps({"marginalia_package": 1})})
    report = import_paths(store, [bad])
    assert report.added == 0
    assert [p.origin for p in report.problems] == [str(bad)]
    store.close()


def test_every_stratum_gets_one_when_the_size_allows():
    from desktop_app.core.sampling import _allocate

    assert _allocate({"A": 98, "B": 1, "C": 1}, 3) == {"A": 1, "B": 1, "C": 1}
    import random

    rng = random.Random(0)
    for _ in range(2000):
        sizes = {k: rng.randint(1, 50) for k in "ABCDE"[: rng.randint(1, 5)]}
        size = rng.randint(len(sizes), sum(sizes.values()))
        quotas = _allocate(sizes, size)
        assert sum(quotas.values()) == size
        assert all(1 <= quotas[k] <= sizes[k] for k in sizes), (sizes, size, quotas)


def test_damaged_package_is_a_package_error(tmp_path, project):
    package = write_package(project, draw_sample(project, 3), tmp_path / "p.zip", "x", "b", "a")
    with zipfile.ZipFile(package) as archive:
        info = archive.getinfo(ARTICLES)
    data = bytearray(package.read_bytes())
    # The member's compressed bytes start after its local header (30 bytes, name, extra).
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    data[start : start + 8] = b"\xff" * 8  # a damaged deflate stream
    package.write_bytes(bytes(data))
    with pytest.raises(PackageError, match=r"p\.zip"):
        open_package(package, tmp_path)
