"""A selection: the plain filter values a user sets (in the app sidebar or on the CLI).

:func:`apply_selection` resolves names (plate aliases, Chinese industry labels) against the
catalogue and hands off to :func:`zkq_geo.analysis.filters.filter_features`.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from zkq_geo.analysis.filters import filter_features, resolve_plate
from zkq_geo.catalog import Catalog
from zkq_geo.errors import OptionError


@dataclass(frozen=True)
class Selection:
    """Filter values; an empty field applies no filter."""

    industries: tuple[str, ...] = ()
    plate: str | None = None
    min_investment_yi: float | None = None
    max_investment_yi: float | None = None
    search: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == Selection()


def apply_selection(
    gdf: gpd.GeoDataFrame, selection: Selection, catalog: Catalog, plates: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """Features of ``gdf`` that pass ``selection``.

    ``plates`` (the plate table: id, name, aliases) is needed only when a plate is given.
    Industry and investment filters apply to layers with those columns (parks, projects);
    asking for them on another layer raises :class:`OptionError`.
    """
    plate_id = None
    if selection.plate:
        if plates is None:
            raise OptionError("a plate filter needs the plates table")
        plate_id = resolve_plate(plates, selection.plate)
    gdf = _plate_subset(gdf, plate_id) if plate_id and "plate_id" not in gdf.columns else gdf
    needs_figures = (
        selection.industries
        or selection.min_investment_yi is not None
        or selection.max_investment_yi is not None
    )
    if needs_figures and "industries" not in gdf.columns:
        layer = gdf["layer"].iloc[0] if len(gdf) and "layer" in gdf else "this layer"
        raise OptionError(f"industry and investment filters apply to parks and projects, not to {layer}")
    return filter_features(
        gdf,
        industries=list(selection.industries) or None,
        plate_id=plate_id if "plate_id" in gdf.columns else None,
        min_investment_yi=selection.min_investment_yi,
        max_investment_yi=selection.max_investment_yi,
        search=selection.search or None,
        vocabulary=catalog.industries,
    )


def _plate_subset(gdf: gpd.GeoDataFrame, plate_id: str) -> gpd.GeoDataFrame:
    """For the plates layer itself: keep the plate."""
    return gdf[gdf["id"] == plate_id].copy() if "id" in gdf.columns else gdf
