"""SQLite persistence through peewee: one database per data dir, numbered SQL migrations."""

from router.store.db import Store, database, open_store

__all__ = ["Store", "database", "open_store"]
