"""Which feature a click on the map hit: the map page's lookup, as a pure function (no st.*)."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from zkq_geo.render.builder import feature_at

CLICK_ORDER = ("projects", "parks", "boards", "plates", "zone")  # first hit wins; imported layers go first


def clicked_feature(
    shown: Mapping[str, gpd.GeoDataFrame], clicked: Mapping | None, basemap: str
) -> str | None:
    """The ``id`` of the feature under ``clicked``, or None.

    Parameters
    ----------
    shown : mapping of layer name -> GeoDataFrame
        The layers on the map, in WGS84 as loaded (not shifted for display).
    clicked : {"lat": float, "lng": float} or None
        streamlit-folium's ``last_object_clicked``: degrees in the map's datum, i.e. GCJ-02 when
        ``basemap == "amap"`` (the vectors are drawn shifted there), else WGS84.
    basemap : str
        The basemap choice; "amap" shifts the click back from GCJ-02 before the lookup.
    """
    if not clicked:
        return None
    datum = "gcj02" if basemap == "amap" else "wgs84"
    order = tuple(n for n in shown if n not in CLICK_ORDER) + CLICK_ORDER
    for name in (n for n in order if n in shown):
        hit = feature_at(shown[name], clicked["lng"], clicked["lat"], datum=datum)
        if hit:
            return hit
    return None
