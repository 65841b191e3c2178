"""Images → studio: the controls and defaults of the loaded local family (SD, SDXL, SD 3.x, Flux)."""

from __future__ import annotations

from typing import Any

LOCAL_CELLS = ["size", "steps", "guidance", "sampler", "images"]


def family_cells(family: Any) -> list[str]:
    """The tuning fields a local family takes (no sampler list for the flow-matching families)."""
    return [c for c in LOCAL_CELLS if c != "sampler" or family is None or family.samplers]


def apply_defaults(studio: Any, family: Any) -> None:
    """Steps, guidance and size from the family when the user switches to a model of another family."""
    key = None if family is None else family.key
    if key == getattr(studio, "family_key", None):
        return
    studio.family_key = key
    if family is None:
        return
    studio.steps.setValue(family.steps)
    studio.guidance.setValue(family.guidance)
    studio.size.setCurrentText(family.size)
