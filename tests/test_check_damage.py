"""`marginalia check` finds damage that SQLite's own check passes, and --repair mends it."""

import sqlite3

import pytest

from desktop_app.cli import main as cli
from desktop_app.core.model import ArticleDraft, ArticleFilter
from desktop_app.core.project import open_project
from desktop_app.core.store import Store
from desktop_app.core.store.backups import check_file, list_backups
from desktop_app.paths import default_schema_path

TEXTS = {
    "a1": "Nino met Amélie in Tbilisi.",
    "a2": "Tamar flew from Paris to Kutaisi.",
    "a3": "Giorgi wrote from Batumi.",
}


def _project(path):
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(text, uid) for uid, text in TEXTS.items()])
    for annotator in ("ana", "bo"):
        store.add_span(store.article_id("a1"), 0, 4, "Person", annotator)
        store.add_span(store.article_id("a2"), 16, 21, "Location", annotator)
        store.set_status(store.article_id("a2"), annotator, "done")
    store.close()


def _damage(path, sql):
    """Change the file behind the app's back, as another tool or a bad merge by hand would."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.executescript(sql)
    conn.commit()
    conn.close()


DAMAGE = {
    "emptied search index": (
        "INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')",
        "search index",
    ),
    "orphaned spans": ("DELETE FROM articles WHERE uid = 'a2'", "refer to articles that are"),
    "label counts": ("UPDATE article_labels SET n = n + 2", "label counts"),
    "annotator counts": (
        "DELETE FROM article_annotators WHERE annotator = 'bo'",
        "annotator counts",
    ),
    "span counts the list sorts by": (
        "UPDATE article_counts SET spans = spans + 3",
        "span and tag counts",
    ),
}


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path)
    return path


@pytest.mark.parametrize("kind", DAMAGE)
def test_check_names_each_kind_of_damage_and_repair_mends_it(project, capsys, kind):
    sql, named = DAMAGE[kind]
    assert cli(["check", "--db", str(project)]) == 0
    assert "ok (full check)" in capsys.readouterr().out
    _damage(project, sql)
    assert cli(["check", "--db", str(project)]) == 1
    out = capsys.readouterr().out
    assert named in out and "ok (full check)" not in out
    assert "marginalia check --repair" in out
    assert check_file(project, full=True) != []  # the restore path's check sees it too
    assert cli(["check", "--repair", "--db", str(project)]) == 0
    assert "repaired" in capsys.readouterr().out
    assert cli(["check", "--db", str(project)]) == 0
    assert "ok (full check)" in capsys.readouterr().out


def test_after_repair_search_and_filters_are_right_again(project):
    _damage(project, DAMAGE["emptied search index"][0] + ";" + DAMAGE["label counts"][0])
    store = Store.open(project)
    assert store.count_articles(ArticleFilter(search="Paris")) == 0  # what the analyst saw
    store.close()
    assert cli(["check", "--repair", "--db", str(project)]) == 0
    store = Store.open(project)
    assert store.count_articles(ArticleFilter(search="Paris")) == 1
    assert store.count_articles(ArticleFilter(label="Location")) == 1
    assert store.check(full=True) == []
    store.close()


def test_orphans_are_removed_after_a_backup_that_keeps_them(project, capsys):
    _damage(project, DAMAGE["orphaned spans"][0])
    assert cli(["check", "--repair", "--db", str(project)]) == 0
    out = capsys.readouterr().out
    assert "removed 4 rows" in out and "before-repair" in out
    [kept] = [b for b in list_backups(project) if b.reason == "before-repair"]
    orphans = sqlite3.connect(kept.path).execute("SELECT count(*) FROM spans").fetchone()[0]
    assert orphans == 4  # the backup still has every span, orphans included
    store = Store.open(project)
    assert len(store.spans(store.article_id("a1"))) == 2
    assert store.count_articles(ArticleFilter(annotator="bo")) == 1
    store.close()


def test_a_sound_project_is_not_changed_by_repair(project, capsys):
    before = project.read_bytes()
    assert cli(["check", "--repair", "--db", str(project)]) == 0
    assert "nothing to repair" in capsys.readouterr().out
    assert list_backups(project) == []
    assert project.read_bytes() == before


def test_the_full_check_beside_a_writer_still_checks_the_search_index(project, capsys):
    _damage(project, DAMAGE["emptied search index"][0])
    writer = Store.open(project)  # another window holds the writer's lock
    try:
        assert cli(["check", "--db", str(project)]) == 1
        out = capsys.readouterr().out
        assert "search index" in out
        assert cli(["check", "--repair", "--db", str(project)]) != 0
        assert "open in another Marginalia" in capsys.readouterr().err
    finally:
        writer.close()


def test_the_exact_search_index_check_catches_what_counting_does_not(project, capsys):
    # Every article is still in the index, but one's words are not: only FTS5's own
    # comparison with the articles finds that.
    _damage(
        project,
        "INSERT INTO articles_fts (articles_fts, rowid, title, text) SELECT 'delete', id, "
        "title, text FROM articles WHERE uid = 'a3';"
        "INSERT INTO articles_fts (rowid, title, text) SELECT id, title, 'nothing here' "
        "FROM articles WHERE uid = 'a3'",
    )
    assert cli(["check", "--db", str(project)]) == 1
    assert "search index" in capsys.readouterr().out
    writer = Store.open(project)
    try:  # read-only, beside the writer: checked on a private copy
        assert cli(["check", "--db", str(project)]) == 1
        assert "search index" in capsys.readouterr().out
    finally:
        writer.close()


def test_restoring_a_backup_with_a_stale_index_rebuilds_it(project, capsys):
    assert cli(["backup", "--db", str(project)]) == 0
    [backup] = list_backups(project)
    _damage(backup.path, DAMAGE["emptied search index"][0] + ";" + DAMAGE["label counts"][0])
    assert cli(["restore", "--db", str(project), backup.path.name]) == 0
    store = Store.open(project)
    assert store.check(full=True) == []
    assert store.count_articles(ArticleFilter(search="Paris")) == 1
    store.close()


def test_a_backup_with_orphans_is_not_restored(project, capsys):
    assert cli(["backup", "--db", str(project)]) == 0
    [backup] = list_backups(project)
    _damage(backup.path, DAMAGE["orphaned spans"][0])
    assert cli(["restore", "--db", str(project), backup.path.name]) == 1
    assert "refer to articles that are" in capsys.readouterr().err
