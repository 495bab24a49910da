"""Join an office ledger (Excel/CSV) to a layer by key or by name, then recompute 亩均.

Two ways to match rows to features:

- ``match="key"``: a key column on each side, compared as trimmed text by
  :func:`zkq_geo.analysis.join.join_attributes` ("0012" vs 12 is reported as a type mismatch, never joined).
- ``match="name"``: the ledger's name column against each feature's ``name`` and its
  ``aliases`` ("|"-separated), ignoring case, spaces and quote marks, so 建筑科技产业园 finds
  建业之窗. A ledger name that fits several features is reported as ambiguous and not joined.

:func:`preview_join` gives the :class:`LedgerReport` without joining; :func:`join_ledger`
joins, converts the land column to ``land_area_mu`` (from 亩, m2 or ha) and money columns to
``investment_yi`` and ``<column>_wan_per_mu`` (from 元, 万元 or 亿元, declared by the user), and
recomputes the per-mu indicators with :func:`zkq_geo.analysis.metrics.add_efficiency`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from zkq_geo.analysis.filters import normalise_name  # the name comparison of plate search
from zkq_geo.analysis.join import JoinReport, join_attributes, key_text, report_join
from zkq_geo.analysis.metrics import (
    EFFICIENCY_INPUT_COLUMNS,
    MIN_LAND_AREA_M2,
    add_efficiency,
    fault_message,
    figure_faults,
)
from zkq_geo.errors import JoinError, SchemaError, check_choice
from zkq_geo.i18n.format import field_label
from zkq_geo.i18n.messages import Items, listed, msg
from zkq_geo.units import convert_area, convert_money

MatchBy = Literal["key", "name"]
LandUnit = Literal["mu", "m2", "ha"]
MoneyUnit = Literal["yuan", "wan", "yi"]
ComputedKind = Literal["land", "investment", "per_mu", "previous"]
LAND_UNITS = ("mu", "m2", "ha")
MONEY_UNITS = ("yuan", "wan", "yi")
UNIT_LABELS = {"mu": "亩", "m2": "m²", "ha": "公顷", "yuan": "元", "wan": "万元", "yi": "亿元"}
_TARGET_UNITS = {"land_area_mu": "亩", "investment_yi": "亿元"}
_ALIAS_SPLIT = re.compile(r"[|;；,，、]")


@dataclass(frozen=True)
class UnitSpec:
    """Which joined columns hold land area and money, and in which units (declared by the user)."""

    land_col: str | None = None
    land_unit: LandUnit = "mu"
    investment_col: str | None = None
    per_mu_cols: tuple[str, ...] = ()
    money_unit: MoneyUnit = "wan"

    def check(self) -> UnitSpec:
        check_choice("land unit", self.land_unit, LAND_UNITS)
        check_choice("money unit", self.money_unit, MONEY_UNITS)
        if (self.investment_col or self.per_mu_cols) and not self.land_col:
            raise SchemaError(msg("per_mu_needs_land"))
        return self


@dataclass(frozen=True)
class JoinSpec:
    """How ledger rows find features: key columns of layer and table (``table_key`` defaults to
    ``key``), "left" (every feature) or "inner" join, and ``match`` "key" or "name" (names and
    the ``aliases_col`` column, see the module docstring)."""

    key: str = "id"
    table_key: str | None = None
    how: str = "left"
    match: MatchBy = "key"
    aliases_col: str = "aliases"


@dataclass(frozen=True)
class Computed:
    """One column the unit conversion wrote, as data: ``target`` (a column of the joined layer)
    from the ledger column ``source`` given in ``unit`` (a code of :data:`LAND_UNITS` or
    :data:`MONEY_UNITS`). ``kind`` says how: ``land`` (converted to 亩), ``investment`` (to 亿元),
    ``per_mu`` (``source`` in 万元 divided by ``land_area_mu``) or ``previous`` (the earlier
    values of ``target`` differ and are kept in ``source``, e.g. ``land_area_mu_previous``).

    :meth:`line` is the English line of the CLI report; :func:`computed_text` words it for a
    planner in either language.
    """

    kind: ComputedKind
    target: str
    source: str
    unit: str = ""

    def line(self) -> str:
        """``land_area_mu (亩) from '面积' in 亩``: the CLI's wording (a contract, do not change)."""
        unit = UNIT_LABELS.get(self.unit, self.unit)
        if self.kind == "previous":
            return f"earlier {self.target} values kept as {self.source}"
        if self.kind == "per_mu":
            return f"{self.target} (万元/亩) = {self.source!r} in {unit} / land_area_mu"
        return f"{self.target} ({_TARGET_UNITS[self.target]}) from {self.source!r} in {unit}"


def computed_text(step: Computed, lang: str = "zh") -> str:
    """What ``step`` did, in ``lang``, with field labels and unit words:
    ``Computed("land", "land_area_mu", "面积", "mu")`` -> 用地面积（亩）← 台账列「面积」（亩）."""
    target = field_label(step.target, lang)
    if step.kind == "previous":
        return msg("join_computed_previous", target=target).text(lang)
    unit = msg(f"join_unit_{step.unit}").text(lang)
    if step.kind == "per_mu":
        target = msg("join_per_mu_column", name=step.target.removesuffix("_wan_per_mu")).text(lang)
        land = field_label("land_area_mu", lang)
        return msg("join_computed_per_mu", target=target, source=step.source, unit=unit, land=land).text(lang)
    return msg("join_computed_from", target=target, source=step.source, unit=unit).text(lang)


@dataclass(frozen=True)
class LedgerReport:
    """The join report plus what name matching and unit conversion did."""

    join: JoinReport
    match: str
    key: str
    table_key: str
    by_alias: tuple[tuple[str, str], ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()
    computed: tuple[Computed, ...] = ()
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        """The report as plain data (the CLI's JSON and the workspace index); ``computed`` as the
        English lines of :meth:`lines`."""
        return asdict(self) | {"computed": [c.line() for c in self.computed]}

    def computed_texts(self, lang: str = "zh") -> list[str]:
        """What the unit conversion computed, one line per column, in ``lang`` (:func:`computed_text`)."""
        return [computed_text(c, lang) for c in self.computed]

    def lines(self) -> list[str]:
        j = self.join
        out = [
            f"join by {self.match}: layer {self.key!r} = table {self.table_key!r} ({j.how} join)",
            f"matched: {j.matched} of {j.left_count} features; table rows: {j.right_count}",
        ]
        out += [
            f"{label} ({len(items)}): {', '.join(items)}"
            for label, items in j.key_lists(
                "features without a table row",
                "table rows without a feature",
                "duplicate keys in the layer",
                "duplicate keys in the table",
            )
        ]
        out += [f"type mismatch (not joined): layer {a!r} vs table {b!r}" for a, b in j.type_mismatches]
        out += [f"matched by alias or spelling: {t!r} -> {n!r}" for t, n in self.by_alias]
        out += [f"ambiguous (not joined): {t!r} fits {', '.join(ns)}" for t, ns in self.ambiguous]
        out += [f"computed: {c.line()}" for c in self.computed]
        out += [f"warning: {w}" for w in self.warnings] + [f"PROBLEM: {p}" for p in self.problems]
        return out


def preview_join(gdf: gpd.GeoDataFrame, table: pd.DataFrame, **spec) -> LedgerReport:
    """The report of joining ``table`` to ``gdf``, without joining (duplicates do not raise);
    ``spec`` are the fields of :class:`JoinSpec` by keyword."""
    s = JoinSpec(**spec)
    check_choice("match", s.match, ("key", "name"))
    table_key = s.table_key or s.key
    _require(gdf, s.key, "layer")
    _require(table, table_key, "table")
    if s.match == "name":
        canonical, by_alias, ambiguous = match_names(gdf, table[table_key], s.key, s.aliases_col)
        report = report_join(gdf[s.key], canonical, s.how)
    else:
        report, by_alias, ambiguous = report_join(gdf[s.key], table[table_key], s.how), (), ()
    problems = _join_problems(report, table_key)
    return LedgerReport(report, s.match, s.key, table_key, by_alias, ambiguous, problems=problems)


def join_ledger(
    gdf: gpd.GeoDataFrame, table: pd.DataFrame, *, units: UnitSpec | None = None, **spec
) -> tuple[gpd.GeoDataFrame, LedgerReport]:
    """Join ``table`` to ``gdf`` and recompute per-mu figures from the declared units.

    Parameters
    ----------
    gdf : layer in any CRS, with column ``key`` (the name column when ``match="name"``).
    table : the ledger as read by :func:`zkq_geo.importing.sheets.read_sheet` (text cells).
    spec : the fields of :class:`JoinSpec` by keyword: ``key``, ``table_key`` (key columns of
        layer and table), ``how`` ("left" keeps every feature, "inner" matched ones only),
        ``match`` ("key" or "name"), ``aliases_col``.
    units : land and money columns of the joined frame and their units. Table columns whose
        name clashes with a layer column carry the suffix ``_joined``; either name is accepted.

    Returns the joined GeoDataFrame (``land_area_mu`` in 亩, ``investment_yi`` in 亿元,
    ``<col>_wan_per_mu`` in 万元/亩, ``invest_intensity_wan_per_mu``) and the report.

    Raises
    ------
    JoinError : duplicate table keys, or ledger names fitting several features.
    SchemaError : a land or money cell of a matched row that is not a number, or an impossible
        figure: land not finite, not positive or under 1 m2; investment not finite or not
        positive; another money column not finite or negative (every such cell is listed).
    """
    s = JoinSpec(**spec)
    report = preview_join(gdf, table, **spec)
    if report.problems:
        raise JoinError(report.problems[0])
    table_key = report.table_key
    if s.match == "name":
        canonical, _, _ = match_names(gdf, table[table_key], s.key, s.aliases_col)
        table = table.assign(_zkq_match=canonical.to_numpy())
        joined, _ = join_attributes(gdf, table, key=s.key, table_key="_zkq_match", how=s.how)
    else:
        joined, _ = join_attributes(gdf, table, key=s.key, table_key=table_key, how=s.how)
    joined, computed = apply_units(joined, (units or UnitSpec()).check())
    return joined, LedgerReport(
        report.join, s.match, s.key, table_key, report.by_alias, report.ambiguous, computed=computed
    )


def match_names(
    gdf: pd.DataFrame, names: pd.Series, name_col: str = "name", aliases_col: str = "aliases"
) -> tuple[pd.Series, tuple, tuple]:
    """Map ledger names to the layer's own ``name_col`` values, through names then aliases.

    Returns the canonical names (the text as given when nothing or several fit), the pairs
    (ledger text, feature name) matched by an alias or a different spelling, and the
    ambiguous ones (ledger text, names it fits).
    """
    own = gdf[name_col].astype("string").fillna("").astype(str).tolist()
    aliases = (
        gdf[aliases_col].astype("string").fillna("").astype(str).tolist()
        if aliases_col in gdf
        else [""] * len(own)
    )
    by_name, by_alias = (
        _label_index(own, [[n] for n in own]),
        _label_index(own, [_ALIAS_SPLIT.split(a) for a in aliases]),
    )
    texts = key_text(names).tolist()
    canonical, via_alias, ambiguous = [], [], []
    for text in texts:
        norm = normalise_name(text)
        fits = by_name.get(norm) or by_alias.get(norm) or set()
        if len(fits) == 1:
            (target,) = fits
            canonical.append(target)
            if target != text:
                via_alias.append((text, target))
        else:
            canonical.append(text)
            if len(fits) > 1:
                ambiguous.append((text, tuple(sorted(fits))))
    return (
        pd.Series(canonical, index=names.index, dtype=object),
        tuple(dict.fromkeys(via_alias)),
        tuple(dict.fromkeys(ambiguous)),
    )


def _label_index(own: list[str], labels: list[list[str]]) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for name, group in zip(own, labels, strict=False):
        for label in group:
            norm = normalise_name(label)
            if norm:
                index.setdefault(norm, set()).add(name)
    return index


def _join_problems(report: JoinReport, table_key: str) -> tuple[str, ...]:
    if report.duplicate_right:
        return (msg("key_not_unique", key=table_key, keys=Items(report.duplicate_right[:10])),)
    return ()


def _require(frame: pd.DataFrame, col: str, what: str) -> None:
    if col not in frame.columns:
        raise SchemaError(
            msg(
                "no_such_column", what=msg(f"what_{what}"), column=col, columns=Items(map(str, frame.columns))
            )
        )


# ----------------------------------------------------------------------------- units
def apply_units(gdf: gpd.GeoDataFrame, units: UnitSpec) -> tuple[gpd.GeoDataFrame, tuple[Computed, ...]]:
    """Convert the declared land and money columns and recompute the per-mu indicators.

    Earlier ``land_area_mu`` / ``investment_yi`` values that differ are kept as
    ``*_previous``. Returns the new frame and what was computed from what (:class:`Computed`).
    Raises ``SchemaError`` listing every impossible figure (see :func:`join_ledger`).
    """
    out, computed = gdf.copy(), []
    _refuse_impossible(out, _declared_figures(out, units))
    if units.land_col:
        col = _joined_column(out, units.land_col)
        out = _replace(out, "land_area_mu", convert_area(_numbers(out, col), units.land_unit, "mu"), computed)
        computed.append(Computed("land", "land_area_mu", col, units.land_unit))
    if units.investment_col:
        col = _joined_column(out, units.investment_col)
        out = _replace(
            out, "investment_yi", convert_money(_numbers(out, col), units.money_unit, "yi"), computed
        )
        computed.append(Computed("investment", "investment_yi", col, units.money_unit))
    for name in units.per_mu_cols:
        col = _joined_column(out, name)
        wan = convert_money(_numbers(out, col), units.money_unit, "wan")
        out[f"{col}_wan_per_mu"] = (wan / out["land_area_mu"].where(out["land_area_mu"] > 0)).to_numpy()
        computed.append(Computed("per_mu", f"{col}_wan_per_mu", col, units.money_unit))
    return with_efficiency(out), tuple(computed)


def with_efficiency(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """:func:`zkq_geo.analysis.metrics.add_efficiency`, with absent input columns added empty first."""
    out = gdf.copy()
    for col in EFFICIENCY_INPUT_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan if not col.endswith("_qualifier") else ""
    return add_efficiency(out)


def _declared_figures(frame: pd.DataFrame, units: UnitSpec) -> list[tuple[str, pd.Series, str]]:
    """(column, numbers, rule of metrics.figure_faults) of the declared columns: land first (in 亩),
    then investment, then the per-mu money columns (both in the unit given)."""
    figures = []
    if units.land_col:
        col = _joined_column(frame, units.land_col)
        figures.append((col, convert_area(_numbers(frame, col), units.land_unit, "mu"), "land"))
    if units.investment_col:
        col = _joined_column(frame, units.investment_col)
        figures.append((col, _numbers(frame, col), "investment"))
    figures += [
        (c, _numbers(frame, c), "amount") for c in (_joined_column(frame, n) for n in units.per_mu_cols)
    ]
    return figures


def _refuse_impossible(frame: pd.DataFrame, figures: list[tuple[str, pd.Series, str]]) -> None:
    """SchemaError listing, column by column, each row whose figure is impossible and why."""
    columns = []
    for col, values, rule in figures:
        faults = figure_faults(values, rule)
        text = frame[col].astype("string").str.strip()
        cells = [
            msg(
                "bad_figure_cell",
                row=_row_label(frame, i),
                value=str(text.iloc[i]),
                fault=fault_message(faults[i]),
            )
            for i in np.flatnonzero(faults != "")
        ]
        if cells:
            columns.append(msg("bad_figures_column", column=col, cells=listed(cells)))
    if columns:
        raise SchemaError(
            msg(
                "ledger_bad_figures",
                columns=Items(columns, sep="; ", zh_sep="；"),
                m2=format(MIN_LAND_AREA_M2, "g"),
            )
        )


def _row_label(frame: pd.DataFrame, i: int) -> str:
    return str(frame["name"].iloc[i]) if "name" in frame.columns else str(i)


def _joined_column(frame: pd.DataFrame, col: str) -> str:
    for name in (col, f"{col}_joined"):
        if name in frame.columns:
            return name
    raise SchemaError(
        msg(
            "joined_no_column",
            column=col,
            columns=Items(c for c in map(str, frame.columns) if c != "geometry"),
        )
    )


def _numbers(frame: pd.DataFrame, col: str) -> pd.Series:
    text = frame[col].astype("string").str.strip().replace("", pd.NA)
    nums = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & nums.isna()
    if bad.any():
        rows = [f"{_row_label(frame, i)}={text.iloc[i]!r}" for i in np.flatnonzero(bad)[:5]]
        raise SchemaError(msg("not_numbers", column=col, cells=Items(rows)))
    return nums.astype(float)


def _replace(
    frame: gpd.GeoDataFrame, col: str, values: pd.Series, computed: list[Computed]
) -> gpd.GeoDataFrame:
    out = frame.copy()
    if col in out.columns:
        old = pd.to_numeric(out[col], errors="coerce")
        if old.notna().any() and not np.allclose(old.fillna(-1), values.fillna(-1)):
            out[f"{col}_previous"] = old.to_numpy()
            computed.append(Computed("previous", col, f"{col}_previous"))
    out[col] = values.to_numpy()
    qualifier = col.replace("_mu", "").replace("_yi", "") + "_qualifier"
    out[qualifier] = np.where(values.notna().to_numpy(), "exact", "")
    return out
