"""`sparklio image` (routed, priced image generation with a step bar) and `sparklio config sd-model PATH`."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from pathlib import Path

from router.errors import SparklioError

_SIZE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")
BAR_WIDTH = 24


def parse_size(text: str) -> str:
    """"512x768" (also 512X768, 512×768) -> "512x768"; SparklioError otherwise."""
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


def _params(args) -> dict:
    """Keyword arguments for app.generate_image from the flags (Stable Diffusion ones only when given)."""
    kw: dict = {"size": parse_size(args.size) if args.size else None, "n": args.count}
    if not 1 <= args.count <= 8:
        raise SparklioError(f"--count must be between 1 and 8 (got {args.count})")
    if args.steps is not None:
        kw["steps"] = args.steps
    if args.seed is not None:
        if args.seed < 0:
            raise SparklioError(f"--seed must be a whole number from 0 (got {args.seed})")
        kw["seed"] = args.seed
    if args.sampler:
        from local_models.diffusion import normalize_scheduler  # torch-free at import

        kw["scheduler"] = normalize_scheduler(args.sampler)
    if args.negative:
        kw["negative_prompt"] = args.negative
    return kw


async def _generate(app, prompt: str, args, bar: StepBar):
    from router.app import implied_task

    kw = _params(args)
    model = app.catalog.get(args.model) if args.model else None
    if model is not None and model.kind != "image":
        raise SparklioError(f"{model.id} is a {model.kind} model: choose an image model (see `sparklio models`)")
    task = implied_task(model) or "image_generation_bulk"
    size = kw.pop("size") or ("512x512" if model is None or model.local else "1024x1024")
    if model is None or model.local:  # check the Stable Diffusion settings before anything runs
        from local_models.diffusion import GenerationParams
        from router.cli.studio_cmds import lora_request

        prompt, loras = lora_request(app, prompt, args.lora)
        if loras:
            kw["loras"] = loras
        w, h = (int(x) for x in size.split("x"))
        GenerationParams(prompt, width=w, height=h, steps=kw.get("steps", 25), seed=kw.get("seed"),
                         batch=args.count).validated()
    return await app.generate_image(prompt, task=task, model=args.model, size=size, on_step=bar, **kw)


def cmd_image(app, args) -> int:
    """Generate images, save them to the gallery (or --out), print their paths."""
    from local_models.gallery import gallery_dir, save_to_gallery
    from router.cli import print_json
    from router.cli.core_cmds import _read_prompt

    prompt = _read_prompt(args.prompt)
    asyncio.run(app.refresh_local(timeout=0.5))
    bar = StepBar()
    started = time.perf_counter()
    try:
        spec, result = asyncio.run(_generate(app, prompt, args, bar))
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    for img in result.images:
        img.params.setdefault("prompt", prompt)
        img.params.setdefault("negative_prompt", args.negative or "")
        img.params["catalog_model"] = spec.id
    out = Path(args.out).expanduser() if args.out else gallery_dir(app.data_dir)
    rows = save_to_gallery(result.images, out)
    cost = spec.cost(result.usage)
    first = result.images[0].params if result.images else {}
    facts = {"model": spec.id, "size": result.usage.image_size or first.get("size", ""), "steps": first.get("steps"),
             "seconds": round(seconds, 1), "seed": first.get("seed"), "cost_usd": round(cost, 6),
             "images": [{"path": r.path, "seed": img.params.get("seed")} for r, img in zip(rows, result.images)]}
    if args.json:
        print_json(facts)
        return 0
    for r in rows:
        print(r.path)
    print(image_summary(spec.id, facts, cost), file=sys.stderr)
    return 0


def image_summary(model: str, facts: dict, cost: float) -> str:
    """"— stable-diffusion · 512x512 · 25 steps · 41.2 s · seed 7 · $0.0000": the image footer line."""
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


def cmd_config(app, args) -> int:
    """Show or set configuration the GUI keeps in Settings (model path, LoRA folder, upscaler model)."""
    if args.key != "sd-model":
        key = CONFIG_KEYS[args.key]
        if args.value is not None:
            clear = args.value.strip().lower() in ("", "none", "-")
            app.settings.set(key, "" if clear else args.value)  # validates: one-line SparklioError
        print(app.settings.get(key) or "(not set)")
        return 0
    if args.value is None:
        path = app.settings.get("sd_model_path") or ""
        problem = app.registry.sd_problem()
        print(path or "(not set)")
        if problem and path:
            print(f"sparklio: {problem}", file=sys.stderr)
        return 0
    value = "" if args.value.strip().lower() in ("", "none", "-") else args.value
    stored = app.settings.set("sd_model_path", value)  # validates: one-line SparklioError when unusable
    print(f"Stable Diffusion model: {stored}" if stored else "Stable Diffusion model: not set (local images off)")
    return 0


def register(sub) -> None:
    """Add `image` and `config` to the CLI."""
    p = sub.add_parser("image", help="generate images (routed and priced; a step bar on a terminal)",
                       description="Generate images with the image rows' models (local Stable Diffusion first "
                                   "for bulk, or the --model you pin). PNG paths go to stdout, progress and the "
                                   "summary line to stderr. `sparklio image upscale PATH --factor 2` "
                                   "upscales an image.")
    p.add_argument("prompt", help="what to draw (use - to read it from stdin)")
    p.add_argument("--model", help="image model id (e.g. stable-diffusion, dall-e-3)")
    p.add_argument("--size", metavar="WxH", help="image size (default 512x512 locally, 1024x1024 in the cloud)")
    p.add_argument("--steps", type=int, help="denoising steps (local models)")
    p.add_argument("--seed", type=int, help="seed for a repeatable image (local models)")
    p.add_argument("--sampler", help="euler, euler_a, ddim, dpm++ 2m or pndm (local models)")
    p.add_argument("--negative", metavar="TEXT", help="what to avoid (local models)")
    p.add_argument("--count", type=int, default=1, help="how many images (1-8)")
    p.add_argument("--out", metavar="DIR", help="write the PNGs here (default: the gallery folder)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    from router.cli.studio_cmds import add_image_flags

    add_image_flags(p)
    p.set_defaults(func=cmd_image)
    p = sub.add_parser("config", help="show or set configuration (sd-model, lora-folder, upscaler PATH)")
    p.add_argument("key", choices=list(CONFIG_KEYS), help="sd-model: the Stable Diffusion folder or checkpoint; "
                   "lora-folder: where your LoRAs are; upscaler: an ESRGAN-family model file")
    p.add_argument("value", nargs="?", help="new value (validated); `none` clears it")
    p.set_defaults(func=cmd_config)
