"""Read Label Studio exports: the full JSON, JSON-MIN, and the legacy pre-1.0 "completions"."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from desktop_app.core.importers.jsonl import reject_json_constant
from desktop_app.core.model import (
    ArticleDraft,
    ImportProblem,
    RelationDraft,
    SpanDraft,
    TagDraft,
)
from desktop_app.core.text import normalize_text

MAX_JSON_BYTES = 1 << 30  # a whole-file JSON document is parsed in memory: refuse beyond 1 GB
DEFAULT_ANNOTATOR = "labelstudio"


def read_labelstudio(path: Path) -> Iterator[ArticleDraft | ImportProblem]:
    """One draft per task, or a problem naming the task and the reason.

    Regions ("labels") become spans, "choices" become document tags, a per-region
    "textarea" becomes that span's note, a "relation" between two regions of one
    annotation a relation (see _Links). Each annotation is attributed to its
    `completed_by` (email, else id). Offsets are checked against the region's own "text":
    code points first, then UTF-16 units (what a browser counts), so an emoji before a span
    never shifts it; a region that matches neither is reported, never stored shifted.
    """
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            yield ImportProblem(str(path), "larger than 1 GB: too large for a JSON document")
            return
        document = json.loads(
            path.read_bytes().decode("utf-8-sig"), parse_constant=reject_json_constant
        )
    except OSError as error:
        yield ImportProblem(str(path), f"cannot read: {error.strerror or error}")
        return
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        yield ImportProblem(str(path), f"not a Label Studio JSON export ({error})")
        return
    tasks = document if isinstance(document, list) else [document]
    # (json.JSONDecodeError is a ValueError; so is the refusal of NaN and Infinity.)
    for index, task in enumerate(tasks):
        origin = f"{path}#task {task.get('id', index) if isinstance(task, dict) else index}"
        if not isinstance(task, dict):
            yield ImportProblem(origin, "a task must be a JSON object")
            continue
        try:
            yield _task(task, origin)
        except _BadShape as error:
            yield ImportProblem(origin, str(error))


def _task(task: Mapping[str, Any], origin: str) -> ArticleDraft | ImportProblem:
    data = task.get("data")
    fields: Mapping[str, Any]
    if isinstance(data, dict):
        raw = data.get("text")
        fields = data
    else:  # JSON-MIN: the task's own fields, annotations flattened beside them
        raw = task.get("text")
        fields = task
    if not isinstance(raw, str) or not raw.strip():
        return ImportProblem(origin, "no text in data.text (or the JSON-MIN task's text)")
    text = normalize_text(raw)
    annotations = task.get("annotations") or task.get("completions")
    spans: list[SpanDraft] = []
    tags: list[TagDraft] = []
    problems: list[str] = []
    links = _Links()
    if isinstance(annotations, list):
        for annotation in annotations:
            if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
                continue
            who = _who(annotation.get("completed_by"))
            results = annotation.get("result") or []
            if not isinstance(results, list):
                problems.append("an annotation's result is not a list")
                continue
            _results(results, text, raw, who, spans, tags, problems, links)
    elif data is None:
        who = str(task.get("annotator") or DEFAULT_ANNOTATOR)
        _min_results(task, text, raw, who, spans, tags, problems)
    if problems:
        return ImportProblem(origin, "; ".join(problems[:5]))
    meta: dict[str, Any] = {
        k: v for k, v in fields.items() if k not in ("text", "uid", "title", "source")
    }
    if "id" in task:
        meta["labelstudio_task"] = task["id"]
    if links.kept:
        meta["relations"] = links.kept
    return ArticleDraft(
        text=text,
        uid=str(fields["uid"]) if fields.get("uid") else None,
        title=str(fields.get("title") or ""),
        source=str(fields.get("source") or ""),
        meta=meta,
        origin=origin,
        spans=tuple(spans),
        tags=tuple(tags),
        relations=tuple(links.relations),
        problems=tuple(links.reasons),
    )


class _Links:
    """A task's relation results: those between its regions, those kept as written, why."""

    def __init__(self) -> None:
        self.relations: list[RelationDraft] = []
        self.kept: list[Any] = []
        self.reasons: list[str] = []

    def read(self, result: Mapping[str, Any], regions: Mapping[str, int], who: str) -> None:
        """One `type: relation` result: `from_id`/`to_id` name regions of its annotation,
        `direction` right (from -> to), left (to -> from) or bi (undirected), `labels` its
        types (none: "relation")."""
        ends = [regions.get(str(result.get(key))) for key in ("from_id", "to_id")]
        labels = result.get("labels") or ["relation"]
        direction = result.get("direction", "right")
        why = ""
        if ends[0] is None or ends[1] is None:
            missing = result.get("from_id") if ends[0] is None else result.get("to_id")
            why = f"its end {missing!r} is no region of this annotation"
        elif not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
            why = f"labels must be a list of strings, got {labels!r}"[:200]
        elif direction not in ("right", "left", "bi"):
            why = f"direction {direction!r} is not right, left or bi"
        if why:
            self.kept.append(dict(result))
            self.reasons.append(f"relation {result.get('from_id')}->{result.get('to_id')}: "
                                f"{why}; kept in the article's metadata")  # fmt: skip
            return
        assert ends[0] is not None and ends[1] is not None
        a, b = (ends[1], ends[0]) if direction == "left" else (ends[0], ends[1])
        self.relations += [
            RelationDraft(str(label), a, b, annotator=who, directed=direction != "bi")
            for label in labels
        ]


def _who(completed_by: object) -> str:
    if isinstance(completed_by, dict):
        return str(completed_by.get("email") or completed_by.get("id") or DEFAULT_ANNOTATOR)
    return str(completed_by) if completed_by not in (None, "") else DEFAULT_ANNOTATOR


def _results(
    results: list[Any],
    text: str,
    raw: str,
    who: str,
    spans: list[SpanDraft],
    tags: list[TagDraft],
    problems: list[str],
    links: _Links,
) -> None:
    regions: dict[str, int] = {}  # region id -> index of its (first) span
    linking = []
    notes = {
        str(r.get("id")): "\n".join(_strings(r["value"].get("text"), "textarea text"))
        for r in results
        if isinstance(r, dict) and r.get("type") == "textarea" and isinstance(r.get("value"), dict)
    }
    for result in results:
        if isinstance(result, dict) and result.get("type") == "relation":
            linking.append(result)  # it has no value: its ends and labels are its own
            continue
        if not isinstance(result, dict) or not isinstance(result.get("value"), dict):
            continue
        value = result["value"]
        if result.get("type") == "choices":
            choices = _strings(value.get("choices"), "choices")
            tags += [TagDraft(label=c, annotator=who) for c in choices]
        elif "start" in value and "end" in value:
            labels = _strings(value.get("labels") or value.get("hypertextlabels"), "labels")
            located = _locate(value, text, raw)
            if isinstance(located, str):
                problems.append(f"region {result.get('id')}: {located}")
                continue
            note = notes.get(str(result.get("id")), "")
            if labels:
                regions.setdefault(str(result.get("id")), len(spans))
            spans += [
                SpanDraft(located[0], located[1], str(label), annotator=who, note=note)
                for label in labels
            ]
    for result in linking:
        links.read(result, regions, who)


def _min_results(
    task: Mapping[str, Any],
    text: str,
    raw: str,
    who: str,
    spans: list[SpanDraft],
    tags: list[TagDraft],
    problems: list[str],
) -> None:
    """JSON-MIN: a list of {start, end, text, labels} under some key is a set of regions."""
    for key, value in task.items():
        if not isinstance(value, list):
            continue
        for item in value:
            if isinstance(item, dict) and "start" in item and "labels" in item:
                located = _locate(item, text, raw)
                if isinstance(located, str):
                    problems.append(f"{key} region: {located}")
                    continue
                spans += [
                    SpanDraft(located[0], located[1], label, annotator=who)
                    for label in _strings(item["labels"], "labels")
                ]


def _locate(value: Mapping[str, Any], text: str, raw: str) -> tuple[int, int] | str:
    """(start, end) in code points of `text`, or why the region cannot be placed."""
    start, end = value.get("start"), value.get("end")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        return f"start/end must be integers, got {start!r}/{end!r}"
    assert isinstance(start, int) and isinstance(end, int)
    quote = value.get("text")
    if quote is not None and not isinstance(quote, str):
        return f"its text must be a string, got {quote!r}"
    if text != raw:
        return "text has CR line endings or a BOM, which import normalises: offsets would shift"
    candidates = [(start, end), _from_utf16(text, start, end)]
    for candidate in candidates:
        if candidate is None:
            continue
        s, e = candidate
        if 0 <= s < e <= len(text) and (quote is None or text[s:e] == quote):
            return s, e
    if quote is None:
        return f"offsets {start}..{end} are outside the text (length {len(text)})"
    return f"its text {quote[:40]!r} is not at {start}..{end} in code points or UTF-16 units"


def _from_utf16(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Code point offsets for UTF-16 unit offsets, or None when they split a character."""
    positions: dict[int, int] = {}
    unit = 0
    for index, char in enumerate(text):
        positions[unit] = index
        if unit >= end:
            break
        unit += 2 if ord(char) > 0xFFFF else 1
    else:
        positions[unit] = len(text)
    if start in positions and end in positions:
        return positions[start], positions[end]
    return None


class _BadShape(ValueError):
    """A Label Studio value of the wrong JSON type; the task is refused with this reason."""


def _strings(value: object, what: str) -> list[str]:
    """A list of strings (None is empty); a lone string or anything else is refused."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _BadShape(f"{what} must be a list of strings, got {value!r}"[:200])
    return value
