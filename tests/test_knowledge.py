"""Knowledge: chunking, embedding through the router (fake OpenAI / fake Ollama), SQLite vectors, cosine retrieval."""

from __future__ import annotations

import asyncio
import hashlib
import math
import re

import pytest

from router.errors import SparklioError
from router.knowledge import Knowledge, KnowledgeChunk, KnowledgeSource, _pack, chunk_text, cosine_top
from router.store.models import LlmUsage
from router.types import Message
from tests.conftest import catalog_api_models, make_cloud_app
from tests.fakes.openai_server import FakeOpenAI

DIM = 64


def bag_of_words(text: str, dim: int = DIM) -> list[float]:
    """A tiny semantic-ish embedding: hashed word counts (so shared words mean similar vectors)."""
    v = [0.0] * dim
    for w in re.findall(r"[a-z]+", text.lower()):
        if len(w) > 3:
            v[int(hashlib.md5(w.encode()).hexdigest(), 16) % dim] += 1.0
    return v


class WordsOpenAI(FakeOpenAI):
    """The fake OpenAI server with a bag-of-words embedding model (same wire format)."""

    def _embeddings(self, ex):
        body = ex.request.json or {}
        texts = [body["input"]] if isinstance(body["input"], str) else list(body["input"])
        data = [{"object": "embedding", "index": i, "embedding": bag_of_words(t)} for i, t in enumerate(texts)]
        tokens = sum(len(t.split()) for t in texts)
        ex.send_json(
            {
                "object": "list",
                "data": data,
                "model": body.get("model"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )


DOC = """Sourdough starter care

Feed the starter every day with equal weights of flour and water. Keep it at room temperature and discard half
before each feeding so the culture stays lively.

Oven and baking

Preheat the oven with a Dutch oven inside to 250 degrees. Bake covered for twenty minutes, then uncovered until
the crust is deep brown.

Shop opening hours

The bakery opens at seven on weekdays and eight on weekends. Closed on public holidays.
"""


@pytest.fixture
def openai_words():
    with WordsOpenAI(models=catalog_api_models("openai")) as server:
        yield server


@pytest.fixture
def app(data_dir, memory_keyring, openai_words):
    app = make_cloud_app(data_dir, memory_keyring, openai=openai_words)
    yield app
    asyncio.run(app.aclose())


def test_chunks_follow_paragraphs_and_overlap():
    text = "\n\n".join(f"Paragraph {i}. " + "word " * 30 for i in range(10))
    chunks = chunk_text(text, size=400, overlap=200)
    assert all(len(c.text) <= 400 for c in chunks)
    assert all(c.text == text[c.start : c.end] for c in chunks)
    assert all(c.text.startswith("Paragraph") for c in chunks)  # cut on paragraph boundaries
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    assert any(b.start < a.end for a, b in zip(chunks, chunks[1:]))  # overlap repeats a paragraph


def test_long_paragraph_is_cut_at_sentences_with_overlap():
    text = "The crumb is open and glossy. " * 80
    chunks = chunk_text(text, size=800, overlap=150)
    assert len(chunks) >= 3 and all(len(c.text) <= 800 for c in chunks)
    assert all(b.start < a.end for a, b in zip(chunks, chunks[1:]))
    assert all(c.text.rstrip().endswith(".") for c in chunks)


def test_cosine_top():
    vecs = [_pack([1.0, 0.0]), _pack([0.7, 0.7]), _pack([0.0, 1.0])]
    top = cosine_top([0.0, 2.0], vecs, 2)
    assert [i for i, _ in top] == [2, 1]
    assert top[0][1] == pytest.approx(1.0) and top[1][1] == pytest.approx(math.sqrt(0.5), rel=1e-3)


async def test_attach_search_and_augment(app, openai_words, tmp_path):
    doc = tmp_path / "bakery.md"
    doc.write_text(DOC, encoding="utf-8")
    conv = app.conversations.create("Bakery")
    kb = Knowledge(app, chunk_chars=220, overlap=60)
    report = await kb.attach(conv.id, doc)
    src = report.sources[0]
    assert src.name == "bakery.md" and src.chunks >= 3 and src.embed_model == "text-embedding-3-small"
    rows = list(KnowledgeChunk.select().where(KnowledgeChunk.source == src.id))
    assert all(len(bytes(r.embedding)) == 4 * DIM and r.dims == DIM for r in rows)
    assert LlmUsage.select().where(LlmUsage.kind == "embed").count() >= 1  # embeddings are in the ledger
    passages = await kb.search(conv.id, "When does the bakery open on weekends?", k=2)
    assert "opens at seven" in passages[0].text and passages[0].source == "bakery.md"
    assert passages[0].score > passages[1].score
    msgs, used = await kb.augment([Message("user", "How often should I feed my starter?")], conv.id, k=1)
    assert [m.role for m in msgs] == ["system", "user"]
    assert "Feed the starter every day" in msgs[0].content and "[1] bakery.md, passage" in msgs[0].content
    assert used[0].label.startswith("bakery.md, passage")
    # Another conversation does not see this document.
    other = app.conversations.create("Other")
    assert await kb.search(other.id, "starter", k=2) == []


async def test_reattach_unchanged_is_free_and_changed_reindexes(app, openai_words, tmp_path):
    doc = tmp_path / "notes.txt"
    doc.write_text(DOC)
    kb = Knowledge(app)
    first = (await kb.attach(None, doc)).sources[0]
    calls = len(openai_words.requests)
    again = (await kb.attach(None, doc)).sources[0]
    assert again.id == first.id and len(openai_words.requests) == calls
    doc.write_text(DOC + "\n\nNew: gluten-free loaves on Fridays.\n")
    changed = (await kb.attach(None, doc)).sources[0]
    assert changed.sha256 != first.sha256 and KnowledgeSource.select().count() == 1
    texts = [c.text for c in KnowledgeChunk.select().where(KnowledgeChunk.source == changed.id)]
    assert any("gluten-free" in t for t in texts) and len(openai_words.requests) > calls


async def test_folder_attach_skips_what_it_cannot_read(app, tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.md").write_text("Alpha document about rye bread.")
    (folder / "sub" / "b.py").write_text("def bake():\n    return 'bread'\n")
    (folder / "data.json").write_text('{"loaves": 12}')
    (folder / "empty.txt").write_text("   \n")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    (folder / ".hidden.md").write_text("secret")
    with pytest.raises(SparklioError, match="conversation 999 does not exist"):
        await Knowledge(app).attach(999, folder)
    report = await Knowledge(app).attach(app.conversations.create("Docs").id, folder)
    assert sorted(s.name for s in report.sources) == ["a.md", "b.py", "data.json"]
    assert ("empty.txt", "empty.txt is empty: there is no text to add") in report.skipped
    assert ("photo.png", "not a text document") in report.skipped
    assert all(name != ".hidden.md" for name, _ in report.skipped)


async def test_empty_document_names_it(app, tmp_path):
    doc = tmp_path / "blank.md"
    doc.write_text("\n\n   \n")
    with pytest.raises(SparklioError, match=r"^blank.md is empty: there is no text to add$"):
        await Knowledge(app).attach(None, doc)
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    with pytest.raises(SparklioError, match="No document in nothing could be added"):
        await Knowledge(app).attach(None, empty_dir)


async def test_unsupported_and_pdf_without_library(app, tmp_path):
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%fake\n")
    try:
        import pypdf  # noqa: F401
    except ImportError:
        with pytest.raises(SparklioError, match="guide.pdf: PDF text extraction needs the optional pypdf"):
            await Knowledge(app).attach(None, pdf)
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"abc\x00\x01\x02" * 10)
    with pytest.raises(SparklioError, match="blob.txt looks like a binary file"):
        await Knowledge(app).attach(None, binary)


async def test_offline_uses_an_ollama_embedding_model(data_dir, memory_keyring, openai_words, tmp_path):
    from tests.fakes.ollama_server import FakeOllama

    with FakeOllama() as ollama:
        app = make_cloud_app(data_dir, memory_keyring, openai=openai_words)
        try:
            app.settings.set("endpoints", {**app.settings.get("endpoints"), "ollama": ollama.url})
            assert await app.refresh_local()
            app.set_offline(True)
            doc = tmp_path / "offline.md"
            doc.write_text(DOC)
            kb = Knowledge(app)
            src = (await kb.attach(None, doc)).sources[0]
            model = app.catalog.get(src.embed_model)
            assert model.provider == "ollama" and model.kind == "embedding"
            assert not any(r.path == "/v1/embeddings" for r in openai_words.requests)
            hits = await kb.search(None, "bakery opening hours", k=1)
            assert hits and hits[0].source == "offline.md"
        finally:
            await app.aclose()
