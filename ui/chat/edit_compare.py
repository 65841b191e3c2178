"""Chat page actions: edit a sent prompt and resend it as a new branch, switch branches, open Compare."""

from __future__ import annotations

from typing import Any

from ui.chat.items import ChatItem


class EditCompareMixin:
    """Mixed into ChatPage (uses its view, composer, conversations, header and controller)."""

    def edit_message(self, item: ChatItem) -> None:
        """Put a sent prompt back in the composer; sending it starts a new branch (the original stays)."""
        if self.busy or item.role != "user":
            return
        self._editing = item
        self.composer.set_text(item.text)
        self.composer.edit.setFocus()
        self.controller.info(
            "Editing a sent message: sending it starts a new branch; the original stays (switch with ‹ › at the top)."
        )

    def _fork_for_edit(self) -> None:
        from router.conversation_tools import fork  # peewee: kept off the start-up path

        item, self._editing = self._editing, None
        app = self.controller.app
        if item.id is None or self.conversation_id is None:
            return
        self.conversation_id = fork(app, self.conversation_id, item.id)
        self.view.show_messages(app.conversations.messages(self.conversation_id))
        self.conversations.reload(self.conversation_id)
        self.header.show_conversation(self.conversation_id)

    def switch_branch(self, cid: int) -> None:
        """Show another branch of this conversation."""
        if not self.busy:
            self.conversations.select(cid)
            self.open_conversation(cid)

    def open_compare(self) -> Any:
        """The side-by-side compare window, seeded with the composer's text and task."""
        from ui.chat.compare import CompareDialog

        if self.controller.app is None:
            return None
        self.compare_dialog = CompareDialog(self.controller, self.composer.text(), self.composer.task.task(), self)
        self.compare_dialog.show()
        return self.compare_dialog
