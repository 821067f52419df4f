"""The core's figures (import, export, list, search, filters, edits, resume) and baselines."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _path in (ROOT, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from figures import Figure, median_time  # noqa: E402
from sqlite_utils import Database  # noqa: E402
from synth import (  # noqa: E402
    ANNOTATORS,
    COMMON_WORD,
    FREQUENT_WORD,
    LABELS_YAML,
    RARE_WORD,
    write_jsonl,
)

from desktop_app.core.editing import Editor  # noqa: E402
from desktop_app.core.exporters.jsonl import export_jsonl  # noqa: E402
from desktop_app.core.importing import import_paths  # noqa: E402
from desktop_app.core.model import ArticleFilter  # noqa: E402
from desktop_app.core.schema import load_schema  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402

PAGE = 50  # rows the article list reads per page (about two screens)
Log = Callable[[str], None]


def _quiet(_: str) -> None:
    """The default progress sink: say nothing."""


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _timed(work: Callable[[], object]) -> float:
    """One run of `work`, in seconds."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _open_fresh(path: Path) -> Store:
    """A new, empty project with the default schema (what `marginalia import` starts from)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store.open(path)
    store.apply_schema(load_schema(LABELS_YAML))
    return store


# --------------------------------------------------------------------------- import


_ARTICLE_KEYS = ("uid", "title", "source", "url", "published", "text")


def _baseline_rows(jsonl: Path) -> Iterator[dict[str, Any]]:
    """The same rows our importer stores, parsed from the same file with plain json.loads."""
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
    with jsonl.open("rb") as handle:
        for line in handle:
            record = json.loads(line)
            text = record["text"]
            meta = {k: v for k, v in record.items() if k not in _ARTICLE_KEYS}
            yield {
                "uid": record["uid"],
                "title": record["title"],
                "source": record["source"],
                "url": record["url"],
                "published": record["published"],
                "text": text,
                "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "meta": json.dumps(meta, ensure_ascii=False),
                "imported_at": stamp,
            }


_PRAGMAS = ("locking_mode", "journal_mode", "synchronous", "cache_size", "temp_store", "mmap_size")


def _store_pragmas(store: Store) -> list[str]:
    """The settings the store runs with, so the baseline can run with the same ones."""
    return [
        f"{name} = {store.db.conn.execute(f'PRAGMA {name}').fetchone()[0]}" for name in _PRAGMAS
    ]


def _baseline_import(path: Path, jsonl: Path, pragmas: list[str]) -> None:
    """Bare sqlite-utils: insert_all of the rows, then an FTS5 rebuild, on the store's pragmas."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(path)
    for pragma in pragmas:
        db.conn.execute(f"PRAGMA {pragma}")
    table = db.table("articles")
    table.create(
        {
            "id": int,
            "uid": str,
            "title": str,
            "source": str,
            "url": str,
            "published": str,
            "text": str,
            "text_sha256": str,
            "meta": str,
            "imported_at": str,
        },
        pk="id",
    )
    table.enable_fts(
        ["title", "text"], fts_version="FTS5", tokenize="unicode61 remove_diacritics 2"
    )
    # As it ships: insert_all commits each chunk, at most 999 // 9 = 111 rows (its variable cap).
    table.insert_all(_baseline_rows(jsonl))
    table.rebuild_fts()
    db.close()


def measure_import(
    workdir: Path, jsonl: Path, n: int, repeats: int, log: Log = _quiet
) -> list[Figure]:
    """import_paths of a JSONL file into a fresh project vs bare insert_all + FTS5 rebuild."""
    ours_times, base_times = [], []
    for run in range(repeats):
        # Interleaved, so a noisy minute on this shared machine hits both sides alike.
        project = workdir / "import.sqlite"
        store = _open_fresh(project)
        pragmas = _store_pragmas(store)
        start = time.perf_counter()
        try:
            report = import_paths(store, [jsonl], fmt="jsonl")
        finally:
            store.close()
        ours_times.append(time.perf_counter() - start)
        if report.added != n or report.problems:
            raise RuntimeError(f"import added {report.added} of {n}: {report.problems[:3]}")
        log(f"import run {run + 1}/{repeats}: ours {ours_times[-1]:.2f} s")
        base_times.append(
            _timed(partial(_baseline_import, workdir / "baseline.sqlite", jsonl, pragmas))
        )
        log(f"import run {run + 1}/{repeats}: baseline {base_times[-1]:.2f} s")
    for name in ("import.sqlite", "baseline.sqlite"):
        (workdir / name).unlink(missing_ok=True)
    ours, base = statistics.median(ours_times), statistics.median(base_times)
    limit = 60.0 * n / 100_000
    note = (
        f"median of {repeats}, alternating; both read the same JSONL ({jsonl.stat().st_size:,} "
        "bytes) from disk and include parsing (ours: the full reader with encoding check and "
        "validation; baseline: json.loads), hashing, the store's pragmas "
        f"({', '.join(pragmas)}), commits along the "
        "way (baseline: insert_all's own chunks of 111 rows; ours: its batches) and closing "
        "the file. The baseline table has the columns only; ours also keeps the uid, date, "
        "title and hash indexes"
    )
    return [
        Figure(
            key="import",
            label=f"import {n:,} articles (FTS included)",
            value=ours,
            unit="s",
            target=f"<= 1.5x baseline, < {limit:.3g} s (60 s per 100,000)",
            met=ours <= 1.5 * base and ours < limit,
            baseline=base,
            baseline_label="sqlite-utils insert_all + FTS5 rebuild",
            note=note,
        ),
        Figure(
            key="import_rate",
            label="import rate",
            value=n / ours,
            unit="articles/s",
            baseline=n / base,
            baseline_label="sqlite-utils insert_all + FTS5 rebuild",
        ),
    ]


# --------------------------------------------------------------------------- export


def _bare_export(
    conn: sqlite3.Connection, out: Path, progress: Callable[[int], None] | None = None
) -> int:
    """The stack's floor: one streamed query per table, merged by article id, json.dumps lines."""
    spans = conn.execute(
        'SELECT article, uuid, start, "end", label, quote, note, annotator, created_at, '
        "updated_at "
        "FROM spans WHERE deleted = 0 ORDER BY article"
    )
    tags = conn.execute(
        "SELECT article, uuid, label, annotator, note, created_at, updated_at FROM document_tags "
        "WHERE deleted = 0 ORDER BY article"
    )
    statuses = conn.execute(
        "SELECT article, annotator, status FROM article_status ORDER BY article, annotator"
    )
    next_span, next_tag, next_status = next(spans, None), next(tags, None), next(statuses, None)
    count = 0
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        for row in conn.execute(
            "SELECT id, uid, title, source, url, published, text, meta FROM articles ORDER BY id"
        ):
            article_id = row[0]
            span_list = []
            while next_span is not None and next_span[0] == article_id:
                s = next_span
                span_list.append(
                    {
                        "uuid": s[1],
                        "start": s[2],
                        "end": s[3],
                        "label": s[4],
                        "quote": s[5],
                        "note": s[6],
                        "annotator": s[7],
                        "created_at": s[8],
                        "updated_at": s[9],
                    }
                )
                next_span = next(spans, None)
            span_list.sort(key=lambda s: (s["start"], -s["end"]))
            tag_list = []
            while next_tag is not None and next_tag[0] == article_id:
                t = next_tag
                tag_list.append(
                    {"uuid": t[1], "label": t[2], "annotator": t[3], "note": t[4]}
                    | {"created_at": t[5], "updated_at": t[6]}
                )
                next_tag = next(tags, None)
            status = {}
            while next_status is not None and next_status[0] == article_id:
                status[next_status[1]] = next_status[2]
                next_status = next(statuses, None)
            record = {
                "uid": row[1],
                "title": row[2],
                "source": row[3],
                "url": row[4],
                "published": row[5],
                "text": row[6],
                "meta": json.loads(row[7]),
                "spans": span_list,
                "tags": tag_list,
                "status": status,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
            if progress and count % 500 == 0:
                progress(count)
    return count


def _export_memory(project: Path, out: Path, which: str) -> dict[str, float]:
    """Run one export in a fresh process; return its peak RSS and the growth during the export."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__)), "export-child", which, str(project), str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"export child ({which}) failed: {result.stderr[-2000:]}")
    return dict(json.loads(result.stdout))


def measure_export(project: Path, workdir: Path, repeats: int, log: Log = _quiet) -> list[Figure]:
    """export_jsonl of the annotated project vs a bare streamed loop; rate and memory."""
    out, bare_out = workdir / "export.jsonl", workdir / "export-bare.jsonl"
    store = Store.open(project)
    try:
        spans = int(
            store.db.conn.execute("SELECT count(*) FROM spans WHERE deleted = 0").fetchone()[0]
        )
        ours_times, base_times = [], []
        for run in range(repeats):
            ours_times.append(_timed(lambda: export_jsonl(store, out)))
            base_times.append(_timed(lambda: _bare_export(store.db.conn, bare_out)))
            log(
                f"export run {run + 1}/{repeats}: "
                f"{ours_times[-1]:.2f} s, bare {base_times[-1]:.2f} s"
            )
    finally:
        store.close()
    ours, base = statistics.median(ours_times), statistics.median(base_times)
    log("export memory, in fresh processes")
    ours_mem = _export_memory(project, out, "ours")
    base_mem = _export_memory(project, bare_out, "bare")
    out.unlink(missing_ok=True)
    bare_out.unlink(missing_ok=True)
    growth, cache_mb = ours_mem["growth_mb"], ours_mem["cache_mb"]
    return [
        Figure(
            key="export_rate",
            label=f"export JSONL, {spans:,} spans",
            value=spans / ours,
            unit="spans/s",
            target=">= 100,000 spans/s",
            met=spans / ours >= 100_000,
            baseline=spans / base,
            baseline_label="bare loop: a streamed query per table, json.dumps lines",
            note=f"median of {repeats}: ours {ours:.2f} s, bare {base:.2f} s; ours in list (date) "
            "order with the quote check, bare in id order",
        ),
        Figure(
            key="export_memory",
            label="export peak RSS",
            value=ours_mem["peak_mb"],
            unit="MB",
            # Streamed means the second half adds (almost) nothing; the total may include the
            # page cache filling up to its configured size.
            target="flat: 2nd half adds < 16 MB, all < page cache + 64 MB",
            met=ours_mem["second_half_mb"] < 16 and growth < cache_mb + 64,
            baseline=base_mem["peak_mb"],
            baseline_label="bare loop peak RSS",
            note=f"VmHWM of a fresh process before and after the export: ours grew "
            f"{growth:.1f} MB ({ours_mem['second_half_mb']:.1f} MB in the second half), bare "
            f"loop {base_mem['growth_mb']:.1f} MB ({base_mem['second_half_mb']:.1f} MB); the "
            f"store's page cache may hold up to {cache_mb:.0f} MB (PRAGMA cache_size)",
        ),
    ]


def _reset_hwm() -> None:
    """Start VmHWM afresh from the current RSS (Linux), so opening the project is not counted."""
    # Elsewhere the peak then includes opening: an overestimate, never an underestimate.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _hwm_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export_child(which: str, project: Path, out: Path) -> int:
    """Child process: export once and print its memory figures as JSON."""
    store = Store.open(project)
    marks: list[tuple[int, float]] = []
    try:
        total = store.article_total()  # the connection and modules are warm before "before"
        cache = int(store.db.conn.execute("PRAGMA cache_size").fetchone()[0])
        page = int(store.db.conn.execute("PRAGMA page_size").fetchone()[0])
        _reset_hwm()
        before = _hwm_mb()

        def progress(count: int) -> None:
            marks.append((count, _hwm_mb()))

        if which == "ours":
            export_jsonl(store, out, progress=progress)
        else:
            _bare_export(store.db.conn, out, progress)
        after = _hwm_mb()
    finally:
        store.close()
    half = next((hwm for count, hwm in marks if count >= total / 2), after)
    # SQLite's page cache may legitimately fill up to its configured size while streaming.
    cache_mb = -cache / 1024 if cache < 0 else cache * page / 2**20
    report = {
        "peak_mb": after,
        "growth_mb": after - before,
        "second_half_mb": after - half,
        "cache_mb": cache_mb,
    }
    print(json.dumps(report))
    return 0


# --------------------------------------------------------------------------- list


def measure_list(project: Path, jumps: int, repeats: int, seed: int = 1) -> list[Figure]:
    """The article list: row count, first page, and jumps to random rows (date order)."""
    store = Store.open(project)
    conn = store.db.conn
    flt = ArticleFilter()
    try:
        total = store.count_articles(flt)
        count_s = median_time(lambda: store.count_articles(flt), repeats)
        count_base = median_time(
            lambda: conn.execute("SELECT count(*) FROM articles").fetchone(), repeats
        )

        def first_page() -> None:
            store.count_articles(flt)
            store.article_rows(flt, None, PAGE)

        def bare_first_page() -> None:
            conn.execute("SELECT count(*) FROM articles").fetchone()
            conn.execute(
                "SELECT id, uid, title, published, source FROM articles ORDER BY id LIMIT ?",
                (PAGE,),
            ).fetchall()

        first_page()  # warm the OS cache for both, as an analyst's second look would be
        page_s = median_time(first_page, repeats)
        page_base = median_time(bare_first_page, repeats)
        rng = random.Random(seed)
        rows = [rng.randrange(total) for _ in range(jumps)]

        def jump(row: int) -> None:
            anchor = store.anchor_after(flt, None, row)
            assert store.article_rows(flt, anchor, PAGE)

        def bare_jump(row: int) -> None:
            conn.execute(
                "SELECT id, uid, title, published, source FROM articles WHERE id >= ? "
                "ORDER BY id LIMIT ?",
                (row + 1, PAGE),
            ).fetchall()

        jump_s = statistics.median(_timed(lambda r=r: jump(r)) for r in rows)
        jump_base = statistics.median(_timed(lambda r=r: bare_jump(r)) for r in rows)
        deepest = _timed(lambda: jump(total - 1))
    finally:
        store.close()
    return [
        Figure(
            key="list_count",
            label="list row count",
            value=_ms(count_s),
            unit="ms",
            target="< 50 ms",
            met=_ms(count_s) < 50,
            baseline=_ms(count_base),
            baseline_label="bare SELECT count(*)",
            note=f"{total:,} articles; median of {repeats}",
        ),
        Figure(
            key="list_first_page",
            label="list first page (count + rows)",
            value=_ms(page_s),
            unit="ms",
            target="< 50 ms",
            met=_ms(page_s) < 50,
            baseline=_ms(page_base),
            baseline_label="bare count + first rows by id",
            note=f"count_articles + article_rows({PAGE}), date order; median of {repeats}",
        ),
        Figure(
            key="list_jump",
            label="list jump to a random row",
            value=_ms(jump_s),
            unit="ms",
            target="< 50 ms",
            met=_ms(jump_s) < 50,
            baseline=_ms(jump_base),
            baseline_label="bare rowid seek + rows",
            note=f"anchor_after from the top (no nearer key known) + article_rows({PAGE}), "
            f"median over {jumps} random rows; the last row took {_ms(deepest):.1f} ms",
        ),
    ]


# --------------------------------------------------------------------------- search


_RANKED = (
    "SELECT a.id, a.title, a.published, a.source FROM articles_fts "
    "JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? "
    "ORDER BY bm25(articles_fts) LIMIT ?"
)


def measure_search(project: Path, repeats: int) -> list[Figure]:
    """Full-text search for a frequent, a common and a rare word: first page, count, ranked."""
    store = Store.open(project)
    conn = store.db.conn
    figures = []
    ranked_api = hasattr(store, "search_ranked")
    ranked_note = (
        "; Store.search_ranked (BM25)"
        if ranked_api
        else "; the store has no ranked-search API yet: measured as the bm25() ORDER BY query "
        "such an API would run (with the list's columns)"
    )
    try:
        total = store.count_articles(ArticleFilter())
        words = (("frequent", FREQUENT_WORD), ("common", COMMON_WORD), ("rare", RARE_WORD))
        for index, (kind, word) in enumerate(words):
            flt = ArticleFilter(search=word)
            # Each timed run follows another search, as when the analyst types a new one, so
            # nothing the store may keep about the last search is reused.
            other = ArticleFilter(search=words[index - 1][1])

            def after_another_search(
                work: Callable[[], None], other: ArticleFilter = other
            ) -> float:
                store.article_rows(other, None, PAGE)
                store.count_articles(other)
                return _timed(work)

            match = store.db.quote_fts(word)
            hits = store.count_articles(flt)

            def page(flt: ArticleFilter = flt) -> None:
                store.article_rows(flt, None, PAGE)

            def bare_page(match: str = match) -> None:
                conn.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?",
                    (match, PAGE),
                ).fetchall()

            def count(flt: ArticleFilter = flt) -> None:
                store.count_articles(flt)

            def bare_count(match: str = match) -> None:
                conn.execute(
                    "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)
                ).fetchone()

            def ranked(flt: ArticleFilter = flt, match: str = match) -> None:
                if ranked_api:
                    store.search_ranked(flt, PAGE)
                else:
                    conn.execute(_RANKED, (match, PAGE)).fetchall()

            def bare_ranked(match: str = match) -> None:
                conn.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank "
                    "LIMIT ?",
                    (match, PAGE),
                ).fetchall()

            about = f"“{word}”: {hits:,} of {total:,} articles"
            for key, label, ours, bare, limit, base_label, extra in (
                ("page", "first page", page, bare_page, 50, "bare FTS5 MATCH LIMIT 50", ""),
                ("count", "hit count", count, bare_count, 100, "bare FTS5 count(*)", ""),
                (
                    "ranked",
                    "ranked top 50",
                    ranked,
                    bare_ranked,
                    500,
                    "bare FTS5 ORDER BY rank, rowids only",
                    ranked_note,
                ),
            ):
                ours()
                bare()  # both warm (the OS cache), as an analyst's second search would be
                value = _ms(statistics.median(after_another_search(ours) for _ in range(repeats)))
                figures.append(
                    Figure(
                        key=f"search_{kind}_{key}",
                        label=f"search {kind} word, {label}",
                        value=value,
                        unit="ms",
                        target=f"< {limit} ms",
                        met=value < limit,
                        baseline=_ms(median_time(bare, repeats)),
                        baseline_label=base_label,
                        note=f"{about}; median of {repeats}, each after a search for another "
                        f"word{extra}",
                    )
                )
    finally:
        store.close()
    return figures


# --------------------------------------------------------------------------- filters


def measure_filters(project: Path, repeats: int) -> list[Figure]:
    """Article counts under a tag, label, annotator and status filter."""
    store = Store.open(project)
    conn = store.db.conn
    figures = []
    try:
        tag = store.labels("document")[0].name
        label = store.labels("span")[0].name
        who = ANNOTATORS[1]
        cases = (
            (
                "tag",
                ArticleFilter(tag=tag),
                f"tag {tag!r}",
                "SELECT count(DISTINCT article) FROM document_tags WHERE label = ? AND deleted = 0",
                (tag,),
            ),
            (
                "label",
                ArticleFilter(label=label),
                f"label {label!r}",
                "SELECT count(DISTINCT article) FROM spans WHERE label = ? AND deleted = 0",
                (label,),
            ),
            (
                "annotator",
                ArticleFilter(annotator=who),
                f"annotator {who!r}",
                "SELECT count(*) FROM (SELECT article FROM spans WHERE annotator = ? AND "
                "deleted = 0 UNION SELECT article FROM document_tags WHERE annotator = ? "
                "AND deleted = 0)",
                (who, who),
            ),
            (
                "status",
                ArticleFilter(status="done", status_annotator=ANNOTATORS[0]),
                f"status done ({ANNOTATORS[0]})",
                "SELECT count(*) FROM article_status WHERE annotator = ? AND status = ?",
                (ANNOTATORS[0], "done"),
            ),
        )
        for key, flt, what, sql, params in cases:
            hits = store.count_articles(flt)
            bare_hits = conn.execute(sql, params).fetchone()[0]
            if hits != bare_hits:
                raise RuntimeError(f"filter {what}: store counts {hits}, plain SQL {bare_hits}")
            value = _ms(median_time(lambda flt=flt: store.count_articles(flt), repeats))
            base = _ms(
                median_time(lambda sql=sql, p=params: conn.execute(sql, p).fetchone(), repeats)
            )
            figures.append(
                Figure(
                    key=f"filter_{key}",
                    label=f"filter count, {what}",
                    value=value,
                    unit="ms",
                    target="< 200 ms",
                    met=value < 200,
                    baseline=base,
                    baseline_label="bare count over the annotation table",
                    note=f"{hits:,} articles; median of {repeats}",
                )
            )
    finally:
        store.close()
    return figures


# --------------------------------------------------------------------------- edits


def measure_edits(project: Path, repeats: int, seed: int = 1) -> list[Figure]:
    """Add, relabel and delete a span through the Editor (each committed) vs bare SQL + commit."""
    store = Store.open(project)
    conn = store.db.conn
    rng = random.Random(seed)
    try:
        total = store.article_total()
        labels = [label.name for label in store.labels("span")]
        targets = []
        for _ in range(repeats * 2):
            article_id = rng.randrange(1, total + 1)
            text = store.article(article_id).text
            start = text.find(" ", rng.randrange(len(text) // 2)) + 1
            end = text.find(" ", start + 1)
            targets.append((article_id, start, end, rng.choice(labels)))
        editor = Editor(store, "bench")
        stamp = "2024-01-01T00:00:00.000+00:00"

        def bare_add(article_id: int, start: int, end: int, label: str) -> str:
            text = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
            uuid = f"bench-{rng.getrandbits(64):016x}"
            conn.execute(
                'INSERT INTO spans (uuid, article, annotator, label, start, "end", quote, note, '
                "created_at, updated_at, deleted) VALUES (?,?,?,?,?,?,?,'',?,?,0)",
                (uuid, article_id, "bench", label, start, end, text[0][start:end], stamp, stamp),
            )
            conn.commit()
            return uuid

        def bare_update(sql: str, value: object, uuid: str) -> None:
            conn.execute(sql, (value, uuid))
            conn.commit()

        # Ours and the bare statement alternate, so a slow fsync burst hits both alike.
        times: dict[str, list[float]] = {}
        made: list[tuple[str, str]] = []
        for ours_target, bare_target in zip(targets[:repeats], targets[repeats:], strict=True):
            start = time.perf_counter()
            ours_uuid = editor.add_span(*ours_target).uuid
            middle = time.perf_counter()
            bare_uuid = bare_add(*bare_target)
            times.setdefault("add", []).append(middle - start)
            times.setdefault("add_base", []).append(time.perf_counter() - middle)
            made.append((ours_uuid, bare_uuid))
        relabel_sql = "UPDATE spans SET label = ? WHERE uuid = ?"
        delete_sql = "UPDATE spans SET deleted = ? WHERE uuid = ?"
        for ours_uuid, bare_uuid in made:
            label = rng.choice(labels)
            for key, work in (
                ("relabel", partial(editor.relabel_span, ours_uuid, label)),
                ("relabel_base", partial(bare_update, relabel_sql, label, bare_uuid)),
                ("delete", partial(editor.delete_span, ours_uuid)),
                ("delete_base", partial(bare_update, delete_sql, 1, bare_uuid)),
            ):
                times.setdefault(key, []).append(_timed(work))
        medians = {key: statistics.median(values) for key, values in times.items()}
    finally:
        store.close()
    note = (
        f"median of {repeats} on random articles, each committed (WAL, synchronous=FULL); "
        "baseline: the same statement alone plus commit on the store's connection, alternating "
        "with ours"
    )
    return [
        Figure(
            key=f"edit_{key}",
            label=f"{label} a span, committed",
            value=_ms(ours),
            unit="ms",
            target="< 20 ms",
            met=_ms(ours) < 20,
            baseline=_ms(base),
            baseline_label=f"bare {sql} + commit",
            note=note,
        )
        for key, label, sql in (
            ("add", "create", "INSERT"),
            ("relabel", "relabel", "UPDATE"),
            ("delete", "delete", "UPDATE"),
        )
        for ours, base in [(medians[key], medians[f"{key}_base"])]
    ]


# --------------------------------------------------------------------------- resume


_SUMMARY = re.compile(r"(\d+) added, (\d+) already present")


def _status_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _read_position(pid: int, path: Path) -> int | None:
    """How far the process has read into `path`, from /proc/PID/fdinfo (None when not open)."""
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            if os.readlink(fd) == str(path):
                for line in Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text().splitlines():
                    if line.startswith("pos:"):
                        return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _project_bytes(project: Path) -> int:
    return sum(
        Path(f"{project}{s}").stat().st_size for s in ("", "-wal") if Path(f"{project}{s}").exists()
    )


def _run_import(
    project: Path, jsonl: Path, kill_at: float | None
) -> tuple[int | None, float, list[tuple[float, int]], str]:
    """Run `marginalia import` on the file; kill -9 it once it has read `kill_at` of the file.

    Returns (exit code, None when killed; peak RSS in MB from wait4; RSS samples; output).
    """
    size = jsonl.stat().st_size
    out_path = project.with_suffix(".out")
    with out_path.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop_app.cli", "import", "--db", str(project), str(jsonl)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        start = time.perf_counter()
        samples: list[tuple[float, int]] = []
        killed = False
        while True:
            # wait4, not proc.poll: it gives this child's own ru_maxrss.
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss = _status_kb(proc.pid, "VmRSS")
            if rss:
                samples.append((time.perf_counter() - start, rss))
            if kill_at is not None and not killed:
                position = _read_position(proc.pid, jsonl.resolve())
                # The reader may first scan the whole file for its encoding; articles being
                # written to the project tell the parsing pass from that scan.
                parsing = _project_bytes(project) > size // 10
                if position is not None and parsing and position >= kill_at * size:
                    os.kill(proc.pid, signal.SIGKILL)
                    killed = True
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
    code = None if killed and proc.returncode == -signal.SIGKILL else proc.returncode
    return code, usage.ru_maxrss / 1024, samples, out_path.read_text()


def measure_resume(
    workdir: Path, jsonl: Path | None, n: int, seed: int, log: Log = _quiet
) -> list[Figure]:
    """Kill -9 a CLI import part way, run it again: all lines in, no duplicates, flat memory."""
    if jsonl is None or not jsonl.exists():
        jsonl = workdir / "resume.jsonl"
        log(f"writing {n:,} articles for the resume check")
        write_jsonl(jsonl, n, seed, annotated=False)
    with jsonl.open("rb") as handle:
        lines = sum(1 for _ in handle)
    project = workdir / "resume.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project}{suffix}").unlink(missing_ok=True)
    log("resume: first import, to be killed half way")
    code1, peak1, _, _ = _run_import(project, jsonl, 0.5)
    log("resume: second import, to completion")
    code2, peak2, samples, output = _run_import(project, jsonl, None)
    found = _SUMMARY.search(output)
    survived = int(found.group(2)) if found else -1
    conn = sqlite3.connect(project)
    try:
        count, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT uid) FROM articles"
        ).fetchone()
        indexed = conn.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0]
    finally:
        conn.close()
    killed = code1 is None and 0 < survived < lines
    complete = code2 == 0 and count == lines == distinct == indexed
    end = samples[-1][0] if samples else 0.0

    def rss_by(share: float) -> float:
        """The highest RSS sampled before `share` of the re-run's time, in MB."""
        return max((rss for t, rss in samples if t <= share * end), default=0) / 1024

    quarters = [rss_by(q) for q in (0.25, 0.5, 0.75, 1.0)]
    peak = max(peak1, peak2)
    return [
        Figure(
            key="resume_complete",
            label="import killed (-9) and re-run",
            value=float(count),
            unit="articles",
            target="== lines, no duplicate uid, FTS complete",
            met=killed and complete,
            baseline=float(lines),
            baseline_label="lines in the JSONL",
            note=f"first run {'killed' if code1 is None else f'exited {code1} (not killed)'} with "
            f"{survived:,} articles committed; re-run exit {code2}; {distinct:,} distinct uids, "
            f"{indexed:,} FTS documents",
        ),
        Figure(
            key="import_peak_rss",
            label=f"import peak RSS, {lines:,}-line JSONL",
            value=peak,
            unit="MB",
            target="flat: the second half of the run adds < 30 MB",
            met=quarters[1] > 0 and peak2 - quarters[1] < 30,
            baseline=quarters[0],
            baseline_label="RSS in the first quarter of the re-run",
            note=f"peak from wait4 ru_maxrss of each CLI process (first {peak1:.0f} MB, "
            f"re-run {peak2:.0f} MB); re-run RSS polled every 20 ms, highest by each quarter "
            f"of its time: {', '.join(f'{q:.0f}' for q in quarters)} MB",
        ),
    ]


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "export-child":
        sys.exit(_export_child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])))
    sys.exit("usage: measure_core.py export-child ours|bare PROJECT OUT (used by bench/run.py)")
