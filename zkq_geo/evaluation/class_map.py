"""Folium map of an evaluation: one toggleable layer per class (A/B/C/D, rated only).

Pure: builds and returns a ``folium.Map``; the app shows it through ``app/map_component.py``
like the other maps. Input frames are EPSG:4326 (WGS84 lon/lat): points from
:func:`zkq_geo.evaluation.evaluate.evaluation_points` or parcels from
:func:`zkq_geo.evaluation.evaluate.join_parcels`. Text goes through
:func:`zkq_geo.render.builder.escape_value`
(via :func:`zkq_geo.render.builder.compact_features`), because folium's tooltips use ``innerHTML``.
No basemap is added, so the map fetches nothing; ``asset_base_url`` points Leaflet's JS/CSS at
the vendored copies (:func:`zkq_geo.render.assets.localize_map`).
"""

from __future__ import annotations

from typing import Literal

import folium
import geopandas as gpd
import pandas as pd

from zkq_geo.errors import SchemaError, check_choice
from zkq_geo.evaluation.report import CLASS_COLORS
from zkq_geo.render.builder import compact_features, escape_value, fit_view

Lang = Literal["zh", "en"]
NO_FIRM = "no_firm"
CLASS_LAYERS = ("A", "B", "C", "D", "", NO_FIRM)
NO_FIRM_COLOR = "#ffffff"
TOOLTIP_FIELDS = ("name", "credit_code", "group", "total_score", "rank", "class")
_LABELS = {
    "zh": {
        "name": "企业",
        "credit_code": "信用代码",
        "group": "评价组",
        "total_score": "总分",
        "rank": "组内排名",
        "class": "分类",
        "": "只评分不分类",
        "layer": "{c} 类",
        "backdrop": "经开区范围（示意）",
        "no_firm": "无对应企业的地块",
    },
    "en": {
        "name": "Firm",
        "credit_code": "Credit code",
        "group": "Group",
        "total_score": "Total score",
        "rank": "Rank in group",
        "class": "Class",
        "": "Rated, not graded",
        "layer": "Class {c}",
        "backdrop": "Zone boundary (schematic)",
        "no_firm": "Parcels without a firm",
    },
}
DEFAULT_CENTER = (34.70, 113.79)


def abcd_map(
    features: gpd.GeoDataFrame,
    *,
    backdrop: gpd.GeoDataFrame | None = None,
    lang: Lang = "zh",
    asset_base_url: str | None = None,
) -> folium.Map:
    """A map of ``features`` coloured by class, with a layer control listing the classes and counts.

    Firms rated but not graded are grey; parcels that joined no firm are white.

    Parameters
    ----------
    features : GeoDataFrame
        EPSG:4326, with ``class`` (A-D or "") and the tooltip columns (``name``, ``credit_code``,
        ``group``, ``total_score``, ``rank``) where present. Excluded firms (status
        ``excluded``) are not drawn.
    backdrop : GeoDataFrame, optional
        Outlines drawn underneath without fill (e.g. the schematic zone boundary), EPSG:4326.
    lang : {"zh", "en"}
    asset_base_url : str, optional
        Where the vendored Leaflet files are served (``/app/static/vendor/`` in the app).
    """
    check_choice("lang", lang, ("zh", "en"))
    if "class" not in features.columns:
        raise SchemaError("abcd_map needs a 'class' column (see zkq_geo.evaluation.evaluate.evaluate)")
    shown = features[features.geometry.notna() & ~features.geometry.is_empty]
    if "status" in shown.columns:
        shown = shown[shown["status"] != "excluded"]
    kind = shown["class"].fillna("").astype(str)
    if "status" in shown.columns:  # parcels joined to no firm (join_parcels) have no status
        kind = kind.where(shown["status"].notna(), NO_FIRM)
    m = folium.Map(location=DEFAULT_CENTER, zoom_start=12, tiles=None, control_scale=True)
    if backdrop is not None and len(backdrop):
        folium.GeoJson(
            compact_features(backdrop.to_crs("EPSG:4326"), []),
            name=escape_value(_LABELS[lang]["backdrop"]),
            style_function=lambda _: {"color": "#777777", "weight": 1.5, "fill": False},
        ).add_to(m)
    for cls in CLASS_LAYERS:
        part = shown[(kind == cls).to_numpy()]
        if len(part):
            _class_layer(part, cls, lang).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    _fit(m, shown if len(shown) else backdrop)
    if asset_base_url:
        from zkq_geo.render.assets import localize_map

        localize_map(m, asset_base_url)
    return m


def _class_layer(part: gpd.GeoDataFrame, cls: str, lang: str) -> folium.FeatureGroup:
    labels = _LABELS[lang]
    color = NO_FIRM_COLOR if cls == NO_FIRM else CLASS_COLORS[cls]
    title = labels[cls] if cls in ("", NO_FIRM) else labels["layer"].format(c=cls)
    name = f'<span style="color:{color}">&#9679;</span> {escape_value(title)} ({len(part)})'
    group = folium.FeatureGroup(name=name)
    fields = [f for f in TOOLTIP_FIELDS if f in part.columns]
    data = compact_features(_display_frame(part, fields), fields)
    style = {"color": "#333333", "weight": 1, "fillColor": color, "fillOpacity": 0.85, "radius": 6}
    folium.GeoJson(
        data,
        marker=folium.CircleMarker(radius=6, fill=True),
        style_function=lambda _: style,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[escape_value(labels[f]) for f in fields]),
    ).add_to(group)
    return group


def _display_frame(part: gpd.GeoDataFrame, fields: list[str]) -> gpd.GeoDataFrame:
    """Rounded scores and whole ranks for the tooltip; the evaluation itself is untouched."""
    out = part[[*fields, part.geometry.name]].copy()
    if "total_score" in out:
        out["total_score"] = pd.to_numeric(out["total_score"], errors="coerce").round(2)
    if "rank" in out:
        out["rank"] = out["rank"].astype("object").where(out["rank"].notna(), None)
        out["rank"] = [None if r is None else int(r) for r in out["rank"]]
    return out


def _fit(m: folium.Map, gdf: gpd.GeoDataFrame | None) -> None:
    if gdf is None or not len(gdf):
        return
    minx, miny, maxx, maxy = gdf.to_crs("EPSG:4326").total_bounds
    fit_view(m, miny, minx, maxy, maxx, padding=(20, 20))  # at once: hover works from the first moment
