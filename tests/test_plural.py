"""Counts in words: one is singular, every other count plural (the window never says "1 spans")."""

from desktop_app.core.plural import counted


def test_one_is_singular_and_every_other_count_plural():
    assert counted(1, "span") == "1 span"
    assert counted(0, "span") == "0 spans"
    assert counted(2, "match", "matches") == "2 matches"
    assert counted(12_345, "article") == "12,345 articles"
