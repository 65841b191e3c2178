"""Workflow fixtures shared through `pytest_plugins`: scripted cloud servers, a tiny SD pipeline, a facade, an engine."""

from __future__ import annotations

import asyncio

import pytest

from router.workflows.runner import WorkflowRunner
from tests.conftest import catalog_api_models, make_cloud_app
from tests.workflow_fakes import ScriptedAnthropic, ScriptedGemini, ScriptedOpenAI


@pytest.fixture
def servers():
    with (
        ScriptedOpenAI(models=catalog_api_models("openai")) as o,
        ScriptedAnthropic(models=catalog_api_models("anthropic")) as a,
        ScriptedGemini(models=catalog_api_models("google")) as g,
    ):
        yield {"openai": o, "anthropic": a, "google": g}


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory):
    from local_models.tiny_pipeline import build_tiny_pipeline

    return build_tiny_pipeline(tmp_path_factory.mktemp("sd") / "tiny-sd")


@pytest.fixture
def app(data_dir, memory_keyring, servers, tiny_sd):
    from local_models.sd_provider import LocalDiffusionProvider

    app = make_cloud_app(
        data_dir,
        memory_keyring,
        openai=servers["openai"],
        anthropic=servers["anthropic"],
        gemini=servers["google"],
        provider_overrides={"local_sd": LocalDiffusionProvider(base_url=tiny_sd)},
    )
    yield app
    asyncio.run(app.aclose())


@pytest.fixture
def engine(app):
    # Tiny SD makes 64x64 images in 2 steps; cloud image models keep their own sizes (and prices).
    return WorkflowRunner(app, image_overrides={"size": "64x64", "steps": 2})
