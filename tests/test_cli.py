"""The command line: import, export and stats, exit codes, --db and $MARGINALIA_DB."""

import json
import subprocess
import sys

import pytest

from desktop_app.cli import main


@pytest.fixture
def articles(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "001_00000000000000aa.txt").write_text(" date 2024-05-20 BAKU. Text one.")
    (folder / "two.txt").write_text("Headline\n\nBody ✓ two.", encoding="utf-8")
    return folder


def test_import_stats_export(tmp_path, articles, capsys):
    db = str(tmp_path / "p.sqlite")
    assert main(["import", "--db", db, str(articles)]) == 0
    assert "2 added" in capsys.readouterr().out
    assert main(["import", "--db", db, str(articles)]) == 0
    assert "0 added" in capsys.readouterr().out
    assert main(["stats", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 2
    out = tmp_path / "out.jsonl"
    assert main(["export", "--db", db, "--format", "jsonl", "-o", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_rejected_inputs_exit_1_and_are_named(tmp_path, articles, capsys):
    (articles / "bad.txt").write_bytes(b"\x00\x00binary")
    code = main(["import", "--db", str(tmp_path / "p.sqlite"), str(articles), "/no/such/path"])
    assert code == 1
    err = capsys.readouterr().err
    assert "bad.txt" in err and "/no/such/path" in err


def test_usage_error_exits_2(tmp_path):
    with pytest.raises(SystemExit) as exited:
        main(["export", "--db", str(tmp_path / "p.sqlite")])  # no --format / -o
    assert exited.value.code == 2


def test_environment_variable_chooses_the_project(tmp_path, articles, monkeypatch, capsys):
    db = tmp_path / "env.sqlite"
    monkeypatch.setenv("MARGINALIA_DB", str(db))
    assert main(["import", str(articles)]) == 0
    assert db.exists()


def test_broken_project_file_is_a_clear_error(tmp_path, capsys):
    db = tmp_path / "broken.sqlite"
    db.write_bytes(b"not a database" * 300)
    assert main(["stats", "--db", str(db)]) == 1
    assert "broken.sqlite" in capsys.readouterr().err
    assert db.read_bytes() == b"not a database" * 300  # nothing was overwritten


def test_console_script_runs_as_a_process(tmp_path, articles):
    db = tmp_path / "p.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app.cli", "import", "--db", str(db), str(articles)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stdout
    assert done.stderr == ""  # no progress bar when stderr is not a terminal


def test_db_before_the_command_is_honoured(tmp_path, articles, monkeypatch):
    monkeypatch.setenv("MARGINALIA_DB", str(tmp_path / "wrong.sqlite"))
    db = tmp_path / "right.sqlite"
    assert main(["--db", str(db), "import", str(articles)]) == 0
    assert db.exists() and not (tmp_path / "wrong.sqlite").exists()


def test_export_by_status_needs_an_annotator(tmp_path, articles, capsys):
    db = str(tmp_path / "p.sqlite")
    main(["import", "--db", db, str(articles)])
    with pytest.raises(SystemExit) as exited:
        main(
            [
                "export",
                "--db",
                db,
                "--format",
                "jsonl",
                "-o",
                str(tmp_path / "o"),
                "--status",
                "done",
            ]
        )
    assert exited.value.code == 2
    from desktop_app.core.store import Store

    store = Store.open(db)
    store.set_status(store.article_id("001_00000000000000aa"), "alice", "done")
    store.close()
    out = tmp_path / "done.jsonl"
    args = ["export", "--db", db, "--format", "jsonl", "-o", str(out)]
    assert main([*args, "--status", "done", "--annotator", "alice"]) == 0
    assert [json.loads(line)["uid"] for line in out.read_text().splitlines()] == [
        "001_00000000000000aa"
    ]


def test_hostile_query_is_not_a_traceback(tmp_path, articles, capsys):
    db = str(tmp_path / "p.sqlite")
    main(["import", "--db", db, str(articles)])
    out = tmp_path / "q.jsonl"
    code = main(
        ["export", "--db", db, "--format", "jsonl", "-o", str(out), "--query", 'say "a\nb: c']
    )
    assert code == 0 and out.read_text() == ""


def test_second_process_is_refused_while_the_project_is_open(tmp_path, articles, capsys):
    from desktop_app.core.store import Store

    db = tmp_path / "p.sqlite"
    holder = Store.open(db)
    try:
        assert main(["import", "--db", str(db), str(articles)]) == 1
        assert "open in another Marginalia" in capsys.readouterr().err
    finally:
        holder.close()


class _ClosedPipe:
    """A stdout whose reader went away (`marginalia stats | head -1`)."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        import io

        raise io.UnsupportedOperation("no descriptor in a test")


@pytest.mark.parametrize("command", ["stats", "agreement"])
def test_a_closed_pipe_ends_the_command_quietly(tmp_path, articles, capsys, monkeypatch, command):
    db = tmp_path / "p.sqlite"
    assert main(["import", "--db", str(db), str(articles)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main([command, "--db", str(db)]) == 0
    assert capsys.readouterr().err == ""


def test_a_closed_pipe_says_nothing_from_a_process(tmp_path, articles):
    db = tmp_path / "p.sqlite"
    assert main(["import", "--db", str(db), str(articles)]) == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.cli", "stats", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the command writes (`| head -0`)
    err = process.stderr.read()
    assert process.wait(timeout=60) == 0 and err == b""
