"""Finding in the open article (issue 14 item 7): exact code point positions."""

import pytest

from desktop_app.core.find import find_all, search_hits, search_terms

THUMB = "\U0001f44d\U0001f3fd"
TEXT = f"{THUMB} Blair met Brown.\nThe budget, Budgets and budgetary {THUMB} Blair-Brown talks."


def quotes(text, ranges):
    return [text[a:b] for a, b in ranges]


def test_find_a_word_case_insensitive_and_whole_word():
    assert quotes(TEXT, find_all(TEXT, "budget")) == ["budget", "Budget", "budget"]
    assert quotes(TEXT, find_all(TEXT, "budget", whole_word=True)) == ["budget"]
    assert quotes(TEXT, find_all(TEXT, "Budget", case=True)) == ["Budget"]


def test_find_positions_are_code_points_after_emoji_and_crlf():
    text = f"{THUMB}{THUMB} a\r\nBrown"
    ((start, end),) = find_all(text, "brown")
    assert (start, end) == (text.index("Brown"), text.index("Brown") + 5)


def test_find_a_regular_expression_and_a_bad_one():
    assert quotes(TEXT, find_all(TEXT, r"B\w+n", regex=True, case=True)) == ["Brown", "Brown"]
    with pytest.raises(ValueError, match="not a regular expression"):
        find_all(TEXT, "(", regex=True)
    assert find_all(TEXT, "x*", regex=True) == []  # empty matches are no hits


def test_search_terms_drop_operators_and_exclusions():
    assert search_terms('blair OR "met brown" -talks NOT budget budg*') == [
        ("blair", False),
        ("met brown", False),
        ("budg", True),
    ]
    assert search_terms('unclosed "quote') == [("unclosed", False), ("quote", False)]


def test_search_hits_show_the_words_a_prefix_matched():
    assert quotes(TEXT, search_hits(TEXT, "budg*")) == ["budget", "Budgets", "budgetary"]
    assert quotes(TEXT, search_hits(TEXT, '"met brown" blair')) == ["Blair", "met Brown", "Blair"]
