"""Sparklio's PySide6 desktop app: widgets and controllers over the router and local_models cores."""
