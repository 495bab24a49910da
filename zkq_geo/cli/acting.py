"""Who the ``zkq-geo`` command acts as, and what that user may see and change.

The CLI trusts the shell account of the server: whoever can run it can read the workspace and
the office database anyway, so there is no password to type. The global option ``--as USER``
(or ``$ZKQ_USER``) names the account the command acts as: the layers that account may see are
the only ones shown, its role decides what may be changed, and the audit trail records it.

While the office has no account (a fresh single-user install) every command works as it did
before accounts existed; nothing is created until ``zkq-geo users add`` makes the first admin.
Once accounts exist, a command without ``--as`` sees the shipped layers and the layers shared
with everyone, and may change nothing.

The workspace and the office store are opened only through
:func:`zkq_geo.office.backends.open_office`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from zkq_geo.errors import AccessError, DataSourceError
from zkq_geo.i18n.messages import listed, msg
from zkq_geo.office.accounts import User
from zkq_geo.office.backends import open_office, open_workspace
from zkq_geo.office.db import OFFICE_FILE, database_url, is_postgres
from zkq_geo.office.store import OfficeStore
from zkq_geo.office.userspace import UserWorkspace
from zkq_geo.workspace import full_catalog

USER_ENV = "ZKQ_USER"
# Whom a command without --as reads as once accounts exist: no account has this name (user names
# start with a letter), no team, the viewer role: it sees shipped layers, layers shared with
# everyone and layers from before accounts (which everyone saw), and changes nothing.
NOBODY = User(name="-", role="viewer")


@dataclass(frozen=True)
class Acting:
    """The workspace, the office store (None while no office database exists) and the ``--as``
    user (None without ``--as``) of one command."""

    workspace: object
    store: OfficeStore | None
    user: User | None
    accounts: bool  # does the office have any account?

    def catalog(self):
        """The catalogue this command may show: every layer while no account exists; else the
        shipped layers and the imported ones the user (or, without --as, everyone) may see."""
        if not self.accounts:
            return full_catalog(workspace=self.workspace)
        return self.viewer().catalog()

    def viewer(self) -> UserWorkspace:
        """The workspace as the ``--as`` user sees it (without --as: as :data:`NOBODY`)."""
        return UserWorkspace(self.workspace, self.store, self.user or NOBODY)

    def writer(self) -> UserWorkspace | None:
        """The workspace to change as the ``--as`` user (its role is checked by each change), or
        None while no account exists (the workspace is changed directly, as before accounts)."""
        if not self.accounts:
            return None
        if self.user is None:
            raise AccessError(msg("cli_needs_as"))
        return UserWorkspace(self.workspace, self.store, self.user)

    def cleaned(self):
        """The workspace, once what interrupted imports left behind is removed (said on stderr)."""
        if removed := self.workspace.clean_orphans():
            note = msg("orphans_removed", n=len(removed), items=listed(removed))
            print(f"zkq-geo: note: {note}", file=sys.stderr)
        return self.workspace


def acting_user_name(args) -> str | None:
    """The name given by ``--as`` or ``$ZKQ_USER`` (None when neither is)."""
    return getattr(args, "user", None) or os.environ.get(USER_ENV, "").strip() or None


def open_acting(args) -> Acting:
    """The workspace, the office store and the ``--as`` user of a command (see the module)."""
    workspace = open_workspace()
    store = None
    if is_postgres(database_url()) or (workspace.root / OFFICE_FILE).is_file():
        workspace, store = open_store()  # the office exists: never created by a command that reads
    accounts = store is not None and store.has_users()
    name = acting_user_name(args)
    if name is None:
        return Acting(workspace, store, None, accounts)
    if not accounts:
        raise AccessError(msg("cli_no_accounts", user=name[:40]))
    return Acting(workspace, store, active_user(store, name), accounts)


def open_store():
    """``open_office()``; a workspace folder that cannot be made is one DataSourceError."""
    try:
        return open_office()
    except OSError as exc:
        raise DataSourceError(msg("cli_office_unwritable", error=exc.strerror or str(exc))) from None


def active_user(store: OfficeStore, name: str) -> User:
    """The enabled account ``name``, or AccessError (unknown or disabled)."""
    user = store.user(name)
    if user is None:
        raise AccessError(msg("user_unknown", name=name[:40]))
    if user.disabled:
        raise AccessError(msg("cli_account_disabled", name=name))
    return user


def add_user_option(parser) -> None:
    """The global ``--as USER`` option of ``zkq-geo``."""
    parser.add_argument(
        "--as",
        dest="user",
        metavar="USER",
        help=f"act as this account (default ${USER_ENV}): it decides which imported layers are "
        "shown and what may be changed, and it is the name the audit trail records",
    )
