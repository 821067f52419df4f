"""CoNLL tokens and tags: the tokenizer export uses, the layout kept from an imported file, tags."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

# A token is a run of word characters, optionally joined by - ' or ’ to more word characters
# ("state-owned", "don't"), or any single other non-space character ("," "🇬" "—").
# Offsets are code points into the article text. Lines of text are sentences.
TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")

# The tag schemes a CoNLL file is read in and written back in. BIO2 is the default.
SCHEMES = ("BIO2", "IOB1", "BIOES", "BILOU", "IO")
DEFAULT_SCHEME = "BIO2"
_PREFIXES = frozenset("BIESLU")


class Token(NamedTuple):
    """One token: its text and its code point offsets."""

    text: str
    start: int
    end: int


def sentences(text: str) -> list[list[Token]]:
    """The text's non-empty lines as sentences of tokens."""
    found: list[list[Token]] = []
    offset = 0
    for line in text.split("\n"):
        tokens = [
            Token(m.group(), offset + m.start(), offset + m.end()) for m in TOKEN.finditer(line)
        ]
        if tokens:
            found.append(tokens)
        offset += len(line) + 1
    return found


def split_tag(tag: str) -> tuple[str, str]:
    """(prefix, type) of a tag: ("O", "") for O, ("B", "PER") for B-PER, ("", "PER") for PER."""
    if tag == "O":
        return "O", ""
    if len(tag) >= 2 and tag[0] in _PREFIXES and tag[1] == "-":
        return tag[0], tag[2:]
    return "", tag


def joined_text(tokens: list[list[str]]) -> tuple[str, list[list[int]] | None]:
    """The text CoNLL sentences make (tokens joined by a space, sentences by a newline), and
    the token lengths when splitting that text on spaces would not give the tokens back."""
    text = "\n".join(" ".join(sentence) for sentence in tokens)
    exact = all(token and " " not in token for sentence in tokens for token in sentence)
    return text, None if exact else [[len(token) for token in sentence] for sentence in tokens]


def conll_layout(text: str, meta: dict[str, Any]) -> tuple[list[list[Token]], str]:
    """The sentences of tokens to write an article as, and its tag scheme.

    An article read from CoNLL gets its own tokens back: from the lengths in meta["conll"],
    or else by splitting its text on spaces and newlines (how the reader built it). Any other
    article, or one whose stored layout does not fit its text, goes through the tokenizer.
    """
    info = meta.get("conll")
    if not isinstance(info, dict):
        info = {} if "conll_source" in meta else None  # read before the layout was kept
    if info is None:
        return sentences(text), DEFAULT_SCHEME
    scheme = info.get("scheme")
    scheme = scheme if scheme in SCHEMES else DEFAULT_SCHEME
    lengths = info.get("tokens")
    found = _from_lengths(text, lengths) if lengths is not None else _split(text)
    if found is None or any("\t" in token.text for sentence in found for token in sentence):
        return sentences(text), scheme  # a tab would break the columns
    return found, scheme


def _split(text: str) -> list[list[Token]]:
    """The text's tokens as the reader joined them: a space between tokens, a line a sentence."""
    found: list[list[Token]] = []
    offset = 0
    for line in text.split("\n"):
        tokens = []
        for piece in line.split(" "):
            if piece:
                tokens.append(Token(piece, offset, offset + len(piece)))
            offset += len(piece) + 1
        if tokens:
            found.append(tokens)
    return found


def _from_lengths(text: str, lengths: object) -> list[list[Token]] | None:
    """Tokens of the stored lengths, or None when they do not fit the text exactly."""
    if not isinstance(lengths, list) or not lengths:
        return None
    found: list[list[Token]] = []
    position = 0
    for number, sentence in enumerate(lengths):
        if not isinstance(sentence, list) or not sentence:
            return None
        if number:
            if text[position : position + 1] != "\n":
                return None
            position += 1
        tokens = []
        for index, length in enumerate(sentence):
            if not isinstance(length, int) or isinstance(length, bool) or length < 0:
                return None
            if index:
                if text[position : position + 1] != " ":
                    return None
                position += 1
            token = text[position : position + length]
            if len(token) != length or "\n" in token:
                return None
            tokens.append(Token(token, position, position + length))
            position += length
        found.append(tokens)
    return found if position == len(text) else None
