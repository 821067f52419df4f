"""The matcher: literal terms, case, whole words across scripts, regex, overlaps, offsets."""

import re
import sys

import pytest

from desktop_app.core.suggest.matcher import Hit, Matcher, MatcherError, Term


def spans(text, hits):
    return [(text[h.start : h.end], h.label) for h in hits]


def test_literal_case_insensitive_by_default():
    text = "Berlin and BERLIN and berliner"
    hits = Matcher([Term("berlin", "LOC")]).find(text)
    assert spans(text, hits) == [("Berlin", "LOC"), ("BERLIN", "LOC")]


def test_case_sensitive():
    text = "Berlin and BERLIN"
    hits = Matcher([Term("Berlin", "LOC")], case=True).find(text)
    assert [(h.start, h.end) for h in hits] == [(0, 6)]


def test_not_whole_word_finds_inside_words():
    text = "berliner"
    assert spans(text, Matcher([Term("berlin", "LOC")], whole_word=False).find(text)) == [
        ("berlin", "LOC")
    ]


@pytest.mark.parametrize(
    "text,term,expected",
    [
        ("თბილისი და თბილისელი", "თბილისი", ["თბილისი"]),  # Georgian: not inside a longer word
        ("القاهرة والقاهرة", "القاهرة", ["القاهرة"]),  # Arabic: و attached is a longer word
        ("我在北京工作", "北京", ["北京"]),  # Chinese: no spaces, boundaries at Han chars
        ("東京タワーに行く", "東京", ["東京"]),  # Japanese Han next to Katakana
    ],
)
def test_whole_word_across_scripts(text, term, expected):
    hits = Matcher([Term(term, "X")]).find(text)
    assert [text[h.start : h.end] for h in hits] == expected


def test_longest_match_first_and_no_overlaps():
    text = "New York City is not York"
    terms = [
        Term("New York", "A"),
        Term("York", "B"),
        Term("New York City", "C"),
        Term("City", "D"),
    ]
    assert spans(text, Matcher(terms).find(text)) == [("New York City", "C"), ("York", "B")]


def test_overlapping_terms_left_one_wins():
    text = "abc"
    hits = Matcher([Term("ab", "X"), Term("bc", "Y")], whole_word=False).find(text)
    assert spans(text, hits) == [("ab", "X")]


def test_offsets_exact_over_emoji_and_newlines():
    text = "👍🏽 Paris\n🇫🇷 paris\nİstanbul Paris"
    hits = Matcher([Term("paris", "LOC"), Term("istanbul", "LOC")]).find(text)
    assert [text[h.start : h.end] for h in hits] == ["Paris", "paris", "Paris"]
    assert hits[0] == Hit(3, 8, "LOC", "paris")


def test_regex():
    text = "in 1999 and 2024, not 12345"
    hits = Matcher([Term(r"\d{4}", "YEAR")], regex=True).find(text)
    assert spans(text, hits) == [("1999", "YEAR"), ("2024", "YEAR")]


def test_regex_that_does_not_compile_is_named():
    with pytest.raises(MatcherError, match=r"'\(unclosed'"):
        Matcher([Term("(unclosed", "X")], regex=True)


def test_ten_thousand_terms():
    terms = [Term(f"term{i}", f"L{i % 7}") for i in range(10_000)]
    text = " ".join(f"term{i}" for i in range(0, 20_000, 3))
    hits = Matcher(terms).find(text)
    assert len(hits) == len(range(0, 10_000, 3))
    assert all(text[h.start : h.end] == h.term for h in hits)


def test_word_characters_are_exactly_res_unicode_word():
    # matcher._is_word stands in for re's \w (without a regex call per character).
    from desktop_app.core.suggest.matcher import _is_word

    word = re.compile(r"\w")
    differ = [c for c in range(sys.maxunicode + 1) if _is_word(chr(c)) != bool(word.match(chr(c)))]
    assert differ == []


@pytest.mark.parametrize(
    "text",
    ["plain ascii", "ΟΔΟΣ ΣΟΦΟΣ", "İstanbul and Ⅻ", "Straße ǅ ﬁ 🙂 Ἀθῆναι", "ΑΣ", "aΣb"],
)
def test_fold_keeps_length_and_folds_each_character_alone(text):
    from desktop_app.core.suggest.matcher import fold

    each = "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)
    assert fold(text) == each and len(fold(text)) == len(text)


def _reference(terms, text, case, whole):
    """The matcher's rule written plainly: every occurrence, whole-word filter, earliest
    start then longest, no overlaps (the first term with a spelling wins)."""
    from desktop_app.core.suggest.matcher import fold, is_whole

    first = {}
    for term in terms:
        first.setdefault(term.text if case else fold(term.text), term)
    hay = text if case else fold(text)
    found = []
    for key, term in first.items():
        at = hay.find(key)
        while at >= 0:
            if not whole or is_whole(text, at, at + len(key)):
                found.append((at, -len(key), term))
            at = hay.find(key, at + 1)
    found.sort(key=lambda c: (c[0], c[1]))
    hits, reach = [], 0
    for start, minus, term in found:
        if start >= reach:
            hits.append(Hit(start, start - minus, term.label, term.text))
            reach = start - minus
    return hits


@pytest.mark.parametrize("seed", range(40))
def test_literal_matches_the_plain_rule_on_random_text(seed):
    import random

    rng = random.Random(seed)
    alphabet = "ab AB_.Σσ北京ი🙂\n"
    text = "".join(rng.choice(alphabet) for _ in range(200))
    terms = [
        Term("".join(rng.choice(alphabet[:-1]) for _ in range(rng.randint(1, 4))), f"L{i}")
        for i in range(15)
    ]
    for case in (False, True):
        for whole in (False, True):
            matcher = Matcher(terms, case=case, whole_word=whole)
            assert matcher.find(text) == _reference(terms, text, case, whole), (case, whole)
