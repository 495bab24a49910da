"""PostgreSQL + PostGIS for the tests: one throwaway cluster per run, one fresh database per test.

The test command (scripts/test.sh) starts the cluster with scripts/pg_cluster.sh and exports its
URL as ``ZKQ_TEST_DATABASE_URL`` with ``ZKQ_REQUIRE_POSTGIS=1``: a test that needs the database
then fails, never skips, when it is missing. Run by hand without that variable, the first test
that needs it starts a cluster itself (bash scripts/pg_cluster.sh, removed at the end of the run);
where that is not possible the test is skipped, saying why, unless ``ZKQ_REQUIRE_POSTGIS=1``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CLUSTER_SCRIPT = REPO / "scripts" / "pg_cluster.sh"
TEMPLATE = "zkq"  # the database pg_cluster.sh creates, with the postgis extension


def required() -> bool:
    return os.environ.get("ZKQ_REQUIRE_POSTGIS") == "1"


def missing(reason: str):
    """Fail (CI, ZKQ_REQUIRE_POSTGIS=1) or skip with ``reason``."""
    if required():
        pytest.fail(f"PostgreSQL/PostGIS needed and missing: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL/PostGIS missing: {reason}")


def start_cluster() -> tuple[str, Path]:
    """Start a cluster with scripts/pg_cluster.sh; return its URL and folder."""
    folder = Path(tempfile.mkdtemp(prefix="zkqpg-"))
    done = subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(folder)], capture_output=True)
        raise RuntimeError(done.stderr.strip()[-500:] or "pg_cluster.sh failed")
    return done.stdout.strip().splitlines()[-1], folder


def stop_cluster(folder: Path) -> None:
    subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(folder)], capture_output=True, timeout=120)


def with_database(url: str, database: str) -> str:
    """``url`` with its database name replaced (the URLs of pg_cluster.sh: ``.../<db>?host=...``)."""
    head, _, query = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{database}" + (f"?{query}" if query else "")


def admin(url: str, sql: str) -> None:
    """Run one statement on the cluster's ``postgres`` database, outside a transaction."""
    import psycopg

    with psycopg.connect(to_psycopg(with_database(url, "postgres")), autocommit=True) as conn:
        conn.execute(sql)


def to_psycopg(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def new_database(url: str) -> str:
    """A new database made from the cluster's template (PostGIS enabled); its URL."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    return with_database(url, name)


def drop_database(url: str) -> None:
    name = url.partition("?")[0].rsplit("/", 1)[1]
    admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
