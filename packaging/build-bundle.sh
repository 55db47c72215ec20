#!/usr/bin/env bash
# Build a PyInstaller one-folder bundle of noc-app: OUT/noc-app/noc-app runs without a Python installation.
#
#   packaging/build-bundle.sh [OUT]      (default OUT: dist/bundle; the build venv and work files go under OUT)
#
# Needs python3 (3.11+) with venv and network access to PyPI (pip). The bundle holds the app's
# package data (themes, bundled configs, the icon, bench scenarios) and Qt's offscreen and xcb
# platform plugins; it still needs the host's Qt system libraries (libxcb-*, libEGL, fontconfig,
# a font), as the README lists for the pip install.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
out="$(realpath -m "${1:-$repo/dist/bundle}")"
python="${PYTHON:-python3}"
mkdir -p "$out"
started=$(date +%s)

venv="$out/build-venv"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check "pyinstaller>=6,<7" "$repo"

# Qt's platform plugins beyond the ones PyInstaller's PySide6 hook keeps: offscreen (screenshot,
# check-config without a display) and xcb (X11 walls); both are in PySide6-Essentials.
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --name noc-app --onedir \
  --distpath "$out" --workpath "$out/work" --specpath "$out/work" \
  --collect-submodules noc_app \
  --collect-data noc_app \
  --hidden-import PySide6.QtSvg \
  --exclude-module tkinter --exclude-module matplotlib --exclude-module IPython \
  --exclude-module PySide6.QtWebEngineCore --exclude-module PySide6.Qt3DCore \
  "$here/bundle/noc_app_entry.py"

echo "built $out/noc-app/noc-app in $(( $(date +%s) - started )) s ($(du -sh "$out/noc-app" | cut -f1))"
