"""NVIDIA GPU monitoring through NVML (nvidia-ml-py, imported lazily); never raises when NVML is missing."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

log = logging.getLogger(__name__)

NO_GPU_MESSAGE = "No NVIDIA GPU found — local images run on the CPU (slow)"
_MIB = 1024 * 1024


@dataclass
class GpuProcess:
    """A process holding GPU memory."""

    pid: int
    name: str
    used_mib: int | None  # None where the driver does not say (e.g. Windows WDDM)


@dataclass
class GpuSnapshot:
    """One reading of one GPU."""

    index: int
    name: str
    total_mib: int
    used_mib: int
    free_mib: int
    utilization_pct: int | None = None
    temperature_c: int | None = None
    power_w: float | None = None
    processes: list[GpuProcess] = field(default_factory=list)


@runtime_checkable
class VramSource(Protocol):
    """Anything that can say how much VRAM is free (the arbitration and engine only need this)."""

    def free_mib(self) -> int | None: ...


@dataclass
class FakeVramSource:
    """A VramSource with fixed numbers, for tests and demos; set `free` to simulate other apps."""

    free: int | None
    total: int = 8192

    def free_mib(self) -> int | None:
        """The configured free MiB."""
        return self.free


def _text(value: Any) -> str:
    """NVML strings are bytes on older bindings."""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _process_name(nvml: Any, pid: int) -> str:
    """NVML's name for a pid, else /proc/<pid>/comm, else ""."""
    try:
        name = _text(nvml.nvmlSystemGetProcessName(pid))
        if name:
            return Path(name).name
    except Exception:
        pass
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class GpuMonitor:
    """Reads one NVIDIA GPU with NVML; `available` is False (with `message`) without a driver or GPU."""

    def __init__(self, index: int = 0, nvml: Any = None) -> None:
        self.index = index
        self._nvml = nvml  # a pynvml-compatible module; None = import pynvml lazily
        self._handle: Any = None
        self._ready: bool | None = None
        self._message = ""
        self._lock = threading.Lock()

    def _init(self) -> bool:
        """Initialise NVML once; False (and a message) if it cannot be used."""
        with self._lock:
            if self._ready is not None:
                return self._ready
            try:
                if self._nvml is None:
                    import pynvml

                    self._nvml = pynvml
                self._nvml.nvmlInit()
                if self._nvml.nvmlDeviceGetCount() <= self.index:
                    raise LookupError("no such GPU")
                self._handle = self._nvml.nvmlDeviceGetHandleByIndex(self.index)
                self._ready, self._message = True, ""
            except Exception as exc:
                log.debug("NVML unavailable: %s", exc)
                self._ready, self._message = False, NO_GPU_MESSAGE
            return self._ready

    @property
    def available(self) -> bool:
        """True when an NVIDIA GPU can be read."""
        return self._init()

    @property
    def message(self) -> str:
        """Why there is no GPU reading ("" when available)."""
        self._init()
        return self._message

    def snapshot(self) -> GpuSnapshot | None:
        """Memory, load, temperature, power and processes now; None without a GPU or on a driver error."""
        if not self._init():
            return None
        nv, h = self._nvml, self._handle
        try:
            mem = nv.nvmlDeviceGetMemoryInfo(h)
            name = _text(nv.nvmlDeviceGetName(h))
        except Exception as exc:
            log.debug("NVML read failed: %s", exc)
            return None
        snap = GpuSnapshot(self.index, name, int(mem.total) // _MIB, int(mem.used) // _MIB, int(mem.free) // _MIB)
        snap.utilization_pct = self._try(lambda: int(nv.nvmlDeviceGetUtilizationRates(h).gpu))
        snap.temperature_c = self._try(lambda: int(nv.nvmlDeviceGetTemperature(h, nv.NVML_TEMPERATURE_GPU)))
        snap.power_w = self._try(lambda: round(nv.nvmlDeviceGetPowerUsage(h) / 1000.0, 1))
        snap.processes = self._processes()
        return snap

    @staticmethod
    def _try(read) -> Any:
        """One optional reading (None when unsupported)."""
        try:
            return read()
        except Exception:
            return None

    def _processes(self) -> list[GpuProcess]:
        """Compute and graphics processes with their memory, one entry per pid."""
        nv, h = self._nvml, self._handle
        seen: dict[int, GpuProcess] = {}
        for getter in ("nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetGraphicsRunningProcesses"):
            procs = self._try(lambda g=getter: getattr(nv, g)(h)) or []
            for p in procs:
                pid = int(p.pid)
                used = getattr(p, "usedGpuMemory", None)
                if pid not in seen:
                    seen[pid] = GpuProcess(pid, _process_name(nv, pid), int(used) // _MIB if used else None)
        return sorted(seen.values(), key=lambda p: -(p.used_mib or 0))

    def free_mib(self) -> int | None:
        """Free VRAM in MiB (a VramSource), or None without a GPU."""
        if not self._init():
            return None
        return self._try(lambda: int(self._nvml.nvmlDeviceGetMemoryInfo(self._handle).free) // _MIB)

    def close(self) -> None:
        """Shut NVML down (safe to call when it never started)."""
        with self._lock:
            if self._ready:
                self._try(self._nvml.nvmlShutdown)
            self._ready = None
