-- Side-by-side compare and chat branches (issue 16).
-- A user's verdict on a compare: one row per pair (the winner against each other model, or a tie).
-- The learner counts each row as PREFERENCE_WEIGHT ratings (router/compare.py documents the rule).
CREATE TABLE IF NOT EXISTS preferences (
    id INTEGER PRIMARY KEY,
    task TEXT NOT NULL,
    winner TEXT NOT NULL,                -- catalog id (with tie = 1: just the first model of the pair)
    loser TEXT NOT NULL,
    tie INTEGER NOT NULL DEFAULT 0,
    prompt_chars INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS preferences_task ON preferences(task);

-- An edited-and-resent message forks the conversation: the fork is a conversation of its own holding the
-- messages before the edit; parent_id/fork_message_id say where it branched (both branches are kept).
ALTER TABLE conversations ADD COLUMN parent_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN fork_message_id INTEGER;
