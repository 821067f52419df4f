"""Start-up: the composition root, the default project with samples, no-display handling."""

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QMimeData, QPoint, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop_app import app, paths
from desktop_app.core.project import open_project
from desktop_app.ui.main_window import MainWindow


def test_default_project_gets_samples_once(tmp_path):
    store, report = open_project(
        tmp_path / "d.sqlite", paths.default_schema_path(), paths.samples_dir()
    )
    assert report is not None and report.added == len(list(paths.samples_dir().glob("*.txt")))
    assert report.problems == []
    assert store.labels()  # the default schema came with it
    store.close()
    store, report = open_project(
        tmp_path / "d.sqlite", paths.default_schema_path(), paths.samples_dir()
    )
    assert report is None and store.article_total() >= 12
    store.close()


def test_samples_are_original_unicode_feed_articles():
    texts = [p.read_text(encoding="utf-8") for p in sorted(paths.samples_dir().glob("*.txt"))]
    assert len(texts) >= 12
    assert all(t.startswith(" date 20") and "\r" not in t for t in texts)
    joined = "".join(texts)
    for needle in ("🇬🇪", "👍🏽", "👩\u200d🔬", "e\u0301"):
        assert needle in joined


def test_no_display_explains_xvfb(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert app.main(tmp_path / "p.sqlite") == 1
    err = capsys.readouterr().err
    assert "no display" in err and "xvfb-run" in err
    assert not (tmp_path / "p.sqlite").exists()


LOOK_THEN_QUIT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop_app import app
from desktop_app.ui.main_window import MainWindow

qt = QApplication(sys.argv)
app.settings_path = lambda: app.Path(sys.argv[2])

def look_then_quit():
    window = next(w for w in qt.topLevelWidgets() if isinstance(w, MainWindow))
    print("rows", window.table_model.rowCount(), "title", window.windowTitle())
    window.close()
    qt.quit()

QTimer.singleShot(500, look_then_quit)
sys.exit(app.main(app.Path(sys.argv[1]), seed_samples=True))
"""


def test_main_opens_the_window_on_the_project(tmp_path):
    # In a process of its own: app.main runs (and ends) the Qt event loop.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            LOOK_THEN_QUIT,
            str(tmp_path / "fresh.sqlite"),
            str(tmp_path / "s.ini"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    words = done.stdout.split()
    assert int(words[1]) >= 12 and "fresh.sqlite" in done.stdout


@pytest.fixture
def empty_window(qtbot, tmp_path):
    """A window on a new, empty project (no samples)."""
    store, _ = open_project(tmp_path / "p.sqlite", paths.default_schema_path())
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(store, settings, "ana")
    qtbot.addWidget(window)
    yield window, store
    store.close()


def test_dropping_files_imports_them(qtbot, tmp_path, empty_window):
    window, _ = empty_window
    dropped = tmp_path / "dropped.txt"
    dropped.write_text("Dropped headline\n\nDropped body.", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)  # at once: the import waits for the opening check, then runs
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=20000)
    assert window.last_import.added == 1
    assert window.table_model.row_at(0).title == "Dropped headline"


def test_cancelled_import_keeps_whole_batches_and_resumes(qtbot, tmp_path, empty_window):
    window, store = empty_window
    qtbot.waitUntil(lambda: not store.read_only)  # the opening check is done
    big = tmp_path / "big.jsonl"
    big.write_text(
        "".join(f'{{"id": "r{i}", "text": "record {i} ✓"}}\n' for i in range(5000)),
        encoding="utf-8",
    )
    window.start_import([big])
    window.cancel_import()
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=30000)
    first = window.last_import
    assert first.cancelled and first.added < 5000
    assert store.article_total() == first.added  # nothing half-written
    window.last_import = None
    window.start_import([big])
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=30000)
    assert store.article_total() == 5000
    assert window.last_import.added == 5000 - first.added


def test_python_main_py_shows_help(tmp_path):
    done = subprocess.run(
        [sys.executable, "main.py", "--help"],
        cwd=paths.resources_dir().parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "import" in done.stdout and "export" in done.stdout
