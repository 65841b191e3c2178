"""The batch tier in the GUI: 'can wait' in the routing panel, the queued answer, the poller settling the job,
the tray notification, and the Budget page's 'saved by batch' tile."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from router.savings import month_discounts
from tests.fakes.batch_queue import queue_of
from tests.ui.pages_support import open_page
from tests.ui.test_chat import send
from ui.batch_poller import BatchPoller
from ui.widgets.format import money


def test_can_wait_request_goes_to_a_batch_and_lands_with_a_notification(qtbot, qloop, window, facade, fake_openai):
    chat = window.show_page("chat")
    routing = chat.composer.routing
    routing.set_values(model="gpt-4o-mini")
    assert not routing.can_wait.isEnabled()  # only at speed batch
    routing.set_values(speed="batch")
    assert routing.can_wait.isEnabled()
    routing.can_wait.setChecked(True)
    assert routing.values()["can_wait"] is True and "can wait" in routing.summary()
    item = send(qtbot, qloop, chat, "Alt text for a photo of a linen apron on a hook")
    assert item.text.startswith("Queued as batch job 1 on gpt-4o-mini") and item.meta == {"batch_job": 1}
    stored = facade.conversations.messages(chat.conversation_id)[-1]
    assert stored.status == "pending" and stored.content == ""
    shown: list[tuple[str, str]] = []
    window.tray.icon.shown.connect(lambda t, m: shown.append((t, m)))
    poller = BatchPoller(window.controller, interval_ms=10)
    qloop.until(
        lambda: facade.conversations.messages(chat.conversation_id)[-1].status == "ok",
        what="the poller to settle the job",
    )
    poller.timer.stop()
    assert facade.conversations.messages(chat.conversation_id)[-1].content.startswith("Echo: Alt text")
    qloop.until(lambda: shown, what="the tray notification")
    assert shown[0][0] == "Batch job 1 finished" and "1 of 1 answers arrived in conversation" in shown[0][1]
    qloop.until(
        lambda: chat.view.store.items[-1].text.startswith("Echo: Alt text"),
        what="the open conversation to show the answer",
    )
    assert poller.poll() is None  # nothing open any more
    saved = month_discounts(facade.budget.status().month)["batch_saved_usd"]
    assert saved > 0 and len(queue_of(fake_openai).batches) == 1
    page = open_page(qtbot, qloop, "budget", window.controller)
    assert page.t_batch.value.text() == money(saved)
    assert "saved by batch (1 request)" in page.t_batch.caption.text()
    page.grab().save(str(pytest.importorskip("pathlib").Path(facade.data_dir) / "budget-batch.png"))


def test_workflows_page_offers_batch_for_a_list_input_and_the_run_waits(qtbot, qloop, facade, fake_openai):
    from ui.controller import AppController

    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "workflows", controller)
    titles = [page.list.item(i).text() for i in range(page.list.count())]
    page.list.setCurrentRow(titles.index("Catalogue copy"))
    page.set_inputs({"items": "Stoneware mug\nLinen apron\nOak board"})
    page.update_estimate()
    est = page.estimate
    assert est.step("describe").calls == 3 and est.batch_total_usd < est.total_usd
    assert f"~{money(est.batch_total_usd)}</b> through the Batch APIs" in page.est_summary.text()
    assert page.batch_box.isEnabled()
    page.batch_box.setChecked(True)
    page.grab().save(str(facade.data_dir / "workflows-batch.png"))
    qtbot.mouseClick(page.run_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: page.job is None and page.last_result is not None, what="the run to wait")
    assert page.last_result.status == "waiting"
    assert page.run_view.rows["describe"].status.text() == "waiting for its batch job"
    qloop.run(facade.batch.poll_all())
    qloop.run(facade.batch.poll_all())
    run = facade.workflows.result(page.last_result.run_id)
    assert run.status == "done" and len(run.output("describe")) == 3
    controller.app = None


def test_the_gui_retry_choice_reaches_the_batch_job(qtbot, qloop, window, facade, fake_openai, tmp_path, monkeypatch):
    from PIL import Image
    from PySide6.QtWidgets import QFileDialog

    from router.batch import store
    from ui.controller import AppController

    chat = window.show_page("chat")
    routing = chat.composer.routing
    routing.set_values(model="gpt-4o-mini", speed="batch")
    assert not routing.retry.isEnabled()  # only once "can wait" is ticked
    routing.can_wait.setChecked(True)
    routing.retry.set_mode("batch")
    assert routing.values()["batch_retry"] == "batch" and routing.summary().endswith("can wait")
    item = send(qtbot, qloop, chat, "Alt text for a photo of a linen apron on a hook")
    assert item.meta == {"batch_job": 1} and store.get_job(1).retry_mode == "batch"

    folder = tmp_path / "shots"
    folder.mkdir()
    for i, colour in enumerate(("red", "green", "blue")):
        Image.new("RGB", (4, 4), colour).save(folder / f"{i}.png")
    facade.settings.set("task_table", {"image_analysis": ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"]})
    controller = AppController()
    controller.attach(facade)
    page = open_page(qtbot, qloop, "workflows", controller)
    titles = [page.list.item(i).text() for i in range(page.list.count())]
    page.list.setCurrentRow(titles.index("Alt text for a folder of images"))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    qtbot.mouseClick(page.folder_buttons["images"], Qt.MouseButton.LeftButton)
    assert page.inputs() == {"images": f"@{folder}"}
    page.update_estimate()
    assert page.estimate.step("describe").calls == 3 and page.batch_box.isEnabled()
    assert not page.retry_choice.isEnabled()
    page.batch_box.setChecked(True)
    assert page.retry_choice.isEnabled()
    page.retry_choice.set_mode("none")
    page.grab().save(str(facade.data_dir / "workflows-folder.png"))
    qtbot.mouseClick(page.run_btn, Qt.MouseButton.LeftButton)
    qloop.until(lambda: page.job is None and page.last_result is not None, what="the run to wait")
    assert page.last_result.status == "waiting"
    job = store.get_job(2)
    assert job.retry_mode == "none" and job.workflow_run_id == page.last_result.run_id
    assert len(store.items(2)) == 3
    controller.app = None
