"""Word snapping for selections: every script, numbers whole, offsets in code points."""

import pytest

from desktop_app.core.words import move_edge, snap_edge, snap_to_words, word_at, word_spans

THUMB = "\U0001f44d\U0001f3fd"


def snapped(text, fragment, offset=0):
    """Snap a selection over `fragment` (found from `offset`); return the snapped quote."""
    start = text.index(fragment, offset)
    s, e = snap_to_words(text, start, start + len(fragment))
    return text[s:e]


@pytest.mark.parametrize(
    ("text", "fragment", "expected"),
    [
        ("Gordon Brown said", "ordon Bro", "Gordon Brown"),
        ("Thank you, Tamar! she said", "u, Tamar!", "you, Tamar"),
        ("He had to introduce controls", "o introduce co", "to introduce controls"),
        ("Well, Tamar! she said", ", Tamar! ", "Tamar"),
        ("a sum of €250,000 was paid", "50,0", "€250,000"),
        ("it rose 3.5% in May", "3.", "3.5"),
        ("Sean O'Brien and a well-known man", "'Bri", "O'Brien"),
        ("Sean O\u2019Brien spoke", "Bri", "O\u2019Brien"),
    ],
)
def test_drags_snap_to_whole_words(text, fragment, expected):
    assert snapped(text, fragment) == expected


def test_georgian_arabic_and_combining_marks_stay_whole():
    text = "თბილისი საქართველოს დედაქალაქია. قَالَ الرَّئِيسُ اليوم. café\u0301 ok"
    assert snapped(text, "ართვე") == "საქართველოს"
    assert snapped(text, "رَّئِ") == "الرَّئِيسُ"  # harakat are marks, not word breaks
    assert snapped(text, "caf") == "café\u0301"


def test_cjk_snaps_per_character_and_offsets_are_code_points():
    text = f"{THUMB} 北京市 officials 𠀋𠀌 met"
    assert snapped(text, "京") == "京"
    s = text.index("𠀌")  # an astral ideograph: one code point, two UTF-16 units
    assert snap_to_words(text, s, s + 1) == (s, s + 1)
    assert snapped(text, "ffic") == "officials"


def test_emoji_alone_is_kept_and_emoji_before_a_word_is_trimmed():
    text = f"Reaction {THUMB} from"
    start = text.index(THUMB)
    assert snap_to_words(text, start, start + len(THUMB)) == (start, start + len(THUMB))
    assert snapped(text, f"{THUMB} fr") == "from"


def test_crlf_sourced_text_snaps_across_lines():
    # Stored text never keeps "\r" (importers normalise), but a line break is still a break.
    text = "first line ends\nsecond line"
    assert snapped(text, "nds\nsec") == "ends\nsecond"
    text_cr = "first line ends\r\nsecond line"
    s, e = snap_to_words(text_cr, text_cr.index("nds"), text_cr.index("sec") + 3)
    assert text_cr[s:e] == "ends\r\nsecond"


def test_word_at_double_click_keeps_numbers_and_amounts_whole():
    text = "a sum of €250,000 and 1,234.50 USD, ends."
    assert text[slice(*word_at(text, text.index("000")))] == "€250,000"
    assert text[slice(*word_at(text, text.index("34.5")))] == "1,234.50"
    assert word_at(text, text.index(",", text.index("USD"))) is None
    # A comma followed by a space is punctuation, not a thousands separator.
    assert [("1, 2")[a:b] for a, b in word_spans("1, 2")] == ["1", "2"]


def test_snap_rejects_offsets_outside_the_text():
    with pytest.raises(ValueError, match="outside the text"):
        snap_to_words("abc", 0, 4)


@pytest.mark.parametrize(
    ("edge", "step", "by_word", "expected"),
    [
        ("end", 1, False, "Brown s"),  # the space is stepped over: edges never sit on a space
        ("end", -1, False, "Brow"),
        ("start", -1, False, "n Brown"),
        ("start", 1, False, "rown"),
        ("end", 1, True, "Brown said"),
        ("start", -1, True, "Gordon Brown"),
        ("start", 1, True, None),  # no word start left inside the span
        ("end", -1, True, None),
    ],
)
def test_move_edge_by_character_and_by_word(edge, step, by_word, expected):
    text = "Gordon Brown said it"
    start = text.index("Brown")
    got = move_edge(text, start, start + 5, edge, step, by_word)
    assert (None if got is None else text[got[0] : got[1]]) == expected


def test_move_edge_counts_code_points_over_emoji():
    text = f"ok {THUMB}go"
    start = text.index("go")
    s, e = move_edge(text, start, start + 2, "start", -1, False)
    assert text[s:e] == "\U0001f3fdgo"  # one code point back, never half a surrogate pair
    assert move_edge(text, 0, 2, "start", -1, False) is None  # already at the text's start


def test_snap_edge_lands_on_word_edges_never_on_space():
    text = "Gordon Brown said"
    assert snap_edge(text, text.index("rown"), "end") == text.index("Brown") + 5
    assert snap_edge(text, text.index("rdon"), "start") == 0
    assert snap_edge(text, text.index(" said"), "start") == text.index("said")
    assert snap_edge(text, text.index(" said") + 1, "end") == text.index(" said")
