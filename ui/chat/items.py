"""ChatItem: one row of the message view, built from stored messages or engine events, and its HTML."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from ui.chat.markdown import Rendered, render_markdown

ROLE_LABEL = {"user": "You", "assistant": "Assistant", "error": "No answer"}


@dataclass(eq=False)
class ChatItem:
    """A message as the view shows it; `rev` changes whenever its text or meta does."""

    role: str  # user | assistant | error
    text: str
    id: int | None = None
    status: str = "ok"  # ok | streaming | stopped | error
    model: str = ""
    meta: dict = field(default_factory=dict)
    images: list[str] = field(default_factory=list)  # attachment names
    image_paths: list[str] = field(default_factory=list)  # stored attachment files
    image_data: list[Any] = field(default_factory=list)  # router.types.ImageInput, live messages only
    rev: int = 0
    cache: dict = field(default_factory=dict, repr=False)  # render cache owned by the delegate

    def touch(self) -> None:
        """Mark the item changed so its document is rebuilt."""
        self.rev += 1


def from_stored(row: Any) -> ChatItem:
    """A ChatItem from a stored message (peewee ChatMessage, dict, or any object with those fields)."""
    get = row.get if isinstance(row, dict) else (lambda k, d=None: getattr(row, k, d))
    meta = get("meta") or {}
    if isinstance(meta, str):
        try:
            meta = json.loads(meta or "{}")
        except ValueError:
            meta = {}
    atts = get("attachments") or []
    if isinstance(atts, str):
        try:
            atts = json.loads(atts or "[]")
        except ValueError:
            atts = []
    status = get("status") or "ok"
    role = get("role") or "assistant"
    if status in ("cancelled", "stopped"):
        status = "stopped"
    atts = [a for a in atts if isinstance(a, dict)]
    names = [str(a.get("name") or a.get("path") or "image") for a in atts]
    paths = [str(a["path"]) for a in atts if a.get("path")]
    if role == "assistant" and status == "error":
        role = "error"
    return ChatItem(role=role, text=get("content") or "", id=get("id"), status=status, model=get("model") or "",
                    meta=meta if isinstance(meta, dict) else {}, images=names, image_paths=paths)


def meta_from_answer(answer: Any) -> dict:
    """The footer facts of a live Answer, in the same shape the facade stores with the message."""
    u = answer.usage
    plan = answer.plan
    return {
        "model": answer.model, "provider": answer.provider, "cost_usd": answer.cost_usd, "cached": answer.cached,
        "latency_ms": answer.latency_ms, "ttft_ms": answer.ttft_ms, "experiment": answer.experiment,
        "usage": {"input_tokens": u.input_tokens, "output_tokens": u.output_tokens,
                  "cached_input_tokens": u.cached_input_tokens, "reasoning_tokens": u.reasoning_tokens},
        "attempts": [dict(a.__dict__) for a in answer.attempts],
        "plan": plan.explain() if plan is not None and hasattr(plan, "explain") else "",
        "task": getattr(plan, "task", ""),
        "serves_for": getattr(answer, "serves_for", ""),
    }


def _money(usd: float) -> str:
    if usd == 0:
        return "$0"
    return f"${usd:.4f}" if usd < 0.01 else f"${usd:.3f}" if usd < 1 else f"${usd:.2f}"


def _link(href: str, text: str, colour: str) -> str:
    return f'<a href="{href}" style="color:{colour}; text-decoration:none;">{text}</a>'


def answer_sources(meta: dict) -> tuple[list[dict], str]:
    """(passages used, 'documents not used' note or '') from an answer's `meta["sources"]`."""
    used, note = [], ""
    for s in meta.get("sources") or []:
        if not isinstance(s, dict):
            continue
        label = str(s.get("label") or "")
        if label.lower().startswith("documents not used"):
            note = label
        elif label:
            used.append(s)
    return used, note


def source_tooltip(meta: dict, href: str) -> str:
    """Path and similarity of the source a `src:N` link points at ('' when out of range)."""
    used, _ = answer_sources(meta)
    try:
        s = used[int(href.partition(":")[2])]
    except (ValueError, IndexError):
        return ""
    score = s.get("score")
    tail = f"\nsimilarity {float(score):.2f}" if isinstance(score, (int, float)) else ""
    return f"{s.get('label', '')}\n{s.get('path') or ''}{tail}"


def sources_html(item: ChatItem, c: dict[str, str]) -> str:
    """'Sources: [1] notes.md, passage 3 · …' (links show path and score), or a muted 'documents not used' note."""
    used, note = answer_sources(item.meta)
    if used:
        links = f' <span style="color:{c["muted"]};">·</span> '.join(
            _link(f"src:{i}", f"[{i + 1}] {html.escape(str(s['label']))}", c["accent"]) for i, s in enumerate(used))
        return f'<span style="color:{c["muted"]};">Sources:</span> {links}<br>'
    if note:
        return f'<i>{html.escape(note[:1].upper() + note[1:])}</i><br>'
    return ""


def footer_html(item: ChatItem, c: dict[str, str]) -> str:
    """The answer footer: sources, model, why?, retries/fallbacks, tokens, cost, latency, cached, stars, actions."""
    m = item.meta
    sep = f' &nbsp;<span style="color:{c["muted"]};">·</span>&nbsp; '
    facts = [f'<b>{html.escape(item.model or "?")}</b>']
    if m.get("serves_for"):  # the policy row named another model (retired, or a dearer equal): say which
        facts.append(f'<span style="color:{c["muted"]};">for {html.escape(m["serves_for"])}</span>')
    if m.get("plan"):
        facts.append(_link("why:", "why?", c["accent"]))
    attempts = m.get("attempts") or []
    failed = [a for a in attempts if a.get("outcome") != "ok"]
    retries = sum(1 for a in failed if a.get("model") == item.model)
    fell_from = [a.get("model", "?") for a in failed if a.get("model") != item.model]
    if retries:
        facts.append(f"{retries} retr{'y' if retries == 1 else 'ies'}")
    if fell_from:
        uniq = list(dict.fromkeys(fell_from))
        facts.append(f'<span style="color:{c["warn"]};">fell back from {html.escape(", ".join(uniq))}</span>')
    usage = m.get("usage") or {}
    if usage.get("input_tokens") or usage.get("output_tokens"):
        facts.append(f'{usage.get("input_tokens", 0):,} → {usage.get("output_tokens", 0):,} tok')
    if "cost_usd" in m:
        facts.append(_money(float(m.get("cost_usd") or 0.0)))
    if m.get("latency_ms"):
        facts.append(f'{float(m["latency_ms"]) / 1000:.1f} s')
    if m.get("cached"):
        facts.append(f'<span style="color:{c["ok"]};">⚡ cached</span>')
    if item.status == "stopped":
        facts.append(f'<span style="color:{c["warn"]};">stopped</span>')
    rating = int(m.get("stars") or 0)
    stars = "".join(
        _link(f"rate:{i}", "★" if i <= rating else "☆", c["star"] if i <= rating else c["muted"]) for i in range(1, 6)
    )
    actions = [_link("copy:msg", "Copy", c["accent"])]
    if item.id is not None:
        actions.insert(0, stars)
    actions.append(_link("regen:", "Regenerate with…", c["accent"]))
    return (f'<p style="color:{c["muted"]}; font-size:small; margin-top:6px; margin-bottom:0px;">'
            + sources_html(item, c) + sep.join(facts) + "<br>" + sep.join(actions) + "</p>")


def error_html(item: ChatItem, c: dict[str, str]) -> str:
    """What each provider answered and what to do next."""
    rows = []
    for a in item.meta.get("attempts") or []:
        rows.append(
            f'<tr><td><b>{html.escape(str(a.get("model", "?")))}</b></td>'
            f'<td style="color:{c["muted"]};">{html.escape(str(a.get("outcome", "")))}</td>'
            f'<td>{html.escape(str(a.get("error", "")))}</td></tr>'
        )
    table = f'<table cellspacing="0" cellpadding="2" style="margin-top:4px;">{"".join(rows)}</table>' if rows else ""
    hint = item.meta.get("hint", "")
    hint_html = f'<p style="margin-top:6px;">{html.escape(hint)}</p>' if hint else ""
    actions = [_link("retry:", "Try again", c["accent"])]
    if item.meta.get("settings_link"):
        actions.append(_link("nav:settings", "Open Settings", c["accent"]))
    if item.meta.get("budget_link"):
        actions.append(_link("nav:budget", "Open Budget", c["accent"]))
    return (f'<p style="margin-bottom:2px;"><b style="color:{c["danger"]};">{html.escape(item.text)}</b></p>'
            + table + hint_html + '<p style="margin-top:6px; margin-bottom:0px;">'
            + f' &nbsp;<span style="color:{c["muted"]};">·</span>&nbsp; '.join(actions) + "</p>")


def item_html(item: ChatItem, c: dict[str, str]) -> Rendered:
    """The full HTML of one message row (and its code blocks)."""
    if item.role == "error":
        return Rendered(error_html(item, c), [])
    streaming = item.status == "streaming"
    body = render_markdown(item.text, c, highlight_code=not streaming)
    parts = [body.html or ("" if streaming else f'<p style="color:{c["muted"]};">(empty)</p>')]
    if item.images:
        names = ", ".join(html.escape(n) for n in item.images)
        parts.append(f'<p style="color:{c["muted"]}; font-size:small; margin:0px;">📎 {names}</p>')
    if streaming:
        label = item.meta.get("progress") or "Thinking…"
        parts.append(f'<p style="color:{c["muted"]}; font-size:small; margin:0px;">● {html.escape(label)}</p>')
    elif item.role == "assistant":
        parts.append(footer_html(item, c))
    return Rendered("".join(parts), body.code_blocks)
