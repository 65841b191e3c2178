-- Core tables: settings, conversations, messages, the llm_usage ledger.
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL DEFAULT 'New chat',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(updated_at);

CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',  -- JSON: [{"kind":"image","path":...}]
    status TEXT NOT NULL DEFAULT 'ok',       -- ok | pending | error | cancelled
    model TEXT,
    meta TEXT NOT NULL DEFAULT '{}',         -- JSON: plan, attempts, usage, cost, sources
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages(conversation_id, id);

CREATE TABLE IF NOT EXISTS llm_usage (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,                 -- unix time of the attempt's start
    day TEXT NOT NULL,                -- local date YYYY-MM-DD
    month TEXT NOT NULL,              -- local month YYYY-MM
    kind TEXT NOT NULL DEFAULT 'chat',-- chat | embed | image
    task TEXT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    outcome TEXT NOT NULL,            -- ok | error | cancelled | cut | refused
    error_class TEXT,
    error TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cached_input_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    images INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    saved_usd REAL NOT NULL DEFAULT 0, -- money a cache hit saved
    latency_ms REAL,
    ttft_ms REAL,
    fallback_position INTEGER NOT NULL DEFAULT 0,
    attempt INTEGER NOT NULL DEFAULT 1,
    cached INTEGER NOT NULL DEFAULT 0,
    experiment INTEGER NOT NULL DEFAULT 0,
    message_id INTEGER,               -- the assistant message this attempt answered (NULL if none stored)
    conversation_id INTEGER,
    workflow_run_id INTEGER,
    gpu_seconds REAL NOT NULL DEFAULT 0,
    energy_wh REAL
);
CREATE INDEX IF NOT EXISTS llm_usage_ts ON llm_usage(ts);
CREATE INDEX IF NOT EXISTS llm_usage_month_provider ON llm_usage(month, provider, cost_usd);
CREATE INDEX IF NOT EXISTS llm_usage_model ON llm_usage(model, ts);
CREATE INDEX IF NOT EXISTS llm_usage_task ON llm_usage(task, ts);
CREATE INDEX IF NOT EXISTS llm_usage_message ON llm_usage(message_id);
CREATE INDEX IF NOT EXISTS llm_usage_workflow ON llm_usage(workflow_run_id);
