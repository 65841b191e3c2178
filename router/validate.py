"""One validation layer for what users hand us: CLI arguments, TOML overrides, prompts and database failures."""

from __future__ import annotations

import math
import re
import sqlite3
from pathlib import Path
from typing import Any

from router.errors import ConfigError, SparklioError

MAX_ROW_ID = 2**63 - 1  # SQLite INTEGER
MAX_USD = 1_000_000.0  # no monthly limit or price above a million dollars makes sense
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


# ---- text ----
def clean_text(text: str) -> str:
    """`text` that SQLite and every encoder accept: undecodable bytes and lone surrogates become U+FFFD."""
    if not isinstance(text, str):
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:  # bytes Python could not decode (argv, stdin) come back as surrogate escapes: decode them properly
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)


def read_stdin_text(stream: Any) -> str:
    """All of stdin as text: UTF-8 (BOM dropped), bad bytes replaced, never a decode error."""
    raw = getattr(stream, "buffer", None)
    data = raw.read() if raw is not None else stream.read()
    if isinstance(data, str):
        return clean_text(data)
    return data.decode("utf-8-sig", "replace").replace("\x00", "\ufffd")  # binary input: stored, never a crash


# ---- numbers ----
def finite(value: Any, what: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    """A finite number within [lo, hi] (bools refused) or SparklioError naming `what`."""
    if isinstance(value, bool):
        raise SparklioError(f"{what} must be a number, not {value!r}")
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        raise SparklioError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(f):
        raise SparklioError(f"{what} must be a finite number, not {value!r}")
    if not lo <= f <= hi:
        raise SparklioError(f"{what} must be between {lo:g} and {hi:g}, not {value!r}")
    return f


# ---- files ----
def read_toml(path: Path, what: str) -> dict:
    """A TOML file as a dict, or ConfigError naming the file and what is wrong (encoding, syntax)."""
    import tomllib

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{what} {path} is not UTF-8 text (bad byte at offset {exc.start}): save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path}: {exc}") from None


def expect(value: Any, kind: type | tuple, where: str) -> Any:
    """`value` when it has the TOML type `kind`, else ConfigError saying what was expected."""
    if isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool)):
        return value
    names = {
        dict: "a table",
        list: "a list",
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
    }
    want = names.get(kind, "a number") if not isinstance(kind, tuple) else "a number"
    raise ConfigError(f"{where} must be {want}, not {value!r}")


# ---- database failures ----
def database_problem(exc: BaseException, path: Any = "") -> SparklioError | None:
    """A locked or damaged database as one line with the fix; None for other errors."""
    text = str(exc).lower()
    where = f" ({path})" if path else ""
    if not isinstance(exc, (sqlite3.Error,)) and type(exc).__module__.split(".")[0] != "peewee":
        return None
    if "locked" in text or "busy" in text:
        return SparklioError(
            f"the database{where} is busy: another Sparklio process has held it for over 10 s; "
            "wait for it to finish (or close it) and try again"
        )
    if "malformed" in text or "not a database" in text or "disk image" in text or "corrupt" in text:
        return SparklioError(
            f"the database{where} is damaged ({exc}); run `sparklio doctor` to check it and"
            " repair it or start fresh (the old file is kept)"
        )
    if "readonly" in text or "read-only" in text:
        return SparklioError(f"the database{where} is read-only: check the data folder's permissions")
    if "disk is full" in text or "full" in text:
        return SparklioError(f"the disk holding the database{where} is full: free some space and try again")
    return None
