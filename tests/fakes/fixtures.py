"""Pytest fixtures for the fake provider servers, plus a helper that drains a provider stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from router.errors import ProviderError
from router.types import Finished, ProviderEvent, TextDelta, UsageReport
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.openai_server import FakeOpenAI

# Fake keys shaped like real ones, so the "key never in the error text" checks are meaningful.
OPENAI_KEY = "sk-test-openai-0123456789abcdef"
ANTHROPIC_KEY = "sk-ant-test-0123456789abcdef"
GOOGLE_KEY = "AIzaTestKey0123456789abcdefghij"
TIMEOUT_TEST_S = 0.2  # client timeout for timeout tests only (the fakes' timeout() fault sleeps longer)
CLIENT_TIMEOUT_S = 10.0  # everything else: generous, so a busy machine never turns a fault into a timeout


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI API that requires OPENAI_KEY."""
    with FakeOpenAI(require_key=OPENAI_KEY) as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[FakeAnthropic]:
    """A running fake Anthropic API that requires ANTHROPIC_KEY."""
    with FakeAnthropic(require_key=ANTHROPIC_KEY) as server:
        yield server


@pytest.fixture
def gemini_server() -> Iterator[FakeGemini]:
    """A running fake Gemini API that requires GOOGLE_KEY."""
    with FakeGemini(require_key=GOOGLE_KEY) as server:
        yield server


class Drained:
    """Everything a provider stream produced: events, and the error that ended it (if any)."""

    def __init__(self, events: list[ProviderEvent], error: ProviderError | None) -> None:
        self.events = events
        self.error = error

    @property
    def texts(self) -> list[str]:
        """The TextDelta pieces in order."""
        return [e.text for e in self.events if isinstance(e, TextDelta)]

    @property
    def text(self) -> str:
        """The streamed text joined."""
        return "".join(self.texts)

    @property
    def finished(self) -> Finished | None:
        """The Finished event, if the provider sent one."""
        return next((e for e in self.events if isinstance(e, Finished)), None)

    @property
    def usage(self):
        """The last UsageReport's usage, if any."""
        reports = [e for e in self.events if isinstance(e, UsageReport)]
        return reports[-1].usage if reports else None


async def drain(stream: AsyncIterator[ProviderEvent]) -> Drained:
    """Consume a stream; a ProviderError ends it and is returned, anything else propagates."""
    events: list[ProviderEvent] = []
    try:
        async for ev in stream:
            events.append(ev)
    except ProviderError as exc:
        return Drained(events, exc)
    return Drained(events, None)
