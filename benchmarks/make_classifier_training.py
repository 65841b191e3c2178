"""Generate resources/classifier/training.jsonl from hand-written templates and vocabulary (deterministic).

Complexity, as labelled here (what a router needs: how capable a model the request calls for):
  simple  - one straightforward deliverable or question; tone/length constraints or pasted input don't raise it.
  medium  - a few deliverables, or one that needs some reasoning, analysis or technical care.
  complex - many interdependent parts, deep multi-step analysis, systems, models, strategies, flagship work.
Image-input tasks: image_analysis judges how a picture looks (creative, brand, mood, alt text);
vision_analysis reads what is in it (text, numbers, tables, charts, counts, defects, differences).
A template line may start with "[attached]" (the prompt comes with a picture, e.g. a caption for a photo) or
"[no attachment]" (an image task whose picture is a URL or a file name).
Run: python benchmarks/make_classifier_training.py [--per-cell 60] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from classifier_slots import SLOTS  # the vocabulary the templates draw from

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "classifier" / "training.jsonl"

PREFIXES = [
    "",
    "",
    "",
    "",
    "",
    "hey, ",
    "Hi! ",
    "please ",
    "can you ",
    "Quick one: ",
    "I need help. ",
    "ok so ",
    "Hello, ",
    "For our team: ",
]
SUFFIXES = ["", "", "", "", "", " Thanks!", " thx", " Please.", " asap", " :)", " Keep it simple.", " Thank you."]
# Real prompts carry background the templates leave out: how often a context / detail sentence is added.
P_CONTEXT = 0.3
P_DETAIL = 0.3
CONTEXTS = [
    "I run a small {industry} business.",
    "Context: we sell {product} to {audience}.",
    "We're {brand}, a {industry} brand.",
    "I'm the marketing lead at {brand}.",
    "I work at an agency and this is for a client.",
    "Background: our main channel is {channel}.",
    "We're a team of five.",
    "This is for my side project.",
    "My manager asked me for this.",
    "We're based in {city} and our customers are mostly {audience}.",
    "I'm new to this, so bear with me.",
    "We're a {industry} startup that just raised a seed round and we're moving fast.",
    "For context, {brand} sells {product} online and through a few shops in {city}.",
    "I'm a freelancer helping a {industry} client with their marketing.",
    "Our small team handles everything from social media to customer support.",
    "We've been growing steadily on {channel} over the past year.",
]
DETAILS = [
    "It's for a meeting on Monday.",
    "Our audience is mostly {audience}.",
    "We use {platform} for most things.",
    "I'm not very technical.",
    "Please be accurate.",
    "We're based in {city}.",
    "Nothing fancy needed.",
    "This is for the {brand} team.",
    "I'd like it today if possible.",
    "Thanks in advance for your help.",
    "My boss will review it before anything goes out, so a solid first pass is fine.",
    "We've tried a few things before and nothing really stuck.",
    "Happy to share more details if you need them.",
    "We're on a tight deadline this week.",
    "Keep in mind most of our customers are {audience}.",
]
SLOT_RE = re.compile(r"\{(\w+?)(\d?)\}")
IMAGE_TASKS = ("image_analysis", "vision_analysis")


def fill(template: str, rng: random.Random) -> str:
    """Replace {slot} / {slot2} markers with random vocabulary (same slot+digit = same value)."""
    chosen: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        name, idx = m.group(1), m.group(2)
        if name not in SLOTS:
            return m.group(0)
        key = name + idx
        if key not in chosen:
            used = {v for k, v in chosen.items() if k.rstrip("0123456789") == name}
            options = [v for v in SLOTS[name] if v not in used] or SLOTS[name]
            chosen[key] = rng.choice(options)
        return chosen[key]

    return SLOT_RE.sub(repl, template)


def decorate(text: str, rng: random.Random, complexity: str) -> str:
    """Add the noise real users add: context, greetings, lowercase, missing punctuation."""
    if rng.random() < P_CONTEXT:
        text = fill(rng.choice(CONTEXTS), rng) + " " + text
    if rng.random() < P_DETAIL:
        text = text.rstrip() + " " + fill(rng.choice(DETAILS), rng)
    if complexity != "complex" and rng.random() < 0.35:
        pre = rng.choice(PREFIXES)
        if pre and pre[-2].isalpha() and text[:2].istitle():
            text = text[0].lower() + text[1:]
        text = pre + text
        text = text + rng.choice(SUFFIXES)
    if rng.random() < 0.2:
        text = text.lower()
    if rng.random() < 0.15:
        text = text.rstrip(".!?")
    return text.strip()


def has_image_for(task: str, template: str, rng: random.Random) -> bool:
    """Image tasks usually carry an attachment (URL/file prompts do not); other tasks only when marked [attached]."""
    if "[attached]" in template:
        return True
    if task not in IMAGE_TASKS:
        return False
    if "http" in template or "[no attachment]" in template:
        return False
    return rng.random() < 0.9


def parse_templates(text: str) -> dict[tuple[str, str], list[str]]:
    """Parse the '## task complexity' sections below into {(task, complexity): [template, ...]}."""
    out: dict[tuple[str, str], list[str]] = {}
    key: tuple[str, str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("## "):
            task, complexity = line[3:].split()
            key = (task, complexity)
            out.setdefault(key, [])
        elif line and key is not None:
            out[key].append(line)
    return out


def generate(per_cell: int, seed: int) -> list[dict]:
    """Build the rows: up to `per_cell` unique prompts per (task, complexity) cell."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for (task, complexity), templates in parse_templates(TEMPLATES).items():
        seen: set[str] = set()
        tries = 0
        # every template at least once, then random picks
        order = list(templates) + [rng.choice(templates) for _ in range(per_cell * 4)]
        for tpl in order:
            if len(seen) >= per_cell or tries > per_cell * 20:
                break
            tries += 1
            text = decorate(fill(tpl, rng), rng, complexity)
            text = text.replace("[no attachment] ", "").replace("[attached] ", "")
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            rows.append(
                {"prompt": text, "task": task, "complexity": complexity, "has_image": has_image_for(task, tpl, rng)}
            )
    return rows


def generate_intl(seed: int) -> list[dict]:
    """One row per multilingual / casual template (templates_intl.txt): other languages, the same 22 tasks."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for (task, complexity), templates in parse_templates(INTL_TEMPLATES).items():
        for tpl in templates:
            text = fill(tpl, rng).replace("[no attachment] ", "").replace("[attached] ", "")
            rows.append(
                {"prompt": text, "task": task, "complexity": complexity, "has_image": has_image_for(task, tpl, rng)}
            )
    return rows


def main() -> None:
    """CLI: write the training jsonl."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-cell", type=int, default=60, help="prompts per (task, complexity) cell")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    rows = generate(args.per_cell, args.seed) + generate_intl(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {args.out}")


# One template per line under "## <task> <complexity>"; {slot} markers draw from SLOTS.
TEMPLATES = (ROOT / "resources" / "classifier" / "templates.txt").read_text(encoding="utf-8")
# The same layout in other languages and a casual register, written from the task definitions (one row each).
INTL_TEMPLATES = (ROOT / "resources" / "classifier" / "templates_intl.txt").read_text(encoding="utf-8")


if __name__ == "__main__":
    main()
