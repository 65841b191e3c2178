"""Provider Batch APIs (OpenAI Batch, Anthropic Message Batches, Gemini batch mode): half-price requests that may wait."""
