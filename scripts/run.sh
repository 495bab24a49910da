#!/usr/bin/env bash
# Set up (if needed) and run the zkq-geo app on the shipped data: http://localhost:${PORT:-8501}
# Runs from the repository root, where Streamlit finds .streamlit/config.toml (static serving
# of the vendored map files, no usage statistics, no file watcher). The app starts through
# app/server.py: Streamlit's own server serving app/streamlit_app.py plus the map-tile route
# (/tiles/...) of imported layers, on the one port.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
for f in app/streamlit_app.py app/server.py; do
    [ -f "$f" ] || { echo "[run] error: $f is missing" >&2; exit 1; }
done
echo "[run] starting Streamlit on http://localhost:${PORT:-8501}"
exec .venv/bin/streamlit run app/server.py --server.headless true --server.port "${PORT:-8501}"
