"""Update check against a release feed: says when a newer version exists; never downloads anything itself.

The feed is GitHub's "latest release" JSON (`tag_name`, `html_url`, `body`) or a plain `{"version", "url",
"notes"}` object at `update_feed_url`. Automatic checks run at most weekly and never in offline mode.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from router import __version__

log = logging.getLogger(__name__)
WEEK_S = 7 * 24 * 3600


@dataclass
class UpdateInfo:
    """A newer release: its version, where to get it (a web page the user opens), its notes."""

    version: str
    url: str
    notes: str = ""


class MalformedFeed(ValueError):
    """The feed answered, but not with a release we can read."""


def parse_feed(data: object) -> UpdateInfo:
    """The release a feed describes (GitHub's latest-release JSON or {version, url, notes})."""
    if not isinstance(data, dict):
        raise MalformedFeed("the feed is not a JSON object")
    raw = data.get("tag_name") or data.get("version")
    url = data.get("html_url") or data.get("url")
    if not isinstance(raw, str) or not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise MalformedFeed("the feed has no version and web address")
    try:
        version = str(Version(raw.strip().lstrip("vV")))
    except InvalidVersion:
        raise MalformedFeed(f"the feed's version {raw[:40]!r} is not a version number") from None
    notes = data.get("body") or data.get("notes") or ""
    return UpdateInfo(version, url, notes if isinstance(notes, str) else "")


def check(feed_url: str, current: str = __version__, *, timeout: float = 10.0) -> UpdateInfo | None:
    """The newer release, or None: same or older version, feed unreachable (quiet), feed malformed (one log line)."""
    import httpx

    try:
        response = httpx.get(feed_url, timeout=timeout, follow_redirects=True,
                             headers={"Accept": "application/json", "User-Agent": f"Sparklio/{current}"})
        response.raise_for_status()
    except httpx.HTTPError as exc:
        log.debug("update feed %s unreachable: %s", feed_url, exc)
        return None
    try:
        info = parse_feed(response.json())
    except (ValueError, MalformedFeed) as exc:
        log.warning("update feed %s is malformed: %s", feed_url, str(exc).splitlines()[0][:200])
        return None
    return info if Version(info.version) > Version(current) else None


def automatic_check_due(settings, now: float | None = None, *, offline: bool = False) -> bool:
    """True when the weekly check is on, the app is online, and the last check is a week old."""
    if offline or settings.get("offline") or not settings.get("update_check_weekly") or not settings.get("update_feed_url"):
        return False
    last = float(settings.get("update_last_check") or 0)
    return (now if now is not None else time.time()) - last >= WEEK_S


def check_now(settings, *, offline: bool = False, automatic: bool = False,
              now: float | None = None) -> UpdateInfo | None:
    """Check the configured feed (recording the time for the weekly schedule); None when nothing new or offline."""
    if automatic and not automatic_check_due(settings, now, offline=offline):
        return None
    url = settings.get("update_feed_url")
    if offline or settings.get("offline") or not url:
        return None
    info = check(url)
    settings.set("update_last_check", now if now is not None else time.time())
    return info
