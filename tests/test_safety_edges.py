"""Edges of the safety net: reading beside a writer or on read-only media, U+0000 in a text,
a disk that fills mid-import, and backups that are not backups."""

import json
import os
import subprocess

import pytest

from desktop_app.cli import main as cli
from desktop_app.core.model import ArticleDraft, ArticleFilter, SpanDraft
from desktop_app.core.project import open_project
from desktop_app.core.store import Store
from desktop_app.core.store.backups import backup_folder, list_backups, newest_good
from desktop_app.paths import default_schema_path


def _coded(path):
    """Two annotators who both coded two articles, agreeing on one span and not the other."""
    store, _ = open_project(path, default_schema_path())
    store.add_articles(
        [ArticleDraft("Nino met Amélie in Tbilisi.", "a1"), ArticleDraft("Tamar in Paris.", "a2")]
    )
    for annotator in ("ana", "bo"):
        store.add_span(store.article_id("a1"), 0, 4, "Person", annotator)
        store.set_status(store.article_id("a2"), annotator, "done")
    store.add_span(store.article_id("a2"), 9, 14, "Location", "ana")
    store.close()


def _agreement(path, capsys):
    assert cli(["agreement", "--db", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_agreement_reads_beside_a_writer(tmp_path, capsys):
    path = tmp_path / "p.sqlite"
    _coded(path)
    alone = _agreement(path, capsys)
    writer = Store.open(path)  # another window has the project open for writing
    try:
        beside = _agreement(path, capsys)
    finally:
        writer.close()
    assert beside == alone
    assert beside["annotators"] == ["ana", "bo"]
    store = Store.open(path, read_only=True)
    data = store.agreement_input()
    assert {name: len(uids) for name, uids in data.coded.items()} == {"ana": 2, "bo": 2}
    store.close()


def _mount(where, size="4m"):
    where.mkdir()
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a read-only file system")
def test_agreement_and_check_on_read_only_media(tmp_path, capsys):
    media = tmp_path / "media"
    if not _mount(media):
        pytest.skip("cannot mount a tmpfs here")
    try:
        path = media / "p.sqlite"
        _coded(path)
        alone = _agreement(path, capsys)
        subprocess.run(["mount", "-o", "remount,ro", str(media)], check=True)
        assert _agreement(path, capsys) == alone
        assert cli(["check", "--db", str(path)]) == 0
        assert "ok (full check)" in capsys.readouterr().out
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)


# ----------------------------------------------------------------------- U+0000 in a text

NUL_TEXT = "a\x00b Paris"


def test_a_span_after_a_nul_in_the_text_is_kept(tmp_path, capsys):
    path = tmp_path / "p.sqlite"
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(NUL_TEXT, "nul")])
    article = store.article_id("nul")
    span = store.add_span(article, 4, 9, "Location", "ana")
    assert span.quote == "Paris" == NUL_TEXT[span.start : span.end]
    assert store.add_span(article, 0, 3, "Person", "ana").quote == "a\x00b"
    assert store.check(full=True) == []
    store.close()
    assert cli(["check", "--db", str(path)]) == 0


def test_an_imported_span_after_a_nul_is_kept_and_a_wrong_one_refused(tmp_path):
    store = Store.open(tmp_path / "p.sqlite")
    good = ArticleDraft(
        NUL_TEXT, "good", spans=(SpanDraft(4, 9, "Location", annotator="ana", quote="Paris"),)
    )
    store.add_articles([good])
    assert [s.quote for s in store.spans(store.article_id("good"))] == ["Paris"]
    store.close()


def test_the_database_still_refuses_a_wrong_quote_in_a_text_with_a_nul(tmp_path):
    import sqlite3

    store = Store.open(tmp_path / "p.sqlite")
    store.add_articles([ArticleDraft(NUL_TEXT, "nul")])
    article = store.article_id("nul")
    store.close()
    conn = sqlite3.connect(tmp_path / "p.sqlite")
    insert = (
        'INSERT INTO spans (uuid, article, annotator, label, start, "end", quote, created_at, '
        "updated_at) VALUES (?, ?, 'ana', 'Location', ?, ?, ?, 'now', 'now')"
    )
    for n, (start, end, quote) in enumerate([(4, 9, "Pariz"), (0, 4, "Paris"), (4, 30, "Paris")]):
        with pytest.raises(sqlite3.IntegrityError, match="quote does not match"):
            conn.execute(insert, (f"u{n}", article, start, end, quote))
    conn.execute(insert, ("ok", article, 4, 9, "Paris"))
    conn.commit()
    conn.close()


def test_a_project_made_before_the_fix_takes_spans_after_a_nul_once_migrated(tmp_path):
    from sqlite_utils import Database

    from desktop_app.core.migrations import MIGRATIONS, latest_version

    path = tmp_path / "old.sqlite"
    old = [name for name, _ in MIGRATIONS].index("quotes_with_nul")
    db = Database(path)
    with db.atomic():
        for number, (_, step) in enumerate(MIGRATIONS[:old], start=1):
            step(db)
            db.conn.execute(f"PRAGMA user_version = {number}")
    db.close()
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(NUL_TEXT, "nul")])
    assert store.add_span(store.article_id("nul"), 4, 9, "Location", "ana").quote == "Paris"
    store.close()
    assert [b.reason for b in list_backups(path)] == [f"before-schema-{latest_version()}"]


# ---------------------------------------------------------------- a disk full mid-import


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a small file system")
def test_a_full_disk_mid_import_says_how_much_was_saved(tmp_path, capsys):
    disk = tmp_path / "disk"
    if not _mount(disk, "2m"):
        pytest.skip("cannot mount a small tmpfs here")
    try:
        path = disk / "p.sqlite"
        store = Store.open(path)
        store.add_articles([ArticleDraft("Saved before the import.", "before")])
        store.close()
        big = tmp_path / "big.jsonl"
        with big.open("w", encoding="utf-8") as out:
            for n in range(400):
                out.write(json.dumps({"uid": f"n{n}", "text": f"Article {n}. " * 300}) + "\n")
        assert cli(["--db", str(path), "import", str(big)]) == 1
        err = capsys.readouterr().err
        store = Store.open(path, read_only=True)
        saved = store.count_articles(ArticleFilter()) - 1
        store.close()
        assert "disk is full" in err and f"after {saved:,} articles were saved" in err
        assert "the rest were not imported" in err and "big.jsonl" in err
        assert "run the same import again" in err
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


# ------------------------------------------------------- backups that are not backups


def _with_backups(tmp_path):
    path = tmp_path / "p.sqlite"
    _coded(path)
    assert cli(["backup", "--db", str(path)]) == 0
    return path, list_backups(path)[0]


def _fake_newer(good, content):
    """A file named like a newer backup: emptied by a full disk, or cut short by a crash."""
    name = good.path.name.replace(good.path.name.split(".")[1], "29991231T235959000000Z")
    fake = backup_folder(good.path.parents[1] / "p.sqlite") / name
    fake.write_bytes(content)
    return fake


@pytest.mark.parametrize(
    "content", [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 84]
)
def test_restore_skips_a_bad_newest_backup_and_takes_the_next_good_one(tmp_path, capsys, content):
    path, good = _with_backups(tmp_path)
    fake = _fake_newer(good, content)
    assert newest_good(path) == good
    capsys.readouterr()
    store = Store.open(path)
    store.add_span(store.article_id("a2"), 0, 5, "Person", "bo")  # after the backup
    store.close()
    assert cli(["restore", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"from {good.path.name}" in out and f"skipped {fake.name}" in out
    store = Store.open(path)
    assert [s.annotator for s in store.spans(store.article_id("a2"))] == ["ana"]
    store.close()


def test_backup_list_marks_a_bad_backup(tmp_path, capsys):
    path, good = _with_backups(tmp_path)
    fake = _fake_newer(good, b"")
    capsys.readouterr()
    assert cli(["backup", "--list", "--db", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    [bad] = [line for line in lines if fake.name in line]
    assert "not usable" in bad
    [fine] = [line for line in lines if good.path.name in line]
    assert "not usable" not in fine
