"""An exception escaping a Qt slot becomes one line in the status bar, never a traceback dialog or a crash."""

import sys

from ui.app import install_excepthook
from ui.controller import AppController


def test_uncaught_exception_is_reported_as_one_line(qtbot):
    controller = AppController()
    seen: list[str] = []
    controller.message.connect(lambda level, text: seen.append(f"{level}: {text}"))
    previous = sys.excepthook
    install_excepthook(controller)
    try:
        try:
            raise ValueError("the chart had no data")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    assert seen == ["error: Something went wrong: ValueError: the chart had no data"]
