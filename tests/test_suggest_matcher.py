"""The matcher: literal terms, case, whole words across scripts, regex, overlaps, offsets."""

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
