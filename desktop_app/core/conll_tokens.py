"""The tokenizer CoNLL export uses: words (with inner hyphens and apostrophes) and single marks."""

from __future__ import annotations

import re
from typing import NamedTuple

# A token is a run of word characters, optionally joined by - ' or ’ to more word characters
# ("state-owned", "don't"), or any single other non-space character ("," "🇬" "—").
# Offsets are code points into the article text. Lines of text are sentences.
TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


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
