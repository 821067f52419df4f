"""OffsetMap: code points <-> UTF-16 positions, with the scripts analysts really meet."""

import pytest

from desktop_app.ui.offsets import OffsetMap

FLAG = "\U0001f1ec\U0001f1ea"  # 🇬🇪: two regional indicators, both astral
THUMB = "\U0001f44d\U0001f3fd"  # 👍🏽: emoji + skin tone modifier
SCIENTIST = "\U0001f469\u200d\U0001f52c"  # 👩‍🔬: ZWJ sequence
CJK = "北京市"
ARABIC = "مرحبا بالعالم"
GEORGIAN = "საქართველო"
COMBINING = "cafe\u0301"  # e + COMBINING ACUTE ACCENT: two code points, both BMP
RARE_CJK = "\U00020bb7"  # 𠮷: a CJK character outside the BMP

MIXED = (
    f"Tbilisi {FLAG} {GEORGIAN}.\n{THUMB} {SCIENTIST} {CJK}{RARE_CJK} {ARABIC} {COMBINING}\n"
    f"{FLAG}{FLAG}end"
)


def utf16_len(text: str) -> int:
    """Independent reference: the number of UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def test_bmp_only_is_identity():
    text = f"Plain ASCII, {CJK}, {ARABIC}, {GEORGIAN}, {COMBINING}\nnext line"
    offsets = OffsetMap(text)
    assert offsets.is_identity
    assert offsets.qt_length == len(text)
    for i in range(len(text) + 1):
        assert offsets.to_qt(i) == i
        assert offsets.from_qt(i) == i


@pytest.mark.parametrize(
    ("text", "astral_count"),
    [(FLAG, 2), (THUMB, 2), (SCIENTIST, 2), (RARE_CJK, 1), (MIXED, 11)],
)
def test_lengths_and_round_trip(text, astral_count):
    offsets = OffsetMap(text)
    assert not offsets.is_identity
    assert offsets.qt_length == utf16_len(text) == len(text) + astral_count
    for i in range(len(text) + 1):
        assert offsets.from_qt(offsets.to_qt(i)) == i


def test_every_index_matches_utf16_reference_on_mixed_text():
    offsets = OffsetMap(MIXED)
    # Exhaustive check against an independent encoding of each prefix.
    for i in range(len(MIXED) + 1):
        assert offsets.to_qt(i) == utf16_len(MIXED[:i]), i


def test_mid_surrogate_snaps_to_code_point_start():
    text = f"a{FLAG}b"  # a, RI(2 units), RI(2 units), b
    offsets = OffsetMap(text)
    assert [offsets.from_qt(u) for u in range(utf16_len(text) + 1)] == [0, 1, 1, 2, 2, 3, 4]


def test_every_qt_position_maps_to_the_character_it_belongs_to():
    offsets = OffsetMap(MIXED)
    unit_owner = []  # for each UTF-16 unit, the code point index it belongs to
    for cp, char in enumerate(MIXED):
        unit_owner.extend([cp] * utf16_len(char))
    unit_owner.append(len(MIXED))
    assert [offsets.from_qt(u) for u in range(offsets.qt_length + 1)] == unit_owner


def test_quotes_cut_by_converted_offsets_are_exact():
    offsets = OffsetMap(MIXED)
    for word in (FLAG, GEORGIAN, ARABIC, SCIENTIST, COMBINING, RARE_CJK):
        start = MIXED.index(word)
        qs, qe = offsets.to_qt(start), offsets.to_qt(start + len(word))
        assert MIXED.encode("utf-16-le")[2 * qs : 2 * qe].decode("utf-16-le") == word
        assert MIXED[offsets.from_qt(qs) : offsets.from_qt(qe)] == word


def test_out_of_range_raises():
    offsets = OffsetMap(f"x{FLAG}")
    with pytest.raises(ValueError):
        offsets.to_qt(4)
    with pytest.raises(ValueError):
        offsets.from_qt(6)
    with pytest.raises(ValueError):
        offsets.to_qt(-1)


def test_empty_text():
    offsets = OffsetMap("")
    assert offsets.to_qt(0) == 0
    assert offsets.from_qt(0) == 0


def test_large_text_builds_and_converts():
    text = ("Lorem ipsum " + FLAG + " dolor\n") * 15_000  # ~300,000 code points
    offsets = OffsetMap(text)
    assert offsets.qt_length == utf16_len(text)
    last = len(text) - 3
    assert offsets.to_qt(last) == utf16_len(text[:last])
    assert offsets.from_qt(offsets.to_qt(last)) == last
