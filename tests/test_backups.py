"""Backups, integrity checks and restoring: a damaged project is never written to."""

from datetime import UTC, datetime, timedelta

import pytest

from desktop_app.cli import main as cli
from desktop_app.core.model import ArticleDraft, ArticleFilter
from desktop_app.core.project import open_project
from desktop_app.core.store import Store
from desktop_app.core.store.backups import (
    KEEP_DAYS,
    KEEP_RECENT,
    check_file,
    list_backups,
    take_backup,
)
from desktop_app.paths import default_schema_path

TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday."


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "p.sqlite"
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(f"{TEXT} Article {n}.", f"a{n}") for n in range(300)])
    store.add_span(store.article_id("a1"), 0, 4, "Person", "ana")
    store.close()
    return path


def _uids(path):
    store = Store.open(path, read_only=True)
    try:
        return sorted(
            store.article(i).uid for ids in store.iter_article_ids(ArticleFilter()) for i in ids
        )
    finally:
        store.close()


def test_backups_rotate_keeping_the_newest_and_one_a_day(project):
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    times = [start + timedelta(hours=5 * n) for n in range(40)]  # 8 days, every 5 hours
    for when in times:
        take_backup(project, "periodic", now=when)
    now, newest_first = times[-1], times[::-1]
    expected = set(newest_first[:KEEP_RECENT])
    for when in newest_first:  # the newest of each day of the last KEEP_DAYS days
        if now - when < timedelta(days=KEEP_DAYS) and when.date() not in {
            kept.date() for kept in expected
        }:
            expected.add(when)
    kept = list_backups(project)
    assert {b.taken for b in kept} == expected
    assert len(expected) > KEEP_RECENT and min(expected) > start  # older days are gone
    assert all(not check_file(b.path) for b in kept)  # each was checked before it counted
    assert not list(project.with_name(project.name + ".backups").glob("*.partial"))


def test_a_failed_backup_leaves_the_older_ones(project, monkeypatch):
    take_backup(project, "manual")
    from desktop_app.core.store import backups

    monkeypatch.setattr(backups, "check_file", lambda path, full=False: ["page 3: bad"])
    with pytest.raises(backups.BackupError, match="the copy did not check out"):
        take_backup(project, "manual")
    assert len(list_backups(project)) == 1


def test_restore_into_the_open_project_keeps_what_it_replaced(project):
    store = Store.open(project)
    backup = store.backup("manual")
    store.add_articles([ArticleDraft("Written after the backup.", "late")])
    kept = store.restore(backup)
    assert store.article_id("late") is None and store.article_id("a1") is not None
    assert store.count_articles(ArticleFilter(search="Tbilisi")) == 300  # search index too
    store.add_articles([ArticleDraft("Written after the restore.", "after")])
    store.close()
    assert "after" in _uids(project) and "late" not in _uids(project)
    assert "late" in _uids(kept)  # nothing is lost: the replaced content is a backup


def test_damaged_project_is_found_refused_for_writing_and_restored(
    project, tmp_path, capsys, damage_pages
):
    db = ["--db", str(project)]
    assert cli([*db, "backup"]) == 0
    assert "backed up to" in capsys.readouterr().out
    before = _uids(project)
    damage_pages(project)
    assert cli([*db, "check"]) == 1
    out = capsys.readouterr().out
    assert "The newest good backup is p." in out and "marginalia restore" in out
    note = tmp_path / "new.txt"
    note.write_text("A new article.", encoding="utf-8")
    assert cli([*db, "import", str(note)]) == 1
    assert "is damaged" in capsys.readouterr().err
    assert cli([*db, "restore"]) == 0
    assert "restored" in capsys.readouterr().out
    assert cli([*db, "check"]) == 0
    assert _uids(project) == before
    assert cli([*db, "backup", "--list"]) == 0
    assert "manual" in capsys.readouterr().out


def test_a_project_that_cannot_even_open_is_replaced_and_kept(project, capsys):
    assert cli(["--db", str(project), "backup"]) == 0
    before = _uids(project)
    project.write_bytes(b"this is not SQLite at all" * 100)
    assert cli(["--db", str(project), "restore"]) == 0
    assert "the damaged file is kept in" in capsys.readouterr().out
    assert _uids(project) == before
    damaged = list(project.with_name(project.name + ".backups").glob("p.sqlite.damaged-*"))
    assert damaged and damaged[0].read_bytes().startswith(b"this is not SQLite")


def test_restore_of_a_bad_backup_is_refused_and_changes_nothing(project, capsys, damage_pages):
    store = Store.open(project)
    backup = store.backup("manual")
    store.close()
    damage_pages(backup)
    before = _uids(project)
    assert cli(["--db", str(project), "restore", str(backup)]) == 1
    assert "does not check out" in capsys.readouterr().err
    assert _uids(project) == before


def test_changes_trigger_a_backup_only_when_there_are_changes(project):
    store = Store.open(project)
    assert store.backup_if_changed("periodic") is None  # nothing changed since opening
    store.add_span(store.article_id("a2"), 0, 4, "Person", "ana")
    assert store.backup_if_changed("periodic") is not None
    assert store.backup_if_changed("periodic") is None
    store.close()


def test_loading_another_schema_backs_up_first(project):
    from desktop_app.core.model import Label, LabelSchema

    store = Store.open(project)
    store.apply_schema(LabelSchema("other", (Label("Person"), Label("Actor"))))
    store.close()
    assert [b.reason for b in list_backups(project)] == ["schema-change"]


def test_a_backup_killed_half_way_leaves_nothing_behind_the_next_one(project):
    folder = project.with_name(project.name + ".backups")
    folder.mkdir()
    for name in ("p.20261101T000000000000Z.merge.sqlite.partial", "x.sqlite.partial-journal"):
        (folder / name).write_bytes(b"half a copy")  # as a SIGKILL mid-backup leaves them
    take_backup(project, "manual")
    assert [path.name for path in folder.iterdir() if "partial" in path.name] == []


def test_restoring_the_oldest_of_many_backups_keeps_it_until_it_is_restored(project):
    store = Store.open(project)
    oldest = store.backup("manual")
    for n in range(9):  # ten in all: the before-restore backup would push the oldest out
        store.add_articles([ArticleDraft(f"Later article {n}.", f"late{n}")])
        store.backup("manual")
    store.restore(oldest)
    assert store.article_id("late0") is None and store.article_id("a1") is not None
    store.close()


def test_restore_refuses_what_is_not_a_project_of_this_version(project, tmp_path, capsys):
    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE things (x)").connection.commit()
    newer = tmp_path / "newer.sqlite"
    store = Store.open(project)
    backup = store.backup("manual")
    store.close()
    newer.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = _uids(project)
    assert cli(["--db", str(project), "restore", str(other)]) == 1
    assert "not a Marginalia project" in capsys.readouterr().err
    assert cli(["--db", str(project), "restore", str(newer)]) == 1
    assert "made by a newer Marginalia (schema 99" in capsys.readouterr().err
    assert _uids(project) == before


def test_a_deleted_project_is_restored_from_its_backup(project, capsys):
    assert cli(["--db", str(project), "backup"]) == 0
    before = _uids(project)
    project.unlink()
    assert cli(["--db", str(project), "restore"]) == 0
    assert _uids(project) == before
