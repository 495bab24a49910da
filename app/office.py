"""The office of this server process: the workspace and the office store (users, teams, sessions,
layer access, audit), opened only through :func:`zkq_geo.office.backends.open_office`.

One pair per process and configuration (``$ZKQ_WORKSPACE``, ``$ZKQ_DATABASE_URL``): the sign-in
gate (gate.py), the tile route (server.py) and the script (user.py) share it. Plain Python, no
Streamlit, so the server side uses it outside a script run.
"""

from __future__ import annotations

import functools
import os
import time

import sqlalchemy as sa

from zkq_geo.office import store as office_tables
from zkq_geo.office.accounts import User
from zkq_geo.office.backends import open_office
from zkq_geo.office.store import OfficeStore
from zkq_geo.office.userspace import UserWorkspace

SESSION_COOKIE = "zkq_session"


def office() -> tuple[object, OfficeStore]:
    """``(workspace, store)`` of the current configuration, opened once per process."""
    root, url = os.environ.get("ZKQ_WORKSPACE", ""), os.environ.get("ZKQ_DATABASE_URL", "")
    return _opened(root.strip(), url.strip())


@functools.lru_cache(maxsize=8)
def _opened(root: str, url: str) -> tuple[object, OfficeStore]:
    return open_office(root or None, url or None)


def store() -> OfficeStore:
    return office()[1]


def session_user(token) -> User | None:
    """The user of the session ``token`` (a cookie's value); None for no, a non-text or a dead one."""
    if not isinstance(token, str) or not token:
        return None
    return store().session_user(token)


def user_workspace(user: User) -> UserWorkspace:
    workspace, office_store = office()
    return UserWorkspace(workspace, office_store, user)


def locked_names(office_store: OfficeStore) -> set[str]:
    """Users locked out now by failed sign-ins (the admin page lists them; a new password or
    enabling the account unlocks)."""
    users = office_tables.users
    query = sa.select(users.c.name).where(users.c.locked_until > time.time())
    with office_store.engine.connect() as conn:
        return set(conn.execute(query).scalars())
