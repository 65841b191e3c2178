"""What the fake Ollama server knows: its models, the library it pulls from, loaded models and injected faults."""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

FAKE_VERSION = "0.6.5"
DEFAULT_KEEP_ALIVE_S = 300.0


@dataclass
class FakeModel:
    """One model the fake knows (installed or pullable)."""

    name: str
    family: str
    parameter_size: str
    quantization: str = "Q4_K_M"
    context_length: int = 32768
    size: int = 4_700_000_000
    capabilities: tuple[str, ...] = ("completion",)
    families: tuple[str, ...] = ()
    embedding_length: int = 3584
    arch: str = ""
    layers: tuple[int, ...] = (4_000_000, 120_000, 480)  # pull: bytes per layer (scaled down)
    fail_halfway: bool = False  # pull: an error line after part of the first layer

    @property
    def digest(self) -> str:
        """A stable fake sha256 digest of the model."""
        return hashlib.sha256(self.name.encode()).hexdigest()

    def details(self) -> dict:
        """The `details` object of /api/tags, /api/show and /api/ps."""
        return {
            "parent_model": "",
            "format": "gguf",
            "family": self.family,
            "families": list(self.families or (self.family,)),
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization,
        }


def default_models() -> list[FakeModel]:
    """The installed models of a typical machine."""
    return [
        FakeModel(
            "qwen2.5:7b",
            "qwen2",
            "7.6B",
            context_length=32768,
            size=4_683_087_332,
            capabilities=("completion", "tools"),
            embedding_length=3584,
            arch="qwen2",
        ),
        FakeModel(
            "llama3.2:3b",
            "llama",
            "3.2B",
            context_length=131072,
            size=2_019_393_189,
            capabilities=("completion", "tools"),
            embedding_length=3072,
            arch="llama",
        ),
        FakeModel(
            "mistral:7b",
            "llama",
            "7.2B",
            quantization="Q4_0",
            context_length=32768,
            size=4_113_301_824,
            capabilities=("completion", "tools"),
            embedding_length=4096,
            arch="llama",
        ),
        FakeModel(
            "qwen2.5-coder:7b",
            "qwen2",
            "7.6B",
            context_length=32768,
            size=4_683_087_519,
            capabilities=("completion", "tools", "insert"),
            embedding_length=3584,
            arch="qwen2",
        ),
        FakeModel(
            "llava:7b",
            "llama",
            "7B",
            quantization="Q4_0",
            context_length=32768,
            size=4_733_363_377,
            capabilities=("completion", "vision"),
            families=("llama", "clip"),
            embedding_length=4096,
            arch="llama",
        ),
        FakeModel(
            "nomic-embed-text:latest",
            "nomic-bert",
            "137M",
            quantization="F16",
            context_length=2048,
            size=274_302_450,
            capabilities=("embedding",),
            embedding_length=768,
            arch="nomic-bert",
        ),
    ]


def library_models() -> list[FakeModel]:
    """Models the fake registry can pull (one fails half-way)."""
    return [
        FakeModel(
            "tinyllama:latest",
            "llama",
            "1B",
            context_length=2048,
            size=637_700_138,
            capabilities=("completion",),
            embedding_length=2048,
            arch="llama",
        ),
        FakeModel("phi3:mini", "phi3", "3.8B", context_length=131072, size=2_176_178_913, arch="phi3"),
        FakeModel(
            "flaky:latest", "llama", "1B", context_length=2048, size=600_000_000, arch="llama", fail_halfway=True
        ),
    ]


def parse_keep_alive(value: object) -> float:
    """Seconds from Ollama's keep_alive (number of seconds or "5m"/"30s"/"1h"; negative = forever)."""
    if value is None or value == "":
        return DEFAULT_KEEP_ALIVE_S
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    for suffix in ("ms", "s", "m", "h"):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * units[suffix]
    return float(text)


def _iso(ts: float) -> str:
    """RFC 3339 time with the local offset, as Ollama writes it."""
    return datetime.fromtimestamp(ts, tz=UTC).astimezone().isoformat()


def fake_vector(text: str, dims: int) -> list[float]:
    """A deterministic unit vector for `text`."""
    seed = hashlib.sha256(text.encode()).digest()
    raw = [((seed[i % len(seed)] * (i + 1)) % 251) / 125.0 - 1.0 for i in range(dims)]
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    return [v / norm for v in raw]


@dataclass
class Fault:
    """An injected failure for the next `times` requests to `path`."""

    path: str
    status: int = 500
    message: str = "internal server error"
    cut_after: int | None = None  # stream: close the connection after this many lines (no status error)
    times: int = 1


@dataclass
class FakeState:
    """Everything the fake remembers; tests read and tweak it."""

    installed: dict[str, FakeModel]
    library: dict[str, FakeModel]
    version: str = FAKE_VERSION
    loaded: dict[str, float] = field(default_factory=dict)  # name -> expires_at (inf = forever)
    requests: list[tuple[str, str, dict]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    pull_delay_s: float = 0.0  # pause between pull progress lines
    pull_steps: int = 4  # progress lines per layer
    stream_delay_s: float = 0.0
    version_delay_s: float = 0.0  # a slow /api/version (a busy machine)
    pulls_aborted: int = 0
    pull_aborted_event: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_fault(self, path: str) -> Fault | None:
        """Pop one use of a fault registered for `path`."""
        with self.lock:
            for f in self.faults:
                if f.path == path and f.times > 0:
                    f.times -= 1
                    return f
        return None
