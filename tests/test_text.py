"""Tests for core.text: normalisation, hashing and decoding of article bytes."""

import hashlib

import pytest

from desktop_app.core.text import (
    DecodedText,
    DecodeError,
    decode_bytes,
    normalize_text,
    text_sha256,
)

# Everyday international input: combining accent, ZWJ family, skin tone, flags, CJK, Arabic,
# Georgian, and a variation selector. None of it may change under normalisation.
UNICODE_SAMPLE = (
    "Cafe\u0301 👨\u200d👩\u200d👧\u200d👦 👍🏽 🇬🇪🇯🇵 東京の記者 مرحبا بالعالم "
    "საქართველო ❤\ufe0f \u00a0tab\there"
)


def test_normalize_crlf_and_lone_cr_become_lf():
    assert normalize_text("a\r\nb\rc\nd\r\n\r\ne\r") == "a\nb\nc\nd\n\ne\n"


def test_normalize_drops_one_leading_bom_only():
    assert normalize_text("\ufeff\ufeffx\ufeffy") == "\ufeffx\ufeffy"


def test_normalize_keeps_everything_else():
    text = "  " + UNICODE_SAMPLE + "\n\n  trailing  \t"
    assert normalize_text(text) == text
    assert normalize_text(text).encode("utf-8") == text.encode("utf-8")


def test_normalize_keeps_decomposed_and_composed_forms_apart():
    assert normalize_text("e\u0301") == "e\u0301"
    assert normalize_text("\u00e9") == "\u00e9"


def test_normalize_unicode_with_crlf_keeps_offsets_of_later_characters():
    text = normalize_text("🇬🇪 flag\r\n👍🏽 thumb")
    assert text == "🇬🇪 flag\n👍🏽 thumb"
    assert text[text.index("👍") :] == "👍🏽 thumb"


def test_text_sha256_is_hex_of_utf8():
    text = "Ünïcode 🇯🇵"
    assert text_sha256(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert text_sha256("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_decode_utf8():
    result = decode_bytes(UNICODE_SAMPLE.encode("utf-8"))
    assert result == DecodedText(UNICODE_SAMPLE, "utf-8", False)


def test_decode_utf8_with_bom_drops_the_bom():
    result = decode_bytes(b"\xef\xbb\xbfhello")
    assert result.text == "hello"
    assert result.encoding == "utf-8-sig"
    assert result.fallback is False


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("utf-16-le", "utf-16"),
        ("utf-16-be", "utf-16"),
        ("utf-32-le", "utf-32"),
        ("utf-32-be", "utf-32"),
    ],
)
def test_decode_utf16_and_utf32_with_bom(codec, expected):
    data = ("\ufeff" + UNICODE_SAMPLE + "\r\n").encode(codec)
    result = decode_bytes(data)
    assert result.text == UNICODE_SAMPLE + "\r\n"
    assert result.encoding == expected
    assert result.fallback is False


def test_decode_latin1_byte_in_ascii_text_is_cp1252_fallback():
    data = b"the ferry contract, worth \xa342.7m, was signed"
    result = decode_bytes(data)
    assert result.text == "the ferry contract, worth £42.7m, was signed"
    assert result.encoding == "cp1252"
    assert result.fallback is True
    assert "\ufffd" not in result.text


def test_decode_pound_sign_in_english_paragraphs_is_not_a_central_european_letter():
    # charset_normalizer alone answers cp1250 here, which reads the byte as "Ł".
    text = (
        "Harbour authority chiefs have agreed to write off a £4.5m loan made to the ferry "
        "operator last year, a spokesman confirmed on Monday.\n\nThe decision followed a review.\n"
    ) * 3
    result = decode_bytes(text.encode("latin-1"))
    assert result.text == text
    assert (result.encoding, result.fallback) == ("cp1252", True)


def test_decode_cp1252_smart_quotes_and_accents():
    text = "\u201cna\u00efve caf\u00e9\u201d \u2014 r\u00e9sum\u00e9 \u20ac5"
    result = decode_bytes(text.encode("cp1252"))
    assert result.text == text
    assert (result.encoding, result.fallback) == ("cp1252", True)


def test_decode_cyrillic_legacy_encoding_is_detected():
    text = "Министр иностранных дел провёл переговоры с коллегами в столице. " * 3
    result = decode_bytes(text.encode("cp1251"))
    assert result.text == text
    assert result.fallback is True


def test_decode_partial_head_tolerates_cut_multibyte_character():
    data = "Tbilisi საქართველო".encode()
    head = data[:-1]
    result = decode_bytes(head, final=False)
    assert result.encoding == "utf-8"
    assert result.text == "Tbilisi საქართველ"


def test_decode_empty_is_an_error():
    with pytest.raises(DecodeError, match="empty"):
        decode_bytes(b"")


def test_decode_nul_bytes_is_binary():
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(b"PK\x03\x04\x00\x00text")


def test_decode_utf16_without_bom_is_binary():
    with pytest.raises(DecodeError, match="NUL"):
        decode_bytes("plain".encode("utf-16-le"))


def test_decode_mostly_control_characters_is_binary():
    with pytest.raises(DecodeError, match="control"):
        decode_bytes(bytes(range(1, 8)) * 20 + b"abc")


def test_decode_error_is_a_value_error():
    assert issubclass(DecodeError, ValueError)


def test_decode_high_byte_noise_is_undecodable():
    with pytest.raises(DecodeError, match="no other text encoding"):
        decode_bytes(bytes(range(0x80, 0x100)) * 3)
