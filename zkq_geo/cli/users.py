"""The ``users`` command of ``zkq-geo``: accounts and teams of the shared office.

The first account (while the office has none) must be an admin and needs no ``--as``; every
later change needs ``--as`` an admin (a user may change their own password). Passwords are typed
twice at a prompt, read from stdin (``--password-stdin``) or generated (``--random-password``,
shown once); there is no default password, and no listing ever shows a password hash.
"""

from __future__ import annotations

import datetime
import getpass
import secrets
import sys

import pandas as pd
import sqlalchemy as sa

from zkq_geo.cli.acting import acting_user_name, active_user, open_store
from zkq_geo.cli.output import OUTPUT_FORMATS, emit
from zkq_geo.errors import AccessError, OptionError
from zkq_geo.i18n.messages import msg
from zkq_geo.office import accounts
from zkq_geo.office.access import require
from zkq_geo.office.store import SYSTEM, OfficeStore
from zkq_geo.office.store import teams as team_table
from zkq_geo.office.store import users as user_table

RANDOM_PASSWORD_CHARS = 20
# letters and digits that cannot be mistaken for each other when read off a screen (no 0/O, 1/l/I)
_PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def add_users_parsers(sub) -> None:
    """Add ``users`` and its actions to the subparsers ``sub`` of ``zkq-geo``."""
    users = sub.add_parser(
        "users",
        help="accounts and teams of the shared office (the first account is an admin; "
        "after that, --as an admin)",
    )
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add an account")
    add.add_argument("name", metavar="NAME", help="login name, e.g. zhang.wei")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument(
        "--team", action="append", default=[], metavar="TEAM", help="a team to join (repeatable)"
    )
    add.add_argument("--display-name", default="", metavar="TEXT", help="the name shown, e.g. 张伟")
    _add_password_options(add)
    passwd = actions.add_parser("passwd", help="set NAME's password (also unlocks the account)")
    passwd.add_argument("name", metavar="NAME")
    _add_password_options(passwd)
    for action, text in (("disable", "stop NAME from signing in"), ("enable", "let NAME sign in again")):
        actions.add_parser(action, help=text).add_argument("name", metavar="NAME")
    role = actions.add_parser("role", help="change NAME's role")
    role.add_argument("name", metavar="NAME")
    role.add_argument("role", choices=accounts.ROLES)
    listing = actions.add_parser(
        "list", help="accounts: role, teams, disabled, locked until, created (never password hashes)"
    )
    listing.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    teams = actions.add_parser("teams", help="teams and their members")
    teams.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    team_add = actions.add_parser("team-add", help="add a team")
    team_add.add_argument("name", metavar="NAME", help="team name, e.g. planning1")
    team_add.add_argument("--title", default="", help="the team's title, e.g. 规划一科")
    for action, text in (("team-join", "put USER in TEAM"), ("team-leave", "take USER out of TEAM")):
        member = actions.add_parser(action, help=text)
        member.add_argument("user_name", metavar="USER")
        member.add_argument("team", metavar="TEAM")
    actions.add_parser("count", help="print the number of accounts (0 on a fresh install)")


def _add_password_options(p) -> None:
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    how.add_argument(
        "--random-password",
        action="store_true",
        help="generate a strong password and print it once (default: type it twice at a prompt)",
    )


def cmd_users(args) -> int:
    _, store = open_store()
    if args.action == "count":
        print(len(store.users()))
        return 0
    actor = _actor(store, args)
    ACTIONS[args.action](store, actor, args)
    return 0


def _actor(store: OfficeStore, args) -> str:
    """Who makes this change: ``system`` for the first admin while no account exists, else the
    ``--as`` user, who must be an admin (or, for ``passwd``, the user themselves)."""
    name = acting_user_name(args)
    if not store.has_users():
        if args.action in ("list", "teams"):
            return SYSTEM
        if args.action != "add" or args.role != "admin":
            raise OptionError(msg("cli_first_user_admin"))
        return SYSTEM
    if name is None:
        raise AccessError(msg("cli_needs_as_admin"))
    user = active_user(store, name)
    if not (args.action == "passwd" and args.name == user.name):
        require(user.is_admin, "admin", f"users {args.action}", user)
    return user.name


def _add(store: OfficeStore, actor: str, args) -> None:
    accounts.check_user_name(args.name)
    password, generated = _new_password(args, args.name)
    store.add_user(
        actor, args.name, args.role, password=password, display_name=args.display_name, teams_=args.team
    )
    print(msg("cli_user_added", name=args.name, role=args.role), file=sys.stderr)
    if generated:
        _show_once(args.name, password)


def _passwd(store: OfficeStore, actor: str, args) -> None:
    if store.user(args.name) is None:
        raise OptionError(msg("user_unknown", name=args.name[:40]))
    password, generated = _new_password(args, args.name)
    store.set_password(actor, args.name, password)
    print(msg("cli_password_set", name=args.name), file=sys.stderr)
    if generated:
        _show_once(args.name, password)


def _list(store: OfficeStore, actor: str, args) -> None:
    with store.engine.connect() as conn:  # the two columns the User record leaves out; never the hash
        columns = (user_table.c.name, user_table.c.created, user_table.c.locked_until)
        extra = {r.name: r for r in conn.execute(sa.select(*columns))}
    now = datetime.datetime.now(datetime.UTC).timestamp()
    rows = [
        {
            "name": u.name,
            "display_name": u.display_name,
            "role": u.role,
            "teams": ",".join(u.teams),
            "disabled": u.disabled,
            "locked_until": _locked(extra[u.name].locked_until, now),
            "created": extra[u.name].created,
        }
        for u in store.users()
    ]
    columns = ["name", "display_name", "role", "teams", "disabled", "locked_until", "created"]
    emit(pd.DataFrame(rows, columns=columns), args.format, empty=msg("cli_no_users"))


def _teams(store: OfficeStore, actor: str, args) -> None:
    with store.engine.connect() as conn:
        titles = dict(conn.execute(sa.select(team_table.c.name, team_table.c.title)).all())
    rows = [
        {"team": t, "title": titles.get(t, ""), "members": ",".join(members)}
        for t, members in store.teams().items()
    ]
    emit(pd.DataFrame(rows, columns=["team", "title", "members"]), args.format, empty=msg("cli_no_teams"))


def _change(store: OfficeStore, actor: str, args) -> None:
    """disable, enable, role, team-add, team-join and team-leave: one store call, one line said."""
    if args.action in ("disable", "enable"):
        store.set_disabled(actor, args.name, args.action == "disable")
        done = msg(f"cli_user_{args.action}d", name=args.name)
    elif args.action == "role":
        store.set_role(actor, args.name, args.role)
        done = msg("cli_user_role", name=args.name, role=args.role)
    elif args.action == "team-add":
        store.add_team(actor, args.name, args.title)
        done = msg("cli_team_added", name=args.name)
    else:
        joining = args.action == "team-join"
        store.set_membership(actor, args.user_name, args.team, joining)
        done = msg("cli_team_joined" if joining else "cli_team_left", user=args.user_name, team=args.team)
    print(done, file=sys.stderr)


ACTIONS = {
    "add": _add,
    "passwd": _passwd,
    "list": _list,
    "teams": _teams,
    **{a: _change for a in ("disable", "enable", "role", "team-add", "team-join", "team-leave")},
}


def _new_password(args, name: str) -> tuple[str, bool]:
    """The new password of ``name`` and whether it was generated; checked before anything is saved."""
    if args.random_password:
        return random_password(name), True
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise OptionError(msg("cli_password_no_terminal"))
        password = getpass.getpass(msg("cli_password_prompt", name=name) + " ")
        if getpass.getpass(msg("cli_password_again") + " ") != password:
            raise OptionError(msg("cli_password_mismatch"))
    accounts.check_password(password, name)
    return password, False


def random_password(name: str) -> str:
    """A password of :data:`RANDOM_PASSWORD_CHARS` characters from ``secrets`` (about 117 bits)
    that :func:`zkq_geo.office.accounts.check_password` accepts for ``name``."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(RANDOM_PASSWORD_CHARS))
        if name.lower() not in password.lower():
            return accounts.check_password(password, name)


def _show_once(name: str, password: str) -> None:
    """The generated password: the note on stderr, the password alone on stdout (for scripts)."""
    print(msg("cli_password_shown_once", name=name), file=sys.stderr)
    sys.stderr.flush()
    print(password, flush=True)


def _locked(until: float | None, now: float) -> str:
    if not until or until <= now:
        return ""
    return datetime.datetime.fromtimestamp(until, datetime.UTC).isoformat(timespec="seconds")


USERS_COMMANDS = {"users": cmd_users}
