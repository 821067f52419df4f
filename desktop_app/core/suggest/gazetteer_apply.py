"""Applying gazetteers: one automaton per gazetteer, texts streamed in batches, suggestions
stored in bulk (rejections respected, text already annotated with the label skipped)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.store import Store, StoreError
from desktop_app.core.store.gazetteers import Gazetteer
from desktop_app.core.store.suggestions import AddReport, Proposal
from desktop_app.core.suggest.gazetteer import ReadResult, read_gazetteer, write_tsv
from desktop_app.core.suggest.matcher import Matcher, Term

BATCH = 500  # articles read, matched and stored together: bounded memory, bulk inserts
SCORE = 1.0  # a gazetteer hit is an exact match of a listed term


@dataclass
class ApplyReport:
    """What applying gazetteers did: articles read, and per source how suggestions were taken."""

    articles: int = 0
    stored: dict[str, AddReport] = field(default_factory=dict)
    unknown_labels: dict[str, int] = field(default_factory=dict)  # label -> terms left out
    cancelled: bool = False

    def take(self, source: str, added: AddReport) -> None:
        """Count one batch's AddReport under its source."""
        total = self.stored.setdefault(source, AddReport())
        total.added += added.added
        total.rejected_before += added.rejected_before
        total.annotated += added.annotated
        total.duplicates += added.duplicates
        total.refused.extend(added.refused)

    @property
    def added(self) -> int:
        """Suggestions stored, from every gazetteer."""
        return sum(r.added for r in self.stored.values())

    def summary(self) -> str:
        """One line: suggestions stored and skipped, over how many articles."""
        skipped = sum(r.rejected_before for r in self.stored.values())
        covered = sum(r.annotated for r in self.stored.values())
        line = (
            f"{self.added:,} suggestions stored on {self.articles:,} articles "
            f"({skipped:,} rejected before, {covered:,} already annotated)"
        )
        if self.unknown_labels:
            labels = ", ".join(sorted(self.unknown_labels))
            line += f"; terms left out, their labels are not in the project: {labels}"
        return line + ("; cancelled before the end" if self.cancelled else "")


@dataclass(frozen=True)
class Prepared:
    """A gazetteer with its matcher, built once for a whole run."""

    gazetteer: Gazetteer
    matcher: Matcher


def prepare(store: Store, gazetteers: Iterable[Gazetteer], report: ApplyReport) -> list[Prepared]:
    """A matcher per gazetteer, over the terms whose labels the project still has."""
    labels = set(store.span_label_names())
    prepared = []
    for gazetteer in gazetteers:
        terms = []
        for term, label in store.gazetteer_terms(gazetteer.name):
            if label in labels:
                terms.append(Term(term, label))
            else:
                report.unknown_labels[label] = report.unknown_labels.get(label, 0) + 1
        matcher = Matcher(terms, case=gazetteer.case, whole_word=gazetteer.whole_word)
        prepared.append(Prepared(gazetteer, matcher))
    return prepared


def suggest_texts(
    store: Store, prepared: Sequence[Prepared], texts: dict[int, str], report: ApplyReport
) -> None:
    """Match one batch of texts with every gazetteer and store what they find."""
    for one in prepared:
        find = one.matcher.find
        # The explanation is the listed term (the source names the gazetteer): without
        # case, the text matched may be spelt otherwise.
        proposals = [
            Proposal(article_id, hit.start, hit.end, hit.label, SCORE, hit.term)
            for article_id, text in texts.items()
            for hit in find(text)
        ]
        if proposals:
            report.take(
                one.gazetteer.source, store.add_suggestions(one.gazetteer.source, proposals, texts)
            )


def _id_batches(store: Store, article_ids: Iterable[int], size: int) -> Iterator[dict[int, str]]:
    chunk: list[int] = []
    for article_id in article_ids:
        chunk.append(article_id)
        if len(chunk) >= size:
            yield store.article_texts(chunk)
            chunk = []
    if chunk:
        yield store.article_texts(chunk)


def apply_gazetteers(
    store: Store,
    gazetteers: Iterable[Gazetteer],
    article_ids: Iterable[int] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    batch: int = BATCH,
) -> ApplyReport:
    """Apply the gazetteers to the articles (None: all of them), batch by batch.

    Each batch is committed as it is done, so a cancelled run keeps what it stored and a
    second run adds nothing twice (a source proposes the same suggestion once).
    """
    report = ApplyReport()
    prepared = prepare(store, gazetteers, report)
    if not prepared:
        return report
    texts_in = (
        store.iter_all_texts(batch)
        if article_ids is None
        else _id_batches(store, article_ids, batch)
    )
    for texts in texts_in:
        if cancelled():
            report.cancelled = True
            break
        suggest_texts(store, prepared, texts, report)
        report.articles += len(texts)
        if progress is not None:
            progress(report.articles)
    return report


class NewArticleSuggestions:
    """The import's hook: the enabled gazetteers' suggestions for each batch it stores.

    The gazetteers are read and their matchers built once, at the first batch.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.report = ApplyReport()
        self._prepared: list[Prepared] | None = None

    def stored(self, added_ids: Sequence[tuple[int, int]]) -> None:
        """Suggest on the articles a batch added (id runs, as ImportReport.added_ids)."""
        if not added_ids:
            return
        if self._prepared is None:
            self._prepared = prepare(
                self.store, self.store.gazetteers(enabled_only=True), self.report
            )
        if not self._prepared:
            return
        ids = (i for first, last in added_ids for i in range(first, last + 1))
        for texts in _id_batches(self.store, ids, BATCH):
            suggest_texts(self.store, self._prepared, texts, self.report)
            self.report.articles += len(texts)


@dataclass
class Loaded:
    """A gazetteer file in the project: the stored gazetteer, what the file held, and
    whether it was loaded already with the same content (then nothing was changed)."""

    gazetteer: Gazetteer
    read: ReadResult
    reused: bool


def load_gazetteer(
    store: Store,
    path: str | Path,
    *,
    case: bool | None = None,
    whole_word: bool | None = None,
    replace: bool = False,
) -> Loaded:
    """Read a gazetteer file and store it under the file's name.

    The same file loaded again (same name and bytes) is re-used, unless other matching
    options are asked for (None: whatever it has; new ones match in any case, whole words).
    Another file of that name, or other options, are refused unless `replace`.
    """
    existing = {g.name: g for g in store.gazetteers()}.get(Path(path).name)
    if case is None:
        case = existing.case if existing is not None else False
    if whole_word is None:
        whole_word = existing.whole_word if existing is not None else True
    read = read_gazetteer(path, store.span_label_names(), case=case)
    if existing is not None and existing.sha256 == read.sha256 and not replace:
        if (existing.case, existing.whole_word) != (case, whole_word):
            raise StoreError(
                f"{path}: gazetteer {read.name!r} is loaded already with other matching "
                "options; replace it to change them"
            )
        return Loaded(existing, read, True)
    if existing is not None and not replace:
        raise StoreError(
            f"{path}: a different gazetteer named {read.name!r} is loaded already; "
            "remove it first (or rename the file)"
        )
    stored = store.add_gazetteer(
        read.name,
        [(t.text, t.label) for t in read.terms],
        source_file=str(Path(path).resolve()),
        sha256=read.sha256,
        case=case,
        whole_word=whole_word,
        replace=replace,
    )
    return Loaded(stored, read, False)


def export_gazetteer(store: Store, name: str, path: str | Path) -> str:
    """Write a gazetteer's terms as `term<TAB>label` lines; say how many were written."""
    found = store.gazetteer(name)
    comment = f"Marginalia gazetteer {found.name}\nterm<TAB>label, one per line"
    written = write_tsv(path, store.gazetteer_terms(name), comment)
    said = f"{name}: {written:,} terms written to {path}"
    if written < found.terms:
        said += (
            f" ({found.terms - written:,} left out: a term with a line break or starting "
            "with # cannot be written in this format)"
        )
    return said
