"""File > New, Open, Open recent, Save a copy, Close: driven through the real actions, with
the dialogs answered, each project checked on disk afterwards."""

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from desktop_app import app, cli
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.project import open_project
from desktop_app.core.store import Store
from desktop_app.core.store.backups import check_file
from desktop_app.paths import default_schema_path
from desktop_app.ui.opening_check import CHECKING
from desktop_app.ui.project_actions import DEFAULT_LABELS, OTHER_LABELS
from desktop_app.ui.recent_projects import KEEP, RecentProjects


def _project(path, *uids):
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(f"Article {uid} on energy.", uid, title=uid) for uid in uids])
    return store


def _settled(qtbot, window):
    qtbot.waitUntil(lambda: not window.context.is_open or window.store.read_only != CHECKING)


def _writable(path):
    """A writer can open the project now: nobody holds its lock."""
    Store.open(path).close()
    return True


def _answer_save(monkeypatch, path):
    seen = []

    def answer(parent, caption, start, filters):
        seen.append(start)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return seen


def _answer_open(monkeypatch, path):
    seen = []

    def answer(parent, caption, start, filters):
        seen.append(start)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer)
    return seen


def test_new_project_starts_with_the_default_labels(qtbot, desk, tmp_path, monkeypatch):
    old = tmp_path / "old.sqlite"
    _project(old, "o1").close()
    window = desk(old)
    new = tmp_path / "studies" / "Elections 2026"  # no suffix: .sqlite is added
    new.parent.mkdir()
    _answer_save(monkeypatch, new)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (DEFAULT_LABELS, True))
    window.projects.new_action.trigger()
    _settled(qtbot, window)

    created = new.with_suffix(".sqlite")
    assert window.store.path == created and created.is_file()
    default = [label.name for label in open_project_labels(default_schema_path())]
    assert [label.name for label in window.store.labels()] == default
    assert _writable(old)  # the project left behind is let go
    assert window.windowTitle() == "Marginalia — Elections 2026.sqlite"
    assert window.projects.path_label.toolTip() == str(created.resolve())
    assert window.context.path == created
    assert window.welcome.panel.isVisible() and not window.view.isVisible()
    assert window.count.label.text() == "0 articles"


def open_project_labels(schema_path):
    from desktop_app.core.schema import load_schema

    return load_schema(schema_path).labels


def test_new_project_with_another_projects_labels(qtbot, desk, tmp_path, monkeypatch):
    other = tmp_path / "other.sqlite"
    store, _ = open_project(other, default_schema_path())
    own = (
        Label("Ministry", "span", "#a0c4ff", "m"),
        Label("Protest", "document", "#ffadad", ""),
    )
    store.apply_schema(LabelSchema("Our own", own))
    store.close()
    window = desk(other)
    new = tmp_path / "second.sqlite"
    _answer_save(monkeypatch, new)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (OTHER_LABELS, True))
    _answer_open(monkeypatch, other)  # its labels are read while it is open here
    window.projects.new_action.trigger()
    _settled(qtbot, window)
    assert window.store.path == new
    assert [(lb.name, lb.kind, lb.color) for lb in window.store.labels()] == [
        ("Ministry", "span", "#a0c4ff"),
        ("Protest", "document", "#ffadad"),
    ]
    assert window.store.setting("schema_name") == "Our own"
    assert window.label_palette.buttons.keys() == {"Ministry"}


def test_new_project_never_writes_over_a_file(qtbot, desk, tmp_path, monkeypatch):
    current = tmp_path / "current.sqlite"
    _project(current, "c1").close()
    window = desk(current)
    taken = tmp_path / "notes.sqlite"
    taken.write_bytes(b"my notes")
    _answer_save(monkeypatch, taken)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: pytest.fail("not asked"))
    window.projects.new_action.trigger()
    assert taken.read_bytes() == b"my notes"
    assert window.store.path == current  # the open project stays
    assert "already exists" in window.projects.notice.text()
    assert str(taken) in window.projects.notice.text()


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"Just some text, not a database.\n", "not an SQLite database"),
        (None, "an SQLite database, but not a Marginalia project"),
    ],
)
def test_open_refuses_a_file_that_is_no_project_and_leaves_it(
    qtbot, desk, tmp_path, monkeypatch, content, reason
):
    import sqlite3

    current = tmp_path / "current.sqlite"
    _project(current, "c1").close()
    window = desk(current)
    foreign = tmp_path / "foreign.db"
    if content is None:
        conn = sqlite3.connect(foreign)
        conn.execute("CREATE TABLE birds (name TEXT)")
        conn.commit()
        conn.close()
    else:
        foreign.write_bytes(content)
    before = foreign.read_bytes()
    _answer_open(monkeypatch, foreign)
    window.projects.open_action.trigger()
    assert foreign.read_bytes() == before
    assert not Path(f"{foreign}-wal").exists()
    assert window.store.path == current and window.table_model.rowCount() == 1
    notice = window.projects.notice.text()
    assert str(foreign) in notice and reason in notice


def test_open_another_project_lets_the_first_go(qtbot, desk, tmp_path, monkeypatch):
    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    _project(first, "f1").close()
    _project(second, "s1", "s2").close()
    window = desk(first)
    _answer_open(monkeypatch, second)
    window.projects.open_action.trigger()
    _settled(qtbot, window)
    assert window.store.path == second and window.table_model.rowCount() == 2
    assert _writable(first)
    assert window.count.label.text() == "2 articles"
    # The same project again is not opened a second time (it would open read-only).
    _answer_open(monkeypatch, second)
    store = window.store
    window.projects.open_action.trigger()
    assert window.store is store and not store.read_only


def test_a_project_edited_elsewhere_opens_read_only_and_says_so(qtbot, desk, tmp_path):
    first, held = tmp_path / "first.sqlite", tmp_path / "held.sqlite"
    _project(first, "f1").close()
    holder = _project(held, "h1")  # another window is writing it
    try:
        window = desk(first)
        assert window.projects.open_path(held)
        assert window.windowTitle() == "Marginalia — held.sqlite (read-only)"
        assert "read-only" in window.projects.notice.text()
        assert "another Marginalia window" in window.projects.notice.text()
        assert window.store.read_only
    finally:
        holder.close()


def test_open_recent_lists_ten_with_paths_and_drops_a_missing_one(qtbot, desk, tmp_path):
    paths = [tmp_path / f"p{number:02}.sqlite" for number in range(12)]
    for path in paths:
        _project(path, "a").close()
    window = desk(paths[0])
    for path in paths[1:]:
        assert window.projects.open_path(path)
    _settled(qtbot, window)
    window.projects.fill_recent_menu()
    actions = [a for a in window.projects.recent_menu.actions() if a.data()]
    assert len(actions) == KEEP == 10
    newest_first = [p.resolve() for p in reversed(paths)][:KEEP]
    assert [Path(a.data()) for a in actions] == newest_first
    assert [a.toolTip() for a in actions] == [str(p) for p in newest_first]
    assert actions[1].text().endswith(paths[10].name)

    gone = paths[5]
    os.remove(gone)
    window.projects.fill_recent_menu()
    [missing] = [a for a in window.projects.recent_menu.actions() if a.data() == str(gone)]
    assert "(missing)" in missing.text() and "no longer there" in missing.toolTip()
    current = window.store
    missing.trigger()
    assert window.store is current
    assert "no longer there" in window.projects.notice.text()
    assert gone.resolve() not in RecentProjects(window.settings).paths()

    [older] = [a for a in window.projects.recent_menu.actions() if a.data() == str(paths[4])]
    older.trigger()
    _settled(qtbot, window)
    assert window.store.path == paths[4].resolve() or window.store.path == paths[4]
    assert RecentProjects(window.settings).last() == paths[4].resolve()


def test_save_a_copy_is_checked_then_opened(qtbot, desk, tmp_path, monkeypatch):
    original = tmp_path / "original.sqlite"
    store = _project(original, "a1", "a2")
    store.add_span(store.article_id("a1"), 0, 7, "Person", "ana")
    store.close()
    window = desk(original)
    copy = tmp_path / "copies" / "for-bea.sqlite"
    copy.parent.mkdir()
    seen = _answer_save(monkeypatch, copy)
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes,
    )
    window.projects.copy_action.trigger()
    qtbot.waitUntil(lambda: window.store.path == copy, timeout=20000)
    _settled(qtbot, window)
    assert seen == [str(tmp_path / "home" / "original copy.sqlite")]
    assert str(copy) in asked[0]
    assert check_file(copy, full=True) == []
    assert window.table_model.rowCount() == 2
    assert [s.quote for s in window.store.spans(window.store.article_id("a1"))] == ["Article"]
    assert _writable(original)
    # A name that exists is refused: nothing is replaced.
    window.projects.save_copy(original)
    qtbot.waitUntil(lambda: window.projects.copy_job.isFinished(), timeout=20000)
    qtbot.waitUntil(lambda: "already exists" in window.projects.notice.text())


def test_close_project_leaves_an_empty_window(qtbot, desk, tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path, "a1").close()
    window = desk(path)
    window.projects.close_action.trigger()
    assert not window.context.is_open
    assert _writable(path)
    assert window.windowTitle() == "Marginalia"
    assert window.projects.path_label.text() == "No project open"
    assert window.welcome.panel.isVisible() and window.welcome.title.text() == "No project is open"
    assert not window.welcome.import_files.isVisible()
    assert not window.welcome.or_label.isVisible()
    assert window.statusBar().currentMessage() == "Closed p.sqlite."
    assert window.count.label.text() == ""
    assert not window.projects.copy_action.isEnabled()
    assert window.projects.open_action.isEnabled() and window.projects.new_action.isEnabled()
    assert window.projects.open_path(path)  # and a project opens again in it
    _settled(qtbot, window)
    assert window.table_model.rowCount() == 1 and not window.welcome.panel.isVisible()


def test_file_menu_begins_with_the_project_actions(desk, tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path, "a1").close()
    window = desk(path)
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions() if not a.isSeparator()][:5]
    assert texts == [
        "&New project…",
        "&Open project…",
        "Open &recent",
        "Save a &copy as…",
        "C&lose project",
    ]


# ---------------------------------------------------------------------- start-up


def test_start_path_explicit_wins_else_the_last_project_else_the_default(tmp_path, monkeypatch):
    default = tmp_path / "data" / "project.sqlite"
    monkeypatch.setattr(app.paths, "default_db_path", lambda: default)
    monkeypatch.delenv("MARGINALIA_DB", raising=False)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    last = tmp_path / "last.sqlite"
    assert app.start_path(None, settings) == (default, True)  # nothing remembered
    RecentProjects(settings).add(last)
    assert app.start_path(None, settings) == (default, True)  # remembered, but gone
    _project(last, "a").close()
    assert app.start_path(None, settings) == (last.resolve(), False)
    explicit = tmp_path / "explicit.sqlite"
    assert app.start_path(explicit, settings) == (explicit, False)
    monkeypatch.setenv("MARGINALIA_DB", str(tmp_path / "env.sqlite"))
    assert app.start_path(None, settings) == (tmp_path / "env.sqlite", False)


def test_the_window_remembers_the_project_it_opened(qtbot, desk, tmp_path):
    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    _project(first, "a").close()
    _project(second, "b").close()
    window = desk(first)
    window.projects.open_path(second)
    _settled(qtbot, window)
    window.close_project()
    assert app.start_path(None, window.settings)[0] == second.resolve()


@pytest.mark.parametrize("how", ["suffix", "existing"])
def test_marginalia_path_opens_that_project(tmp_path, monkeypatch, how):
    calls = []
    monkeypatch.setattr(app, "main", lambda db_path=None, seed_samples=False: calls.append(db_path))
    if how == "suffix":
        path = tmp_path / "new.marginalia"
    else:
        path = tmp_path / "study"  # any existing file, whatever its name
        path.write_bytes(b"")
    assert cli.main([str(path)]) is None  # what the (patched) window returned
    assert calls == [path]


def test_marginalia_without_a_project_lets_the_window_decide(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(app, "main", lambda db_path=None, seed_samples=False: calls.append(db_path))
    cli.main([])
    cli.main(["--db", str(tmp_path / "x.sqlite")])
    assert calls == [None, tmp_path / "x.sqlite"]


def test_marginalia_path_and_commands_still_parse(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(app, "main", lambda *a, **k: pytest.fail("no window"))
    with pytest.raises(SystemExit) as usage:
        cli.main([str(tmp_path / "a.sqlite"), "--db", str(tmp_path / "b.sqlite")])
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as unknown:
        cli.main(["no-such-command"])
    assert unknown.value.code == 2
    samples = Path(__file__).resolve().parents[1] / "resources" / "samples"
    assert cli.main(["--db", str(tmp_path / "s.sqlite"), "import", str(samples)]) == 0
    assert cli.main(["--db", str(tmp_path / "s.sqlite"), "stats"]) == 0


REOPEN_LAST = """
import sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from desktop_app import app
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.recent_projects import RecentProjects

qt = QApplication(sys.argv)
app.settings_path = lambda: app.Path(sys.argv[2])
app.paths.default_db_path = lambda: app.Path(sys.argv[3])
RecentProjects(QSettings(sys.argv[2], QSettings.Format.IniFormat)).add(app.Path(sys.argv[1]))

def look_then_quit():
    window = next(w for w in qt.topLevelWidgets() if isinstance(w, MainWindow))
    print("title", window.windowTitle(), "rows", window.table_model.rowCount())
    window.close()
    qt.quit()

QTimer.singleShot(500, look_then_quit)
sys.exit(app.main())
"""


def test_the_program_starts_on_the_last_project(tmp_path):
    import subprocess
    import sys

    last = tmp_path / "last study.sqlite"
    _project(last, "a1", "a2").close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("MARGINALIA_DB", None)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            REOPEN_LAST,
            str(last),
            str(tmp_path / "s.ini"),
            str(tmp_path / "d.sqlite"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "title Marginalia — last study.sqlite rows 2" in done.stdout
    assert not (tmp_path / "d.sqlite").exists()  # the default project was not made
