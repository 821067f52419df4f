"""Team-server sync under load and faults: analyst processes editing and syncing, SIGKILLs,
a server restart; then every project must equal the server, with 0 lost and 0 duplicated.

Also the figures: a push of 1,000 edits and a pull of 1,000 changes; the first sync of an empty
project with a server holding 100,000 articles and 1,000,000 spans (seeded on the server
directly); and edit to colleague, through the colleague's live listener (LISTEN/NOTIFY). Needs
PostgreSQL's server binaries (tests/pg_server.py finds them).
`python bench/sync.py [--analysts N] [--edits E] [--corpus N] [--only figures,corpus,...]`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (ROOT, ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from desktop_app.core.model import ArticleDraft, Label, LabelSchema  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core.sync.client import sync  # noqa: E402

SCHEMA = LabelSchema(
    "bench", (Label("Person", "span", "#ffadad"), Label("Energy", "document", "#caffbf"))
)
PARTS = ("figures", "corpus", "latency", "faults")
HINT_DELAY = 0.05  # the window pulls this soon after a hint (ui/team_actions.AFTER_HINT_MS)
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
         "lambda", "mu")  # fmt: skip


def _articles(n: int) -> list[ArticleDraft]:
    rng = random.Random(7)
    return [
        ArticleDraft(" ".join(rng.choice(WORDS) for _ in range(80)), f"art-{i}") for i in range(n)
    ]


def _project(path: Path, articles: int = 0) -> Store:
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    if articles:
        store.add_articles(_articles(articles))
    return store


def _team(server, database: str, names: list[str]) -> str:  # type: ignore[no-untyped-def]
    from desktop_app.core.sync.server_admin import add_analyst
    from desktop_app.core.sync.server_schema import init_server

    admin = server.url(database)
    init_server(admin)
    for name in names:
        add_analyst(admin, name, f"{name}-pw", adjudicator=False)
    return admin


def _url(server, database: str, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(server.url(database, name, f"{name}-pw"))


def _edit(store: Store, name: str, rng: random.Random) -> None:
    """One random edit of the analyst's own work."""
    ids = [r[0] for r in store.db.conn.execute("SELECT id FROM articles")]
    if not ids:
        return
    article = rng.choice(ids)
    mine = [s for s in store.spans(article, name)]
    roll = rng.random()
    if roll < 0.45 or not mine:
        start = rng.randrange(0, 400)
        store.add_span(article, start, start + rng.randrange(1, 20), "Person", name)
    elif roll < 0.7:
        store.update_span(rng.choice(mine).uuid, note=f"note {rng.random():.6f}")
    elif roll < 0.85:
        store.update_span(rng.choice(mine).uuid, deleted=True)
    elif roll < 0.95:
        store.set_tag(article, "Energy", name, rng.random() < 0.6)
    else:
        store.set_status(article, name, rng.choice(["todo", "in progress", "done"]))


def worker(url: str, path: str, name: str, edits: int, seed: int) -> None:
    """Make `edits` random edits, syncing at random moments (a server down is just offline)."""
    rng = random.Random(seed)
    store = Store.open(path)
    try:
        for _ in range(edits):
            _edit(store, name, rng)
            if rng.random() < 0.15:
                try:
                    sync(store, url)
                except Exception:  # the server restarting: offline, edits wait
                    time.sleep(0.05)
        with contextlib.suppress(Exception):  # offline at the end: the next run pushes
            sync(store, url)
    finally:
        store.close()


def faults(server, workdir: Path, analysts: int, edits: int, runs: int, seed: int) -> dict:  # type: ignore[no-untyped-def]
    """Analyst processes editing and syncing with SIGKILLs and a server restart; the result."""
    from sync_helpers import live_annotations  # tests/sync_helpers.py

    database = server.fresh_database()
    names = [f"analyst{i}" for i in range(analysts)]
    _team(server, database, names)
    rng = random.Random(seed)
    paths = {}
    seeder = _project(workdir / "seed.sqlite", articles=20)
    sync(seeder, _url(server, database, names[0]))
    seeder.close()
    for name in names:
        paths[name] = workdir / f"{name}.sqlite"
        store = _project(paths[name])
        sync(store, _url(server, database, name))
        store.close()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    todo = {name: runs for name in names}
    running: dict[str, subprocess.Popen[bytes]] = {}
    born: dict[str, float] = {}
    kills = 0
    restarted = False
    ended, total = 0, analysts * runs
    started = time.perf_counter()
    while todo or running:
        for name in list(todo):
            if name not in running:
                todo[name] -= 1
                if todo[name] == 0:
                    del todo[name]
                born[name] = time.perf_counter()
                running[name] = subprocess.Popen(
                    [sys.executable, __file__, "--worker", _url(server, database, name),
                     str(paths[name]), name, str(edits), str(rng.randrange(10**9))],
                    env=env,
                )  # fmt: skip
        time.sleep(rng.uniform(0.05, 0.3))
        # A worker needs a second to start; kill only those at work (mid-edit or mid-sync).
        busy = [n for n in running if time.perf_counter() - born[n] > 1.5]
        if busy and rng.random() < 0.1:
            running[rng.choice(busy)].send_signal(signal.SIGKILL)
            kills += 1
        # Mid-run: after 3 s, or once half the runs ended (a small run can end in 3 s).
        if not restarted and (time.perf_counter() - started > 3.0 or ended * 2 >= total):
            server.restart()
            restarted = True
        for name, proc in list(running.items()):
            if proc.poll() is not None:
                del running[name]
                ended += 1
    # Everyone syncs twice more: the first round pushes, the second brings the rest.
    stores = [Store.open(paths[name]) for name in names]
    try:
        for _ in range(2):
            for store, name in zip(stores, names, strict=True):
                sync(store, _url(server, database, name))
        server_rows = _server_rows(server, database)
        want = live_annotations(server_rows)
        differ = sum(live_annotations(s.sync_checksum()) != want for s in stores)
        lost = duplicated = 0
        for store, name in zip(stores, names, strict=True):
            mine = store.sync_checksum()
            for table in ("spans", "tags", "relations"):
                own = {r for r in mine[table] if r[1] == name}
                on_server = {r for r in server_rows[table] if r[1] == name}
                lost += len(own - on_server)
                duplicated += len(on_server - own)
        spans = sum(1 for r in server_rows["spans"])
        uuids = len({r[0] for r in server_rows["spans"]})
        duplicated += spans - uuids
        pending = sum(s.sync_settings().pending for s in stores)
    finally:
        for store in stores:
            store.close()
    return {
        "analysts": analysts,
        "edits_per_run": edits,
        "runs": runs,
        "sigkills": kills,
        "server_restarts": int(restarted),
        "projects_differing": differ,
        "lost": lost,
        "duplicated": duplicated,
        "pending_after": pending,
        "spans_on_server": spans,
    }


def _server_rows(server, database: str) -> dict:  # type: ignore[no-untyped-def]
    from desktop_app.core.store.sync_state import TRACKED, fields, normalized

    out = {}
    with server.admin(database) as conn:
        for table in TRACKED:
            names = fields(table)
            cols = ", ".join(f'"{n}"' for n in names)
            rows = conn.execute(f"SELECT {cols} FROM marginalia.{table}").fetchall()
            out[table] = sorted(
                tuple(normalized(table, dict(zip(names, r, strict=True))).values()) for r in rows
            )
    return out


def figures(server, workdir: Path, n: int) -> dict:  # type: ignore[no-untyped-def]
    """Seconds for a push of n new spans, a push of n edits and a pull of n changes."""
    database = server.fresh_database()
    _team(server, database, ["ana", "bob"])
    ana = _project(workdir / "fig-ana.sqlite", articles=max(1, n // 10))
    bob = _project(workdir / "fig-bob.sqlite")
    try:
        sync(ana, _url(server, database, "ana"))
        sync(bob, _url(server, database, "bob"))
        ids = [r[0] for r in ana.db.conn.execute("SELECT id FROM articles")]
        uuids = [
            ana.add_span(ids[i % len(ids)], i // len(ids) * 5, i // len(ids) * 5 + 3, "Person",
                         "ana").uuid
            for i in range(n)
        ]  # fmt: skip
        began = time.perf_counter()
        pushed_new = sync(ana, _url(server, database, "ana")).pushed
        push_new = time.perf_counter() - began
        for uuid in uuids:
            ana.update_span(uuid, note="edited")
        began = time.perf_counter()
        pushed_edits = sync(ana, _url(server, database, "ana")).pushed
        push_edits = time.perf_counter() - began
        began = time.perf_counter()
        pulled = sync(bob, _url(server, database, "bob")).pulled
        pull = time.perf_counter() - began
    finally:
        ana.close()
        bob.close()
    return {
        f"push {n} new spans (s)": round(push_new, 3),
        f"push {n} edits (s)": round(push_edits, 3),
        f"pull {n} changes (s)": round(pull, 3),
        "pushed": pushed_new + pushed_edits,
        "pulled": pulled,
    }


def seed_corpus(server, database: str, articles: int, spans: int, annotator: str) -> None:  # type: ignore[no-untyped-def]
    """Put a corpus on the server quickly, as its superuser: COPY the articles, then all their
    spans (`spans` each, by `annotator`) in one INSERT ... SELECT. The per-row triggers stand
    aside (session_replication_role = replica), so this transaction sets the rows' version
    and moves the counter itself, once, as the triggers would have."""
    from desktop_app.core.text import text_sha256

    stamp = "2026-01-01T00:00:00.000+00:00"
    with server.admin(database) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        row = conn.execute(
            "UPDATE marginalia.change_counter SET version = version + 1, "
            "xact = pg_current_xact_id() RETURNING version"
        ).fetchone()
        version = int(row[0])
        columns = "uid, title, text, text_sha256, imported_at, added_by, version"
        with conn.cursor().copy(f"COPY marginalia.articles ({columns}) FROM STDIN") as copy:
            for draft in _articles(articles):
                copy.write_row((draft.uid, f"Article {draft.uid}", draft.text,
                                text_sha256(draft.text), stamp, annotator, version))  # fmt: skip
        # Quotes are cut from the text where the span is (substr counts code points).
        conn.execute(
            'INSERT INTO marginalia.spans (uuid, article_uid, annotator, label, start, "end", '
            "quote, created_at, updated_at, version) "
            "SELECT gen_random_uuid()::text, a.uid, %s, 'Person', k * 6, k * 6 + 5, "
            "substr(a.text, k * 6 + 1, 5), %s, %s, %s "
            "FROM marginalia.articles a CROSS JOIN generate_series(0, %s - 1) AS k",
            (annotator, stamp, stamp, version, spans),
        )
    with server.admin(database) as conn:
        conn.execute("ANALYZE marginalia.articles")
        conn.execute("ANALYZE marginalia.spans")


def first_sync(server, workdir: Path, articles: int, spans: int) -> dict:  # type: ignore[no-untyped-def]
    """Seconds for the first sync of an empty project with a server holding a corpus
    (`articles` articles with `spans` spans each, seeded on the server directly)."""
    database = server.fresh_database()
    _team(server, database, ["ana", "bob"])
    began = time.perf_counter()
    seed_corpus(server, database, articles, spans, "ana")
    seeded = time.perf_counter() - began
    bob = _project(workdir / "corpus-bob.sqlite")
    try:
        began = time.perf_counter()
        report = sync(bob, _url(server, database, "bob"))
        took = time.perf_counter() - began
        held = (bob.article_total(), int(bob._one("SELECT count(*) FROM spans")))
        problems = bob.check(full=True) if articles <= 1000 else []  # the full check is slow
    finally:
        bob.close()
    label = f"{articles} articles, {articles * spans} spans"
    return {
        f"first sync of {label} (s)": round(took, 2),
        "first sync rows per second": round(report.pulled / took) if took else 0,
        "corpus rows pulled": report.pulled,
        "corpus held (articles, spans)": list(held),
        "corpus problems": len(report.problems) + len(problems),
        "corpus seeding on the server (s)": round(seeded, 2),
    }


def latency(server, workdir: Path, edits: int) -> dict:  # type: ignore[no-untyped-def]
    """Edit to colleague: ana edits a span and syncs at once; bob's live listener (a thread,
    as the window's) hears the commit, waits as the window does, and pulls. Seconds from the
    edit's commit to bob's project holding it: the median, and the slowest."""
    from desktop_app.core.sync.live import listening

    database = server.fresh_database()
    _team(server, database, ["ana", "bob"])
    ana = _project(workdir / "live-ana.sqlite", articles=5)
    bob = _project(workdir / "live-bob.sqlite")
    stop, ready, arrived = threading.Event(), threading.Event(), threading.Event()
    wanted: dict[str, str] = {}
    errors: list[str] = []

    def colleague() -> None:
        try:
            with listening(_url(server, database, "bob")) as listener:
                ready.set()
                while not stop.is_set():
                    version = listener.wait(0.25)
                    if version is None or version <= bob.sync_settings().cursor:
                        continue
                    time.sleep(HINT_DELAY)
                    sync(bob, _url(server, database, "bob"))
                    if wanted and bob.span(wanted["uuid"]).note == wanted["note"]:
                        arrived.set()
        except Exception as error:  # reported, not lost with the thread
            errors.append(repr(error))
            ready.set()

    took = []
    thread = threading.Thread(target=colleague, name="bob's live updates")
    try:
        sync(ana, _url(server, database, "ana"))
        span = ana.add_span(1, 0, 5, "Person", "ana")
        sync(ana, _url(server, database, "ana"))
        sync(bob, _url(server, database, "bob"))
        thread.start()
        ready.wait(30)
        for i in range(edits):
            arrived.clear()
            wanted.update(uuid=span.uuid, note=f"edit {i}")
            ana.update_span(span.uuid, note=f"edit {i}")  # committed when it returns
            began = time.perf_counter()
            sync(ana, _url(server, database, "ana"))
            if not arrived.wait(30) or errors:
                raise RuntimeError(f"bob never got edit {i}: {errors}")
            took.append(time.perf_counter() - began)
            time.sleep(0.2)  # the next edit after bob is idle again
    finally:
        stop.set()
        if thread.is_alive():
            thread.join(10)
        ana.close()
        bob.close()
    return {
        "edit to colleague, median (s)": round(statistics.median(took), 3),
        "edit to colleague, slowest (s)": round(max(took), 3),
        "edits timed": len(took),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the figures and the fault run; print JSON; exit 1 if anything was lost."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--worker":
        url, path, name, edits, seed = args[1:6]
        worker(url, path, name, int(edits), int(seed))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--analysts", type=int, default=20)
    parser.add_argument("--edits", type=int, default=100, help="edits per worker run")
    parser.add_argument("--runs", type=int, default=5, help="worker runs per analyst")
    parser.add_argument("--changes", type=int, default=1000, help="size of the timed push/pull")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--corpus", type=int, default=100_000, help="articles of the first-sync figure (0: none)"
    )
    parser.add_argument("--corpus-spans", type=int, default=10, help="spans per corpus article")
    parser.add_argument("--latency-edits", type=int, default=20, help="edits timed to a colleague")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"the parts to run, of {','.join(PARTS)}"
    )
    parser.add_argument("--quick", action="store_true", help="a small size for CI and tests")
    parser.add_argument("--tiny", action="store_true", help="the smallest run (the test suite)")
    options = parser.parse_args(args)
    if options.quick:
        options.analysts, options.edits, options.runs, options.changes = 3, 15, 2, 100
        options.corpus, options.latency_edits = 1000, 5
    if options.tiny:
        options.analysts, options.edits, options.runs, options.changes = 2, 10, 2, 20
        options.corpus, options.latency_edits = 20, 3
    parts = [p for p in options.only.split(",") if p]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"--only: no part {unknown[0]!r} (the parts: {', '.join(PARTS)})")
    from pg_server import PgServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL's server binaries were not found (see .ci/setup)", file=sys.stderr)
        return 2
    server = PgServer(bindir)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="marginalia-sync-bench-") as tmp:
            work = Path(tmp)
            result: dict = {}
            if "figures" in parts:
                result.update(figures(server, work, options.changes))
            if "corpus" in parts and options.corpus:
                result.update(first_sync(server, work, options.corpus, options.corpus_spans))
            if "latency" in parts:
                result.update(latency(server, work, options.latency_edits))
            if "faults" in parts:
                began = time.perf_counter()
                result.update(faults(server, work, options.analysts, options.edits,
                                     options.runs, options.seed))  # fmt: skip
                result["fault run (s)"] = round(time.perf_counter() - began, 1)
    finally:
        server.stop()
    print(json.dumps(result, indent=2))
    bad = result.get("lost") or result.get("duplicated") or result.get("projects_differing")
    bad = bad or result.get("corpus problems")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
