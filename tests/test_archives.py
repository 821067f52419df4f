"""Zip archives on import: brat and doccano exports come in zipped; hostile zips change nothing."""

import json
import stat
import zipfile

import pytest

from desktop_app.core.archives import ArchiveError, unpack
from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import Store

TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday."


def _zip(path, members):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _everything(store):
    return sorted(
        (store.article(i).uid, s.annotator, s.label, s.quote)
        for ids in store.iter_article_ids(ArticleFilter())
        for i in ids
        for s in store.spans(i)
    )


@pytest.fixture
def store():
    project = Store.memory()
    yield project
    project.close()


def test_brat_zip_imports_like_its_folder(store, tmp_path):
    tbilisi = TEXT.index("Tbilisi")
    archive = _zip(
        tmp_path / "corpus.zip",
        {
            "doc.txt": TEXT,
            "doc.ann": f"T1\tPerson 0 4;9 15\tNino Amélie\nT2\tPlace {tbilisi} {tbilisi + 7}\t"
            "Tbilisi\n",
            "news/b.txt": "Short.",
            "news/b.ann": "",
            "__MACOSX/._doc.txt": "resource fork",
            "annotation.conf": "[entities]\nPerson\nPlace\n",
        },
    )
    report = import_paths(store, [archive], annotator="brat")
    assert (report.added, report.spans_added, report.problems) == (2, 2, [])
    assert store.article_id("corpus/doc") and store.article_id("news/b")
    assert _everything(store) == [
        ("corpus/doc", "brat", "Person", "Nino met Amélie"),
        ("corpus/doc", "brat", "Place", "Tbilisi"),
    ]
    again = import_paths(store, [archive], annotator="brat")
    assert (again.added, again.spans_added, again.unchanged) == (0, 0, 2)


def test_doccano_per_user_zip_names_each_files_annotator(store, tmp_path):
    def record(label):
        return json.dumps({"text": TEXT, "label": [[0, 4, label]]}) + "\n"

    archive = _zip(
        tmp_path / "doccano.zip",
        {"alice.jsonl": record("Person"), "bob.jsonl": record("Name"), "all.jsonl": record("X")},
    )
    report = import_paths(store, [archive])
    assert report.added == 1 and report.spans_added == 3 and not report.problems
    whose = {(annotator, label) for _, annotator, label, _ in _everything(store)}
    assert whose == {("alice", "Person"), ("bob", "Name"), ("imported", "X")}


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../escape.txt", "'../escape.txt' would unpack outside its folder"),
        ("ok/../../escape.txt", "would unpack outside its folder"),
        ("/etc/escape.txt", "'/etc/escape.txt' would unpack outside its folder"),
        ("C:/escape.txt", "would unpack outside its folder"),
        ("..\\escape.txt", "would unpack outside its folder"),
    ],
)
def test_archive_members_that_leave_the_folder_refuse_the_whole_archive(
    store, tmp_path, member, reason
):
    archive = _zip(tmp_path / "evil.zip", {"good.txt": "A fine article.", member: "pwned"})
    report = import_paths(store, [archive])
    assert report.added == 0
    [problem] = report.problems
    assert problem.origin == str(archive) and reason in problem.reason
    assert not (tmp_path / "escape.txt").exists()
    assert store.article_total() == 0


def test_a_link_in_an_archive_refuses_it(store, tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("good.txt", "A fine article.")
        link = zipfile.ZipInfo("passwd.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        out.writestr(link, "/etc/passwd")
    report = import_paths(store, [archive])
    assert report.added == 0 and "'passwd.txt' is a link" in report.problems[0].reason


def test_a_decompression_bomb_stops_at_its_limit(store, tmp_path):
    archive = _zip(tmp_path / "bomb.zip", {"bomb.txt": b"0" * (8 << 20)})
    assert archive.stat().st_size < 100_000  # 8 MB of zeros inflate from a few kilobytes
    report = import_paths(store, [archive])
    assert report.added == 0 and "bomb.txt unpacks too large" in report.problems[0].reason
    # Counting what is actually inflated, not the header: a small budget stops it too.
    plain = _zip(tmp_path / "plain.zip", {"a.txt": "x" * 5000, "b.txt": "y" * 5000})
    with pytest.raises(ArchiveError, match="unpacks too large"):
        unpack(plain, tmp_path / "out", max_bytes=7000)
    with pytest.raises(ArchiveError, match="2 members, more than 1"):
        unpack(plain, tmp_path / "out2", max_members=1)


@pytest.mark.parametrize(
    "content", [b"PK\x03\x04 truncated", b"not a zip at all", b"", bytes(range(256)) * 40]
)
def test_broken_archives_are_reported_by_name(store, tmp_path, content):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(content)
    report = import_paths(store, [archive])
    assert report.added == 0
    assert report.problems[0].origin == str(archive)
    assert "not a readable zip archive" in report.problems[0].reason


def test_problems_inside_an_archive_name_the_archive_and_member(store, tmp_path):
    archive = _zip(
        tmp_path / "mixed.zip",
        {"fine.txt": "A fine article.", "bad.ann": "T1\tX 0 1\tA\n", "bad.jsonl": "{oops\n"},
    )
    report = import_paths(store, [archive])
    assert report.added == 1
    origins = sorted(p.origin.split(":")[0] for p in report.problems)
    assert origins == [f"{archive}!bad.ann", f"{archive}!bad.jsonl"]


def test_each_archive_keeps_its_own_name_in_reports(store, tmp_path):
    archives = [tmp_path / "garbage.zip"]
    archives[0].write_bytes(b"not a zip")
    for n in range(11):  # enough that a folder "1" and "10" would both exist
        archives.append(_zip(tmp_path / f"z{n}.zip", {f"f{n}.ann": "T1\tX 0 1\tA\n"}))
    report = import_paths(store, archives)
    origins = sorted(p.origin.split(":")[0] for p in report.problems)
    expected = [str(archives[0])] + [f"{tmp_path / f'z{n}.zip'}!f{n}.ann" for n in range(11)]
    assert origins == sorted(expected)


def test_unpacked_texts_remember_the_archive_not_a_temporary_folder(store, tmp_path):
    archive = _zip(tmp_path / "feed.zip", {"news/a.txt": "An article about energy."})
    assert import_paths(store, [archive]).added == 1
    article = store.article(store.article_id("news/a"))
    # Relative, as issue 14 asks: the archive's name, not the analyst's absolute path.
    assert article.meta["path"] == f"{archive.name}!news/a.txt"


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"a.txt": "file", "a.txt/b.txt": "inside"}, "is both a file and a folder"),
        ({"A.txt": "one", "a.txt": "two"}, "two members are named 'a.txt'"),
        ({"notes.pdf": "x", ".hidden.txt": "y"}, "no importable files in the archive"),
        ({}, "no importable files in the archive"),
    ],
)
def test_archives_that_cannot_unpack_cleanly_say_why(store, tmp_path, members, reason):
    report = import_paths(store, [_zip(tmp_path / "odd.zip", members)])
    assert report.added == 0
    [problem] = report.problems
    assert problem.origin == str(tmp_path / "odd.zip") and reason in problem.reason
    assert str(tmp_path / "odd.zip") not in problem.reason  # named once, as the origin


def test_a_name_flagged_utf8_that_is_not_is_a_problem_not_a_crash(store, tmp_path):
    archive = _zip(tmp_path / "bad-name.zip", {"é.txt": "Some text."})
    raw = archive.read_bytes().replace("é".encode(), b"\xff\xfe")
    archive.write_bytes(raw)
    good = _zip(tmp_path / "good.zip", {"fine.txt": "A fine article."})
    report = import_paths(store, [archive, good])  # a bad archive, then a good one
    assert report.added == 1
    assert report.problems[0].origin == str(archive)
    assert "not a readable zip archive" in report.problems[0].reason


def test_many_small_members_cannot_inflate_past_the_archive_budget(store, tmp_path):
    members = {f"z{n}.txt": b"0" * ((1 << 20) - 1) for n in range(100)}  # 100 MB of zeros
    archive = _zip(tmp_path / "spread.zip", members)
    report = import_paths(store, [archive])
    assert report.added == 0 and "unpacks too large" in report.problems[0].reason


def test_only_a_zip_of_several_user_files_names_annotators_and_never_over_a_choice(store, tmp_path):
    record = json.dumps({"text": TEXT, "label": [[0, 4, "Person"]]}) + "\n"
    single = _zip(tmp_path / "dataset.zip", {"dataset.jsonl": record})
    import_paths(store, [single])
    users = _zip(tmp_path / "users.zip", {"alice.jsonl": record, "bob.jsonl": record})
    import_paths(store, [users], annotator="carol", per_user_files=False)
    assert {annotator for _, annotator, _, _ in _everything(store)} == {"imported", "carol"}


def test_annotation_rows_before_their_articles_in_one_archive(store, tmp_path):
    rows = "kind,article_uid,label,start,end,quote,annotator\nspan,x1,Person,0,4,Nino,ana\n"
    archive = _zip(
        tmp_path / "set.zip",
        {"annotations.csv": rows, "articles.jsonl": json.dumps({"uid": "x1", "text": TEXT})},
    )
    report = import_paths(store, [archive])
    assert (report.added, report.spans_added, report.problems) == (1, 1, [])
