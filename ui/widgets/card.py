"""Building blocks for pages: a titled card, a page header, a coloured meter, stat tiles, banners."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from ui.widgets import palette
from ui.widgets.format import level


def muted(label: QLabel) -> QLabel:
    """Style `label` as secondary text (the app stylesheet colours #Muted)."""
    label.setObjectName("Muted")
    sheet = f"color: {palette.muted_color().name()};"
    if label.styleSheet() != sheet:
        label.setStyleSheet(sheet)
    return label


def heading(label: QLabel, size_pt: float = 11.0) -> QLabel:
    """Style `label` as a bold heading of `size_pt` (a widget sheet wins over the app's font-size rule)."""
    label.setStyleSheet(f"font-size: {size_pt}pt; font-weight: 600;")
    return label


class Card(QFrame):
    """A rounded, bordered section with a title, optional subtitle and a body layout (`.body`)."""

    def __init__(self, title: str = "", subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._apply_style()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 14)
        outer.setSpacing(8)
        self.header = QHBoxLayout()
        self.header.setSpacing(8)
        self.title_label = heading(QLabel(title), 11.5)
        self.header.addWidget(self.title_label)
        self.header.addStretch(1)
        outer.addLayout(self.header)
        self.subtitle_label = muted(QLabel(subtitle))
        self.subtitle_label.setWordWrap(True)
        self.subtitle_label.setVisible(bool(subtitle))
        outer.addWidget(self.subtitle_label)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        outer.addLayout(self.body)
        self.title_label.setVisible(bool(title))

    def _apply_style(self) -> None:
        sheet = (
            f"QFrame#Card {{ background: {palette.card_color().name()}; border: 1px solid "
            f"{palette.border_color().name()}; border-radius: 12px; }}"
        )
        if sheet != self.styleSheet():  # setting a sheet sends PaletteChange: never loop
            self.setStyleSheet(sheet)

    def set_title(self, title: str, subtitle: str | None = None) -> None:
        """Change the title (and subtitle when given); empty hides it."""
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))
        if subtitle is not None:
            self.subtitle_label.setText(subtitle)
            self.subtitle_label.setVisible(bool(subtitle))

    def add_header_widget(self, widget: QWidget) -> None:
        """Put a small control (button, combo) at the right of the title."""
        self.header.addWidget(widget)

    def changeEvent(self, event) -> None:
        """Follow palette changes (light/dark switch)."""
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.PaletteChange:
            self._apply_style()
            muted(self.subtitle_label)
        super().changeEvent(event)


class PageHeader(QWidget):
    """The page title with a one-line explanation under it."""

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 4)
        lay.setSpacing(2)
        self.title = QLabel(title)
        self.title.setObjectName("PageTitle")
        heading(self.title, 16)
        lay.addWidget(self.title)
        self.subtitle = muted(QLabel(subtitle))
        self.subtitle.setWordWrap(True)
        self.subtitle.setVisible(bool(subtitle))
        lay.addWidget(self.subtitle)


class Banner(QLabel):
    """A one-line notice: info, warn or error (hidden when empty)."""

    TOKENS = {"info": "accent", "warn": "warn", "error": "danger", "ok": "ok"}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = "info"
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        """Show `text` styled as `kind`; empty text hides the banner."""
        self.kind = kind
        c = palette.color(self.TOKENS.get(kind, "accent")).name()
        bg = palette.color("danger_soft" if kind == "error" else "accent_soft").name()
        self.setStyleSheet(
            f"QLabel {{ background: {bg}; border-left: 3px solid {c}; padding: 7px 12px; border-radius: 6px; }}"
        )
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        """Hide the banner."""
        self.setText("")
        self.hide()


class Meter(QWidget):
    """Label, coloured bar and "used / limit" text; blue below 80%, amber from 80%, red from 100%."""

    def __init__(self, label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setHorizontalSpacing(12)
        lay.setVerticalSpacing(3)
        self.label = QLabel(label)
        self.value = QLabel("")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        lay.addWidget(self.label, 0, 0)
        lay.addWidget(self.value, 0, 1)
        lay.addWidget(self.bar, 1, 0, 1, 2)
        self.level = "ok"
        self.set_fraction(0.0)

    def set_fraction(self, frac: float | None, text: str = "", warn: float = 0.8, over: float = 1.0) -> None:
        """Fill to `frac` (clamped to 0..1) and colour by level; `text` goes on the right."""
        f = max(0.0, min(1.0, frac or 0.0))
        self.level = level(frac, warn, over)
        self.bar.setValue(int(f * 1000))
        c = palette.level_color(self.level).name()
        track = palette.border_color().name()
        self.bar.setStyleSheet(
            f"QProgressBar {{ background: {track}; border: none; border-radius: 4px; }}"
            f"QProgressBar::chunk {{ background: {c}; border-radius: 4px; }}"
        )
        self.value.setText(text)
        if self.level != "ok":
            self.value.setStyleSheet(f"color: {c}; font-weight: 600;")
        else:
            self.value.setStyleSheet("")


class StatTile(QWidget):
    """A big number with a caption under it (e.g. "$42.10" / "spent this month")."""

    def __init__(self, caption: str, value: str = "—", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.value = heading(QLabel(value), 17)
        self.caption = muted(QLabel(caption))
        lay.addWidget(self.value)
        lay.addWidget(self.caption)

    def set_value(self, value: str, color: str | None = None) -> None:
        """Replace the number (optionally coloured)."""
        self.value.setText(value)
        extra = f" color: {color};" if color else ""
        self.value.setStyleSheet(f"font-size: 17pt; font-weight: 600;{extra}")


def tile_row(*tiles: QWidget) -> QHBoxLayout:
    """Lay tiles out evenly in a row."""
    row = QHBoxLayout()
    row.setSpacing(24)
    for t in tiles:
        row.addWidget(t, 1)
    return row


_ARROW_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='8' height='5' viewBox='0 0 8 5'><path d='{d}' fill='{c}'/></svg>"
)


def _arrow_files(color: str) -> tuple[str, str]:
    """Tiny up/down triangle SVGs in `color`, written once to the temp folder (QSS needs file URLs)."""
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.gettempdir()) / "sparklio-ui"
    folder.mkdir(exist_ok=True)
    out = []
    for name, d in (("up", "M0 5 L4 0 L8 5 Z"), ("down", "M0 0 L4 5 L8 0 Z")):
        f = folder / f"{name}-{color.lstrip('#')}.svg"
        if not f.exists():
            f.write_text(_ARROW_SVG.format(d=d, c=color), encoding="utf-8")
        out.append(f.as_posix())
    return out[0], out[1]


def plain_spins(*boxes: QWidget) -> None:
    """Spin boxes with small drawn arrows that read well in light and dark (the app sheet draws none)."""
    from PySide6.QtWidgets import QAbstractSpinBox

    up, down = _arrow_files(palette.muted_color().name())
    sheet = (
        "QAbstractSpinBox { padding: 4px 22px 4px 8px; }"
        " QAbstractSpinBox::up-button { subcontrol-origin: border; subcontrol-position: top right;"
        " width: 20px; border: none; }"
        " QAbstractSpinBox::down-button { subcontrol-origin: border; subcontrol-position: bottom right;"
        " width: 20px; border: none; }"
        f" QAbstractSpinBox::up-arrow {{ image: url({up}); width: 8px; height: 5px; }}"
        f" QAbstractSpinBox::down-arrow {{ image: url({down}); width: 8px; height: 5px; }}"
        " QDateEdit::drop-down { subcontrol-origin: padding; subcontrol-position: center right; width: 20px;"
        " border: none; }"
        f" QDateEdit::down-arrow {{ image: url({down}); width: 8px; height: 5px; }}"
    )
    for b in boxes:
        if isinstance(b, QAbstractSpinBox):
            b.setStyleSheet(sheet)
            b.setMinimumWidth(90)
