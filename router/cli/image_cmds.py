"""`sparklio image` (routed, priced image generation with a step bar) and `sparklio config sd-model PATH`."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import click

from router.cli.common import Session, json_flag, pass_session, print_json, read_prompt
from router.cli.studio_cmds import lora_option
from router.errors import SparklioError
from router.types import ImageJobHooks

_SIZE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")
BAR_WIDTH = 24


def parse_size(text: str) -> str:
    """ "512x768" (also 512X768, 512×768) -> "512x768"; SparklioError otherwise."""
    m = _SIZE.match(text or "")
    if not m:
        raise SparklioError(f"--size must look like 512x512 (got {text!r})")
    return f"{int(m.group(1))}x{int(m.group(2))}"


class StepBar:
    """A one-line step progress bar on stderr (only on a terminal); called from the diffusion worker thread."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, step: int, total: int, _preview: bytes | None = None) -> None:
        if not self.live or total <= 0:
            return
        done = int(BAR_WIDTH * step / total)
        rate = step / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(f"\r[{'#' * done}{'-' * (BAR_WIDTH - done)}] step {step}/{total} · {rate:.2f} it/s ")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the bar's line."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def _params(flags: dict[str, Any]) -> dict:
    """Keyword arguments for app.generate_image from the flags (Stable Diffusion ones only when given)."""
    count = flags["count"]
    kw: dict = {"size": parse_size(flags["size"]) if flags["size"] else None, "n": count}
    if not 1 <= count <= 8:
        raise SparklioError(f"--count must be between 1 and 8 (got {count})")
    if flags["steps"] is not None:
        kw["steps"] = flags["steps"]
    if flags["seed"] is not None:
        if flags["seed"] < 0:
            raise SparklioError(f"--seed must be a whole number from 0 (got {flags['seed']})")
        kw["seed"] = flags["seed"]
    if flags["sampler"]:
        from local_models.diffusion import normalize_scheduler  # torch-free at import

        kw["scheduler"] = normalize_scheduler(flags["sampler"])
    if flags["negative"]:
        kw["negative_prompt"] = flags["negative"]
    return {**kw, **_edit_params(flags)}


def _edit_params(flags) -> dict:
    """source / mask bytes and strength from --source, --mask, --strength (one-line errors for bad files)."""
    from router.image_edit import check_edit_inputs, read_edit_file

    if flags["source"] is None:
        if flags["mask"] or flags["strength"] is not None:
            raise SparklioError("--mask and --strength need --source (the image to edit)")
        return {}
    kw: dict = {"source": read_edit_file(flags["source"])}
    if flags["mask"]:
        kw["mask"] = read_edit_file(flags["mask"], "mask")
    check_edit_inputs(kw["source"], kw.get("mask"))
    if flags["strength"] is not None:
        if not 0.0 < flags["strength"] <= 1.0:
            raise SparklioError(f"--strength must be above 0 and at most 1 (got {flags['strength']})")
        kw["strength"] = flags["strength"]
    return kw


def _default_size(model, source: bytes | None) -> str:
    """512x512 locally (the source's aspect for edits), 1024x1024 in the cloud."""
    if model is not None and not model.local:
        return "1024x1024"
    if source is None:
        return "512x512"
    from router.image_edit import check_image_bytes, local_size_for

    return local_size_for(*check_image_bytes(source), longest=768)


async def _generate(app, prompt: str, flags: dict[str, Any], bar: StepBar):
    from router.app import implied_task

    kw = _params(flags)
    model = app.catalog.get(flags["model"]) if flags["model"] else None
    if model is not None and model.kind != "image":
        raise SparklioError(f"{model.id} is a {model.kind} model: choose an image model (see `sparklio models`)")
    task = implied_task(model) or "image_generation_bulk"
    size = kw.pop("size") or _default_size(model, kw.get("source"))
    if model is None or model.local:  # check the Stable Diffusion settings before anything runs
        from local_models.diffusion import GenerationParams
        from router.cli.studio_cmds import lora_request

        prompt, loras = lora_request(app, prompt, list(flags.get("lora") or ()))
        if loras:
            kw["loras"] = loras
        w, h = (int(x) for x in size.split("x"))
        GenerationParams(
            prompt,
            width=w,
            height=h,
            steps=kw.get("steps", 25),
            seed=kw.get("seed"),
            batch=flags["count"],
            source=kw.get("source"),
            mask=kw.get("mask"),
            strength=kw.get("strength", 0.75),
        ).validated()
    return await app.generate_image(
        prompt, task=task, model=flags["model"], size=size, hooks=ImageJobHooks(on_step=bar), **kw
    )


@click.command()
@click.argument("prompt")
@click.option("--model", help="image model id (e.g. stable-diffusion, dall-e-3)")
@click.option("--size", metavar="WxH", help="image size (default 512x512 locally, 1024x1024 in the cloud)")
@click.option("--steps", type=int, help="denoising steps (local models)")
@click.option("--seed", type=int, help="seed for a repeatable image (local models)")
@click.option("--sampler", help="euler, euler_a, ddim, dpm++ 2m or pndm (local models)")
@click.option("--negative", metavar="TEXT", help="what to avoid (local models)")
@click.option("--source", metavar="PATH", help="edit this image (image to image; inpaint with --mask)")
@click.option(
    "--mask", metavar="PATH", help="inpaint mask, same size as --source: white = repaint (or transparent = repaint)"
)
@click.option("--strength", type=float, help="how much to change the source, 0-1 (local models; default 0.75)")
@lora_option
@click.option("--count", type=int, default=1, show_default=True, help="how many images (1-8)")
@click.option("--out", metavar="DIR", help="write the PNGs here (default: the gallery folder)")
@json_flag
@pass_session
def image(session: Session, prompt: str, as_json: bool, **flags: Any) -> int:
    """Generate images (routed and priced; a step bar on a terminal).

    Generate images with the image rows' models (local Stable Diffusion first for bulk, or the --model you pin).
    PROMPT is what to draw (use - to read it from stdin). PNG paths go to stdout, progress and the summary line
    to stderr. `sparklio image upscale PATH --factor 2` upscales an image.
    """
    prompt = read_prompt(prompt)

    async def generate(app) -> int:
        await app.refresh_local(timeout=0.5)
        bar = StepBar()
        started = time.perf_counter()
        try:
            spec, result = await _generate(app, prompt, flags, bar)
        finally:
            bar.close()
        _report(app, prompt, flags, spec, result, time.perf_counter() - started, as_json)
        return 0

    return session.run(generate)


def _report(app, prompt: str, flags: dict[str, Any], spec, result, seconds: float, as_json: bool) -> None:
    """Save the images to the gallery (or --out) and print their paths and the summary line."""
    from router.gallery import gallery_dir, save_to_gallery

    for img in result.images:
        img.params.setdefault("prompt", prompt)
        img.params.setdefault("negative_prompt", flags["negative"] or "")
        img.params["catalog_model"] = spec.id
    out = Path(flags["out"]).expanduser() if flags["out"] else gallery_dir(app.data_dir)
    rows = save_to_gallery(result.images, out)
    cost = spec.cost(result.usage)
    first = result.images[0].params if result.images else {}
    facts = {
        "model": spec.id,
        "size": result.usage.image_size or first.get("size", ""),
        "steps": first.get("steps"),
        "seconds": round(seconds, 1),
        "seed": first.get("seed"),
        "cost_usd": round(cost, 6),
        "images": [{"path": r.path, "seed": img.params.get("seed")} for r, img in zip(rows, result.images)],
    }
    if as_json:
        print_json(facts)
        return
    for r in rows:
        print(r.path)
    print(image_summary(spec.id, facts, cost), file=sys.stderr)


def image_summary(model: str, facts: dict, cost: float) -> str:
    """ "— stable-diffusion · 512x512 · 25 steps · 41.2 s · seed 7 · $0.0000": the image footer line."""
    parts = [model, facts.get("size") or ""]
    if facts.get("steps"):
        parts.append(f"{facts['steps']} steps")
    if facts.get("seconds"):
        parts.append(f"{float(facts['seconds']):.1f} s")
    if facts.get("seed") is not None:
        parts.append(f"seed {facts['seed']}")
    parts.append(f"${cost:.4f}")
    return "— " + " · ".join(p for p in parts if p)


CONFIG_KEYS = {"sd-model": "sd_model_path", "lora-folder": "lora_folder", "upscaler": "upscaler_path"}


@click.command()
@click.argument("key", type=click.Choice(list(CONFIG_KEYS)))
@click.argument("value", required=False)
@pass_session
def config(session: Session, key: str, value: str | None) -> int:
    """Show or set configuration (sd-model, lora-folder, upscaler PATH).

    KEY sd-model is the Stable Diffusion folder or checkpoint, lora-folder where your LoRAs are, upscaler an
    ESRGAN-family model file; VALUE is the new value (validated), `none` clears it.
    """
    app = session.app
    if key != "sd-model":
        name = CONFIG_KEYS[key]
        if value is not None:
            clear = value.strip().lower() in ("", "none", "-")
            app.settings.set(name, "" if clear else value)  # validates: one-line SparklioError
        print(app.settings.get(name) or "(not set)")
        return 0
    if value is None:
        path = app.settings.sd_model_path
        problem = app.registry.sd_problem()
        print(path or "(not set)")
        if problem and path:
            print(f"sparklio: {problem}", file=sys.stderr)
        return 0
    value = "" if value.strip().lower() in ("", "none", "-") else value
    stored = app.settings.set("sd_model_path", value)  # validates: one-line SparklioError when unusable
    print(f"Stable Diffusion model: {stored}" if stored else "Stable Diffusion model: not set (local images off)")
    return 0


COMMANDS = (image, config)
