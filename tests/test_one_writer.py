"""One writer per project: a second opener reads or is refused, never writes alongside."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.cli import main as cli
from desktop_app.core.location import location_warning
from desktop_app.core.model import ArticleDraft, ArticleFilter
from desktop_app.core.project import open_project
from desktop_app.core.store import ProjectLocked, ReadOnlyProject, Store, StoreError
from desktop_app.paths import default_schema_path

ROOT = Path(__file__).resolve().parents[1]


def _project(path):
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft("Nino met Amélie in Tbilisi.", "a1")])
    store.close()


@pytest.fixture
def held(tmp_path):
    """The project open for writing in another process, which then just waits."""
    path = tmp_path / "p.sqlite"
    _project(path)
    code = textwrap.dedent(
        f"""
        import sys, time
        from desktop_app.core.store import Store
        store = Store.open({str(path)!r})
        print("ready", flush=True)
        time.sleep(120)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=ROOT, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    yield path, process
    process.kill()
    process.wait()


def test_a_second_writer_is_refused_and_a_reader_gets_a_snapshot(held, capsys):
    path, _ = held
    with pytest.raises(ProjectLocked, match="open in another Marginalia window or command"):
        Store.open(path)
    store, _ = open_project(path, default_schema_path(), read_only_fallback=True)
    assert store.read_only.startswith("opened read-only")
    assert store.count_articles(ArticleFilter()) == 1
    with pytest.raises(StoreError, match="not saved: opened read-only"):
        store.add_span(store.article_id("a1"), 0, 4, "Person", "ana")
    store.close()
    # The command line: reading commands read, writing commands are refused.
    # Reading commands always read without the lock now (issue 11), so they need not say so.
    assert cli(["--db", str(path), "stats"]) == 0
    capsys.readouterr()
    assert cli(["--db", str(path), "import", str(path)]) != 0
    assert "open in another Marginalia" in capsys.readouterr().err


def test_a_killed_writer_leaves_no_lock_behind(held):
    path, process = held
    process.send_signal(signal.SIGKILL)
    process.wait()
    store = Store.open(path)  # the OS dropped the lock with the process
    store.add_span(store.article_id("a1"), 0, 4, "Person", "ana")
    store.close()


def test_read_only_store_in_the_window_refuses_edits_with_the_reason(held, qtbot, show_window):
    from PySide6.QtCore import Qt

    path, _ = held
    store, _ = open_project(path, default_schema_path(), read_only_fallback=True)
    window = show_window(store, "ana")
    assert window.windowTitle().endswith("(read-only)")
    cursor = window.view.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(4, cursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    assert "Not saved" in window.statusBar().currentMessage()
    assert "read-only" in window.statusBar().currentMessage()
    assert store.spans(store.article_id("a1")) == []
    window.start_import([str(path)])
    assert window.statusBar().currentMessage().startswith("Not imported: opened read-only")
    window.set_annotator("bo")  # reading as someone else records nothing, and works
    window.start_review()  # review colours are chosen for the view, not saved
    assert window.review_dock.isVisible()
    window.close()
    store.close()


def _mount_tmpfs(where: Path) -> bool:
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a read-only file system")
def test_a_project_on_read_only_media_opens_read_only(tmp_path):
    media = tmp_path / "media"
    if not _mount_tmpfs(media):
        pytest.skip("cannot mount a tmpfs here")
    try:
        path = media / "p.sqlite"
        _project(path)
        subprocess.run(["mount", "-o", "remount,ro", str(media)], check=True)
        with pytest.raises(ReadOnlyProject, match="cannot write beside the project"):
            Store.open(path)
        store, _ = open_project(path, default_schema_path(), read_only_fallback=True)
        assert store.count_articles(ArticleFilter()) == 1
        store.close()
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)


def test_network_shares_and_synced_folders_are_named(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/vda / ext4 rw 0 0\nserver:/export /mnt/team nfs4 rw 0 0\n"
        "//nas/share /mnt/nas\\040drive cifs rw 0 0\n",
        encoding="utf-8",
    )
    assert "network file system (nfs4)" in location_warning(Path("/mnt/team/p.sqlite"), mounts)
    assert "(cifs)" in location_warning(Path("/mnt/nas drive/x/p.sqlite"), mounts)
    assert location_warning(Path("/mnt/teamwork/p.sqlite"), mounts) == ""
    home = tmp_path / "home"
    for folder in ("Dropbox (Personal)", "OneDrive - Contoso", "Nextcloud"):
        warning = location_warning(home / folder / "projects" / "p.sqlite", mounts)
        assert f"synced folder ({folder})" in warning
    assert location_warning(home / "Dropboxes" / "p.sqlite", mounts) == ""


def test_a_project_deleted_while_open_is_written_back_with_everything_saved(tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path)
    store = Store.open(path)
    store.add_span(store.article_id("a1"), 0, 4, "Person", "ana")
    path.unlink()  # a clean-up script, a sync client, a mistaken rm
    assert store.file_gone() == "deleted"
    store.add_span(store.article_id("a1"), 9, 15, "Person", "ana")  # saved, in the lost file
    assert store.write_back() == path
    with pytest.raises(StoreError, match="was deleted while open; everything saved was written"):
        store.add_span(store.article_id("a1"), 19, 26, "Person", "ana")
    store.close()
    back = Store.open(path)
    assert len(back.spans(back.article_id("a1"))) == 2 and back.check(full=True) == []
    back.close()


def test_closing_a_project_whose_file_was_replaced_keeps_both(tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path)
    store = Store.open(path)
    store.add_span(store.article_id("a1"), 0, 4, "Person", "ana")
    path.unlink()
    path.write_bytes(b"someone else's file")
    store.close()  # writes what it holds beside it instead of losing it
    assert path.read_bytes() == b"someone else's file"
    [recovered] = tmp_path.glob("p.recovered-*.sqlite")
    again = Store.open(recovered)
    assert len(again.spans(again.article_id("a1"))) == 1
    again.close()


def test_a_symlink_to_the_project_is_the_same_project(tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path)
    (tmp_path / "sub").mkdir()
    link = tmp_path / "sub" / "link.sqlite"
    link.symlink_to(path)
    store = Store.open(path)
    with pytest.raises(ProjectLocked):
        Store.open(link)
    store.close()


def test_write_back_over_a_replaced_file_leaves_the_new_file_sound(tmp_path):
    import sqlite3

    path = tmp_path / "p.sqlite"
    _project(path)
    store = Store.open(path)
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.add_span(store.article_id("a1"), 0, 4, "Person", "ana")  # in the WAL only
    other = tmp_path / "other.sqlite"
    _project(other)
    os.replace(other, path)  # someone puts another project in its place
    saved = store.write_back()
    assert saved != path and not Path(f"{path}-wal").exists()
    with pytest.raises(StoreError, match="not restored"):
        store.restore(saved)  # never into the lost file
    store.close()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = Store.open(saved, read_only=True)
    assert len(again.spans(again.article_id("a1"))) == 1
    again.close()
