#!/usr/bin/env sh
# Puts the unpacked Sparklio folder in your menu: a .desktop entry and icon under ~/.local/share (no root needed).
# Run it from the folder you unpacked: ./install.sh   (remove: rm ~/.local/share/applications/sparklio.desktop)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$here/share/icons/hicolor/256x256/apps/sparklio.png" "$icons/sparklio.png"
sed "s|^Exec=sparklio|Exec=\"$here/sparklio\"|" "$here/share/applications/sparklio.desktop" > "$apps/sparklio.desktop"
echo "Sparklio is in your applications menu (runs $here/sparklio). Your data stays in your data folder when you delete this one."
