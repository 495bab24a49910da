"""The exception hierarchy of zkq_geo.

Every error a user can cause is a ``ZkqGeoError``; the CLI and the app show its message and
never a traceback. Each subclass also inherits the closest builtin so callers can catch either.
"""

from __future__ import annotations

from zkq_geo.i18n.messages import Items, msg


class ZkqGeoError(Exception):
    """Base of all errors raised on purpose by zkq_geo.

    The first argument is the message: a :class:`zkq_geo.i18n.messages.Message` for input a planner
    can fix (``str(exc)`` is its English text; :meth:`text` gives Chinese too), or plain text.
    """

    @property
    def message(self) -> str:
        """The message as given (a ``Message`` when it has a Chinese text), else ``str(self)``."""
        first = self.args[0] if len(self.args) == 1 else None
        return first if isinstance(first, str) else str(self)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ("en" or "zh"); plain-text messages stay as they are."""
        message = self.message
        return message.text(lang) if hasattr(message, "text") else message


class SchemaError(ZkqGeoError, ValueError):
    """A table or layer lacks a required column, or a value has the wrong type or unit."""


class CRSError(ZkqGeoError, ValueError):
    """A coordinate reference system is missing, unsupported or wrong for the operation."""


class DataSourceError(ZkqGeoError, OSError):
    """A file or catalogue entry cannot be read."""


class OptionError(ZkqGeoError, ValueError):
    """An option value is not one of the allowed choices."""


class AccessError(ZkqGeoError, PermissionError):
    """The signed-in user may not do this (role, ownership or visibility), or signing in failed."""


class JoinError(ZkqGeoError, ValueError):
    """An attribute join cannot be made (missing key, duplicates where none are allowed)."""


def check_choice(name: str, value: object, allowed: tuple | list | set) -> None:
    """Raise :class:`OptionError` unless ``value`` is one of ``allowed``.

    The message names the option, the value given and every allowed value.
    """
    if value not in allowed:
        choices = Items(repr(a) for a in sorted(allowed, key=str))
        raise OptionError(msg("choice_not_allowed", name=name, value=value, choices=choices))


def require_columns(df, columns, caller: str) -> None:
    """Raise :class:`SchemaError` naming the columns ``caller`` needs that ``df`` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        columns = Items(map(str, df.columns)) if len(df.columns) else msg("no_columns")
        raise SchemaError(msg("columns_missing", caller=caller, missing=Items(missing), columns=columns))
