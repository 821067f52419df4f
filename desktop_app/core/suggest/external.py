"""External recommenders: programs speaking JSON lines on stdin/stdout, run without a shell.

In: one line {"uid", "text", "labels"} per article. Out: one line per article,
{"uid", "suggestions": [{"start", "end", "label", "score", "explanation"}]}. Every offset is
checked by the store (a bad one is refused with its reason, the rest kept). A program that
crashes, hangs past the time limit or writes garbage (not JSON, a uid it was not given, a label
the project does not have) is reported and nothing from the run is stored: a half-finished run
would leave suggestions nobody can tell from a finished one.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.store import Store
from desktop_app.core.store.suggestions import AddReport, Proposal

BATCH = 200  # articles per run of the program: bounded memory on either side


class RecommenderError(RuntimeError):
    """The program crashed, hung or wrote garbage; nothing of its run was stored."""


@dataclass
class RunReport:
    """What a recommender run did: articles sent, and how its suggestions were taken."""

    source: str
    articles: int
    stored: AddReport


def source_name(command: str) -> str:
    """ "command:NAME": the script a command runs (its interpreter is not the recommender)."""
    argv = shlex.split(command)
    if not argv:
        raise RecommenderError("the recommender command is empty")
    name = Path(argv[0]).name
    if name.startswith("python") or name in ("node", "Rscript", "ruby", "perl", "uv", "java"):
        scripts = [a for a in argv[1:] if not a.startswith("-")]
        if scripts:
            name = Path(scripts[0]).name
    return f"command:{name}"


def _batches(store: Store, article_ids: Iterable[int]) -> Iterator[list[tuple[int, str, str]]]:
    batch: list[tuple[int, str, str]] = []
    for article_id in article_ids:
        article = store.article(article_id)
        batch.append((article_id, article.uid, article.text))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_once(argv: list[str], lines: str, timeout: float, limit: float, shown: str) -> str:
    """The program's stdout for one batch; RecommenderError if it crashed or hung."""
    try:
        done = subprocess.run(
            argv,
            input=lines,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=max(timeout, 0.001),
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        # subprocess.run kills the program before raising: nothing is left running.
        raise RecommenderError(
            f"{shown}: no answer within {limit:g} s (killed); nothing was stored"
        ) from error
    except OSError as error:
        raise RecommenderError(f"{shown}: cannot run it ({error}); nothing was stored") from error
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RecommenderError(
            f"{shown}: exited with status {done.returncode} ({last}); nothing was stored"
        )
    return done.stdout


def _garbage(shown: str, number: int, reason: str) -> RecommenderError:
    return RecommenderError(f"{shown}: output line {number}: {reason}; nothing was stored")


def _parse(output: str, shown: str, uids: dict[str, int], labels: set[str]) -> list[Proposal]:
    """Proposals from the program's answer; garbage raises (offsets are the store's to check)."""
    proposals = []
    for number, line in enumerate(output.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            answer: Any = json.loads(line)
        except json.JSONDecodeError as error:
            raise _garbage(shown, number, f"not JSON ({error.msg})") from error
        if not isinstance(answer, dict) or not isinstance(answer.get("suggestions"), list):
            raise _garbage(shown, number, 'not {"uid", "suggestions": [...]}')
        uid = answer.get("uid")
        if uid not in uids:
            raise _garbage(shown, number, f"uid {uid!r} was not sent to it")
        for item in answer["suggestions"]:
            if not isinstance(item, dict) or not {"start", "end", "label"} <= item.keys():
                raise _garbage(shown, number, f"suggestion {item!r} lacks start, end or label")
            if item["label"] not in labels:
                raise _garbage(shown, number, f"label {item['label']!r} is not in this project")
            explanation = item.get("explanation", "")
            proposals.append(
                Proposal(
                    uids[uid],
                    item["start"],
                    item["end"],
                    item["label"],
                    item.get("score", 1.0),
                    explanation if isinstance(explanation, str) else json.dumps(explanation),
                )
            )
    return proposals


def run_recommender(
    store: Store, command: str, article_ids: Iterable[int], timeout: float = 60.0
) -> RunReport:
    """Run `command` on the articles and store its suggestions, all or nothing.

    The time limit covers the whole run; each batch of articles is one run of the program.
    """
    argv = shlex.split(command)
    source = source_name(command)
    shown = f"recommender {command!r}"
    labels = store.span_label_names()
    deadline = time.monotonic() + timeout
    proposals: list[Proposal] = []
    articles = 0
    for batch in _batches(store, article_ids):
        lines = "".join(
            json.dumps({"uid": uid, "text": text, "labels": labels}, ensure_ascii=False) + "\n"
            for _, uid, text in batch
        )
        output = _run_once(argv, lines, deadline - time.monotonic(), timeout, shown)
        uids = {uid: article_id for article_id, uid, _ in batch}
        proposals += _parse(output, shown, uids, set(labels))
        articles += len(batch)
    return RunReport(source, articles, store.add_suggestions(source, proposals))
