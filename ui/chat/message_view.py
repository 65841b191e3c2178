"""The message list: a QListView whose delegate renders each message lazily, only when it is painted."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QGuiApplication, QPalette, QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QListView, QMenu, QStyledItemDelegate, QToolTip, QWidget

from ui import theme
from ui.chat.documents import StreamDocs, make_doc
from ui.chat.items import ChatItem, item_html, source_tooltip
from ui.chat.markdown import document_css
from ui.chat.message_model import ItemRole, MessageModel
from ui.chat.popover import show_text_dialog

PAD_X, MAX_W, ROW_PAD, BUBBLE_X, BUBBLE_Y = 24, 780, 8, 14, 10
FRAME_MS = 16  # changed items are re-rendered together at most once a frame (60 Hz)


@dataclass
class RowLayout:
    """Where an item's documents (stacked top to bottom) and bubble sit inside its row."""

    docs: list[QTextDocument]
    doc_pos: QPoint
    bubble: QRect | None
    height: int

    @property
    def doc(self) -> QTextDocument:
        """The first (usually only) document."""
        return self.docs[0]

    def placed(self) -> list[tuple[QTextDocument, int]]:
        """Each document with its y offset from `doc_pos`."""
        out, y = [], 0
        for d in self.docs:
            out.append((d, y))
            y += math.ceil(d.size().height())
        return out


class MessageDelegate(QStyledItemDelegate):
    """Builds a QTextDocument per message on first paint, and estimates heights for the rest."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view
        self.generation = 0  # bumped on theme change
        self._resize_rows: set[int] = set()
        self._resize_timer = QTimer(self, singleShot=True, interval=0)  # owned: dies with the delegate
        self._resize_timer.timeout.connect(self._flush_resize)
        self.render_count = 0  # documents built (for tests / benchmarks)

    def invalidate(self) -> None:
        """Forget every cached document (theme or font change)."""
        self.generation += 1

    def _content(self, width: int) -> tuple[int, int]:
        cw = max(min(MAX_W, width - 2 * PAD_X), 120)
        return max((width - cw) // 2, 0), cw

    def _text_width(self, item: ChatItem, cw: int) -> int:
        if item.role == "user":
            return int(cw * 0.8) - 2 * BUBBLE_X
        if item.role == "error":
            return cw - 2 * BUBBLE_X
        return cw

    def layout(self, item: ChatItem, width: int) -> RowLayout:
        """The exact layout of `item` at this row width (builds its document if needed)."""
        colors = theme.current().colors
        left, cw = self._content(width)
        tw = self._text_width(item, cw)
        cache = item.cache
        if item.status == "streaming":
            docs = self._streaming(item, tw, colors)
        else:
            cache.pop("stream", None)
            doc: QTextDocument | None = cache.get("doc")
            if doc is None or cache.get("rkey") != (item.rev, self.generation):
                rendered = item_html(item, colors)
                doc = make_doc(rendered.html, self.view.font(), colors)
                cache.update(doc=doc, rkey=(item.rev, self.generation), code=rendered.code_blocks, wkey=None)
                self.render_count += 1
            if cache.get("wkey") != tw:
                doc.setTextWidth(tw)
                if item.role == "user":
                    ideal = math.ceil(doc.idealWidth()) + 1
                    if ideal < tw:
                        doc.setTextWidth(ideal)
                cache["wkey"] = tw
            docs = [doc]
        dw = int(docs[0].textWidth())
        dh = sum(math.ceil(d.size().height()) for d in docs)
        if item.role in ("user", "error"):
            bw, bh = dw + 2 * BUBBLE_X, dh + 2 * BUBBLE_Y
            bx = left + cw - bw if item.role == "user" else left
            bubble = QRect(bx, ROW_PAD, bw, bh)
            return RowLayout(docs, QPoint(bx + BUBBLE_X, ROW_PAD + BUBBLE_Y), bubble, bh + 2 * ROW_PAD)
        return RowLayout(docs, QPoint(left, ROW_PAD + 4), None, dh + 2 * ROW_PAD + 8)

    def _streaming(self, item: ChatItem, tw: int, colors: dict[str, str]) -> list[QTextDocument]:
        """Documents of a streaming answer: finished blocks are kept, only the tail is re-rendered."""
        cache = item.cache
        stream: StreamDocs | None = cache.get("stream")
        if stream is None or stream.generation != self.generation:
            stream = cache["stream"] = StreamDocs(self.generation)
        if cache.get("skey") != item.rev:
            stream.update(item.text, item.meta.get("progress") or "Thinking…", self.view.font(), colors)
            cache.update(skey=item.rev, code=stream.code_blocks, rkey=(item.rev, self.generation), doc=stream.tail)
            self.render_count += 1
        stream.set_width(tw)
        return stream.docs()

    def estimate(self, item: ChatItem, width: int) -> int:
        """A cheap height guess for rows never painted (corrected on first paint)."""
        key = (item.rev, width)
        if item.cache.get("ekey") == key:
            return item.cache["est"]
        _, cw = self._content(width)
        per_line = max(int(self._text_width(item, cw) / 7.4), 10)
        lines = sum(max(1, -(-len(line) // per_line)) for line in item.text.split("\n"))
        extra = 2 * ROW_PAD + (2 * BUBBLE_Y if item.role != "assistant" else 48)
        est = min(lines, 4000) * 20 + extra
        item.cache.update(ekey=key, est=est)
        return est

    def sizeHint(self, option: Any, index: QModelIndex) -> QSize:
        item: ChatItem = index.data(ItemRole)
        width = self.view.viewport().width()
        cache = item.cache
        if cache.get("doc") is not None and cache.get("rkey") == (item.rev, self.generation):
            return QSize(width, self.layout(item, width).height)
        return QSize(width, self.estimate(item, width))

    def paint(self, painter: Any, option: Any, index: QModelIndex) -> None:
        item: ChatItem = index.data(ItemRole)
        rect: QRect = option.rect
        lay = self.layout(item, rect.width())
        if lay.height != rect.height():
            self._queue_resize(index.row())
        colors = theme.current().colors
        painter.save()
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        if lay.bubble is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colors["user_bubble"] if item.role == "user" else colors["danger_soft"]))
            painter.drawRoundedRect(lay.bubble.translated(rect.topLeft()), 12, 12)
        painter.translate(rect.topLeft() + lay.doc_pos)
        # only what the viewport shows is drawn (a long answer can be many screens tall)
        visible = QRectF(self.view.viewport().rect().intersected(rect).translated(-rect.topLeft() - lay.doc_pos))
        for doc, y in lay.placed():
            h = doc.size().height()
            if y + h < visible.top() or y > visible.bottom() + 1:
                continue
            ctx = QAbstractTextDocumentLayout.PaintContext()
            ctx.palette.setColor(QPalette.ColorRole.Text, QColor(colors["text"]))
            ctx.clip = QRectF(0, 0, doc.textWidth(), h).intersected(visible.translated(0, -y))
            painter.save()
            painter.translate(0, y)
            doc.documentLayout().draw(painter, ctx)
            painter.restore()
        painter.restore()

    def _queue_resize(self, row: int) -> None:
        self._resize_rows.add(row)
        if not self._resize_timer.isActive():
            self._resize_timer.start()

    def _flush_resize(self) -> None:
        rows, self._resize_rows = self._resize_rows, set()
        model = self.view.model()
        rows = {r for r in rows if r < model.rowCount()}
        if rows:  # the view lays every row out again on each emit: once is enough for all of them
            self.sizeHintChanged.emit(model.index(min(rows)))


class MessageView(QListView):
    """Scrolls per pixel, sticks to the bottom while answers stream, loads older rows near the top."""

    linkActivated = Signal(object, str, QPoint)  # item, href, global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageView")
        self.store = MessageModel(self)
        self.setModel(self.store)
        self.delegate = MessageDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMouseTracking(True)
        self.setUniformItemSizes(False)
        self.verticalScrollBar().setSingleStep(24)
        self._stick = True
        self._dirty: dict[ChatItem, None] = {}  # items changed since the last frame, in order
        self._frame = QTimer(self, singleShot=True, interval=FRAME_MS)
        self._frame.timeout.connect(self.flush_changes)
        self.frames = 0  # frames that re-rendered something (for tests and benchmarks)
        self._older_timer = QTimer(self, singleShot=True, interval=0)
        self._older_timer.timeout.connect(self._load_older)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scroll)
        bar.rangeChanged.connect(self._on_range)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        theme.current().changed.connect(self._theme_changed)

    # ---- content ----
    def show_messages(self, rows: list[Any]) -> None:
        """Replace the content with a stored conversation and jump to its end."""
        self.store.reset(rows)
        self._stick = True
        width = self.viewport().width()
        for item in self.store.items[-12:]:  # exact heights for what the first frame shows
            self.delegate.layout(item, width)
        self.scrollToBottom()

    def add(self, item: ChatItem) -> None:
        """Append a live message and follow it."""
        self._stick = True
        self.store.append(item)
        self.scrollToBottom()

    def refresh_item(self, item: ChatItem) -> None:
        """Re-render `item` after its text or meta changed: a streaming answer at the next frame, together with
        every other changed one (however many deltas arrived); anything else (the finished answer) at once."""
        if item.status != "streaming":
            self._dirty.pop(item, None)
            self.store.changed(item)
            return
        self._dirty[item] = None
        if not self._frame.isActive():
            self._frame.start()

    def flush_changes(self) -> None:
        """Re-render every item changed since the last frame now (one revision and one repaint each)."""
        self._frame.stop()
        dirty, self._dirty = list(self._dirty), {}
        for item in dirty:
            self.store.changed(item)
        self.frames += bool(dirty)

    # ---- scrolling ----
    def _on_scroll(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick = value >= bar.maximum() - 4
        if value <= 40 and self.store.has_older():
            self._older_timer.start()

    def _on_range(self, _lo: int, hi: int) -> None:
        if self._stick:
            self.verticalScrollBar().setValue(hi)

    def _load_older(self) -> None:
        bar = self.verticalScrollBar()
        if bar.value() > 40 or not self.store.has_older():
            return
        before_max, before_val = bar.maximum(), bar.value()
        self.store.load_older()
        self.executeDelayedItemsLayout()
        bar.setValue(before_val + (bar.maximum() - before_max))

    def _theme_changed(self) -> None:
        self.delegate.invalidate()
        self.scheduleDelayedItemsLayout()
        self.viewport().update()

    # ---- links and menus ----
    def anchor_at(self, pos: QPoint) -> tuple[ChatItem | None, str]:
        """The message and link under a viewport position ('' when not on a link)."""
        index = self.indexAt(pos)
        if not index.isValid():
            return None, ""
        item: ChatItem = index.data(ItemRole)
        rect = self.visualRect(index)
        lay = self.delegate.layout(item, rect.width())
        local = QPointF(pos - rect.topLeft() - lay.doc_pos)
        for doc, y in lay.placed():
            if y <= local.y() < y + doc.size().height():
                return item, doc.documentLayout().anchorAt(local - QPointF(0, y))
        return item, ""

    def mouseMoveEvent(self, event: Any) -> None:
        item, href = self.anchor_at(event.position().toPoint())
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if href else Qt.CursorShape.ArrowCursor)
        if item is not None and href.startswith("src:"):  # a source: its file and similarity
            QToolTip.showText(event.globalPosition().toPoint(), source_tooltip(item.meta, href), self.viewport())
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: Any) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            item, href = self.anchor_at(event.position().toPoint())
            if item is not None and href:
                self.activate(item, href, event.globalPosition().toPoint())
                return
        super().mouseReleaseEvent(event)

    def activate(self, item: ChatItem, href: str, global_pos: QPoint | None = None) -> None:
        """Follow a link of `item`: copy links are handled here, the rest go to `linkActivated`."""
        if href == "copy:msg":
            QGuiApplication.clipboard().setText(item.text)
        elif href.startswith("copy:code:"):
            blocks = item.cache.get("code") or []
            i = int(href.rsplit(":", 1)[1])
            if i < len(blocks):
                QGuiApplication.clipboard().setText(blocks[i])
        else:
            self.linkActivated.emit(item, href, global_pos or self.mapToGlobal(QPoint(0, 0)))

    def _context_menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if not index.isValid():
            return
        item: ChatItem = index.data(ItemRole)
        menu = QMenu(self)
        menu.addAction("Copy message", lambda: self.activate(item, "copy:msg"))
        for i, _code in enumerate(item.cache.get("code") or []):
            menu.addAction(f"Copy code block {i + 1}", lambda i=i: self.activate(item, f"copy:code:{i}"))
        menu.addAction("Select text…", lambda: self._select_text(item))
        if item.images or item.image_paths or (item.meta.get("image") or {}).get("paths"):
            menu.addAction("Open image in the image studio", lambda: self.activate(item, "studio:img2img"))
            menu.addAction("Inpaint image in the image studio", lambda: self.activate(item, "studio:inpaint"))
        menu.exec(self.viewport().mapToGlobal(pos))

    def _select_text(self, item: ChatItem) -> None:
        show_text_dialog(self, item_html(item, theme.current().colors).html, document_css(theme.current().colors))
