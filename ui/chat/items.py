"""ChatItem: one row of the message view, built from stored messages or engine events, and its HTML."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from router.display import fmt_usd
from ui.chat.markdown import Rendered, render_markdown


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
    text = get("content") or ""
    if status == "pending" and isinstance(meta, dict) and meta.get("batch_job") and not text:
        text = f"Waiting for batch job {meta['batch_job']}: the answer arrives within 24 hours."
        status = "ok"
    return ChatItem(
        role=role,
        text=text,
        id=get("id"),
        status=status,
        model=get("model") or "",
        meta=meta if isinstance(meta, dict) else {},
        images=names,
        image_paths=paths,
    )


def _money(usd: float) -> str:
    return "$0" if usd == 0 else fmt_usd(usd)


def prompt_cache_fact(usage: dict, saved_usd: float) -> str:
    """'12,400 tok from prompt cache, saved $0.0334' ('' when the provider's prompt cache was not involved)."""
    read, wrote = int(usage.get("cached_input_tokens") or 0), int(usage.get("cache_write_tokens") or 0)
    if not read and not wrote:
        return ""
    parts = [f"{read:,} tok from prompt cache"] if read else [f"{wrote:,} tok written to prompt cache"]
    if saved_usd > 0:
        parts.append(f"saved {_money(saved_usd)}")
    elif saved_usd < 0:
        parts.append(f"{_money(-saved_usd)} to write it")
    return ", ".join(parts)


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
            _link(f"src:{i}", f"[{i + 1}] {html.escape(str(s['label']))}", c["accent"]) for i, s in enumerate(used)
        )
        return f'<span style="color:{c["muted"]};">Sources:</span> {links}<br>'
    if note:
        return f"<i>{html.escape(note[:1].upper() + note[1:])}</i><br>"
    return ""


def footer_html(item: ChatItem, c: dict[str, str]) -> str:
    """The answer footer: sources, model, why?, retries/fallbacks, tokens, cost, latency, cached, stars, actions."""
    m = item.meta
    sep = f' &nbsp;<span style="color:{c["muted"]};">·</span>&nbsp; '
    facts = [f"<b>{html.escape(item.model or '?')}</b>"]
    if m.get("serves_for"):  # the policy row named another model (retired, or a dearer equal): say which
        facts.append(f'<span style="color:{c["muted"]};">for {html.escape(m["serves_for"])}</span>')
    if m.get("plan"):
        facts.append(_link("why:", "why?", c["accent"]))
    if m.get("corrected_task"):
        facts.append(f"task corrected to {html.escape(str(m['corrected_task']))}: Auto learns it")
    elif m.get("auto_task") and item.id is not None:
        facts.append(_link("wrongtask:", "wrong task?", c["accent"]))
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
    if m.get("image"):  # an image answer: size, steps, seconds, seed instead of tokens
        facts.extend(image_facts(m["image"]))
    elif usage.get("input_tokens") or usage.get("output_tokens"):
        facts.append(f"{usage.get('input_tokens', 0):,} → {usage.get('output_tokens', 0):,} tok")
    if "cost_usd" in m:
        facts.append(_money(float(m.get("cost_usd") or 0.0)))
    prompt_cache = prompt_cache_fact(usage, float(m.get("cache_saved_usd") or 0.0))
    if prompt_cache:
        facts.append(f'<span style="color:{c["ok"]};">{prompt_cache}</span>')
    if m.get("latency_ms") and not (m.get("image") or {}).get("seconds"):
        facts.append(f"{float(m['latency_ms']) / 1000:.1f} s")
    if m.get("cached"):
        facts.append(f'<span style="color:{c["ok"]};">⚡ cached</span>')
    if item.status == "stopped":
        facts.append(f'<span style="color:{c["warn"]};">stopped</span>')
    elif item.status == "interrupted":  # set at the next start for an answer whose process was killed mid-way
        facts.append(f'<span style="color:{c["warn"]};">interrupted: Sparklio was closed before it finished</span>')
    rating = int(m.get("stars") or 0)
    stars = "".join(
        _link(f"rate:{i}", "★" if i <= rating else "☆", c["star"] if i <= rating else c["muted"]) for i in range(1, 6)
    )
    actions = [_link("copy:msg", "Copy", c["accent"])]
    if item.id is not None:
        actions.insert(0, stars)
    actions.append(_link("regen:", "Regenerate with…", c["accent"]))
    notices = "".join(f"{html.escape(n)}<br>" for n in m.get("notices") or [])
    return (
        f'<p style="color:{c["muted"]}; margin-top:6px; margin-bottom:0px;">'  # normal size: readable
        + sources_html(item, c)
        + notices
        + sep.join(facts)
        + "<br>"
        + sep.join(actions)
        + "</p>"
    )


def image_facts(image: dict) -> list[str]:
    """["512×512", "25 steps", "41.2 s", "seed 7"]: what the footer says about generated images."""
    out = [str(image.get("size") or "").replace("x", "×")]
    if int(image.get("count") or 1) > 1:
        out.append(f"{image['count']} images")
    if image.get("steps"):
        out.append(f"{image['steps']} steps")
    if image.get("seconds"):
        out.append(f"{float(image['seconds']):.1f} s")
    if image.get("seed") is not None:
        out.append(f"seed {image['seed']}")
    return [x for x in out if x]


def error_html(item: ChatItem, c: dict[str, str]) -> str:
    """What each provider answered and what to do next."""
    rows = []
    for a in item.meta.get("attempts") or []:
        rows.append(
            f"<tr><td><b>{html.escape(str(a.get('model', '?')))}</b></td>"
            f'<td style="color:{c["muted"]};">{html.escape(str(a.get("outcome", "")))}</td>'
            f"<td>{html.escape(str(a.get('error', '')))}</td></tr>"
        )
    table = f'<table cellspacing="0" cellpadding="2" style="margin-top:4px;">{"".join(rows)}</table>' if rows else ""
    hint = item.meta.get("hint", "")
    hint_html = f'<p style="margin-top:6px;">{html.escape(hint)}</p>' if hint else ""
    actions = [_link("retry:", "Try again", c["accent"])]
    if item.meta.get("settings_link"):
        actions.append(_link("nav:settings", "Open Settings", c["accent"]))
    if item.meta.get("budget_link"):
        actions.append(_link("nav:budget", "Open Budget", c["accent"]))
    return (
        f'<p style="margin-bottom:2px;"><b style="color:{c["danger"]};">{html.escape(item.text)}</b></p>'
        + table
        + hint_html
        + '<p style="margin-top:6px; margin-bottom:0px;">'
        + f' &nbsp;<span style="color:{c["muted"]};">·</span>&nbsp; '.join(actions)
        + "</p>"
    )


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
    elif item.role == "user" and item.status == "ok":
        parts.append(f'<p style="margin:0px;">{_link("edit:", "Edit", c["muted"])}</p>')
    return Rendered("".join(parts), body.code_blocks)
