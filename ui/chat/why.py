"""The "why?" popover: the chosen chain first; the excluded models folded into "Why not the others"."""

from __future__ import annotations

import html

from PySide6.QtCore import QPoint, Qt

from ui.chat.popover import Popover

OTHERS_HEADINGS = ("Eligible, not in the chain:", "Not used:")


def split_plan(text: str) -> tuple[list[str], list[str]]:
    """(the task line and the chain, every line about models not used) from RoutePlan.explain() text."""
    head: list[str] = []
    others: list[str] = []
    target = head
    for line in text.splitlines():
        if line.strip() in OTHERS_HEADINGS:
            target = others
        target.append(line)
    return head, others


class WhyPopover(Popover):
    """A Popover whose body shows the chain and a "Why not the others (N)" link that unfolds the rest."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._head: list[str] = []
        self._others: list[str] = []
        self.expanded = False
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.body.linkActivated.connect(self._link)

    def _link(self, _href: str) -> None:
        self.toggle()

    def show_plan(self, text: str, pos: QPoint, *, emphasis: str = "") -> None:
        """Show a plan explanation, the others folded."""
        self._head, self._others = split_plan(text)
        self._pos, self._emphasis, self.expanded = pos, emphasis, False
        self._render()

    @property
    def others_count(self) -> int:
        """How many models the folded section names."""
        return sum(1 for line in self._others if line.strip().startswith("·"))

    def toggle(self) -> None:
        """Fold or unfold "Why not the others"."""
        self.expanded = not self.expanded
        self._render()

    def _render(self) -> None:
        lines = []
        for line in self._head:
            esc = html.escape(line)
            bold = self._emphasis and f" {self._emphasis} " in f" {line} "
            lines.append(f"<b>{esc}</b>" if bold else esc)
        if self._others:
            arrow = "▾" if self.expanded else "▸"
            lines.append(f'<a href="others">{arrow} Why not the others ({self.others_count})</a>')
            if self.expanded:
                lines += [html.escape(x).replace("  ", "&nbsp;&nbsp;") for x in self._others]
        self.title.setText("Why this model")
        self.body.setText("<br>".join(lines))
        self.adjustSize()
        if not self.isVisible():
            self.move(self._pos.x() - 20, self._pos.y() + 12)
            self.show()
