"""Convert between stored offsets (code points) and Qt positions (UTF-16 code units).

The store counts Python `str` indices; Qt counts UTF-16 code units, so every character outside
the Basic Multilingual Plane (emoji, flags, some CJK) takes two Qt positions. This module is the
one place in the UI that translates between the two (DESIGN.md section 4).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

# Characters above U+FFFF: each is a surrogate pair (two code units) in UTF-16.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class OffsetMap:
    """Code point <-> UTF-16 position conversion for one text, built once in O(n)."""

    __slots__ = ("_astral_cp", "_astral_qt", "cp_length", "qt_length")

    def __init__(self, text: str) -> None:
        # isascii() is a fast C check; most news text never reaches the regex scan.
        if text.isascii():
            self._astral_cp: list[int] = []
        else:
            self._astral_cp = [m.start() for m in _ASTRAL.finditer(text)]
        # Qt position of the i-th astral character: its code point index plus the i extra units
        # taken by the astral characters before it.
        self._astral_qt = [cp + i for i, cp in enumerate(self._astral_cp)]
        self.cp_length = len(text)
        self.qt_length = len(text) + len(self._astral_cp)

    @property
    def is_identity(self) -> bool:
        """True when the text has no astral characters, so both counts agree."""
        return not self._astral_cp

    def to_qt(self, cp: int) -> int:
        """The Qt (UTF-16) position of code point index `cp` (0 <= cp <= len(text))."""
        if not 0 <= cp <= self.cp_length:
            raise ValueError(f"code point offset {cp} outside 0..{self.cp_length}")
        if not self._astral_cp:
            return cp
        return cp + bisect_left(self._astral_cp, cp)

    def from_qt(self, u16: int) -> int:
        """The code point index at Qt position `u16`; inside a surrogate pair, its start."""
        if not 0 <= u16 <= self.qt_length:
            raise ValueError(f"Qt position {u16} outside 0..{self.qt_length}")
        if not self._astral_cp:
            return u16
        # k = number of astral characters that start strictly before u16.
        k = bisect_right(self._astral_qt, u16 - 1)
        if k and self._astral_qt[k - 1] == u16 - 1:
            # u16 points at the low surrogate: snap back to the character's start.
            return self._astral_cp[k - 1]
        return u16 - k
