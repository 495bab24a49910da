"""Thin I/O: read vector files and attribute tables; check CRS and schema. No metrics here."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from zkq_geo.errors import CRSError, DataSourceError, SchemaError

# Columns that hold numbers wherever they appear; everything else is read as text ("" = empty).
NUMERIC_COLUMNS = frozenset(
    {
        "investment_yi",
        "land_area_mu",
        "floor_area_m2",
        "area_km2",
        "planned_area_km2",
        "population_wan",
        "gdp_yi",
        "industrial_va_yi",
        "fixed_investment_yi",
        "budget_revenue_yi",
        "trade_yi",
        "figures_year",
        "value",
    }
)


def read_vector(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector file (GeoJSON, GeoPackage, Shapefile...) with pyogrio.

    The file must declare its CRS; nothing is guessed here.
    """
    path = Path(path)
    if not path.exists():
        raise DataSourceError(f"file not found: {path}")
    try:
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataSourceError(f"cannot read {path.name}: {exc}") from exc
    if gdf.crs is None:
        raise CRSError(f"{path.name} declares no coordinate reference system; add a .prj or crs member")
    return gdf


def read_table(path: str | Path, sheet: str | int = 0, *, numeric: bool = True) -> pd.DataFrame:
    """Read an attribute table (CSV in UTF-8, or XLSX). Text stays text; known numeric columns
    (:data:`NUMERIC_COLUMNS`) become floats, with empty cells as NaN, unless ``numeric=False``
    (for display: zone_indicators.csv states some values in words, "提升 2.9 个百分点")."""
    path = Path(path)
    if not path.exists():
        raise DataSourceError(f"file not found: {path}")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, sheet_name=sheet, dtype=str, keep_default_na=False)
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataSourceError(f"{path.name} is not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    except (ValueError, OSError) as exc:
        raise DataSourceError(f"cannot read {path.name}: {exc}") from exc
    return coerce_numeric(df, path.name) if numeric else df


def coerce_numeric(df: pd.DataFrame, origin: str = "table") -> pd.DataFrame:
    """Convert :data:`NUMERIC_COLUMNS` present in ``df`` to float; raise on non-numbers."""
    out = df.copy()
    for col in NUMERIC_COLUMNS.intersection(out.columns):
        text = out[col].astype("string").str.strip().replace("", pd.NA)
        nums = pd.to_numeric(text, errors="coerce")
        bad = text.notna() & nums.isna()
        if bad.any():
            row = bad.idxmax()
            raise SchemaError(f"{origin}: column {col!r} must be numeric; row {row} has {text[row]!r}")
        out[col] = nums.astype(float)
    return out
