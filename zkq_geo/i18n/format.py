"""The one value formatter: how a figure, a code, a blank and a source read, in Chinese or English.

Popups (:mod:`zkq_geo.render.builder`), the app's tables and detail panel, and the Chinese
Excel export all call these functions, so a value reads the same everywhere:

- a blank (None, NaN, ``""``) is :data:`EMPTY` ("—"), an empty list "（无）" / "(none)";
- a qualifier is a word (``at_least`` -> 下限（超过）) or a sign before its figure (``≥30 亿元``);
- a code is a word from :data:`zkq_geo.i18n.labels.LABELS` (``planned`` -> 规划); industries are
  labelled by the catalogue (``Catalog.industry_label``); unknown codes (a planner's own data)
  are shown as they are;
- a number has thousands separators and at most two decimals (``1,234.5``), and its unit;
- a source ``002_….txt 表3-4 第4项`` reads "document title，表3-4 第4项" given the titles of
  geodata/sources.csv (``Catalog.source_titles()``); the file name stays in the data itself.

Nothing here reads files: the catalogue and the titles are passed in.

>>> value_text("status", "planned", "zh")
'规划'
>>> number_text(30, "zh", unit="亿元", qualifier="at_least")
'≥30 亿元'
>>> value_text("land_area_mu", float("nan"), "en")
'—'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from zkq_geo.i18n.labels import CODE_COLUMNS, LABELS
from zkq_geo.units import unit_of

EMPTY = "—"
EMPTY_LIST = {"zh": "（无）", "en": "(none)"}
#: Columns holding several values separated by ``|``.
LIST_COLUMNS = ("aliases", "industries", "key_projects")
SOURCE_COLUMNS = ("source", "area_source")
_SIGNS = {
    "zh": {"at_least": "≥", "at_most": "≤", "about": "约"},
    "en": {"at_least": "≥", "at_most": "≤", "about": "≈"},
}
_LIST_SEP = {"zh": "、", "en": "; "}
_SOURCE_SEP = {"zh": "，", "en": ", "}


def _lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


def is_blank(value: Any) -> bool:
    """True for None, NaN, NA and blank text; False for lists and everything else."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, dict)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # arrays: not a missing scalar
        return False


def blank(lang: str = "zh", *, listing: bool = False) -> str:
    """How a missing value reads: "—", or "（无）" / "(none)" for an empty list."""
    return EMPTY_LIST[_lang(lang)] if listing else EMPTY


def label(key: str, lang: str = "zh") -> str:
    """The entry ``key`` of :data:`LABELS` in ``lang`` (KeyError names the table if unknown)."""
    if key not in LABELS:
        raise KeyError(f"no label {key!r} in zkq_geo.i18n.labels.LABELS")
    return LABELS[key][_lang(lang)]


def field_label(column: str, lang: str = "zh") -> str:
    """The label of ``column`` with its unit: ``investment_yi`` -> 投资额（亿元）; a column without
    a label is its name, plus the unit its suffix says (``tax_wan`` -> ``tax_wan (万元)``)."""
    key = f"field.{column}"
    if key in LABELS:
        return LABELS[key][_lang(lang)]
    unit = unit_of(column)
    return f"{column} ({unit})" if unit else column


def code_text(family: str, code: Any, lang: str = "zh", *, catalog=None) -> str:
    """A code as a word: ``code_text("status", "planned", "zh")`` -> 规划. ``family`` is a family
    of :data:`LABELS` (qualifier, status, plate_basis, geometry_quality, kind) or "industry"
    (labelled by ``catalog.industry_label``). Blank -> "—"; an unknown code is shown as it is."""
    if is_blank(code):
        return EMPTY
    code = str(code).strip()
    if family == "industry":
        return catalog.industry_label(code, _lang(lang)) if catalog is not None else code
    entry = LABELS.get(f"{family}.{code}")
    return entry[_lang(lang)] if entry else code


def qualifier_text(qualifier: Any, lang: str = "zh") -> str:
    """The kind of a figure as words: ``at_least`` -> 下限（超过） / lower bound; blank -> "—"."""
    return code_text("qualifier", qualifier, lang)


def qualifier_sign(qualifier: Any, lang: str = "zh") -> str:
    """The sign put before a figure: ≥ (at_least), ≤ (at_most), 约/≈ (about), else ""."""
    return _SIGNS[_lang(lang)].get(str(qualifier or ""), "")


def number_text(value: Any, lang: str = "zh", *, unit: str = "", qualifier: Any = "") -> str:
    """A figure with its sign and unit: ``≥30 亿元``, ``1,234.5``. A missing figure reads as its
    qualifier when that says why (无用地面积), else "—"."""
    number = _as_number(value)
    if number is None:
        q = str(qualifier or "")
        return qualifier_text(q, lang) if q.startswith("no_") or q == "indeterminate" else EMPTY
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return f"{qualifier_sign(qualifier, lang)}{text} {unit}".strip()


def source_text(value: Any, lang: str = "zh", titles: Mapping[str, str] | None = None) -> str:
    """A source as "title，section": each known seed file name in ``value`` is replaced by its
    document title (``titles``: source_file -> title_zh, from geodata/sources.csv). Unknown
    files stay as written; blank -> "—"."""
    if is_blank(value):
        return EMPTY
    text = str(value)
    if not titles:
        return text
    pattern = _title_pattern(tuple(sorted(titles, key=len, reverse=True)))
    sep = _SOURCE_SEP[_lang(lang)]

    def title(match: re.Match) -> str:
        rest = match.string[match.end() :]
        return titles[match.group(1)] + (sep if rest and rest[0] not in "；;，,）)" else "")

    return pattern.sub(title, text)


def conflicts_text(value: Any, lang: str = "zh", titles: Mapping[str, str] | None = None) -> str:
    """A conflicts note with its column names as labels and its sources by title:
    ``investment_yi: ≥30亿元（…；001_….txt 招商引资）``
    -> ``投资额（亿元）: ≥30亿元（…；title，招商引资）``."""
    if is_blank(value):
        return EMPTY
    text = _FIELD_PREFIX.sub(lambda m: field_label(m.group(1), lang) + ":", str(value))
    return source_text(text, lang, titles)


def list_text(value: Any, lang: str = "zh", *, catalog=None, family: str = "") -> str:
    """``a|b|c`` as ``a、b、c`` / ``a; b; c`` (codes labelled when ``family`` is given)."""
    if is_blank(value):
        return blank(lang, listing=True)
    items = [s.strip() for s in str(value).split("|") if s.strip()]
    if family:
        items = [code_text(family, s, lang, catalog=catalog) for s in items]
    return _LIST_SEP[_lang(lang)].join(items) if items else blank(lang, listing=True)


def value_text(
    column: str,
    value: Any,
    lang: str = "zh",
    *,
    catalog=None,
    titles: Mapping[str, str] | None = None,
    unit: bool = False,
) -> str:
    """Any attribute value of ``column`` as a planner reads it (the dispatcher of this module).

    ``catalog`` labels industries and layers; ``titles`` names source documents; ``unit=True``
    adds the unit of the column to a number (``30 亿元``).
    """
    if column in LIST_COLUMNS:
        return list_text(value, lang, catalog=catalog, family="industry" if column == "industries" else "")
    if is_blank(value):
        return EMPTY
    if isinstance(value, bool) or column == "has_conflict" or type(value).__name__ == "bool_":
        return label("bool.yes" if bool(value) else "bool.no", lang)
    if column == "industry":
        return code_text("industry", value, lang, catalog=catalog)
    if column == "layer":
        return _layer_title(str(value), lang, catalog)
    if column in CODE_COLUMNS:
        return code_text(CODE_COLUMNS[column], value, lang)
    if column in SOURCE_COLUMNS:
        return source_text(value, lang, titles)
    if column == "conflicts":
        return conflicts_text(value, lang, titles)
    number = _as_number(value)
    if number is not None:
        if column.endswith("year") and number == int(number):
            return str(int(number))
        return number_text(number, lang, unit=unit_of(column) if unit else "")
    return str(value)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or is_blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and not isinstance(value, str) else None


def _layer_title(name: str, lang: str, catalog) -> str:
    layers = getattr(catalog, "layers", {})
    return layers[name].title(_lang(lang)) if name in layers else name


_FIELD_PREFIX = re.compile(
    r"\b(" + "|".join(re.escape(k.removeprefix("field.")) for k in LABELS if k.startswith("field.")) + r"):"
)
_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _title_pattern(files: tuple[str, ...]) -> re.Pattern:
    if files not in _PATTERNS:
        _PATTERNS[files] = re.compile("(" + "|".join(re.escape(f) for f in files) + r")\s*")
    return _PATTERNS[files]
