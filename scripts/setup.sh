#!/usr/bin/env bash
# Set up zkq-geo on this machine; safe to run again (fast when nothing changed).
#   1. a Python virtualenv in .venv (installs python3-venv with apt-get if needed and root)
#   2. the pinned packages of requirements.txt (their dependencies pinned by constraints.txt)
#      and zkq_geo itself (editable)
#   3. the browser files the maps need (Leaflet, jQuery from PyPI; Leaflet.VectorGrid from npm,
#      or from the mirror in $ZKQ_NPM_REGISTRY) in app/static/vendor/
# Usage: bash scripts/setup.sh        (PYTHON=/path/to/python3.11 to choose the interpreter)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.zkq-requirements.sha256

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; install Python 3.11+ (apt-get install python3)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "$("$PYTHON" --version 2>&1) is too old; zkq-geo needs Python 3.11+ (set PYTHON=...)"

venv_works() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

make_venv() {
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" >/dev/null 2>&1 && return 0
  rm -rf "$VENV"
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "'$PYTHON -m venv' does not work here; install the venv module (sudo apt-get install python3-venv) and rerun"
  fi
  log "'$PYTHON -m venv' failed; installing python3-venv with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3-venv >/dev/null
  "$PYTHON" -m venv "$VENV" || die "'$PYTHON -m venv' still fails after installing python3-venv"
}

if venv_works; then
  log "virtualenv $VENV ok ($("$VENV/bin/python" --version))"
else
  log "creating virtualenv $VENV with $("$PYTHON" --version 2>&1)"
  make_venv
fi

want=$(cat requirements.txt constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
have=$(cat "$STAMP" 2>/dev/null || true)
if [ "$want" = "$have" ] && "$VENV/bin/python" -c 'import zkq_geo' >/dev/null 2>&1; then
  log "python packages up to date (requirements.txt unchanged)"
else
  log "installing python packages from requirements.txt (first time: a few minutes)"
  rm -f "$STAMP"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -r requirements.txt -c constraints.txt
  log "installing zkq_geo (editable)"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off --quiet --no-deps -e .
  printf '%s\n' "$want" > "$STAMP"
fi

log "browser assets"
"$VENV/bin/python" scripts/install_assets.py
log "done"
