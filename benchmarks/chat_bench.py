"""Chat benchmark: longest event-loop stall while streaming ~500 tokens/s into the chat, and opening 5,000 messages.

Run by hand: `.venv/bin/python benchmarks/chat_bench.py [--tokens 1500] [--rate 500] [--opens 5]`.
Uses the real facade on a temporary data folder and the fake OpenAI server on 127.0.0.1 (no network).
Targets: longest stall < 50 ms, open < 300 ms. It also times the first send of a fresh process (keys for
three providers, the answer pinned to OpenAI): from Send to the first token on screen, beside how long importing
all three provider SDKs takes (what the first send used to wait for).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"


class StallProbe:
    """Asks the loop to wake every `tick` seconds and records how late each wake-up is."""

    def __init__(self, loop: asyncio.AbstractEventLoop, phase, tick: float = 0.005) -> None:
        self.loop, self.tick, self.phase = loop, tick, phase
        self.lates: dict[str, list[float]] = {}
        self._last = 0.0
        self._on = False

    def start(self) -> None:
        self._on, self._last = True, time.perf_counter()
        self.loop.call_later(self.tick, self._wake)

    def stop(self) -> None:
        self._on = False

    def _wake(self) -> None:
        if not self._on:
            return  # a wake-up after stop() would measure the benchmark's own work
        now = time.perf_counter()
        self.lates.setdefault(self.phase(), []).append(max(now - self._last - self.tick, 0.0))
        self._last = now
        self.loop.call_later(self.tick, self._wake)


def seed_long_conversation(app, n: int) -> int:
    """One conversation with `n` Markdown messages, inserted in bulk."""
    from router.store.db import database
    from router.store.models import ChatMessage

    conv = app.conversations.create(f"{n} messages")
    body = "Here is **point {i}** with `code` and a list:\n\n- one\n- two\n\n```python\nprint({i})\n```\n"
    rows = [
        {
            "conversation": conv.id,
            "role": "user" if i % 2 == 0 else "assistant",
            "content": body.format(i=i),
            "created_at": 1.0 + i,
        }
        for i in range(n)
    ]
    with database.atomic():
        for k in range(0, n, 500):
            ChatMessage.insert_many(rows[k : k + 500]).execute()
    return conv.id


def sdk_import_s() -> float:
    """Seconds a fresh interpreter takes to import the OpenAI, Anthropic and Google SDKs."""
    import subprocess

    code = (
        "import time; t = time.perf_counter(); import openai, anthropic; from google import genai; "
        "print(time.perf_counter() - t)"
    )
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> int:
    """Stream into the chat and open a long conversation; print a table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tokens", type=int, default=1500)
    ap.add_argument("--rate", type=float, default=500.0, help="tokens per second from the fake server")
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--opens", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3, help="streamed answers (each in a new chat)")
    args = ap.parse_args()

    import qasync
    from PySide6.QtCore import QSettings

    from router.app import Sparklio
    from router.heap import settle_heap
    from tests.fakes.keyring import MemoryKeyring
    from tests.fakes.openai_server import FakeOpenAI
    from ui.app import make_qapp
    from ui.controller import AppController
    from ui.main_window import MainWindow

    qapp = make_qapp()
    tmp = tempfile.TemporaryDirectory()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp.name)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    reply = " ".join(f"tok{i}" + ("\n\n" if i % 40 == 39 else "") for i in range(args.tokens))
    fake = FakeOpenAI(reply_text=reply, chunk_delay_s=1.0 / args.rate).start()
    app = Sparklio.open(Path(tmp.name) / "data", keyring=MemoryKeyring())
    app.settings.set("exploration_rate", 0.0)
    app.settings.set("endpoints", {"openai": fake.base_url, "ollama": "http://127.0.0.1:9"})
    app.secrets.set("openai", "sk-bench")
    app.secrets.set("anthropic", "sk-ant-bench")  # available (never called): their SDKs are not waited for
    app.secrets.set("google", "bench-google-key")
    fake.models = sorted({m.api_model for m in app.catalog if m.provider == "openai"})
    controller = AppController()
    window = MainWindow(controller)
    window.resize(1200, 800)
    window.show()
    controller.attach(app)
    chat = window.show_page("chat")
    results: dict = {}

    async def bench() -> None:
        await asyncio.to_thread(app.classify, "warm up", False)  # as ui.app does after start-up
        settle_heap()
        await asyncio.sleep(0.2)

        def phase() -> str:
            items = chat.view.store.items
            return "streaming" if items and items[-1].role != "user" and items[-1].text else "setup"

        runs = []
        for n in range(args.repeat):
            chat.new_chat()
            await asyncio.sleep(0.2)
            probe = StallProbe(loop, phase)
            probe.start()
            t0 = time.perf_counter()
            chat.send(f"Write a very long answer, take {n + 1}", model="gpt-4o-mini")  # new prompt: no cache hit
            while not (chat.view.store.items[-1].text or chat.task.done()):
                await asyncio.sleep(0.002)
            first = time.perf_counter() - t0
            await chat.task
            elapsed = time.perf_counter() - t0
            await asyncio.sleep(0.15)  # the final, highlighted render is painted inside the window
            probe.stop()
            lates = sorted(probe.lates.get("streaming", [0.0]))
            runs.append(
                {
                    "status": chat.view.store.items[-1].status,
                    "elapsed": elapsed,
                    "flushes": chat.stream.flushes,
                    "max": lates[-1] * 1000,
                    "p99": lates[max(int(len(lates) * 0.99) - 1, 0)] * 1000,
                    "setup": max(probe.lates.get("setup", [0.0])) * 1000,
                    "first": first * 1000,
                }
            )
        results.update(runs=runs, tokens=args.tokens)
        cid = seed_long_conversation(app, args.messages)
        chat.refresh()
        times = []
        for _ in range(args.opens):
            chat.new_chat()
            await asyncio.sleep(0.05)
            t = time.perf_counter()
            chat.open_conversation(cid)
            chat.view.viewport().repaint()  # the first frame of the opened conversation is painted
            times.append((time.perf_counter() - t) * 1000)
        results.update(open_ms=times, shown=chat.view.store.rowCount(), total=chat.view.store.total)

    with loop:
        loop.run_until_complete(bench())
        window._quitting = True
        window.close()
        loop.run_until_complete(app.aclose())
    fake.stop()
    r = results
    print(
        f"{'run':>3}  {'status':>7}  {'tok/s':>6}  {'repaints':>8}  {'max stall':>9}  {'p99':>6}  "
        f"{'before 1st token':>16}  {'send→1st token':>14}"
    )
    for i, x in enumerate(r["runs"], 1):
        print(
            f"{i:>3}  {x['status']:>7}  {r['tokens'] / x['elapsed']:>6.0f}  {x['flushes']:>8}  {x['max']:>6.1f} ms"
            f"  {x['p99']:>3.0f} ms  {x['setup']:>13.1f} ms  {x['first']:>11.0f} ms"
        )
    worst = max(x["max"] for x in r["runs"])
    med = statistics.median(x["max"] for x in r["runs"])
    print(f"{'measure':<44} {'value':>14}  target")
    print(f"{'longest event-loop stall while streaming':<44} {med:>8.1f} ms median of runs, {worst:.1f} worst  < 50 ms")
    print(f"{'first send of the session: Send → 1st token':<44} {r['runs'][0]['first']:>11.0f} ms  (run 1)")
    print(f"{'  importing all three provider SDKs':<44} {sdk_import_s() * 1000:>11.0f} ms  (the old wait)")
    print(f"{'open 5,000-message conversation (median)':<44} {statistics.median(r['open_ms']):>11.1f} ms  < 300 ms")
    print(f"{'  all opens':<44} {', '.join(f'{t:.0f}' for t in r['open_ms'])} ms")
    print(f"{'  rows built / messages in conversation':<44} {r['shown']:>6} / {r['total']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
