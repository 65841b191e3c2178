"""Settings → API keys: masked entry per provider, kept only in the OS keyring, with "Test connection"."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QToolButton,
    QWidget,
)

from router.errors import SparklioError
from router.key_file import file_keyring
from router.providers.info import PROVIDERS, keyed, label
from ui.widgets import palette
from ui.widgets.card import Banner, Card, muted

SOURCE_TEXT = {
    "keyring": "saved in the system keyring",
    "session": "kept for this session only",
    "environment": "from an environment variable",
    None: "not set",
}
PLACEHOLDER = {
    "keyring": "saved in the keyring — type a new key to replace it",
    "session": "kept for this session — type a key to save it",
    "environment": "from the environment — type a key to save one in the keyring instead",
}


class KeyRow:
    """Widgets of one provider's key: masked field, show toggle, save, remove, test, status."""

    def __init__(self, card: KeysCard, provider: str, grid: QGridLayout, row: int) -> None:
        self.card, self.provider = card, provider
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText(
            "paste a key" if PROVIDERS[provider].key_required else "optional for local servers"
        )
        self.edit.setMinimumWidth(220)
        self.show_btn = QToolButton()
        self.show_btn.setText("Show")
        self.show_btn.setCheckable(True)
        self.show_btn.toggled.connect(self._toggle)
        self.save_btn = QPushButton("Save")
        self.remove_btn = QPushButton("Remove")
        self.test_btn = QPushButton("Test connection")
        self.status = muted(QLabel(""))
        self.status.setWordWrap(True)
        grid.addWidget(QLabel(label(provider)), row, 0)
        grid.addWidget(self.edit, row, 1)
        grid.addWidget(self.show_btn, row, 2)
        grid.addWidget(self.save_btn, row, 3)
        grid.addWidget(self.remove_btn, row, 4)
        grid.addWidget(self.test_btn, row, 5)
        grid.addWidget(self.status, row + 1, 1, 1, 5)
        self.save_btn.clicked.connect(self.save)
        self.edit.returnPressed.connect(self.save)
        self.remove_btn.clicked.connect(self.remove)
        self.test_btn.clicked.connect(self.test)

    def _toggle(self, on: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        self.show_btn.setText("Hide" if on else "Show")

    def say(self, text: str, kind: str = "muted") -> None:
        """Status line under the row."""
        c = palette.color({"ok": "ok", "error": "danger", "warn": "warn"}.get(kind, "muted")).name()
        self.status.setStyleSheet(f"color: {c};")
        self.status.setText(text)

    def load(self, secrets: Any) -> None:
        """Show whether a key exists and where (the field shows the stored key masked)."""
        src = secrets.source(self.provider) if hasattr(secrets, "source") else None
        key = secrets.get(self.provider)
        self.edit.clear()  # the stored key never comes back into the window
        self.edit.setPlaceholderText(
            PLACEHOLDER.get(src, "")
            if key
            else ("paste a key" if self.provider != "compat" else "optional for local servers")
        )
        self.remove_btn.setEnabled(src in ("keyring", "session"))
        tail = f" (ends in …{key[-4:]})" if key and len(key) > 12 else ""
        self.say(f"Key {SOURCE_TEXT.get(src, src)}{tail}." if key else "No key yet.")

    def save(self) -> bool:
        """Store the key (keyring, or the session when none exists); False when it was refused."""
        app = self.card.app()
        if app is None:
            return False
        try:
            where = app.secrets.set(self.provider, self.edit.text())
        except SparklioError as exc:
            self.card.page.controller.error(str(exc))
            return False
        self.remove_btn.setEnabled(True)
        self.edit.clear()
        self.edit.setPlaceholderText(PLACEHOLDER["keyring" if where == "keyring" else "session"])
        self.say(
            "Saved in the system keyring."
            if where == "keyring"
            else "Kept for this session only (no keyring to save it in).",
            "ok" if where == "keyring" else "warn",
        )
        self.card.keys_changed()
        return True

    def remove(self) -> None:
        """Delete the stored key."""
        app = self.card.app()
        if app is None:
            return
        app.secrets.delete(self.provider)
        self.load(app.secrets)
        self.card.keys_changed()

    def test(self) -> None:
        """Call the provider's check() through the facade (async, never blocks the window)."""
        app = self.card.app()
        if app is None:
            return
        if self.edit.text().strip() and not self.save():  # a freshly typed key is saved first, then tested
            return
        self.test_btn.setEnabled(False)
        self.say("Testing…")

        async def run() -> str:
            check = getattr(app, "check_provider", None)
            if check is not None:
                return await check(self.provider)
            return await app.registry.get(self.provider).check()

        def done(text: Any) -> None:
            self.test_btn.setEnabled(True)
            self.say(f"Connected: {text}" if text else "Connected.", "ok")

        def failed(msg: str) -> None:
            self.test_btn.setEnabled(True)
            self.card.page.controller.error(msg)

        self.card.page.spawn(run(), done, failed)


class KeysCard(Card):
    """API keys per provider; keys live in the OS keyring only (never in the database or files)."""

    def __init__(self, page: Any) -> None:
        super().__init__(
            "API keys",
            "Keys are stored in your operating system's keyring and never in Sparklio's database, logs or files.",
        )
        self.page = page
        self.file_store_path: str | None = None  # None: keyrings.alt's own location
        self.notice = Banner()
        self.body.addWidget(self.notice)
        self.file_store_btn = QPushButton("Store keys in a plain file instead…")
        self.file_store_btn.clicked.connect(self.choose_file_store)
        row = QHBoxLayout()
        row.addWidget(self.file_store_btn)
        row.addStretch(1)
        self.file_store_row = QWidget()
        self.file_store_row.setLayout(row)
        self.body.addWidget(self.file_store_row)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        self.rows = {p: KeyRow(self, p, grid, i * 2) for i, p in enumerate(keyed())}
        self.body.addLayout(grid)

    def app(self) -> Any:
        """The facade (None before ready)."""
        return self.page.app

    def load(self, app: Any) -> None:
        """Fill rows and the keyring notice."""
        s = app.secrets
        if s.backend_ok:
            self.notice.show_message(s.backend_message, "ok")
            self.file_store_row.hide()
        else:
            self.notice.show_message(s.backend_message, "warn")
            self.file_store_row.show()
        for r in self.rows.values():
            r.load(s)

    def keys_changed(self) -> None:
        """Providers became (un)available: tell the rest of the app."""
        self.page.controller.keys_changed()

    def choose_file_store(self) -> None:
        """After a clear warning, keep keys in keyrings.alt's unencrypted file (the user's explicit choice)."""
        app = self.app()
        if app is None:
            return
        backend = file_keyring(self.file_store_path)
        answer = QMessageBox.warning(
            self,
            "Store keys in a plain file?",
            "Your keys would be written UNENCRYPTED to\n\n"
            f"{backend.file_path}\n\nAnyone who can read your files could use them and spend your money. "
            "A system keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager) is safer.\n\n"
            "Use the plain file for this session?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.use_backend(backend)

    def use_backend(self, backend: Any) -> None:
        """Switch the secrets store to `backend`, moving session-only keys into it."""
        self.app().secrets.use_backend(backend, getattr(backend, "file_path", ""))
        self.load(self.app())
