"""A workflow image step for one item: generate its image(s) (variations), then upscale each one on this machine
when the step asks (`upscale = 2|4`) through the studio's own upscale path (the local_sd provider)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from router.errors import SparklioError
from router.pricing import call_cost
from router.types import RouteRequest
from router.workflows.estimate import image_size_for, step_complexity, step_messages
from router.workflows.model import StepSpec
from router.workflows.upscaling import upscale_file, upscaler_for

MAX_IMAGE_PROMPT_CHARS = 4000


async def item_images(
    app: Any, step: StepSpec, prompt: str, index: int, *, run_id: int, pinned: str | None, overrides: dict
) -> tuple[dict, str, float]:
    """Make item `index`'s image(s) through `app.generate_image` (saved under the run's folder), upscaled when
    asked: (output, model id, cost). An impossible upscale is refused before any image is bought."""
    prompt = prompt[:MAX_IMAGE_PROMPT_CHARS]  # DALL-E 3's limit; SD's tokenizer keeps only the start anyway
    params: dict[str, Any] = dict(step.params)
    size = str(overrides.get("size", step.size))
    quality = str(overrides.get("quality", step.image_quality))
    request = RouteRequest(
        [step_messages(step, prompt, [])[-1]],
        task=step.task,
        model=pinned,
        complexity=step_complexity(app, step),
        explore=False,
    )
    primary = app.catalog.get(app.plan(request).chain[0].target)
    if primary.local:
        steps = overrides.get("steps", step.steps)
        if steps:
            params["steps"] = int(steps)
    else:
        size = image_size_for(primary, size)
    if step.upscale > 1:
        upscaler_for(app, step, primary.id)
    spec, result = await app.generate_image(
        prompt,
        task=step.task,
        model=pinned,
        size=size,
        quality=quality,
        n=step.variations,
        workflow_run_id=run_id,
        **params,
    )
    if not result.images:
        raise SparklioError(f"{step.label}: {spec.id} returned no image")
    folder = Path(app.data_dir) / "workflow_runs" / str(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for k, img in enumerate(result.images):
        path = folder / (f"{step.id}_{index + 1}.png" if k == 0 else f"{step.id}_{index + 1}_v{k + 1}.png")
        path.write_bytes(img.png)
        made.append({"path": str(path), "seed": img.params.get("seed")})
    if step.upscale > 1:
        for m in made:
            m.update(await upscale_file(app, m["path"], step.upscale, prompt))
    out = {**made[0], "model": spec.id, "size": size, "prompt": prompt[:300]}
    if step.variations > 1:
        out.update(variations=made, chosen=0)
    return out, spec.id, call_cost(spec, result.usage)
