-- Provider prompt caching and Batch APIs: per-attempt savings in the ledger, per-period totals, batch jobs.

ALTER TABLE llm_usage ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE llm_usage ADD COLUMN cache_saved_usd REAL NOT NULL DEFAULT 0; -- what the provider's prompt cache saved (net of writes)
ALTER TABLE llm_usage ADD COLUMN batch_saved_usd REAL NOT NULL DEFAULT 0; -- live price minus batch price (batch rows only)
ALTER TABLE llm_usage ADD COLUMN batch_job_id INTEGER;                      -- the batch_jobs row that produced it

-- Savings per period ('YYYY-MM' month or 'YYYY-MM-DD' day) and provider, kept exact by the triggers below.
CREATE TABLE IF NOT EXISTS discount_totals (
    period TEXT NOT NULL,
    provider TEXT NOT NULL,
    cache_saved_usd REAL NOT NULL DEFAULT 0,
    batch_saved_usd REAL NOT NULL DEFAULT 0,
    cached_input_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    batch_requests INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period, provider)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS llm_usage_discount_ins AFTER INSERT ON llm_usage
WHEN NEW.cached = 0 AND (NEW.cache_saved_usd <> 0 OR NEW.batch_saved_usd <> 0 OR NEW.cached_input_tokens <> 0
     OR NEW.cache_write_tokens <> 0 OR NEW.batch_job_id IS NOT NULL)
BEGIN
    INSERT INTO discount_totals(period, provider, cache_saved_usd, batch_saved_usd, cached_input_tokens,
                                cache_write_tokens, batch_requests)
    SELECT p.period, NEW.provider, NEW.cache_saved_usd, NEW.batch_saved_usd, NEW.cached_input_tokens,
           NEW.cache_write_tokens, NEW.batch_job_id IS NOT NULL AND NEW.outcome = 'ok'
    FROM (SELECT NEW.month AS period UNION ALL SELECT NEW.day) AS p WHERE true
    ON CONFLICT(period, provider) DO UPDATE SET
        cache_saved_usd = cache_saved_usd + excluded.cache_saved_usd,
        batch_saved_usd = batch_saved_usd + excluded.batch_saved_usd,
        cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
        cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
        batch_requests = batch_requests + excluded.batch_requests;
END;

CREATE TRIGGER IF NOT EXISTS llm_usage_discount_del AFTER DELETE ON llm_usage
WHEN OLD.cached = 0 AND (OLD.cache_saved_usd <> 0 OR OLD.batch_saved_usd <> 0 OR OLD.cached_input_tokens <> 0
     OR OLD.cache_write_tokens <> 0 OR OLD.batch_job_id IS NOT NULL)
BEGIN
    UPDATE discount_totals SET
        cache_saved_usd = cache_saved_usd - OLD.cache_saved_usd,
        batch_saved_usd = batch_saved_usd - OLD.batch_saved_usd,
        cached_input_tokens = cached_input_tokens - OLD.cached_input_tokens,
        cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens,
        batch_requests = batch_requests - (OLD.batch_job_id IS NOT NULL AND OLD.outcome = 'ok')
    WHERE provider = OLD.provider AND period IN (OLD.month, OLD.day);
END;

-- Cached tokens written before this migration (their saving was not recorded then).
INSERT INTO discount_totals(period, provider, cached_input_tokens)
    SELECT month, provider, SUM(cached_input_tokens) FROM llm_usage WHERE cached_input_tokens <> 0 AND cached = 0
    GROUP BY month, provider
    UNION ALL
    SELECT day, provider, SUM(cached_input_tokens) FROM llm_usage WHERE cached_input_tokens <> 0 AND cached = 0
    GROUP BY day, provider;

-- One job sent to a provider's Batch API; polled until it ends (across restarts).
CREATE TABLE IF NOT EXISTS batch_jobs (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,                      -- catalog id
    task TEXT NOT NULL,
    remote_id TEXT,                           -- the provider's batch id (NULL until created)
    status TEXT NOT NULL DEFAULT 'submitting' CHECK (status IN
        ('submitting', 'running', 'cancelling', 'done', 'cancelled', 'failed')),
    remote_status TEXT NOT NULL DEFAULT '',   -- the provider's own word for it
    retry_mode TEXT NOT NULL DEFAULT 'live' CHECK (retry_mode IN ('live', 'batch', 'none')),
    reservation_id INTEGER,                   -- the budget hold covering the batch price
    hold_usd REAL NOT NULL DEFAULT 0,
    conversation_id INTEGER,
    workflow_run_id INTEGER,
    step_id TEXT,                             -- the workflow step whose items these are
    parent_job_id INTEGER,                    -- the job whose failed items this one retries
    error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS batch_jobs_status ON batch_jobs(status);

-- One request inside a batch job, and where its answer lands.
CREATE TABLE IF NOT EXISTS batch_items (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES batch_jobs(id) ON DELETE CASCADE,
    custom_id TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,      -- the item's index in its workflow step
    request TEXT NOT NULL,                    -- JSON: messages, max_tokens, temperature
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
        ('pending', 'ok', 'failed', 'expired', 'cancelled', 'retried')),
    text TEXT,
    error TEXT,
    cost_usd REAL NOT NULL DEFAULT 0,
    message_id INTEGER,                       -- the pending assistant message the answer fills (chat)
    label TEXT NOT NULL DEFAULT '',           -- what the user sees for the item (workflow: the input item)
    UNIQUE (job_id, custom_id)
);
CREATE INDEX IF NOT EXISTS batch_items_job ON batch_items(job_id, status);
