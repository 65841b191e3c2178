"""`sparklio -m MODULE ...` and `sparklio -c CODE ...`: the built app stands in for a Python interpreter.

A frozen app has no `python` next to it, yet GPU support needs pip and a probe in child processes; both are run as
`sys.executable -m pip ...` / `sys.executable -c ...`, which works the same from source and from the built app.
"""

from __future__ import annotations

import runpy
import sys


def run_as_interpreter(argv: list[str]) -> int:
    """Run a module or a code string as `python` would; returns its exit code."""
    flag, target, rest = argv[0], argv[1], argv[2:]
    try:
        if flag == "-m":
            sys.argv = [target, *rest]
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["-c", *rest]
            exec(compile(target, "<string>", "exec"), {"__name__": "__main__"})
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
