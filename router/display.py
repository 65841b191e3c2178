"""Safe display: money to cents (or significant digits below a cent) and model text without terminal escapes."""

from __future__ import annotations

import math
import re

# CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), other two-byte escapes, and C0/C1 controls but \n and \t.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window title, clipboard (52), hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]?"  # other escapes (and a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x9c]*[\x07\x9c]?"  # 8-bit CSI / OSC
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # remaining controls (keeps \t and \n)
)


def strip_controls(text: str) -> str:
    """`text` for a terminal or pipe: escape sequences and control characters removed (\\r\\n kept as \\n)."""
    if not text:
        return text
    return _ESCAPES.sub("", text.replace("\r\n", "\n"))


def fmt_usd(amount: float | int | None, *, precise: bool = False) -> str:
    """US dollars for humans: "$12.34"; sub-cent amounts keep 2 significant digits ("$0.0042"); "$?" if not finite."""
    v = float(amount or 0.0)
    if not math.isfinite(v):
        return "$?"
    sign = "-" if v < 0 else ""
    v = abs(v)
    if v == 0:
        return "$0.00"
    if v < 0.01 or (precise and v < 1):
        digits = max(2, 1 - math.floor(math.log10(v)))
        return f"{sign}${v:.{min(digits, 6)}f}"
    if v >= 10_000:
        return f"{sign}${v:,.0f}"
    return f"{sign}${v:,.2f}"
