"""Render every page of the app to PNG (light and dark) from a seeded demo database, offscreen.

    .venv/bin/python docs/make_screenshots.py [--out docs/screenshots] [--theme both|light|dark]

The data is router/demo.py's month (seed 7, "now" = 24 Nov 2026 15:00 local). API keys are fake values in an
in-memory keyring, Ollama is the fake server from tests/fakes (the real HTTP API on 127.0.0.1), and Stable
Diffusion is a tiny randomly initialised pipeline, so the Models, Images and Workflows pages show what a
machine with Ollama and a local SD model sees. Nothing leaves the machine. Each PNG is 1100x720,
quantised to a palette and optimised to stay well under 150 KB.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 24, 15, 0).timestamp()
SIZE = (1100, 720)
PAGES = ("chat", "images", "workflows", "models", "stats", "budget", "settings")
MAX_BYTES = 150_000


def memory_keyring():
    """A real keyring backend that keeps the demo's fake keys in memory."""
    from tests.fakes.keyring import MemoryKeyring

    return MemoryKeyring()


def save_png(image, path: Path) -> int:
    """Save a QImage as a palette PNG (UI pixels quantise well); returns the file size."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    pil = Image.open(io.BytesIO(bytes(buf.data()))).convert("RGB")
    if pil.size != SIZE:
        pil = pil.resize(SIZE, Image.Resampling.LANCZOS)
    for colors in (256, 128, 64):
        q = pil.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = io.BytesIO()
        q.save(out, "PNG", optimize=True)
        if out.tell() <= MAX_BYTES:
            break
    path.write_bytes(out.getvalue())
    return out.tell()


async def wait_loaded(page, timeout: float = 10.0) -> None:
    """Until a page built on ui.widgets.page.PageBase has loaded (other pages: a short pause)."""
    busy = getattr(page, "busy", None)
    deadline = time.monotonic() + timeout
    await asyncio.sleep(0.15)
    while callable(busy) and busy() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.25)


def fake_ollama_loaded(app) -> bool:
    """True when Ollama answered (the fake server is up)."""
    return bool(getattr(app.registry, "ollama_reachable", False))


async def stage(key: str, page, app) -> None:
    """Put a page in a state worth showing."""
    if key == "chat" and hasattr(page, "open_conversation"):
        convs = app.conversations.list()
        first = next((c for c in convs if c.title.startswith("Launch copy")), convs[0] if convs else None)
        if first is not None:
            page.open_conversation(first.id)
    elif key == "workflows" and hasattr(page, "list"):
        for i in range(page.list.count()):
            if page.list.item(i).text() == "SNS post set":
                page.list.setCurrentRow(i)
        page.set_inputs({"brief": "Spring linen collection: breathable, natural colours, 15% off until Sunday"})
        page.update_estimate()
    elif key == "models" and hasattr(page, "ollama") and fake_ollama_loaded(app):
        await page.ollama.mgr(app).load("qwen2.5:7b")
        page.refresh()
    elif key == "images" and hasattr(page, "studio"):
        st = page.studio
        st.prompt.setPlainText("A ceramic mug on a linen tablecloth, soft morning light, minimal, photo")
        st.batch.setValue(2)


async def render_theme(app, dark: bool, out: Path, scratch: Path) -> list[tuple[str, int]]:
    """Build a main window in one theme and grab every page."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ui import theme
    from ui.controller import AppController
    from ui.main_window import MainWindow

    qapp = QApplication.instance()
    theme.install(theme.Theme(dark=dark)).apply(qapp)
    controller = AppController()
    qs = QSettings(str(scratch / f"window-{'dark' if dark else 'light'}.ini"), QSettings.Format.IniFormat)
    win = MainWindow(controller, qs)
    win.resize(*SIZE)
    win.show()
    controller.attach(app)
    await asyncio.sleep(0.3)
    made = []
    for key in PAGES:
        page = win.show_page(key)
        await wait_loaded(page)
        await stage(key, page, app)
        await wait_loaded(page)
        path = out / f"{key}-{'dark' if dark else 'light'}.png"
        made.append((path.name, save_png(win.grab().toImage(), path)))
    win._quitting = True
    win.tray.hide()
    controller.app = None
    win.close()
    win.deleteLater()
    await asyncio.sleep(0.05)
    return made


def scripted_servers():
    """Loopback fakes of OpenAI, Anthropic and Gemini that answer each workflow step briefly (no filler)."""
    from tests.fakes.anthropic_server import FakeAnthropic
    from tests.fakes.gemini_server import FakeGemini
    from tests.fakes.openai_server import FakeOpenAI
    from tests.workflow_fakes import scripted_reply

    class Brief:
        def reply_for(self, prompt: str) -> str:
            body = scripted_reply(prompt).split("\n\n")[0]
            return (
                body
                if body != "Done as asked."
                else ("Fresh bread, baked before sunrise — taste the morning. Come early, leave happy.")
            )

    return [type(f"Brief{c.__name__}", (Brief, c), {})().start() for c in (FakeOpenAI, FakeAnthropic, FakeGemini)]


async def render_extras(app, out: Path) -> list[tuple[str, int]]:
    """The assembled SNS post set and a two-model Compare (light theme), against loopback fakes."""
    from PySide6.QtWidgets import QApplication

    from router.workflows.runner import WorkflowRunner
    from tests.conftest import catalog_api_models
    from ui import theme
    from ui.chat.compare import CompareDialog
    from ui.controller import AppController
    from ui.pages.workflow_results import ResultView

    theme.install(theme.Theme(dark=False)).apply(QApplication.instance())
    servers = scripted_servers()
    for srv, name in zip(servers, ("openai", "anthropic", "google")):
        srv.models = catalog_api_models(name)
    before = app.settings.get("endpoints")
    app.secrets.set("google", "demo-google-key")
    app.settings.set(
        "endpoints",
        {**before, "openai": servers[0].base_url, "anthropic": servers[1].base_url, "google": servers[2].url},
    )
    made = []
    try:
        engine = WorkflowRunner(app, image_overrides={"size": "64x64", "steps": 2})
        result = await engine.run("sns_post_set", {"brief": "Spring linen collection, 15% off until Sunday"})
        from PySide6.QtWidgets import QScrollArea

        view = ResultView()
        view.show_result(result)
        area = QScrollArea()  # as on the Workflows page: the cards keep their size, the page scrolls
        area.setWidgetResizable(True)
        area.setWidget(view)
        area.resize(*SIZE)
        area.show()
        await asyncio.sleep(0.3)
        path = out / "workflow-result-light.png"
        made.append((path.name, save_png(area.grab().toImage(), path)))
        area.close()
        controller = AppController()
        controller.attach(app)
        dlg = CompareDialog(controller, "Write a one-line tagline for a neighbourhood bakery")
        dlg.resize(*SIZE)
        dlg.show()
        dlg.set_models(["gpt-4o-mini", "claude-haiku-4.5"])
        await dlg.send()
        await asyncio.sleep(0.3)
        path = out / "compare-light.png"
        made.append((path.name, save_png(dlg.grab().toImage(), path)))
        dlg.close()
        controller.app = None
    finally:
        app.settings.set("endpoints", before)
        for srv in servers:
            srv.stop()
    return made


async def render_images_queue(app, out: Path) -> list[tuple[str, int]]:
    """The Images page with real jobs in its queue: tiny local SD variations, done, running and queued (light)."""
    from PySide6.QtWidgets import QApplication

    from ui import theme
    from ui.controller import AppController
    from ui.pages.images import ImagesPage

    theme.install(theme.Theme(dark=False)).apply(QApplication.instance())
    controller = AppController()
    controller.attach(app)
    page = ImagesPage(controller)
    page.resize(*SIZE)
    page.show()
    page.refresh()
    await wait_loaded(page)
    st = page.studio
    st.model.setCurrentIndex(st.model.findData("stable-diffusion"))
    st.size.setCurrentText("64x64")
    st.steps.setValue(4)
    st.random_seed.setChecked(False)
    st.seed.setValue(1234)
    for prompt, n in (
        ("A ceramic mug on a linen tablecloth, soft morning light", 3),
        ("The same mug on a wooden shelf, evening light", 2),
    ):
        st.prompt.setPlainText(prompt)
        page.queue.variations.setValue(n)
        page.generate()
    jobs = page.queue.queue.jobs
    while jobs[1].state != "done" or jobs[2].step < 2:
        await asyncio.sleep(0.01)
    page.stack.currentWidget().ensureWidgetVisible(page.queue, 0, 0)
    await asyncio.sleep(0.2)
    path = out / "images-queue-light.png"
    made = [(path.name, save_png(page.grab().toImage(), path))]
    page.cancel_all()
    await asyncio.sleep(0.3)
    page.close()
    controller.app = None
    return made


async def main(out: Path, themes: list[str]) -> list[tuple[str, int]]:
    """Seed, open the facade, render each theme."""
    from router.app import Sparklio
    from router.demo import seed_demo

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sparklio-shots-") as tmp:
        data = Path(tmp) / "data"
        seed_demo(data, seed=7, now=NOW)
        app = Sparklio.open(data, keyring=memory_keyring(), env={})
        app.budget.clock = lambda: NOW
        app.secrets.set("openai", "sk-demo-not-a-real-key-7f3a")
        app.secrets.set("anthropic", "sk-ant-demo-not-a-real-key-91c2")
        from local_models.tiny_pipeline import build_tiny_pipeline

        # A real (tiny, randomly initialised) Stable Diffusion model, so local image steps route to it.
        app.settings.set("sd_model_path", str(build_tiny_pipeline(Path(tmp) / "tiny-sd")))
        fake = None
        try:
            from tests.fakes.ollama_server import FakeOllama

            fake = FakeOllama().start()
            app.settings.set("endpoints", {"ollama": fake.url})
            await app.refresh_local()
        except ImportError:
            pass
        made = []
        try:
            for name in themes:
                made += await render_theme(app, name == "dark", out, Path(tmp))
            if "light" in themes:
                made += await render_extras(app, out)
                made += await render_images_queue(app, out)
        finally:
            await app.aclose()
            if fake is not None:
                fake.stop()
    return made


def run() -> int:
    """Command-line entry."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--theme", choices=("both", "light", "dark"), default="both")
    args = ap.parse_args()
    themes = ["light", "dark"] if args.theme == "both" else [args.theme]
    import qasync
    from PySide6.QtWidgets import QApplication

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        made = loop.run_until_complete(main(args.out, themes))
    for name, size in made:
        print(f"{name:28s} {size / 1000:6.1f} KB")
    too_big = [n for n, s in made if s > MAX_BYTES]
    if too_big:
        print(f"over {MAX_BYTES // 1000} KB: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run())
