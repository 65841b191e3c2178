"""Light and dark themes that follow the system: palette tokens, QSS, tinted SVG icons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ICONS = RESOURCES / "icons"
STYLE = RESOURCES / "style"

LIGHT: dict[str, str] = {
    "bg": "#f6f7f9",
    "surface": "#ffffff",
    "sidebar": "#eceef2",
    "text": "#1f2328",
    "muted": "#66707c",
    "border": "#dde1e6",
    "accent": "#4a62d8",
    "accent_text": "#ffffff",
    "accent_soft": "#e6eafc",
    "hover": "#e2e5ea",
    "user_bubble": "#e9edfb",
    "code_bg": "#f3f4f6",
    "ok": "#1a7f37",
    "warn": "#b7791f",
    "danger": "#c93c37",
    "danger_soft": "#fbeaea",
    "star": "#d99a06",
    "pygments": "friendly",
}
DARK: dict[str, str] = {
    "bg": "#1c1e22",
    "surface": "#24272c",
    "sidebar": "#17191c",
    "text": "#e4e6ea",
    "muted": "#99a1ad",
    "border": "#353940",
    "accent": "#7b90ff",
    "accent_text": "#10131a",
    "accent_soft": "#2c3350",
    "hover": "#2e3238",
    "user_bubble": "#2b3146",
    "code_bg": "#1a1c20",
    "ok": "#3fb950",
    "warn": "#e3b341",
    "danger": "#f0645e",
    "danger_soft": "#3a2426",
    "star": "#f2c14e",
    "pygments": "github-dark",
}


def system_is_dark() -> bool:
    """True when the OS asks for a dark colour scheme."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


class Theme(QObject):
    """The current palette; re-applies QSS and emits `changed` when the system scheme flips."""

    changed = Signal()

    def __init__(self, dark: bool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._forced = dark
        self.dark = system_is_dark() if dark is None else dark
        self._icon_cache: dict[tuple[str, str, int], QIcon] = {}

    @property
    def colors(self) -> dict[str, str]:
        """The active palette tokens."""
        return DARK if self.dark else LIGHT

    def color(self, token: str) -> str:
        """One palette token (hex colour)."""
        return self.colors[token]

    def apply(self, app: QGuiApplication) -> None:
        """Install the Fusion style, palette and stylesheet, and follow future scheme changes."""
        app.setStyle("Fusion")  # type: ignore[attr-defined]
        self._apply_now(app)
        if self._forced is None:
            QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _s: self._follow(app))

    def _follow(self, app: QGuiApplication) -> None:
        dark = system_is_dark()
        if dark != self.dark:
            self.dark = dark
            self._icon_cache.clear()
            self._apply_now(app)
            self.changed.emit()

    def _apply_now(self, app: QGuiApplication) -> None:
        c = self.colors
        pal = QPalette()
        for role, token in (
            (QPalette.ColorRole.Window, "bg"),
            (QPalette.ColorRole.Base, "surface"),
            (QPalette.ColorRole.AlternateBase, "bg"),
            (QPalette.ColorRole.Text, "text"),
            (QPalette.ColorRole.WindowText, "text"),
            (QPalette.ColorRole.Button, "surface"),
            (QPalette.ColorRole.ButtonText, "text"),
            (QPalette.ColorRole.Highlight, "accent"),
            (QPalette.ColorRole.HighlightedText, "accent_text"),
            (QPalette.ColorRole.ToolTipBase, "surface"),
            (QPalette.ColorRole.ToolTipText, "text"),
            (QPalette.ColorRole.PlaceholderText, "muted"),
            (QPalette.ColorRole.Link, "accent"),
        ):
            pal.setColor(role, QColor(c[token]))
        pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(c["muted"]))
        pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(c["muted"]))
        app.setPalette(pal)
        app.setStyleSheet(self.stylesheet())  # type: ignore[attr-defined]

    def stylesheet(self) -> str:
        """The QSS template with this palette's tokens filled in."""
        text = (STYLE / ("dark.qss" if self.dark else "light.qss")).read_text(encoding="utf-8")
        base = (STYLE / "base.qss").read_text(encoding="utf-8")
        for key, value in self.colors.items():
            base = base.replace("@" + key + ";", value + ";")
        return base + "\n" + text

    def icon(self, name: str, token: str = "muted", size: int = 20) -> QIcon:
        """A hand-written SVG from resources/icons tinted with a palette colour."""
        key = (name, token, size)
        if key in self._icon_cache:
            return self._icon_cache[key]
        colour = self.colors.get(token, token)
        try:
            svg = (ICONS / f"{name}.svg").read_text(encoding="utf-8").replace("#COLOR", colour)
        except OSError:
            return QIcon()
        icon = QIcon()
        for scale in (1, 2):
            pm = QPixmap()
            pm.loadFromData(QByteArray(svg.encode()), "SVG")
            if not pm.isNull():
                pm = pm.scaled(
                    size * scale,
                    size * scale,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
                pm.setDevicePixelRatio(scale)
                icon.addPixmap(pm)
        self._icon_cache[key] = icon
        return icon


def app_icon() -> QIcon:
    """The application icon."""
    icon = QIcon(str(ICONS / "app.svg"))
    if icon.isNull():  # no SVG image plugin: paint a plain accent square
        pm = QPixmap(64, 64)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setBrush(QColor(LIGHT["accent"]))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(2, 2, 60, 60, 14, 14)
        p.end()
        icon = QIcon(pm)
    return icon


_current: Theme | None = None


def current() -> Theme:
    """The process-wide theme (created on first use)."""
    global _current
    if _current is None:
        _current = Theme()
    return _current


def install(theme: Theme) -> Theme:
    """Make `theme` the process-wide one."""
    global _current
    _current = theme
    return theme
