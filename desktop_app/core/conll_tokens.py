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


def joined_text(tokens: list[list[str]]) -> tuple[str, dict[str, list[int]]]:
    """The text CoNLL sentences make (tokens joined by a space, sentences by a newline), and
    the token lengths of each sentence (by number, from 0) whose line would not split on
    spaces back into its tokens: one with an empty token or a token holding a space."""
    text = "\n".join(" ".join(sentence) for sentence in tokens)
    uneven = {
        str(number): [len(token) for token in sentence]
        for number, sentence in enumerate(tokens)
        if any(not token or " " in token for token in sentence)
    }
    return text, uneven


def conll_layout(text: str, meta: dict[str, Any]) -> tuple[list[list[Token]], str]:
    """The sentences of tokens to write an article as, and its tag scheme.

    An article read from CoNLL gets its own tokens back: each line of its text is a sentence
    whose tokens are split by spaces, or measured by the lengths meta["conll"]["tokens"]
    keeps for that line. Any other article, or one whose stored lengths do not fit its text,
    goes through the tokenizer.
    """
    info = meta.get("conll")
    if not isinstance(info, dict):
        info = {} if "conll_source" in meta else None  # read before the layout was kept
    if info is None:
        return sentences(text), DEFAULT_SCHEME
    scheme = info.get("scheme")
    scheme = scheme if scheme in SCHEMES else DEFAULT_SCHEME
    found = _lines(text, info.get("tokens", {}))
    if found is None or any("\t" in token.text for sentence in found for token in sentence):
        return sentences(text), scheme  # a tab would break the columns
    return found, scheme


def _lines(text: str, uneven: object) -> list[list[Token]] | None:
    """Each line's tokens (split on spaces, or of the lengths kept for it), or None when the
    kept lengths do not fit the text."""
    lines = text.split("\n")
    if not isinstance(uneven, dict) or not all(
        isinstance(key, str) and key.isdigit() and int(key) < len(lines) for key in uneven
    ):
        return None
    found: list[list[Token]] = []
    offset = 0
    for number, line in enumerate(lines):
        lengths = uneven.get(str(number))
        if lengths is None:
            tokens = []
            for piece in line.split(" "):
                if piece:
                    tokens.append(Token(piece, offset, offset + len(piece)))
                offset += len(piece) + 1
        else:
            measured = _measured(line, offset, lengths)
            if measured is None:
                return None
            tokens = measured
            offset += len(line) + 1
        if tokens:
            found.append(tokens)
    return found


def _measured(line: str, offset: int, lengths: object) -> list[Token] | None:
    """The line's tokens of the given lengths, one space apart, or None if they do not fit."""
    if not isinstance(lengths, list) or not lengths:
        return None
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in lengths):
        return None
    if sum(lengths) + len(lengths) - 1 != len(line):
        return None
    tokens = []
    position = 0
    for index, length in enumerate(lengths):
        if index:
            if line[position] != " ":
                return None
            position += 1
        tokens.append(
            Token(line[position : position + length], offset + position, offset + position + length)
        )
        position += length
    return tokens
