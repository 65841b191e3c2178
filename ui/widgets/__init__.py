"""Shared widgets for pages: cards, meters, charts, sortable tables, formatting."""
