"""The Chat page: conversation list, message view, composer; sends, streams, stops, rates, regenerates."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from router.types import ImageInput, Message
from ui.chat.composer import Composer
from ui.chat.conversations import ConversationList
from ui.chat.edit_compare import EditCompareMixin
from ui.chat.header import ConversationHeader
from ui.chat.items import ChatItem, answer_sources
from ui.chat.knowledge_bar import KnowledgeBar
from ui.chat.message_view import MessageView
from ui.chat.popover import Popover
from ui.chat.slash import SlashPrompts
from ui.chat.stream import AnswerStream, preload, warm_request
from ui.chat.why import WhyPopover
from ui.welcome import EmptyState, needs_setup

log = logging.getLogger(__name__)


class ChatPage(EditCompareMixin, QWidget):
    """Chat with routing; `answerFinished(item)` fires after every request (ok, error or stopped)."""

    answerFinished = Signal(object)

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.conversation_id: int | None = None
        self.task: asyncio.Task | None = None
        self.stream: AnswerStream | None = None
        self._live_cid: int | None = None
        self._warm: asyncio.Future | None = None  # provider SDK preload, started on the first keystroke
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        split.setHandleWidth(1)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(split)
        self.conversations = ConversationList(controller, split)
        self.conversations.selected.connect(self.open_conversation)
        self.conversations.newRequested.connect(self.new_chat)
        right = QWidget(split)
        col = QVBoxLayout(right)
        col.setContentsMargins(0, 0, 0, 12)
        col.setSpacing(8)
        self.banner = QLabel("", right)
        self.banner.setObjectName("Banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.header = ConversationHeader(controller, right)
        self.header.renamed.connect(self.conversations.reload)
        self.header.branchSelected.connect(self.switch_branch)
        self.header.compareRequested.connect(self.open_compare)
        col.addWidget(self.header)
        self._editing: ChatItem | None = None  # a sent prompt being edited: sending it forks the conversation
        self.stack = QStackedWidget(right)
        self.empty = EmptyState(self.stack)
        self.empty.welcome.openSettings.connect(lambda: controller.navigate("settings"))
        self.empty.welcome.recheck.connect(self.recheck_setup)
        self.view = MessageView(self.stack)
        self.view.linkActivated.connect(self.on_link)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)
        col.addWidget(self.stack, 1)
        self.composer = Composer(right)
        self.composer.sendRequested.connect(self.send)
        self.composer.stopRequested.connect(self.stop)
        self.composer.edit.textChanged.connect(self.warm_up)
        self.slash = SlashPrompts(self.composer, lambda: controller.app)  # "/" inserts a saved prompt
        self.knowledge = KnowledgeBar(controller, self.ensure_conversation, right)
        self.composer.documentsPicked.connect(self.attach_documents)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(24, 0, 24, 0)
        bottom.addStretch(1)
        inner = QVBoxLayout()
        inner.addWidget(self.banner)
        inner.addWidget(self.knowledge)
        inner.addWidget(self.composer)
        holder = QWidget(right)
        holder.setLayout(inner)
        inner.setContentsMargins(0, 0, 0, 0)
        holder.setMaximumWidth(820)
        bottom.addWidget(holder, 10)
        bottom.addStretch(1)
        col.addLayout(bottom)
        split.addWidget(self.conversations)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 900])
        self.popover = Popover(self)
        self.why = WhyPopover(self)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.stop)
        controller.ready.connect(self.refresh)
        controller.catalogChanged.connect(self._catalog_changed)
        controller.appEvent.connect(self._on_app_event)
        controller.offlineChanged.connect(lambda _on: self._update_state())
        controller.appEvent.connect(self._batch_landed)
        controller.chatImagesPending.connect(self._take_images)
        self.composer.setEnabled(controller.app is not None)
        self._take_images()
        if controller.app is not None:
            self.refresh()

    def _batch_landed(self, event: Any) -> None:
        """A batch job ended: show its answers if they belong to the open conversation."""
        busy = self.task is not None and not self.task.done()
        if event.kind == "batch_done" and self.conversation_id is not None and not busy:
            self.open_conversation(self.conversation_id)

    # ---- page protocol ----
    def refresh(self) -> None:
        """Reload conversations, task types and models (called when the page is shown)."""
        app = self.controller.app
        if app is None:
            return
        self.composer.setEnabled(True)
        self.conversations.reload(self.conversation_id)
        try:
            self.composer.task.set_tasks(dict(app.policy.tasks))
        except Exception:
            log.exception("could not list task types")
        self._catalog_changed()

    def warm_up(self) -> asyncio.Future | None:
        """Preload the provider SDKs in a thread while the user types (the first answer then starts at once)."""
        app = self.controller.app
        if app is not None and self._warm is None:
            self._warm = preload(app)
        return self._warm

    def _catalog_changed(self) -> None:
        app = self.controller.app
        if app is None:
            return
        if self._warm is not None and self._warm.done():
            self._warm = None  # providers may have changed: preload again on the next keystroke
        try:
            models = [
                (s.model.id, s.model.name + (" — image" if s.model.kind == "image" else ""), s.available, s.why)
                for s in app.model_status()
                if s.model.kind in ("chat", "image")
            ]
        except Exception:
            log.exception("could not list models")
            models = []
        models.sort(key=lambda m: (not m[2], m[1].lower()))
        self.composer.routing.set_models(models)
        self._update_state()

    def recheck_setup(self) -> None:
        """Welcome panel 'Check again': probe Ollama, then re-evaluate."""
        if self.controller.app is not None:
            self.controller.spawn(self.controller.app.refresh_local())

    def _update_state(self) -> None:
        app = self.controller.app
        first = needs_setup(app)
        self.empty.set_first_run(first)
        offline = bool(app is not None and app.offline)
        self.banner.setText(
            "Offline mode: only models on this machine answer, and nothing leaves it. "
            "Click the Offline badge below to go back online."
            if offline
            else ""
        )
        self.banner.setVisible(offline)
        if self.view.store.rowCount() == 0:
            self.stack.setCurrentWidget(self.empty)

    # ---- conversations ----
    def new_chat(self) -> None:
        """Ctrl+N: an empty chat (stored on the first send)."""
        self.conversation_id = None
        self.conversations.select(None)
        self.view.show_messages([])
        self.stack.setCurrentWidget(self.empty)
        self.knowledge.reload(None)
        self.header.show_conversation(None)
        self._editing = None
        self.composer.edit.setFocus()

    def open_conversation(self, cid: int | None) -> None:
        """Show a stored conversation (None: a new chat)."""
        if cid is None:
            if self.conversation_id is not None and self.conversation_id not in self.conversations.ids():
                self.new_chat()
            return
        app = self.controller.app
        try:
            rows = app.conversations.messages(cid)
        except Exception as exc:
            self.controller.error(str(exc))
            return
        live = self.stream is not None and self._live_cid == cid and self.task is not None and not self.task.done()
        if live:
            rows = [r for r in rows if getattr(r, "status", "") != "pending"]
        self.conversation_id = cid
        self.view.show_messages(rows)
        if live and self.stream is not None:
            self.view.add(self.stream.item)
        self.stack.setCurrentWidget(self.view if self.view.store.rowCount() else self.empty)
        self.knowledge.reload(cid)
        self.header.show_conversation(cid)

    def ensure_conversation(self) -> int | None:
        """The current conversation's id, creating (and listing) it first when this is a new chat."""
        app = self.controller.app
        if app is None:
            return None
        if self.conversation_id is None:
            self.conversation_id = app.conversations.create().id
            self.conversations.reload(self.conversation_id)
        return self.conversation_id

    def _take_images(self) -> None:
        """Images another page sent here ("Attach to chat" in the gallery) join the composer."""
        if hasattr(self.controller, "take_chat_images"):
            self.composer.add_images(self.controller.take_chat_images())

    def attach_documents(self, paths: list) -> asyncio.Task | None:
        """Add files or folders to this conversation's documents (in the background; errors reported as a line)."""
        return self.knowledge.attach_paths(paths)

    # ---- sending ----
    def send(
        self,
        text: str,
        images: list[ImageInput] | None = None,
        *,
        model: str | None = None,
        answer_to: int | None = None,
    ) -> None:
        """Send `text` (+ images) in the current conversation and stream the answer.

        `answer_to`: regenerate the answer to that stored question (the facade loads it and the history before it).
        """
        app = self.controller.app
        if app is None or self.busy:
            return
        images, regenerate = list(images or []), answer_to is not None
        try:
            if self._editing is not None and not regenerate:
                self._fork_for_edit()
            if self.conversation_id is None:
                self.conversation_id = app.conversations.create().id
            routing = self.composer.routing.values()
            if model is not None:
                routing["model"] = model
            request = app.chat.request(
                self.conversation_id,
                Message("user", text, images),
                answer_to=answer_to,
                task=self.composer.task.task(),
                use_cache=not regenerate,
                **routing,
            )
        except Exception as exc:
            self.controller.error(str(exc))
            return
        user = ChatItem("user", text, images=[i.name or "image" for i in images], image_data=images)
        answer = ChatItem("assistant", "", status="streaming", meta={"progress": "Choosing a model…"})
        self.stack.setCurrentWidget(self.view)
        if not regenerate:
            self.view.add(user)
        self.view.add(answer)
        if request.task is not None and not regenerate:  # the user overrode Auto in the composer: Auto learns
            _note_choice(app, text, bool(images), request.task, request.complexity, self.controller.error)
        self.composer.clear()
        self.composer.set_busy(True)
        self._live_cid = self.conversation_id
        # This answer waits only for its own provider's SDK (typing started loading the others in the background).
        self.stream = AnswerStream(
            app,
            request,
            answer,
            self.view.refresh_item,
            prepare=warm_request(app, request),
            store_user=not regenerate,
            user=user,
        )
        self.task = self.controller.spawn(self.stream.run())
        self.task.add_done_callback(lambda t, s=self.stream, u=user: self._finished(s, u))
        self.conversations.reload(self.conversation_id)

    @property
    def busy(self) -> bool:
        """True while an answer streams."""
        return self.task is not None and not self.task.done()

    def stop(self) -> None:
        """Stop the running answer (the partial text stays, marked stopped)."""
        if self.busy:
            self.task.cancel()

    def _finished(self, stream: AnswerStream, user: ChatItem) -> None:
        self.composer.set_busy(False)
        if stream.error is not None and not self.composer.text().strip():
            self.composer.set_text(user.text)  # the user's words are never lost
            self.composer.add_images(user.image_data)
        self.conversations.reload(self.conversation_id)
        self.header.show_conversation(self.conversation_id)
        self.controller.ledger_changed()
        self.composer.edit.setFocus()
        self.answerFinished.emit(stream.item)

    def _on_app_event(self, event: Any) -> None:
        """GPU arbitration steps show in the answer being made (the status bar shows them too)."""
        if event.kind == "gpu_notice" and self.stream is not None and self.task is not None and not self.task.done():
            self.stream.notice(event.message)

    # ---- footer links ----
    def on_link(self, item: ChatItem, href: str, pos: QPoint) -> None:
        """why? / stars / regenerate / retry / navigation links in a message."""
        kind, _, arg = href.partition(":")
        if kind == "why":
            self.why.show_plan(item.meta.get("plan") or "No explanation was recorded.", pos, emphasis=item.model)
        elif kind == "rate":
            self.rate(item, int(arg))
        elif kind == "wrongtask":
            from ui.chat.correction import task_menu

            self._menu = task_menu(self, item, pos)
        elif kind == "regen":
            self.regenerate_menu(item, pos)
        elif kind == "retry":
            self.retry(item)
        elif kind == "nav":
            self.controller.navigate(arg)
        elif kind == "src":
            self.popover.show_text("Sources", sources_text(item.meta), pos)
        elif kind == "edit":
            self.edit_message(item)
        elif kind == "studio":  # a chat image opens in Images → Edit (ui/pages/images_edit.py)
            from ui.pages.images_edit import chat_item_images

            images = chat_item_images(item)
            if images:
                self.controller.editImageRequested.emit(images[0], arg)

    def rate(self, item: ChatItem, stars: int) -> None:
        """Save a 1–5 star rating (the learner uses it) and show it."""
        app = self.controller.app
        if item.id is None or app is None:
            return
        try:
            app.rate(item.id, stars)  # the facade keeps the stars with the message too
            item.meta["stars"] = stars
        except Exception as exc:
            self.controller.error(str(exc))
            return
        self.view.refresh_item(item)

    def _prompt_before(self, item: ChatItem) -> int:
        row = self.view.store.row_of(item)
        for i in range(row - 1, -1, -1):
            if self.view.store.items[i].role == "user":
                return i
        return -1

    def regenerate_menu(self, item: ChatItem, pos: QPoint) -> None:
        """'Regenerate with…': every other model of the answer's kind (image answers: image models with price)."""
        app = self.controller.app
        if app is None:
            return
        kind = "image" if item.meta.get("image") else "chat"
        menu = QMenu(self)
        for s in app.model_status():
            if s.model.kind != kind or s.model.id == item.model:
                continue
            label = s.model.name if kind == "chat" else f"{s.model.name} — {image_price_label(s.model)}"
            act = menu.addAction(label, lambda m=s.model.id: self.regenerate(item, m))
            act.setEnabled(s.available)
            act.setToolTip(s.why)
        if menu.isEmpty():
            menu.addAction("No other model is available").setEnabled(False)
        menu.popup(pos)
        self._menu = menu

    def regenerate(self, item: ChatItem, model: str | None) -> None:
        """Ask the same question again, pinned to `model`."""
        row = self._prompt_before(item)
        if row < 0 or self.busy:
            return
        prompt = self.view.store.items[row]
        if prompt.id is None:  # never stored (the store refused it): nothing to answer again
            self.controller.error("This question was not saved, so it cannot be asked again: send it anew.")
            return
        self.send(prompt.text, model=model, answer_to=prompt.id)

    def retry(self, item: ChatItem) -> None:
        """'Try again' on a failed answer (the prompt put back in the composer is not sent twice)."""
        row = self._prompt_before(item)
        if row >= 0 and self.composer.text().strip() == self.view.store.items[row].text.strip():
            self.composer.clear()
        self.regenerate(item, None)


def image_price_label(model: Any) -> str:
    """ "free, on this machine" or the price of one image at the chat's size."""
    from router.chat_images import chat_image_size
    from ui.widgets.format import money

    return "free, on this machine" if model.local else f"{money(model.image_price(chat_image_size(model)))} per image"


def _note_choice(app: Any, text: str, has_image: bool, task: str, complexity: str | None, report: Any) -> None:
    """A task picked in the composer that Auto would have got wrong becomes a correction."""
    auto = getattr(app, "auto", None)
    if auto is None:
        return
    try:
        auto.note_choice(text, has_image, task, complexity)
    except Exception as exc:  # never blocks sending; the reason is shown
        log.warning("could not record the task choice: %s", exc)
        report(str(exc))


def sources_text(meta: dict) -> str:
    """The answer's passages, one per line: label, file and similarity."""
    used, note = answer_sources(meta)
    lines = [
        f"[{i}] {s.get('label', '')} — {s.get('path') or '?'} (similarity {float(s.get('score') or 0):.2f})"
        for i, s in enumerate(used, 1)
    ]
    return "\n".join(lines + ([note] if note else [])) or "No documents were used."
