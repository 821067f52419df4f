"""Colour helpers shared by the widgets that draw labels: WCAG contrast and theme-aware spans.

The arithmetic works on "#rrggbb" strings and needs no Qt, so tests can check every default
label colour on both themes without a window.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

BLACK = "#000000"
WHITE = "#ffffff"
AA_CONTRAST = 4.5  # WCAG 2 level AA for normal text
# On the dark theme a span's background is darkened until white text on it has this much
# contrast: a little above AA, so the darker blends of overlaps keep white text too.
DARK_SPAN_CONTRAST = 5.5


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) != 6:
        raise ValueError(f"{color!r} is not a colour like #1a2b3c")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _hex(red: float, green: float, blue: float) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in (red, green, blue))


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of "#rrggbb" (0 black .. 1 white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in _rgb(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two colours (1 .. 21)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def readable_text(background: str) -> str:
    """Black or white, whichever has more contrast on `background`.

    One of the two always reaches at least 4.58:1 (the square root of 21), so the result
    meets WCAG AA on any background.
    """
    on_black = contrast_ratio(background, BLACK)
    return BLACK if on_black >= contrast_ratio(background, WHITE) else WHITE


def span_background(color: str, dark: bool) -> str:
    """The background a span of label colour `color` is painted with on a light or dark page.

    Light pages keep the label's colour. Dark pages keep its hue but scale it darker until
    white text reads on it (DARK_SPAN_CONTRAST), so spans do not glare on a dark page.
    """
    if not dark:
        return _hex(*_rgb(color))
    red, green, blue = _rgb(color)
    factor = 1.0
    shaded = _hex(red, green, blue)
    while contrast_ratio(shaded, WHITE) < DARK_SPAN_CONTRAST and factor > 0:
        factor -= 0.02
        shaded = _hex(red * factor, green * factor, blue * factor)
    return shaded


def text_color_for(background: str) -> QColor:
    """Black or white, whichever reads better on `background` (WCAG contrast)."""
    color = QColor(background)
    name = color.name() if color.isValid() else "#c0c0c0"
    return QColor(readable_text(name))
