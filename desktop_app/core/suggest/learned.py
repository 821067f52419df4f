"""The learned recommender: texts people annotated by hand, proposed wherever they occur again.

Decisions (issue 15, item 5):

- Evidence is human-made spans only: live, continuous spans with no `span_provenance` row.
  A span accepted from any suggestion (this recommender's, a gazetteer's, a program's) is
  machine-originated and never counts, so the recommender cannot learn from its own
  predictions (INCEpTION #1272). Spans made by annotate-all or imported from other tools have
  no provenance and count: a person chose their text and label.
- A quote is learned exactly as annotated, case-sensitive, with surrounding whitespace
  stripped ("Rose" the name is not "rose" the flower); matching is whole-word by default.
- Per quote the labels are counted (one per span); the majority label is proposed with its
  share as the score; a tie proposes nothing. Quotes shorter than `min_length` code points
  (default 3) or in the stop list (function words, compared case-folded; extendable) are not
  learned at all.
- Proposals go everywhere the text occurs, including other occurrences in the article it
  was annotated in (the repeated names there are the keystrokes this saves), except where
  a live span already has exactly those offsets (any label: someone decided already) or a
  live span of the same label covers the hit.
- The model is incremental: one span's evidence is put or dropped by uuid; the automaton is
  rebuilt lazily, only when the set of (text, label) terms changed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from desktop_app.core.store import Store
from desktop_app.core.store.learned import ReplaceReport
from desktop_app.core.store.suggestions import Proposal
from desktop_app.core.suggest.matcher import Matcher, Term, fold

SOURCE = "learned"
MIN_LENGTH = 3
# Function words that are never worth proposing, whatever someone once marked (folded case).
_STOP = """a an and are as at be but by for from had has have he her his in is it its not of on or
she that the their they this to was were which who will with you le la les de des du et un
une der die das und ein eine el los las del y en"""
STOP_WORDS = frozenset(_STOP.split())


@dataclass(frozen=True)
class Learned:
    """One learned term: its text, the majority label, that label's share and the counts."""

    text: str
    label: str
    score: float
    count: int  # spans with this label
    total: int  # spans of this text, all labels

    def explanation(self) -> str:
        """Why it is proposed, in words."""
        return f"“{self.text}” was annotated {self.label} {self.count} of {self.total} times"


def read_stop_words(stream: TextIO) -> set[str]:
    """Words from a stop list (one a line, `#` comments), folded for comparison."""
    words = set()
    for line in stream:
        word = line.strip()
        if word and not word.startswith("#"):
            words.add(fold(word))
    return words


class LearnedModel:
    """What people annotated, per text the label counts; proposes the majority label."""

    def __init__(
        self,
        min_length: int = MIN_LENGTH,
        stop_words: Iterable[str] = STOP_WORDS,
        whole_word: bool = True,
    ) -> None:
        self.min_length = min_length
        self.stop_words = frozenset(fold(w) for w in stop_words)
        self.whole_word = whole_word
        self._evidence: dict[str, tuple[int, str, str]] = {}  # uuid -> (article, text, label)
        self._by_article: dict[int, set[str]] = {}
        self._counts: dict[str, Counter[str]] = {}
        self._terms: dict[str, str] = {}  # text -> majority label (ties left out)
        self._matcher: Matcher | None = None  # None: the terms changed since it was built
        self.rebuilds = 0  # how many times the automaton was built (for tests and the bench)

    # ------------------------------------------------------------------ learning

    def key(self, quote: str) -> str:
        """The text learned from a quote ("" when it is too short or a stop word)."""
        text = quote.strip()
        if len(text) < self.min_length or fold(text) in self.stop_words:
            return ""
        return text

    def put(self, uuid: str, article_id: int, quote: str, label: str) -> None:
        """Count one human span (replacing what the same uuid said before)."""
        old = self._evidence.get(uuid)
        text = self.key(quote)
        if old == (article_id, text, label):
            return
        if old is not None:
            self.drop(uuid)
        if not text:
            return
        self._evidence[uuid] = (article_id, text, label)
        self._by_article.setdefault(article_id, set()).add(uuid)
        self._counts.setdefault(text, Counter())[label] += 1
        self._retally(text)

    def drop(self, uuid: str) -> None:
        """Forget one span (deleted, relabelled, or turned out not to be human-made)."""
        old = self._evidence.pop(uuid, None)
        if old is None:
            return
        article_id, text, label = old
        self._by_article[article_id].discard(uuid)
        counts = self._counts[text]
        counts[label] -= 1
        if counts[label] <= 0:
            del counts[label]
        if not counts:
            del self._counts[text]
        self._retally(text)

    def _retally(self, text: str) -> None:
        label = majority(self._counts.get(text, Counter()))
        if self._terms.get(text) == label:
            return
        if label is None:
            del self._terms[text]
        else:
            self._terms[text] = label
        self._matcher = None

    def sync_article(self, article_id: int, spans: Mapping[str, tuple[str, str]]) -> None:
        """Make one article's evidence exactly `spans` (uuid -> (quote, label))."""
        for uuid in self._by_article.get(article_id, set()) - spans.keys():
            self.drop(uuid)
        for uuid, (quote, label) in spans.items():
            self.put(uuid, article_id, quote, label)

    def sync_all(self, rows: Iterable[tuple[str, int, str, str]]) -> None:
        """Make the whole evidence exactly `rows` (uuid, article, quote, label), by difference."""
        seen = set()
        for uuid, article_id, quote, label in rows:
            seen.add(uuid)
            self.put(uuid, article_id, quote, label)
        for uuid in self._evidence.keys() - seen:
            self.drop(uuid)

    # ------------------------------------------------------------------ what it learned

    def lookup(self, text: str) -> Learned | None:
        """What was learned about `text` (None: nothing, or a tie)."""
        label = self._terms.get(text)
        if label is None:
            return None
        counts = self._counts[text]
        total = sum(counts.values())
        return Learned(text, label, counts[label] / total, counts[label], total)

    def learned(self) -> list[Learned]:
        """Every learned term, in text order."""
        return [found for text in sorted(self._terms) if (found := self.lookup(text))]

    def matcher(self) -> Matcher:
        """The automaton over the learned terms, rebuilt only when they changed."""
        if self._matcher is None:
            terms = [Term(text, label) for text, label in self._terms.items()]
            self._matcher = Matcher(terms, case=True, whole_word=self.whole_word)
            self.rebuilds += 1
        return self._matcher

    def propose(
        self, article_id: int, text: str, spans: Iterable[tuple[int, int, str]] = ()
    ) -> list[Proposal]:
        """Proposals for one article; `spans` are its live spans (start, end, label), any
        annotator's: exact offsets already annotated, or covered by the same label, are left."""
        taken = set()
        by_label: dict[str, list[tuple[int, int]]] = {}
        for start, end, label in spans:
            taken.add((start, end))
            by_label.setdefault(label, []).append((start, end))
        covers = {label: _Covers(found) for label, found in by_label.items()}
        proposals = []
        for hit in self.matcher().find(text):
            if (hit.start, hit.end) in taken:
                continue
            cover = covers.get(hit.label)
            if cover is not None and cover.covers(hit.start, hit.end):
                continue
            found = self.lookup(hit.term)
            if found is None:  # cannot happen: the matcher holds exactly the terms
                continue
            proposals.append(
                Proposal(
                    article_id, hit.start, hit.end, hit.label, found.score, found.explanation()
                )
            )
        return proposals


def majority(counts: Counter[str]) -> str | None:
    """The most frequent label, None when there is none or the top is tied."""
    top = counts.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


class _Covers:
    """Whether some interval of a set contains [start, end): a prefix maximum of ends."""

    def __init__(self, intervals: list[tuple[int, int]]) -> None:
        intervals.sort()
        self.starts = [s for s, _ in intervals]
        self.reach = []
        furthest = -1
        for _, end in intervals:
            furthest = max(furthest, end)
            self.reach.append(furthest)

    def covers(self, start: int, end: int) -> bool:
        at = bisect_right(self.starts, start) - 1
        return at >= 0 and self.reach[at] >= end


def learn(store: Store, annotator: str | None = None, **options: Any) -> LearnedModel:
    """A model learned from the project's human-made spans (optionally one annotator's)."""
    model = LearnedModel(**options)
    model.sync_all(store.human_spans(annotator))
    return model


def article_proposals(store: Store, model: LearnedModel, article_id: int) -> list[Proposal]:
    """The model's proposals for one stored article, its live spans left alone."""
    text = store.article(article_id).text
    spans = [(s.start, s.end, s.label) for s in store.spans(article_id)]
    return model.propose(article_id, text, spans)


def suggest_learned(
    store: Store, model: LearnedModel, article_ids: Iterable[int]
) -> tuple[int, ReplaceReport]:
    """Replace the `learned` suggestions of each article with the model's proposals; returns
    the number of articles and the summed report."""
    total = ReplaceReport()
    articles = 0
    for article_id in article_ids:
        report = store.replace_suggestions(
            SOURCE, article_id, article_proposals(store, model, article_id)
        )
        articles += 1
        total.removed += report.removed
        for name in ("added", "rejected_before", "annotated", "duplicates"):
            setattr(total.stored, name, getattr(total.stored, name) + getattr(report.stored, name))
        total.stored.refused += report.stored.refused
    return articles, total


def write_gazetteer(learned: Iterable[Learned], stream: TextIO, what: str = "") -> int:
    """Write `text<TAB>label` lines (INCEpTION's gazetteer format) with a `#` header; returns
    the number of terms written. Texts with a tab or line break, or starting with `#`, cannot
    be written in this format and are left out (the header says how many)."""
    terms = list(learned)
    fit = [t for t in terms if not (set(t.text) & {"\t", "\n", "\r"} or t.text.startswith("#"))]
    stream.write("# Marginalia learned gazetteer: text<TAB>label, the majority label per text\n")
    if what:
        stream.write(f"# {what}\n")
    if len(fit) < len(terms):
        stream.write(f"# {len(terms) - len(fit)} texts left out (tab, line break or leading #)\n")
    for term in fit:
        stream.write(f"{term.text}\t{term.label}\n")
    return len(fit)
