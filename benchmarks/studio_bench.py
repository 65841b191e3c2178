"""Image studio overhead on the tiny pipeline on the CPU: the app's LoRA, hires-fix and ESRGAN paths vs bare
diffusers / spandrel doing the same work on the same weights (target: <= 3 % each). Writes one JSON of figures.

Usage: python benchmarks/studio_bench.py [--repeats 7] [--size 128] [--steps 10] [--out FILE]

Each pair runs interleaved (app, bare, app, bare, ...) after a warm-up, single-threaded torch; the figure is the
median-to-median ratio of this process's CPU time (wall-clock is reported beside it: on a machine shared with other
work its noise is larger than the differences measured here). Both sides do the same work the user gets, from the same input to the same kind of output:
- LoRA generate: prompt -> PNG bytes. The app writes the PNG with its A1111 `parameters` chunk, so the bare side
  saves its image with PIL too (`PIL_PNG`); only the parameters text is the app's extra work.
- Hires fix 2x: a PNG file's bytes -> PNG bytes. The bare side opens the same PNG with PIL, resizes, runs
  img2img and saves the result with PIL, as the app does (the app also reads and writes the parameters).
- ESRGAN 2x: PIL image -> PIL image (the model pass and tiling only): neither side encodes a PNG.
- Control: the bare hires fix against itself; its "overhead" is the measurement's noise on this machine.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


PIL_PNG = {"format": "PNG"}  # PIL's defaults, as `router.gallery.png_bytes` uses them


def _png(image: object) -> bytes:
    """What a bare diffusers user does with the image: save it as a PNG with PIL."""
    buf = io.BytesIO()
    image.save(buf, **PIL_PNG)  # type: ignore[attr-defined]
    return buf.getvalue()


def _pair(app: Callable[[], object], bare: Callable[[], object], repeats: int) -> dict:
    """Median seconds of each, interleaved, and the app's overhead in percent: on this process's CPU time (the
    headline: with torch on one thread all the work is this thread's, and other processes' load barely moves it)
    and on wall-clock time (which a shared machine's load does move)."""
    app(), bare()  # warm-up
    cpu: dict[str, list[float]] = {"app": [], "bare": []}
    wall: dict[str, list[float]] = {"app": [], "bare": []}
    for _ in range(repeats):
        for name, fn in (("app", app), ("bare", bare)):
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            cpu[name].append(time.process_time() - c0)
            wall[name].append(time.perf_counter() - w0)
    a, b = statistics.median(cpu["app"]), statistics.median(cpu["bare"])
    wa, wb = statistics.median(wall["app"]), statistics.median(wall["bare"])
    return {
        "app_cpu_s": round(a, 4),
        "bare_cpu_s": round(b, 4),
        "overhead_pct": round(100 * (a - b) / b, 2),
        "app_wall_s": round(wa, 4),
        "bare_wall_s": round(wb, 4),
        "wall_overhead_pct": round(100 * (wa - wb) / wb, 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    import torch
    from PIL import Image

    from local_models.diffusion import GenerationParams, SdPipelineHost, route_library_logs
    from local_models.tiny_pipeline import build_tiny_pipeline
    from local_models.tiny_studio import build_tiny_esrgan, build_tiny_lora
    from local_models.upscale import HIRES_STRENGTH, load_upscaler, model_upscale, upscale

    torch.set_num_threads(1)
    route_library_logs()
    tmp = Path(tempfile.mkdtemp(prefix="studio-bench-"))
    lora = build_tiny_lora(tmp / "ink.safetensors")
    engine = SdPipelineHost(device="cpu", preview_every=0)
    engine.load(build_tiny_pipeline(tmp / "sd"))
    pipe = engine._pipe  # the same weights for the bare calls
    size, steps = args.size, args.steps
    params = GenerationParams(
        "a red cat", width=size, height=size, steps=steps, seed=1, scheduler="ddim", loras=((str(lora), 0.8),)
    )
    out: dict = {"size": size, "steps": steps, "repeats": args.repeats, "torch_threads": 1}

    def bare_lora() -> object:
        image = pipe(
            prompt="a red cat",
            width=size,
            height=size,
            num_inference_steps=steps,
            guidance_scale=7.0,
            generator=torch.Generator("cpu").manual_seed(1),
            output_type="pil",
        ).images[0]
        return _png(image)

    engine.generate(params)  # loads the adapter once; both sides then run with it active (ddim set by the engine)
    out["lora"] = _pair(lambda: engine.generate(params), bare_lora, args.repeats)

    src = engine.generate(GenerationParams("a red cat", width=size, height=size, steps=steps, seed=1))[0].png
    from diffusers import AutoPipelineForImage2Image

    img2img = AutoPipelineForImage2Image.from_pipe(pipe)
    img2img.set_progress_bar_config(disable=True)
    src_image = Image.open(io.BytesIO(src)).convert("RGB")

    def bare_hires() -> object:
        with Image.open(io.BytesIO(src)) as im:
            big = im.convert("RGB").resize((size * 2, size * 2), Image.LANCZOS)
        image = img2img(
            prompt="a red cat",
            image=big,
            strength=HIRES_STRENGTH,
            num_inference_steps=20,
            guidance_scale=7.0,
            width=big.width,
            height=big.height,
            generator=torch.Generator("cpu").manual_seed(1),
        ).images[0]
        return _png(image)

    out["hires_fix_one_tile"] = _pair(lambda: upscale(src, 2, engine=engine, tile=size * 2), bare_hires, args.repeats)
    out["control_bare_vs_bare"] = _pair(bare_hires, bare_hires, args.repeats)  # the noise floor: same work twice
    esrgan = build_tiny_esrgan(tmp / "x2.safetensors", scale=2)
    model = load_upscaler(esrgan)

    def bare_esrgan() -> object:
        import numpy as np

        arr = torch.from_numpy(np.asarray(src_image, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
        with torch.inference_mode():
            res = model(arr)[0].clamp(0, 1).permute(1, 2, 0).numpy()
        return Image.fromarray((res * 255).round().astype(np.uint8), "RGB")

    out["esrgan_model_path"] = _pair(lambda: model_upscale(src_image, model, 2, tile=size), bare_esrgan, args.repeats)
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
