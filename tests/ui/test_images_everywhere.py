"""Images asked for in the chat (pinned image model, image footer, 'Regenerate with…' image models), GPU notices,
and the Stable Diffusion path refused on the Images page."""

from __future__ import annotations

from PySide6.QtCore import Qt

from router.events import AppEvent
from tests.ui.pages_support import open_page
from ui.chat.items import ChatItem, footer_html
from ui.controller import AppController
from ui.theme import LIGHT


def send(qtbot, qloop, chat, text: str):
    qtbot.keyClicks(chat.composer.edit, text)
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return)
    qloop.until(lambda: chat.task is not None and chat.task.done(), timeout=60, what="the answer")
    return chat.view.store.items[-1]


def test_pinned_image_model_in_the_composer_draws_and_the_footer_says_so(
    qtbot, qloop, chat, facade, fake_openai, tmp_path
):
    from local_models.tiny_pipeline import build_tiny_pipeline

    facade.settings.set("sd_model_path", str(build_tiny_pipeline(tmp_path / "tiny")))
    facade.events.publish(AppEvent("catalog_changed"))
    chat._catalog_changed()
    menu = chat.composer.routing.model
    labels = {menu.itemData(i): menu.itemText(i) for i in range(menu.count())}
    assert labels["gpt-image-2"].endswith("— image") and labels["stable-diffusion"].endswith("— image")
    assert labels["dall-e-3"].endswith("(unavailable)")  # retired on 2026-05-12
    menu.setCurrentIndex(menu.findData("gpt-image-2"))
    item = send(qtbot, qloop, chat, "a red cat on a blue sofa")
    assert item.status == "ok" and item.model == "gpt-image-2", item.text
    assert "![a red cat on a blue sofa](file://" in item.text
    footer = footer_html(item, LIGHT)
    assert "1024×1024" in footer and "$0.03" in footer and "tok" not in footer
    chat.view.activate(item, "regen:")
    offered = [a.text() for a in chat._menu.actions()]
    chat._menu.hide()
    images = {m.name: m for m in facade.catalog if m.kind == "image" and m.id != "dall-e-3"}
    assert len(offered) == len(images) >= 2  # every other image model, no chat model
    assert f"{images['Stable Diffusion (local)'].name} — free, on this machine" in offered
    assert "GPT Image 1 — $0.04 per image" in offered
    stored = facade.conversations.messages(chat.conversation_id)[-1]
    assert stored.meta_dict["image"]["size"] == "1024x1024"  # reopened later, the footer is the same


def test_local_image_footer_shows_size_steps_seconds_seed():
    item = ChatItem(
        "assistant",
        "![cat](file:///x.png)",
        id=7,
        model="stable-diffusion",
        meta={
            "cost_usd": 0.0,
            "latency_ms": 41800.0,
            "usage": {"input_tokens": 0, "output_tokens": 0},
            "image": {"size": "512x512", "steps": 25, "seconds": 41.2, "seed": 7, "count": 1},
        },
    )
    footer = footer_html(item, LIGHT)
    for fact in ("512×512", "25 steps", "41.2 s", "seed 7", "$0"):
        assert fact in footer
    assert "tok" not in footer and "41.8 s" not in footer


def test_gpu_notice_reaches_the_status_bar_and_the_answer(qtbot, qloop, window, facade):
    text = "Unloading qwen2.5:7b from the GPU to make room for image generation (~4.3 GiB needed, 0.8 GiB free)"
    facade.events.publish(AppEvent("gpu_notice", "GPU", text))
    assert window.statusBar().currentMessage() == text
    item = ChatItem(
        "assistant",
        "Hi",
        id=3,
        model="qwen2.5",
        meta={"notices": ["Moving the image model off the GPU to make room for the local chat model"]},
    )
    assert "Moving the image model off the GPU" in footer_html(item, LIGHT)


def test_images_page_refuses_a_bad_path_and_says_why_sd_is_off(qtbot, qloop, facade, tmp_path):
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "images", controller)
    st = page.studio
    st.model.setCurrentIndex(st.model.findData("stable-diffusion"))
    assert st.why.text().startswith("Not available now: no Stable Diffusion model chosen")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    said = []
    controller.message.connect(lambda level, text: said.append((level, text)))  # the one message bridge
    st.set_model_path(str(notes))
    assert said == [("error", "notes.txt is not a model: choose a Diffusers folder, or a .safetensors or .ckpt file")]
    assert facade.settings.get("sd_model_path") == "" and st.path.text() == ""
    controller.app = None


def test_local_chat_in_the_window_says_the_image_model_stepped_aside(qtbot, qloop, data_dir, memory_keyring, tmp_path):
    from local_models.gpu import GpuMonitor
    from local_models.sd_provider import LocalDiffusionProvider
    from local_models.tiny_pipeline import build_tiny_pipeline
    from router.app import Sparklio
    from tests.fakes.nvml import FakeNvml, ollama_vram_mib
    from tests.fakes.ollama_server import FakeOllama
    from tests.test_arbitration_live import PretendGpuEngine
    from tests.ui.conftest import close_window, make_window

    with FakeOllama() as ollama:
        sd = LocalDiffusionProvider(base_url=build_tiny_pipeline(tmp_path / "tiny"), engine=PretendGpuEngine())
        app = Sparklio(data_dir, keyring=memory_keyring, env={}, provider_overrides={"local_sd": sd})
        app.settings.set("endpoints", {"ollama": ollama.url})
        app.settings.set("exploration_rate", 0.0)
        app.registry.arbiter.gpu = GpuMonitor(nvml=FakeNvml(8192, lambda: ollama_vram_mib(ollama) + sd.vram_held_mib()))
        win = make_window(qtbot, qloop, app)
        try:
            qloop.run(app.refresh_local())
            qloop.run(app.generate_image("a red cat", model="stable-diffusion", size="64x64", steps=2), timeout=120)
            sd.engine.mode = "gpu_fp16"  # as after a full-speed generation on a real GPU
            chat = win.show_page("chat")
            chat._catalog_changed()
            chat.composer.routing.model.setCurrentIndex(chat.composer.routing.model.findData("qwen2.5"))
            item = send(qtbot, qloop, chat, "Say hi")
            assert item.status == "ok" and item.model == "qwen2.5", item.text
            said = "Moving the image model off the GPU to make room for the local chat model"
            assert len(item.meta["notices"]) == 1 and item.meta["notices"][0].startswith(said)
            assert said in footer_html(item, LIGHT)
            assert win.statusBar().currentMessage().startswith(said)
            assert sd.engine.mode == "parked"
        finally:
            close_window(win)
            qloop.run(app.aclose())


def test_images_page_unloads_ollama_first_and_says_so(qtbot, qloop, data_dir, memory_keyring, tmp_path):
    from local_models.gpu import GpuMonitor
    from local_models.tiny_pipeline import build_tiny_pipeline
    from router.app import Sparklio
    from tests.fakes.nvml import FakeNvml, ollama_vram_mib
    from tests.fakes.ollama_server import FakeOllama

    with FakeOllama() as ollama:
        for name in ("qwen2.5:7b", "llama3.2:3b"):
            ollama.state.loaded[name] = float("inf")
        app = Sparklio(data_dir, keyring=memory_keyring, env={})
        app.settings.set("endpoints", {"ollama": ollama.url})
        app.settings.set("sd_model_path", str(build_tiny_pipeline(tmp_path / "tiny")))
        app.registry.arbiter.gpu = GpuMonitor(nvml=FakeNvml(8192, lambda: ollama_vram_mib(ollama)))
        controller = AppController()
        controller.attach(app)
        try:
            page = open_page(qtbot, qloop, "images", controller)
            st = page.studio
            st.model.setCurrentIndex(st.model.findData("stable-diffusion"))
            st.prompt.setPlainText("a red cat")
            st.size.setCurrentText("64x64")
            st.steps.setValue(2)
            qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
            qloop.until(lambda: not page.busy_generating(), timeout=120, what="the local image")
            lines = page.preview.message.text().splitlines()
            assert lines[0] == "1 image(s) from Stable Diffusion (local) · $0 (local)"
            assert len(lines) == 2 and lines[1].startswith("Unloading qwen2.5:7b from the GPU")
            assert ollama.loaded() == {"llama3.2:3b"}
        finally:
            controller.app = None
            qloop.run(app.aclose())
