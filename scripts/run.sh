#!/usr/bin/env bash
# Set up (if needed) and run the zkq-geo app on the shipped data: http://localhost:${PORT:-8501}
# Runs from the repository root, where Streamlit finds .streamlit/config.toml (static serving
# of the vendored map files, no usage statistics, no file watcher).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
[ -f app/streamlit_app.py ] || { echo "[run] error: app/streamlit_app.py is missing" >&2; exit 1; }
echo "[run] starting Streamlit on http://localhost:${PORT:-8501}"
exec .venv/bin/streamlit run app/streamlit_app.py --server.headless true --server.port "${PORT:-8501}"
