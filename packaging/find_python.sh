# shellcheck shell=bash disable=SC2034
# Sourced by bootstrap.sh and build.sh: sets PY to the Python to build a venv with.
# $PYTHON wins; else the newest of python3.13, python3.12, python3 (if >= 3.12); else a 3.11 (PySide6 6.12 then
# needs ui/app.py's refcount guard, which Sparklio applies by itself). Exits with one line when none is found.
_py_ok() {  # _py_ok CMD MINOR: CMD runs and is Python 3.MINOR or newer
  "$1" -c "import sys; sys.exit(0 if sys.version_info >= (3, $2) else 1)" >/dev/null 2>&1
}
find_python() {
  if [ -n "${PYTHON:-}" ]; then
    if _py_ok "$PYTHON" 11; then PY="$PYTHON"; return 0; fi
    echo "Sparklio needs Python 3.11 or newer; PYTHON=$PYTHON is $("$PYTHON" --version 2>&1 | head -1)." >&2
    return 1
  fi
  for c in python3.13 python3.12 python3 python; do
    if _py_ok "$c" 12; then PY="$c"; return 0; fi
  done
  for c in python3.11 python3 python; do
    if _py_ok "$c" 11; then PY="$c"; return 0; fi
  done
  echo "Sparklio needs Python 3.12 or 3.13 (3.11 works). Install one, or set PYTHON=/path/to/python3.12." >&2
  return 1
}
