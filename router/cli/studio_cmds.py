"""Image studio CLI: `sparklio image upscale PATH --factor 2`, `--lora NAME[:WEIGHT]` for `sparklio image`."""

from __future__ import annotations

import sys
from pathlib import Path

from router.errors import SparklioError

UPSCALE_COMMAND = "image-upscale"  # what `image upscale` is parsed as


def alias_argv(argv: list[str]) -> list[str]:
    """`… image upscale …` -> `… image-upscale …` (only when `image` is the command, after the global options)."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] == "--data-dir" else 1
    if argv[i:i + 2] == ["image", "upscale"]:
        return argv[:i] + [UPSCALE_COMMAND] + argv[i + 2:]
    return argv


def parse_lora_flag(text: str) -> tuple[str, float]:
    """"ink" -> ("ink", 1.0); "ink:0.7" -> ("ink", 0.7); SparklioError otherwise."""
    name, _, weight = text.rpartition(":") if ":" in text and not text.endswith(":") else (text, "", "1")
    try:
        return (name or text).strip(), float(weight or 1)
    except ValueError:
        raise SparklioError(f"--lora must look like NAME or NAME:WEIGHT (got {text!r})") from None


def lora_request(app, prompt: str, flags: list[str]) -> tuple[str, list[tuple[str, float]]]:
    """(prompt without `<lora:…>` tags, [(file path, weight)]) from the tags and --lora flags."""
    from local_models.lora import resolve, split_tags

    clean, tags = split_tags(prompt)
    folder = app.settings.get("lora_folder") or ""
    wanted = dict(tags + [parse_lora_flag(f) for f in flags])
    return clean, [resolve(folder, name, weight) for name, weight in wanted.items()]


def cmd_upscale(app, args) -> int:
    """Upscale an image 2x/4x (upscaler model when set, else the hires fix) into the gallery or --out."""
    from local_models.gallery import gallery_dir, save_to_gallery
    from local_models.upscale import check_factor, read_image, upscale
    from router.cli import print_json

    factor = check_factor(args.factor)
    read_image(args.path)  # a bad file is reported before any model loads
    model = None if args.hires else (args.upscaler or app.settings.get("upscaler_path") or None)
    engine = None
    if model is None:
        from local_models.upscale import NEEDS_MODEL, UpscaleError

        if not app.settings.get("sd_model_path"):
            raise UpscaleError(NEEDS_MODEL)
        engine = app.registry.get("local_sd").ready_engine()
    img = upscale(args.path, factor, model_path=model, engine=engine, lora_folder=app.settings.get("lora_folder"))
    img.params["source"] = str(Path(args.path).expanduser().absolute())
    out = Path(args.out).expanduser() if args.out else gallery_dir(app.data_dir)
    row = save_to_gallery([img], out)[0]
    facts = {"path": row.path, "size": f"{img.params['width']}x{img.params['height']}",
             "upscaler": img.params["upscaler"], "factor": factor}
    if args.json:
        print_json(facts)
        return 0
    print(row.path)
    print(f"— {facts['size']} · {factor}x with {facts['upscaler']}", file=sys.stderr)
    return 0


def add_image_flags(p) -> None:
    """--lora on `sparklio image`."""
    p.add_argument("--lora", action="append", default=[], metavar="NAME[:WEIGHT]",
                   help="apply a LoRA from the LoRA folder (repeatable; `<lora:name:0.8>` in the prompt works too)")


def register(sub) -> None:
    """Add `image upscale` (parsed as image-upscale)."""
    p = sub.add_parser(UPSCALE_COMMAND, help="upscale an image 2x or 4x (`sparklio image upscale PATH`)",
                       description="Upscale an image 2x or 4x: with the upscaler model file from Settings "
                                   "(ESRGAN family) when set, else a tiled img2img hires fix with the Stable "
                                   "Diffusion model. The new PNG goes to the gallery (or --out).")
    p.add_argument("path", help="the image file (PNG, JPEG or WebP)")
    p.add_argument("--factor", type=int, default=2, help="2 or 4 (default 2)")
    p.add_argument("--upscaler", metavar="FILE", help="an ESRGAN-family .pth/.safetensors (default: the setting)")
    p.add_argument("--hires", action="store_true", help="use the hires fix even when an upscaler model is set")
    p.add_argument("--out", metavar="DIR", help="write the PNG here (default: the gallery folder)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_upscale)
