"""Finished runs assembled into deliverables and exported (folder, ZIP, `workflow run --out`), files checked."""

from __future__ import annotations

import asyncio
import csv
import json
import zipfile

import pytest
from PIL import Image

from router.errors import ConfigError, SparklioError
from router.store.models import LlmUsage
from router.workflows.deliverables import assemble, title_from
from router.workflows.export import export_run, write_folder
from router.workflows.model import parse_workflow
from tests.conftest import make_cloud_app


async def test_sns_post_set_becomes_five_post_cards_and_exports(engine, tmp_path):
    result = await engine.run("sns_post_set", {"brief": "Spring launch of our oat-milk latte", "platform": "TikTok"})
    d = assemble(result)
    assert d.kind == "posts" and len(d.posts) == 5
    assert [p.caption.split(":")[0] for p in d.posts] == [f"Caption {i}" for i in range(1, 6)]
    assert all(p.platform == "TikTok" and p.hashtags[0] == "#oatlatte" for p in d.posts)
    assert [p.image for p in d.posts] == [i["path"] for i in result.output("images")]
    assert d.posts[0].text().endswith(" ".join(d.posts[0].hashtags))
    files = write_folder(result, tmp_path / "out")
    names = {p.relative_to(tmp_path / "out").as_posix() for p in files}
    assert {"result.md", "result.html", "posts.csv", "manifest.json"} <= names
    pngs = sorted(n for n in names if n.endswith(".png"))
    assert len(pngs) == 5 and all(Image.open(tmp_path / "out" / n).size == (64, 64) for n in pngs)
    md = (tmp_path / "out" / "result.md").read_text()
    assert md.count("![Post") == 5 and "(images/images_1.png)" in md and "#oatlatte" in md
    rows = list(csv.reader((tmp_path / "out" / "posts.csv").open()))
    assert rows[0] == ["post", "platform", "caption", "hashtags", "image"] and len(rows) == 6
    assert rows[1][4] == "images/images_1.png"
    man = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert man["cost_usd"] == pytest.approx(result.cost_usd, abs=1e-6)
    answered = {
        r.model for r in LlmUsage.select().where(LlmUsage.workflow_run_id == result.run_id, LlmUsage.outcome == "ok")
    }
    assert "stable-diffusion" in man["models"] and set(man["models"]) == answered  # the models that answered
    seeds = [i["seed"] for i in next(s for s in man["steps"] if s["id"] == "images")["images"]]
    assert len(seeds) == 5 and all(isinstance(s, int) for s in seeds)
    assert len(man["calls"]) == LlmUsage.select().where(LlmUsage.workflow_run_id == result.run_id).count()
    with pytest.raises(SparklioError, match="not an empty folder"):
        write_folder(result, tmp_path / "out")


async def test_blog_post_becomes_an_article_and_a_zip(engine, tmp_path):
    result = await engine.run("blog_post", {"topic": "Baking sourdough at home", "keywords": "sourdough"})
    d = assemble(result)
    assert d.kind == "article" and d.image and d.body.startswith("## Why sourdough")
    assert d.title and not d.title.startswith(("#", "Working title"))
    assert "<h2>Why sourdough" in d.html() and d.notes.startswith("SEO title")
    z = export_run(result, tmp_path / "blog.zip")
    with zipfile.ZipFile(z) as zf:
        names = set(zf.namelist())
        assert {"result.md", "result.html", "manifest.json", "images/image_1.png"} <= names
        assert "![Featured image](images/image_1.png)" in zf.read("result.md").decode()


async def test_storyboard_becomes_a_shot_list_with_frames(engine):
    result = await engine.run("storyboard", {"idea": "A bakery wakes up before the city does"})
    d = assemble(result)
    assert [s.index for s in d.shots] == [1, 2, 3, 4] and all(s.image for s in d.shots)
    assert d.shots[0].text.startswith("Scene 1") and d.body
    assert d.table()[0] == ["shot", "description", "frame"]


def test_result_table_is_validated():
    base = 'name="x"\n[[steps]]\nid="a"\ntask="chat_response"\nprompt="hi"\n'
    wf = parse_workflow(base + '[result]\nkind="report"\nsections=["a"]\n', "x.toml", {"chat_response"})
    assert wf.result == {"kind": "report", "sections": ["a"]}
    with pytest.raises(ConfigError, match="result kind must be one of"):
        parse_workflow(base + '[result]\nkind="poster"\n', "x.toml", {"chat_response"})
    with pytest.raises(ConfigError, match="result.body must name steps"):
        parse_workflow(base + '[result]\nkind="article"\nbody="nope"\n', "x.toml", {"chat_response"})


def test_title_from_outline():
    assert title_from("**Working title:** Sourdough at home\nPromise", "x") == "Sourdough at home"
    assert title_from("# Sourdough\n", "x") == "Sourdough"
    assert title_from("", "fallback") == "fallback"


def test_cli_run_out_and_export(data_dir, memory_keyring, servers, tmp_path, capsys):
    from router.cli import main

    setup = make_cloud_app(
        data_dir, memory_keyring, openai=servers["openai"], anthropic=servers["anthropic"], gemini=servers["google"]
    )
    asyncio.run(setup.aclose())
    base = ["--data-dir", str(data_dir), "workflow"]
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    args = ["run", "storyboard", "--input", "idea=A bakery at dawn", "--quiet"]
    assert main(base + args + ["--out", str(busy)]) == 1
    assert "not an empty folder" in capsys.readouterr().err
    assert (busy / "keep.txt").read_text() == "mine"
    assert main(base + args + ["--out", str(tmp_path / "story"), "--json"]) == 0
    run = json.loads(capsys.readouterr().out)
    assert (tmp_path / "story" / "shots.csv").read_text().count("images/frames_") == 4
    man = json.loads((tmp_path / "story" / "manifest.json").read_text())
    frames = {r.model for r in LlmUsage.select().where(LlmUsage.workflow_run_id == run["run_id"], LlmUsage.images > 0)}
    assert man["run_id"] == run["run_id"] and frames and frames <= set(man["models"])  # the image model is listed
    assert main(base + ["export", str(run["run_id"]), str(tmp_path / "again.zip")]) == 0
    assert zipfile.is_zipfile(tmp_path / "again.zip")
    assert main(base + ["export", "999", str(tmp_path / "x")]) == 1
    assert "does not exist" in capsys.readouterr().err
