"""Parallel load: Sparklio vs the bare OpenAI SDK at 1 and 50 concurrent streams, loop stalls, ledger write p99.

Run: .venv/bin/python benchmarks/concurrency_bench.py [--rounds 8] [--chunks 40 300] [--only paired|chat|ledger|route]
     [--nostore]
- paired: batches of N concurrent streamed requests (N = 1 and 50), Sparklio's `run` and the bare SDK interleaved
  on one fake OpenAI server in a separate process (so its threads do not share this process's GIL); with --nostore
  also Sparklio without storing the turn (for diagnosis), in the same rounds. Reported: the batch wall-time ratio,
  this process's CPU-time ratio and added CPU per request (+CPU/req: every thread; +loop/req: the event-loop
  thread's only), medians over paired rounds (CPU is steadier than wall time on a shared machine); the added time
  to first token (median and p95 over every request of the rounds); the longest event-loop stall per batch. After
  the warm-up batches the heap is settled as the app settles it once started (`router.heap.settle_heap`: one full
  collection, then start-up objects frozen out of the cyclic GC's sight): otherwise a full collection walking the
  classifier, the catalog and the SDK modules (~110 ms here) lands in one variant's batch or the other's. PySide6 is
  not imported here: its import hook makes every later import statement slower, and both variants' batches ~20 %.
  Targets at 50: wall <= 1.10x, added TTFT <= 5 ms median.
- chat: 10 answers streamed in parallel into the real chat view (offscreen Qt, qasync); the longest event-loop
  stall. Target < 16 ms (one frame at 60 Hz).
- ledger: 3,000 holds + ledger rows written as the engine writes them, background checkpoints on. Target p99 < 1 ms.
- route: a cold `sparklio route "hello" --json` process (median of 5). Target < 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, str(ROOT / "benchmarks"))

from ttft_bench import bare_ttft, engine_ttft  # noqa: E402

CHUNK_S = 0.005  # the fake server paces chunks like a fast model (200 tokens/s): streams interleave on the loop
SERVER = """
import sys
sys.path.insert(0, sys.argv[1])
import tests.fakes.http
from tests.fakes.openai_server import FakeOpenAI
tests.fakes.http._Server.request_queue_size = 256  # fifty clients connect at once
server = FakeOpenAI(models=["gpt-4o-mini"], reply_text=sys.argv[2], chunk_delay_s=float(sys.argv[3])).start()
print(server.base_url, flush=True)
sys.stdin.read()
server.stop()
"""


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`."""
    s = sorted(values)
    return s[min(int(q * len(s)), len(s) - 1)]


class LoopProbe:
    """Wakes every `tick` seconds and keeps the longest lateness seen since the last `take()`.

    `busy` is the loop thread's own CPU time in the worst interval: lateness beyond it is time the thread was not
    running at all (other processes on the shared cores, or waiting for the GIL).
    """

    def __init__(self, tick: float = 0.002) -> None:
        self.tick, self.worst, self.busy, self.worst_busy, self._on = tick, 0.0, 0.0, 0.0, False

    def start(self) -> None:
        self._on, self._last, self._cpu = True, time.perf_counter(), time.thread_time()
        asyncio.get_running_loop().call_later(self.tick, self._wake)

    def _wake(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        late = now - self._last - self.tick
        if late > self.worst:
            self.worst, self.busy = late, cpu - self._cpu
        self.worst_busy = max(self.worst_busy, cpu - self._cpu - self.tick)
        self._last, self._cpu = now, cpu
        if self._on:
            asyncio.get_running_loop().call_later(self.tick, self._wake)

    def take(self) -> float:
        """Longest stall (ms) since the last take."""
        worst, self.worst, self.busy, self.worst_busy = self.worst, 0.0, 0.0, 0.0
        return worst * 1000

    def take_cpu(self) -> float:
        """Longest CPU time (ms) the loop thread spent between two wake-ups since the last take (then `take`)."""
        return self.worst_busy * 1000

    def stop(self) -> None:
        self._on = False


# ---- paired: Sparklio vs the bare SDK (one request each: ttft_bench's, so both benches time the same thing) ----
async def batch(fn, target, n: int, tag: str, probe: LoopProbe) -> tuple[float, list[float], float, float, float]:
    """(wall s, per-request TTFT ms, longest stall ms, this process's CPU s, the loop thread's CPU s) of `n`
    concurrent requests."""
    probe.take()
    t0, c0, l0 = time.perf_counter(), time.process_time(), time.thread_time()
    ttfts = await asyncio.gather(*(fn(target, f"{tag} reader {i}") for i in range(n)))
    return time.perf_counter() - t0, list(ttfts), probe.take(), time.process_time() - c0, time.thread_time() - l0


async def sparklio_nostore(app, prompt: str) -> float:
    """For diagnosis only: the same request without storing the turn (holds and ledger rows still written)."""
    from router.types import Message, RouteRequest, TextDelta

    t0 = time.perf_counter()
    first = None
    req = RouteRequest(
        [Message("user", prompt)], task="chat_response", complexity="simple", model="gpt-4o-mini", use_cache=False
    )
    async for ev in app.run(req, store=False):
        if first is None and isinstance(ev, TextDelta):
            first = time.perf_counter()
    return (first - t0) * 1000


async def paired(rounds: int, sizes: list[int], chunks: int, nostore: bool = False) -> dict:
    """Batches of the bare SDK and Sparklio (and with `nostore`, Sparklio not storing the turn) interleaved."""
    import openai

    from router.app import Sparklio
    from router.heap import settle_heap  # not through ui.app: importing PySide6 slows every batch ~20 %
    from tests.fakes.keyring import MemoryKeyring

    reply = " ".join(f"word{i}" for i in range(chunks))  # `chunks` streamed chunks per answer
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(ROOT), reply, str(CHUNK_S)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    base_url = server.stdout.readline().strip()
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = Sparklio(Path(tmp), keyring=MemoryKeyring(), env={})
        app.secrets.set("openai", "sk-bench")
        app.settings.set("endpoints", {"openai": base_url})
        app.settings.set("exploration_rate", 0.0)
        client = openai.AsyncOpenAI(api_key="sk-bench", base_url=base_url, max_retries=0, timeout=60)
        probe = LoopProbe()
        probe.start()
        order = [("bare", bare_ttft, client), ("sparklio", engine_ttft, app)]
        if nostore:
            order.append(("nostore", sparklio_nostore, app))
        for n in sizes:
            for w in range(3):  # warm every path (connections, imports, caches)
                for _, fn, target in order:
                    await batch(fn, target, n, f"warm{w}", probe)
            settle_heap()  # as the app does once started and warmed: a full collection never walks start-up objects
            rows: dict[str, list] = {name: [] for name, _, _ in order}
            for r in range(rounds * (4 if n == 1 else 1)):
                for name, fn, target in order[r % len(order) :] + order[: r % len(order)]:  # rotate who goes first
                    rows[name].append(await batch(fn, target, n, f"{name}{n}-{r}", probe))
            out[n] = {name: compare(rows[name], rows["bare"], n) for name in rows if name != "bare"}
            out[n]["wall_bare_s"] = statistics.median(x[0] for x in rows["bare"])
            out[n]["stall_bare_ms"] = statistics.median(x[2] for x in rows["bare"])
        probe.stop()
        await client.close()
        await app.aclose()
    server.stdin.close()
    server.wait(10)
    return out


def compare(mine: list, bare: list, n: int) -> dict:
    """Paired figures of one variant's batches against the bare SDK's batches of the same rounds."""
    ttft_mine, ttft_bare = [t for x in mine for t in x[1]], [t for x in bare for t in x[1]]
    return {
        "wall_s": statistics.median(x[0] for x in mine),
        "wall_ratio": statistics.median(s[0] / b[0] for s, b in zip(mine, bare)),
        "cpu_ratio": statistics.median(s[3] / b[3] for s, b in zip(mine, bare)),
        "cpu_added_ms_per_request": statistics.median((s[3] - b[3]) * 1000 / n for s, b in zip(mine, bare)),
        "loop_added_ms_per_request": statistics.median((s[4] - b[4]) * 1000 / n for s, b in zip(mine, bare)),
        "ttft_added_median_ms": statistics.median(ttft_mine) - statistics.median(ttft_bare),
        "ttft_added_p95_ms": pct(ttft_mine, 0.95) - pct(ttft_bare, 0.95),
        "stall_ms": statistics.median(x[2] for x in mine),
        "batches": len(mine),
    }


# ---- chat: 10 parallel streams into the chat view ----
def chat_stall(streams: int, repeat: int) -> tuple[list[float], list[float], list[float]]:
    """(longest loop stall, longest loop-thread CPU burst) in ms, and seconds until every answer ended, per run of
    `streams` answers streamed at once."""
    import qasync
    from PySide6.QtCore import QSettings

    from router.app import Sparklio
    from router.heap import settle_heap
    from router.types import Message, RouteRequest
    from tests.fakes.keyring import MemoryKeyring
    from ui.app import make_qapp
    from ui.chat.items import ChatItem
    from ui.chat.stream import AnswerStream, warm_request
    from ui.controller import AppController
    from ui.main_window import MainWindow

    qapp = make_qapp()
    tmp = tempfile.TemporaryDirectory()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp.name)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    reply = " ".join(f"tok{i}" + ("\n\n" if i % 40 == 39 else "") for i in range(300))
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(ROOT), reply, "0.004"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    base_url = server.stdout.readline().strip()
    app = Sparklio.open(Path(tmp.name) / "data", keyring=MemoryKeyring())
    app.settings.set("exploration_rate", 0.0)
    app.settings.set("endpoints", {"openai": base_url, "ollama": "http://127.0.0.1:9"})
    app.secrets.set("openai", "sk-bench")
    controller = AppController()
    window = MainWindow(controller)
    window.resize(1200, 800)
    window.show()
    controller.attach(app)
    chat = window.show_page("chat")
    stalls: list[float] = []
    cpu: list[float] = []
    walls: list[float] = []

    async def bench() -> None:
        await asyncio.to_thread(app.classify, "warm up", False)
        settle_heap()
        await asyncio.sleep(0.2)
        for r in range(repeat + 1):  # the first run warms up (SDK import, connections) and is not counted
            chat.new_chat()
            cid = app.conversations.create().id
            chat.stack.setCurrentWidget(chat.view)  # as Send does: the list is on screen, so it paints
            await asyncio.sleep(0.2)
            probe = LoopProbe()
            probe.start()
            t0 = time.perf_counter()
            tasks = []
            for i in range(streams):
                item = ChatItem("assistant", "", status="streaming")
                chat.view.add(item)
                req = RouteRequest(
                    [Message("user", f"Long answer {r}-{i}")],
                    task="chat_response",
                    complexity="simple",
                    model="gpt-4o-mini",
                    conversation_id=cid,
                    use_cache=False,
                )
                stream = AnswerStream(app, req, item, chat.view.refresh_item, prepare=warm_request(app, req))  # as Send
                tasks.append(controller.spawn(stream.run()))
            done = await asyncio.gather(*tasks)
            wall = time.perf_counter() - t0
            await asyncio.sleep(0.15)
            probe.stop()
            assert all(it.status == "ok" for it in done), [(it.status, it.text[:200]) for it in done]
            if r:
                cpu.append(probe.take_cpu())
                stalls.append(probe.take())
                walls.append(wall)

    with loop:
        loop.run_until_complete(bench())
        window._quitting = True
        window.close()
        loop.run_until_complete(app.aclose())
    server.stdin.close()
    server.wait(10)
    return stalls, cpu, walls


# ---- ledger: write latency on the request path with background checkpoints ----
def ledger(n: int) -> dict:
    """`n` holds + `n` ledger rows written one at a time as the engine does (awaited through the store's group
    commit, router/store/loop_writes.py: a write alone is one IMMEDIATE transaction); times."""
    from router.budget import Budget
    from router.catalog import ModelSpec
    from router.settings import Settings
    from router.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp))
        budget = Budget(Settings(store), writes=store.writes)
        budget.settings.set("monthly_limit_usd", 1e6)
        m = ModelSpec(id="gpt-4o-mini", provider="openai", api_model="gpt-4o-mini", input_price=0.15, output_price=0.6)
        row = {
            "task": "chat_response",
            "model": m.id,
            "provider": "openai",
            "outcome": "ok",
            "input_tokens": 120,
            "output_tokens": 400,
            "cost_usd": 0.0003,
            "latency_ms": 900.0,
            "ttft_ms": 300.0,
            "error": "x" * 200,
        }
        holds, writes = [], []

        async def write_all() -> None:
            for i in range(n):
                t0 = time.perf_counter()
                res = await budget.areserve(m, 0.01)
                t1 = time.perf_counter()
                await budget.arecord_attempt(res, **row)
                t2 = time.perf_counter()
                holds.append((t1 - t0) * 1000)
                writes.append((t2 - t1) * 1000)
                if i % 50 == 49:
                    await asyncio.sleep(0.02)  # requests arrive over time: background checkpoints run in between

        asyncio.run(write_all())
        ck = store.checkpointer
        out = {
            "n": n,
            "write_median_ms": statistics.median(writes),
            "write_p99_ms": pct(writes, 0.99),
            "write_over_2ms": sum(t > 2 for t in writes),
            "hold_median_ms": statistics.median(holds),
            "hold_p99_ms": pct(holds, 0.99),
            "passive_checkpoints": ck.passive,
            "truncates": ck.truncated,
        }
        store.close()
    return out


def cold_route(runs: int = 5) -> list[float]:
    """Seconds for a fresh `sparklio route "hello" --json` process (cold_route_bench's, after one untimed run)."""
    from cold_route_bench import one_route

    with tempfile.TemporaryDirectory() as tmp:
        one_route(tmp)  # creates the data folder, trains and saves the classifier, writes the bytecode cache
        return [one_route(tmp) for _ in range(runs)]


def print_paired(chunks: int, rounds: int, sizes: list[int], nostore: bool) -> None:
    """Run and print the paired comparison for answers of `chunks` chunks."""
    res = asyncio.run(paired(rounds, sizes, chunks, nostore))
    print(f"answers of {chunks} streamed chunks, {rounds} rounds (x4 at 1 stream); medians of paired batches")
    print(
        f"{'streams':>7}  {'variant':>8}  {'wall bare':>9}  {'wall':>9}  {'ratio':>5}  {'+TTFT med':>9}  "
        f"{'+TTFT p95':>9}  {'stall bare':>10}  {'stall':>8}  {'CPU ratio':>9}  {'+CPU/req':>8}"
    )
    for n in sizes:
        r = res[n]
        for name in ("sparklio", "nostore"):
            if name in r:
                v = r[name]
                print(
                    f"{n:>7}  {name:>8}  {r['wall_bare_s'] * 1000:>7.1f}ms  {v['wall_s'] * 1000:>7.1f}ms  "
                    f"{v['wall_ratio']:>5.2f}  {v['ttft_added_median_ms']:>7.2f}ms  {v['ttft_added_p95_ms']:>7.2f}ms  "
                    f"{r['stall_bare_ms']:>8.1f}ms  {v['stall_ms']:>6.1f}ms  {v['cpu_ratio']:>9.2f}"
                    f"  {v['cpu_added_ms_per_request']:>6.2f}ms  {v['loop_added_ms_per_request']:>7.2f}ms"
                )
    print("targets at 50: ratio <= 1.10, +TTFT median <= 5 ms ('nostore': the same requests not storing the turn)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--chunks", type=int, nargs="+", default=[40, 300], help="answer lengths (streamed chunks)")
    ap.add_argument("--only", choices=["paired", "chat", "ledger", "route"])
    ap.add_argument("--nostore", action="store_true", help="also run Sparklio without storing the turn (diagnosis)")
    args = ap.parse_args()
    if args.only in (None, "paired"):
        for k, chunks in enumerate(args.chunks):
            print_paired(chunks, args.rounds, [1, 50] if k == 0 else [50], args.nostore)  # TTFT at 1 stream: once
    if args.only in (None, "chat"):
        stalls, cpu, walls = chat_stall(10, 3)
        print(
            f"10 parallel streams into the chat view: longest loop stall {statistics.median(stalls):.1f} ms median"
            f" of {len(stalls)} runs ({', '.join(f'{s:.1f}' for s in stalls)}); target < 16 ms"
        )
        print(
            f"  longest CPU burst of the loop thread between wake-ups: {statistics.median(cpu):.1f} ms median"
            f" ({', '.join(f'{s:.1f}' for s in cpu)}); the rest of a stall is the thread not running"
        )
        print(f"  all 10 answers ended after {statistics.median(walls):.2f} s median (300 chunks each, 4 ms apart)")
    if args.only in (None, "ledger"):
        r = ledger(3000)
        print(
            f"ledger rows ({r['n']} holds + {r['n']} rows, background checkpoints): row median"
            f" {r['write_median_ms']:.3f} ms, p99 {r['write_p99_ms']:.3f} ms, {r['write_over_2ms']} over 2 ms;"
            f" hold median {r['hold_median_ms']:.3f} ms, p99 {r['hold_p99_ms']:.3f} ms; target p99 < 1 ms;"
            f" {r['passive_checkpoints']} passive checkpoints, {r['truncates']} truncates"
        )
    if args.only in (None, "route"):
        t = cold_route()
        print(
            f"cold `sparklio route hello --json`: {statistics.median(t):.2f} s median of {len(t)}"
            f" ({', '.join(f'{x:.2f}' for x in t)}); target < 0.5 s"
        )


if __name__ == "__main__":
    main()
