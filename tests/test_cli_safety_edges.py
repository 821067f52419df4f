"""The command line at its edges: outputs that are the project, files that are not projects,
reading beside a writer, file names no file system takes, merges that refuse, CSV formulas."""

import csv
import json
import os
import sqlite3
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core import migrations
from desktop_app.core.store import Store

TEXT = "Nino met Amélie in Tbilisi."


def run(capsys, *args):
    """Run `marginalia ARGS` as a user types it: (exit code, stdout, stderr)."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _line(uid, text, spans=(), tags=()):
    return json.dumps({"uid": uid, "text": text, "spans": list(spans), "tags": list(tags)})


def _span(text, needle, label, who, note=""):
    start = text.index(needle)
    return {"start": start, "end": start + len(needle), "label": label, "quote": needle,
            "annotator": who, "note": note}  # fmt: skip


@pytest.fixture
def project(tmp_path, capsys):
    """P.sqlite, made by `marginalia import`, with two annotators' spans and a tag."""
    source = tmp_path / "in.jsonl"
    source.write_text(
        _line("a1", TEXT, [_span(TEXT, "Nino", "Person", "ana"),
                           _span(TEXT, "Tbilisi", "Location", "bo")])
        + "\n" + _line("a2", "Baku is windy.", [_span("Baku is windy.", "Baku", "Location", "ana")])
        + "\n",
        encoding="utf-8",
    )  # fmt: skip
    db = tmp_path / "P.sqlite"
    assert run(capsys, "import", "--db", db, source)[0] == 0
    return db


def _state(db):
    """Everything a command could change about a file: its bytes and its companions (a
    reader of a WAL-mode project may leave SQLite's own -wal and -shm; nothing else)."""
    wal_mode = db.read_bytes()[18:19] == b"\x02"
    companions = {
        p.name
        for p in db.parent.iterdir()
        if p.name.startswith(db.name) and not (wal_mode and p.name.endswith(("-wal", "-shm")))
    }
    return db.read_bytes(), companions


# ------------------------------------------------------------- outputs that are the project

EXPORTS = {
    "jsonl": [],
    "doccano": [],
    "labelstudio": [],
    "conll": [],
    "refi": [],
    "qdpx": [],
    "csv": [],
    "brat": [],
    "doccano --per-annotator": ["--per-annotator"],
}


@pytest.mark.parametrize("fmt", EXPORTS)
@pytest.mark.parametrize(
    "where", ["project", "-wal", "-shm", ".lock", "backups", "in backups", "hard link", "symlink"]
)
def test_an_export_onto_the_project_or_its_files_is_refused(project, capsys, fmt, where):
    # Issue 11 item 1: `export -o P.sqlite` replaced the project and exited 0.
    backups = project.with_name(project.name + ".backups")
    backups.mkdir(exist_ok=True)
    Path(f"{project}-wal").touch()
    Path(f"{project}-shm").touch()
    Path(f"{project}.lock").touch()
    target = {
        "project": project,
        "-wal": Path(f"{project}-wal"),
        "-shm": Path(f"{project}-shm"),
        ".lock": Path(f"{project}.lock"),
        "backups": backups,
        "in backups": backups / "x.out",
        "hard link": project.with_name("link.out"),
        "symlink": project.with_name("sym.out"),
    }[where]
    if where == "hard link":
        os.link(project, target)
    if where == "symlink":
        target.symlink_to(project)
    before = _state(project)
    name = fmt.split()[0]
    code, _, err = run(capsys, "export", "--db", project, "--format", name, "-o", target,
                       *EXPORTS[fmt])  # fmt: skip
    assert code == 1
    assert str(target) in err and "not written" in err and str(project) in err
    assert _state(project) == before
    assert not list(project.parent.glob("*.recovered-*"))
    assert run(capsys, "stats", "--db", project)[0] == 0


@pytest.mark.parametrize("fmt", ["brat", "doccano --per-annotator"])
def test_a_folder_export_that_would_hold_the_project_is_refused(project, capsys, fmt):
    before = _state(project)
    code, _, err = run(capsys, "export", "--db", project, "--format", fmt.split()[0],
                       "-o", project.parent, *EXPORTS[fmt])  # fmt: skip
    assert code == 1 and "the folder holds the project" in err
    assert _state(project) == before


def test_a_sample_onto_the_project_is_refused(project, capsys):
    before = _state(project)
    code, _, err = run(capsys, "sample", "--db", project, "--size", 1, "--for", "bo", "-o", project)
    assert code == 1 and "it is the project file" in err and str(project) in err
    assert _state(project) == before


def test_a_project_replaced_during_an_import_says_where_the_work_is(
    project, tmp_path, capsys, monkeypatch
):
    import desktop_app.core.importing as importing

    real = importing.import_paths
    other = tmp_path / "other.sqlite"
    other.write_bytes(b"someone else's file")

    def import_then_replace(store, *args, **kwargs):
        report = real(store, *args, **kwargs)
        os.replace(other, project)  # a sync client puts another file in its place
        return report

    monkeypatch.setattr(importing, "import_paths", import_then_replace)
    more = tmp_path / "more.jsonl"
    more.write_text(_line("a3", "Tbilisi again.") + "\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "--db", project, more)
    [recovered] = tmp_path.glob("P.recovered-*.sqlite")
    assert code == 1
    assert (
        f"marginalia import: the project file was replaced by another file while the command "
        f"ran; everything saved is in {recovered}" in err
    )
    assert project.read_bytes() == b"someone else's file"
    again = Store.open(recovered, read_only=True)
    assert again.article_id("a3") is not None
    again.close()


# ------------------------------------------------------------- files that are not projects


@pytest.fixture(params=["delete", "wal"])
def foreign(tmp_path, request):
    """Another program's SQLite database (user_version 0, its own tables), in either mode."""
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {request.param}")
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.execute("INSERT INTO customers VALUES ('Ada')")
    conn.commit()
    conn.close()
    return path


def _commands(db, tmp_path, colleague):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return [
        ["stats", "--db", db],
        ["export", "--db", db, "--format", "jsonl", "-o", out / "x.jsonl"],
        ["export", "--db", db, "--format", "brat", "-o", out / "brat"],
        ["agreement", "--db", db],
        ["sample", "--db", db, "--size", 1, "--for", "bo", "-o", out / "s.zip"],
        ["check", "--db", db],
        ["check", "--quick", "--db", db],
        ["backup", "--db", db],
        ["backup", "--list", "--db", db],
        ["merge", "--db", db, colleague],
    ]


def test_every_command_refuses_a_foreign_database_unchanged(foreign, project, tmp_path, capsys):
    # Issue 11 item 3: `stats` on another database added tables and switched it to WAL.
    mode = _journal_mode(foreign)
    before = foreign.read_bytes(), sorted(p.name for p in tmp_path.glob("other.sqlite*"))
    for command in [*_commands(foreign, tmp_path, project), ["import", "--db", foreign, project]]:
        code, _, err = run(capsys, *command)
        assert code == 1, command
        assert "not a Marginalia project" in err and str(foreign) in err, (command, err)
        # Byte for byte, and not even a -wal or -shm beside it.
        after = foreign.read_bytes(), sorted(p.name for p in tmp_path.glob("other.sqlite*"))
        assert after == before, command
    assert _journal_mode(foreign) == mode


def _journal_mode(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_no_command_but_import_makes_a_project(project, tmp_path, capsys):
    # Issue 11 item 12: `stats` on a missing path created a project and its folders.
    missing = tmp_path / "new" / "folder" / "P.sqlite"
    for command in _commands(missing, tmp_path, project):
        code, _, err = run(capsys, *command)
        assert code == 1 and str(missing) in err, command
        assert not (tmp_path / "new").exists(), command
    assert "a merge brings a colleague's work into an existing project" in err


def test_an_empty_file_becomes_a_project_only_by_import(project, tmp_path, capsys):
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    for command in _commands(empty, tmp_path, project):
        code, _, err = run(capsys, *command)
        assert code == 1 and "an empty file, not a Marginalia project" in err, command
        assert empty.read_bytes() == b"", command
    assert run(capsys, "import", "--db", empty, project.parent / "in.jsonl")[0] == 0
    assert run(capsys, "stats", "--db", empty)[0] == 0


def _older(path, version):
    """A project as an older Marginalia left it: the first `version` migrations applied."""
    from sqlite_utils import Database

    db = Database(sqlite3.connect(path))
    for number, (_, step) in enumerate(migrations.MIGRATIONS[:version], start=1):
        step(db)
        db.conn.execute(f"PRAGMA user_version = {number}")
    db.conn.commit()
    db.close()


def test_reading_commands_leave_an_older_project_as_it_is(tmp_path, capsys):
    old = tmp_path / "old.sqlite"
    version = migrations.latest_version() - 1
    _older(old, version)
    before = _state(old)
    for command in (
        ["stats", "--db", old],
        ["export", "--db", old, "--format", "csv", "-o", tmp_path / "x.csv"],
        ["agreement", "--db", old],
    ):
        code, _, err = run(capsys, *command)
        assert code == 1
        assert f"made by an older Marginalia (schema {version}); open it once with" in err
        assert _state(old) == before
    code, out, _ = run(capsys, "check", "--db", old)
    assert code == 0 and "ok" in out and _state(old) == before  # checked, not upgraded
    assert run(capsys, "import", "--db", old, tmp_path / "nothing.txt")[0] == 1  # upgrades it
    assert run(capsys, "stats", "--db", old)[0] == 0


def test_reading_commands_read_beside_a_writer_and_an_import_meanwhile_runs(
    project, tmp_path, capsys, monkeypatch
):
    import desktop_app.core.exporters.jsonl as jsonl

    real = jsonl.export_jsonl
    more = tmp_path / "more.jsonl"
    more.write_text(_line("a3", "Tbilisi again.") + "\n", encoding="utf-8")

    def import_during_the_export(store, *args, **kwargs):
        # An import started while a (long) export runs is not refused.
        assert main(["import", "--db", str(project), str(more)]) == 0
        return real(store, *args, **kwargs)

    monkeypatch.setattr(jsonl, "export_jsonl", import_during_the_export)
    out = tmp_path / "x.jsonl"
    assert run(capsys, "export", "--db", project, "--format", "jsonl", "-o", out)[0] == 0
    assert {json.loads(line)["uid"] for line in out.read_text().splitlines()} >= {"a1", "a2"}
    monkeypatch.undo()
    writer = Store.open(project)
    try:
        for command in _commands(project, tmp_path, tmp_path / "none")[:7]:
            assert run(capsys, *command)[0] == 0, command
            writer.add_span(writer.article_id("a2"), 8, 13, "Person", f"w{len(command)}")
    finally:
        writer.close()


# ----------------------------------------------------- file names no file system would take


def test_per_annotator_files_have_safe_bounded_names(project, tmp_path, capsys):
    # Issue 11 item 10: a 300-character name stopped the export half-way (Errno 36).
    names = ["x" * 300, "é" * 200, "a/b", "CON", "..", "tab\there", "x" * 300 + "y"]
    writer = Store.open(project)
    for name in names:
        writer.add_span(writer.article_id("a2"), 0, 4, "Person", name)
    writer.close()
    out = tmp_path / "per"
    code, _, err = run(capsys, "export", "--db", project, "--format", "doccano",
                       "--per-annotator", "-o", out)  # fmt: skip
    assert code == 0, err
    files = sorted(out.iterdir())
    assert len(files) == len(names) + 2  # and ana's and bo's
    whose = set()
    for file in files:
        assert len(file.name.encode()) <= 106 and file.suffix == ".jsonl"
        assert file.stem.split(".")[0].upper() != "CON" and not file.name.startswith(".")
        assert not any(c in file.name for c in "/\\:\t")
        whose |= {json.loads(line)["annotator"] for line in file.read_text().splitlines()}
    assert whose == {*names, "ana", "bo"}  # the whole name is inside each file
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]
    # ... and comes back on import, whatever the file is called.
    fresh = tmp_path / "F.sqlite"
    assert run(capsys, "import", "--db", fresh, project.parent / "in.jsonl")[0] == 0
    assert run(capsys, "import", "--db", fresh, *files)[0] == 0
    store = Store.open(fresh, read_only=True)
    assert {s.annotator for s in store.spans(store.article_id("a2"))} == {*names, "ana"}
    store.close()


def test_an_existing_output_is_refused_in_plain_words(project, tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("mine")
    args = ["export", "--db", project, "--format", "doccano", "--per-annotator"]
    code, _, err = run(capsys, *args, "-o", taken)
    assert code == 1 and f"{taken}: cannot write: a file is there" in err and "Errno" not in err
    assert taken.read_text() == "mine"
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    code, _, err = run(capsys, *args, "-o", full)
    assert code == 1 and "already exists and is not empty" in err
    assert [p.name for p in full.iterdir()] == ["keep.txt"]
    (full / "keep.txt").unlink()
    assert run(capsys, *args, "-o", full)[0] == 0  # an empty folder is fine


@pytest.mark.parametrize("fmt", ["brat", "doccano --per-annotator"])
def test_a_failed_folder_export_leaves_nothing(project, tmp_path, capsys, monkeypatch, fmt):
    import desktop_app.core.exporters.output as output

    real, calls = output.check_quote, []

    def fail_later(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args)

    for module in ("brat", "doccano"):
        monkeypatch.setattr(f"desktop_app.core.exporters.{module}.check_quote", fail_later)
    out = tmp_path / "out"
    code, _, err = run(capsys, "export", "--db", project, "--format", fmt.split()[0], "-o", out,
                       *EXPORTS[fmt])  # fmt: skip
    assert code == 1 and f"{out}" in err and "the disk is full" in err and "partial" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_a_read_only_folder_is_said_in_plain_words(project, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for fmt in ("jsonl", "brat"):
            code, _, err = run(capsys, "export", "--db", project, "--format", fmt,
                               "-o", locked / "out")  # fmt: skip
            assert code == 1 and "no permission to write there" in err and "partial" not in err
            assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


# ------------------------------------------------------------------- merges that refuse


def test_a_merge_that_refuses_anything_exits_1_naming_the_file(project, tmp_path, capsys):
    # Issue 11 item 11: merge printed "not merged" and "N refused" and exited 0.
    other = tmp_path / "colleague.jsonl"
    other.write_text(
        _line("a1", "Another text under the same uid.") + "\n"
        + _line("a9", "Baku is windy.", [{**_span("Baku is windy.", "Baku", "Location", "bo"),
                                          "quote": "Bakx"}]) + "\n"
        + "not json\n",
        encoding="utf-8",
    )  # fmt: skip
    code, out, err = run(capsys, "merge", "--db", project, other)
    assert code == 1 and "3 refused" in out
    problems = [line for line in err.splitlines() if line.startswith("not merged:")]
    assert len(problems) == 3
    assert all(f"not merged: {other}" in line for line in problems), problems
    assert any(f"{other}: article a1:" in line for line in problems)
    assert any(f"{other}:2: span 0" in line for line in problems)
    assert any(f"{other}:3: not valid JSON" in line for line in problems)
    good = tmp_path / "good.jsonl"
    good.write_text(_line("a5", "Fresh text.") + "\n", encoding="utf-8")
    assert run(capsys, "merge", "--db", project, good)[0] == 0
    assert run(capsys, "merge", "--db", project, good, "--json")[0] == 0


def test_a_damaged_colleague_project_is_refused_before_merging(
    project, tmp_path, capsys, damage_pages
):
    other = tmp_path / "colleague.sqlite"
    source = tmp_path / "big.jsonl"
    source.write_text(
        "".join(_line(f"b{i}", f"Article {i} " + "words " * 300) + "\n" for i in range(200)),
        encoding="utf-8",
    )
    assert run(capsys, "import", "--db", other, source)[0] == 0
    damage_pages(other)
    before = _state(project)
    code, _, err = run(capsys, "merge", "--db", project, other)
    assert code == 1 and f"{other}: damaged, nothing was merged" in err
    assert _state(project)[0] == before[0]


# ------------------------------------------------------------------------ CSV formulas


HOSTILE = ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "'quoted"]


def _hostile_project(tmp_path, capsys):
    text = " ".join(HOSTILE) + " end"
    spans = [_span(text, needle.strip(), "Person", "ana", note=needle) for needle in HOSTILE]
    spans.append(_span(text, "=SUM(A1)", "Location", "=evil()"))
    source = tmp_path / "hostile.jsonl"
    source.write_text(
        json.dumps({"uid": "=u1", "title": "=HYPERLINK(1)", "text": text, "spans": spans}) + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "H.sqlite"
    assert run(capsys, "import", "--db", db, source)[0] == 0
    return db


def test_csv_cells_that_spreadsheets_would_run_are_guarded(tmp_path, capsys):
    # Issue 11 item 14: =SUM(A1) from a note, a title or a quote reached the spreadsheet as is.
    db = _hostile_project(tmp_path, capsys)
    out = tmp_path / "out.csv"
    assert run(capsys, "export", "--db", db, "--format", "csv", "-o", out)[0] == 0
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=SUM(A1)" in cells and "'=HYPERLINK(1)" in cells and "'=u1" in cells
    assert "''quoted" in cells  # a leading ' of its own is doubled, so reading back is exact
    raw = tmp_path / "raw.csv"
    assert run(capsys, "export", "--db", db, "--format", "csv", "--raw-cells", "-o", raw)[0] == 0
    assert "=SUM(A1)" in [c for row in csv.reader(raw.open(encoding="utf-8")) for c in row]


def test_guarded_csv_imports_back_exactly(tmp_path, capsys):
    db = _hostile_project(tmp_path, capsys)
    out = tmp_path / "out.csv"
    assert run(capsys, "export", "--db", db, "--format", "csv", "-o", out)[0] == 0
    fresh = tmp_path / "F.sqlite"
    articles = tmp_path / "articles.jsonl"
    assert run(capsys, "export", "--db", db, "--format", "jsonl", "-o", articles)[0] == 0
    text_only = tmp_path / "text.jsonl"
    text_only.write_text(
        "".join(
            json.dumps({k: v for k, v in json.loads(line).items() if k in ("uid", "text")}) + "\n"
            for line in articles.read_text(encoding="utf-8").splitlines()
        ),
        encoding="utf-8",
    )
    assert run(capsys, "import", "--db", fresh, text_only)[0] == 0
    code, _, err = run(capsys, "import", "--db", fresh, out)
    assert code == 0, err

    def spans(path):
        store = Store.open(path, read_only=True)
        found = sorted(
            (s.label, s.start, s.end, s.quote, s.note, s.annotator)
            for s in store.spans(store.article_id("=u1"))
        )
        store.close()
        return found

    assert spans(fresh) == spans(db) and len(spans(db)) == len(HOSTILE) + 1


@pytest.mark.parametrize("fmt", ["jsonl", "brat", "doccano --per-annotator"])
def test_a_read_only_disk_is_said_in_plain_words(project, tmp_path, capsys, monkeypatch, fmt):
    # As root the folder test above cannot run: the file system's answer is put in its place.
    import desktop_app.core.exporters.output as output

    def read_only(target, folder):
        raise OSError(30, "Read-only file system", f"{target}.1234.partial")

    monkeypatch.setattr(output, "_temporary", read_only)
    out = tmp_path / "out"
    code, _, err = run(capsys, "export", "--db", project, "--format", fmt.split()[0], "-o", out,
                       *EXPORTS[fmt])  # fmt: skip
    assert code == 1 and f"{out}: cannot write: the disk is read-only" in err
    assert "partial" not in err and "Errno" not in err and not out.exists()


def test_the_window_export_refuses_the_project_and_offers_raw_cells(tmp_path, capsys):
    from desktop_app.core.exporters.output import ExportError
    from desktop_app.core.model import ArticleFilter
    from desktop_app.ui.export_actions import EXPORT_FILTERS, write_export

    db = _hostile_project(tmp_path, capsys)
    store = Store.open(db)
    try:
        with pytest.raises(ExportError, match="it is the project file"):
            write_export(store, db, "jsonl", ArticleFilter(), "ana")
        with pytest.raises(ExportError, match="the folder holds the project"):
            write_export(store, tmp_path, "brat", ArticleFilter(), "ana")
        assert "csv-raw" in EXPORT_FILTERS.values()
        for fmt in ("csv", "csv-raw"):
            write_export(store, tmp_path / f"{fmt}.csv", fmt, ArticleFilter(), "ana")
    finally:
        store.close()
    assert "'=SUM(A1)" in (tmp_path / "csv.csv").read_text(encoding="utf-8-sig")
    assert "'=SUM(A1)" not in (tmp_path / "csv-raw.csv").read_text(encoding="utf-8-sig")


def test_a_colleague_project_with_bad_rows_is_named_with_its_article(project, tmp_path, capsys):
    # Issue 11 item 11: "span 0: quote does not match the text", "Expecting value: line 1
    # column 1" named neither the file nor the article.
    source = tmp_path / "c.jsonl"
    text = "Cairo and Baku."
    source.write_text(_line("c1", text, [_span(text, "Baku", "Location", "bo")]) + "\n", "utf-8")
    bad_span, bad_meta = tmp_path / "span.sqlite", tmp_path / "meta.sqlite"
    for other in (bad_span, bad_meta):
        assert run(capsys, "import", "--db", other, source)[0] == 0
    conn = sqlite3.connect(bad_span)
    conn.execute("DROP TRIGGER spans_offsets_fixed")
    conn.execute("UPDATE spans SET quote = 'Bakx'")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(bad_meta)
    conn.execute("UPDATE articles SET meta = 'not json'")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "merge", "--db", project, bad_span)
    assert code == 1
    assert f"not merged: {bad_span}: article c1: span " in err and "'Bakx' is not the text" in err
    before = _state(project)
    code, _, err = run(capsys, "merge", "--db", project, bad_meta)
    assert code == 1 and f"{bad_meta}: article c1: its metadata is not JSON" in err
    assert _state(project)[0] == before[0]


def test_safe_file_names_hold_on_every_file_system():
    from desktop_app.core.exporters.output import MAX_NAME_BYTES, UniqueNames, safe_file_name

    names = ["a/b", "a\\b", "c:d", "nul", "Com1.txt", "lpt9", "x\x00y\x1f", " .hidden. ",
             "é" * 300, "e\u0301" * 300, "🇬🇪" * 100, "", "..", "ok-name_1.2"]  # fmt: skip
    unique = UniqueNames()
    made = [unique(safe_file_name(name)) for name in names]
    for name in made:
        assert name and len(name.encode()) <= MAX_NAME_BYTES + 3
        assert not set(name) & set('/\\:*?"<>|') and all(ord(c) >= 32 for c in name)
        assert name.split(".")[0].upper() not in {"CON", "NUL", "COM1", "LPT9"}
        assert not name.startswith(".") and not name.endswith((".", " "))
    assert safe_file_name("ok-name_1.2") == "ok-name_1.2"
    assert len({n.casefold() for n in made}) == len(made)  # apart even where case is ignored
    assert safe_file_name("x" * 300) != safe_file_name("x" * 299 + "y")  # cut, yet apart
    twice = UniqueNames()
    assert twice("caf\u00e9") != twice("cafe\u0301")  # one name to macOS: kept apart


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "jsonl", "-o", "out.jsonl"],
        ["export", "--format", "csv", "-o", "out.csv"],
        ["export", "--format", "doccano", "-o", "out.jsonl"],
        ["export", "--format", "labelstudio", "-o", "out.json"],
        ["export", "--format", "conll", "-o", "out.conll"],
        ["export", "--format", "refi", "-o", "out.qdpx"],
        ["sample", "--size", "1", "--for", "bo", "-o", "s.zip"],
    ],
)
def test_a_single_file_on_a_read_only_disk_is_said_in_plain_words(
    project, tmp_path, capsys, monkeypatch, args
):
    # A read-only disk refuses the temporary file AND its removal: both are faked (as root
    # the permission bits would not stop the write), the message names the output.
    import builtins
    import errno
    import io

    folder = tmp_path / "ro"
    folder.mkdir()
    real_open, real_io_open, real_unlink = builtins.open, io.open, os.unlink

    def refuse(real):
        def opener(path, *rest, **kwargs):
            if str(path).startswith(str(folder)):
                raise OSError(errno.EROFS, "Read-only file system", str(path))
            return real(path, *rest, **kwargs)

        return opener

    monkeypatch.setattr(builtins, "open", refuse(real_open))
    monkeypatch.setattr(io, "open", refuse(real_io_open))
    monkeypatch.setattr(os, "unlink", refuse(real_unlink))
    out = folder / args[-1]
    code, _, err = run(capsys, args[0], "--db", project, *args[1:-1], out)
    assert code == 1 and f"{out}: cannot write: the disk is read-only" in err, err
    assert "partial" not in err and "Errno" not in err and not list(folder.iterdir())


def _undecodable_schema(db):
    """Make one table name in sqlite_master bytes that are not UTF-8 (SQLite itself still
    opens the file: only a reader decoding the name as text meets the damage)."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(db.read_bytes())
    at = data.find(b"tablearticle_daysarticle_days")
    assert at > 0
    data[at + len("table") + 3] = 0xFF
    db.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "args",
    [["check"], ["stats"], ["export", "--format", "jsonl", "-o", "OUT"], ["import", "IN"]],
)
def test_a_schema_that_is_not_text_is_damage_named_with_the_file(project, tmp_path, capsys, args):
    _undecodable_schema(project)
    (tmp_path / "in.txt").write_text("Some text.", encoding="utf-8")
    args = [{"OUT": tmp_path / "o.jsonl", "IN": tmp_path / "in.txt"}.get(a, a) for a in args]
    code, out, err = run(capsys, args[0], "--db", project, *args[1:])
    said = out + err
    assert code == 1 and f"{project}" in said and "damaged" in said, said
    assert "utf-8" not in said and "codec" not in said
    if args[0] == "check":
        assert "backup" in said


def test_a_colleague_schema_that_is_not_text_is_refused_naming_it(project, tmp_path, capsys):
    other = tmp_path / "colleague.sqlite"
    other.write_bytes(project.read_bytes())
    _undecodable_schema(other)
    before = _state(project)
    code, _, err = run(capsys, "merge", "--db", project, other)
    assert code == 1 and f"{other}: damaged, nothing was merged" in err, err
    assert "codec" not in err and _state(project)[0] == before[0]


def test_check_of_a_schema_that_is_not_text_names_the_good_backup(project, capsys):
    assert run(capsys, "backup", "--db", project)[0] == 0
    _undecodable_schema(project)
    code, out, _ = run(capsys, "check", "--db", project)
    assert code == 1 and out.count(f"{project}:") == 1 and "good backup is P." in out, out


@pytest.mark.parametrize("name", ["garbage.sqlite", "garbage.DB", "garbage.sqlite3"])
def test_merge_of_a_non_sqlite_file_named_as_a_project_is_refused_before_any_backup(
    project, tmp_path, capsys, name
):
    garbage = tmp_path / name
    garbage.write_bytes(b"this is not a database\n" * 20)
    before = _state(project)
    code, out, err = run(capsys, "merge", "--db", project, garbage)
    assert code == 1, out + err
    assert (
        f"{garbage}: not a Marginalia project file (not an SQLite database); nothing was merged"
        in err
    )
    assert "JSON" not in err and _state(project) == before  # no backup either
