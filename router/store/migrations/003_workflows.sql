-- Workflows and knowledge: runs, their steps (outputs persisted so a failed step can be retried alone),
-- documents attached to conversations and their embedded chunks (float32 vectors as BLOBs).
CREATE TABLE IF NOT EXISTS workflow_runs (
    id INTEGER PRIMARY KEY,
    workflow TEXT NOT NULL,              -- workflow name (built-in or the user's file stem/name)
    title TEXT NOT NULL DEFAULT '',
    source_path TEXT,                    -- the TOML file it ran from
    inputs TEXT NOT NULL DEFAULT '{}',   -- JSON: the user's inputs (files as paths)
    status TEXT NOT NULL,                -- running | done | failed | cancelled | no_match
    estimate_usd REAL,
    premium_estimate_usd REAL,
    cost_usd REAL NOT NULL DEFAULT 0,    -- sum of the run's ledger rows
    message TEXT,                        -- the error or no-match answer, one line
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS workflow_runs_created ON workflow_runs(created_at);

CREATE TABLE IF NOT EXISTS workflow_steps (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
    step_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending', -- pending | running | done | failed | cancelled | skipped | no_match
    task TEXT,
    model TEXT,                          -- the model(s) that answered, comma-separated when items differ
    pinned_model TEXT,                   -- set by a re-route
    output TEXT,                         -- JSON: text, list of texts, table, or list of image records
    items_done INTEGER NOT NULL DEFAULT 0,
    items_total INTEGER NOT NULL DEFAULT 0,
    estimate_usd REAL,
    cost_usd REAL NOT NULL DEFAULT 0,    -- sum of the ledger rows written while the step ran
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    tries INTEGER NOT NULL DEFAULT 0,
    started_at REAL,
    finished_at REAL,
    UNIQUE(run_id, step_id)
);

CREATE TABLE IF NOT EXISTS knowledge_sources (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- txt | md | csv | py | json | pdf ...
    sha256 TEXT NOT NULL,
    chars INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    embed_model TEXT,
    dims INTEGER,
    added_at REAL NOT NULL,
    UNIQUE(conversation_id, path)
);
CREATE INDEX IF NOT EXISTS knowledge_sources_conversation ON knowledge_sources(conversation_id);

CREATE TABLE IF NOT EXISTS knowledge_chunks (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES knowledge_sources(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,           -- chunk number in the document (0-based)
    start INTEGER NOT NULL,              -- character offsets in the document text
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    model TEXT,                          -- embedding model id
    dims INTEGER,
    embedding BLOB                       -- little-endian float32 x dims
);
CREATE INDEX IF NOT EXISTS knowledge_chunks_source ON knowledge_chunks(source_id, position);
