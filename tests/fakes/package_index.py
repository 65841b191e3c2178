"""A loopback PEP 503 package index serving tiny fake wheels (torch, diffusers, ...), with HTTP Range support."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FAKE_TORCH = """__version__ = "{version}"


class cuda:
    @staticmethod
    def is_available():
        return False
"""


def build_wheel(folder: Path, name: str, version: str, code: str, padding: int = 0) -> Path:
    """A minimal valid wheel `name-version-py3-none-any.whl` whose package is `code` (+ `padding` bytes of data)."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": code.encode(),
        f"{name}/blob.bin": bytes((i * 7919) % 251 for i in range(padding)),
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: sparklio-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    out = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:  # stored: the padding keeps its size
        for path, data in files.items():
            zf.writestr(path, data)
    return out


def build_fake_gpu_wheels(folder: Path, torch_version: str = "2.14.1", padding: int = 2_000_000) -> list[Path]:
    """torch (big, reports CUDA unavailable), torchvision, diffusers, accelerate, transformers, safetensors, peft,
    spandrel."""
    folder.mkdir(parents=True, exist_ok=True)
    wheels = [build_wheel(folder, "torch", torch_version, FAKE_TORCH.format(version=torch_version), padding)]
    for name, version in (
        ("diffusers", "0.35.0"),
        ("accelerate", "1.0.0"),
        ("transformers", "4.44.0"),
        ("safetensors", "0.4.0"),
        ("torchvision", "0.29.1"),
        ("peft", "0.17.0"),
        ("spandrel", "0.4.0"),
    ):
        wheels.append(build_wheel(folder, name, version, f'__version__ = "{version}"\n'))
    return wheels


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _metadata(wheel: Path) -> bytes:
    """The METADATA file inside a wheel."""
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA")))


class PackageIndex:
    """`/simple/<name>/` pages linking `/files/<wheel>#sha256=...`; records every request and Range header."""

    def __init__(self, wheels: list[Path]) -> None:
        self.files = {w.name: w for w in wheels}
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Range header)
        self.fail_files = False  # answer 503 for wheel downloads (the index pages still work)
        self.chunk_delay_s = 0.0  # > 0: send files in 64 KB pieces with this pause (a slow download to cancel)
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_HEAD(self) -> None:
                index.requests.append(("HEAD", self.path, None))
                self._serve(head=True)

            def do_GET(self) -> None:
                index.requests.append(("GET", self.path, self.headers.get("Range")))
                self._serve(head=False)

            def _serve(self, head: bool) -> None:
                parts = [p for p in self.path.split("?")[0].split("/") if p]
                if len(parts) == 2 and parts[0] == "simple":
                    return self._page(parts[1])
                if len(parts) == 2 and parts[0] == "files" and parts[1].endswith(".metadata"):
                    wheel = index.files.get(parts[1][: -len(".metadata")])
                    if wheel is not None:  # PEP 658: pip reads metadata without fetching the wheel
                        return self._file(_metadata(wheel), head)
                if len(parts) == 2 and parts[0] == "files" and parts[1] in index.files:
                    if index.fail_files and not head:
                        self.send_response(503)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return None
                    return self._file(index.files[parts[1]].read_bytes(), head)
                self.send_error(404)
                return None

            def _page(self, project: str) -> None:
                links = [
                    f'<a href="/files/{n}#sha256={_sha(p.read_bytes())}" '
                    f'data-dist-info-metadata="sha256={_sha(_metadata(p))}" '
                    f'data-core-metadata="sha256={_sha(_metadata(p))}">{n}</a>'
                    for n, p in index.files.items()
                    if n.split("-")[0].lower() == project.lower()
                ]
                if not links:
                    self.send_error(404)
                    return
                body = ("<!DOCTYPE html><html><body>" + "<br>".join(links) + "</body></html>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _file(self, data: bytes, head: bool) -> None:
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes=") and not head:
                    start = int(rng[6:].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()
                if head:
                    return
                step = 64 * 1024 if index.chunk_delay_s else len(data)
                for at in range(start, len(data), step or 1):
                    self.wfile.write(data[at : at + step])
                    time.sleep(index.chunk_delay_s)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PackageIndex:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def simple(self) -> str:
        """The index URL to give pip."""
        return f"{self.url}/simple"


if __name__ == "__main__":  # packaging/build.sh: `python -m tests.fakes.package_index FOLDER` serves until killed
    import sys

    with PackageIndex(build_fake_gpu_wheels(Path(sys.argv[1]))) as served:
        print(served.simple, flush=True)
        while True:
            time.sleep(3600)
