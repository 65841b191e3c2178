"""Images page queue and gallery on the real page: cloud jobs on the fake OpenAI server, local jobs on tiny SD."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.ui.conftest import close_window, make_window
from tests.ui.pages_support import open_page
from ui.controller import AppController


def images_page(qtbot, qloop, facade):
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "images", controller)
    page.studio.model.setCurrentIndex(page.studio.model.findData("gpt-image-2"))
    return page


def queue_prompts(qtbot, page, *prompts: str) -> None:
    for p in prompts:
        page.studio.prompt.setPlainText(p)
        qtbot.mouseClick(page.studio.generate_btn, Qt.MouseButton.LeftButton)


def sent_prompts(fake) -> list[str]:
    return [r.json["prompt"] for r in fake.requests if r.path == "/v1/images/generations"]


def shown(page) -> list[str]:
    return [page.queue.list.item(i).text() for i in range(page.queue.list.count())]


def test_queue_runs_jobs_in_order_and_cancels_one(qtbot, qloop, facade, fake_openai):
    page = images_page(qtbot, qloop, facade)
    queue_prompts(qtbot, page, "one", "two", "three")
    assert [j.prompt for j in page.queue.queue.jobs] == ["one", "two", "three"]
    assert shown(page)[:2] == ["▶  running · one", "•  queued · two"]
    assert page.queue.overall_text.text() == "0 of 3 done"
    page.queue.select(page.queue.queue.jobs[1].id)
    qtbot.mouseClick(page.queue.cancel_btn, Qt.MouseButton.LeftButton)  # a queued job: removed
    assert [j.prompt for j in page.queue.queue.jobs] == ["one", "three"]
    qloop.until(lambda: not page.busy_generating() and page.gallery.list.count() == 2, what="two images")
    assert sent_prompts(fake_openai) == ["one", "three"]
    assert page.queue.overall_text.text() == "2 of 2 done" and page.queue.overall.value() == 1000
    assert shown(page) == ["✓  done · one", "✓  done · three"]
    page.controller.app = None


def test_queue_reorder_then_cancel_running_and_cancel_all(qtbot, qloop, facade, fake_openai):
    page = images_page(qtbot, qloop, facade)
    queue_prompts(qtbot, page, "alpha", "beta", "gamma", "delta")
    jobs = page.queue.queue.jobs
    page.queue.select(jobs[3].id)
    assert page.queue.up_btn.isEnabled()
    qtbot.mouseClick(page.queue.up_btn, Qt.MouseButton.LeftButton)  # delta before gamma
    assert [j.prompt for j in page.queue.queue.jobs] == ["alpha", "beta", "delta", "gamma"]
    assert page.queue.selected().prompt == "delta"
    rows = page.queue.list  # a drag: Qt moves the row (gamma to the second place), then the list reports the order
    rows.insertItem(1, rows.takeItem(3))
    rows.reordered.emit(rows.ids())
    assert [j.prompt for j in page.queue.queue.jobs] == ["alpha", "gamma", "beta", "delta"]
    rows.insertItem(0, rows.takeItem(2))  # a drop above the running job: it keeps its place
    rows.reordered.emit(rows.ids())
    assert [j.prompt for j in page.queue.queue.jobs] == ["alpha", "beta", "gamma", "delta"]
    assert (
        shown(page)[0].startswith("▶")
        and rows.item(0).flags() & Qt.ItemFlag.ItemIsDragEnabled == Qt.ItemFlag.NoItemFlags
    )
    qloop.until(lambda: not page.busy_generating(), what="the queue")
    assert sent_prompts(fake_openai) == ["alpha", "beta", "gamma", "delta"]
    # cancel the running job through the preview's Cancel: the next one starts
    queue_prompts(qtbot, page, "stop me", "keep me")
    qtbot.mouseClick(page.preview.cancel_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: not page.busy_generating(), what="the queue")
    states = [(j.prompt, j.state) for j in page.queue.queue.jobs]
    assert states == [("stop me", "cancelled"), ("keep me", "done")]
    assert sent_prompts(fake_openai)[-1] == "keep me" and "stop me" not in sent_prompts(fake_openai)
    # cancel all: nothing more is sent
    before = len(sent_prompts(fake_openai))
    queue_prompts(qtbot, page, "x", "y", "z")
    assert page.queue.cancel_all_btn.isEnabled()
    qtbot.mouseClick(page.queue.cancel_all_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: not page.busy_generating(), what="the emptied queue")
    qloop.spin(0.1)
    assert [(j.prompt, j.state) for j in page.queue.queue.jobs] == [("x", "cancelled")]
    assert len(sent_prompts(fake_openai)) == before and not page.queue.cancel_all_btn.isEnabled()
    page.controller.app = None


def order(page) -> list[str]:
    return [j.prompt for j in page.queue.queue.jobs]


def test_queue_reorder_with_ctrl_arrows_and_the_buttons(qtbot, qloop, facade, fake_openai):
    page = images_page(qtbot, qloop, facade)
    queue_prompts(qtbot, page, "one", "two", "three", "four")
    rows = page.queue.list
    page.queue.select(page.queue.queue.jobs[3].id)
    rows.setFocus()
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(rows, Qt.Key.Key_Up, ctrl)
    qtbot.keyClick(rows, Qt.Key.Key_Up, ctrl)
    assert order(page) == ["one", "four", "two", "three"] and page.queue.selected().prompt == "four"
    assert shown(page)[1] == "•  queued · four"  # the list shows the new order, the moved job still selected
    qtbot.keyClick(rows, Qt.Key.Key_Up, ctrl)  # the running job keeps its place
    assert order(page) == ["one", "four", "two", "three"]
    qtbot.keyClick(rows, Qt.Key.Key_Down)  # a plain arrow only moves the selection
    assert order(page) == ["one", "four", "two", "three"] and page.queue.selected().prompt == "two"
    qtbot.keyClick(rows, Qt.Key.Key_Down, ctrl)  # two after three
    assert order(page) == ["one", "four", "three", "two"]
    page.queue.select(page.queue.queue.jobs[2].id)
    qtbot.mouseClick(page.queue.down_btn, Qt.MouseButton.LeftButton)  # three after two
    assert order(page) == ["one", "four", "two", "three"]
    qtbot.mouseClick(page.queue.down_btn, Qt.MouseButton.LeftButton)  # already last: stays
    assert order(page) == ["one", "four", "two", "three"]
    qloop.until(lambda: not page.busy_generating(), what="the queue")
    assert sent_prompts(fake_openai) == ["one", "four", "two", "three"]  # the run order is the new order
    page.controller.app = None


def test_local_variations_progress_and_gallery_captions_filter_copy(qtbot, qloop, facade, tmp_path):
    from local_models.tiny_pipeline import build_tiny_pipeline

    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "images", controller)
    st = page.studio
    st.model.setCurrentIndex(st.model.findData("stable-diffusion"))
    st.set_model_path(str(build_tiny_pipeline(tmp_path / "tiny")))
    st.prompt.setPlainText("a red cat")
    st.size.setCurrentText("64x64")
    st.steps.setValue(3)
    st.random_seed.setChecked(False)
    st.seed.setValue(42)
    page.queue.variations.setValue(3)
    overall = []
    page.queue.overall.valueChanged.connect(overall.append)
    qtbot.mouseClick(st.generate_btn, Qt.MouseButton.LeftButton)
    assert [j.params["seed"] for j in page.queue.queue.jobs] == [42, 43, 44]
    qloop.until(lambda: not page.busy_generating(), timeout=120, what="three local images")
    jobs = page.queue.queue.jobs
    assert [(j.state, j.step, j.total) for j in jobs] == [("done", 3, 3)] * 3, [j.message for j in jobs]
    assert any(0 < v < 1000 for v in overall) and overall[-1] == 1000  # per-step overall progress
    qloop.until(lambda: page.gallery.list.count() == 3, what="the gallery")
    captions = [page.gallery.list.item(i).text() for i in range(3)]
    assert all(
        c.startswith("a red cat\nseed ") and c.endswith(" · tiny") for c in captions
    )  # the weights folder's name
    assert sorted(c.split("seed ", 1)[1].split(" ")[0] for c in captions) == ["42", "43", "44"]
    # filter by prompt and by model
    page.gallery.filter.setText("no such words")
    qloop.until(lambda: page.gallery.list.count() == 0 and page.gallery.empty.isVisible(), what="filtered out")
    assert "matches" in page.gallery.empty.text()
    page.gallery.filter.setText("")
    qloop.until(lambda: page.gallery.list.count() == 3, what="the filter cleared")
    model = next(iter(page.gallery.rows.values())).model
    page.gallery.filter.setText(model[:6])
    qloop.until(lambda: page.gallery.list.count() == 3, what="filtered by model")
    # copy settings: the PNG's A1111 text on the clipboard
    page.gallery.list.setCurrentRow(0)
    qtbot.mouseClick(page.gallery.buttons["Copy settings"], Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text()
    seed = page.gallery.current().seed
    assert text.startswith("a red cat\n") and "Steps: 3" in text and f"Seed: {seed}" in text and "Size: 64x64" in text
    controller.app = None


def test_queue_survives_page_switch_and_gallery_attaches_to_chat(qtbot, qloop, facade, fake_openai):
    win = make_window(qtbot, qloop, facade)
    try:
        page = win.show_page("images")
        qloop.until(lambda: page.studio.model.count() > 0, what="the studio")
        page.studio.model.setCurrentIndex(page.studio.model.findData("gpt-image-2"))
        queue_prompts(qtbot, page, "first", "second")
        win.show_page("chat")
        qloop.until(lambda: not page.busy_generating(), what="the queue while the chat shows")
        assert win.show_page("images") is page
        assert [(j.prompt, j.state) for j in page.queue.queue.jobs] == [("first", "done"), ("second", "done")]
        qloop.until(lambda: page.gallery.list.count() == 2, what="the gallery")
        page.gallery.list.setCurrentRow(0)
        row = page.gallery.current()
        page.gallery.context_menu(page.gallery.list.visualItemRect(page.gallery.list.item(0)).center()).close()
        qtbot.mouseClick(page.gallery.buttons["Attach to chat"], Qt.MouseButton.LeftButton)
        assert win.current_key == "chat"
        composer = win.page("chat").composer
        assert [a.data for a in composer.attachments] == [Path(row.path).read_bytes()]
        assert composer.hint.text() == "1 image attached"
        QGuiApplication.clipboard().clear()
        win.show_page("images")
        page.gallery.copy_settings()  # a cloud image: no PNG chunk, built from the recorded parameters
        text = QGuiApplication.clipboard().text()
        assert text.startswith("second\n") and "Size: 1024x1024" in text and "CFG" not in text
    finally:
        close_window(win)


def test_queued_jobs_survive_a_killed_session_and_wait_for_run_queue(qtbot, qloop, facade, fake_openai):
    from router.image_queue_store import load_jobs

    page = images_page(qtbot, qloop, facade)
    queue_prompts(qtbot, page, "kept one", "kept two", "kept three")
    page.job.cancel()  # the process dies mid-job: no finish, nothing cleaned up
    assert [p for p, _, _ in load_jobs()] == ["kept one", "kept two", "kept three"]
    page.controller.app = None
    again = images_page(qtbot, qloop, facade)  # the next session's Images page
    assert [(j.prompt, j.state) for j in again.queue.queue.jobs] == [
        ("kept one", "queued"),
        ("kept two", "queued"),
        ("kept three", "queued"),
    ]
    assert again.queue.overall_text.text() == "3 job(s) kept from your last session"
    assert again.queue.run_btn.isVisible() and not again.busy_generating()  # paused
    qloop.spin(0.2)
    assert sent_prompts(fake_openai) == []  # nothing runs until asked
    qtbot.mouseClick(again.queue.run_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: all(j.state == "done" for j in again.queue.queue.jobs), what="the restored jobs")
    assert sent_prompts(fake_openai) == ["kept one", "kept two", "kept three"] and load_jobs() == []
    assert not again.queue.run_btn.isVisible()
    again.controller.app = None
