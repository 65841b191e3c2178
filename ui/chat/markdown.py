"""Markdown to Qt rich-text HTML: python-markdown for prose, pygments for fenced code with copy links."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

import markdown
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

# A fenced block: ```lang ... ``` (an unclosed fence runs to the end, as while streaming).
FENCE = re.compile(r"^[ \t]{0,3}(```+|~~~+)[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:^[ \t]{0,3}\1[ \t]*$\n?|\Z)", re.M | re.S)


@dataclass
class Rendered:
    """HTML for a QTextDocument plus the raw text of each code block (for copy links)."""

    html: str
    code_blocks: list[str] = field(default_factory=list)


_md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
_md.preprocessors.deregister("html_block")  # raw HTML in a message is text, never markup
_md.inlinePatterns.deregister("html")


_IMG = re.compile(r"<img ")


def _prose(text: str) -> str:
    """Markdown prose to HTML (raw HTML in the source is shown as text, never interpreted)."""
    if not text.strip():
        return ""
    _md.reset()
    return _IMG.sub('<img width="320" ', _md.convert(text))  # generated pictures shown at a readable size


@lru_cache(maxsize=64)
def _lexer(lang: str):
    try:
        return get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        return TextLexer()


@lru_cache(maxsize=4)
def _formatter(style: str) -> HtmlFormatter:
    return HtmlFormatter(noclasses=True, nowrap=True, style=style)


def _code_html(code: str, lang: str, index: int, colors: dict[str, str], highlight_code: bool) -> str:
    body = (
        highlight(code, _lexer(lang.lower()), _formatter(colors["pygments"])) if highlight_code else html.escape(code)
    )
    label = html.escape(lang or "text")
    bg = colors["code_bg"]
    return (
        f'<table width="100%" cellspacing="0" cellpadding="0" border="0" '
        f'style="margin-top:6px; margin-bottom:8px; background-color:{bg};">'
        f'<tr><td style="padding:6px 10px 0px 10px; color:{colors["muted"]}; font-size:small;">{label}</td>'
        f'<td align="right" style="padding:6px 10px 0px 10px; font-size:small;">'
        f'<a href="copy:code:{index}" style="color:{colors["accent"]}; text-decoration:none;">Copy</a></td></tr>'
        f'<tr><td colspan="2" style="padding:4px 10px 8px 10px;">'
        f'<pre style="font-family:monospace; margin:0; white-space:pre-wrap;">{body.rstrip()}</pre>'
        f"</td></tr></table>"
    )


def render_markdown(text: str, colors: dict[str, str], *, highlight_code: bool = True, first_code: int = 0) -> Rendered:
    """Render chat Markdown; `highlight_code=False` is the cheap path used while an answer streams.

    Copy links are numbered from `first_code` (a streamed answer renders in chunks).
    """
    parts: list[str] = []
    blocks: list[str] = []
    pos = 0
    for m in FENCE.finditer(text):
        parts.append(_prose(text[pos : m.start()]))
        code = m.group(3)
        if code.endswith("\n"):
            code = code[:-1]
        parts.append(_code_html(code, m.group(2), first_code + len(blocks), colors, highlight_code))
        blocks.append(code)
        pos = m.end()
    parts.append(_prose(text[pos:]))
    return Rendered("".join(parts), blocks)


def document_css(colors: dict[str, str]) -> str:
    """Default stylesheet for message documents (inline code, tables, quotes, links)."""
    return (
        f"code {{ font-family: monospace; background-color: {colors['code_bg']}; }}"
        f"a {{ color: {colors['accent']}; text-decoration: none; }}"
        f"th {{ background-color: {colors['code_bg']}; padding: 4px 8px; }}"
        f"td {{ padding: 3px 8px; }}"
        f"blockquote {{ color: {colors['muted']}; margin-left: 12px; }}"
        "p { margin-top: 0px; margin-bottom: 8px; }"
        "pre { margin: 0px; }"
        "h1, h2, h3, h4 { margin-top: 8px; margin-bottom: 6px; }"
    )
