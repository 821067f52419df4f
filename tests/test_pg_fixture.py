"""The suite's own PostgreSQL server: it starts, and its tests can never pass by skipping."""

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
TESTS = Path(__file__).resolve().parent


def test_the_server_gives_each_test_an_empty_database_on_a_socket_only(pg_server, pg_database):
    with pg_server.admin(pg_database) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (pg_database,)
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')"
        ).fetchone()
        assert tables == (0,)
    assert Path(pg_server.socket_dir, f".s.PGSQL.{pg_server.port}").exists()


@pytest.fixture
def suite_copy(pytester):
    for name in ("conftest.py", "pg_server.py"):
        shutil.copy(TESTS / name, pytester.path / name)
    pytester.makeini("[pytest]\nmarkers =\n    postgres: needs PostgreSQL\n")
    return pytester


def test_missing_binaries_fail_naming_the_setup_script(suite_copy, monkeypatch):
    monkeypatch.setenv("MARGINALIA_PG_BINDIR", str(suite_copy.path / "nowhere"))
    monkeypatch.delenv("MARGINALIA_SKIP_POSTGRES", raising=False)
    suite_copy.makepyfile("def test_needs(pg_database):\n    pass\n")
    result = suite_copy.runpytest("-p", "no:qt")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*initdb, pg_ctl) were not found*.ci/setup*"])


def test_skipping_them_takes_an_explicit_choice(suite_copy, monkeypatch):
    monkeypatch.setenv("MARGINALIA_PG_BINDIR", str(suite_copy.path / "nowhere"))
    monkeypatch.setenv("MARGINALIA_SKIP_POSTGRES", "1")
    suite_copy.makepyfile("def test_needs(pg_database):\n    pass\n")
    suite_copy.runpytest("-p", "no:qt").assert_outcomes(skipped=1)


def test_any_other_skip_of_a_postgres_test_counts_as_a_failure(suite_copy, monkeypatch):
    monkeypatch.delenv("MARGINALIA_SKIP_POSTGRES", raising=False)
    suite_copy.makepyfile(
        "import pytest\n\n"
        "@pytest.mark.postgres\n"
        "def test_marked():\n    pytest.skip('no server today')\n\n"
        "def test_plain():\n    pytest.skip('fine')\n"
    )
    result = suite_copy.runpytest("-p", "no:qt")
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*needs PostgreSQL was skipped (*no server today)*"])
