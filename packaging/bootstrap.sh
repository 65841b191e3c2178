#!/usr/bin/env bash
# Sets Sparklio up in ./.venv (once, and again whenever pyproject.toml changes), then:
#   bash packaging/bootstrap.sh app [sparklio args...]   launch the desktop app (or any `sparklio` command)
#   bash packaging/bootstrap.sh test [pytest args...]    run the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-app}"; shift || true
VENV="${SPARKLIO_VENV:-.venv}"

# An existing venv is kept (whatever its Python); a new one gets the newest Python >= 3.12 found, else 3.11.
if [ ! -x "$VENV/bin/python" ]; then
  . packaging/find_python.sh
  find_python || exit 1
  echo "==> creating $VENV with $("$PY" --version 2>&1)"
  "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"

stamp="$VENV/.sparklio-installed"
want="$(cat pyproject.toml packaging/bootstrap.sh | "$VPY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing dependencies (first run takes a few minutes)"
  "$VPY" -m pip install -q --disable-pip-version-check --upgrade pip
  if ! "$VPY" -c 'import torch, torchvision' 2>/dev/null; then
    # Pin one torch release and its torchvision (spandrel's upscalers need it; a torchvision built for another
    # torch does not import): on Linux PyPI's wheels carry CUDA (used when an NVIDIA GPU is present, else CPU).
    # Windows with an NVIDIA card: pip install torch torchvision --index-url https://download.pytorch.org/whl/cu128
    "$VPY" -m pip install -q --disable-pip-version-check "torch==${SPARKLIO_TORCH_VERSION:-2.14.1}" \
      "torchvision==${SPARKLIO_TORCHVISION_VERSION:-0.29.1}"
  fi
  "$VPY" -m pip install -q --disable-pip-version-check -e ".[test]"
  echo "$want" > "$stamp"
fi

# Qt needs a few system libraries even offscreen; fetch them on Debian/Ubuntu when missing and we are root.
if ! QT_QPA_PLATFORM=offscreen "$VPY" -c 'from PySide6.QtWidgets import QApplication; QApplication([])' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing Qt's system libraries"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libegl1 libgl1 libxkbcommon0 \
      libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core >/dev/null
  else
    echo "Qt cannot start: install your distribution's libegl1 libxkbcommon0 libfontconfig1 packages." >&2
  fi
fi

case "$mode" in
  app)
    exec "$VENV/bin/sparklio" "$@"
    ;;
  test)
    export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
    if [ $# = 0 ]; then  # the whole suite starts with lint, format and types; given test paths, just those tests
      echo "==> lint (ruff check), format (ruff format --check), types (pyright on router/ and local_models/)"
      "$VPY" -m ruff check --quiet . || { echo "ruff found problems (ruff check --fix fixes most)" >&2; exit 1; }
      "$VPY" -m ruff format --check --quiet . || { echo "files need formatting: $VPY -m ruff format ." >&2; exit 1; }
      "$VPY" -m pyright -p . --pythonpath "$VPY" > "$VENV/pyright.log" || { cat "$VENV/pyright.log"; exit 1; }
      tail -1 "$VENV/pyright.log"
    fi
    exec "$VPY" -m pytest -q -p no:cacheprovider "$@"
    ;;
  *)
    echo "usage: bash packaging/bootstrap.sh app|test [args...]" >&2
    exit 2
    ;;
esac
