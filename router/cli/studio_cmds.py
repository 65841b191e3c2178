"""Image studio CLI: `sparklio image upscale PATH --factor 2`, `--lora NAME[:WEIGHT]` for `sparklio image`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from router.cli.common import Session, json_flag, pass_session, print_json
from router.errors import SparklioError

UPSCALE_COMMAND = "image-upscale"  # what `image upscale` is parsed as


def alias_argv(argv: list[str]) -> list[str]:
    """`… image upscale …` -> `… image-upscale …` (only when `image` is the command, after the global options)."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] == "--data-dir" else 1
    if argv[i : i + 2] == ["image", "upscale"]:
        return argv[:i] + [UPSCALE_COMMAND] + argv[i + 2 :]
    return argv


def parse_lora_flag(text: str) -> tuple[str, float]:
    """ "ink" -> ("ink", 1.0); "ink:0.7" -> ("ink", 0.7); SparklioError otherwise."""
    name, _, weight = text.rpartition(":") if ":" in text and not text.endswith(":") else (text, "", "1")
    try:
        return (name or text).strip(), float(weight or 1)
    except ValueError:
        raise SparklioError(f"--lora must look like NAME or NAME:WEIGHT (got {text!r})") from None


def lora_request(app, prompt: str, flags: list[str]) -> tuple[str, list[tuple[str, float]]]:
    """(prompt without `<lora:…>` tags, [(file path, weight)]) from the tags and --lora flags."""
    from local_models.lora import resolve
    from router.gallery import split_tags

    clean, tags = split_tags(prompt)
    folder = app.settings.lora_folder
    wanted = dict(tags + [parse_lora_flag(f) for f in flags])
    return clean, [resolve(folder, name, weight) for name, weight in wanted.items()]


@click.command(UPSCALE_COMMAND)
@click.argument("path")
@click.option("--factor", type=click.Choice(["2", "4"]), default="2", show_default=True, help="2 or 4")
@click.option("--upscaler", metavar="FILE", help="an ESRGAN-family .pth/.safetensors (default: the setting)")
@click.option("--hires", is_flag=True, help="use the hires fix even when an upscaler model is set")
@click.option("--out", metavar="DIR", help="write the PNG here (default: the gallery folder)")
@json_flag
@pass_session
def upscale_command(
    session: Session, path: str, factor: str, upscaler: str | None, hires: bool, out: str | None, as_json: bool
) -> int:
    """Upscale an image 2x or 4x (`sparklio image upscale PATH`).

    With the upscaler model file from Settings (ESRGAN family) when set, else a tiled img2img hires fix with the
    Stable Diffusion model. PATH is a PNG, JPEG or WebP file; the new PNG goes to the gallery (or --out).
    """
    from router.gallery import gallery_dir, save_to_gallery

    app = session.app
    times = int(factor)
    model = None if hires else (upscaler or app.settings.upscaler_path or None)
    img = app.registry.get("local_sd").upscale_image(
        path, times, upscaler_path=model, lora_folder=app.settings.lora_folder or None
    )
    img.params["source"] = str(Path(path).expanduser().absolute())
    folder = Path(out).expanduser() if out else gallery_dir(app.data_dir)
    row = save_to_gallery([img], folder)[0]
    facts = {
        "path": row.path,
        "size": f"{img.params['width']}x{img.params['height']}",
        "upscaler": img.params["upscaler"],
        "factor": times,
    }
    if as_json:
        print_json(facts)
        return 0
    print(row.path)
    print(f"— {facts['size']} · {times}x with {facts['upscaler']}", file=sys.stderr)
    return 0


lora_option = click.option(
    "--lora",
    multiple=True,
    metavar="NAME[:WEIGHT]",
    help="apply a LoRA from the LoRA folder (repeatable; `<lora:name:0.8>` in the prompt too)",
)

COMMANDS = (upscale_command,)
