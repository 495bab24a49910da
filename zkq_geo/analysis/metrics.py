"""Land-efficiency indicators (亩均论英雄) over park, project and zone tables.

Every function here is pure: it checks its inputs, computes column-wise and returns a new
frame or Series; the input is never modified. No geometry is read: areas come from the
attribute columns, so no CRS is involved.

Units follow the column names: money in 亿元 (``*_yi``) on input, 万元 per 亩 (``*_wan_per_mu``)
on output; land area in 亩 (``*_mu``) or m2 (``*_m2``); floor area (总建筑面积) in m2.
Per-mu indicators divide by **land area only**; floor area is never used as a denominator
(DOMAIN.md section 4).

Figures carry a qualifier: ``"exact"``, ``"at_least"`` (a lower bound such as "超30亿"),
``"about"`` or ``""`` (no figure). A ratio of two qualified figures gets its own qualifier,
see :func:`add_efficiency`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from zkq_geo.errors import OptionError, SchemaError, check_choice, require_columns
from zkq_geo.i18n.messages import Message, listed, msg
from zkq_geo.units import M2_PER_KM2, M2_PER_MU, WAN_PER_YI

SummaryBy = Literal["industry", "plate", "layer"]
FigureRule = Literal["land", "investment", "amount", "signed"]

FIGURE_QUALIFIERS = ("exact", "at_least", "about", "")
RATIO_QUALIFIERS = (
    "exact",
    "at_least",
    "at_most",
    "about",
    "indeterminate",
    "no_land_area",
    "no_investment",
    "no_floor_area",
)
EFFICIENCY_INPUT_COLUMNS = (
    "investment_yi",
    "investment_qualifier",
    "land_area_mu",
    "land_area_qualifier",
    "floor_area_m2",
    "floor_area_qualifier",
)
INTENSITY = "invest_intensity_wan_per_mu"
UNASSIGNED = "unassigned"
# The smallest land area divided by: 1 m2 (0.0015 亩). No real parcel is smaller, and a smaller
# positive figure (a denormal such as 1e-320 亩, a unit slip) gives an astronomical intensity.
MIN_LAND_AREA_M2 = 1.0
MIN_LAND_AREA_MU = MIN_LAND_AREA_M2 / M2_PER_MU
# Why a figure cannot be used, in the order tested (see figure_faults).
FIGURE_FAULTS = ("not_finite", "negative", "zero", "below_minimum")
# The figures of a park/project table and the rule each follows.
FIGURE_RULES = (("investment_yi", "investment"), ("land_area_mu", "land"), ("floor_area_m2", "amount"))

_BY_COLUMN = {"industry": "industry", "plate": "plate_id", "layer": "layer"}
_ZONE_INDICATORS = (
    # (code, numerator column, label_zh, label_en)
    ("gdp_wan_per_mu", "gdp_yi", "亩均地区生产总值", "GDP per mu"),
    (
        "industrial_va_wan_per_mu",
        "industrial_va_yi",
        "亩均规上工业增加值",
        "Industrial value added (above designated size) per mu",
    ),
    (
        "budget_revenue_wan_per_mu",
        "budget_revenue_yi",
        "亩均一般公共预算收入",
        "General public budget revenue per mu",
    ),
    (
        "fixed_investment_wan_per_mu",
        "fixed_investment_yi",
        "亩均固定资产投资",
        "Fixed-asset investment per mu",
    ),
)
_ZONE_COLUMNS = ("planned_area_km2", *(c[1] for c in _ZONE_INDICATORS), "figures_year", "source")
_GRADE_TOLERANCE = 1e-9


# ----------------------------------------------------------------------------- helpers
def _numeric(df: pd.DataFrame, column: str) -> pd.Series:
    """Column as float64 (NaN for missing); SchemaError on text that is not a number."""
    try:
        return pd.to_numeric(df[column], errors="raise").astype("float64")
    except (ValueError, TypeError) as exc:
        raise SchemaError(f"column {column!r} must hold numbers: {exc}") from None


def _qualifier(df: pd.DataFrame, column: str, present: pd.Series) -> np.ndarray:
    """Qualifier column as a str array; a stated figure with an empty qualifier is "exact"."""
    text = df[column].fillna("").astype(str).str.strip()
    unknown = sorted(set(text) - set(FIGURE_QUALIFIERS))
    if unknown:
        allowed = ", ".join(repr(q) for q in FIGURE_QUALIFIERS)
        raise SchemaError(f"column {column!r} has qualifier(s) {unknown}; allowed: {allowed}")
    return np.where(present.to_numpy() & (text == "").to_numpy(), "exact", text.to_numpy())


def _ratio_qualifier(
    num_present, num_q, den_present, den_q, *, no_num: str, no_den: str = "no_land_area"
) -> np.ndarray:
    """Qualifier of numerator / denominator from the qualifiers of both figures.

    A lower-bound numerator gives a lower bound ("at_least"); a lower-bound denominator gives
    an upper bound ("at_most"); both lower bounds bound nothing ("indeterminate"); any
    "about" makes the ratio "about". A missing denominator is reported before a missing numerator.
    """
    num_q, den_q = np.asarray(num_q), np.asarray(den_q)
    num_low, den_low = num_q == "at_least", den_q == "at_least"
    conditions = [
        ~np.asarray(den_present),
        ~np.asarray(num_present),
        (num_q == "about") | (den_q == "about"),
        num_low & den_low,
        num_low,
        den_low,
    ]
    choices = [no_den, no_num, "about", "indeterminate", "at_least", "at_most"]
    return np.select(conditions, choices, default="exact").astype(object)


def _fmt(value: float) -> str:
    """Short decimal text of a figure for provenance strings (1265.9, 238050)."""
    return "unknown" if pd.isna(value) else format(float(value), ".10g")


# ----------------------------------------------------------------------------- impossible figures
def figure_faults(values, rule: FigureRule = "amount") -> np.ndarray:
    """Why each figure cannot be used, or ``""`` when it can (or is missing: NaN is not a fault).

    Parameters
    ----------
    values : array-like of numbers
    rule : {"land", "investment", "amount", "signed"}
        ``"land"`` (亩): finite, positive and at least :data:`MIN_LAND_AREA_MU` (1 m2);
        ``"investment"``: finite and positive; ``"amount"`` (money, floor area): finite, not
        negative; ``"signed"``: finite.

    Returns
    -------
    numpy.ndarray of str
        Per value: ``""``, ``"not_finite"``, ``"negative"``, ``"zero"`` or ``"below_minimum"``.

    >>> figure_faults([10, 0, -5, 1e-320, float("inf"), None], "land").tolist()
    ['', 'zero', 'negative', 'below_minimum', 'not_finite', '']
    """
    check_choice("rule", rule, ("land", "investment", "amount", "signed"))
    v = pd.to_numeric(
        pd.Series(list(values) if not isinstance(values, pd.Series) else values.to_numpy()), errors="coerce"
    ).to_numpy(dtype="float64")
    conditions = [
        np.isinf(v),
        (v < 0) & (rule != "signed"),
        (v == 0) & (rule in ("land", "investment")),
        (v > 0) & (v < MIN_LAND_AREA_MU) & (rule == "land"),
    ]
    return np.select(conditions, FIGURE_FAULTS, default="").astype(object)


def fault_message(fault: str) -> Message:
    """The words for a fault of :func:`figure_faults` ("not a finite number" / "不是有限数值")."""
    check_choice("fault", fault, FIGURE_FAULTS)
    return msg(f"fault_{fault}", m2=format(MIN_LAND_AREA_M2, "g"), mu=format(MIN_LAND_AREA_MU, ".4f"))


def impossible_figures(df: pd.DataFrame) -> Message | None:
    """What :func:`add_efficiency` leaves out of a park/project table and why, or None.

    Lists each feature (``id`` and ``name``) whose ``investment_yi``, ``land_area_mu`` or
    ``floor_area_m2`` is impossible (see :func:`figure_faults`): such features are never ranked
    and their figures never divided.
    """
    rows, features = [], set()
    for column, rule in FIGURE_RULES:
        if column not in df.columns:
            continue
        numbers = _numeric(df, column)
        faults = figure_faults(numbers, rule)
        bad = np.flatnonzero(faults != "")
        features.update(bad.tolist())
        rows += [
            msg(
                "figure_of_feature",
                feature=_feature_label(df, i),
                column=column,
                value=format(numbers.iloc[i], "g"),
                fault=fault_message(faults[i]),
            )
            for i in bad
        ]
    if not rows:
        return None
    return msg("efficiency_not_ranked", n=len(features), rows=listed(rows, sep="; ", zh_sep="；"))


def _usable(values: pd.Series, rule: FigureRule) -> pd.Series:
    return values.notna() & pd.Series(figure_faults(values, rule) == "", index=values.index)


def _finite(values: pd.Series) -> pd.Series:
    return values.where(np.isfinite(values))


def _feature_label(df: pd.DataFrame, i: int) -> str | Message:
    if "id" not in df.columns:
        return msg("label_feature_n", n=i + 1)
    label, name = str(df["id"].iloc[i]), str(df["name"].iloc[i]) if "name" in df.columns else ""
    return f"{label} {name}" if name.strip() and name != label else label


# ----------------------------------------------------------------------------- features
def add_efficiency(df: pd.DataFrame) -> pd.DataFrame:
    """Add investment intensity and floor-area ratio to a park or project table.

    Parameters
    ----------
    df : pandas.DataFrame or geopandas.GeoDataFrame
        One row per feature with ``investment_yi`` (亿元), ``land_area_mu`` (亩),
        ``floor_area_m2`` (m2 of 总建筑面积) and their ``*_qualifier`` columns
        (``"exact"``, ``"at_least"``, ``"about"``, ``""``). A stated figure with an empty
        qualifier is taken as exact.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy with new columns:

        - ``land_area_m2``: land area in m2 (亩 x 10000/15).
        - ``invest_intensity_wan_per_mu``: 投资强度, investment_yi x 10000 / land_area_mu
          (万元/亩). NaN when land area or investment is missing or impossible (see
          :func:`figure_faults`: not finite, negative, zero, land under 1 m2). Never computed
          from floor area.
        - ``invest_intensity_qualifier``: ``"exact"`` (both exact), ``"at_least"`` (investment
          is a lower bound, so is the intensity), ``"at_most"`` (land area is a lower bound),
          ``"about"`` (either figure is approximate), ``"indeterminate"`` (both lower bounds),
          ``"no_land_area"`` or ``"no_investment"`` (checked in that order).
        - ``floor_area_ratio``: 容积率, floor_area_m2 / land_area_m2 (dimensionless), NaN unless
          both exist.
        - ``floor_area_ratio_qualifier``: as above, with ``"no_floor_area"``.

    Raises
    ------
    SchemaError
        A required column is missing, a figure is not numeric or a qualifier is unknown.

    Examples
    --------
    35 亿元 on 295 亩 is 35 x 10000 / 295 = 1186.44 万元/亩.
    """
    require_columns(df, EFFICIENCY_INPUT_COLUMNS, "add_efficiency")
    invest, land, floor = (_numeric(df, c) for c in ("investment_yi", "land_area_mu", "floor_area_m2"))
    has_invest, has_land, has_floor = (
        _usable(invest, "investment"),
        _usable(land, "land"),
        _usable(floor, "amount"),
    )
    invest_q = _qualifier(df, "investment_qualifier", has_invest)
    land_q = _qualifier(df, "land_area_qualifier", has_land)
    floor_q = _qualifier(df, "floor_area_qualifier", has_floor)
    land_m2 = land * M2_PER_MU

    out = df.copy()
    out["land_area_m2"] = land_m2
    out[INTENSITY] = _finite(invest * WAN_PER_YI / land.where(has_land)).where(has_invest & has_land)
    out["invest_intensity_qualifier"] = _ratio_qualifier(
        has_invest, invest_q, has_land, land_q, no_num="no_investment"
    )
    out["floor_area_ratio"] = _finite(floor / land_m2.where(has_land)).where(has_floor & has_land)
    out["floor_area_ratio_qualifier"] = _ratio_qualifier(
        has_floor, floor_q, has_land, land_q, no_num="no_floor_area"
    )
    return out


def rank_by_intensity(df: pd.DataFrame) -> pd.DataFrame:
    """Sort features by investment intensity, highest first, and number them.

    Parameters
    ----------
    df : pandas.DataFrame
        A table with ``id`` and either ``invest_intensity_wan_per_mu`` (万元/亩) or the columns
        :func:`add_efficiency` needs (it is then called first).

    Returns
    -------
    pandas.DataFrame
        A copy sorted by intensity descending, features without an intensity last, equal
        intensities by ``id`` ascending; the original index labels are kept. Column
        ``intensity_rank`` (nullable Int64) is 1-based; equal intensities share the best rank
        (method "min": 1, 2, 2, 4); features without a finite intensity get ``<NA>``.
    """
    ranked = df if INTENSITY in df.columns else add_efficiency(df)
    require_columns(ranked, ("id",), "rank_by_intensity")
    intensity = _finite(_numeric(ranked, INTENSITY))  # inf is never ranked
    keys = pd.DataFrame({"v": intensity.to_numpy(), "id": ranked["id"].astype(str).to_numpy()})
    order = keys.sort_values(
        ["v", "id"], ascending=[False, True], na_position="last", kind="stable"
    ).index.to_numpy()
    ranks = intensity.rank(method="min", ascending=False).to_numpy()[order]
    out = ranked.iloc[order].copy()
    out["intensity_rank"] = pd.array(ranks, dtype="Int64")
    return out


# ----------------------------------------------------------------------------- groups
def summarize_efficiency(df: pd.DataFrame, by: SummaryBy = "industry") -> pd.DataFrame:
    """Totals and pooled investment intensity per industry, plate or layer.

    Parameters
    ----------
    df : pandas.DataFrame
        Park/project table with ``investment_yi`` (亿元), ``investment_qualifier``,
        ``land_area_mu`` (亩), ``land_area_qualifier`` and the grouping column.
    by : {"industry", "plate", "layer"}
        Group by the primary ``industry`` code, by ``plate_id`` or by ``layer``. Empty or
        missing keys form the group ``"unassigned"``.

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by key with ``"unassigned"`` last; the first column is the
        grouping column (``industry``, ``plate_id`` or ``layer``). Columns:

        - ``feature_count``, ``with_land_count`` (land area > 0), ``with_investment_count``,
          ``lower_bound_count`` (investment "at_least").
        - ``investment_yi_total``: sum of stated investment (亿元), NaN if none stated;
          ``investment_total_is_lower_bound`` is True when any summand is "at_least".
        - ``land_area_mu_total``: sum of land area (亩) of features that have one.
        - ``intensity_count``: features with both investment and land area.
        - ``invest_intensity_wan_per_mu``: the pooled ratio sum(investment) x 10000 /
          sum(land area) over those features (万元/亩), not the mean of their ratios.
        - ``invest_intensity_qualifier``: "exact", "at_least", "at_most", "about" or
          "indeterminate" from the features pooled; "no_land_area" / "no_investment" when
          nothing can be pooled.
    """
    check_choice("by", by, tuple(_BY_COLUMN))
    key_column = _BY_COLUMN[by]
    require_columns(
        df,
        (key_column, "investment_yi", "investment_qualifier", "land_area_mu", "land_area_qualifier"),
        "summarize_efficiency",
    )
    parts = _summary_parts(df, key_column)
    grouped = parts.groupby("key", sort=True)
    out = pd.DataFrame(
        {
            "feature_count": grouped.size(),
            "with_land_count": grouped["has_land"].sum(),
            "with_investment_count": grouped["has_invest"].sum(),
            "lower_bound_count": grouped["lower_bound"].sum(),
            "investment_yi_total": grouped["invest"].sum(min_count=1),
            "investment_total_is_lower_bound": grouped["lower_bound"].any(),
            "land_area_mu_total": grouped["land"].sum(min_count=1),
            "intensity_count": grouped["pooled"].sum(),
            INTENSITY: grouped["pooled_invest"].sum(min_count=1)
            * WAN_PER_YI
            / grouped["pooled_land"].sum(min_count=1),
        }
    )
    out["invest_intensity_qualifier"] = _pooled_qualifier(parts, out)
    order = sorted(out.index, key=lambda k: (k == UNASSIGNED, k))
    return out.loc[order].rename_axis(key_column).reset_index()


def _summary_parts(df: pd.DataFrame, key_column: str) -> pd.DataFrame:
    """Per-feature working columns for :func:`summarize_efficiency`."""
    invest, land = _numeric(df, "investment_yi"), _numeric(df, "land_area_mu")
    has_invest, has_land = _usable(invest, "investment"), _usable(land, "land")
    invest_q = _qualifier(df, "investment_qualifier", has_invest)
    land_q = _qualifier(df, "land_area_qualifier", has_land)
    pooled = has_invest & has_land
    key = df[key_column].fillna("").astype(str).str.strip()
    return pd.DataFrame(
        {
            "key": key.mask(key == "", UNASSIGNED).to_numpy(),
            "has_invest": has_invest.to_numpy(),
            "has_land": has_land.to_numpy(),
            "lower_bound": (has_invest.to_numpy() & (invest_q == "at_least")),
            "invest": invest.where(has_invest).to_numpy(),
            "land": land.where(has_land).to_numpy(),
            "pooled": pooled.to_numpy(),
            "pooled_invest": invest.where(pooled).to_numpy(),
            "pooled_land": land.where(pooled).to_numpy(),
            "row_q": _ratio_qualifier(has_invest, invest_q, has_land, land_q, no_num="no_investment"),
        }
    )


def _pooled_qualifier(parts: pd.DataFrame, out: pd.DataFrame) -> np.ndarray:
    """Qualifier of a pooled ratio from the qualifiers of the features pooled.

    Sums of lower bounds are lower bounds, so the pooled ratio keeps the direction of its
    parts; parts bounding in opposite directions bound nothing.
    """
    kinds = ("about", "indeterminate", "at_least", "at_most")
    flags = pd.DataFrame({q: parts["row_q"] == q for q in kinds}).groupby(parts["key"]).any()
    has = {q: flags[q].reindex(out.index).to_numpy() for q in kinds}
    conditions = [
        out["with_land_count"].to_numpy() == 0,
        out["intensity_count"].to_numpy() == 0,
        has["about"],
        has["indeterminate"] | (has["at_least"] & has["at_most"]),
        has["at_least"],
        has["at_most"],
    ]
    choices = ["no_land_area", "no_investment", "about", "indeterminate", "at_least", "at_most"]
    return np.select(conditions, choices, default="exact").astype(object)


# ----------------------------------------------------------------------------- zone
def zone_per_mu(zone: pd.Series | pd.DataFrame | Mapping) -> pd.DataFrame:
    """Zone-wide per-mu indicators: GDP, industrial value added, budget revenue, investment.

    The denominator is the zone's **planned area** (规划面积, ``planned_area_km2``), not its
    built-up or industrial land, so the results are planning-level densities: they are
    lower than firm-level 亩均 figures and not comparable with them.

    Parameters
    ----------
    zone : pandas.Series, Mapping or pandas.DataFrame
        One zone row (or a frame of rows, e.g. several years) with ``planned_area_km2``,
        ``gdp_yi``, ``industrial_va_yi``, ``budget_revenue_yi``, ``fixed_investment_yi``
        (亿元), ``figures_year`` and ``source``.

    Returns
    -------
    pandas.DataFrame
        One row per zone row and indicator (``gdp_wan_per_mu``, ``industrial_va_wan_per_mu``,
        ``budget_revenue_wan_per_mu``, ``fixed_investment_wan_per_mu``) with ``indicator``,
        ``label_zh``, ``label_en``, ``value`` (万元/亩, NaN when the figure is missing),
        ``unit``, ``numerator``, ``denominator`` (as text), ``year``, ``source`` and the figures
        themselves: ``numerator_yi`` (亿元) and ``denominator_mu`` (planned area in 亩).

    Raises
    ------
    SchemaError
        A column is missing or the planned area is not a positive number.

    Examples
    --------
    1265.9 亿元 / (158.7 km2 x 1500 亩/km2) = 12,659,000 万元 / 238,050 亩 = 53.18 万元/亩.
    """
    rows = _zone_frame(zone)
    require_columns(rows, _ZONE_COLUMNS, "zone_per_mu")
    records = [_zone_record(row, spec) for _, row in rows.iterrows() for spec in _ZONE_INDICATORS]
    out = pd.DataFrame.from_records(
        records,
        columns=[
            "indicator",
            "label_zh",
            "label_en",
            "value",
            "unit",
            "numerator",
            "denominator",
            "year",
            "source",
            "numerator_yi",
            "denominator_mu",
        ],
    )
    out["value"] = out["value"].astype("float64")
    out["year"] = out["year"].astype("Int64")
    return out


def _zone_frame(zone) -> pd.DataFrame:
    if isinstance(zone, pd.DataFrame):
        return zone
    if isinstance(zone, (pd.Series, Mapping)):
        return pd.DataFrame([dict(zone)])
    raise SchemaError(f"zone must be a row (Series or mapping) or a DataFrame, got {type(zone).__name__}")


def _zone_record(row: pd.Series, spec: tuple[str, str, str, str]) -> dict:
    code, column, label_zh, label_en = spec
    area_km2 = _number(row["planned_area_km2"], "planned_area_km2")
    if not area_km2 > 0:
        raise SchemaError(
            f"planned_area_km2 must be a positive number of km2, got {row['planned_area_km2']!r}"
        )
    area_mu = area_km2 * M2_PER_KM2 / M2_PER_MU
    numerator_yi = _number(row[column], column)
    year = row["figures_year"]
    return {
        "indicator": code,
        "label_zh": label_zh,
        "label_en": label_en,
        "value": numerator_yi * WAN_PER_YI / area_mu,
        "unit": "万元/亩",
        "numerator": f"{column} = {_fmt(numerator_yi)}",
        "denominator": f"planned_area_km2 {_fmt(area_km2)} km2 = {_fmt(area_mu)} 亩",
        "year": None if pd.isna(year) else int(year),
        "source": "" if pd.isna(row["source"]) else str(row["source"]),
        "numerator_yi": numerator_yi,
        "denominator_mu": area_mu,
    }


def _number(value, name: str) -> float:
    try:
        return float("nan") if pd.isna(value) else float(value)
    except (TypeError, ValueError):
        raise SchemaError(f"{name} must be a number, got {value!r}") from None


# ----------------------------------------------------------------------------- classes
def classify_abcd(values, cuts: tuple[float, float, float] = (0.2, 0.6, 0.95)) -> pd.Series:
    """Grade values A/B/C/D by rank within the set; higher values are better.

    A value is graded by the share of graded values strictly better than it: A when that
    share is below ``cuts[0]``, B below ``cuts[1]``, C below ``cuts[2]``, else D. With the
    default cuts this is top 20% A, to 60% B, to 95% C, bottom 5% D; each class count is
    within one of its share. Ranks use method "min", so equal values get the same, better
    class. Missing and non-finite values are not graded and get ``""``.

    Parameters
    ----------
    values : array-like or pandas.Series of numbers
        E.g. ``invest_intensity_wan_per_mu`` (万元/亩); NaN means not graded.
    cuts : tuple of three floats
        Cumulative shares, strictly increasing, each in (0, 1].

    Returns
    -------
    pandas.Series of str
        Named ``abcd_class``, with the index of ``values`` when it is a Series.

    Raises
    ------
    OptionError
        ``cuts`` is not three strictly increasing numbers in (0, 1].
    SchemaError
        ``values`` holds something that is not a number.

    Examples
    --------
    >>> classify_abcd([5.0, 1.0, None, 3.0, 3.0]).tolist()
    ['A', 'C', '', 'B', 'B']
    """
    cuts = _check_cuts(cuts)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    numbers = _finite(_numeric(series.to_frame("values"), "values"))
    graded = numbers.notna().to_numpy()
    better = numbers.rank(method="min", ascending=False).to_numpy() - 1
    n = int(graded.sum())
    conditions = [better < cut * n - _GRADE_TOLERANCE for cut in cuts]
    classes = np.select(conditions, ["A", "B", "C"], default="D")
    return pd.Series(np.where(graded, classes, ""), index=series.index, name="abcd_class")


def _check_cuts(cuts) -> tuple[float, float, float]:
    message = f"cuts={cuts!r} must be three strictly increasing shares in (0, 1], e.g. (0.2, 0.6, 0.95)"
    try:
        shares = tuple(float(c) for c in cuts)
    except (TypeError, ValueError):
        raise OptionError(message) from None
    ok = len(shares) == 3 and all(0 < s <= 1 for s in shares)
    if not ok or any(a >= b for a, b in zip(shares, shares[1:], strict=False)):
        raise OptionError(message)
    return shares
