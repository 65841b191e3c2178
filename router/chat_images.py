"""Image and embedding requests typed into the chat: run through their rows, answered as Markdown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from router.engine import OpResult
from router.gallery import gallery_dir, save_to_gallery
from router.types import AnswerDone, RoutePlan, RouteRequest, TextDelta


async def image_answer_events(
    app: Any, plan: RoutePlan, request: RouteRequest, message_id: int | None
) -> AsyncIterator:
    """Engine events for an image task in the chat: the PNGs land in the gallery, the answer shows them."""
    prompt = request.prompt.strip()

    async def invoke(provider, model, _max_out):
        result = await provider.generate_image(model, prompt, size=chat_image_size(model), n=1)
        yield OpResult(result, result.usage)

    saved: list[Path] = []
    facts: dict = {}
    async for ev in app.engine.execute(
        plan, request, invoke, kind="image", message_id=message_id, hold_for=lambda m: m.image_price()
    ):
        if isinstance(ev, OpResult):
            for img in ev.value.images:
                img.params.setdefault("prompt", prompt)
            saved = [Path(row.path) for row in save_to_gallery(ev.value.images, gallery_dir(app.data_dir))]
            facts = image_facts(ev.value, saved)
            continue
        if isinstance(ev, AnswerDone):
            alt = prompt[:60].replace("]", " ").replace("[", " ")
            text = "\n\n".join(f"![{alt}]({p.as_uri()})" for p in saved)
            text += "\n\n" + "\n".join(f"Saved to `{p}` (also in Images → Gallery)." for p in saved)
            ev.answer.text = text
            ev.answer.image = facts or None
            yield TextDelta(text)
        yield ev


def chat_image_size(model: Any) -> str:
    """The size a chat request asks for: what Stable Diffusion 1.x is trained at locally, 1024² in the cloud."""
    return "512x512" if model.local else "1024x1024"


def image_facts(result: Any, paths: list[Path]) -> dict:
    """What an image answer's footer shows: size, steps, seconds, seed (steps/seed only from local models)."""
    first = result.images[0].params if result.images else {}
    size = (
        result.usage.image_size
        or first.get("size")
        or (f"{first['width']}x{first['height']}" if first.get("width") else "")
    )
    return {
        "size": size,
        "steps": first.get("steps"),
        "seconds": round(result.usage.gpu_seconds, 1) or None,
        "seed": first.get("seed"),
        "count": len(result.images),
        "paths": [str(p) for p in paths],
    }


async def embedding_answer_events(
    app: Any, plan: RoutePlan, request: RouteRequest, message_id: int | None
) -> AsyncIterator:
    """Engine events for the embeddings task in the chat: the prompt is embedded; the answer describes the vector."""
    text = request.prompt.strip()

    async def invoke(provider, model, _max_out):
        result = await provider.embed(model, [text])
        yield OpResult(result, result.usage)

    vector: list[float] = []
    async for ev in app.engine.execute(plan, request, invoke, kind="embed", message_id=message_id):
        if isinstance(ev, OpResult):
            vector = list(ev.value.vectors[0]) if ev.value.vectors else []
            continue
        if isinstance(ev, AnswerDone):
            head = ", ".join(f"{x:.4f}" for x in vector[:8])
            answer = (
                f"Embedded with **{ev.answer.model}**: a {len(vector):,}-dimensional vector "
                f"(first values: [{head}{', …' if len(vector) > 8 else ''}]).\n\n"
                "To search your own files by meaning, attach them to the conversation as documents."
            )
            ev.answer.text = answer
            ev.answer.embedding = vector
            yield TextDelta(answer)
        yield ev
