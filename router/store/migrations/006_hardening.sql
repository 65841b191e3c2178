-- Hardening: who owns a hold or a pending answer (so a restart can tell a dead process's leftovers from a live
-- one's), what a hold would settle to after a crash, provider health shared by every process, and the last
-- Ollama model list seen.

ALTER TABLE reservations ADD COLUMN owner_pid INTEGER;       -- the process that took the hold
ALTER TABLE reservations ADD COLUMN owner_started REAL;      -- its start time (survives pid reuse)
ALTER TABLE reservations ADD COLUMN task TEXT;               -- for the settled ledger row
ALTER TABLE reservations ADD COLUMN kind TEXT;
ALTER TABLE reservations ADD COLUMN message_id INTEGER;
ALTER TABLE reservations ADD COLUMN conversation_id INTEGER;
ALTER TABLE reservations ADD COLUMN workflow_run_id INTEGER;
ALTER TABLE reservations ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0;  -- the prompt estimate
ALTER TABLE reservations ADD COLUMN output_chars INTEGER NOT NULL DEFAULT 0;  -- streamed so far (updated every few s)

ALTER TABLE messages ADD COLUMN owner_pid INTEGER;           -- set while an answer is pending
ALTER TABLE messages ADD COLUMN owner_started REAL;
CREATE INDEX IF NOT EXISTS messages_pending ON messages(status) WHERE status = 'pending';

-- Cool-downs (key 'model:<id>') and unreachable providers (key 'provider:<name>'), shared by every process.
CREATE TABLE IF NOT EXISTS provider_health (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,  -- consecutive failed requests
    until REAL NOT NULL DEFAULT 0,        -- skip it until this unix time
    reason TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL
) WITHOUT ROWID;

-- The last model list a local server (Ollama) answered, and how long its status check took.
CREATE TABLE IF NOT EXISTS local_snapshot (
    provider TEXT PRIMARY KEY,
    models TEXT NOT NULL,                 -- JSON list of the server's model entries
    latency_ms REAL,
    checked_at REAL NOT NULL
) WITHOUT ROWID;
