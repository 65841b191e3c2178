-- Living model catalog: each provider's last model list, the models a provider answered 404 for, and the
-- policy id a ledger row served when a successor or a better model took its slot.
CREATE TABLE IF NOT EXISTS model_lists (
    provider TEXT PRIMARY KEY,               -- openai | anthropic | google | compat | ollama
    fetched_at REAL NOT NULL,                -- unix time of the last successful list call
    models TEXT NOT NULL DEFAULT '[]',       -- JSON: the API model ids the provider listed
    error TEXT NOT NULL DEFAULT ''           -- why the last refresh failed ('' = it did not)
);
CREATE TABLE IF NOT EXISTS model_not_found (
    provider TEXT NOT NULL,
    api_model TEXT NOT NULL,
    at REAL NOT NULL,                        -- when the provider answered 404 / not found
    message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (provider, api_model)
);
ALTER TABLE llm_usage ADD COLUMN policy_model TEXT;  -- the policy row's id when another model served its slot
