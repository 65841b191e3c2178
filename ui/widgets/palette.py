"""Colours for page widgets and charts, taken from the app theme's tokens (ui/theme.py) so light/dark match."""

from __future__ import annotations

from PySide6.QtGui import QColor

SERIES_COLORS = [
    "#4a62d8",
    "#10a37f",
    "#e0a030",
    "#8b5cf6",
    "#e05a5a",
    "#0ea5b7",
    "#d9569a",
    "#7aa33a",
    "#64748b",
    "#ef7d32",
]
DARK_SERIES = [
    "#7b90ff",
    "#34d399",
    "#f2c14e",
    "#a78bfa",
    "#f0645e",
    "#22d3ee",
    "#f472b6",
    "#a3e635",
    "#94a3b8",
    "#fb923c",
]


def tokens() -> dict[str, str]:
    """The active theme's colour tokens (bg, surface, text, muted, border, accent, ok, warn, danger…)."""
    from ui import theme as app_theme

    return app_theme.current().colors


def color(token: str) -> QColor:
    """One token as a QColor."""
    return QColor(tokens().get(token, "#888888"))


def is_dark() -> bool:
    """True when the dark palette is active."""
    from ui import theme as app_theme

    return app_theme.current().dark


def level_color(level: str) -> QColor:
    """The colour of a meter level: accent below 80%, warn from 80%, danger from 100%."""
    return color({"ok": "accent", "warn": "warn", "over": "danger"}.get(level, "accent"))


def series_color(i: int) -> QColor:
    """The i-th chart series colour (cycles), tuned for the active palette."""
    colors = DARK_SERIES if is_dark() else SERIES_COLORS
    return QColor(colors[i % len(colors)])


def text_color() -> QColor:
    """Foreground text colour."""
    return color("text")


def muted_color() -> QColor:
    """Secondary text colour."""
    return color("muted")


def card_color() -> QColor:
    """Card background (the theme's surface)."""
    return color("surface")


def border_color() -> QColor:
    """Hairline borders and grid lines."""
    return color("border")
