"""Every `marginalia` command the README shows is run here: a documented command that fails is a
bug, and so is a documented option, subcommand or --format value that no command below runs.

The README's lines are templates (`PATH...`, `[--format auto|txt|...]`); COMMANDS holds the
concrete commands they imply, one line each. When the README gains an option, add the line
that runs it to COMMANDS; the test names what is missing on either side.
"""

import io
import re
import shlex
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.exporters.brat import export_brat
from desktop_app.core.exporters.conll import export_conll
from desktop_app.core.exporters.labelstudio import export_labelstudio
from desktop_app.core.exporters.refi import export_refi
from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.store.backups import list_backups
from desktop_app.paths import default_schema_path

README = Path(__file__).resolve().parents[1] / "README.md"

# The concrete commands, run in this order against one small project (`--db` is added to
# each); {name} is a file the fixture made, {out} a fresh folder for outputs.
COMMANDS = [
    "import {txt_folder}",
    "import {txt_file} --format txt --annotator ana",
    "import {jsonl} --format jsonl",
    "import {csv} --format csv --text-field body --title-field headline --date-field day"
    " --id-field key --source-field outlet --url-field link",
    "import {labelstudio} --format labelstudio",
    "import {conll} --format conll --annotator ana",
    "import {brat} --format brat --annotator bo",
    "import {qdpx} --format refi",
    "import {qdpx} --format auto",
    "export --format jsonl -o {out}/all.jsonl --query Tbilisi",
    "export --format doccano -o {out}/d.jsonl --tag Diplomacy --doccano-shape entities",
    "export --format doccano -o {out}/l.jsonl --doccano-shape label --label Person",
    "export --format doccano -o {out}/per --per-annotator",
    "export --format labelstudio -o {out}/ls.json --annotator ana --status done",
    "export --format conll -o {out}/c.conll --annotator ana --status todo",
    "export --format brat -o {out}/brat --annotator bo --status 'in progress'",
    "export --format refi -o {out}/r.qdpx",
    "export --format csv -o {out}/c.csv --bom",
    "merge {colleague}",
    "merge {colleague} --json",
    "agreement",
    "agreement --annotators ana,bo --label Person --json",
    "sample --size 2 --for bo -o {out}/s1.zip",
    "sample --size 2 --for bo -o {out}/s2.zip --seed 7 --by source",
    "sample --size 2 --for bo -o {out}/s3.zip --seed 7 --by tag",
    "sample --size 2 --for bo -o {out}/s4.zip --by none",
    "stats",
    "stats --json",
    "backup",
    "backup --list",
    "restore",
    "restore {newest_backup}",
    "check",
    "check --quick",
    "check --repair",
    "annotate-all Tbilisi --label Location --dry-run --json",
    "suggest --command '{python} {recommender}'",
    "suggest --command '{python} {recommender}' --query Tbilisi --tag Diplomacy --label Person"
    " --annotator ana --status done --timeout 60 --json",
    "suggestions list",
    "suggestions list --json --source command:dates_money.py --label Date/Time --min-score 0.5"
    " --query Baku --tag Diplomacy --annotator ana --status done",
    "suggestions accept --annotator ana --label Number/Figure --min-score 0.85",
    "suggestions reject --annotator ana --source command:dates_money.py --query Baku",
    "annotate-all Tbilisi --label Location --annotator ana --query Tbilisi --tag Diplomacy"
    " --status todo",
    "annotate-all '20[0-9][0-9]' --label Date/Time --regex --case --no-whole-word --not-done"
    " --annotator ana",
    "import {doccano_txt} --format doccano --annotator ana",
    "import {qdpx} --format qdpx",
    "export --format qdpx -o {out}/q.qdpx",
    "export --format csv -o {out}/raw.csv --raw-cells",
    "annotate-all Baku --label Location --annotator ana",
    "export --format jsonl -o {out}/rel.jsonl --relation said_by",
    "export --format jsonl -o {out}/with-suggestions.jsonl --with-suggestions",
    "annotate-all Cairo --label Location --annotator ana --relation said_by --dry-run",
    "suggestions list --relation said_by",
    "suggest --learn",
    "suggest --gazetteer {gazetteer}",
    "suggest --gazetteer {gazetteer} --query Tbilisi --tag Diplomacy --label Person"
    " --annotator ana --status done --json",
    "gazetteers list",
    "gazetteers list --json",
    "gazetteers add {gazetteer_csv} --case --no-whole-word --disabled",
    "gazetteers add {gazetteer_csv} --replace",
    "gazetteers disable names.tsv",
    "gazetteers enable names.tsv",
    "gazetteers export names.tsv {out}/names-out.tsv",
    "gazetteers remove names.csv",
    "suggest --learn --annotator ana --min-length 4 --stop-words {stop_words} --query Tbilisi"
    " --tag Diplomacy --json",
    "suggest --learn --annotator ana --export-learned {out}/learned.tsv",
    "annotate-all --history",
    "annotate-all --history --json",
    "annotate-all --undo {newest_batch} --json",
]

# The team server's commands, run against the suite's own PostgreSQL server ({admin} is its
# superuser's URL for a fresh database, {ana} the analyst ana's, made by the lines before).
SERVER_COMMANDS = [
    "server init {admin}",
    "server init {admin} --json",
    "server init {admin} --schema {schema_file}",
    "server init {admin} --from-project {seed_project}",
    "server add-analyst {admin} ana --password-stdin",
    "server add-analyst {admin} adam --adjudicator --password-stdin",
    "server add-analyst {admin} carol --no-password",
    "server status {ana}",
    "server status {ana} --json",
    "sync {adam}",
    "sync {ana}",
    "sync",
    "sync --json",
    "history",
    "history --article s1 --json",
]
SERVER_PASSWORD = "readme-pw-1"

# Documented commands that cannot run in this process, and the test that runs them instead.
RUN_ELSEWHERE = {
    "": "opens the window: tests/test_app.py",
    "PATH": "opens the window on that project: tests/test_projects_menu.py",
}

# Lines ready for what the README does not document yet (the next README edit adds them):
# once it does, test_awaiting_lines_are_not_documented_yet says to move them into COMMANDS.
AWAITING_README: list[str] = []

OPTION = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")
CHOICE = re.compile(r'(--[a-z][a-z-]*)[ =]((?:"[^"]*"|[\w.-]+)(?:\|(?:"[^"]*"|[\w.-]+))+)')


def readme_commands() -> list[str]:
    """Each `marginalia ...` line of README.md's sh blocks, its continuation lines joined."""
    commands: list[str] = []
    in_block = False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_block = line.strip() == "```sh"
            continue
        if not in_block:
            continue
        text = line.split(" # ")[0].split("  #")[0].rstrip()
        if text.startswith("marginalia"):
            commands.append(text)
        elif commands and text.startswith(" ") and text.strip().startswith("["):
            commands[-1] += " " + text.strip()
    return commands


def documented(line: str) -> set[tuple[str, ...]]:
    """What a README template line promises: its subcommand, options and choice values."""
    words = line.split()
    sub = words[1] if len(words) > 1 and re.fullmatch(r"[a-zA-Z][\w-]*", words[1]) else ""
    found: set[tuple[str, ...]] = {(sub,)}
    found |= {(sub, option) for option in OPTION.findall(line) if option != "--db"}
    for option, values in CHOICE.findall(line):
        found |= {(sub, option, value.strip('"')) for value in values.split("|")}
    return found


def exercised(command: str) -> set[tuple[str, ...]]:
    """What a concrete command runs: its subcommand, options and the values it gives them."""
    words = shlex.split(command)
    sub = words[0] if words and not words[0].startswith("-") else ""
    found: set[tuple[str, ...]] = {(sub,)}
    for word, following in zip(words, [*words[1:], ""], strict=True):
        if OPTION.fullmatch(word):
            found |= {(sub, word), (sub, word, following)}
    return found


def _promised() -> set[tuple[str, ...]]:
    return set().union(*(documented(line) for line in readme_commands()))


def _ran(commands) -> set[tuple[str, ...]]:
    return set().union(*(exercised(command) for command in commands))


def test_every_documented_option_is_run_and_nothing_undocumented_is():
    promised, ran = _promised(), _ran(COMMANDS + SERVER_COMMANDS)
    elsewhere = {(sub,) for sub in RUN_ELSEWHERE}
    unrun = sorted(item for item in promised - ran - elsewhere if len(item) > 1 or item[0])
    unrun += sorted(item for item in elsewhere - ran if item not in promised)
    assert not unrun, (
        "README.md documents these, but no line of COMMANDS in tests/test_readme_commands.py "
        f"runs them: {unrun}; add a line that runs each (or, for what cannot run in this "
        "process, an entry in RUN_ELSEWHERE naming the test that runs it)"
    )
    # Values given to options that take any value (NAME, PATH) are not choices to document.
    extra = sorted(
        item
        for item in ran - promised
        if len(item) < 3 or any(p[:2] == item[:2] for p in promised if len(p) == 3)
    )
    assert not extra, (
        f"COMMANDS runs these, which README.md does not document: {extra}; document them in "
        "the README or drop the line"
    )


def test_awaiting_lines_are_not_documented_yet():
    promised = _promised()
    ready = sorted(item for item in _ran(AWAITING_README) - _ran(COMMANDS) if item in promised)
    assert not ready, (
        f"README.md now documents {ready}: move their lines from AWAITING_README into COMMANDS"
    )


@pytest.fixture
def inputs(tmp_path):
    """Input files of every format, made by exporting a seed project; a colleague's project."""
    files = tmp_path / "files"
    files.mkdir()
    for name, export in (
        ("ls.json", export_labelstudio),
        ("c.conll", export_conll),
        ("brat", export_brat),
        ("q.qdpx", export_refi),
    ):
        # One seed project per format: each file's article is its own (CoNLL rebuilds texts).
        seed, _ = open_project(tmp_path / f"seed-{name}.sqlite", default_schema_path())
        seed.add_articles([ArticleDraft(f"Nino met Amélie in Tbilisi ({name}).", name)])
        seed.add_span(seed.article_id(name), 0, 4, "Person", "ana")
        export(seed, files / name)
        seed.close()
    folder = files / "txt"
    folder.mkdir()
    (folder / "001_00000000000000aa.txt").write_text(" date 2024-05-20 BAKU. Text one.")
    (folder / "two.txt").write_text("Headline\n\nBody ✓ two, Tbilisi.", encoding="utf-8")
    (files / "one.txt").write_text("Amélie in Tbilisi again.", encoding="utf-8")
    (files / "a.jsonl").write_text(
        '{"uid": "j1", "text": "Nino in Tbilisi.", "spans": [{"start": 0, "end": 4, '
        '"label": "Person", "quote": "Nino", "annotator": "bo"}], "tags": [{"label": '
        '"Diplomacy", "annotator": "ana"}], "status": {"ana": "done", "bo": "in progress"}}\n',
        encoding="utf-8",
    )
    (files / "doccano.txt").write_text(
        '{"text": "Cairo and Baku.", "label": [[0, 5, "Location"]]}\n', encoding="utf-8"
    )
    (files / "a.csv").write_text(
        "key,body,headline,day,outlet,link\nk1,Baku news from Tbilisi.,Baku,2024-05-01,feed,"
        "https://example.org/1\n",
        encoding="utf-8",
    )
    colleague, _ = open_project(tmp_path / "colleague.sqlite", default_schema_path())
    colleague.add_articles([ArticleDraft("A colleague's article about Cairo.", "c1")])
    colleague.add_span(colleague.article_id("c1"), 28, 33, "Location", "bo")
    colleague.close()
    return {
        "txt_folder": folder,
        "txt_file": files / "one.txt",
        "jsonl": files / "a.jsonl",
        "csv": files / "a.csv",
        "labelstudio": files / "ls.json",
        "conll": files / "c.conll",
        "brat": files / "brat",
        "qdpx": files / "q.qdpx",
        "doccano_txt": files / "doccano.txt",
        "colleague": tmp_path / "colleague.sqlite",
        "stop_words": _stop_words(files),
        "gazetteer": _write(
            files / "names.tsv", "# people and places\nNino\tPerson\nTbilisi\tLocation\n"
        ),
        "gazetteer_csv": _write(files / "names.csv", "term,label\nBaku,Location\n"),
        "python": sys.executable,
        "recommender": README.parent / "resources" / "recommenders" / "dates_money.py",
    }


def _write(path: Path, text: str) -> Path:
    """A small input file with this text (UTF-8)."""
    path.write_text(text, encoding="utf-8")
    return path


def _stop_words(folder: Path) -> Path:
    """A stop-word file for `suggest --learn --stop-words`: one word per line."""
    path = folder / "stop.txt"
    path.write_text("Baku\nthe\n", encoding="utf-8")
    return path


def _newest_batch(db: Path) -> str:
    """The uuid of the project's newest annotate-all batch (what `--undo BATCH` is given)."""
    store, _ = open_project(db, default_schema_path())
    try:
        return store.batches(limit=1)[0].uuid
    finally:
        store.close()


def _run_all(commands, inputs, tmp_path, capsys):
    db = tmp_path / "P.sqlite"
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    failures = []
    for template in commands:
        newest = list_backups(db)[0].path.name if "{newest_backup}" in template else ""
        batch = _newest_batch(db) if "{newest_batch}" in template else ""
        command = template.format(**inputs, out=out, newest_backup=newest, newest_batch=batch)
        code = main(["--db", str(db), *shlex.split(command)])
        err = capsys.readouterr().err
        if code != 0:
            failures.append(f"marginalia {command}: exit {code}: {err.strip()}")
    assert not failures, "\n".join(failures)


def test_every_readme_command_runs(inputs, tmp_path, capsys):
    _run_all(COMMANDS, inputs, tmp_path, capsys)


def test_the_awaiting_lines_run_too(inputs, tmp_path, capsys):
    _run_all(["import {jsonl}", *AWAITING_README], inputs, tmp_path, capsys)


def test_every_readme_server_command_runs(pg_server, pg_database, tmp_path, capsys, monkeypatch):
    from urllib.parse import quote

    admin = pg_server.url(pg_database)
    ana = pg_server.url(pg_database, "ana", SERVER_PASSWORD)
    adam = pg_server.url(pg_database, "adam", SERVER_PASSWORD)
    # ana's project, with an article and a span of hers for `sync` to push.
    project = tmp_path / "ana.sqlite"
    store, _ = open_project(project, default_schema_path())
    store.add_articles([ArticleDraft("Nino met Amélie in Tbilisi.", "s1")])
    store.add_span(store.article_id("s1"), 0, 4, "Person", "ana")
    store.close()
    open_project(tmp_path / "adam.sqlite", default_schema_path())[0].close()
    monkeypatch.setenv("PGPASSWORD", SERVER_PASSWORD)  # `sync` without a URL: libpq's way
    failures = []
    for template in SERVER_COMMANDS:
        command = template.format(
            admin=shlex.quote(admin),
            ana=shlex.quote(ana),
            adam=shlex.quote(adam),
            schema_file=shlex.quote(str(default_schema_path())),  # `server init --schema`
            seed_project=shlex.quote(str(tmp_path / "adam.sqlite")),  # `--from-project`
        )
        monkeypatch.setattr("sys.stdin", io.StringIO(SERVER_PASSWORD + "\n"))
        whose = tmp_path / "adam.sqlite" if "{adam}" in template else project
        code = main(["--db", str(whose), *shlex.split(command)])
        out, err = capsys.readouterr()
        if code != 0:
            failures.append(f"marginalia {template}: exit {code}: {err.strip()} {out.strip()}")
        # The password never appears in what a command prints.
        assert SERVER_PASSWORD not in out + err
        assert quote(SERVER_PASSWORD) not in out + err
    assert not failures, "\n".join(failures)
