"""A folder of images as a bulk workflow input: parsing, and the alt_text workflow live and through a batch (CLI)."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import pytest
from PIL import Image

from router.cli import main as cli_main
from router.errors import SparklioError
from router.workflows import bulk
from router.workflows.bulk import MAX_ITEMS, parse_items
from tests.conftest import make_cloud_app

COLOURS = ("red", "green", "blue")


def png_folder(folder: Path, n: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"{i:03d}_{COLOURS[i % 3]}.png"
        Image.new("RGB", (4 + i % 3, 4), COLOURS[i % 3]).save(path)
        paths.append(path)
    return paths


def test_a_folder_yields_its_images_sorted_and_skips_the_rest(tmp_path):
    pngs = png_folder(tmp_path / "shots")
    Image.new("RGB", (4, 4), "white").save(tmp_path / "shots" / "photo.JPG", format="JPEG")
    (tmp_path / "shots" / "notes.txt").write_text("not an image")
    (tmp_path / "shots" / "fake.png").write_text("text with a .png name")
    (tmp_path / "shots" / "sub").mkdir()
    items = parse_items(f"@{tmp_path / 'shots'}", "images")
    assert items == [str(p.resolve()) for p in pngs] + [str((tmp_path / "shots" / "photo.JPG").resolve())]


def test_an_empty_folder_or_one_without_images_is_one_clear_line(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SparklioError) as err:
        parse_items(f"@{tmp_path / 'empty'}", "images")
    assert str(err.value) == "input 'images' (folder empty) has no images (PNG, JPEG, WebP or GIF)"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("a")
    (tmp_path / "docs" / "b.png").write_bytes(b"")
    with pytest.raises(SparklioError) as err:
        parse_items(f"@{tmp_path / 'docs'}", "images")
    assert str(err.value).endswith("has no images (PNG, JPEG, WebP or GIF) (2 non-image file(s) skipped)")


def test_a_folder_over_the_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_ITEMS", 2)
    png_folder(tmp_path / "many", 3)
    with pytest.raises(SparklioError) as err:
        parse_items(f"@{tmp_path / 'many'}", "images")
    assert str(err.value) == (
        "input 'images' (folder many) has more than 2 images; at most 2 per run (split the folder)"
    )
    assert MAX_ITEMS == 500


def _sent_images(requests) -> list[str]:
    urls = []
    for r in requests:
        for m in r.json["messages"]:
            if isinstance(m["content"], list):
                urls += [p["image_url"]["url"] for p in m["content"] if p.get("type") == "image_url"]
    return urls


def test_cli_alt_text_over_a_folder_live_and_through_a_batch(data_dir, memory_keyring, fake_openai, tmp_path, capsys):
    pngs = png_folder(tmp_path / "shots")
    (tmp_path / "shots" / "readme.txt").write_text("skip me")
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    app.settings.set("task_table", {"image_analysis": ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"]})
    asyncio.run(app.aclose())
    base = ["--data-dir", str(data_dir)]
    folder = f"images=@{tmp_path / 'shots'}"
    assert cli_main(base + ["workflow", "estimate", "alt_text", "--input", folder, "--json"]) == 0
    est = json.loads(capsys.readouterr().out)
    [step] = est["steps"]
    assert step["calls"] == 3 and step["model"] == "gpt-4o-mini"
    assert 0 < est["batch_total_usd"] < est["total_usd"]

    assert cli_main(base + ["workflow", "run", "alt_text", "--input", folder, "--json"]) == 0
    run = json.loads(capsys.readouterr().out)
    assert run["status"] == "done"
    chats = [r for r in fake_openai.requests if r.path == "/v1/chat/completions"]
    assert len(chats) == 3
    expected = [f"data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}" for p in pngs]
    assert sorted(_sent_images(chats)) == sorted(expected)  # one image per call, each image once
    outputs = next(s for s in run["steps"] if s["step_id"] == "describe")["output"]
    assert len(outputs) == 3 and all(o.startswith("Echo: ") for o in outputs)

    assert (
        cli_main(
            base + ["workflow", "run", "alt_text", "--input", folder, "--batch", "--batch-retry", "none", "--json"]
        )
        == 0
    )
    waiting = json.loads(capsys.readouterr().out)
    assert waiting["status"] == "waiting" and "3 item(s) sent as batch job 1" in waiting["message"]
    assert cli_main(base + ["batch", "wait", "1", "--interval", "0.01", "--json"]) == 0
    [job] = json.loads(capsys.readouterr().out)
    assert job["status"] == "done" and job["counts"] == {"ok": 3} and job["retry_mode"] == "none"
    assert cli_main(base + ["workflow", "show", str(waiting["run_id"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "done"
    upload = next(r for r in fake_openai.requests if r.path == "/v1/files")
    assert all(url in upload.body.decode("utf-8", "replace") for url in expected)  # the images went in the batch

    assert cli_main(base + ["workflow", "run", "alt_text", "--input", f"images=@{tmp_path / 'none'}"]) == 1
    assert (
        capsys.readouterr().err.strip() == f"sparklio: error: input 'images': file {tmp_path / 'none'} does not exist"
    )


async def test_a_workflow_batch_with_dont_retry_fails_the_step_keeping_the_answers(
    data_dir, memory_keyring, fake_openai, tmp_path
):
    from tests.fakes.batch_queue import queue_of

    (tmp_path / "items.csv").write_text("name\nStoneware mug\nOak board FAILME\nGlazed bowl FAILME\n")
    app = make_cloud_app(data_dir, memory_keyring, openai=fake_openai)
    app.settings.set("task_table", {"copywriting_standard": ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"]})
    try:
        queue_of(fake_openai).fail_prompts = {"FAILME"}
        result = await app.workflows.run("catalogue_copy", {"items": f"@{tmp_path / 'items.csv'}#name"}, batch="none")
        assert result.status == "waiting", result.message
        await app.batch.poll_all()
        await app.batch.poll_all()
        run = app.workflows.result(result.run_id)
        assert run.status == "failed" and "2 batch item(s) failed and were not retried, as chosen" in run.message
        assert run.step("describe").output == ["Echo: Product: Stoneware mug", None, None]
        assert not any(r.path == "/v1/chat/completions" for r in fake_openai.requests)  # nothing sent live
    finally:
        await app.aclose()
