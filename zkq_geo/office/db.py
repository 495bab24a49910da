"""The office's database connection: SQLite (embedded, a file beside the workspace) or
PostgreSQL + PostGIS (``ZKQ_DATABASE_URL``). One SQLAlchemy engine per URL and process."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import sqlalchemy as sa

from zkq_geo.errors import OptionError
from zkq_geo.i18n.messages import msg

DATABASE_ENV = "ZKQ_DATABASE_URL"
OFFICE_FILE = "office.sqlite"  # the embedded database, in the workspace folder


def database_url() -> str | None:
    """``$ZKQ_DATABASE_URL`` (a ``postgresql://`` URL), or None: the embedded workspace."""
    url = os.environ.get(DATABASE_ENV, "").strip()
    return url or None


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.split("://", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def sqlalchemy_url(url: str) -> str:
    """``url`` with the psycopg 3 driver named (``postgresql+psycopg://``); refuses other schemes."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+", 1)[0] not in ("postgresql", "postgres", "sqlite"):
        raise OptionError(msg("database_url_bad", url=redacted(url)))
    if scheme.split("+", 1)[0] == "sqlite":
        return url
    return f"postgresql+psycopg://{rest}"


@functools.cache
def engine_for(url: str) -> sa.Engine:
    """The engine of ``url`` (cached per process). SQLite: WAL journal and a busy timeout so that
    several processes of one server wait for each other instead of failing."""
    full = sqlalchemy_url(url)
    if full.startswith("sqlite"):
        engine = sa.create_engine(full, connect_args={"timeout": 60})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        return engine
    return sa.create_engine(full, pool_pre_ping=True, pool_size=5, max_overflow=10)


def sqlite_url(workspace_root: str | Path) -> str:
    return f"sqlite:///{Path(workspace_root) / OFFICE_FILE}"


def redacted(url: str) -> str:
    """``url`` without its password (never shown, never logged)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url[:80]
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"[:120]
