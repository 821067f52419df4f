"""Team-server sync under load and faults: analyst processes editing and syncing, SIGKILLs,
a server restart; then every project must equal the server, with 0 lost and 0 duplicated.

Also the figures: a push of 1,000 edits and a pull of 1,000 changes. Needs PostgreSQL's server
binaries (tests/pg_server.py finds them). `python bench/sync.py [--analysts N] [--edits E]`.
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
WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()


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
        try:
            sync(store, url)
        except Exception:
            pass
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
        if not restarted and time.perf_counter() - started > 3.0:
            server.restart()
            restarted = True
        for name, proc in list(running.items()):
            if proc.poll() is not None:
                del running[name]
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
    parser.add_argument("--quick", action="store_true", help="a small size for CI and tests")
    options = parser.parse_args(args)
    if options.quick:
        options.analysts, options.edits, options.runs, options.changes = 3, 15, 2, 100
    from pg_server import PgServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL's server binaries were not found (see .ci/setup)", file=sys.stderr)
        return 2
    server = PgServer(bindir)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="marginalia-sync-bench-") as tmp:
            result = {
                **figures(server, Path(tmp), options.changes),
                **faults(server, Path(tmp), options.analysts, options.edits, options.runs,
                         options.seed),
            }  # fmt: skip
    finally:
        server.stop()
    print(json.dumps(result, indent=2))
    bad = result["lost"] or result["duplicated"] or result["projects_differing"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
