"""The Sparklio facade: one object the CLI and the GUI use to plan, run, price and remember requests."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from router.budget import Budget
from router.cache import ResponseCache
from router.catalog import Catalog, ModelSpec
from router.chat import ChatSession
from router.conversations import Conversations
from router.engine import Engine, OpResult, RetryPolicy
from router.errors import SparklioError
from router.events import AppEvent, EventBus
from router.key_file import apply_saved_choice
from router.learning import Learning
from router.lifecycle import Lifecycle
from router.paths import RESOURCES
from router.paths import data_dir as resolve_data_dir
from router.planner import make_plan
from router.policy import Policy
from router.pricing import load_catalog
from router.prompts import PromptLibrary
from router.providers.info import PROVIDERS, load
from router.providers.registry import ProviderRegistry
from router.secrets import Secrets
from router.settings import Settings
from router.stats import Stats
from router.store import open_store
from router.types import (
    COMPLEXITIES,
    Answer,
    AnswerDone,
    EmbeddingResult,
    ImageJobHooks,
    ImageResult,
    Message,
    RoutePlan,
    RouteRequest,
)

if TYPE_CHECKING:
    from router.workflows.runner import WorkflowRunner

log = logging.getLogger(__name__)


@dataclass
class ModelStatus:
    """A catalog model with whether it can be used now and why (not)."""

    model: ModelSpec
    available: bool
    why: str


class Sparklio:
    """Owns the store, catalog, policy, providers, engine and the money/learning services for one data dir."""

    def __init__(
        self,
        data_dir: Path,
        *,
        keyring: Any = None,
        env: dict | None = None,
        provider_overrides: dict | None = None,
        retry: RetryPolicy | None = None,
        sleep=None,
        rng=None,
    ) -> None:
        self.data_dir = data_dir
        self.store = open_store(data_dir)
        self.events = EventBus()
        self.settings = Settings(self.store, self.events)
        self.secrets = Secrets(keyring, env)
        if keyring is None:
            apply_saved_choice(self)  # the plain key file, if the user opted in (`keys set --file-store`)
        for row in PROVIDERS.values():  # local_sd: torch/diffusers installed on demand (`sparklio gpu install`)
            if row.setup:
                load(row.setup)(data_dir)
        self.catalog: Catalog = load_catalog(
            RESOURCES / "catalog.toml", data_dir / "catalog.toml", data_dir / "price-cache.json"
        )
        # retired models and their successors (shared through SQLite); stored lists' family members join the catalog
        self.lifecycle = Lifecycle(self.catalog, price_cache=data_dir / "price-cache.json")
        self.lifecycle.load()
        self.policy = Policy(RESOURCES / "policy.toml", data_dir / "policy.toml", self.settings)
        self.budget = Budget(self.settings, self.events, writes=self.store.writes)
        self.cache = ResponseCache(self.settings, policy=self.policy)
        self.stats = Stats(self.settings)
        self.learning = Learning(self.settings, self.policy, self.events, rng, catalog=self.catalog, budget=self.budget)
        self.prompts = PromptLibrary(self.settings)
        self.conversations = Conversations()
        self.chat = ChatSession(self)  # one chat turn end to end (history, attachments, sources)
        self.registry = ProviderRegistry(self.settings, self.secrets, overrides=provider_overrides)
        kw = {"sleep": sleep} if sleep is not None else {}
        self.engine = Engine(
            catalog=self.catalog,
            registry=self.registry,
            budget=self.budget,
            cache=self.cache,
            policy=self.policy,
            settings=self.settings,
            retry=retry,
            lifecycle=self.lifecycle,
            **kw,
        )
        self._classify = None
        self.force_offline = False  # `--offline`: local-only for this process, the setting untouched
        from router.knowledge import Knowledge

        self.knowledge = Knowledge(self)
        from router.batch.service import BatchService

        self.batch = BatchService(self)
        self.sync_compat_models()
        self.events.subscribe(self._on_event)
        from router.recovery import recover  # issue 13: a dead process's pending answers and holds are settled

        self.recovered = recover(self.budget, self.catalog)
        from router.local_snapshot import load_snapshot  # issue 13: the last Ollama list seen, until Ollama answers

        load_snapshot(self)

    @functools.cached_property
    def workflows(self) -> WorkflowRunner:
        """The workflow engine, made on first use (a `route` or a chat never imports it)."""
        from router.workflows.runner import WorkflowRunner

        return WorkflowRunner(self, user_dir=self.data_dir / "workflows")

    @classmethod
    def open(cls, data_dir: str | Path | None = None, **kw: Any) -> Sparklio:
        """Open the app for a data folder (flag, SPARKLIO_HOME, or the platform default)."""
        return cls(resolve_data_dir(data_dir), **kw)

    # ---- mode ----
    @property
    def offline(self) -> bool:
        """Local-only mode: no request leaves the machine (the setting, or `--offline` for this run)."""
        return self.force_offline or self.settings.offline

    def set_offline(self, on: bool) -> None:
        """Switch local-only mode (persisted)."""
        self.settings.offline = bool(on)

    # ---- planning ----
    @property
    def auto(self):
        """The Auto classifier for this data folder (saved model + the user's corrections), made on first use."""
        if self._classify is None:
            from router.corrections import AutoClassifier

            self._classify = AutoClassifier(self.data_dir)
        return self._classify

    def classify(self, prompt: str, has_image: bool = False):
        """Auto task and complexity with confidences (loads the saved classifier on first use)."""
        return self.auto.classify(prompt, has_image)

    def plan(self, request: RouteRequest, *, explore: bool = False) -> RoutePlan:
        """The ordered model chain for a request, with reasons (no network)."""
        if not request.messages or (not request.prompt.strip() and not request.has_image):
            raise SparklioError("the prompt is empty: type something to send")
        task, complexity = request.task, request.complexity
        if task is None and request.model:  # a pinned image/embedding model says what the request is
            task = implied_task(self.catalog.models.get(request.model))
        auto_task, auto_cx = task is None, complexity is None
        if task is not None and self.policy.task(task).kind != "chat":
            complexity = complexity or self.policy.task(task).complexity  # images/embeddings: nothing to classify
            auto_cx = False
        c = None
        if auto_task or auto_cx:
            c = self.classify(request.prompt, request.has_image)
            task = task or c.task
            complexity = complexity or self.policy.planned_complexity(c.complexity, c.complexity_up)
            row = self.policy.task(task)
            if auto_task and row.kind != "chat" and (row.kind != "image" or c.task_confidence < 0.5):
                task = "chat_response"  # a guess never sends a chat message to an embedding or unsure image model
            elif auto_task and row.kind != "chat":
                complexity = row.complexity
            elif auto_cx and not auto_task and row.complexity in COMPLEXITIES:  # a task you chose is its floor:
                complexity = max(complexity, row.complexity, key=COMPLEXITIES.index)  # premium copy stays premium
        offline = self.offline if request.offline is None else bool(request.offline)
        assert task is not None and complexity is not None  # chosen, implied or classified above
        plan = make_plan(
            messages=request.messages,
            task=task,
            complexity=complexity,
            tier=request.budget or self.budget.tier(),
            catalog=self.catalog,
            policy=self.policy,
            avail=self.engine.health.availability(self.registry),
            offline=offline,
            speed=request.speed,
            quality=request.quality,
            pinned=request.model,
            has_image=request.has_image,
            retired=self.lifecycle_now(),
        )
        plan.auto_task, plan.auto_complexity = auto_task, auto_cx
        if c is not None:
            plan.task_confidence = c.task_confidence if auto_task and task == c.task else None
            plan.complexity_confidence = c.complexity_confidence if auto_cx else None
            if auto_cx and plan.complexity != c.complexity:
                plan.complexity_guess, plan.complexity_up = c.complexity, c.complexity_up
        if explore and request.explore and request.model is None:
            plan = self.learning.maybe_explore(plan, plan.alternatives, self.catalog.models.get)
        return plan

    # ---- chat ----
    def run(self, request: RouteRequest, *, store: bool = True, store_user: bool = True) -> AsyncIterator:
        """Plan and execute a chat request (router/chat.py): the user's message is stored first, then events stream.

        `store_user=False` regenerates: the question is already in the conversation, only a new answer is stored.
        """
        return self.chat.run(request, store=store, store_user=store_user)

    async def ask(self, request: RouteRequest, *, store: bool = True) -> Answer:
        """Run a request to completion and return the answer."""
        answer = None
        async for ev in self.run(request, store=store):
            if isinstance(ev, AnswerDone):
                answer = ev.answer
        assert answer is not None
        return answer

    def rate(self, message_id: int, stars: int) -> list:
        """Rate an answer 1–5 stars (feeds the learner; the stars are kept with the message); returns new suggestions."""
        made = self.learning.rate(message_id, stars)
        from router.store.models import ChatMessage

        msg = ChatMessage.get_by_id(int(message_id))
        meta = msg.meta_dict
        meta["stars"] = int(stars)
        self.conversations.update_message(msg.id, meta=meta)
        return made

    async def check_provider(self, name: str) -> str:
        """'Test connection': a short OK text, or a ProviderError saying what the provider answered."""
        return await self.registry.get(name).check()

    # ---- embeddings and images ----
    async def embed(
        self, texts: list[str], *, offline: bool | None = None, workflow_run_id: int | None = None
    ) -> tuple[ModelSpec, EmbeddingResult]:
        """Embed texts with the embeddings row's model (offline: an installed local embedding model)."""
        texts = [t for t in texts if t and t.strip()]
        if not texts:
            raise SparklioError("there is no text to embed")
        request = RouteRequest(
            [Message("user", "\n".join(texts))], task="embeddings", offline=offline, workflow_run_id=workflow_run_id
        )
        plan = self.plan(request)

        async def invoke(provider, model, _max_out):
            res = await provider.embed(model, texts)
            yield OpResult(res, res.usage)

        return await self._run_op(plan, request, invoke, "embed")

    async def generate_image(
        self,
        prompt: str,
        *,
        task: str = "image_generation_bulk",
        model: str | None = None,
        offline: bool | None = None,
        workflow_run_id: int | None = None,
        size: str = "1024x1024",
        quality: str = "standard",
        n: int = 1,
        hooks: ImageJobHooks | None = None,
        **params: Any,
    ) -> tuple[ModelSpec, ImageResult]:
        """Generate images with the task row's model (routed, budgeted, in the ledger).

        `params` are request parameters (Stable Diffusion's reach only local models); `source` (image bytes) and
        `mask` (white = repaint) make it an edit: only models with the image_edit capability take it. `hooks`
        (progress, cancel) go to a local model beside them and never to a cloud provider.
        """
        if not prompt.strip():
            raise SparklioError("the image prompt is empty")
        from router.image_edit import source_input

        source = source_input(params.get("source"), params.get("mask"))  # one-line errors for bad files
        request = RouteRequest(
            [Message("user", prompt, source)], task=task, model=model, offline=offline, workflow_run_id=workflow_run_id
        )
        plan = self.plan(request)

        async def invoke(provider, m, _max_out):
            if m.local:
                res = await provider.generate_image(m, prompt, size=size, quality=quality, n=n, hooks=hooks, **params)
            else:
                cloud = {k: v for k, v in params.items() if k not in SD_ONLY_PARAMS}
                res = await provider.generate_image(m, prompt, size=size, quality=quality, n=n, **cloud)
            yield OpResult(res, res.usage)

        def hold(m: ModelSpec) -> float:
            return m.image_price(size, quality) * n

        return await self._run_op(plan, request, invoke, "image", hold_for=hold)

    async def _run_op(self, plan, request, invoke, kind, hold_for=None) -> tuple[ModelSpec, Any]:
        """Run a non-chat operation through the engine: (the model that answered, its result)."""
        result: Any = None
        async for ev in self.engine.execute(plan, request, invoke, kind=kind, hold_for=hold_for):
            if isinstance(ev, OpResult):
                result = ev.value
            elif isinstance(ev, AnswerDone):
                return self.catalog.get(ev.answer.model), result
        raise SparklioError("the request finished without a result")

    # ---- models ----
    def _on_event(self, event: AppEvent) -> None:
        if event.kind == "settings_changed" and event.data.get("key") == "compat_models":
            self.sync_compat_models()
        if event.kind == "settings_changed" and event.data.get("key") == "sd_model_path":
            for m in self.catalog:  # a new model path: old failures say nothing about it
                if m.provider == "local_sd":
                    self.engine.health.note_success(m.id)  # clears its failure count and cool-down
            if "local_sd" not in self.registry.overrides:
                self.registry.get("local_sd")  # drops the loaded pipeline now

    def sync_compat_models(self) -> None:
        """Models served by the OpenAI-compatible endpoint (Settings) join the catalog as `compat/NAME`."""
        wanted = {}
        for entry in self.settings.compat_models:
            spec = entry if isinstance(entry, dict) else {"name": str(entry)}
            name = str(spec.get("name", "")).strip()
            if not name:
                continue
            wanted[f"compat/{name}"] = ModelSpec(
                id=f"compat/{name}",
                provider="compat",
                api_model=name,
                capabilities=frozenset(spec.get("capabilities", ["text", "code"])),
                input_price=float(spec.get("input_price", 0.0)),
                output_price=float(spec.get("output_price", 0.0)),
                price_source="catalog",
                speed=spec.get("speed", "standard"),
                latency_s=float(spec.get("latency_s", 4.0)),
                context_window=int(spec.get("context_window", 32768)),
                max_output=int(spec.get("max_output", 4096)),
                quality=float(spec.get("quality", 7.0)),
                min_budget="low",
                display_name=f"{name} (your endpoint)",
            )
        for mid in [m.id for m in self.catalog if m.provider == "compat" and m.id not in wanted]:
            del self.catalog.models[mid]
        for spec in wanted.values():
            self.catalog.upsert(spec)

    def lifecycle_now(self) -> dict:
        """Retired models (id -> Retirement), re-read when another process changed them."""
        return self.lifecycle.current()

    async def refresh_models(self, *, force: bool = False) -> dict[str, str]:
        """Fetch each provider's model list (background, or `models --refresh` / the Refresh button)."""
        from router.model_lists import refresh_lists

        return await refresh_lists(self, force=force)

    def model_status(self) -> list[ModelStatus]:
        """Every catalog model with availability and the reason."""
        avail = self.engine.health.availability(self.registry)
        retired = self.lifecycle_now()
        out = []
        for m in self.catalog:
            if m.id in retired:
                out.append(ModelStatus(m, False, self.lifecycle.describe(m.id)))
            elif not m.priced:
                out.append(ModelStatus(m, False, "price unknown: never routed automatically"))
            elif self.offline and not m.local:
                out.append(ModelStatus(m, False, "offline mode: only local models run"))
            elif m.provider not in avail.ready:
                out.append(ModelStatus(m, False, avail.reasons.get(m.provider, "not set up")))
            elif m.local and not m.installed:
                out.append(ModelStatus(m, False, f"not installed (ollama pull {m.api_model})"))
            else:
                out.append(ModelStatus(m, True, "ready"))
        return out

    async def refresh_local(self, timeout: float | None = None) -> bool:
        """Ask Ollama which models are installed; True when it answered (issue 13: a timeout keeps the last list)."""
        from router.local_snapshot import refresh

        return await refresh(self, timeout)

    async def aclose(self) -> None:
        """Close provider clients and the database."""
        await self.registry.aclose()
        self.store.close()


SD_ONLY_PARAMS = frozenset({"steps", "seed", "scheduler", "negative_prompt", "guidance", "strength", "loras"})


def implied_task(model: ModelSpec | None) -> str | None:
    """The task a pinned model implies: an image row for image models, embeddings for embedding models."""
    if model is None or model.kind == "chat":
        return None
    if model.kind == "embedding":
        return "embeddings"
    return "image_generation_bulk" if model.local else "image_generation_quality"
