"""Subsets of park and project tables from plain values (industry, plate, investment, text).

Nothing here knows about widgets: the app turns widget state into plain values and calls
these functions. Each filter returns a new frame with the input's row order and index;
the input is never modified. Investment figures are in 亿元 (``investment_yi``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from zkq_geo.errors import OptionError, SchemaError, require_columns

_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")


# ----------------------------------------------------------------------------- helpers
def _text(df: pd.DataFrame, column: str) -> pd.Series:
    return df[column].fillna("").astype(str)


def normalise_name(text: str) -> str:
    """Comparison key of a name: case-folded, without whitespace or quote marks."""
    return "".join(str(text).translate(_QUOTES).split()).casefold()


# ----------------------------------------------------------------------------- industries
def resolve_industry(text: str, vocabulary: Mapping | Iterable[Mapping]) -> str:
    """Industry code for a code, a Chinese label or an English label.

    Parameters
    ----------
    text : str
        E.g. ``"biomed"``, ``"生物医药大健康"`` or ``"Biomedicine and health"``; case and
        surrounding whitespace are ignored.
    vocabulary : mapping or list of mappings
        The fixed vocabulary of geodata/industries.yaml as ``{code: {"zh": .., "en": ..}}``,
        as ``{zh_label: code}``, or as the YAML's list of ``{"code", "zh", "en"}`` entries.

    Returns
    -------
    str
        The vocabulary code.

    Raises
    ------
    OptionError
        ``text`` matches no code or label; the message lists the valid codes and labels.
    """
    index, codes = _industry_index(vocabulary)
    code = index.get(normalise_name(text))
    if code is None:
        listing = ", ".join(f"{c} ({zh})" if zh else c for c, zh in codes.items())
        raise OptionError(f"industry {text!r} is not in the vocabulary; choose one of: {listing}")
    return code


def _industry_index(vocabulary) -> tuple[dict[str, str], dict[str, str]]:
    """(normalised code/label -> code, code -> zh label) for the accepted vocabulary shapes."""
    entries = _vocabulary_entries(vocabulary)
    index, codes = {}, {}
    for code, zh, en in entries:
        codes[code] = zh
        for label in (code, zh, en):
            if label:
                index[normalise_name(label)] = code
    return index, codes


def _vocabulary_entries(vocabulary) -> list[tuple[str, str, str]]:
    if isinstance(vocabulary, Mapping):
        items = list(vocabulary.items())
        if all(isinstance(v, Mapping) for _, v in items):
            return [(str(k), str(v.get("zh", "")), str(v.get("en", ""))) for k, v in items]
        if all(isinstance(v, str) for _, v in items):
            return [(v, str(k), "") for k, v in items]
    elif isinstance(vocabulary, Iterable) and not isinstance(vocabulary, str):
        items = list(vocabulary)
        if all(isinstance(v, Mapping) and "code" in v for v in items):
            return [(str(v["code"]), str(v.get("zh", "")), str(v.get("en", ""))) for v in items]
    raise SchemaError(
        "vocabulary must be {code: {'zh': .., 'en': ..}}, {zh_label: code} or a list of "
        f"{{'code', 'zh', 'en'}} entries; got {type(vocabulary).__name__}"
    )


def _industry_mask(df: pd.DataFrame, industries, vocabulary) -> np.ndarray | None:
    if industries is None:
        return None
    wanted = [industries] if isinstance(industries, str) else list(industries)
    if not wanted:
        return None
    if vocabulary is None:
        raise OptionError(
            "filtering by industries needs vocabulary= (the industry vocabulary "
            "of geodata/industries.yaml) to check the codes"
        )
    codes = sorted({resolve_industry(w, vocabulary) for w in wanted})
    require_columns(df, ("industries",), "filter_features(industries=...)")
    pattern = r"(?:^|\|)\s*(?:" + "|".join(map(re.escape, codes)) + r")\s*(?:\||$)"
    return _text(df, "industries").str.contains(pattern, regex=True).to_numpy(dtype=bool)


# ----------------------------------------------------------------------------- other masks
def _plate_mask(df: pd.DataFrame, plate_id) -> np.ndarray | None:
    if plate_id is None:
        return None
    if not isinstance(plate_id, str):
        raise OptionError(
            f"plate_id={plate_id!r} must be a plate id string; use resolve_plate() to turn a name into an id"
        )
    require_columns(df, ("plate_id",), "filter_features(plate_id=...)")
    return (_text(df, "plate_id").str.strip() == plate_id.strip()).to_numpy(dtype=bool)


def _check_bound(name: str, value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if math.isnan(number) or isinstance(value, bool):
        raise OptionError(f"{name}={value!r} must be a number of 亿元 or None")
    return number


def _investment_mask(df: pd.DataFrame, low: float | None, high: float | None) -> np.ndarray | None:
    if low is None and high is None:
        return None
    require_columns(df, ("investment_yi",), "filter_features(min/max_investment_yi=...)")
    try:
        invest = pd.to_numeric(df["investment_yi"], errors="raise").astype("float64")
    except (ValueError, TypeError) as exc:
        raise SchemaError(f"column 'investment_yi' must hold numbers: {exc}") from None
    keep = invest.notna()
    if low is not None:
        keep &= invest >= low
    if high is not None:
        keep &= invest <= high
    return keep.to_numpy(dtype=bool)


def _search_mask(df: pd.DataFrame, search) -> np.ndarray | None:
    if search is None:
        return None
    if not isinstance(search, str):
        raise OptionError(f"search={search!r} must be a string or None")
    needle = search.strip()
    if not needle:
        return None
    columns = ("id", "name", "aliases")
    require_columns(df, columns, "filter_features(search=...)")
    hits = [_text(df, c).str.contains(needle, case=False, regex=False) for c in columns]
    return np.logical_or.reduce([h.to_numpy(dtype=bool) for h in hits])


# ----------------------------------------------------------------------------- public
def filter_features(
    df: pd.DataFrame,
    *,
    industries: str | Iterable[str] | None = None,
    plate_id: str | None = None,
    min_investment_yi: float | None = None,
    max_investment_yi: float | None = None,
    search: str | None = None,
    vocabulary: Mapping | Iterable[Mapping] | None = None,
) -> pd.DataFrame:
    """Rows of a park or project table that pass every filter given.

    A filter left as ``None`` is not applied; the others combine with AND.

    Parameters
    ----------
    df : pandas.DataFrame or geopandas.GeoDataFrame
        Table with the columns the active filters read (``industries``, ``plate_id``,
        ``investment_yi``, ``id``/``name``/``aliases``).
    industries : str or iterable of str, optional
        Vocabulary codes or their Chinese/English labels. A row passes when ANY of them is in
        its ``"|"``-joined ``industries``. An empty iterable applies no filter.
    plate_id : str, optional
        Keep rows of this plate id; ``""`` keeps rows with no plate. Turn a plate name or
        alias into an id with :func:`resolve_plate`.
    min_investment_yi, max_investment_yi : float, optional
        Inclusive bounds on ``investment_yi`` (亿元). With either bound set, rows without an
        investment figure are dropped. The stated figure is compared whatever its qualifier:
        a lower bound "at_least X" passes ``min`` only if X >= min (a lower bound below min is
        excluded because it is not known to qualify) and passes ``max`` if X <= max (it is
        kept because it is not known to fail, though the true figure may exceed max).
    search : str, optional
        Case-insensitive substring of ``id``, ``name`` or any alias; surrounding whitespace
        is stripped and an empty string applies no filter.
    vocabulary : mapping or list of mappings, optional
        Industry vocabulary (see :func:`resolve_industry`); required with ``industries``.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A new frame of the passing rows, in input order with their index labels.

    Raises
    ------
    OptionError
        An unknown industry, a bound that is not a number, ``min_investment_yi`` greater
        than ``max_investment_yi``, or ``industries`` without ``vocabulary``.
    SchemaError
        A column an active filter needs is missing.
    """
    low = _check_bound("min_investment_yi", min_investment_yi)
    high = _check_bound("max_investment_yi", max_investment_yi)
    if low is not None and high is not None and low > high:
        raise OptionError(
            f"min_investment_yi={low:g} is greater than max_investment_yi={high:g}; "
            "swap them or drop one bound"
        )
    masks = [
        _industry_mask(df, industries, vocabulary),
        _plate_mask(df, plate_id),
        _investment_mask(df, low, high),
        _search_mask(df, search),
    ]
    active = [m for m in masks if m is not None]
    if not active:
        return df.copy()
    return df.loc[np.logical_and.reduce(active)].copy()


def resolve_plate(plates_df: pd.DataFrame, text: str) -> str:
    """Plate id for a plate id, name or alias.

    Names from older documents are aliases of the current plate, e.g. the 2021 board name
    起步区 resolves to the 2023 plate "一带一路"国际商务区核心板块. Case, whitespace and
    quote marks (" “ ” ' 「 」) are ignored, so 一带一路国际商务区 matches “一带一路”国际商务区.

    Parameters
    ----------
    plates_df : pandas.DataFrame
        Plate table with ``id``, ``name`` and optional ``aliases`` (``"|"``-joined).
    text : str
        What the user gave.

    Returns
    -------
    str
        The plate id. An exact id match wins over a name match, which wins over an alias.

    Raises
    ------
    OptionError
        ``text`` matches no plate, or only aliases of several plates; the message lists
        the valid ids and names.
    """
    require_columns(plates_df, ("id", "name"), "resolve_plate")
    key = normalise_name(text) if isinstance(text, str) else ""
    ids = _text(plates_df, "id").str.strip().tolist()
    names = _text(plates_df, "name").tolist()
    aliases = _text(plates_df, "aliases").tolist() if "aliases" in plates_df else [""] * len(ids)
    for labels in ([[i] for i in ids], [[n] for n in names], [a.split("|") for a in aliases]):
        found = sorted(
            {pid for pid, own in zip(ids, labels, strict=False) if key and key in map(normalise_name, own)}
        )
        if len(found) == 1:
            return found[0]
        if found:
            raise OptionError(f"plate {text!r} is ambiguous: it names {', '.join(found)}; give the id")
    listing = ", ".join(f"{i} ({n})" for i, n in zip(ids, names, strict=False))
    raise OptionError(f"plate {text!r} is not known; give an id, name or alias of: {listing}")
