"""QTextDocuments for messages; a streaming answer is a stack of finished blocks plus a re-rendered tail."""

from __future__ import annotations

import html
import re

from PySide6.QtGui import QFont, QTextDocument

from ui.chat.markdown import document_css, render_markdown

FENCE_LINE = re.compile(r"^[ \t]{0,3}(```|~~~)")


def make_doc(html_text: str, font: QFont, colors: dict[str, str]) -> QTextDocument:
    """A margin-less document with the message stylesheet."""
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(document_css(colors))
    doc.setHtml(html_text)
    return doc


def stable_boundary(text: str, start: int) -> int:
    """End of the last blank line after `start` that lies outside any code fence (`start` when none).

    Everything before it is finished Markdown that later text cannot change (while streaming).
    """
    pos, best, fence = start, start, False
    for line in text[start:].splitlines(keepends=True):
        end = pos + len(line)
        if FENCE_LINE.match(line):
            fence = not fence
        elif not fence and not line.strip() and end < len(text):
            best = end
        pos = end
    return best


class StreamDocs:
    """Incremental rendering: each finished block is laid out once; only the unfinished tail is redone."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.text = ""  # the finished prefix
        self.chunks: list[QTextDocument] = []
        self.code: list[str] = []
        self.tail: QTextDocument | None = None
        self.tail_code: list[str] = []
        self.width = -1

    def update(self, text: str, progress: str, font: QFont, colors: dict[str, str]) -> list[QTextDocument]:
        """The documents for `text` (finished chunks + the tail with a progress line)."""
        if not text.startswith(self.text):  # text was withdrawn or replaced: start over
            self.__init__(self.generation)  # type: ignore[misc]
        end = stable_boundary(text, len(self.text))
        if end > len(self.text):
            r = render_markdown(text[len(self.text) : end], colors, highlight_code=False, first_code=len(self.code))
            doc = make_doc(r.html, font, colors)
            if self.width > 0:
                doc.setTextWidth(self.width)
            self.chunks.append(doc)
            self.code += r.code_blocks
            self.text = text[:end]
        r = render_markdown(text[end:], colors, highlight_code=False, first_code=len(self.code))
        line = f'<p style="color:{colors["muted"]}; font-size:small; margin:0px;">● {html.escape(progress)}</p>'
        self.tail = make_doc(r.html + line, font, colors)
        if self.width > 0:
            self.tail.setTextWidth(self.width)
        self.tail_code = r.code_blocks
        return self.docs()

    def docs(self) -> list[QTextDocument]:
        """Chunks then tail."""
        return self.chunks + ([self.tail] if self.tail is not None else [])

    def set_width(self, width: int) -> None:
        """Lay every document out at `width`."""
        if width != self.width:
            self.width = width
            for d in self.docs():
                d.setTextWidth(width)

    @property
    def code_blocks(self) -> list[str]:
        """Code of every block so far (for the copy links)."""
        return self.code + self.tail_code
