"""Accounts: user and team names, the three roles, password hashing and the sign-in lockout.

Pure rules; the office's database (:mod:`zkq_geo.office.store`) keeps the accounts. Passwords are
hashed with Argon2id (argon2-cffi, its default parameters: RFC 9106's low-memory choice); a hash
made with older parameters is replaced at the next successful sign-in. There is no default
password anywhere: an account without one can only be used through a trusted proxy's header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from zkq_geo.errors import OptionError
from zkq_geo.i18n.messages import Items, msg

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")
USER_NAME = re.compile(r"[a-z][a-z0-9_.-]{1,39}")  # LDAP/AD style login names; display names may be Chinese
TEAM_NAME = re.compile(r"[a-z][a-z0-9_-]{1,39}")
MIN_PASSWORD_CHARS = 10
LOCK_AFTER_FAILURES = 5  # failed sign-ins in a row that lock an account ...
LOCK_SECONDS = 15 * 60  # ... for this long (an admin's `users passwd` or `enable` unlocks at once)
FAILED_SIGN_IN_DELAY_S = 1.0  # every failed sign-in answers this much later (slows guessing further)

_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    """An account as the app and the CLI see it (never its password hash)."""

    name: str
    role: Role
    display_name: str = ""
    teams: tuple[str, ...] = ()
    disabled: bool = False
    has_password: bool = False

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_edit(self) -> bool:
        return self.role in ("editor", "admin")


def check_user_name(name: str) -> str:
    if not isinstance(name, str) or not USER_NAME.fullmatch(name):
        raise OptionError(msg("user_name_bad", name=str(name)[:60]))
    return name


def check_team_name(name: str) -> str:
    if not isinstance(name, str) or not TEAM_NAME.fullmatch(name):
        raise OptionError(msg("team_name_bad", name=str(name)[:60]))
    return name


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise OptionError(msg("role_bad", role=str(role)[:40], roles=Items(ROLES)))
    return role  # type: ignore[return-value]


def check_password(password: str, user_name: str) -> str:
    """``password`` if it may be set: at least :data:`MIN_PASSWORD_CHARS` characters, not the
    user's name; else :class:`OptionError` saying so."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise OptionError(msg("password_too_short", n=MIN_PASSWORD_CHARS))
    if user_name.lower() in password.lower():
        raise OptionError(msg("password_has_name"))
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash`` (an Argon2 hash); False for no hash."""
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def locked_until(failures: int, now: float) -> float | None:
    """When an account with ``failures`` failed sign-ins in a row (the last at ``now``, seconds
    since the epoch) may try again, or None when it is not locked."""
    return now + LOCK_SECONDS if failures >= LOCK_AFTER_FAILURES else None
