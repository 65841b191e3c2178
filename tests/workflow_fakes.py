"""Scripted fake providers for workflow tests and benchmarks: each reply fits the step that asked for it.

The fakes speak the real wire formats (tests/fakes); only `reply_for` is scripted here. A fake model writes its
content and then keeps writing until the request's max_tokens (as a verbose model does), so output token counts
are the step's budget and the estimate's accuracy rests on routing, pricing, fan-out and prompt sizing.
"""

from __future__ import annotations

import re

from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.openai_server import FakeOpenAI

_WORDS = ("light", "morning", "coffee", "market", "story", "people", "season", "craft", "bright", "simple")
FILLER = " ".join(_WORDS[i % len(_WORDS)] for i in range(6000))


def _sql_for(prompt: str) -> str:
    """A real SELECT over the first table named in the schema: the first text column by the first number."""
    m = re.search(r"TABLE (\w+) \(([^)]*)\)", prompt)
    if not m:
        return "NO_MATCH: no table in the schema"
    table, cols = m.group(1), [c.strip().split(" ") for c in m.group(2).split(",")]
    text = next((c[0] for c in cols if len(c) > 1 and c[1] == "TEXT"), cols[0][0])
    num = next((c[0] for c in cols if len(c) > 1 and c[1] in ("REAL", "INTEGER") and c[0] != "id"), cols[-1][0])
    return f"```sql\nSELECT {text}, SUM({num}) AS total FROM {table} GROUP BY {text} ORDER BY total DESC\n```"


def scripted_reply(prompt: str) -> str:
    """The content a capable model would give for each built-in step, then verbose filler."""
    p = prompt
    if "Write caption" in p:
        n = re.search(r"caption (\d+) of", p).group(1)
        body = f"Caption {n}: Slow mornings taste better with our oat latte. Angle {n}. Tap to order!"
    elif "five distinct interpretations" in p:
        body = "\n".join(f"{i}. Interpretation {i}: total amount per group, variant {i}." for i in range(1, 6))
    elif "SQLite SELECT statement" in p:
        body = "NO_MATCH: the file has no weather data" if "weather" in p.lower() else _sql_for(p)
    elif "exactly four scenes" in p:
        body = "\n".join(f"{i}. Scene {i}: a bakery at dawn, baker shapes dough, close-up." for i in range(1, 5))
    elif "Outline a blog post" in p:
        body = "Working title: Sourdough at home\n1. Why sourdough\n2. Starter basics\n3. The bake"
    elif "Write the full blog post" in p:
        body = "## Why sourdough\nBecause time is an ingredient.\n## Starter basics\nFlour, water, patience."
    elif "Analyse the attached logo" in p:
        body = "Colours: red #D62828 and cream #FDF0D5; a rounded wordmark; friendly, warm."
    elif "SEO pass" in p:
        body = "SEO title: Sourdough at Home\nMeta description: Bake it.\nSlug: sourdough-at-home"
    elif "Suggest 10 trending" in p:
        body = "#oatlatte #slowmorning #coffeetime #plantbased #cafe #latteart #morningritual #brew #cozy #local"
    elif "review how a creator" in p:
        body = "Patterns: spend concentrates on few models. Suggestions: move chat_response to a cheaper model."
    else:
        body = "Done as asked."
    return body + "\n\n" + FILLER


class _Scripted:
    def reply_for(self, prompt: str) -> str:  # the fakes' documented hook
        return scripted_reply(prompt)


class ScriptedOpenAI(_Scripted, FakeOpenAI):
    """Fake OpenAI whose chat replies follow the script."""


class ScriptedAnthropic(_Scripted, FakeAnthropic):
    """Fake Anthropic whose replies follow the script."""


class ScriptedGemini(_Scripted, FakeGemini):
    """Fake Gemini whose replies follow the script."""
