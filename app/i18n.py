"""UI strings, Chinese first (zh) with English (en), in app/strings.toml. Pages call ``t(key)``; no
literal UI text in pages.

Values (codes, qualifiers, blanks, numbers, sources) are worded by :mod:`zkq_geo.i18n.format`, not here."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from state import LANG

from zkq_geo.i18n.format import qualifier_text
from zkq_geo.i18n.tables import load_table

LANGS = {"zh": "中文", "en": "English"}

# key -> {"zh": text, "en": text}: app/strings.toml (the shape of zkq_geo.i18n.messages.MESSAGES).
STRINGS: dict[str, dict[str, str]] = load_table(Path(__file__).with_name("strings.toml"))


def lang() -> str:
    return st.session_state.get(LANG, "zh")


def t(key: str, **fmt) -> str:
    """The UI string ``key`` in the current language."""
    text = STRINGS[key][lang()]
    return text.format(**fmt) if fmt else text


def qualifier_label(q: str) -> str:
    """The kind of a figure in words, in the UI language (:func:`zkq_geo.i18n.format.qualifier_text`)."""
    return qualifier_text(q, lang())


def choice_radio(label: str, options: list[str], prefix: str, *, where=st, horizontal: bool = True, **kwargs):
    """A radio whose options read as the UI strings ``prefix + option`` (``by_`` + ``plate`` ->
    按板块); other keyword arguments go to ``where.radio``. Returns the chosen option."""
    return where.radio(
        label, options, horizontal=horizontal, format_func=lambda o: t(f"{prefix}{o}"), **kwargs
    )
