"""Test set-up: run Qt without a display (DESIGN.md section 11)."""

import os
import signal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture
def show_window(qtbot, tmp_path):
    """Open the main window on a store as `annotator`, shown and active, settings in tmp_path."""
    from PySide6.QtCore import QSettings

    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.safety_actions import CHECKING

    def show(store, annotator="ana"):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(store, settings, annotator)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        # Edits wait for the integrity check that runs when a project opens.
        qtbot.waitUntil(lambda: window.store.read_only != CHECKING)
        return window

    return show


@pytest.fixture
def damage_pages():
    """Overwrite pages in the middle of a file, as a bad disk or a crashed copy would."""

    def damage(path):
        with open(path, "r+b") as handle:
            handle.seek(path.stat().st_size // 2 // 4096 * 4096)
            handle.write(os.urandom(4096 * 4))

    return damage


@pytest.fixture
def desk(qtbot, tmp_path, monkeypatch):
    """make(path): a window on the project at `path`, built as the composition root builds it;
    a second window on the same settings file is what the next start of the program sees."""
    from PySide6.QtCore import QSettings

    from desktop_app.core.project import open_for_window
    from desktop_app.paths import default_schema_path, samples_dir
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.opening_check import CHECKING

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the dialogs' first folder
    (tmp_path / "home").mkdir()
    windows = []

    def make(path):
        opened = open_for_window(path, default_schema_path())
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(
            opened.store, settings, "ana", schema_path=default_schema_path(), samples=samples_dir()
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: not window.context.is_open or window.store.read_only != CHECKING)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        window.close_project()


# --- A real PostgreSQL server (tests/pg_server.py) --------------------------------------------
# Tests that use `pg_server` or `pg_database` are marked `postgres`. They never skip quietly:
# without the server binaries they FAIL, naming .ci/setup, unless MARGINALIA_SKIP_POSTGRES=1 says
# skipping is wanted; and any other skip of such a test counts as a failure too, so CI (which
# runs the README's plain `pytest`) cannot pass without having run them.


def _postgres_skip_allowed():
    return os.environ.get("MARGINALIA_SKIP_POSTGRES") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if {"pg_server", "pg_database", "pg_team"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # An expected failure (xfail) is reported as skipped too; it ran, so it is no skip.
    ran = hasattr(report, "wasxfail")
    if (
        report.skipped
        and not ran
        and item.get_closest_marker("postgres")
        and not _postgres_skip_allowed()
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"a test that needs PostgreSQL was skipped ({reason}); these tests must run "
            "(set MARGINALIA_SKIP_POSTGRES=1 to allow skipping them)"
        )


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of the suite's own for the whole session (tests/pg_server.py)."""
    from pg_server import SETUP_HINT, PgServer, ServerUnavailable, find_bindir

    bindir = find_bindir()
    if bindir is None:
        message = f"PostgreSQL's server binaries (initdb, pg_ctl) were not found: {SETUP_HINT}"
        if _postgres_skip_allowed():
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    server = PgServer(bindir)
    # A run stopped by SIGTERM (a CI timeout) still tears down: else the server outlives it.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            server.start()
        except ServerUnavailable as error:
            pytest.fail(f"the test PostgreSQL server did not start: {error}", pytrace=False)
        yield server
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture
def pg_database(pg_server):
    """A fresh, empty database on the suite's server; dropped after the test with its roles."""
    before = pg_server.roles()
    name = pg_server.fresh_database()
    yield name
    pg_server.drop_database(name, before)


@pytest.fixture
def pg_team(pg_server, pg_database):
    """A team server on a fresh database: analysts ana and bob, adjudicator adam."""
    from pg_server import Team

    return Team(pg_server, pg_database)


@pytest.fixture
def stores(tmp_path):
    """make(name, uids=()): an analyst's project with the sync tests' schema and articles
    (tests/sync_helpers.py), closed after the test."""
    from sync_helpers import project

    opened = {}

    def make(name, uids=()):
        opened[name] = project(tmp_path / f"{name}.sqlite", uids)
        return opened[name]

    yield make
    for store in opened.values():
        store.close()
