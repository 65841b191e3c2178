"""A tiny safe prompt formatter: {inputs.x}, {steps.id.output}, {item}, {index}, {count}; {{ and }} escape."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from router.errors import ConfigError

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_FIELD_RE = re.compile(rf"^(?:inputs\.({_NAME})|steps\.({_NAME})\.output(?:\.(\d+))?|(item|index|count))$")


class TemplateError(ConfigError):
    """A prompt template is malformed or names something that does not exist."""


@dataclass(frozen=True)
class Field:
    """One placeholder: `root` is inputs | steps | item | index | count; `name` the input or step id."""

    text: str
    root: str
    name: str = ""
    part: int | None = None  # {steps.x.output.2}: the 2nd item of a list output (1-based)


Piece = str | Field


def parse(template: str, where: str = "template") -> list[Piece]:
    """Split a template into literal text and placeholders; `where` prefixes error messages."""
    pieces: list[Piece] = []
    buf: list[str] = []
    i, n = 0, len(template)
    while i < n:
        ch = template[i]
        if ch == "{" and template.startswith("{{", i):
            buf.append("{")
            i += 2
        elif ch == "}" and template.startswith("}}", i):
            buf.append("}")
            i += 2
        elif ch == "{":
            end = template.find("}", i + 1)
            nested = template.find("{", i + 1)
            if end < 0 or (0 <= nested < end):
                snippet = template[i : i + 30].split("\n")[0]
                raise TemplateError(
                    f"{where}: unclosed placeholder starting at {snippet!r} (write {{{{ for a literal brace)"
                )
            inner = template[i + 1 : end].strip()
            m = _FIELD_RE.match(inner)
            if not m:
                raise TemplateError(
                    f"{where}: placeholder {{{inner}}} is not understood; use {{inputs.NAME}}, "
                    f"{{steps.STEP.output}}, {{item}}, {{index}} or {{count}}"
                )
            if buf:
                pieces.append("".join(buf))
                buf = []
            if m.group(1):
                pieces.append(Field(inner, "inputs", m.group(1)))
            elif m.group(2):
                part = int(m.group(3)) if m.group(3) else None
                if part == 0:
                    raise TemplateError(f"{where}: placeholder {{{inner}}}: list items count from 1")
                pieces.append(Field(inner, "steps", m.group(2), part))
            else:
                pieces.append(Field(inner, m.group(4)))
            i = end + 1
        elif ch == "}":
            raise TemplateError(f"{where}: stray '}}' at position {i} (write }}}} for a literal brace)")
        else:
            buf.append(ch)
            i += 1
    if buf:
        pieces.append("".join(buf))
    return pieces


def fields(template: str, where: str = "template") -> list[Field]:
    """The placeholders in a template (validated)."""
    return [p for p in parse(template, where) if isinstance(p, Field)]


def render(template: str, resolve: Callable[[Field], str], where: str = "template") -> str:
    """Fill a template; `resolve(field)` returns the text for each placeholder."""
    return "".join(p if isinstance(p, str) else resolve(p) for p in parse(template, where))


def as_text(value: object) -> str:
    """A step output as prompt text: lists numbered, tables as pipe tables, images as their file names."""
    if isinstance(value, list):
        if len(value) == 1:
            return as_text(value[0])
        return "\n".join(f"{i}. {as_text(v)}" for i, v in enumerate(value, 1))
    if isinstance(value, dict):
        if "columns" in value and "rows" in value:
            cols = value["columns"]
            lines = [" | ".join(cols)] + [
                " | ".join("NULL" if v is None else str(v) for v in r) for r in value["rows"][:50]
            ]
            if value.get("truncated") or len(value["rows"]) > 50:
                lines.append(
                    f"({min(len(value['rows']), 50)} of {len(value['rows'])}"
                    f"{'+' if value.get('truncated') else ''} rows shown)"
                )
            return "\n".join(lines)
        if "path" in value:
            return f"[image {value['path']}]"
        if "message" in value:
            return str(value["message"])
    return "" if value is None else str(value)
