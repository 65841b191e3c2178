"""Keeps the event loop responsive while answers stream: every loop turn gives streaming one bounded slice."""

from __future__ import annotations

import asyncio
import time
from collections import deque

SLICE_S = 0.008  # streaming work per loop turn, all answers together (half a 60 Hz frame: paint and input get the rest)


class TurnSlice:
    """One time budget per event-loop turn, shared by every streaming answer; past it, streams queue.

    A stream that fell behind (its SDK parsing every chunk that arrived while the loop was busy, ~0.3 ms each) would
    otherwise run them all in one go, and ten such streams woken in the same turn freeze the window for tens of ms.
    After each event a stream asks `pause()`: while the turn's budget lasts it goes on; once it is spent the stream
    queues (first come first) and goes on in a later turn that has budget left, the first in the queue watching the
    turns and the others waking when it leaves. The loop paints, reads input and serves the other streams in
    between. Nothing is dropped or reordered, and a Stop still reaches the request itself (its partial answer and
    ledger row are stored as for a Stop at any other moment).
    """

    def __init__(self, budget_s: float = SLICE_S) -> None:
        self.budget_s = budget_s
        self.pauses = 0  # how often a stream waited for a later turn (for tests and benchmarks)
        self._started: float | None = None  # when this turn's streaming work began
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: deque[asyncio.Future] = deque()  # the waiting streams, oldest first

    def _new_turn(self) -> None:
        self._started = None

    def _spent(self, loop: asyncio.AbstractEventLoop) -> bool:
        """True once this turn's work passed the budget (the first call of a turn starts the turn)."""
        if loop is not self._loop:  # a new loop (tests): nothing of the old one is pending
            self._loop, self._started, self._queue = loop, None, deque()
        now = time.perf_counter()
        if self._started is None:
            self._started = now
            loop.call_soon(self._new_turn)  # runs after what is ready now: the next turn has a fresh budget
            return False
        return now - self._started > self.budget_s

    async def pause(self) -> None:
        """Before a stream takes its next event: once this turn's budget is used up, wait for a later turn."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a step run by Qt while the loop itself is not running (a nested event loop)
            return
        task = asyncio.current_task()
        if not self._spent(loop) or task is None or task.cancelling():
            return  # within budget; or a Stop is on its way into the request (below): no waiting
        ticket: asyncio.Future = loop.create_future()
        self._queue.append(ticket)
        self.pauses += 1
        try:
            if self._queue[0] is ticket:
                await asyncio.sleep(0)
            else:
                await ticket  # only the first in the queue watches the turns; the others wake when it leaves
            while self._spent(loop):
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            # Stop arrived while the stream waited for its turn: re-deliver it at the request's next await, so the
            # router records the partial answer and the cancelled attempt as for a Stop at any other moment.
            task.uncancel()
            task.cancel()
        finally:
            first = bool(self._queue) and self._queue[0] is ticket
            if ticket in self._queue:
                self._queue.remove(ticket)
            if first and self._queue and not self._queue[0].done():
                self._queue[0].set_result(None)


STREAMING = TurnSlice()  # shared by every AnswerStream of the process
