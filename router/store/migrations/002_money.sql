-- Money and learning: budget holds, O(1) spend totals, fired alerts, response cache, ratings,
-- policy suggestions, and daily rollups (kept by triggers on llm_usage) so stats never scan the ledger.

-- In-flight worst-case holds taken before a cloud call; removed when the attempt is recorded.
CREATE TABLE IF NOT EXISTS reservations (
    id INTEGER PRIMARY KEY,
    month TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    amount_usd REAL NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL          -- a hold left by a crashed process stops counting after this
);
CREATE INDEX IF NOT EXISTS reservations_month ON reservations(month, expires_at);
CREATE INDEX IF NOT EXISTS reservations_expiry ON reservations(expires_at);

-- Money spent per period ('YYYY-MM' month or 'YYYY-MM-DD' day) and provider.
CREATE TABLE IF NOT EXISTS spend_totals (
    period TEXT NOT NULL,
    provider TEXT NOT NULL,
    cost_usd REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (period, provider)
) WITHOUT ROWID;

-- Each alert fires once per (kind, period, limit, threshold, limit amount); survives restarts.
CREATE TABLE IF NOT EXISTS alerts_fired (
    kind TEXT NOT NULL,               -- budget | anomaly
    period TEXT NOT NULL,             -- month for budget alerts, day for anomalies
    limit_key TEXT NOT NULL,          -- 'total' or a provider name
    threshold REAL NOT NULL,
    limit_usd REAL NOT NULL,
    spent_usd REAL NOT NULL,
    fired_at REAL NOT NULL,
    PRIMARY KEY (kind, period, limit_key, threshold, limit_usd)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS cache_entries (
    key TEXT PRIMARY KEY,             -- sha256 of model, wire name, params and normalised messages
    model TEXT NOT NULL,
    task TEXT NOT NULL,
    text TEXT NOT NULL,
    usage TEXT NOT NULL,              -- JSON of router.types.Usage
    cost_usd REAL NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cache_entries_expiry ON cache_entries(expires_at);

CREATE TABLE IF NOT EXISTS ratings (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    model TEXT NOT NULL,
    task TEXT NOT NULL,
    day TEXT NOT NULL,                -- local day of the rated answer
    experiment INTEGER NOT NULL DEFAULT 0,
    rated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ratings_task_model ON ratings(task, model, stars);
CREATE INDEX IF NOT EXISTS ratings_day ON ratings(day, model, task, stars);

CREATE TABLE IF NOT EXISTS suggestions (
    id INTEGER PRIMARY KEY,
    task TEXT NOT NULL,
    model TEXT NOT NULL,              -- proposed primary
    current TEXT NOT NULL,            -- primary at the time of the proposal
    text TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected', 'auto', 'superseded')),
    created_at REAL NOT NULL,
    decided_at REAL
);
CREATE INDEX IF NOT EXISTS suggestions_status ON suggestions(status, task);

-- Per model and task, at two grains (day 'd' / month 'm'): counters and sums for every stats query.
CREATE TABLE IF NOT EXISTS usage_rollup (
    grain TEXT NOT NULL,                      -- 'd' (period YYYY-MM-DD) | 'm' (period YYYY-MM)
    period TEXT NOT NULL,
    model TEXT NOT NULL,
    task TEXT NOT NULL,
    provider TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,      -- rows that called a model (cached = 0)
    ok INTEGER NOT NULL DEFAULT 0,            -- successful model calls
    failed INTEGER NOT NULL DEFAULT 0,        -- error or cut
    cancelled INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    cache_hits INTEGER NOT NULL DEFAULT 0,    -- answers served from the cache
    ok_fallback INTEGER NOT NULL DEFAULT 0,   -- answers (ok) given at fallback_position > 0
    experiments INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cached_input_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    images INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    saved_usd REAL NOT NULL DEFAULT 0,
    latency_sum REAL NOT NULL DEFAULT 0,
    latency_n INTEGER NOT NULL DEFAULT 0,
    ttft_sum REAL NOT NULL DEFAULT 0,
    ttft_n INTEGER NOT NULL DEFAULT 0,
    gpu_seconds REAL NOT NULL DEFAULT 0,
    energy_wh REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, period, model, task)
) WITHOUT ROWID;

-- Log-scale histogram buckets (ratio 1.05, ~2.5% resolution): bucket 0 is [0, 1) ms.
CREATE TABLE IF NOT EXISTS hist_buckets (
    lo REAL PRIMARY KEY,
    hi REAL NOT NULL,
    bucket INTEGER NOT NULL UNIQUE
) WITHOUT ROWID;
INSERT OR IGNORE INTO hist_buckets(lo, hi, bucket)
WITH RECURSIVE b(i, lo) AS (SELECT 1, 1.0 UNION ALL SELECT i + 1, lo * 1.05 FROM b WHERE i < 420)
SELECT 0.0, 1.0, 0 UNION ALL SELECT lo, lo * 1.05, i FROM b;

-- Latency and time-to-first-token histograms of successful, uncached calls, per model/task, at two grains:
-- per day ('d', period 'YYYY-MM-DD') and per month ('m', period 'YYYY-MM'), so long ranges read few rows.
CREATE TABLE IF NOT EXISTS latency_hist (
    dim TEXT NOT NULL,                -- 'm' (model) | 't' (task)
    grain TEXT NOT NULL,              -- 'd' | 'm'
    metric TEXT NOT NULL,             -- 'lat' | 'ttft'
    period TEXT NOT NULL,
    key TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (dim, grain, metric, period, key, bucket)
) WITHOUT ROWID;

-- ---- triggers: every ledger insert/delete keeps the totals, rollups and histograms exact ----
CREATE TRIGGER IF NOT EXISTS llm_usage_spend_ins AFTER INSERT ON llm_usage WHEN NEW.cost_usd <> 0
BEGIN
    INSERT INTO spend_totals(period, provider, cost_usd) VALUES (NEW.month, NEW.provider, NEW.cost_usd)
        ON CONFLICT(period, provider) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd;
    INSERT INTO spend_totals(period, provider, cost_usd) VALUES (NEW.day, NEW.provider, NEW.cost_usd)
        ON CONFLICT(period, provider) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd;
END;

CREATE TRIGGER IF NOT EXISTS llm_usage_spend_del AFTER DELETE ON llm_usage WHEN OLD.cost_usd <> 0
BEGIN
    UPDATE spend_totals SET cost_usd = cost_usd - OLD.cost_usd
        WHERE provider = OLD.provider AND period IN (OLD.month, OLD.day);
END;

CREATE TRIGGER IF NOT EXISTS llm_usage_rollup_ins AFTER INSERT ON llm_usage
BEGIN
    INSERT INTO usage_rollup(grain, period, model, task, provider, attempts, ok, failed, cancelled, refused,
                             cache_hits, ok_fallback, experiments, input_tokens, output_tokens, cached_input_tokens,
                             reasoning_tokens, images, cost_usd, saved_usd, latency_sum, latency_n, ttft_sum,
                             ttft_n, gpu_seconds, energy_wh)
    SELECT g.grain, g.period, NEW.model, NEW.task, NEW.provider,
           NEW.cached = 0,
           NEW.cached = 0 AND NEW.outcome = 'ok',
           NEW.cached = 0 AND NEW.outcome IN ('error', 'cut'),
           NEW.outcome = 'cancelled',
           NEW.outcome = 'refused',
           NEW.cached <> 0 AND NEW.outcome = 'ok',
           NEW.outcome = 'ok' AND NEW.fallback_position > 0,
           NEW.experiment <> 0,
           NEW.input_tokens, NEW.output_tokens, NEW.cached_input_tokens, NEW.reasoning_tokens, NEW.images,
           NEW.cost_usd, NEW.saved_usd,
           CASE WHEN NEW.cached = 0 AND NEW.outcome = 'ok' THEN COALESCE(NEW.latency_ms, 0) ELSE 0 END,
           NEW.cached = 0 AND NEW.outcome = 'ok' AND NEW.latency_ms IS NOT NULL,
           CASE WHEN NEW.cached = 0 AND NEW.outcome = 'ok' THEN COALESCE(NEW.ttft_ms, 0) ELSE 0 END,
           NEW.cached = 0 AND NEW.outcome = 'ok' AND NEW.ttft_ms IS NOT NULL,
           NEW.gpu_seconds, COALESCE(NEW.energy_wh, 0)
    FROM (SELECT 'd' AS grain, NEW.day AS period UNION ALL SELECT 'm', NEW.month) AS g WHERE true
    ON CONFLICT(grain, period, model, task) DO UPDATE SET
        attempts = attempts + excluded.attempts, ok = ok + excluded.ok, failed = failed + excluded.failed,
        cancelled = cancelled + excluded.cancelled, refused = refused + excluded.refused,
        cache_hits = cache_hits + excluded.cache_hits, ok_fallback = ok_fallback + excluded.ok_fallback,
        experiments = experiments + excluded.experiments, input_tokens = input_tokens + excluded.input_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, images = images + excluded.images,
        cost_usd = cost_usd + excluded.cost_usd, saved_usd = saved_usd + excluded.saved_usd,
        latency_sum = latency_sum + excluded.latency_sum, latency_n = latency_n + excluded.latency_n,
        ttft_sum = ttft_sum + excluded.ttft_sum, ttft_n = ttft_n + excluded.ttft_n,
        gpu_seconds = gpu_seconds + excluded.gpu_seconds, energy_wh = energy_wh + excluded.energy_wh;
END;

CREATE TRIGGER IF NOT EXISTS llm_usage_rollup_del AFTER DELETE ON llm_usage
BEGIN
    UPDATE usage_rollup SET
        attempts = attempts - (OLD.cached = 0),
        ok = ok - (OLD.cached = 0 AND OLD.outcome = 'ok'),
        failed = failed - (OLD.cached = 0 AND OLD.outcome IN ('error', 'cut')),
        cancelled = cancelled - (OLD.outcome = 'cancelled'),
        refused = refused - (OLD.outcome = 'refused'),
        cache_hits = cache_hits - (OLD.cached <> 0 AND OLD.outcome = 'ok'),
        ok_fallback = ok_fallback - (OLD.outcome = 'ok' AND OLD.fallback_position > 0),
        experiments = experiments - (OLD.experiment <> 0),
        input_tokens = input_tokens - OLD.input_tokens, output_tokens = output_tokens - OLD.output_tokens,
        cached_input_tokens = cached_input_tokens - OLD.cached_input_tokens,
        reasoning_tokens = reasoning_tokens - OLD.reasoning_tokens, images = images - OLD.images,
        cost_usd = cost_usd - OLD.cost_usd, saved_usd = saved_usd - OLD.saved_usd,
        latency_sum = latency_sum - CASE WHEN OLD.cached = 0 AND OLD.outcome = 'ok'
                                         THEN COALESCE(OLD.latency_ms, 0) ELSE 0 END,
        latency_n = latency_n - (OLD.cached = 0 AND OLD.outcome = 'ok' AND OLD.latency_ms IS NOT NULL),
        ttft_sum = ttft_sum - CASE WHEN OLD.cached = 0 AND OLD.outcome = 'ok'
                                   THEN COALESCE(OLD.ttft_ms, 0) ELSE 0 END,
        ttft_n = ttft_n - (OLD.cached = 0 AND OLD.outcome = 'ok' AND OLD.ttft_ms IS NOT NULL),
        gpu_seconds = gpu_seconds - OLD.gpu_seconds, energy_wh = energy_wh - COALESCE(OLD.energy_wh, 0)
    WHERE ((grain = 'd' AND period = OLD.day) OR (grain = 'm' AND period = OLD.month))
      AND model = OLD.model AND task = OLD.task;
END;

CREATE TRIGGER IF NOT EXISTS llm_usage_hist_ins AFTER INSERT ON llm_usage
WHEN NEW.outcome = 'ok' AND NEW.cached = 0
BEGIN
    INSERT INTO latency_hist(dim, grain, metric, period, key, bucket, n)
    SELECT d.dim, g.grain, v.metric, g.period, CASE d.dim WHEN 'm' THEN NEW.model ELSE NEW.task END,
           COALESCE((SELECT bucket FROM hist_buckets WHERE lo <= v.ms ORDER BY lo DESC LIMIT 1), 0), 1
    FROM (SELECT 'm' AS dim UNION ALL SELECT 't') AS d,
         (SELECT 'd' AS grain, NEW.day AS period UNION ALL SELECT 'm', NEW.month) AS g,
         (SELECT 'lat' AS metric, NEW.latency_ms AS ms UNION ALL SELECT 'ttft', NEW.ttft_ms) AS v
    WHERE v.ms IS NOT NULL
    ON CONFLICT(dim, grain, metric, period, key, bucket) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER IF NOT EXISTS llm_usage_hist_del AFTER DELETE ON llm_usage
WHEN OLD.outcome = 'ok' AND OLD.cached = 0
BEGIN
    UPDATE latency_hist SET n = n - 1
    WHERE ((dim = 'm' AND key = OLD.model) OR (dim = 't' AND key = OLD.task))
      AND ((grain = 'd' AND period = OLD.day) OR (grain = 'm' AND period = OLD.month))
      AND ((metric = 'lat' AND OLD.latency_ms IS NOT NULL AND bucket =
            COALESCE((SELECT bucket FROM hist_buckets WHERE lo <= OLD.latency_ms ORDER BY lo DESC LIMIT 1), 0))
        OR (metric = 'ttft' AND OLD.ttft_ms IS NOT NULL AND bucket =
            COALESCE((SELECT bucket FROM hist_buckets WHERE lo <= OLD.ttft_ms ORDER BY lo DESC LIMIT 1), 0)));
END;

-- Ledger rows are facts: corrections are a delete plus an insert, so the rollups stay exact.
CREATE TRIGGER IF NOT EXISTS llm_usage_no_money_update
BEFORE UPDATE OF ts, day, month, task, model, provider, outcome, input_tokens, output_tokens,
                 cached_input_tokens, reasoning_tokens, images, cost_usd, saved_usd, latency_ms, ttft_ms,
                 fallback_position, cached, experiment, gpu_seconds, energy_wh ON llm_usage
BEGIN
    SELECT RAISE(ABORT, 'ledger rows are immutable: delete and re-insert instead');
END;

-- Bring rollups up to date for a ledger written before this migration.
INSERT INTO spend_totals(period, provider, cost_usd)
    SELECT month, provider, SUM(cost_usd) FROM llm_usage WHERE cost_usd <> 0 GROUP BY month, provider
    UNION ALL
    SELECT day, provider, SUM(cost_usd) FROM llm_usage WHERE cost_usd <> 0 GROUP BY day, provider;
INSERT INTO usage_rollup(grain, period, model, task, provider, attempts, ok, failed, cancelled, refused,
                         cache_hits, ok_fallback, experiments, input_tokens, output_tokens, cached_input_tokens,
                         reasoning_tokens, images, cost_usd, saved_usd, latency_sum, latency_n, ttft_sum, ttft_n,
                         gpu_seconds, energy_wh)
    SELECT g.grain, CASE g.grain WHEN 'd' THEN u.day ELSE u.month END AS period, u.model, u.task, MAX(u.provider),
           SUM(cached = 0), SUM(cached = 0 AND outcome = 'ok'),
           SUM(cached = 0 AND outcome IN ('error', 'cut')), SUM(outcome = 'cancelled'), SUM(outcome = 'refused'),
           SUM(cached <> 0 AND outcome = 'ok'), SUM(outcome = 'ok' AND fallback_position > 0),
           SUM(experiment <> 0), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens),
           SUM(reasoning_tokens), SUM(images), SUM(cost_usd), SUM(saved_usd),
           SUM(CASE WHEN cached = 0 AND outcome = 'ok' THEN COALESCE(latency_ms, 0) ELSE 0 END),
           SUM(cached = 0 AND outcome = 'ok' AND latency_ms IS NOT NULL),
           SUM(CASE WHEN cached = 0 AND outcome = 'ok' THEN COALESCE(ttft_ms, 0) ELSE 0 END),
           SUM(cached = 0 AND outcome = 'ok' AND ttft_ms IS NOT NULL),
           SUM(gpu_seconds), SUM(COALESCE(energy_wh, 0))
    FROM llm_usage AS u, (SELECT 'd' AS grain UNION ALL SELECT 'm') AS g
    GROUP BY g.grain, period, u.model, u.task;
INSERT INTO latency_hist(dim, grain, metric, period, key, bucket, n)
    SELECT dim, grain, metric, period, key,
           COALESCE((SELECT bucket FROM hist_buckets WHERE lo <= ms ORDER BY lo DESC LIMIT 1), 0) AS b, COUNT(*)
    FROM (SELECT d.dim, g.grain, v.metric, CASE g.grain WHEN 'd' THEN u.day ELSE u.month END AS period,
                 CASE d.dim WHEN 'm' THEN u.model ELSE u.task END AS key,
                 CASE v.metric WHEN 'lat' THEN u.latency_ms ELSE u.ttft_ms END AS ms
          FROM llm_usage AS u, (SELECT 'm' AS dim UNION ALL SELECT 't') AS d,
               (SELECT 'd' AS grain UNION ALL SELECT 'm') AS g, (SELECT 'lat' AS metric UNION ALL SELECT 'ttft') AS v
          WHERE u.outcome = 'ok' AND u.cached = 0)
    WHERE ms IS NOT NULL
    GROUP BY dim, grain, metric, period, key, b;
