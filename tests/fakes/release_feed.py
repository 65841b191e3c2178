"""A loopback release feed (GitHub's latest-release JSON) whose answer a test sets: a release, junk, or an error."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ReleaseFeed:
    """GET answers `body` (sent as JSON unless it is bytes) with `status`; `hits` counts requests."""

    def __init__(self, tag: str = "v0.2.0") -> None:
        self.status = 200
        self.body: object = self.release(tag)
        self.hits = 0
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                feed.hits += 1
                data = feed.body if isinstance(feed.body, bytes) else json.dumps(feed.body).encode()
                self.send_response(feed.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/repos/sparklio/releases/latest"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def release(tag: str) -> dict:
        """GitHub's latest-release object (the fields Sparklio reads, and some it ignores)."""
        return {
            "tag_name": tag,
            "name": f"Sparklio {tag}",
            "draft": False,
            "prerelease": False,
            "html_url": f"https://github.com/sparklio/sparklio-desktop/releases/tag/{tag}",
            "body": "Faster routing.",
            "assets": [],
        }

    def __enter__(self) -> ReleaseFeed:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
