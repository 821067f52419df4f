"""Crash harness: a writer doing random edits, imports and merges is killed (SIGKILL) at random
moments; after each kill the project must check out and hold every acknowledged edit.

The writer logs each operation twice: an intent line before it starts, and an "ok" line after
the store's call returned (the commit is on disk then). The OS keeps what a killed process
wrote to the log, so after a kill every "ok" line is an acknowledged edit; at most the last
intent is unacknowledged, and it may or may not have landed. The checker then verifies:

- `PRAGMA integrity_check`, the offset rule and the search index are sound;
- every acknowledged span, relabel and deletion is there;
- an import is never half an article (each article has all its spans), and re-running an
  interrupted import completes it with no duplicates;
- a merge (one transaction) is all or nothing;
- an export killed half-way leaves no half file at its output path, an acknowledged one is
  whole, and an export aimed at the project itself (its file, a hard link to it, its WAL or
  its backups folder) is refused and changes nothing;
- a second writer reaching the project through a hard-linked name is refused while the
  first one runs (one writer per file, whatever path reaches it);
- a migration killed half-way leaves the project openable, and opening it again completes
  the migration with every article and span there (`--migration-kills`).

    python bench/crash.py --kills 500            # the full run (a few minutes)
    python bench/crash.py --kills 20 --seed 7    # what the test suite runs
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.core.importing import import_paths  # noqa: E402
from desktop_app.core.merging import merge_path  # noqa: E402
from desktop_app.core.model import ArticleDraft, Label, LabelSchema  # noqa: E402
from desktop_app.core.store import ProjectLocked, Store, StoreError, new_uuid  # noqa: E402

LABELS = ("Person", "Place", "Claim", "Quote")
WORDS = [
    "the",
    "minister",
    "said",
    "prices",
    "in",
    "Tbilisi",
    "and",
    "Baku",
    "would",
    "rise",
    "👍🏽",
    "北京",
    "مرحبا",
    "next",
    "year",
]
ARTICLES = 60  # in the project from the start
IMPORT_SIZE = 40  # articles per imported file, 3 spans each
MERGE_SIZE = 15  # articles per merged file, 2 spans each


# ---------------------------------------------------------------------------------- writer


def _text(rng: random.Random, n: int) -> str:
    return f"Article {n}. " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 80)))


def _write_import(path: Path, tag: str, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(IMPORT_SIZE):
            text = _text(rng, n)
            spans = [
                {"start": k * 3, "end": k * 3 + 2, "label": LABELS[k], "annotator": "imp"}
                for k in range(3)
            ]
            out.write(json.dumps({"uid": f"{tag}-{n}", "text": text, "spans": spans}) + "\n")


def _write_merge(path: Path, tag: str, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(MERGE_SIZE):
            text = _text(rng, n)
            spans = [
                {"uuid": f"{tag}-{n}-{k}", "start": k, "end": k + 3, "label": LABELS[k],
                 "annotator": "colleague", "created_at": "2026-01-01T00:00:00.000+00:00",
                 "updated_at": "2026-01-01T00:00:00.000+00:00"}
                for k in range(2)
            ]  # fmt: skip
            out.write(json.dumps({"uid": f"{tag}-{n}", "text": text, "spans": spans}) + "\n")


def writer(project: Path, log_path: Path, seed: int) -> None:
    """Edit the project forever (until killed), logging intents and acknowledgements."""
    rng = random.Random(seed)
    try:
        store = Store.open(project)
    except ProjectLocked:
        print("locked", flush=True)  # the one-writer rule held: what the driver expects
        return
    log = log_path.open("a", encoding="utf-8", buffering=1)  # a line reaches the OS at once

    def say(*fields: object) -> None:
        log.write("\t".join(str(f) for f in fields) + "\n")

    articles = [row[0] for row in store.db.conn.execute("SELECT id FROM articles LIMIT 500")]
    live = [
        row[0]
        for row in store.db.conn.execute(
            "SELECT uuid FROM spans WHERE deleted = 0 AND annotator = 'ana'"
        )
    ]  # its own: imported and merged spans are checked as they came
    print("ready", flush=True)
    step = 0
    while True:
        step += 1
        roll = rng.random()
        if roll < 0.55 or not live:
            article = rng.choice(articles)
            text = store.article(article).text
            start = rng.randrange(0, len(text) - 5)
            uuid, label = new_uuid(), rng.choice(LABELS)
            say("add", uuid, label)
            store.add_span(article, start, start + rng.randint(1, 5), label, "ana", span_uuid=uuid)
            say("ok")
            live.append(uuid)
        elif roll < 0.75:
            uuid, label = rng.choice(live), rng.choice(LABELS)
            say("relabel", uuid, label)
            store.update_span(uuid, label=label)
            say("ok")
        elif roll < 0.87:
            uuid = live.pop(rng.randrange(len(live)))
            say("delete", uuid)
            store.update_span(uuid, deleted=True)
            say("ok")
        elif roll < 0.89:
            out = log_path.with_name(f"exp{seed}x{step}.jsonl")
            say("export", out)
            code = _cli_export(project, out)
            say("ok", code)
        elif roll < 0.90:
            target = rng.choice(_hostile_outputs(project))
            say("hostile-export", target)
            code = _cli_export(project, target)
            say("ok", code)
        elif roll < 0.95:
            tag = f"imp{seed}x{step}"
            path = log_path.with_name(f"{tag}.jsonl")
            _write_import(path, tag, rng)
            say("import", tag, path)
            import_paths(store, [path], batch_seconds=0.01)
            say("ok")
        else:
            tag = f"mrg{seed}x{step}"
            path = log_path.with_name(f"{tag}.jsonl")
            _write_merge(path, tag, rng)
            say("merge", tag, path)
            merge_path(store, path)
            say("ok")


def _cli_export(project: Path, out: Path) -> int:
    """A reading command beside the writer, as an analyst runs it: `marginalia export`."""
    import contextlib
    import io

    from desktop_app import cli

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return cli.main(["export", "--db", str(project), "--format", "jsonl", "-o", str(out)])


def hard_link(project: Path) -> Path:
    """A second name for the project file (made once; the same inode)."""
    link = project.with_name("linked-" + project.name)
    if not link.exists():
        os.link(project, link)
    return link


def _hostile_outputs(project: Path) -> list[Path]:
    """Output paths that are the project under another name: each must be refused."""
    return [
        project,
        hard_link(project),
        Path(f"{project}-wal"),
        project.with_name(project.name + ".backups"),
        project.with_name(project.name + ".backups") / "x.jsonl",
    ]


# ---------------------------------------------------------------------------------- checker


@dataclass
class Truth:
    """What the project must hold, as acknowledged so far (and checked after each kill)."""

    labels: dict[str, str] = field(default_factory=dict)  # live span uuid -> label
    deleted: set[str] = field(default_factory=set)
    imports: dict[str, Path] = field(default_factory=dict)  # tag -> file, all acknowledged
    merges: set[str] = field(default_factory=set)


@dataclass
class Round:
    """One kill: what was acknowledged, and what the check found wrong."""

    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged edits that are not there
    integrity: list[str] = field(default_factory=list)
    reruns: int = 0  # interrupted imports completed by a re-run
    interrupted: str = ""  # the operation the kill landed in ("" between operations)


def _entries(log_path: Path) -> list[tuple[list[str], bool]]:
    """(intent fields, acknowledged) per operation in the log."""
    out: list[tuple[list[str], bool]] = []
    for line in log_path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if fields[0] == "ok":  # an acknowledgement, with what the operation returned
            if out:
                out[-1] = (out[-1][0] + fields[1:], True)
        elif fields and fields[0]:
            out.append((fields, False))
    return out


def check(project: Path, log_path: Path, truth: Truth) -> Round:
    """Verify the project after a kill against the truth and this round's log; update truth."""
    result = Round()
    store = Store.open(project)  # also proves the killed writer's lock is gone
    try:
        result.integrity = store.check(full=True)
        spans = {
            row[0]: (row[1], bool(row[2]))
            for row in store.db.conn.execute("SELECT uuid, label, deleted FROM spans")
        }
        entries = _entries(log_path)
        if any(not acked for _, acked in entries[:-1]):
            result.lost.append("an operation before the last was never acknowledged")
        if entries and not entries[-1][1]:
            result.interrupted = entries[-1][0][0]
        for fields, acked in entries:
            kind = fields[0]
            result.acknowledged += acked
            if kind == "add":
                uuid, label = fields[1], fields[2]
                if acked or uuid in spans:
                    truth.labels[uuid] = label
            elif kind == "relabel" and (acked or spans.get(fields[1], ("",))[0] == fields[2]):
                truth.labels[fields[1]] = fields[2]
            elif kind == "delete" and (acked or spans.get(fields[1], ("", False))[1]):
                truth.labels.pop(fields[1], None)
                truth.deleted.add(fields[1])
            elif kind == "import":
                if not acked:
                    # Interrupted: what landed must be whole articles (batches commit whole),
                    # and a re-run must complete it without duplicates.
                    result.lost += _imports_whole(store, {fields[1]}, partial=True)
                    import_paths(store, [Path(fields[2])])
                    result.reruns += 1
                truth.imports[fields[1]] = Path(fields[2])
            elif kind == "export":
                result.lost += _export_whole(Path(fields[1]), acked, fields[2:])
            elif kind == "hostile-export" and acked and fields[2:] != ["1"]:
                result.lost.append(f"an export to {fields[1]} was not refused: {fields[2:]}")
            elif kind == "merge":
                merged = sum(1 for uuid in spans if uuid.startswith(fields[1] + "-"))
                if merged not in (0, 2 * MERGE_SIZE):
                    result.lost.append(f"merge {fields[1]} half applied ({merged} spans)")
                if acked or merged:
                    truth.merges.add(fields[1])
        for uuid, label in truth.labels.items():
            if uuid not in spans or spans[uuid] != (label, False):
                result.lost.append(f"span {uuid}: expected live {label}, found {spans.get(uuid)}")
        for uuid in truth.deleted:
            if uuid in spans and not spans[uuid][1]:
                result.lost.append(f"span {uuid}: deleted, found live")
        result.lost += _imports_whole(store, set(truth.imports))
        for tag in truth.merges:
            count = store.db.conn.execute(
                "SELECT count(*) FROM spans WHERE uuid LIKE ? || '-%'", (tag,)
            ).fetchone()[0]
            if count != 2 * MERGE_SIZE:
                result.lost.append(f"merge {tag}: {count} of {2 * MERGE_SIZE} spans")
    finally:
        store.close()
    return result


def _export_whole(out: Path, acked: bool, code: list[str]) -> list[str]:
    """An acknowledged export is whole; an interrupted one left nothing half-written."""
    if acked and code != ["0"]:
        return [f"export {out.name} failed with exit code {code}"]
    if not out.exists():
        return [f"export {out.name}: acknowledged but not there"] if acked else []
    try:
        text = out.read_text(encoding="utf-8")
        lines = text.splitlines()
        for line in lines:
            json.loads(line)
    except (ValueError, OSError) as error:
        return [f"export {out.name}: half written ({error})"]
    if not text.endswith("\n") or len(lines) < ARTICLES:
        return [f"export {out.name}: half written ({len(lines)} lines)"]
    return []


def _imports_whole(store: Store, tags: set[str], partial: bool = False) -> list[str]:
    """Each import: every article once with exactly its 3 spans (and, unless `partial`, all
    of its articles there)."""
    wrong = []
    for tag in tags:
        rows = store.db.conn.execute(
            "SELECT a.uid, (SELECT count(*) FROM spans s WHERE s.article = a.id "
            "AND s.deleted = 0 AND s.annotator = 'imp') FROM articles a "
            "WHERE a.uid LIKE ? || '-%'",
            (tag,),
        ).fetchall()
        if (len(rows) != IMPORT_SIZE and not partial) or any(count != 3 for _, count in rows):
            wrong.append(
                f"import {tag}: {len(rows)} articles, spans {sorted({c for _, c in rows})}"
            )
    return wrong


# ---------------------------------------------------------------------------------- driver


@dataclass
class Report:
    """The harness's figures."""

    kills: int = 0
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    integrity_failures: list[str] = field(default_factory=list)
    reruns: int = 0
    seconds: float = 0.0
    interrupted: dict[str, int] = field(default_factory=dict)  # kills landed inside, by kind
    second_writers: int = 0  # writers started through a hard link while one ran (refused)
    migration_kills: int = 0  # kills of a process migrating an older project

    def summary(self) -> str:
        """One paragraph for the terminal."""
        inside = ", ".join(f"{kind} {n}" for kind, n in sorted(self.interrupted.items()))
        return (
            f"{self.kills} kills, {self.acknowledged} acknowledged operations checked, "
            f"{len(self.lost)} lost, {len(self.integrity_failures)} integrity failures, "
            f"{self.reruns} interrupted imports completed by a re-run, {self.seconds:.1f} s; "
            f"kills inside an operation: {inside or 'none'}; "
            f"second writers through a hard link refused: {self.second_writers}; "
            f"kills during a migration: {self.migration_kills}"
        )


def setup(project: Path, seed: int) -> None:
    """A project with labels and some articles for the writer to annotate."""
    rng = random.Random(seed)
    store = Store.open(project)
    store.apply_schema(LabelSchema("crash", tuple(Label(name) for name in LABELS)))
    store.add_articles([ArticleDraft(_text(rng, n), f"base-{n}") for n in range(ARTICLES)])
    store.close()
    hard_link(project)


def run(kills: int, seed: int, workdir: Path, max_delay: float = 0.6) -> Report:
    """Kill a writer `kills` times at random moments, checking the project after each."""
    started = time.perf_counter()
    rng = random.Random(seed)
    project = workdir / "crash.sqlite"
    setup(project, seed)
    truth, report = Truth(), Report()
    for kill in range(kills):
        log_path = workdir / f"round-{kill}.log"
        errors = log_path.with_suffix(".err")
        with errors.open("w", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--writer", str(project),
                 str(log_path), str(seed * 100_003 + kill)],
                stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=ROOT,
            )  # fmt: skip
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                process.kill()
                raise RuntimeError(f"the writer did not start: {errors.read_text()[-500:]}")
            if kill % 4 == 0:
                report.second_writers += 1
                found_second = _second_writer(project, log_path, seed, kill)
                if found_second:
                    report.lost.append(f"kill {kill}: {found_second}")
            time.sleep(rng.uniform(0.005, max_delay))
            alive = process.poll() is None
            process.send_signal(signal.SIGKILL)
            code = process.wait()
        if not alive or code != -signal.SIGKILL:
            # A writer that stopped by itself (an exception) is a failure, not a kill.
            report.lost.append(
                f"kill {kill}: the writer exited by itself: {errors.read_text()[-500:]}"
            )
        try:
            found = check(project, log_path, truth)
        except StoreError as error:  # the project no longer opens: nothing more to check
            report.kills += 1
            report.integrity_failures.append(f"kill {kill}: the project does not open: {error}")
            break
        if found.interrupted:
            report.interrupted[found.interrupted] = report.interrupted.get(found.interrupted, 0) + 1
        report.kills += 1
        report.acknowledged += found.acknowledged
        report.reruns += found.reruns
        report.lost += [f"kill {kill}: {what}" for what in found.lost]
        report.integrity_failures += [f"kill {kill}: {what}" for what in found.integrity]
    report.seconds = time.perf_counter() - started
    return report


def _second_writer(project: Path, log_path: Path, seed: int, kill: int) -> str:
    """Start a writer through the project's hard-linked name while one runs: "" when it is
    refused, else what went wrong (two writers on one file corrupt it)."""
    second = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--writer", str(hard_link(project)),
         str(log_path.with_suffix(".second.log")), str(seed * 7 + kill)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )  # fmt: skip
    assert second.stdout is not None
    said = second.stdout.readline().strip()
    second.kill()
    second.wait()
    return "" if said == "locked" else f"a second writer through a hard link was let in ({said!r})"


# ------------------------------------------------------------------------- migrations


OLD_ARTICLES = 3000  # in the schema-1 project a migration upgrades
OLD_SPANS = 4  # per article


def old_project(path: Path, seed: int) -> tuple[int, int]:
    """A project at schema 1 (the first release) with articles and spans; (articles, spans)."""
    from sqlite_utils import Database

    from desktop_app.core.migrations import MIGRATIONS

    rng = random.Random(seed)
    db = Database(path)
    with db.atomic():
        MIGRATIONS[0][1](db)
        db.conn.execute("PRAGMA user_version = 1")
        for name in LABELS:
            db.execute(
                "INSERT INTO labels (name, kind, color) VALUES (?, 'span', '#cccccc')", [name]
            )
        stamp = "2025-01-01T00:00:00.000+00:00"
        for n in range(OLD_ARTICLES):
            text = _text(rng, n)
            db.execute(
                "INSERT INTO articles (id, uid, text, text_sha256, imported_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [n + 1, f"old-{n}", text, f"sha-{n}", stamp],
            )
            for k in range(OLD_SPANS):
                start = rng.randrange(0, len(text) - 5)
                db.execute(
                    'INSERT INTO spans (uuid, article, annotator, label, start, "end", quote, '
                    "created_at, updated_at) VALUES (?, ?, 'ana', ?, ?, ?, ?, ?, ?)",
                    [f"old-{n}-{k}", n + 1, LABELS[k], start, start + 4,
                     text[start:start + 4], stamp, stamp],
                )  # fmt: skip
    db.close()
    return OLD_ARTICLES, OLD_ARTICLES * OLD_SPANS


def _migrate_once(project: Path) -> None:
    """Be the process a migration kill ends: open (and so migrate) the project."""
    print("opening", flush=True)
    Store.open(project).close()
    print("migrated", flush=True)


def check_migrated(project: Path, articles: int, spans: int) -> list[str]:
    """After a kill during a migration: the project opens (finishing the migration), checks
    out in full, and holds every article and span it held before."""
    from desktop_app.core.migrations import latest_version

    store = Store.open(project)
    try:
        problems = store.check(full=True)
        held = store._one("SELECT count(*) FROM articles")
        live = store._one("SELECT count(*) FROM spans WHERE deleted = 0")
        version = store._one("PRAGMA user_version")
    finally:
        store.close()
    if (held, live) != (articles, spans):
        problems.append(f"{held} of {articles} articles, {live} of {spans} spans after migrating")
    if version != latest_version():
        problems.append(f"schema {version} after reopening, not {latest_version()}")
    return problems


def run_migrations(kills: int, seed: int, workdir: Path, report: Report) -> None:
    """Kill a process `kills` times while it migrates a copy of a schema-1 project."""
    import shutil

    rng = random.Random(seed)
    template = workdir / "old-template.sqlite"
    articles, spans = old_project(template, seed)
    command = [sys.executable, str(Path(__file__).resolve()), "--migrate"]
    # How long one migration takes, so kills land inside it.
    first = workdir / "old-timed.sqlite"
    shutil.copy(template, first)
    started = time.perf_counter()
    subprocess.run([*command, str(first)], check=True, capture_output=True, cwd=ROOT)
    span = time.perf_counter() - started
    for kill in range(kills):
        project = workdir / f"old-{kill}.sqlite"
        shutil.copy(template, project)
        process = subprocess.Popen(
            [*command, str(project)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, cwd=ROOT,
        )  # fmt: skip
        assert process.stdout is not None
        process.stdout.readline()  # "opening": the interpreter is up
        time.sleep(rng.uniform(0.0, span * 0.8))
        process.send_signal(signal.SIGKILL)
        process.wait()
        report.migration_kills += 1
        report.integrity_failures += [
            f"migration kill {kill}: {what}" for what in check_migrated(project, articles, spans)
        ]
        shutil.rmtree(project.with_name(project.name + ".backups"), ignore_errors=True)
        for leftover in workdir.glob(f"old-{kill}.sqlite*"):
            if leftover.is_file():
                leftover.unlink()


def main() -> int:
    """Run the harness (or, with --writer, be the writer it kills)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=0.6, help="seconds before a kill")
    parser.add_argument(
        "--migration-kills",
        type=int,
        default=None,
        help="kills during a migration of an older project (default: a tenth of --kills)",
    )
    parser.add_argument("--writer", nargs=3, metavar=("PROJECT", "LOG", "SEED"))
    parser.add_argument("--migrate", metavar="PROJECT")
    args = parser.parse_args()
    if args.writer:
        writer(Path(args.writer[0]), Path(args.writer[1]), int(args.writer[2]))
        return 0
    if args.migrate:
        _migrate_once(Path(args.migrate))
        return 0
    migration_kills = args.kills // 10 if args.migration_kills is None else args.migration_kills
    with tempfile.TemporaryDirectory(prefix="marginalia-crash-") as workdir:
        report = run(args.kills, args.seed, Path(workdir), args.max_delay)
        started = time.perf_counter()
        run_migrations(migration_kills, args.seed, Path(workdir), report)
        report.seconds += time.perf_counter() - started
    print(report.summary())
    for line in (report.lost + report.integrity_failures)[:20]:
        print(f"  {line}")
    return 0 if not report.lost and not report.integrity_failures else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
