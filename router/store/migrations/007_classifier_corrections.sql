-- The user's corrections of the Auto classifier: the task/complexity they chose for a prompt Auto had read
-- differently. The most recent ones (capped) join the classifier's training data for this data folder.
CREATE TABLE IF NOT EXISTS classifier_corrections (
    id INTEGER PRIMARY KEY,
    message_id INTEGER,                      -- the answer whose routing was corrected (NULL: chosen in the composer)
    prompt TEXT NOT NULL,
    has_image INTEGER NOT NULL DEFAULT 0,
    auto_task TEXT,                          -- what Auto had said (NULL if unknown)
    auto_complexity TEXT,
    task TEXT NOT NULL,                      -- what the user said
    complexity TEXT NOT NULL,
    source TEXT NOT NULL,                    -- composer | answer | cli
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS classifier_corrections_created ON classifier_corrections(created_at);
