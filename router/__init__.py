"""Sparklio's routing core: catalog, policy, providers, engine, money and learning (no Qt, no torch)."""

__version__ = "0.1.0"
