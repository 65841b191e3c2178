""" "/" in the composer: a menu of the user's saved prompts; "/name " (with a space) expands one directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu


class SlashPrompts(QObject):
    """Watches the composer's text: "/" opens the saved-prompts menu, "/name " inserts that prompt."""

    def __init__(self, composer: Any, app: Callable[[], Any]) -> None:
        super().__init__(composer)
        self.composer = composer
        self.app = app
        self.menu: QMenu | None = None
        composer.edit.textChanged.connect(self._changed)

    def _changed(self) -> None:
        app = self.app()
        text = self.composer.text()
        if app is None or not text.startswith("/") or "\n" in text:
            return
        word, space, _rest = text[1:].partition(" ")
        if space:
            hit = next((p for p in app.prompts.saved() if p["name"] == word), None)
            if hit is not None:
                self.insert(hit["text"])
            return
        self.show_menu(app.prompts.matching(word))

    def show_menu(self, prompts: list[dict]) -> QMenu | None:
        """The matching saved prompts under the input (or how to add one)."""
        if self.menu is not None:
            self.menu.close()
        menu = QMenu(self.composer)
        for p in prompts:
            act = menu.addAction(f"/{p['name']} — {p['text'][:60]}")
            act.triggered.connect(lambda _c=False, t=p["text"]: self.insert(t))
        if not prompts:
            menu.addAction("No saved prompts: add them in Settings → Routing → Prompt library").setEnabled(False)
        self.menu = menu
        edit = self.composer.edit
        menu.popup(edit.mapToGlobal(edit.cursorRect().bottomLeft()))
        return menu

    def insert(self, text: str) -> None:
        """Replace the "/…" with the prompt's text."""
        if self.menu is not None:
            self.menu.close()
            self.menu = None
        self.composer.set_text(text)
        self.composer.edit.setFocus()
