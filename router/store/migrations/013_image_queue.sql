-- The Images page's queue: jobs not yet finished (queued or running), so a crash or a kill keeps their settings.
CREATE TABLE IF NOT EXISTS image_jobs (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}', -- JSON: the studio's request keyword arguments
    local INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
