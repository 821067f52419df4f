"""Annotate all matches: find a term's hits in a scope, in context, and apply them as one step."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleFilter, Span, Status
from desktop_app.core.store import Store, StoreError
from desktop_app.core.suggest.matcher import Hit, Matcher, Term

CONTEXT = 60  # characters of the line shown on each side of a hit
PROGRESS_SECONDS = 0.1  # how often find_all reports progress (a window repaints that often)


@dataclass(frozen=True)
class Scope:
    """Which articles: one article, or the filter's articles (optionally only those the
    annotator has not marked done)."""

    filter: ArticleFilter = field(default_factory=ArticleFilter)
    article_id: int | None = None
    not_done: bool = False


@dataclass(frozen=True)
class Found:
    """One hit in one article, with the line around it; `covered` hits are not to be applied."""

    article_id: int
    title: str
    start: int
    end: int
    label: str
    quote: str
    before: str
    after: str
    covered: bool

    def as_dict(self) -> dict[str, object]:
        """The hit as JSON-ready fields."""
        return {
            "article": self.article_id,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "quote": self.quote,
            "before": self.before,
            "after": self.after,
            "covered": self.covered,
        }


def check_label(store: Store, label: str) -> None:
    """Refuse a label that is not a span label of the project, naming it."""
    if label not in {lab.name for lab in store.labels("span")}:
        raise StoreError(f"{label!r} is not a span label of this project")


def make_matcher(
    text: str, label: str, *, case: bool = False, whole_word: bool = True, regex: bool = False
) -> Matcher:
    """The matcher for one term (or regular expression) and its label."""
    return Matcher([Term(text, label)], case=case, whole_word=whole_word, regex=regex)


def scope_ids(store: Store, scope: Scope, annotator: str) -> Iterator[int]:
    """The ids of the articles in the scope, in list order."""
    for article_id, wanted in _passed(store, scope, annotator):
        if wanted:
            yield article_id


def _passed(store: Store, scope: Scope, annotator: str) -> Iterator[tuple[int, bool]]:
    """Every article the search passes, and whether it is searched (not one marked done,
    when the scope says so): progress counts them all."""
    if scope.article_id is not None:
        yield scope.article_id, True
        return
    for batch in store.iter_article_ids(scope.filter):
        for article_id in batch:
            done = scope.not_done and store.status(article_id, annotator) == Status.DONE
            yield article_id, not done


def scope_size(store: Store, scope: Scope) -> int:
    """How many articles the search goes through (those marked done count: they are passed)."""
    return 1 if scope.article_id is not None else store.count_articles(scope.filter)


def find_all(
    store: Store,
    matcher: Matcher,
    scope: Scope,
    annotator: str,
    cancelled: Callable[[], bool] = lambda: False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Found]:
    """Every hit in the scope, grouped by article; hits inside a live span of the same
    label by `annotator` are marked covered (applying them again would add nothing).

    `progress(searched, total)` is called after the first article, then about every
    PROGRESS_SECONDS, and at the end; `cancelled()` is asked before each article (the hits
    found until then are returned)."""
    found: list[Found] = []
    total = scope_size(store, scope) if progress is not None else 0
    passed, last = 0, 0.0
    for article_id, wanted in _passed(store, scope, annotator):
        if cancelled():
            break
        if wanted:
            article = store.article(article_id)
            hits = matcher.find(article.text)
            if hits:
                own = store.spans(article_id, annotator)
                for hit in hits:
                    found.append(_found(article_id, article.title, article.text, hit, own))
        passed += 1
        if progress is not None and (passed == 1 or time.monotonic() - last >= PROGRESS_SECONDS):
            last = time.monotonic()
            progress(passed, max(total, passed))
    if progress is not None:
        # Articles imported meanwhile can make the list longer than it was counted.
        progress(passed, total if cancelled() else max(total, passed))
    return found


def _found(article_id: int, title: str, text: str, hit: Hit, own: list[Span]) -> Found:
    covered = any(
        s.label == hit.label and s.start <= hit.start and hit.end <= s.end and not s.deleted
        for s in own
    )
    # Keyword in context: the rest of the hit's line on each side, at most CONTEXT characters.
    line_start = text.rfind("\n", 0, hit.start) + 1
    line_end = text.find("\n", hit.end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[max(line_start, hit.start - CONTEXT) : hit.start]
    after = text[hit.end : min(line_end, hit.end + CONTEXT)]
    quote = text[hit.start : hit.end]
    return Found(article_id, title, hit.start, hit.end, hit.label, quote, before, after, covered)


def apply_found(
    editor: Editor,
    found: Iterable[Found],
    search: str = "",
    options: dict[str, Any] | None = None,
    scope: dict[str, Any] | None = None,
) -> list[Span]:
    """Create the uncovered hits as the editor's annotator's spans, in one undoable step,
    recorded as a batch (with the search that found them) in the same transaction."""
    return apply_batch(editor, found, search, options, scope)[1]


def apply_batch(
    editor: Editor,
    found: Iterable[Found],
    search: str = "",
    options: dict[str, Any] | None = None,
    scope: dict[str, Any] | None = None,
) -> tuple[str, list[Span]]:
    """apply_found, also giving the batch's uuid ("" when nothing was added)."""
    wanted = [(f.article_id, f.start, f.end, f.label) for f in found if not f.covered]
    wanted = list(dict.fromkeys(wanted))  # the same hit ticked twice is one span
    if not wanted:
        return "", []
    label = wanted[0][3]
    what = f"annotate all: {len(wanted)} × {label}"
    return editor.annotate_all(wanted, search, options or {}, scope or {}, what)


def describe_scope(scope: Scope) -> dict[str, Any]:
    """The scope as JSON-ready fields, for a batch's record (only what is set)."""
    if scope.article_id is not None:
        return {"article": scope.article_id}
    order = {"sort", "descending", "ranked"}  # how the list is sorted: not which articles
    described: dict[str, Any] = {
        name: value
        for name, value in asdict(scope.filter).items()
        if name not in order and value not in (None, "")
    }
    if scope.filter.status is None:
        described.pop("status_annotator", None)
    if scope.not_done:
        described["not_done"] = True
    return described or {"all": True}
