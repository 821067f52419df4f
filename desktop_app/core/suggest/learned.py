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
  (default 3) or in the stop list (function words, compared in lower case; extendable) are
  not learned at all.
- Proposals go everywhere the text occurs, including other occurrences in the article it
  was annotated in (the repeated names there are the keystrokes this saves), except where
  a live span already has exactly those offsets (any label: someone decided already) or a
  live span of the same label covers the hit.
- The model is incremental: one span's evidence is put or dropped by uuid. Matching follows
  core/suggest/matcher.py's rules (pyahocorasick, case-sensitive, its `is_whole`, the longest
  match first, no overlaps) but keeps, for a few recent articles, where each learned text
  occurs: after an edit only the texts that came or went are looked for again (`str.find`),
  so the open article's suggestions follow an edit in about a millisecond; the automaton is
  rebuilt only when texts came or went, and the window does that when idle.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

import ahocorasick

from desktop_app.core.store import Store
from desktop_app.core.store.learned import ReplaceReport
from desktop_app.core.store.suggestions import Proposal
from desktop_app.core.suggest.matcher import is_whole

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
    """Words from a stop list (one a line, `#` comments), lower-cased for comparison."""
    words = set()
    for line in stream:
        word = line.strip()
        if word and not word.startswith("#"):
            words.add(word.lower())
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
        self.stop_words = frozenset(w.lower() for w in stop_words)
        self.whole_word = whole_word
        self._evidence: dict[str, tuple[int, str, str]] = {}  # uuid -> (article, text, label)
        self._by_article: dict[int, set[str]] = {}
        self._counts: dict[str, Counter[str]] = {}
        self._terms: dict[str, str] = {}  # text -> majority label (ties left out)
        self._looked_up: dict[str, Learned] = {}  # lookup's answers until the counts change
        # The automaton holds texts only (a label change needs no rebuild); None: texts were
        # added or removed since it was built.
        self._automaton: ahocorasick.Automaton | None = None
        self.rebuilds = 0  # how many times the automaton was built (for tests and the bench)
        # Texts that became or stopped being terms, in order: an article's cached places are
        # brought up to date by looking for just these (str.find) instead of a whole pass.
        self._changes: list[str] = []
        self._places: OrderedDict[int, _Places] = OrderedDict()  # a few recent articles

    # ------------------------------------------------------------------ learning

    def key(self, quote: str) -> str:
        """The text learned from a quote ("" when it is too short or a stop word)."""
        text = quote.strip()
        if len(text) < self.min_length or text.lower() in self.stop_words:
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
        self._looked_up.pop(text, None)
        label = majority(self._counts.get(text, Counter()))
        before = self._terms.get(text)
        if before == label:
            return
        if label is None:
            del self._terms[text]
        else:
            self._terms[text] = label
        if before is None or label is None:  # a text came or went (not just relabelled)
            self._automaton = None
            self._changes.append(text)

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
        found = self._looked_up.get(text)
        if found is not None:
            return found
        label = self._terms.get(text)
        if label is None:
            return None
        counts = self._counts[text]
        total = sum(counts.values())
        found = self._looked_up[text] = Learned(
            text, label, counts[label] / total, counts[label], total
        )
        return found

    def learned(self) -> list[Learned]:
        """Every learned term, in text order."""
        return [found for text in sorted(self._terms) if (found := self.lookup(text))]

    def _built(self) -> ahocorasick.Automaton | None:
        """The automaton over the learned texts, rebuilt only when texts came or went."""
        if self._automaton is None and self._terms:
            automaton = ahocorasick.Automaton()
            for text in self._terms:
                automaton.add_word(text, text)
            automaton.make_automaton()
            self._automaton = automaton
            self.rebuilds += 1
        return self._automaton if self._terms else None

    def warm(self) -> None:
        """Build the automaton now if it is out of date (the window does so when idle)."""
        self._built()

    def _where(self, article_id: int, text: str) -> _Places:
        """Where each learned text occurs in the article (whole words if asked), cached for a
        few articles and brought up to date by the texts that changed since."""
        places = self._places.get(article_id)
        if places is None or (places.text is not text and places.text != text):
            places = _Places(text, len(self._changes), self._all_places(text), {})
        else:
            for term in set(self._changes[places.seen :]):
                places.at.pop(term, None)
                if term in self._terms:
                    found = self._places_of(term, text)
                    if found:
                        places.at[term] = found
            places.seen = len(self._changes)
        self._places[article_id] = places
        self._places.move_to_end(article_id)
        while len(self._places) > 4:
            self._places.popitem(last=False)
        return places

    def _all_places(self, text: str) -> dict[str, list[tuple[int, int]]]:
        at: dict[str, list[tuple[int, int]]] = {}
        automaton = self._built()
        if automaton is None:
            return at
        for last, term in automaton.iter(text):
            start = last + 1 - len(term)
            if not self.whole_word or _whole(text, start, last + 1):
                at.setdefault(term, []).append((start, last + 1))
        return at

    def _places_of(self, term: str, text: str) -> list[tuple[int, int]]:
        found = []
        start = text.find(term)
        while start >= 0:
            if not self.whole_word or _whole(text, start, start + len(term)):
                found.append((start, start + len(term)))
            start = text.find(term, start + 1)
        return found

    def propose(
        self, article_id: int, text: str, spans: Iterable[tuple[int, int, str]] = ()
    ) -> list[Proposal]:
        """Proposals for one article: every whole-word occurrence of a learned text, the
        longest first where they overlap; `spans` are its live spans (start, end, label), any
        annotator's: exact offsets already annotated, or covered by the same label, are left."""
        taken = set()
        by_label: dict[str, list[tuple[int, int]]] = {}
        for start, end, label in spans:
            taken.add((start, end))
            by_label.setdefault(label, []).append((start, end))
        covers = {label: _Covers(found) for label, found in by_label.items()}
        places = self._where(article_id, text)
        made = places.made
        hits = [(s, e, term) for term, at in places.at.items() for s, e in at]
        hits.sort(key=lambda hit: (hit[0], hit[0] - hit[1]))  # earliest, then longest
        proposals = []
        reach = 0
        for start, end, term in hits:
            if start < reach:  # overlaps a longer or earlier hit (as Matcher.find)
                continue
            reach = end
            found = self.lookup(term)
            if found is None or (start, end) in taken:
                continue
            cover = covers.get(found.label)
            if cover is not None and cover.covers(start, end):
                continue
            # The same proposal as last time when nothing about its text changed (cheaper).
            before = made.get((start, end))
            if before is None or before[0] is not found:
                why = found.explanation()
                proposal = Proposal(article_id, start, end, found.label, found.score, why)
                before = made[(start, end)] = (found, proposal)
            proposals.append(before[1])
        return proposals


@dataclass
class _Places:
    """Where the learned texts occur in one article's text, as of `seen` changes."""

    text: str
    seen: int
    at: dict[str, list[tuple[int, int]]]
    made: dict[tuple[int, int], tuple[Learned, Proposal]]  # the last proposal at each place


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what the regular expression \w is, without its cost


def _whole(text: str, start: int, end: int) -> bool:
    """matcher.is_whole, asked only where a word character touches one on either side (the
    usual case, a space or punctuation beside the hit, is decided here without it)."""
    if (start > 0 and _is_word(text[start - 1]) and _is_word(text[start])) or (
        end < len(text) and _is_word(text[end - 1]) and _is_word(text[end])
    ):
        return is_whole(text, start, end)
    return True


def majority(counts: Counter[str]) -> str | None:
    """The most frequent label, None when there is none or the top is tied."""
    label, best, second = None, 0, 0
    for name, count in counts.items():  # a handful of labels: cheaper than most_common
        if count > best:
            label, best, second = name, count, best
        elif count > second:
            second = count
    return label if best > second else None


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
