"""A finished run assembled into what the user posts: post cards, an article, a shot list or a report."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from router.workflows.results import RunResult
from router.workflows.templates import as_text

HASHTAG = re.compile(r"#[^\s#,.;:!?]+")
_TITLE_PREFIX = re.compile(r"^\s*(#+\s*|\*\*|working title\s*[:\-—]\s*|title\s*[:\-—]\s*)+", re.IGNORECASE)


@dataclass
class Post:
    """One social post: caption, hashtags, platform and its image (a PNG path or None)."""

    index: int
    caption: str
    hashtags: list[str]
    platform: str
    image: str | None
    variations: list[str] = field(default_factory=list)  # every variation's path (image is the chosen one)
    chosen: int = 0
    upscaled: str = ""  # "2x with hires fix" when the step upscaled its images

    def text(self) -> str:
        """What goes in the post box: the caption, a blank line, the hashtags."""
        return self.caption + ("\n\n" + " ".join(self.hashtags) if self.hashtags else "")


@dataclass
class Shot:
    """One storyboard shot: its line from the scene plan and its frame."""

    index: int
    text: str
    image: str | None
    variations: list[str] = field(default_factory=list)
    chosen: int = 0
    upscaled: str = ""


@dataclass
class Section:
    """One report section: a title and Markdown text, or a table (columns + rows)."""

    title: str
    markdown: str = ""
    table: dict | None = None


@dataclass
class Deliverable:
    """The assembled result of one run (`kind` says which parts are filled)."""

    kind: str
    title: str
    run_id: int
    posts: list[Post] = field(default_factory=list)
    shots: list[Shot] = field(default_factory=list)
    body: str = ""
    image: str | None = None
    notes: str = ""
    sections: list[Section] = field(default_factory=list)

    def images(self) -> list[str]:
        """Every image path the deliverable shows, in order."""
        paths = [p.image for p in self.posts] + [s.image for s in self.shots] + [self.image]
        return [p for p in paths if p]

    def markdown(self, image_ref: Callable[[str], str] = lambda p: p) -> str:
        """The whole deliverable as Markdown; `image_ref` maps an image path to the link written."""
        out = [f"# {self.title}", ""]
        for p in self.posts:
            out += [f"## Post {p.index} · {p.platform}", ""]
            out += [f"![Post {p.index}]({image_ref(p.image)})", ""] if p.image else []
            out += [p.text(), ""]
        if self.kind == "article":
            out += [f"![Featured image]({image_ref(self.image)})", ""] if self.image else []
            out += [self.body.strip(), ""]
        for s in self.shots:
            out += [f"## Shot {s.index}", "", s.text, ""]
            out += [f"![Frame {s.index}]({image_ref(s.image)})", ""] if s.image else []
        if self.kind == "storyboard" and self.body:
            out += ["## Script", "", self.body.strip(), ""]
        if self.notes:
            out += ["## Notes", "", self.notes.strip(), ""]
        for sec in self.sections:
            out += [f"## {sec.title}", "", sec.markdown.strip() if sec.table is None else table_markdown(sec.table), ""]
        return "\n".join(out).rstrip() + "\n"

    def html(self, image_ref: Callable[[str], str] = lambda p: p) -> str:
        """The deliverable as an HTML fragment (Python-Markdown with tables)."""
        import markdown

        return markdown.markdown(self.markdown(image_ref), extensions=["tables"])

    def table(self) -> tuple[list[str], list[list[str]]] | None:
        """The CSV form of a post set or a shot list (None for articles and reports)."""
        if self.posts:
            return (
                ["post", "platform", "caption", "hashtags", "image"],
                [[str(p.index), p.platform, p.caption, " ".join(p.hashtags), p.image or ""] for p in self.posts],
            )
        if self.shots:
            return ["shot", "description", "frame"], [[str(s.index), s.text, s.image or ""] for s in self.shots]
        return None


def table_markdown(table: dict) -> str:
    """A {columns, rows} table as a Markdown table."""
    cols = [str(c) for c in table.get("columns", [])]
    rows = [["NULL" if v is None else str(v).replace("|", "\\|") for v in r] for r in table.get("rows", [])]
    return "\n".join(
        ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)] + ["| " + " | ".join(r) + " |" for r in rows]
    )


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
    return [as_text(v).strip().strip('"').strip() for v in items]


def _image_paths(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v["path"] for v in items if isinstance(v, dict) and v.get("path")]


def _upscaled(value: Any) -> list[str]:
    """Per image item: how it was upscaled ("2x with hires fix"), "" when it was not."""
    items = value if isinstance(value, list) else [value]
    return [str(v.get("upscaled") or "") for v in items if isinstance(v, dict) and v.get("path")]


def _variations(value: Any) -> list[tuple[list[str], int]]:
    """Per image item: (the variations' paths, the chosen index); ([], 0) for a single image."""
    items = value if isinstance(value, list) else [value]
    return [
        ([str(x.get("path")) for x in v.get("variations") or []], int(v.get("chosen") or 0))
        for v in items
        if isinstance(v, dict) and v.get("path")
    ]


def title_from(text: str, fallback: str) -> str:
    """A title from the first non-empty line of an outline ("Working title: …", "# …" prefixes dropped)."""
    for line in as_text(text).splitlines():
        line = _TITLE_PREFIX.sub("", line).strip().strip("*").strip('"').strip()
        if line:
            return line[:120]
    return fallback


def assemble(result: RunResult, spec: dict | None = None) -> Deliverable:
    """Assemble a run by its workflow's [result] table; without one, every step with output becomes a section."""
    spec = spec if spec is not None else result.result_spec
    kind = spec.get("kind", "report")
    done = {s.step_id: s for s in result.steps if s.output not in (None, "", [], {})}

    def out(key: str) -> Any:
        step = done.get(spec.get(key, ""))
        return step.output if step else None

    d = Deliverable(kind, result.title, result.run_id)
    if kind == "posts":
        tags = HASHTAG.findall(as_text(out("hashtags")))
        images = _image_paths(out("images"))
        platform = result.inputs.get("platform", "")
        variations, upscaled = _variations(out("images")), _upscaled(out("images"))
        d.posts = [
            Post(
                i + 1,
                c,
                tags,
                platform,
                images[i] if i < len(images) else None,
                *(variations[i] if i < len(variations) else ([], 0)),
                upscaled[i] if i < len(upscaled) else "",
            )
            for i, c in enumerate(_texts(out("captions")))
        ]
    elif kind == "article":
        d.title = title_from(out("title"), result.title)
        d.body, d.notes = as_text(out("body") or ""), as_text(out("notes") or "")
        d.image = next(iter(_image_paths(out("image"))), None)
    elif kind == "storyboard":
        frames, variations, upscaled = _image_paths(out("frames")), _variations(out("frames")), _upscaled(out("frames"))
        d.shots = [
            Shot(
                i + 1,
                t,
                frames[i] if i < len(frames) else None,
                *(variations[i] if i < len(variations) else ([], 0)),
                upscaled[i] if i < len(upscaled) else "",
            )
            for i, t in enumerate(_texts(out("shots")))
        ]
        d.body = as_text(out("script") or "")
    else:
        names = spec.get("sections") or [s.step_id for s in result.steps]
        for sid in names:
            step = done.get(sid)
            if step is None:
                continue
            value = step.output
            if isinstance(value, dict) and "columns" in value and "rows" in value:
                d.sections.append(Section(step.title, table=value))
            elif isinstance(value, dict) and "message" in value:
                d.sections.append(Section(step.title, str(value["message"])))
            else:
                d.sections.append(Section(step.title, "\n\n".join(_texts(value))))
    return d
