"""Workflow definitions: dataclasses, TOML loading and validation with messages naming file, step and problem."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from router.errors import ConfigError
from router.paths import RESOURCES
from router.types import COMPLEXITIES, QUALITIES, SPEED_TIERS, Complexity, Quality, SpeedTier
from router.workflows.templates import TemplateError, fields

T = TypeVar("T")
BUILTIN_DIR = RESOURCES / "workflows"
INPUT_KINDS = ("text", "file", "image", "number", "list")  # list: one item per line / CSV row
OUTPUT_KINDS = ("text", "image", "table")
ACTIONS = {  # local steps: no model, no money
    "read_schema": "text",  # prompt renders to a data file path -> schema text
    "pick": "text",  # prompt renders to a numbered list -> the chosen item
    "run_sql": "table",  # prompt renders to SQL (code fences allowed) -> rows, run read-only
    "ledger_summary": "text",  # the ledger's aggregate (prompts only when the user opted in)
}
IMAGE_TASK_PREFIX = "image_generation"
_WORKFLOW_KEYS = {"name", "title", "description", "inputs", "steps", "category", "result"}
RESULT_KINDS = ("posts", "article", "storyboard", "report")
_INPUT_KEYS = {"kind", "label", "description", "required", "default", "expected_chars", "accept"}
_STEP_KEYS = {
    "id",
    "title",
    "task",
    "action",
    "prompt",
    "system",
    "output",
    "count",
    "for_each",
    "max_output_tokens",
    "images",
    "size",
    "image_quality",
    "steps",
    "params",
    "complexity",
    "speed",
    "quality",
    "temperature",
    "cache",
    "expected_items",
    "split",
    "options",
    "variations",
    "upscale",
}
MAX_VARIATIONS = 8  # images per image-step item; the first is the chosen one until the user picks another
UPSCALES = (1, 2, 4)  # image steps: 1 = as made; 2/4 = each image upscaled on this machine (the studio's path)
SPLITS = ("", "numbered", "lines")
ITEM_IMAGE = "item"  # images = ["item"]: each for_each item is an image file (a list input given an @folder)


@dataclass(frozen=True)
class InputSpec:
    """A value the user supplies (`--input name=value`); `expected_chars` sizes estimates when it is blank."""

    name: str
    kind: str = "text"
    label: str = ""
    description: str = ""
    required: bool = True
    default: str | None = None
    expected_chars: int = 400
    accept: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepSpec:
    """One step: a model call on `task` (or a local `action`) with a prompt template and an output kind."""

    id: str
    prompt: str
    task: str | None = None
    action: str | None = None
    title: str = ""
    system: str = ""
    output: str = "text"
    count: int = 1
    for_each: str | None = None
    max_output_tokens: int = 500
    images: tuple[str, ...] = ()
    size: str = "1024x1024"
    image_quality: str = "standard"
    steps: int | None = None
    variations: int = 1  # image steps: images (seeds) made per item
    upscale: int = 1  # image steps: 2 or 4 = every image upscaled (upscaler model, else the hires fix)
    params: dict = field(default_factory=dict, hash=False, compare=False)
    complexity: Complexity | None = None
    speed: SpeedTier | None = None
    quality: Quality | None = None
    temperature: float | None = None
    cache: bool = True
    expected_items: int = 5
    split: str = ""  # "numbered" | "lines": a text output becomes a list of items
    options: str | None = None  # pick: the step whose list is chosen from
    depends_on: tuple[str, ...] = ()

    @property
    def is_image(self) -> bool:
        """True for image-generation steps."""
        return self.output == "image"

    @property
    def fan_out(self) -> bool:
        """True when the step runs more than once (count or for_each)."""
        return self.count > 1 or self.for_each is not None

    @property
    def label(self) -> str:
        """Title for progress lines."""
        return self.title or self.id.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Workflow:
    """A named multi-step job; `steps` are in a valid execution order."""

    name: str
    title: str
    description: str
    inputs: dict[str, InputSpec]
    steps: tuple[StepSpec, ...]
    path: Path | None = None
    builtin: bool = False
    category: str = ""
    result: dict = field(default_factory=dict)

    def step(self, step_id: str) -> StepSpec:
        """The step with this id, or a clear error."""
        for s in self.steps:
            if s.id == step_id:
                return s
        raise ConfigError(f"workflow {self.name!r} has no step {step_id!r} (steps: {', '.join(self.step_ids)})")

    @property
    def step_ids(self) -> list[str]:
        """Step ids in execution order."""
        return [s.id for s in self.steps]

    def dependents(self, step_id: str) -> set[str]:
        """Every step that (transitively) uses `step_id`'s output."""
        out: set[str] = set()
        frontier = {step_id}
        while frontier:
            nxt = {s.id for s in self.steps if frontier & set(s.depends_on)} - out
            out |= nxt
            frontier = nxt
        return out


def _bad(where: str, problem: str) -> ConfigError:
    return ConfigError(f"{where}: {problem}")


def _typed(value: object, kind: type[T], where: str, key: str) -> T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__
        raise _bad(
            where, f"{key} must be {names.replace('str', 'a string').replace('int', 'a whole number')}, not {value!r}"
        )
    return value


def _parse_input(name: str, raw: object, where: str) -> InputSpec:
    w = f"{where}, input {name!r}"
    if not isinstance(raw, dict):
        raise _bad(w, "must be a table such as [inputs.NAME]")
    unknown = set(raw) - _INPUT_KEYS
    if unknown:
        raise _bad(w, f"unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(_INPUT_KEYS))})")
    kind = raw.get("kind", "text")
    if kind not in INPUT_KINDS:
        raise _bad(w, f"kind must be one of {', '.join(INPUT_KINDS)}, not {kind!r}")
    default = raw.get("default")
    return InputSpec(
        name,
        kind,
        str(raw.get("label", name.replace("_", " ").capitalize())),
        str(raw.get("description", "")),
        bool(raw.get("required", default is None)),
        None if default is None else str(default),
        int(_typed(raw.get("expected_chars", 400), int, w, "expected_chars")),
        tuple(raw.get("accept", ())),
    )


def _parse_step(raw: object, index: int, where: str, task_ids: Collection[str]) -> StepSpec:
    if not isinstance(raw, dict):
        raise _bad(where, f"steps[{index}] must be a table ([[steps]])")
    sid = raw.get("id")
    if not isinstance(sid, str) or not sid.isidentifier():
        raise _bad(where, f"steps[{index}] needs an id made of letters, digits and '_' (got {sid!r})")
    w = f"{where}, step {sid!r}"
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise _bad(w, f"unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(_STEP_KEYS))})")
    task, action = raw.get("task"), raw.get("action")
    if (task is None) == (action is None):
        raise _bad(w, "give exactly one of task (a model call) or action (a local step)")
    if task is not None and task not in task_ids:
        raise _bad(w, f"unknown task type {task!r} (known: {', '.join(sorted(task_ids))})")
    if action is not None and action not in ACTIONS:
        raise _bad(w, f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    output = raw.get("output") or (
        ACTIONS[action] if action else "image" if str(task).startswith(IMAGE_TASK_PREFIX) else "text"
    )
    if output not in OUTPUT_KINDS:
        raise _bad(w, f"output must be one of {', '.join(OUTPUT_KINDS)}, not {output!r}")
    if output == "image" and not str(task).startswith(IMAGE_TASK_PREFIX):
        raise _bad(w, "an image output needs an image_generation_* task")
    if task and str(task).startswith(IMAGE_TASK_PREFIX) and output != "image":
        raise _bad(w, f'task {task} makes images, so output must be "image"')
    count = _typed(raw.get("count", 1), int, w, "count")
    if not 1 <= count <= 50:
        raise _bad(w, f"count must be between 1 and 50, not {count}")
    for key, allowed in (("complexity", COMPLEXITIES), ("speed", SPEED_TIERS), ("quality", QUALITIES)):
        if raw.get(key) is not None and raw[key] not in allowed:
            raise _bad(w, f"{key} must be one of {', '.join(allowed)}, not {raw[key]!r}")
    prompt = _typed(raw.get("prompt", ""), str, w, "prompt")
    if not prompt.strip():
        raise _bad(w, "prompt is empty")
    params = _typed(raw.get("params", {}), dict, w, "params")
    variations = _typed(raw.get("variations", 1), int, w, "variations")
    if not 1 <= variations <= MAX_VARIATIONS or (variations > 1 and output != "image"):
        raise _bad(w, f"variations must be 1 to {MAX_VARIATIONS}, on an image step (got {variations})")
    upscale = _typed(raw.get("upscale", 1), int, w, "upscale")
    if upscale not in UPSCALES or (upscale > 1 and output != "image"):
        raise _bad(w, f"upscale must be 2 or 4 (or 1: none), on an image step (got {upscale})")
    split = raw.get("split", "")
    if split not in SPLITS:
        raise _bad(w, f'split must be "numbered" or "lines", not {split!r}')
    if action == "pick" and not raw.get("options"):
        raise _bad(w, 'a pick step needs options = "<step id with a list output>"')
    return StepSpec(
        id=sid,
        prompt=prompt,
        task=task,
        action=action,
        title=str(raw.get("title", "")),
        system=str(raw.get("system", "")),
        output=output,
        count=count,
        for_each=raw.get("for_each"),
        max_output_tokens=int(_typed(raw.get("max_output_tokens", 500), int, w, "max_output_tokens")),
        images=tuple(_typed(raw.get("images", []), list, w, "images")),
        size=str(raw.get("size", "1024x1024")),
        image_quality=str(raw.get("image_quality", "standard")),
        steps=raw.get("steps"),
        variations=variations,
        upscale=upscale,
        params=dict(params),
        complexity=raw.get("complexity"),
        speed=raw.get("speed"),
        quality=raw.get("quality"),
        temperature=raw.get("temperature"),
        cache=bool(raw.get("cache", True)),
        expected_items=int(_typed(raw.get("expected_items", 5), int, w, "expected_items")),
        split=split,
        options=raw.get("options"),
    )


def _check_references(step: StepSpec, inputs: dict[str, InputSpec], ids: set[str], where: str) -> tuple[str, ...]:
    """Validate the step's placeholders and return the step ids it depends on."""
    w = f"{where}, step {step.id!r}"
    deps: list[str] = []
    for text, label in ((step.prompt, "prompt"), (step.system, "system")):
        for f in fields(text, f"{w}, {label}"):
            if f.root == "inputs" and f.name not in inputs:
                raise TemplateError(
                    f"{w}, {label}: placeholder {{{f.text}}} names input {f.name!r}, which is not "
                    f"declared (declared: {', '.join(inputs) or 'none'}); add [inputs.{f.name}]"
                )
            if f.root == "steps":
                if f.name not in ids:
                    raise TemplateError(
                        f"{w}, {label}: placeholder {{{f.text}}} names step {f.name!r}, which does "
                        f"not exist (steps: {', '.join(sorted(ids))})"
                    )
                if f.name == step.id:
                    raise _bad(w, f"{label} uses its own output {{{f.text}}} (a step cannot depend on itself)")
                deps.append(f.name)
            if f.root in ("item", "index", "count") and not step.fan_out:
                raise TemplateError(
                    f"{w}, {label}: placeholder {{{f.text}}} only works in a step with count > 1 or for_each"
                )
    for name in step.images:
        if name == ITEM_IMAGE:
            if not (step.for_each in inputs and inputs[step.for_each].kind == "list"):
                raise _bad(w, 'images = ["item"] needs for_each over a list input (e.g. @folder of images)')
            continue
        if name not in inputs:
            raise _bad(w, f"images names input {name!r}, which is not declared")
        if inputs[name].kind != "image":
            raise _bad(w, f'images names input {name!r}, which is not an image input (kind = "image")')
    for key, ref in (("for_each", step.for_each), ("options", step.options)):
        if ref is None or (key == "for_each" and ref in inputs and inputs[ref].kind == "list"):
            continue  # for_each over a list input: the items are there before the run
        if ref not in ids or ref == step.id:
            raise _bad(w, f"{key} names step {ref!r}, which does not exist")
        deps.append(ref)
    return tuple(dict.fromkeys(deps))


def _order(steps: list[StepSpec], where: str) -> list[StepSpec]:
    """Topological order keeping file order among ready steps; a cycle is named step by step."""
    by_id = {s.id: s for s in steps}
    done: list[StepSpec] = []
    placed: set[str] = set()
    pending = list(steps)
    while pending:
        ready = [s for s in pending if set(s.depends_on) <= placed]
        if not ready:
            raise _bad(where, "steps form a cycle: " + _find_cycle(by_id, {s.id for s in pending}))
        for s in ready:
            done.append(s)
            placed.add(s.id)
        pending = [s for s in pending if s.id not in placed]
    return done


def _find_cycle(by_id: dict[str, StepSpec], candidates: set[str]) -> str:
    """A readable 'a -> b -> a' path through the unplaceable steps."""
    start = sorted(candidates)[0]
    path, seen = [start], {start}
    cur = start
    while True:
        nxt = next(d for d in by_id[cur].depends_on if d in candidates)
        if nxt in seen:
            cycle = path[path.index(nxt) :] + [nxt]
            return " -> ".join(reversed(cycle)) + " (each step needs the output of the one before it)"
        path.append(nxt)
        seen.add(nxt)
        cur = nxt


def parse_workflow(
    text: str, source: str, task_ids: Collection[str], *, path: Path | None = None, builtin: bool = False
) -> Workflow:
    """Parse and validate workflow TOML text; `source` (a file name) starts every error message."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(data) - _WORKFLOW_KEYS
    if unknown:
        raise _bad(
            source, f"unknown top-level key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(_WORKFLOW_KEYS))})"
        )
    name = data.get("name") or (path.stem if path else "")
    if not isinstance(name, str) or not name:
        raise _bad(source, "the workflow needs a name")
    where = f"{source} (workflow {name!r})"
    raw_inputs = data.get("inputs", {})
    if not isinstance(raw_inputs, dict):
        raise _bad(where, "inputs must be tables such as [inputs.topic]")
    inputs = {k: _parse_input(k, v, where) for k, v in raw_inputs.items()}
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise _bad(where, "the workflow has no steps (add [[steps]] tables)")
    steps = [_parse_step(s, i, where, task_ids) for i, s in enumerate(raw_steps)]
    ids = [s.id for s in steps]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise _bad(where, f"step id {dupes[0]!r} is used more than once")
    idset = set(ids)
    steps = [replace(s, depends_on=_check_references(s, inputs, idset, where)) for s in steps]
    return Workflow(
        name,
        str(data.get("title", name.replace("_", " ").capitalize())),
        str(data.get("description", "")),
        inputs,
        tuple(_order(steps, where)),
        path,
        builtin,
        str(data.get("category", "")),
        _parse_result(data.get("result", {}), idset, where),
    )


def _parse_result(raw: object, ids: set[str], where: str) -> dict:
    """The optional [result] table: how the finished run is assembled (kind + the steps each part comes from)."""
    if not isinstance(raw, dict):
        raise _bad(where, "result must be a table such as [result]")
    if raw and raw.get("kind") not in RESULT_KINDS:
        raise _bad(where, f"result kind must be one of {', '.join(RESULT_KINDS)}, not {raw.get('kind')!r}")
    for key, value in raw.items():
        refs = value if isinstance(value, list) else [value]
        if key != "kind" and any(not isinstance(r, str) or r not in ids for r in refs):
            raise _bad(where, f"result.{key} must name steps of this workflow, not {value!r}")
    return dict(raw)


def load_workflow(path: Path, task_ids: Collection[str], *, builtin: bool = False) -> Workflow:
    """Read and validate one workflow file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read workflow file: {exc}") from None
    return parse_workflow(text, path.name, task_ids, path=path, builtin=builtin)


def discover(task_ids: Collection[str], dirs: Iterable[tuple[Path, bool]]) -> tuple[dict[str, Workflow], list[str]]:
    """Workflows from (folder, builtin) pairs in order (later folders override by name) plus problems found."""
    found: dict[str, Workflow] = {}
    problems: list[str] = []
    for folder, builtin in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                wf = load_workflow(path, task_ids, builtin=builtin)
            except ConfigError as exc:
                problems.append(str(exc))
                continue
            found[wf.name] = wf
    return found, problems
