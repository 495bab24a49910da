"""The ``audit`` command of ``zkq-geo``: the office's audit trail, for admins (``--as``).

CSV and Excel come from :mod:`zkq_geo.office.audit` (Chinese or English headers and action
names, formula-like cells kept as text); JSON gives the events' fields as stored.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import sys

from zkq_geo.cli.acting import acting_user_name, active_user, open_store
from zkq_geo.cli.output import emit, write_bytes
from zkq_geo.errors import AccessError, OptionError
from zkq_geo.i18n.messages import msg
from zkq_geo.office.access import require
from zkq_geo.office.audit import audit_csv, audit_frame, audit_xlsx

AUDIT_FORMATS = ("table", "csv", "xlsx", "json")


def add_audit_parser(sub) -> None:
    """Add ``audit`` to the subparsers ``sub`` of ``zkq-geo``."""
    audit = sub.add_parser(
        "audit",
        help="the audit trail: who imported, joined, shared, deleted what and when, file SHA-256, "
        "account changes and sign-ins (admins, with --as)",
    )
    audit.add_argument("--since", metavar="YYYY-MM-DD", help="events on or after this day (UTC)")
    audit.add_argument("--user", dest="actor", metavar="NAME", help="only the events of this user")
    audit.add_argument("--format", choices=AUDIT_FORMATS, default="table", help="xlsx needs -o")
    audit.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    audit.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="headers and action names (not json)"
    )


def cmd_audit(args) -> int:
    since = _since(args.since)
    if args.format == "xlsx" and not args.output:
        raise OptionError(msg("cli_xlsx_needs_output"))
    _, store = open_store()
    name = acting_user_name(args)
    if name is None:
        raise AccessError(msg("cli_needs_as_admin"))
    user = active_user(store, name) if store.has_users() else None
    if user is None:
        raise AccessError(msg("cli_no_accounts", user=name[:40]))
    require(user.is_admin, "admin", "audit", user)
    events = store.events(since=since, user=args.actor)
    if args.format == "table":
        emit(audit_frame(events, args.lang), "table", args.output, empty=msg("cli_no_events"))
    elif args.format == "json":
        doc = [dataclasses.asdict(e) for e in events]
        _write(json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8") + b"\n", args.output)
    elif args.format == "csv":
        _write(audit_csv(events, args.lang), args.output)
    else:
        write_bytes(args.output, audit_xlsx(events, args.lang))
    if args.output:
        print(msg("cli_audit_written", n=len(events), path=args.output), file=sys.stderr)
    return 0


def _since(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise OptionError(msg("cli_since_bad", since=text[:40])) from None


def _write(data: bytes, output: str | None) -> None:
    if output:
        write_bytes(output, data)
    else:  # on a terminal or a pipe: the text, without the BOM a file for Excel carries
        sys.stdout.write(data.decode("utf-8-sig"))


AUDIT_COMMANDS = {"audit": cmd_audit}
