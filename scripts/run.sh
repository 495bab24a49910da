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

# The shared office: while it has no account, make the first admin `admin` with a random password,
# shown once here (only its hash is stored). Afterwards this does nothing.
first_admin() {
    local count password
    count=$(.venv/bin/zkq-geo users count) || { echo "[run] error: cannot read the office's accounts (above)" >&2; exit 1; }
    [ "$count" = "0" ] || return 0
    password=$(.venv/bin/zkq-geo users add admin --role admin --random-password) \
        || { echo "[run] error: could not create the first admin (above)" >&2; exit 1; }
    cat <<EOF

==========================================================================================
  首个管理员账号已创建 / The first admin account was created
    用户名 / user:      admin
    密码 / password:    ${password}
  此密码只显示这一次，请立即记下 / This password is shown ONCE: write it down now.
  修改密码 / change it:  .venv/bin/zkq-geo --as admin users passwd admin
==========================================================================================

EOF
}
first_admin
echo "[run] starting Streamlit on http://localhost:${PORT:-8501}"
exec .venv/bin/streamlit run app/server.py --server.headless true --server.port "${PORT:-8501}"
