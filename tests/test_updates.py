"""Update check against a loopback fake release feed: newer offered, same quiet, feed down quiet, malformed one line."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest

from router import __version__
from router.app import Sparklio
from router.cli import main as cli_main
from router.updates import WEEK_S, UpdateFeedError, check, weekly_check
from tests.fakes.release_feed import ReleaseFeed


@pytest.fixture
def feed():
    with ReleaseFeed("v0.2.0") as f:
        yield f


@pytest.fixture
def down_url() -> str:
    """A loopback URL where nothing listens."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/latest"


@pytest.fixture
def app(data_dir, memory_keyring, feed):
    a = Sparklio(data_dir, keyring=memory_keyring, env={})
    a.settings.set("update_feed_url", feed.url)
    yield a
    asyncio.run(a.aclose())


def test_a_newer_release_is_offered(feed, caplog):
    info = check(feed.url, "0.1.0")
    assert info.version == "0.2.0" and info.url.endswith("/releases/tag/v0.2.0") and info.notes == "Faster routing."


def test_the_same_or_an_older_version_is_quiet(feed, caplog):
    caplog.set_level(logging.DEBUG, logger="router.updates")
    feed.body = ReleaseFeed.release(f"v{__version__}")
    assert check(feed.url) is None
    feed.body = ReleaseFeed.release("0.0.9")
    assert check(feed.url) is None
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []


def test_a_feed_that_is_down_is_quiet(down_url, feed, caplog):
    caplog.set_level(logging.INFO, logger="router.updates")
    assert check(down_url) is None
    feed.status = 503
    assert check(feed.url) is None
    assert caplog.records == []


@pytest.mark.parametrize(
    "body", [b"<html>rate limited</html>", {"message": "Not Found"}, ["v1"], ReleaseFeed.release("banana")]
)
def test_a_malformed_feed_is_one_log_line(feed, caplog, body):
    caplog.set_level(logging.DEBUG, logger="router.updates")
    feed.body = body
    assert check(feed.url) is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and caplog.records[0].levelno == logging.WARNING
    assert lines[0].startswith("update check: the release feed") and "\n" not in lines[0]
    with pytest.raises(UpdateFeedError):  # the manual check says it instead
        check(feed.url, strict=True)


def test_the_weekly_check_asks_once_a_week_and_announces(app, feed):
    now = time.time()
    seen = []
    app.events.subscribe(lambda e: seen.append(e) if e.kind == "update_available" else None)
    info = asyncio.run(weekly_check(app, now=now))
    assert info.version == "0.2.0" and feed.hits == 1
    assert seen and seen[0].title == "Sparklio 0.2.0 is available" and seen[0].data["url"] == info.url
    assert asyncio.run(weekly_check(app, now=now + WEEK_S - 60)) is None and feed.hits == 1  # not due yet
    assert asyncio.run(weekly_check(app, now=now + WEEK_S)) is not None and feed.hits == 2


def test_no_automatic_check_offline_or_when_switched_off(app, feed):
    app.force_offline = True
    assert asyncio.run(weekly_check(app)) is None
    app.force_offline = False
    app.settings.set("update_check_weekly", False)
    assert asyncio.run(weekly_check(app)) is None
    assert feed.hits == 0


def test_cli_update_check(app, feed, data_dir, down_url, capsys):
    assert cli_main(["--data-dir", str(data_dir), "update", "check"]) == 0
    assert "Sparklio 0.2.0 is available" in capsys.readouterr().out
    feed.body = ReleaseFeed.release(__version__)
    assert cli_main(["--data-dir", str(data_dir), "update", "check"]) == 0
    assert "is the newest version" in capsys.readouterr().out
    app.settings.set("update_feed_url", down_url)
    assert cli_main(["--data-dir", str(data_dir), "update", "check"]) == 1
    assert capsys.readouterr().err.strip() == "sparklio: error: could not reach the release feed (ConnectError)"
    assert cli_main(["--data-dir", str(data_dir), "--offline", "update", "check"]) == 1
    assert "offline mode is on" in capsys.readouterr().err
    assert cli_main(["--data-dir", str(data_dir), "update", "check", "--bogus"]) == 2
    assert capsys.readouterr().err == "sparklio: error: No such option '--bogus' (see `sparklio update --help`)\n"
