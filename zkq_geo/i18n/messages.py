"""Messages about planners' input, in English and Chinese.

A :class:`Message` is a ``str`` that reads as its English text, so the CLI, logs and the saved
workspace index see exactly what they saw before; it also carries its key and parameters, and
:meth:`Message.text` gives the text in another language (the app shows ``text("zh")`` on the
Chinese UI). Errors carry a message as their first argument (:class:`zkq_geo.errors.ZkqGeoError`),
import reports carry messages in their ``problems`` and ``warnings``.

Parameters are rendered in the target language too: a :class:`Message` by its own ``text``,
:class:`Items` joined with ``, `` (English) or ``、`` (Chinese), anything else as given.

>>> m = msg("file_empty", file="a.csv")
>>> m
'a.csv is empty (0 bytes); export the data again and upload the new file'
>>> m.text("zh")
'a.csv 是空文件（0 字节）；请重新导出数据后上传新文件'
"""

from __future__ import annotations

import string
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from zkq_geo.i18n.tables import load_table

Lang = Literal["en", "zh"]
LANGS = ("en", "zh")
LIST_AT_MOST = 10
ITEMS_AT_MOST = 50

# key -> {"en": template, "zh": template} (messages.toml); templates use str.format fields. The
# English text is the library's original wording: tests, the CLI and stored reports rely on it.
MESSAGES: dict[str, dict[str, str]] = load_table(Path(__file__).with_name("messages.toml"))


class Items:
    """A list shown inside a message: joined with ``sep`` in English, ``zh_sep`` in Chinese; past
    :data:`ITEMS_AT_MOST` values it ends "and N more" (a file can name 100,000 columns or layers,
    and a message stays one readable line)."""

    def __init__(self, values, sep: str = ", ", zh_sep: str = "、"):
        self.values, self.sep, self.zh_sep = tuple(values), sep, zh_sep

    def text(self, lang: str = "en") -> str:
        shown = (self.zh_sep if lang == "zh" else self.sep).join(
            _value(v, lang, str) for v in self.values[:ITEMS_AT_MOST]
        )
        more = len(self.values) - ITEMS_AT_MOST
        return shown if more <= 0 else _render("items_more", {"items": shown, "more": more}, lang)

    def map_text(self, fn: Callable[[str], str]) -> Items:
        return Items([_map(v, fn) for v in self.values], self.sep, self.zh_sep)

    def __str__(self) -> str:
        return self.text("en")

    def __eq__(self, other) -> bool:
        return isinstance(other, Items) and (self.values, self.sep, self.zh_sep) == (
            other.values,
            other.sep,
            other.zh_sep,
        )

    __hash__ = None


class Message(str):
    """A message that reads as its English text and knows its Chinese one.

    ``key`` names a template of :data:`MESSAGES`; ``params`` fill it. Build it with :func:`msg`.
    """

    def __new__(cls, key: str, params: dict | None = None):
        params = dict(params or {})
        self = super().__new__(cls, _render(key, params, "en"))
        self.key, self.params = key, params
        return self

    def __getnewargs__(self):  # pickling (st.cache_data) and copying (dataclasses.asdict)
        return self.key, self.params

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ("en" or "zh"; anything else gives English)."""
        return _render(self.key, self.params, lang)

    def map_text(self, fn: Callable[[str], str]) -> Message:
        """The same message with ``fn`` applied to every text parameter (nested ones too)."""
        return Message(self.key, {k: _map(v, fn) for k, v in self.params.items()})


def msg(key: str, /, **params) -> Message:
    """The message ``key`` of :data:`MESSAGES` filled with ``params``."""
    if key not in MESSAGES:
        raise KeyError(f"no message {key!r} in zkq_geo.i18n.messages.MESSAGES")
    return Message(key, params)


def listed(values, limit: int = LIST_AT_MOST, sep: str = ", ", zh_sep: str = "、"):
    """At most ``limit`` of ``values``, then "and N more" (English) / "，另有 N 个" (Chinese)."""
    values = list(values)
    shown = Items(values[:limit], sep, zh_sep)
    return shown if len(values) <= limit else msg("items_more", items=shown, more=len(values) - limit)


def text_of(value, lang: str = "en") -> str:
    """``value`` in ``lang`` if it is a :class:`Message` (or an error carrying one), else ``str(value)``."""
    text = getattr(value, "text", None)
    return text(lang) if callable(text) else str(value)


def placeholders(template: str) -> set[str]:
    """The field names of a template: ``"{file} is {size}"`` -> ``{"file", "size"}``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _render(key: str, params: dict, lang: str) -> str:
    template = MESSAGES[key]["zh" if lang == "zh" else "en"]
    return template.format(**{k: _value(v, lang) for k, v in params.items()})


def _value(value, lang: str, plain=lambda v: v):
    if isinstance(value, (Message, Items)):
        return value.text(lang)
    return plain(value)


def _map(value, fn: Callable[[str], str]):
    if isinstance(value, (Message, Items)):
        return value.map_text(fn)
    return fn(value) if isinstance(value, str) else value
