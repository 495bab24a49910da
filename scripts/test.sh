#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite, browser tests included; then a second pass of
# the office/workspace tests on PostgreSQL+PostGIS (ZKQ_TEST_BACKEND=postgis). Fails if either fails.
#   bash scripts/test.sh [pytest args...]   (the args go to the first pass only)
# Installs Debian's chromium with apt-get when /usr/bin/chromium is missing (needs root).
# Browser tests fail, not skip, when a component is missing (ZKQ_REQUIRE_BROWSER=1).
# Exits non-zero when a test fails or when pytest collected no test (its exit code 5).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

CHROMIUM=${ZKQ_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] $CHROMIUM missing; installing Debian's chromium with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  else
    echo "[test] error: $CHROMIUM not found; install it (sudo apt-get install chromium) and rerun" >&2
    exit 1
  fi
fi
[ -x "$CHROMIUM" ] || { echo "[test] error: $CHROMIUM still missing after apt-get" >&2; exit 1; }

# A CJK font so screenshots (test-artifacts/) show Chinese text rather than boxes; DOM assertions
# do not depend on it, so a machine where it cannot be installed only gets uglier screenshots.
if ! fc-list :lang=zh 2>/dev/null | grep -q . && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[test] installing a CJK font for screenshots (fonts-wqy-microhei)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 \
    || echo "[test] warning: could not install fonts-wqy-microhei; screenshots may show boxes for Chinese"
fi

export ZKQ_CHROMIUM="$CHROMIUM"
export ZKQ_REQUIRE_BROWSER=1

# PostgreSQL + PostGIS: a throwaway cluster for this run (scripts/pg_cluster.sh installs the Debian
# packages when missing); tests that need it fail, not skip, without it (ZKQ_REQUIRE_POSTGIS=1).
if [ -z "${ZKQ_TEST_DATABASE_URL:-}" ]; then
  PG_DIR=$(mktemp -d /tmp/zkqpg-XXXXXX)
  trap 'bash scripts/pg_cluster.sh stop "$PG_DIR"' EXIT
  ZKQ_TEST_DATABASE_URL=$(bash scripts/pg_cluster.sh start "$PG_DIR")
  export ZKQ_TEST_DATABASE_URL
fi
export ZKQ_REQUIRE_POSTGIS=1

echo "[test] ruff (lint and format, configured in pyproject.toml)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "[test] pass 1 of 2: the whole suite (workspace folder of GeoPackages, office.sqlite)"
status=0
.venv/bin/python -m pytest -q -rfEs "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "[test] error: pytest collected no tests" >&2
  exit 1
fi

# The second pass: the tests that go through the office and workspace API, again with layers,
# users and audit in PostgreSQL+PostGIS (ZKQ_TEST_BACKEND=postgis: tests/conftest.py gives each
# test a fresh database of the same throwaway cluster as ZKQ_DATABASE_URL). Tests that inspect
# the workspace folder itself are marked folder_workspace and left out.
POSTGIS_PASS=(
  tests/unit/office/test_backend_pass.py
  tests/cli/test_cli_office.py
  tests/cli/test_cli_import.py
  tests/cli/test_cli_layer.py
  tests/app/test_app_office.py
  tests/app/test_app_import.py
  tests/app/test_app_workspace.py
  tests/app/test_sign_in_gate.py
  tests/app/test_tile_route.py  # all folder_workspace (tippecanoe files); the route on PostGIS: test_app_postgis.py
  tests/app/test_app_postgis.py
  tests/browser/test_browser_office.py
)
echo "[test] pass 2 of 2: the office, import, layer and sign-in tests on PostgreSQL+PostGIS"
pg_status=0
ZKQ_TEST_BACKEND=postgis .venv/bin/python -m pytest -q -rfEs -m "not folder_workspace" "${POSTGIS_PASS[@]}" \
  || pg_status=$?
[ "$status" -eq 0 ] || echo "[test] pass 1 (GeoPackage folder) FAILED (pytest exit $status)" >&2
[ "$pg_status" -eq 0 ] || echo "[test] pass 2 (PostGIS) FAILED (pytest exit $pg_status)" >&2
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$pg_status"
