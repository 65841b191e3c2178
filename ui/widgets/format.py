"""Number formatting shared by pages: money, percentages, sizes, durations, meter levels."""

from __future__ import annotations

import math

from router.display import fmt_usd

WARN_AT = 0.8
OVER_AT = 1.0


def money(usd: float | None, *, precise: bool = False) -> str:
    """US dollars for humans: "$12.34"; sub-cent amounts keep 2 significant digits ("$0.0042"); None -> "—"."""
    if usd is None or (isinstance(usd, float) and not math.isfinite(usd)):
        return "—"
    return fmt_usd(usd, precise=precise)


def percent(frac: float | None, digits: int = 0) -> str:
    """0.834 -> "83%" (None -> "—")."""
    if frac is None:
        return "—"
    return f"{frac * 100:.{digits}f}%"


def human_bytes(n: float | None) -> str:
    """Bytes as "4.1 GB" (decimal units, like Ollama and file managers)."""
    if n is None:
        return "—"
    v = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(v) < 1000 or unit == "TB":
            return f"{v:.0f} {unit}" if unit == "B" else f"{v:.1f} {unit}"
        v /= 1000
    return f"{v:.1f} TB"


def duration_ms(ms: float | None) -> str:
    """Milliseconds as "850 ms" or "2.4 s"."""
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.1f} s"


def count(n: float | None) -> str:
    """Large counts compactly: 1234 -> "1,234", 2_500_000 -> "2.5M"."""
    if n is None:
        return "—"
    if abs(n) >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    return f"{int(n):,}"


def level(frac: float | None, warn: float = WARN_AT, over: float = OVER_AT) -> str:
    """Meter level for a used fraction: "ok", "warn" (>= 80%) or "over" (>= 100%)."""
    if frac is None:
        return "ok"
    if frac >= over:
        return "over"
    if frac >= warn:
        return "warn"
    return "ok"
