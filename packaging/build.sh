#!/usr/bin/env bash
# Builds the desktop app with PyInstaller (packaging/sparklio.spec) and smoke-tests the built binary:
#   bash packaging/build.sh             dist/Sparklio/ (Linux, Windows) or dist/Sparklio.app (macOS), size, smoke test
#   bash packaging/build.sh --package   also the download: Linux tarball (with the .desktop entry); macOS zip
# Uses $SPARKLIO_VENV (default .venv, as bootstrap.sh makes it) plus PyInstaller; without one it makes a lean venv
# with the newest Python >= 3.12 and no torch/diffusers (the app installs those on demand: `sparklio gpu install`).
set -euo pipefail
cd "$(dirname "$0")/.."
package=0; [ "${1:-}" = "--package" ] && package=1
VENV="${SPARKLIO_VENV:-.venv}"
VPY="$VENV/bin/python"; [ -x "$VENV/Scripts/python.exe" ] && VPY="$VENV/Scripts/python.exe"
start=$SECONDS

if [ ! -x "$VPY" ]; then
  . packaging/find_python.sh
  find_python || exit 1
  echo "==> creating a lean build venv $VENV with $("$PY" --version 2>&1)"
  "$PY" -m venv "$VENV"
  VPY="$VENV/bin/python"; [ -x "$VENV/Scripts/python.exe" ] && VPY="$VENV/Scripts/python.exe"
  "$VPY" -m pip install -q --disable-pip-version-check --upgrade pip
  read -ra deps <<< "$("$VPY" packaging/build_deps.py)"
  "$VPY" -m pip install -q --disable-pip-version-check "${deps[@]}"
  "$VPY" -m pip install -q --disable-pip-version-check --no-deps -e .
fi
if ! "$VPY" -c 'import PyInstaller' 2>/dev/null; then
  echo "==> installing PyInstaller"
  read -ra deps <<< "$("$VPY" packaging/build_deps.py --build-only)"
  "$VPY" -m pip install -q --disable-pip-version-check "${deps[@]}"
fi

export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
"$VPY" packaging/make_icons.py build/icons
echo "==> building with PyInstaller ($("$VPY" --version 2>&1))"
"$VPY" -m PyInstaller --noconfirm --clean --log-level ERROR --distpath dist --workpath build/pyinstaller \
  packaging/sparklio.spec
version="$("$VPY" -c 'import router; print(router.__version__)')"
case "$(uname -s)" in
  Darwin) app=dist/Sparklio.app; bin="$app/Contents/MacOS/sparklio"; os=macos ;;
  MINGW*|MSYS*|CYGWIN*) app=dist/Sparklio; bin="$app/sparklio-cli.exe"; os=windows ;;
  *) app=dist/Sparklio; bin="$app/sparklio"; os=linux ;;
esac
echo "==> built $app in $((SECONDS - start)) s: $(du -sh "$app" | cut -f1)"

limit() { if command -v timeout >/dev/null; then timeout "$@"; else shift; "$@"; fi; }  # macOS has no timeout
echo "==> smoke test"
smoke="$(mktemp -d)"
trap 'rm -rf "$smoke"' EXIT
SPARKLIO_SMOKE_TEST=1 limit 180 "$bin" --data-dir "$smoke/data" | tee "$smoke/gui.txt"
grep -q "smoke: quit cleanly" "$smoke/gui.txt"
OPENAI_API_KEY=sk-smoke-test limit 120 "$bin" --data-dir "$smoke/data" route "hello" --json > "$smoke/route.json"
"$VPY" -c 'import json,sys; plan = json.load(open(sys.argv[1])); print("smoke: route hello ->", plan["chain"][0]["model"])' \
  "$smoke/route.json"
limit 120 "$bin" -m pip --version | sed 's/^/smoke: bundled /'
test -f "$smoke/data/sparklio.db"
# GPU support through the built app's own pip, from a loopback index of tiny fake torch/diffusers wheels
"$VPY" -m tests.fakes.package_index "$smoke/wheels" > "$smoke/index.url" & index_pid=$!
trap 'kill "$index_pid" 2>/dev/null || true; rm -rf "$smoke"' EXIT  # never fails the build itself
for _ in $(seq 50); do [ -s "$smoke/index.url" ] && break; sleep 0.2; done
PIP_CONFIG_FILE="$("$VPY" -c 'import os; print(os.devnull)')" limit 300 "$bin" --data-dir "$smoke/data" \
  gpu install --yes --force --index-url "$(cat "$smoke/index.url")" 2>/dev/null | sed 's/^/smoke: /'
kill "$index_pid"; wait "$index_pid" 2>/dev/null || true
grep -q '"torch_version": "2.14.1"' "$smoke/data/gpu-support/installed.json"
echo "==> smoke test passed"

if [ "$package" = 1 ]; then
  case "$os" in
    linux)
      mkdir -p "$app/share/applications" "$app/share/icons/hicolor/256x256/apps"
      cp packaging/linux/sparklio.desktop "$app/share/applications/"
      cp build/icons/sparklio.png "$app/share/icons/hicolor/256x256/apps/sparklio.png"
      cp packaging/linux/install.sh "$app/"
      tar -C dist -czf "dist/Sparklio-$version-linux-x86_64.tar.gz" Sparklio ;;
    macos) ditto -c -k --keepParent "$app" "dist/Sparklio-$version-macos.zip" ;;
    windows) echo "the Windows installer is made by Inno Setup: iscc packaging/windows/sparklio.iss" ;;
  esac
  ls -la dist
fi
echo "==> done in $((SECONDS - start)) s"
