"""Update check against a release feed: says when a newer version exists; never downloads anything itself.

The feed is GitHub's "latest release" JSON (`tag_name`, `html_url`, `body`) or a plain `{"version", "url",
"notes"}` object at the `update_feed_url` setting. The automatic check runs at most weekly and never offline.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from router import __version__
from router.errors import SparklioError
from router.events import AppEvent

log = logging.getLogger(__name__)
WEEK_S = 7 * 24 * 3600
RECHECK_S = 6 * 3600  # how often a long-running app asks whether the weekly check is due
FIRST_DELAY_S = 60.0  # after start-up: the first minute belongs to the user


@dataclass
class UpdateInfo:
    """A newer release: its version, the web page to get it from, its notes."""

    version: str
    url: str
    notes: str = ""


class UpdateFeedError(SparklioError):
    """The release feed could not be read (only the manual check says so; the weekly one stays quiet)."""


def parse_feed(data: object) -> UpdateInfo:
    """The release a feed describes (GitHub's latest-release JSON or {version, url, notes})."""
    if not isinstance(data, dict):
        raise UpdateFeedError("the release feed is not a JSON object")
    raw = data.get("tag_name") or data.get("version")
    url = data.get("html_url") or data.get("url")
    if not isinstance(raw, str) or not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise UpdateFeedError("the release feed names no version and web page")
    try:
        version = str(Version(raw.strip().lstrip("vV")))
    except InvalidVersion:
        raise UpdateFeedError(f"the release feed's version {raw[:40]!r} is not a version number") from None
    notes = data.get("body") or data.get("notes") or ""
    return UpdateInfo(version, url, notes if isinstance(notes, str) else "")


def check(
    feed_url: str, current: str = __version__, *, strict: bool = False, timeout: float = 10.0
) -> UpdateInfo | None:
    """The newer release, or None when the feed's is the same or older.

    Unreachable feed: quiet (None); malformed feed: one log line (None). With `strict` both raise UpdateFeedError.
    """
    import httpx

    try:
        response = httpx.get(
            feed_url,
            timeout=timeout,
            follow_redirects=True,
            headers={"Accept": "application/json", "User-Agent": f"Sparklio/{current}"},
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        log.debug("update feed %s unreachable: %s", feed_url, exc)
        if strict:
            raise UpdateFeedError(f"could not reach the release feed ({type(exc).__name__})") from None
        return None
    try:
        info = parse_feed(response.json())
    except ValueError:
        info = None
        problem = "the release feed did not answer with JSON"
    except UpdateFeedError as exc:
        info, problem = None, str(exc)
    if info is None:
        if strict:
            raise UpdateFeedError(problem)
        log.warning("update check: %s (%s)", problem, feed_url)
        return None
    return info if Version(info.version) > Version(current) else None


def automatic_check_due(settings, *, offline: bool, now: float | None = None) -> bool:
    """True when the weekly check is on, the app is online, a feed is set, and the last check is a week old."""
    if offline or not settings.update_check_weekly or not settings.update_feed_url:
        return False
    last = settings.update_last_check
    return (time.time() if now is None else now) - last >= WEEK_S


def announce(app, info: UpdateInfo) -> None:
    """Tell the app (tray notification, Settings → General) that a newer version exists."""
    app.events.publish(
        AppEvent(
            "update_available",
            title=f"Sparklio {info.version} is available",
            message="Settings → General → Updates has the download page (nothing is downloaded unless you open it).",
            data={"version": info.version, "url": info.url, "notes": info.notes},
        )
    )


async def weekly_check(app, now: float | None = None) -> UpdateInfo | None:
    """The automatic check: when due, ask the feed off the event loop, record the time, announce a newer one."""
    if not automatic_check_due(app.settings, offline=app.offline, now=now):
        return None
    info = await asyncio.to_thread(check, app.settings.update_feed_url)
    app.settings.update_last_check = time.time() if now is None else now
    if info is not None:
        announce(app, info)
    return info


async def keep_checking(app, first_delay_s: float = FIRST_DELAY_S) -> None:
    """For the desktop app's lifetime: the weekly check a minute after start, then whenever due (tray apps run long)."""
    await asyncio.sleep(first_delay_s)
    while True:
        try:
            await weekly_check(app)
        except Exception:
            log.info("update check failed", exc_info=True)
        await asyncio.sleep(RECHECK_S)
