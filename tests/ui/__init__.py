"""pytest-qt tests of the desktop app against the real facade and fake provider servers."""
