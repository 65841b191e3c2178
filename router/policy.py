"""The routing policy: task table, tiers, weights (resources/policy.toml, user overlay, Settings edits)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from router.errors import ConfigError, SparklioError
from router.types import COMPLEXITIES
from router.validate import expect, finite, read_toml

if TYPE_CHECKING:
    from router.catalog import Catalog
    from router.settings import Settings

TASK_KINDS = ("chat", "image", "embedding")


@dataclass(frozen=True)
class TaskRow:
    """One task type: its default complexity, required capabilities and model chain."""

    id: str
    label: str
    group: str
    kind: str = "chat"
    complexity: str = "medium"
    needs: frozenset = frozenset()
    models: tuple[str, ...] = ()
    source: str = ""
    cache: str = "dynamic"


@dataclass
class PolicyConfig:
    """Everything in a policy file except the task table."""

    weights: dict = field(default_factory=dict)
    low_max_usd: float = 50.0
    standard_max_usd: float = 200.0
    realtime_max_s: float = 3.0
    standard_max_s: float = 10.0
    quality_targets: dict = field(default_factory=dict)
    complexity_quality: dict = field(default_factory=dict)
    answer_tokens: dict = field(default_factory=dict)  # [complexity_answer_tokens]: expected answer length
    extra_fallbacks: int = 2
    route_up_at: float = 1.0  # an Auto complexity guess is planned one level up when the level above is this likely
    local_last_resort: bool = True
    max_output_tokens: int = 4096


def _line_of_task(text: str, task: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() in (f"[tasks.{task}]", f'[tasks."{task}"]'):
            return n
    return 0


def _parse_row(task: str, t: dict, where: str) -> TaskRow:
    if not isinstance(t, dict):
        raise ConfigError(f"{where}: tasks.{task} must be a table")
    models = t.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models) or not models:
        raise ConfigError(f"{where}: tasks.{task}.models must be a non-empty list of catalog ids")
    kind = t.get("kind", "chat")
    if kind not in TASK_KINDS:
        raise ConfigError(f"{where}: tasks.{task}.kind must be one of {', '.join(TASK_KINDS)}")
    complexity = t.get("complexity", "medium")
    if complexity not in COMPLEXITIES:
        raise ConfigError(f"{where}: tasks.{task}.complexity must be one of {', '.join(COMPLEXITIES)}")
    cache = t.get("cache", "dynamic")
    if cache not in ("static", "dynamic"):
        raise ConfigError(f"{where}: tasks.{task}.cache must be static or dynamic")
    return TaskRow(
        id=task,
        label=t.get("label", task.replace("_", " ").capitalize()),
        group=t.get("group", "Other"),
        kind=kind,
        complexity=complexity,
        needs=frozenset(t.get("needs", [])),
        models=tuple(models),
        source=t.get("source", "user"),
        cache=cache,
    )


def load_policy_file(path: Path) -> tuple[dict, dict[str, TaskRow]]:
    """Parse a policy TOML file: (settings tables, task rows); errors name the file and line."""
    data = read_toml(path, "policy")  # issue 13: encoding and syntax errors are one line naming the file
    text = path.read_bytes().decode("utf-8-sig")
    for table in (
        "tasks",
        "weights",
        "budget_tiers",
        "speed_tiers",
        "quality_targets",
        "complexity_quality",
        "complexity_answer_tokens",
        "routing",
    ):
        if table in data:
            expect(data[table], dict, f"{path}: [{table}]")
    rows = {}
    for task, t in (data.get("tasks") or {}).items():
        rows[task] = _parse_row(task, t, f"{path}, line {_line_of_task(text, task)}")
    return data, rows


def _line_of_key(path: Path, section: str, key: str) -> int:
    """Line that sets `key = ...` inside `[section]` of a TOML file (0 when not found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    inside = False
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped == f"[{section}]"
        elif inside and stripped.split("=", 1)[0].strip() == key:
            return n
    return 0


def _config_from(data: dict, base: PolicyConfig, path: Path) -> PolicyConfig:
    cfg = replace(
        base,
        weights=dict(base.weights),
        quality_targets=dict(base.quality_targets),
        complexity_quality=dict(base.complexity_quality),
        answer_tokens=dict(base.answer_tokens),
    )
    try:
        if "weights" in data:
            for k, v in data["weights"].items():
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1e6:  # nan/inf too
                    line = _line_of_key(path, "weights", k)
                    raise ConfigError(f"{path}, line {line}: weights.{k} must be a non-negative number, not {v!r}")
                cfg.weights[k] = float(v)
        bt = data.get("budget_tiers", {})
        cfg.low_max_usd = float(bt.get("low_max_usd", cfg.low_max_usd))
        cfg.standard_max_usd = float(bt.get("standard_max_usd", cfg.standard_max_usd))
        st = data.get("speed_tiers", {})
        cfg.realtime_max_s = float(st.get("realtime_max_s", cfg.realtime_max_s))
        cfg.standard_max_s = float(st.get("standard_max_s", cfg.standard_max_s))
        cfg.quality_targets.update({k: float(v) for k, v in data.get("quality_targets", {}).items()})
        cfg.complexity_quality.update({k: float(v) for k, v in data.get("complexity_quality", {}).items()})
        cfg.answer_tokens.update({k: int(v) for k, v in data.get("complexity_answer_tokens", {}).items()})
        r = data.get("routing", {})
        cfg.extra_fallbacks = int(r.get("extra_fallbacks", cfg.extra_fallbacks))
        cfg.local_last_resort = bool(r.get("local_last_resort", cfg.local_last_resort))
        cfg.route_up_at = float(r.get("route_up_at", cfg.route_up_at))
        cfg.max_output_tokens = int(r.get("max_output_tokens", cfg.max_output_tokens))
        for name in ("low_max_usd", "standard_max_usd", "realtime_max_s", "standard_max_s"):
            finite(getattr(cfg, name), name, 0, 1e6)
        for name, table in (("quality_targets", cfg.quality_targets), ("complexity_quality", cfg.complexity_quality)):
            for k, v in table.items():
                finite(v, f"{name}.{k}", 0, 10)
        for k, v in cfg.answer_tokens.items():
            finite(v, f"complexity_answer_tokens.{k}", 1, 1_000_000)
        finite(cfg.extra_fallbacks, "routing.extra_fallbacks", 0, 20)
        finite(cfg.route_up_at, "routing.route_up_at", 0, 1)
        finite(cfg.max_output_tokens, "routing.max_output_tokens", 1, 10_000_000)
    except ConfigError:
        raise
    except SparklioError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise ConfigError(
            f"{path}: a number in [weights], [budget_tiers], [speed_tiers], [complexity_answer_tokens] or [routing] "
            f"is invalid: {exc}"
        ) from exc
    return cfg


class Policy:
    """Task rows and routing knobs, with the user's Settings edits layered on top."""

    def __init__(self, builtin: Path, user: Path | None = None, settings: Settings | None = None) -> None:
        data, rows = load_policy_file(builtin)
        cfg = _config_from(data, PolicyConfig(), builtin)
        if user is not None and user.exists():
            udata, urows = load_policy_file(user)
            cfg = _config_from(udata, cfg, user)
            rows.update(urows)
        self.config = cfg
        self.tasks: dict[str, TaskRow] = rows
        self.settings = settings

    # ---- task table ----
    def task(self, task: str) -> TaskRow:
        """The row for a task id, or a clear error listing valid ids."""
        try:
            return self.tasks[task]
        except KeyError:
            raise SparklioError(f"unknown task type {task!r}; choose one of: {', '.join(self.tasks)}") from None

    def row(self, task: str) -> list[str]:
        """The effective model chain for a task (Settings override, else the file's)."""
        override = (self.settings.task_table if self.settings else {}) or {}
        if override.get(task):
            return list(override[task])
        return list(self.task(task).models)

    def default_row(self, task: str) -> list[str]:
        """The chain the policy files give (before Settings edits)."""
        return list(self.task(task).models)

    def provenance(self, task: str) -> str:
        """Where the task's effective row comes from: the documents, your edit, or learned from your ratings."""
        override = (self.settings.task_table if self.settings else {}) or {}
        if override.get(task):
            origin = str((self.settings.task_table_origin.get(task) if self.settings else "") or "")
            if origin.startswith("learned:"):
                return f"learned from your ratings on {origin.partition(':')[2]}"
            return "your edit"
        source = self.task(task).source
        return f"{source} document" if source in ("policy", "strategy") else "the policy files"

    def set_task_row(self, task: str, models: list[str], catalog: Catalog | None = None, origin: str = "edit") -> None:
        """Persist a new chain for `task` in Settings (ids checked against the catalog when given).

        `origin` is "edit" (the user's) or "learned:YYYY-MM-DD" (an accepted suggestion), shown in plans."""
        self.task(task)
        models = [m for m in models if m]
        if not models:
            raise SparklioError(f"the {task} row needs at least one model")
        if catalog is not None:
            for m in models:
                catalog.get(m)
        if self.settings is None:
            raise SparklioError("settings are not available")
        table = dict(self.settings.task_table)
        table[task] = models
        self.settings.task_table = table
        self.settings.task_table_origin = {**self.settings.task_table_origin, task: origin}

    def reset_task_row(self, task: str) -> None:
        """Drop the Settings override for `task`."""
        if self.settings is None:
            return
        table = dict(self.settings.task_table)
        if table.pop(task, None) is not None:
            self.settings.task_table = table

    def groups(self) -> dict[str, list[str]]:
        """Task ids by group, in file order (for task selectors)."""
        out: dict[str, list[str]] = {}
        for row in self.tasks.values():
            out.setdefault(row.group, []).append(row.id)
        return out

    def planned_complexity(self, guess: str, up: float) -> str:
        """The level to plan an Auto complexity guess at: one level up when the level above has a fair chance (`up`,
        the classifier's) — under-serving a request costs quality the user sees, over-serving it a little money."""
        i = COMPLEXITIES.index(guess)
        return COMPLEXITIES[i + 1] if up >= self.config.route_up_at and i + 1 < len(COMPLEXITIES) else guess

    def cache_ttl_class(self, task: str) -> str:
        """'static' (24 h) or 'dynamic' (1 h)."""
        row = self.tasks.get(task)
        return row.cache if row else "dynamic"

    # ---- knobs ----
    @property
    def weights(self) -> dict[str, float]:
        """Scoring weights (Settings override the file), normalised to sum 1."""
        w = dict(self.config.weights)
        if self.settings is not None and self.settings.weights:
            w.update(self.settings.weights)
        total = sum(w.values()) or 1.0
        return {k: v / total for k, v in w.items()}

    def tier_for_limit(self, monthly_limit: float) -> str:
        """Budget tier derived from a monthly limit (low <= $50, standard <= $200, premium above)."""
        if monthly_limit <= self.config.low_max_usd:
            return "low"
        if monthly_limit <= self.config.standard_max_usd:
            return "standard"
        return "premium"

    def validate(self, catalog: Catalog) -> list[str]:
        """Problems with task rows that name unknown models (shown, not fatal)."""
        problems = []
        for row in self.tasks.values():
            for m in self.row(row.id):
                if m not in catalog:
                    problems.append(f"task {row.id} names unknown model {m!r}")
        return problems
