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
- a merge (one transaction) is all or nothing.

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
from desktop_app.core.store import Store, new_uuid  # noqa: E402

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
    store = Store.open(project)
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
        if fields == ["ok"]:
            if out:
                out[-1] = (out[-1][0], True)
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

    def summary(self) -> str:
        """One paragraph for the terminal."""
        inside = ", ".join(f"{kind} {n}" for kind, n in sorted(self.interrupted.items()))
        return (
            f"{self.kills} kills, {self.acknowledged} acknowledged operations checked, "
            f"{len(self.lost)} lost, {len(self.integrity_failures)} integrity failures, "
            f"{self.reruns} interrupted imports completed by a re-run, {self.seconds:.1f} s; "
            f"kills inside an operation: {inside or 'none'}"
        )


def setup(project: Path, seed: int) -> None:
    """A project with labels and some articles for the writer to annotate."""
    rng = random.Random(seed)
    store = Store.open(project)
    store.apply_schema(LabelSchema("crash", tuple(Label(name) for name in LABELS)))
    store.add_articles([ArticleDraft(_text(rng, n), f"base-{n}") for n in range(ARTICLES)])
    store.close()


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
            time.sleep(rng.uniform(0.005, max_delay))
            alive = process.poll() is None
            process.send_signal(signal.SIGKILL)
            code = process.wait()
        if not alive or code != -signal.SIGKILL:
            # A writer that stopped by itself (an exception) is a failure, not a kill.
            report.lost.append(
                f"kill {kill}: the writer exited by itself: {errors.read_text()[-500:]}"
            )
        found = check(project, log_path, truth)
        if found.interrupted:
            report.interrupted[found.interrupted] = report.interrupted.get(found.interrupted, 0) + 1
        report.kills += 1
        report.acknowledged += found.acknowledged
        report.reruns += found.reruns
        report.lost += [f"kill {kill}: {what}" for what in found.lost]
        report.integrity_failures += [f"kill {kill}: {what}" for what in found.integrity]
    report.seconds = time.perf_counter() - started
    return report


def main() -> int:
    """Run the harness (or, with --writer, be the writer it kills)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=0.6, help="seconds before a kill")
    parser.add_argument("--writer", nargs=3, metavar=("PROJECT", "LOG", "SEED"))
    args = parser.parse_args()
    if args.writer:
        writer(Path(args.writer[0]), Path(args.writer[1]), int(args.writer[2]))
        return 0
    with tempfile.TemporaryDirectory(prefix="marginalia-crash-") as workdir:
        report = run(args.kills, args.seed, Path(workdir), args.max_delay)
    print(report.summary())
    for line in (report.lost + report.integrity_failures)[:20]:
        print(f"  {line}")
    return 0 if not report.lost and not report.integrity_failures else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
