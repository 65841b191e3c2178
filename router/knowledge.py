"""Knowledge (RAG): documents attached to a conversation, chunked, embedded via the router, searched by cosine."""

from __future__ import annotations

import hashlib
import re
import time
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee

from router.errors import SparklioError
from router.store.db import database
from router.store.models import BaseModel
from router.types import Message

TEXT_SUFFIXES = frozenset(
    {
        ".txt",
        ".md",
        ".markdown",
        ".rst",
        ".csv",
        ".tsv",
        ".py",
        ".json",
        ".toml",
        ".yaml",
        ".yml",
        ".html",
        ".htm",
        ".xml",
        ".sql",
        ".js",
        ".ts",
        ".log",
        ".ini",
        ".cfg",
    }
)
MAX_FILE_BYTES = 20 * 1024 * 1024
CHUNK_CHARS = 800
OVERLAP_CHARS = 150
EMBED_BATCH = 64


class KnowledgeSource(BaseModel):
    """One document attached to a conversation (NULL conversation = available everywhere)."""

    id = peewee.AutoField()
    conversation_id = peewee.IntegerField(null=True)
    path = peewee.TextField()
    name = peewee.TextField()
    kind = peewee.TextField()
    sha256 = peewee.TextField()
    chars = peewee.IntegerField(default=0)
    chunks = peewee.IntegerField(default=0)
    embed_model = peewee.TextField(null=True)
    dims = peewee.IntegerField(null=True)
    added_at = peewee.FloatField(default=time.time)

    class Meta:
        table_name = "knowledge_sources"


class KnowledgeChunk(BaseModel):
    """A passage of a document with its float32 embedding."""

    id = peewee.AutoField()
    source_id: int  # peewee's accessor for the foreign key's raw value
    source = peewee.ForeignKeyField(KnowledgeSource, backref="chunk_rows", on_delete="CASCADE", column_name="source_id")
    position = peewee.IntegerField()
    start = peewee.IntegerField()
    end = peewee.IntegerField()
    text = peewee.TextField()
    model = peewee.TextField(null=True)
    dims = peewee.IntegerField(null=True)
    embedding = peewee.BlobField(null=True)

    class Meta:
        table_name = "knowledge_chunks"


@dataclass(frozen=True)
class Chunk:
    """A span of a document: [start, end) character offsets and the text."""

    position: int
    start: int
    end: int
    text: str


@dataclass
class Passage:
    """A retrieved chunk with its source and cosine score."""

    source_id: int
    source: str
    path: str
    position: int
    start: int
    end: int
    text: str
    score: float

    @property
    def label(self) -> str:
        """'notes.md, passage 3' for answer footers."""
        return f"{self.source}, passage {self.position + 1}"


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of blank-line separated paragraphs, whitespace trimmed."""
    spans = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", text, re.S):
        spans.append((m.start(), m.end()))
    return spans


def _split_long(text: str, start: int, end: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Cut a paragraph longer than `size` at sentence or word boundaries, consecutive pieces overlapping."""
    pieces = []
    s = start
    while s < end:
        e = min(s + size, end)
        if e < end:
            window = text[s:e]
            cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "), window.rfind("\n"))
            if cut < size // 2:
                cut = window.rfind(" ")
            if cut >= size // 4:
                e = s + cut + 1
        pieces.append((s, e))
        if e >= end:
            break
        nxt = max(e - overlap, s + 1)
        sp = text.find(" ", nxt, e)
        s = sp + 1 if 0 <= sp < e - 1 else nxt
    return pieces


def chunk_text(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[Chunk]:
    """~`size`-character chunks on paragraph boundaries; each repeats the short tail paragraph(s) of the one before."""
    spans: list[tuple[int, int]] = []
    for s, e in _paragraphs(text):
        spans.extend(_split_long(text, s, e, size, overlap) if e - s > size else [(s, e)])
    chunks: list[Chunk] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= size:
            j += 1
        start, end = spans[i][0], spans[j][1]
        chunks.append(Chunk(len(chunks), start, end, text[start:end]))
        if j + 1 >= len(spans):
            break
        # Overlap: begin the next chunk at the earliest trailing paragraph within `overlap` characters of the
        # end, provided the next paragraph still fits with it (so every chunk adds new text).
        nxt = j + 1
        for k in range(i + 1, j + 1):
            if end - spans[k][0] <= overlap and spans[j + 1][1] - spans[k][0] <= size:
                nxt = k
                break
        i = nxt
    return chunks


def read_document(path: Path) -> str:
    """The text of a supported document (PDF only when pypdf is installed); clear errors otherwise."""
    from router.workflows.datafile import decode_text

    suffix = path.suffix.lower()
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SparklioError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB: split it or attach a summary")
    if suffix == ".pdf":
        try:
            from pypdf import PdfReader  # pyright: ignore[reportMissingImports] - optional; not a dependency
        except ImportError:
            raise SparklioError(
                f"{path.name}: PDF text extraction needs the optional pypdf package; "
                "save the document as text or Markdown instead"
            ) from None
        return "\n\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    if suffix not in TEXT_SUFFIXES:
        raise SparklioError(
            f"{path.name}: {suffix or 'files without an extension'} cannot be read as text "
            f"(supported: {', '.join(sorted(TEXT_SUFFIXES))})"
        )
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SparklioError(f"{path.name} looks like a binary file, not text")
    return decode_text(data)[0]


def _pack(vector: list[float]) -> bytes:
    return array("f", vector).tobytes()


def _unpack(blob: bytes) -> list[float]:
    a = array("f")
    a.frombytes(blob)
    return a.tolist()


def cosine_top(query: list[float], vectors: list[bytes], k: int) -> list[tuple[int, float]]:
    """(index, cosine) of the k vectors (float32 blobs) most similar to `query`, best first."""
    if not vectors:
        return []
    try:
        import numpy as np

        m = np.frombuffer(b"".join(vectors), dtype=np.float32).reshape(len(vectors), -1)
        q = np.asarray(query, dtype=np.float32)
        sims = (m @ q) / (np.linalg.norm(m, axis=1) * (np.linalg.norm(q) or 1.0) + 1e-12)
        order = np.argsort(-sims)[:k]
        return [(int(i), float(sims[i])) for i in order]
    except ImportError:  # pure Python fallback
        qn = sum(x * x for x in query) ** 0.5 or 1.0
        scored = []
        for i, blob in enumerate(vectors):
            v = _unpack(blob)
            vn = sum(x * x for x in v) ** 0.5
            scored.append((i, sum(a * b for a, b in zip(query, v)) / (qn * vn + 1e-12)))
        return sorted(scored, key=lambda t: -t[1])[:k]


@dataclass
class AttachReport:
    """What attaching a file or folder did: sources indexed, and files skipped with the reason."""

    sources: list[KnowledgeSource]
    skipped: list[tuple[str, str]]


class Knowledge:
    """Attach, index and search documents per conversation through the router's embeddings row."""

    def __init__(self, app: Any, *, chunk_chars: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> None:
        self.app = app
        self.chunk_chars = chunk_chars
        self.overlap = overlap

    # ---- attach ----
    async def attach(self, conversation_id: int | None, path: str | Path) -> AttachReport:
        """Index a document, or every supported document in a folder (recursively, hidden files skipped)."""
        path = Path(path).expanduser()
        if not path.exists():
            raise SparklioError(f"{path} does not exist")
        if conversation_id is not None:
            from router.store.models import Conversation

            if Conversation.get_or_none(Conversation.id == conversation_id) is None:
                raise SparklioError(f"conversation {conversation_id} does not exist")
        if path.is_file():
            return AttachReport([await self._index(conversation_id, path)], [])
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        sources, skipped = [], []
        for f in files:
            if f.suffix.lower() not in TEXT_SUFFIXES | {".pdf"}:
                skipped.append((f.name, "not a text document"))
                continue
            try:
                sources.append(await self._index(conversation_id, f))
            except SparklioError as exc:
                skipped.append((f.name, str(exc)))
        if not sources:
            why = "; ".join(f"{n}: {r}" for n, r in skipped[:5]) or "it is empty"
            raise SparklioError(f"No document in {path.name} could be added ({why})")
        return AttachReport(sources, skipped)

    async def _index(self, conversation_id: int | None, path: Path) -> KnowledgeSource:
        text = read_document(path)
        if not text.strip():
            raise SparklioError(f"{path.name} is empty: there is no text to add")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        existing = KnowledgeSource.get_or_none(
            (KnowledgeSource.conversation_id == conversation_id) & (KnowledgeSource.path == str(path.resolve()))
        )
        if existing is not None and existing.sha256 == digest:
            return existing
        chunks = chunk_text(text, self.chunk_chars, self.overlap)
        model, vectors = await self._embed([c.text for c in chunks])
        with database.atomic():
            if existing is not None:
                existing.delete_instance()
            src = KnowledgeSource.create(
                conversation_id=conversation_id,
                path=str(path.resolve()),
                name=path.name,
                kind=path.suffix.lower().lstrip(".") or "txt",
                sha256=digest,
                chars=len(text),
                chunks=len(chunks),
                embed_model=model,
                dims=len(vectors[0]) if vectors else None,
            )
            KnowledgeChunk.insert_many(
                [
                    {
                        "source": src.id,
                        "position": c.position,
                        "start": c.start,
                        "end": c.end,
                        "text": c.text,
                        "model": model,
                        "dims": len(v),
                        "embedding": _pack(v),
                    }
                    for c, v in zip(chunks, vectors)
                ]
            ).execute()
        return src

    async def _embed(self, texts: list[str], offline: bool | None = None) -> tuple[str, list[list[float]]]:
        """(model id, vectors) for texts, in batches through app.embed."""
        vectors: list[list[float]] = []
        model = ""
        for i in range(0, len(texts), EMBED_BATCH):
            batch = texts[i : i + EMBED_BATCH]
            spec, result = await self.app.embed(batch, offline=offline)
            if len(result.vectors) != len(batch):
                raise SparklioError(f"{spec.id} returned {len(result.vectors)} vectors for {len(batch)} passages")
            model = spec.id
            vectors.extend(result.vectors)
        return model, vectors

    # ---- manage ----
    def has_sources(self, conversation_id: int | None) -> bool:
        """Whether any document is attached to this conversation (or everywhere); cheap, on the send path."""
        row = KnowledgeSource._meta.database.execute_sql(
            "SELECT 1 FROM knowledge_sources WHERE conversation_id = ? OR conversation_id IS NULL LIMIT 1",
            (conversation_id,),
        ).fetchone()
        return row is not None

    def sources(self, conversation_id: int | None) -> list[KnowledgeSource]:
        """Documents attached to a conversation (plus the ones attached everywhere)."""
        q = KnowledgeSource.select().where(
            (KnowledgeSource.conversation_id == conversation_id) | KnowledgeSource.conversation_id.is_null()
        )
        return list(q.order_by(KnowledgeSource.id))

    def remove(self, source_id: int) -> None:
        """Forget a document and its passages."""
        KnowledgeSource.delete().where(KnowledgeSource.id == source_id).execute()

    # ---- retrieve ----
    async def search(
        self, conversation_id: int | None, query: str, k: int = 4, offline: bool | None = None
    ) -> list[Passage]:
        """The k passages most similar to `query` (cosine), re-embedding any stored with another model."""
        srcs = {s.id: s for s in self.sources(conversation_id)}
        if not srcs or not query.strip():
            return []
        model, (qvec,) = await self._embed([query], offline)
        rows = list(KnowledgeChunk.select().where(KnowledgeChunk.source.in_(list(srcs))))
        stale = [r for r in rows if r.model != model or r.dims != len(qvec)]
        if stale:  # the embeddings row changed (e.g. offline mode): bring old passages to the same space
            _, fresh = await self._embed([r.text for r in stale], offline)
            with database.atomic():
                for r, v in zip(stale, fresh):
                    r.model, r.dims, r.embedding = model, len(v), _pack(v)
                    r.save()
                KnowledgeSource.update(embed_model=model, dims=len(qvec)).where(
                    KnowledgeSource.id.in_(list(srcs))
                ).execute()
        top = cosine_top(qvec, [bytes(r.embedding or b"") for r in rows], k)
        return [
            Passage(
                rows[i].source_id,
                srcs[rows[i].source_id].name,
                srcs[rows[i].source_id].path,
                rows[i].position,
                rows[i].start,
                rows[i].end,
                rows[i].text,
                score,
            )
            for i, score in top
        ]

    async def augment(
        self,
        messages: list[Message],
        conversation_id: int | None,
        *,
        k: int = 4,
        min_score: float = 0.0,
        offline: bool | None = None,
    ) -> tuple[list[Message], list[Passage]]:
        """Messages with the best passages added before the last user message, and the passages (sources) used."""
        query = next((m.content for m in reversed(messages) if m.role == "user"), "")
        passages = [p for p in await self.search(conversation_id, query, k, offline) if p.score >= min_score]
        if not passages:
            return list(messages), []
        context = "\n\n".join(f"[{n}] {p.label}:\n{p.text}" for n, p in enumerate(passages, 1))
        note = Message(
            "system",
            "Passages from the user's documents follow. Use them when they help and cite "
            "them as [1], [2], ...; say so when they do not answer the question.\n\n" + context,
        )
        last_user = max(i for i, m in enumerate(messages) if m.role == "user") if query else len(messages)
        return list(messages[:last_user]) + [note] + list(messages[last_user:]), passages
