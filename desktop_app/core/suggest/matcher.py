"""Find many literal terms (Aho-Corasick) or regular expressions; offsets in code points."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick


@dataclass(frozen=True)
class Term:
    """A term to look for, and the label its hits get."""

    text: str
    label: str


class Hit(NamedTuple):
    """One match: `text[start:end]` (code points) is the matched text.

    A named tuple, not a dataclass: a gazetteer pass makes millions of them, and a tuple
    is made several times faster (bench/measure_suggest.py).
    """

    start: int
    end: int
    label: str
    term: str


class MatcherError(ValueError):
    """A term that cannot be searched for (a regular expression that does not compile)."""


def fold(text: str) -> str:
    """Lower-case `text` character by character, keeping its length (so offsets stay exact).

    A character whose lower case is longer (İ -> i̇) is kept as it is: it then only
    matches itself, which is the price of exact offsets.
    """
    low = text.lower()
    # str.lower maps each character alone except a capital sigma (final ς in context): with
    # no sigma and no character grown, it equals the character-by-character fold, ten times
    # faster (bench/measure_suggest.py).
    if len(low) == len(text) and "Σ" not in text:
        return low
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


_CJK_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "IDEOGRAPHIC", "HALFWIDTH KATAKANA")


@functools.lru_cache(maxsize=8192)
def _is_cjk(ch: str) -> bool:
    """Han, Hiragana and Katakana: scripts written without spaces between words."""
    name = unicodedata.name(ch, "")
    return name.startswith(_CJK_SCRIPTS)


def _is_word(ch: str) -> bool:
    # Exactly re's Unicode \w (its documented definition, checked over every code point in
    # tests/test_suggest_matcher.py), without a regex call per character.
    return ch.isalnum() or ch == "_"


def is_whole(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands as a whole word.

    Python's `\\w` decides (Unicode-aware: Georgian, Arabic, Cyrillic... letters are word
    characters). In Chinese and Japanese every character is `\\w` and words are not
    delimited, so `\\w` cannot decide there: a boundary next to a Han, Hiragana or Katakana
    character (on either side) counts as a word boundary, so CJK terms are found inside CJK
    text (a whole-word search in CJK is a plain substring search).
    """
    if start == end:
        return False
    if start > 0:
        before, first = text[start - 1], text[start]
        if _is_word(before) and _is_word(first) and not (_is_cjk(before) or _is_cjk(first)):
            return False
    if end < len(text):
        last, after = text[end - 1], text[end]
        if _is_word(last) and _is_word(after) and not (_is_cjk(last) or _is_cjk(after)):
            return False
    return True


class Matcher:
    """Many terms searched at once; `find` gives non-overlapping hits, longest first."""

    def __init__(
        self,
        terms: Iterable[Term],
        *,
        case: bool = False,
        whole_word: bool = True,
        regex: bool = False,
    ) -> None:
        self.case, self.whole_word, self.regex = case, whole_word, regex
        self._patterns: list[tuple[re.Pattern[str], Term]] = []
        self._automaton: ahocorasick.Automaton | None = None
        kept = [t for t in terms if t.text]
        if regex:
            flags = 0 if case else re.IGNORECASE
            for term in kept:
                try:
                    self._patterns.append((re.compile(term.text, flags), term))
                except re.error as error:
                    raise MatcherError(
                        f"regular expression {term.text!r} does not compile: {error}"
                    ) from error
            return
        automaton = ahocorasick.Automaton()
        for term in kept:
            key = term.text if case else fold(term.text)
            if key not in automaton:  # the first term with a spelling wins
                automaton.add_word(key, (len(key), term))
        if len(automaton):
            automaton.make_automaton()
            self._automaton = automaton

    def find(self, text: str) -> list[Hit]:
        """Every hit in `text`, non-overlapping, the longest at each position, in text order."""
        if not self.regex:
            return self._literal_find(text)
        candidates = self._regex_hits(text)
        if self.whole_word:
            candidates = [h for h in candidates if is_whole(text, h.start, h.end)]
        # Earliest start first, then the longest; then drop whatever overlaps a kept hit.
        candidates.sort(key=lambda h: (h.start, -(h.end - h.start)))
        hits: list[Hit] = []
        reach = 0
        for hit in candidates:
            if hit.start >= reach:
                hits.append(hit)
                reach = hit.end
        return hits

    def _literal_find(self, text: str) -> list[Hit]:
        """find() for literal terms: the same rule, with a Hit made only for each hit kept.

        is_whole is written out in the loop (it is most of the time spent per hit).
        """
        if self._automaton is None:
            return []
        haystack = text if self.case else fold(text)
        whole, size, cjk = self.whole_word, len(text), _is_cjk
        # (start, -length, term): the automaton's keys are distinct, so no two tie.
        candidates = []
        for last, (length, term) in self._automaton.iter(haystack):
            start, end = last + 1 - length, last + 1
            if whole:
                if start:
                    a, b = text[start - 1], text[start]
                    if (
                        (a.isalnum() or a == "_")
                        and (b.isalnum() or b == "_")
                        and not (cjk(a) or cjk(b))
                    ):
                        continue
                if end < size:
                    a, b = text[last], text[end]
                    if (
                        (a.isalnum() or a == "_")
                        and (b.isalnum() or b == "_")
                        and not (cjk(a) or cjk(b))
                    ):
                        continue
            candidates.append((start, -length, term))
        # (start, -length) never ties (distinct keys), so the Term is never compared.
        candidates.sort()
        hits: list[Hit] = []
        reach = 0
        for start, minus, term in candidates:
            if start >= reach:
                reach = start - minus
                hits.append(Hit(start, reach, term.label, term.text))
        return hits

    def _regex_hits(self, text: str) -> list[Hit]:
        hits = []
        for pattern, term in self._patterns:
            for match in pattern.finditer(text):
                if match.end() > match.start():  # an empty match marks nothing
                    hits.append(Hit(match.start(), match.end(), term.label, term.text))
        return hits
