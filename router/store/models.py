"""peewee models for the core tables (schema lives in migrations/001_core.sql)."""

from __future__ import annotations

import json
import time

import peewee

from router.store.db import database


class BaseModel(peewee.Model):
    """All models bind to the proxy set by open_store."""

    class Meta:
        database = database


class Setting(BaseModel):
    """A JSON-encoded setting value."""

    key = peewee.TextField(primary_key=True)
    value = peewee.TextField()

    class Meta:
        table_name = "settings"


class Conversation(BaseModel):
    """A chat thread."""

    id = peewee.AutoField()
    title = peewee.TextField(default="New chat")
    created_at = peewee.FloatField(default=time.time)
    updated_at = peewee.FloatField(default=time.time)

    class Meta:
        table_name = "conversations"


class ChatMessage(BaseModel):
    """One stored message (user text is stored before any network call)."""

    id = peewee.AutoField()
    conversation = peewee.ForeignKeyField(
        Conversation, null=True, backref="messages", on_delete="CASCADE", column_name="conversation_id"
    )
    role = peewee.TextField()
    content = peewee.TextField()
    attachments = peewee.TextField(default="[]")
    status = peewee.TextField(default="ok")
    model = peewee.TextField(null=True)
    meta = peewee.TextField(default="{}")
    created_at = peewee.FloatField(default=time.time)

    class Meta:
        table_name = "messages"

    @property
    def meta_dict(self) -> dict:
        """`meta` decoded (empty dict if unreadable)."""
        try:
            return json.loads(self.meta or "{}")
        except ValueError:
            return {}


class LlmUsage(BaseModel):
    """One row per attempt at one model: the ledger."""

    id = peewee.AutoField()
    ts = peewee.FloatField()
    day = peewee.TextField()
    month = peewee.TextField()
    kind = peewee.TextField(default="chat")
    task = peewee.TextField()
    model = peewee.TextField()
    provider = peewee.TextField()
    outcome = peewee.TextField()
    error_class = peewee.TextField(null=True)
    error = peewee.TextField(null=True)
    input_tokens = peewee.IntegerField(default=0)
    output_tokens = peewee.IntegerField(default=0)
    cached_input_tokens = peewee.IntegerField(default=0)
    reasoning_tokens = peewee.IntegerField(default=0)
    images = peewee.IntegerField(default=0)
    cost_usd = peewee.FloatField(default=0.0)
    saved_usd = peewee.FloatField(default=0.0)
    latency_ms = peewee.FloatField(null=True)
    ttft_ms = peewee.FloatField(null=True)
    fallback_position = peewee.IntegerField(default=0)
    attempt = peewee.IntegerField(default=1)
    cached = peewee.BooleanField(default=False)
    experiment = peewee.BooleanField(default=False)
    message_id = peewee.IntegerField(null=True)
    conversation_id = peewee.IntegerField(null=True)
    workflow_run_id = peewee.IntegerField(null=True)
    gpu_seconds = peewee.FloatField(default=0.0)
    energy_wh = peewee.FloatField(null=True)
    policy_model = peewee.TextField(null=True)  # the policy row's id when another model served its slot
    cache_write_tokens = peewee.IntegerField(default=0)  # migration 011: provider prompt-cache writes and savings,
    cache_saved_usd = peewee.FloatField(default=0.0)  # net of cache writes
    batch_saved_usd = peewee.FloatField(default=0.0)  # live price minus Batch API price (batch rows only)
    batch_job_id = peewee.IntegerField(null=True)  # the batch_jobs row that produced it

    class Meta:
        table_name = "llm_usage"
