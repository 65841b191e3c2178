"""Workflows → the assembled result: post cards, an article, a shot list or a report, with Copy, Save and Export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from router.errors import SparklioError
from router.workflows.deliverables import Deliverable, Post, assemble
from router.workflows.export import export_run
from ui.widgets import palette
from ui.widgets.card import Card, heading, muted

POST_IMAGE_PX = 220
FRAME_PX = 240
VARIATION_PX = 44
ARTICLE_IMAGE_PX = 360


def picture(path: str | None, px: int) -> QLabel:
    """An image scaled to fit `px` (or its file name when it cannot be read)."""
    label = QLabel()
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    pm = QPixmap(path) if path else QPixmap()
    if pm.isNull():
        label.setText(Path(path).name if path else "no image")
        label.setFixedSize(px, px // 2)
    else:
        scaled = pm.scaled(px, px, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        label.setPixmap(scaled)
        label.setFixedSize(scaled.size())
    return label


def copy_text(text: str) -> None:
    """Put text on the clipboard (plain text: "Copy as HTML" copies the HTML source, ready for a CMS field)."""
    QGuiApplication.clipboard().setText(text)


def _button(text: str, slot: Callable[[], Any], tip: str = "") -> QPushButton:
    btn = QPushButton(text)
    btn.setToolTip(tip)
    btn.clicked.connect(slot)
    return btn


def _browser(markdown: str, max_height: int = 0) -> QTextBrowser:
    view = QTextBrowser()
    view.setOpenExternalLinks(True)
    view.setMarkdown(markdown)
    view.setMinimumHeight(120)
    if max_height:
        view.setMaximumHeight(max_height)
    return view


class VariationStrip(QWidget):
    """An image's variations as small thumbnails; the chosen one is checked, clicking another chooses it."""

    def __init__(self, paths: list[str], chosen: int, on_choose: Callable[[int], None]) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(muted(QLabel("Variations")))
        self.buttons: list[QToolButton] = []
        for k, path in enumerate(paths):
            b = QToolButton()
            b.setIcon(QIcon(QPixmap(path)))
            b.setIconSize(QSize(VARIATION_PX, VARIATION_PX))
            b.setCheckable(True)
            b.setChecked(k == chosen)
            b.setToolTip("The chosen image" if k == chosen else f"Use variation {k + 1} instead")
            b.setStyleSheet(f"QToolButton:checked {{ border: 2px solid {palette.color('accent').name()}; }}")
            b.clicked.connect(lambda _c=False, i=k: on_choose(i))
            row.addWidget(b)
            self.buttons.append(b)
        row.addStretch(1)


class PostCard(QFrame):
    """One ready-to-post card: image, platform, caption and hashtags, with Copy and Save."""

    def __init__(self, post: Post, on_choose: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.post = post
        self.setObjectName("PostCard")
        self.setStyleSheet(
            f"QFrame#PostCard {{ border: 1px solid {palette.border_color().name()}; border-radius: 10px; }}"
        )
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        lay.addWidget(picture(post.image, POST_IMAGE_PX))
        if post.variations:
            lay.addWidget(VariationStrip(post.variations, post.chosen, on_choose or (lambda _i: None)))
        tail = "".join(f" · {x}" for x in (post.platform, post.upscaled and f"upscaled {post.upscaled}") if x)
        label = muted(QLabel(f"Post {post.index}{tail}"))
        label.setWordWrap(True)
        lay.addWidget(label)
        self.caption = QLabel(post.caption)
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.caption)
        self.hashtags = QLabel(" ".join(post.hashtags))
        self.hashtags.setWordWrap(True)
        self.hashtags.setStyleSheet(f"color: {palette.color('accent').name()};")
        lay.addWidget(self.hashtags)
        lay.addStretch(1)
        row = QHBoxLayout()
        self.copy_btn = _button("Copy", lambda: copy_text(post.text()), "Copy the caption and hashtags")
        self.save_btn = _button("Save…", self._save, "Save the image and the text into a folder")
        row.addWidget(self.copy_btn)
        row.addWidget(self.save_btn)
        row.addStretch(1)
        lay.addLayout(row)
        self.setFixedWidth(POST_IMAGE_PX + 24)
        self.setMinimumHeight(lay.totalHeightForWidth(self.width()))  # wrapped labels at this width: no overlap

    def _save(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, f"Save post {self.post.index}")
        if folder:
            self.save_to(Path(folder))

    def save_to(self, folder: Path) -> list[Path]:
        """Write post_N.png (when there is an image) and post_N.txt into `folder`."""
        out = [folder / f"post_{self.post.index}.txt"]
        out[0].write_text(self.post.text() + "\n", encoding="utf-8")
        if self.post.image and Path(self.post.image).is_file():
            out.append(folder / f"post_{self.post.index}.png")
            out[1].write_bytes(Path(self.post.image).read_bytes())
        return out


class ResultView(Card):
    """The assembled result of a finished run and its export buttons."""

    def __init__(self, on_message: Callable[[str, str], None] | None = None) -> None:
        super().__init__("Result")
        self.on_message = on_message or (lambda _t, _k: None)
        self.result: Any = None
        self.deliverable: Deliverable | None = None
        self.cards: list[PostCard] = []
        self.export_btn = _button(
            "Export folder…",
            lambda: self._export(zip_file=False),
            "Images, Markdown, HTML, CSV and a manifest (models, costs, seeds) in a new folder",
        )
        self.zip_btn = _button("Export ZIP…", lambda: self._export(zip_file=True), "The same files in one .zip")
        self.add_header_widget(self.export_btn)
        self.add_header_widget(self.zip_btn)
        self.inner = QVBoxLayout()
        self.body.addLayout(self.inner)
        self.hide()

    def show_result(self, result: Any) -> None:
        """Assemble and show a run (hidden when nothing finished)."""
        self.result = result
        self._clear()
        d = self.deliverable = assemble(result)
        empty = not (d.posts or d.shots or d.body or d.sections)
        self.setVisible(not empty)
        if empty:
            return
        self.set_title(d.title if d.kind != "posts" else f"{d.title} · {len(d.posts)} posts ready to post")
        getattr(self, f"_show_{d.kind}", self._show_report)(d)

    def _clear(self) -> None:
        self.cards = []
        while self.inner.count():
            item = self.inner.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
            elif item.layout():
                _drop_layout(item.layout())

    def _show_posts(self, d: Deliverable) -> None:
        grid = QGridLayout()
        grid.setSpacing(12)
        step = self.result.result_spec.get("images", "")
        self.cards = [PostCard(p, lambda k, i=i: self.choose(step, i, k)) for i, p in enumerate(d.posts)]
        for i, card in enumerate(self.cards):
            grid.addWidget(card, i // 4, i % 4, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(4, 1)
        self.inner.addLayout(grid)

    def choose(self, step_id: str, item: int, choice: int) -> None:
        """Make another variation the image of a post or frame (stored with the run, so exports use it)."""
        from router.workflows.records import choose_variation

        try:
            chosen = choose_variation(self.result.run_id, step_id, item, choice)
        except SparklioError as exc:
            self.on_message(str(exc), "error")
            return
        for s in self.result.steps:
            if s.step_id == step_id and isinstance(s.output, list) and item < len(s.output):
                s.output[item] = chosen
        self.show_result(self.result)

    def _show_article(self, d: Deliverable) -> None:
        row = QHBoxLayout()
        row.addWidget(_button("Copy as Markdown", lambda: copy_text(d.markdown())))
        row.addWidget(_button("Copy as HTML", lambda: copy_text(d.html())))
        row.addStretch(1)
        self.inner.addLayout(row)
        self.inner.addWidget(heading(QLabel(d.title), 14))
        if d.image:
            self.inner.addWidget(picture(d.image, ARTICLE_IMAGE_PX), 0, Qt.AlignmentFlag.AlignLeft)
        self.article = _browser(d.body, 520)
        self.inner.addWidget(self.article)
        if d.notes:
            self.inner.addWidget(heading(QLabel("SEO notes"), 11))
            self.inner.addWidget(_browser(d.notes, 220))

    def _show_storyboard(self, d: Deliverable) -> None:
        grid = QGridLayout()
        grid.setSpacing(12)
        step = self.result.result_spec.get("frames", "")
        for i, shot in enumerate(d.shots):
            box = QVBoxLayout()
            box.addWidget(picture(shot.image, FRAME_PX))
            if shot.variations:
                box.addWidget(VariationStrip(shot.variations, shot.chosen, lambda k, i=i: self.choose(step, i, k)))
            made = f" <small>· upscaled {shot.upscaled}</small>" if shot.upscaled else ""
            text = QLabel(f"<b>Shot {shot.index}</b>{made}<br>{shot.text}")
            text.setWordWrap(True)
            text.setFixedWidth(FRAME_PX)
            box.addWidget(text)
            box.addStretch(1)
            grid.addLayout(box, 0, i)
        grid.setColumnStretch(len(d.shots), 1)
        self.inner.addLayout(grid)
        if d.body:
            self.inner.addWidget(heading(QLabel("Script"), 11))
            self.inner.addWidget(_browser(d.body, 260))
        self.inner.addWidget(
            _button("Copy shot list as Markdown", lambda: copy_text(d.markdown())), 0, Qt.AlignmentFlag.AlignLeft
        )

    def _show_report(self, d: Deliverable) -> None:
        self.inner.addWidget(
            _button("Copy as Markdown", lambda: copy_text(d.markdown())), 0, Qt.AlignmentFlag.AlignLeft
        )
        self.report = _browser(d.markdown().split("\n", 2)[-1], 560)
        self.inner.addWidget(self.report)

    def _export(self, zip_file: bool) -> None:
        if self.result is None:
            return
        base = f"{self.result.workflow}_run{self.result.run_id}"
        if zip_file:
            path, _ = QFileDialog.getSaveFileName(self, "Export run as ZIP", f"{base}.zip", "ZIP (*.zip)")
        else:
            path = QFileDialog.getExistingDirectory(self, "Export run into a new folder")
            path = str(Path(path) / base) if path else ""
        if path:
            self.export_to(Path(path))

    def export_to(self, dest: Path) -> Path | None:
        """Export the run (a .zip path gives a ZIP); reports success or the one-line error to the page."""
        try:
            written = export_run(self.result, dest)
        except SparklioError as exc:
            self.on_message(str(exc), "error")
            return None
        self.on_message(f"Exported run {self.result.run_id} to {written}", "ok")
        return written


def _drop_layout(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget():
            item.widget().deleteLater()
        elif item.layout():
            _drop_layout(item.layout())
