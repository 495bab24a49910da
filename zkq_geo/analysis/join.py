"""Attribute joins by key, each returning the joined frame and a :class:`JoinReport`.

Keys are compared as trimmed text. Keys that match only after normalising numbers
("0012" vs 12, "12.0" vs "12") are NOT joined: they are reported as type mismatches, so
nothing is matched by accident.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Literal

import geopandas as gpd
import pandas as pd

from zkq_geo.errors import JoinError, SchemaError, check_choice
from zkq_geo.i18n.messages import Items, msg

JoinHow = Literal["left", "inner"]
_QUALIFIER_SIGN = {"at_least": "≥", "about": "≈", "exact": "", "at_most": "≤"}


@dataclass(frozen=True)
class JoinReport:
    """What a join matched and what it could not."""

    how: str
    left_count: int
    right_count: int
    matched: int
    unmatched_left: tuple[str, ...]
    unmatched_right: tuple[str, ...]
    duplicate_left: tuple[str, ...]
    duplicate_right: tuple[str, ...]
    type_mismatches: tuple[tuple[str, str], ...]

    @property
    def clean(self) -> bool:
        """True when every key matched once on both sides."""
        return not (
            self.unmatched_left
            or self.unmatched_right
            or self.duplicate_left
            or self.duplicate_right
            or self.type_mismatches
        )

    def to_dict(self) -> dict:
        return asdict(self)

    def key_lists(self, *labels: str) -> list[tuple[str, list[str]]]:
        """The non-empty key lists with the caller's four labels, in this order: unmatched
        features, unmatched table rows, duplicate feature keys, duplicate table keys."""
        lists = (self.unmatched_left, self.unmatched_right, self.duplicate_left, self.duplicate_right)
        return [(label, items) for label, items in zip(labels, lists, strict=True) if items]

    def summary(self) -> str:
        parts = [f"matched {self.matched} of {self.left_count} features and {self.right_count} table rows"]
        labels = ("unmatched features", "unmatched table rows", "duplicate feature keys")
        for label, items in self.key_lists(*labels, "duplicate table keys"):
            parts.append(f"{label}: {', '.join(items[:10])}{' …' if len(items) > 10 else ''}")
        if self.type_mismatches:
            parts.append(
                "type mismatches: " + ", ".join(f"{a!r} vs {b!r}" for a, b in self.type_mismatches[:10])
            )
        return "; ".join(parts)


def key_text(values: pd.Series) -> pd.Series:
    """Keys as trimmed text; missing keys become ``""``."""
    return values.astype("string").fillna("").str.strip()


def _normal(key: str) -> str:
    """Loose form of a key used only to detect type mismatches."""
    k = key.strip()
    if re.fullmatch(r"[+-]?\d+(\.0+)?", k):
        return str(int(float(k)))
    return k


def report_join(left_keys: pd.Series, right_keys: pd.Series, how: JoinHow = "left") -> JoinReport:
    """Compare two key columns and report matches, misses, duplicates and type mismatches."""
    check_choice("how", how, ("left", "inner"))
    lk, rk = key_text(left_keys), key_text(right_keys)
    lset, rset = set(lk), set(rk)
    un_l = sorted(lset - rset)
    un_r = sorted(rset - lset)
    loose_r = {}
    for k in un_r:
        loose_r.setdefault(_normal(k), k)
    mismatches = tuple((k, loose_r[_normal(k)]) for k in un_l if _normal(k) in loose_r)
    return JoinReport(
        how=how,
        left_count=len(lk),
        right_count=len(rk),
        matched=int(lk.isin(rset).sum()),
        unmatched_left=tuple(un_l),
        unmatched_right=tuple(un_r),
        duplicate_left=tuple(sorted(lk[lk.duplicated()].unique())),
        duplicate_right=tuple(sorted(rk[rk.duplicated()].unique())),
        type_mismatches=mismatches,
    )


def join_attributes(
    gdf: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    key: str = "id",
    table_key: str | None = None,
    how: JoinHow = "left",
) -> tuple[gpd.GeoDataFrame, JoinReport]:
    """Join an attribute ``table`` to the features of ``gdf`` by key.

    Parameters
    ----------
    gdf : GeoDataFrame with column ``key``.
    table : DataFrame with column ``table_key`` (default: same as ``key``).
    how : "left" keeps every feature (unmatched ones get empty attributes); "inner" keeps
        matched features only.

    Returns the joined GeoDataFrame (same CRS, feature order kept) and the report. Duplicate
    keys in the table raise :class:`JoinError`, since they would multiply features; table
    columns that clash with feature columns are suffixed ``_joined``.
    """
    table_key = table_key or key
    for frame, col, what in ((gdf, key, "layer"), (table, table_key, "table")):
        if col not in frame.columns:
            raise SchemaError(
                msg(
                    "no_key_column",
                    what=msg(f"what_{what}"),
                    column=col,
                    columns=Items(map(str, frame.columns)),
                )
            )
    report = report_join(gdf[key], table[table_key], how)
    if report.duplicate_right:
        raise JoinError(msg("key_not_unique", key=table_key, keys=Items(report.duplicate_right[:10])))
    right = table.rename(
        columns={c: f"{c}_joined" for c in table.columns if c in gdf.columns and c != table_key}
    )
    right = right.assign(_zkq_key=key_text(right[table_key]))
    if table_key != key:
        right = right.drop(columns=[table_key])
    left = gdf.assign(_zkq_key=key_text(gdf[key]))
    if table_key == key:
        right = right.drop(columns=[key])
    joined = left.merge(right, on="_zkq_key", how=how, sort=False).drop(columns="_zkq_key")
    return gpd.GeoDataFrame(joined, geometry=gdf.geometry.name, crs=gdf.crs), report


def format_figure(value: float, qualifier: str, unit: str = "亿元") -> str:
    """``30, "at_least"`` -> ``"≥30亿元"``."""
    return f"{_QUALIFIER_SIGN.get(qualifier, '')}{value:g}{unit}"


def attach_alt_figures(df: pd.DataFrame, alt: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Mark records that other sources give different figures for.

    Adds ``has_conflict`` (bool) and ``conflicts`` (text naming each other figure and its source).
    ``alt`` has columns id, layer, field, value, qualifier, source_name, source, note.
    """
    rows = alt[alt["layer"] == layer]
    texts: dict[str, list[str]] = {}
    for r in rows.itertuples(index=False):
        unit = "亿元" if r.field == "investment_yi" else ""
        texts.setdefault(r.id, []).append(
            f"{r.field}: {format_figure(float(r.value), r.qualifier, unit)}（{r.source_name}；{r.source}）"
        )
    ids = key_text(df["id"])
    out = df.copy()
    out["has_conflict"] = ids.isin(texts.keys()).to_numpy()
    out["conflicts"] = [" | ".join(texts.get(i, [])) for i in ids]
    return out
