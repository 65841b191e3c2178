"""The plain-file key store (keyrings.alt, mode 0600): only ever the user's explicit, warned choice."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

WARNING = (
    "warning: API keys go UNENCRYPTED into {path} (readable only by you, mode 0600). Anyone who can read "
    "your files as you could spend your money; a system keyring (GNOME Keyring, KWallet, macOS Keychain, "
    "Windows Credential Manager) is safer. `sparklio keys delete PROVIDER` removes a key."
)


def file_keyring(path: str | Path | None = None) -> Any:
    """keyrings.alt's plaintext backend at `path` (its own default location when None)."""
    from keyrings.alt.file import PlaintextKeyring

    backend: Any = PlaintextKeyring()  # file_path is a property keyrings.alt lets us set
    if path:
        backend.file_path = str(path)
    return backend


def default_path(data_dir: Path) -> Path:
    """Where `--file-store` keeps keys: next to the database, not in it."""
    return Path(data_dir) / "keys.cfg"


def restrict(path: str | Path) -> None:
    """Make the key file readable and writable by its owner only."""
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


def opt_in(app: Any, path: str | Path | None = None) -> str:
    """Switch `app.secrets` to the file store and remember the choice; returns the file's path."""
    target = str(path or default_path(app.data_dir))
    app.secrets.use_backend(file_keyring(target), target)
    app.settings.key_file_store = target  # the chosen file's path (never a key)
    return target


def apply_saved_choice(app: Any) -> None:
    """At start: if the user opted in to the file store earlier, keep using it (said in backend_message)."""
    chosen = app.settings.key_file_store
    if chosen:
        app.secrets.use_backend(file_keyring(chosen), chosen)
