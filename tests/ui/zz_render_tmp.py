from tests.ui.test_chat import NOTES, WordsOpenAI, fake_openai, send  # noqa: F401


def test_render(qtbot, qloop, chat, facade, fake_openai, tmp_path):
    doc = tmp_path / "falcon-notes.md"
    doc.write_text(NOTES, encoding="utf-8")
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "requirements.txt").write_text("The Falcon launch window requires a dry runway.", encoding="utf-8")
    (folder / "logo.png").write_bytes(b"\x89PNG")
    t = chat.attach_documents([doc, folder])
    qloop.until(lambda: t.done())
    fake_openai.reply_text = "The launch window opens on **14 March**, with 2 April as the backup date [1]."
    send(qtbot, qloop, chat, "When does the Falcon launch window open?")
    chat.window().resize(1200, 780)
    qloop.spin(0.2)
    chat.window().grab().save("/tmp/chat_docs.png")
    chat.composer.attach_menu.popup(chat.composer.attach_button.mapToGlobal(chat.composer.attach_button.rect().bottomLeft()))
    qloop.spin(0.1)
    chat.composer.attach_menu.grab().save("/tmp/chat_menu.png")
