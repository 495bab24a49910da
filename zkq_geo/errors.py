"""The exception hierarchy of zkq_geo.

Every error a user can cause is a ``ZkqGeoError``; the CLI and the app show its message and
never a traceback. Each subclass also inherits the closest builtin so callers can catch either.
"""
from __future__ import annotations


class ZkqGeoError(Exception):
    """Base of all errors raised on purpose by zkq_geo."""


class SchemaError(ZkqGeoError, ValueError):
    """A table or layer lacks a required column, or a value has the wrong type or unit."""


class CRSError(ZkqGeoError, ValueError):
    """A coordinate reference system is missing, unsupported or wrong for the operation."""


class DataSourceError(ZkqGeoError, OSError):
    """A file or catalogue entry cannot be read."""


class OptionError(ZkqGeoError, ValueError):
    """An option value is not one of the allowed choices."""


class JoinError(ZkqGeoError, ValueError):
    """An attribute join cannot be made (missing key, duplicates where none are allowed)."""


def check_choice(name: str, value: object, allowed: tuple | list | set) -> None:
    """Raise :class:`OptionError` unless ``value`` is one of ``allowed``.

    The message names the option, the value given and every allowed value.
    """
    if value not in allowed:
        choices = ", ".join(repr(a) for a in sorted(allowed, key=str))
        raise OptionError(f"{name}={value!r} is not allowed; choose one of: {choices}")


def require_columns(df, columns, caller: str) -> None:
    """Raise :class:`SchemaError` naming the columns ``caller`` needs that ``df`` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{caller} needs column(s) {', '.join(missing)}; the table has: "
            f"{', '.join(map(str, df.columns)) or '(no columns)'}"
        )
