"""Light, dark or the system's theme, for the whole application (a palette and a style)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("system", "light", "dark")
_SYSTEM: dict[str, object] = {}  # the style name and palette the application started with


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style (text colours chosen for WCAG AA on their bases)."""
    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colors = {
        role.Window: "#2b2b2b",
        role.WindowText: "#e8e8e8",
        role.Base: "#1e1e1e",
        role.AlternateBase: "#2a2a2a",
        role.ToolTipBase: "#3a3a3a",
        role.ToolTipText: "#f0f0f0",
        role.PlaceholderText: "#a0a0a0",
        role.Text: "#e8e8e8",
        role.Button: "#353535",
        role.ButtonText: "#e8e8e8",
        role.BrightText: "#ff6b6b",
        role.Link: "#8ab4f8",
        role.LinkVisited: "#c58af9",
        role.Highlight: "#3d6fb4",
        role.HighlightedText: "#ffffff",
        role.Light: "#505050",
        role.Midlight: "#404040",
        role.Mid: "#303030",
        role.Dark: "#202020",
        role.Shadow: "#101010",
    }
    for name, color in colors.items():
        palette.setColor(name, QColor(color))
    for name in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, name, QColor("#7f7f7f"))
    return palette


def apply_theme(name: str) -> bool:
    """Use theme `name` ("system", "light" or "dark"); True when the result is dark."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return False
    style = app.style()
    if not _SYSTEM:
        _SYSTEM["style"] = style.name() if style is not None else "fusion"
        _SYSTEM["palette"] = QPalette(app.palette())
    if name not in ("dark", "light") and not _SYSTEM.get("changed"):
        return is_dark()  # still the system's own: leave it free to follow the desktop
    _SYSTEM["changed"] = name in ("dark", "light")
    if name == "dark":
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(dark_palette())
    elif name == "light":
        fusion = QStyleFactory.create("Fusion")
        app.setStyle(fusion)
        app.setPalette(fusion.standardPalette())
    else:
        app.setStyle(QStyleFactory.create(str(_SYSTEM["style"])))
        palette = _SYSTEM["palette"]
        app.setPalette(palette if isinstance(palette, QPalette) else QPalette())
    return is_dark()


def is_dark() -> bool:
    """Whether the application's text is drawn on a dark base now."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128
