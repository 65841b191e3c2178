"""The chat page: conversations, message view, composer, routing panel and answer footers."""
