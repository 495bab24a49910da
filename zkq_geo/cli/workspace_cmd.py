"""The ``workspace`` command of ``zkq-geo``: ``workspace migrate --to URL`` moves the embedded office
(the workspace folder and its office.sqlite) into PostgreSQL + PostGIS
(:func:`zkq_geo.office.migrate.migrate`). Parsing and output only.

Registered by :mod:`zkq_geo.cli.main` (``add_workspace_parsers`` and ``WORKSPACE_COMMANDS``). The
database URL's password is never printed.
"""

from __future__ import annotations

import sys

import pandas as pd

from zkq_geo.cli.output import OUTPUT_FORMATS, emit
from zkq_geo.errors import OptionError
from zkq_geo.i18n.messages import msg

_TO_HELP = (
    "the PostgreSQL + PostGIS database, postgresql://user:password@host:5432/db "
    "(default: $ZKQ_DATABASE_URL; the environment keeps the password out of the process list)"
)


def add_workspace_parsers(sub) -> None:
    """Add ``workspace`` (with ``migrate``) to the subparsers ``sub`` of ``zkq-geo``."""
    workspace = sub.add_parser("workspace", help="move the workspace and office records to PostgreSQL")
    actions = workspace.add_subparsers(dest="action", required=True)
    move = actions.add_parser(
        "migrate",
        help="copy every layer version, original, the trash, users, teams, access and the audit "
        "trail into an empty PostgreSQL + PostGIS database, in one transaction",
    )
    move.add_argument("--to", dest="url", metavar="URL", help=_TO_HELP)
    move.add_argument(
        "--from", dest="root", metavar="DIR", help="the workspace folder (default: $ZKQ_WORKSPACE)"
    )
    move.add_argument("--format", choices=OUTPUT_FORMATS, default="table", help="format of the counts")


def cmd_workspace(args) -> int:
    """``workspace migrate``: the counts of what moved on stdout, one line on stderr saying so."""
    from zkq_geo.office.db import database_url
    from zkq_geo.office.migrate import migrate
    from zkq_geo.workspace import default_root

    url = args.url or database_url()
    if not url:
        raise OptionError(msg("migrate_no_target"))
    report = migrate(args.root or default_root(), url)
    emit(pd.DataFrame(report.rows(), columns=["moved", "count"]), args.format)
    print(report.message, file=sys.stderr)
    return 0


WORKSPACE_COMMANDS = {"workspace": cmd_workspace}
