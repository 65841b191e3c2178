-- Local image gallery: one row per generated image saved under <data dir>/images/.
CREATE TABLE IF NOT EXISTS images (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,                      -- absolute path of the PNG
    prompt TEXT NOT NULL DEFAULT '',
    negative_prompt TEXT NOT NULL DEFAULT '',
    params TEXT NOT NULL DEFAULT '{}',       -- JSON: width, height, steps, guidance, scheduler, sampler, mode...
    model TEXT NOT NULL DEFAULT '',
    seed INTEGER,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS images_created ON images(created_at);
