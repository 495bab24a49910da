"""Folium maps of the zone's layers: styles as data, escaped text, compact GeoJSON.

This is the one module that converts data for display. Input frames are EPSG:4326 (WGS84
lon/lat degrees); distances and simplification tolerances are metres in EPSG:4547.

Escaping. Every text that reaches the browser (tooltips, popups, labels, layer names, legend)
goes through :func:`escape_value` here, because folium does not escape: ``GeoJsonTooltip`` and
``GeoJsonPopup`` put property values into ``innerHTML`` inside JS template literals, Leaflet's
layer control shows layer names as HTML, and branca renders every element's script a *second*
time as a Jinja template (a feature called ``{{ 7*7 }}`` comes out as ``49``). So values are
HTML-escaped and ``` ` ``` ``$`` ``{`` ``}`` become character references as well.

Payload. A map's GeoJSON is embedded in the page, and streamlit-folium sends the whole page on
every render, so :func:`compact_features` keeps only the properties shown, rounds coordinates,
drops per-feature bboxes and may simplify; styles are looked up in the browser from one short
class property per feature (one style table per layer, not one style per feature).

Example
-------
>>> from zkq_geo.layers import load_layers  # doctest: +SKIP
>>> layers = {n: d.gdf for n, d in load_layers().items()}  # doctest: +SKIP
>>> m = build_map(layers, catalog=load_catalog(), lang="en")  # doctest: +SKIP
>>> html = map_to_standalone_html(m)  # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args
from urllib.parse import quote

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from zkq_geo.catalog import Catalog
from zkq_geo.crs import AREA_CRS, WGS84, convert_datum, shift_gdf, to_area_crs
from zkq_geo.errors import CRSError, OptionError, SchemaError, check_choice
from zkq_geo.i18n.format import (
    EMPTY,
    blank,
    code_text,
    field_label,
    number_text,
    qualifier_sign,
    qualifier_text,
    value_text,
)
from zkq_geo.render.tiled import TiledLayer, selection_bits
from zkq_geo.render.tiles import MAX_ZOOM as MAX_TILE_ZOOM

Lang = Literal["zh", "en"]
Basemap = Literal["none", "osm", "tianditu", "amap"]
ColorBy = Literal["industry", "intensity"]
ClickDatum = Literal["wgs84", "gcj02", "bd09"]
_LANGS, _BASEMAPS, _COLOR_BYS, _CLICK_DATUMS = (get_args(t) for t in (Lang, Basemap, ColorBy, ClickDatum))

# ----------------------------------------------------------------------------- styles (data)
STYLES: dict[str, Any] = {
    # Okabe-Ito based: tells the eight industries apart with common colour-vision deficiencies.
    "industry_colors": {
        "auto": "#0072B2",
        "equipment": "#E69F00",
        "logistics": "#009E73",
        "biomed": "#CC79A7",
        "ict": "#56B4E9",
        "trade": "#D55E00",
        "materials_env": "#C9B200",
        "urban": "#7F7F7F",
    },
    "unknown_industry_color": "#B0B0B0",
    # Leaflet path options per layer kind; "parks" and "projects" get their fill colour per class.
    "layers": {
        "zone": {"color": "#1A1A1A", "weight": 3, "opacity": 0.9, "fill": False},
        "boards": {
            "color": "#B2182B",
            "weight": 2,
            "dashArray": "8 4",
            "fillColor": "#B2182B",
            "fillOpacity": 0.08,
        },
        "plates": {
            "color": "#5E3C99",
            "weight": 2,
            "dashArray": "2 5",
            "fillColor": "#5E3C99",
            "fillOpacity": 0.12,
        },
        "parks": {"color": "#333333", "weight": 1, "opacity": 0.9, "fillOpacity": 0.6},
        "projects": {"color": "#1A1A1A", "weight": 1, "opacity": 0.9, "fillOpacity": 0.85},
        "area": {"color": "#3366CC", "weight": 1.5, "fillColor": "#3366CC", "fillOpacity": 0.15},
    },
    # Outline of a figure that is a bound, not an exact value (e.g. investment "超30亿").
    "bound_outline": {"lower": {"dashArray": "5 4", "weight": 2}, "upper": {"dashArray": "1 4", "weight": 2}},
    # Investment intensity (亩均投资, 万元/亩): 5 sequential classes; grey when it cannot be computed.
    "intensity": {
        "breaks": (500, 1000, 1500, 2000),
        "colors": ("#FFFFB2", "#FECC5C", "#FD8D3C", "#F03B20", "#BD0026"),
        "no_data_color": "#BDBDBD",
    },
    # Project circles: radius = max(min_px, px_per_sqrt_yi * sqrt(investment 亿元)), at most max_px.
    "project_radius": {"min_px": 4.0, "px_per_sqrt_yi": 3.0, "max_px": 24.0, "legend_yi": (1, 10, 40)},
    "label_colors": {"boards": "#B2182B", "plates": "#5E3C99"},
}
# Layers with more features get no per-feature popup (the payload would carry every attribute
# of every feature); their tooltip stays and the app's detail panel (feature_at) shows the rest.
FULL_POPUP_MAX_FEATURES = 2000
SCHEMATIC_NOTE = {"zh": "示意范围，非法定边界", "en": "Schematic extent, not a legal boundary"}
DEFAULT_CENTER = (34.72, 113.78)  # lat, lon of the zone

_TEXT = {
    "legend": ("图例", "Legend"),
    "industry": ("产业", "Industry"),
    "name": ("名称", "Name"),
    "investment": ("投资额", "Investment"),
    "intensity": ("亩均投资（万元/亩）", "Investment per mu (万元/亩)"),
    "intensity_short": ("亩均投资", "Investment per mu"),
    "no_intensity": ("无法计算（无用地面积等）", "Not computable (no land area etc.)"),
    "dashed": ("虚线", "dashed"),
    "dotted": ("点线", "dotted"),
    "radius": ("圆点大小：投资额（亿元）", "Circle size: investment (亿元)"),
    "amap": ("高德底图：图层已转换为 GCJ-02", "AMap basemap: layers shifted to GCJ-02"),
    "tiled_note": (
        "「{layer}」以矢量瓦片绘制：缩小时部分密集小地块省略显示；计数、表格与导出以全部要素为准。",
        "“{layer}” is drawn from vector tiles: zoomed out, some small dense features are left out of the "
        "drawing; counts, tables and exports use every feature.",
    ),
    "tiled_generalised": (
        "本文件为概化版本：第 {zoom} 级以上按第 {zoom} 级瓦片放大显示。",
        " This file holds a generalised version: beyond zoom {zoom} the zoom-{zoom} tiles are enlarged.",
    ),
}
# Figures shown with their qualifier ("≥30"); the qualifier column itself is then not listed.
_QUALIFIED = {
    "investment_yi": "investment_qualifier",
    "land_area_mu": "land_area_qualifier",
    "floor_area_m2": "floor_area_qualifier",
    "invest_intensity_wan_per_mu": "invest_intensity_qualifier",
    "floor_area_ratio": "floor_area_ratio_qualifier",
}
_HIDDEN_COLUMNS = ("layer",)
_BUILTIN_KINDS = ("zone", "boards", "plates", "parks", "projects")
_LABELLED_KINDS = ("boards", "plates")
_POLYGON_TYPES = ("Polygon", "MultiPolygon")
_POINT_TYPES = ("Point", "MultiPoint")
# Short property keys of the embedded GeoJSON (10,000 features x a long key adds up).
_P_CLASS, _P_RADIUS, _P_NAME, _P_INDUSTRY, _P_INVEST = "c", "r", "n", "i", "v"
_SAFE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

_TILES = {
    "osm": [dict(tiles="OpenStreetMap", name="OpenStreetMap")],
    "tianditu": [
        dict(
            tiles="https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            "&TILECOL={x}&tk=KEY",
            attr="天地图 Tianditu",
            name="天地图 Tianditu",
            subdomains="01234567",
        ),
        dict(
            tiles="https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            "&TILECOL={x}&tk=KEY",
            attr="天地图 Tianditu",
            name="天地图注记",
            subdomains="01234567",
            overlay=True,
            control=False,
        ),
    ],
    "amap": [
        dict(
            tiles="https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}",
            attr="© 高德地图 AutoNavi (GCJ-02)",
            name="高德 AMap",
            subdomains="1234",
        )
    ],
}
_TIANDITU_FIX = (
    "basemap='tianditu' needs a Tianditu key (天地图 tk): pass tianditu_key=..., or set the "
    "environment variable ZKQ_TIANDITU_KEY for the CLI and the app; a free key comes from "
    "https://console.tianditu.gov.cn/ . Or choose basemap 'none' or 'osm'."
)


# ----------------------------------------------------------------------------- escaping
_JS_TEMPLATE_CHARS = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"})


def escape_value(value: object) -> str:
    """Return ``value`` as text that is safe in HTML, JS template literals and Jinja templates.

    ``html.escape(quote=True)`` plus character references for the backtick, ``$``, ``{`` and
    ``}`` (so ``${...}``, ``{{ ... }}`` and ``{% ... %}`` are inert); browsers display the
    references as the original characters. None, NaN and NA give ``""``.

    >>> escape_value("<b>${x}</b>")
    '&lt;b&gt;&#36;&#123;x&#125;&lt;/b&gt;'
    """
    if value is None or (not isinstance(value, str) and _is_missing(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_JS_TEMPLATE_CHARS)


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: not a missing scalar
        return False


# ----------------------------------------------------------------------------- GeoJSON payload
def compact_features(
    gdf: gpd.GeoDataFrame, properties: Iterable[str], *, decimals: int = 6, simplify_m: float | None = None
) -> dict:
    """Return a GeoJSON FeatureCollection dict with only ``properties``, for embedding in a map.

    Parameters
    ----------
    gdf : GeoDataFrame
        Lon/lat degrees, EPSG:4326 (or EPSG:4490).
    properties : iterable of str
        Columns to keep, in this order. Text is escaped with :func:`escape_value` (keys too);
        numbers stay numbers (NaN -> null); booleans stay booleans.
    decimals : int
        Coordinates are rounded to this many decimals (6 is about 0.1 m, 5 about 1 m).
    simplify_m : float, optional
        Douglas-Peucker tolerance in metres, applied in EPSG:4547 with ``preserve_topology=True``
        (each geometry stays valid; shared edges of neighbours are simplified independently).

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...]}`` without bbox members; missing or empty
        geometries become ``null``. Serialise with ``json.dumps(..., ensure_ascii=False)`` to
        keep Chinese as UTF-8 (3 bytes a character instead of 6).
    """
    properties = list(properties)
    missing = [p for p in properties if p not in gdf.columns]
    if missing:
        raise SchemaError(f"compact_features: no column(s) {missing}; the frame has {list(gdf.columns)}")
    if not isinstance(decimals, (int, np.integer)) or not 0 <= decimals <= 15:
        raise OptionError(
            f"decimals={decimals!r} is not allowed; give an integer from 0 to 15 (6 = about 0.1 m)"
        )
    _check_lonlat(gdf, "compact_features")
    geoms = _simplified(gdf.geometry, simplify_m) if simplify_m else gdf.geometry.to_numpy()
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, int(decimals)))
    keys = [escape_value(p) for p in properties]
    columns = [_json_column(gdf[p]) for p in properties]
    features = [
        {"type": "Feature", "geometry": g, "properties": dict(zip(keys, row, strict=False))}
        for g, *row in zip(_geometries_json(geoms), *columns, strict=False)
    ]
    return {"type": "FeatureCollection", "features": features}


def _check_lonlat(gdf: gpd.GeoDataFrame, caller: str) -> None:
    if gdf.crs is None or gdf.crs.to_epsg() not in (4326, 4490):
        given = "no CRS" if gdf.crs is None else f"CRS {gdf.crs.to_string()}"
        raise CRSError(
            f"{caller} needs lon/lat in EPSG:4326 (or 4490) but got {given}; "
            f"set or reproject it first: gdf.to_crs('EPSG:4326')."
        )


def _simplified(geometry: gpd.GeoSeries, tolerance_m: float) -> np.ndarray:
    if tolerance_m < 0:
        raise OptionError(f"simplify_m={tolerance_m!r} must be >= 0 (metres)")
    metric = geometry.to_crs(AREA_CRS).simplify(tolerance_m, preserve_topology=True)
    return metric.to_crs(geometry.crs).to_numpy()


def _geometries_json(geoms: np.ndarray) -> list[dict | None]:
    """GeoJSON geometry dicts (GEOS writes them faster than shapely's __geo_interface__)."""
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    texts = shapely.to_geojson(np.where(missing, None, geoms))
    return [None if gone else json.loads(text) for gone, text in zip(missing, texts, strict=False)]


def _json_column(series: pd.Series) -> list:
    if pd.api.types.is_bool_dtype(series):
        return [bool(v) for v in series]
    if pd.api.types.is_numeric_dtype(series):
        return [_json_number(v) for v in series]
    return [_json_scalar(v) for v in series]


def _json_number(value) -> int | float | None:
    if _is_missing(value) or not math.isfinite(float(value)):
        return None
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _json_scalar(value):
    """A value of a text (object/string) column: missing -> "", numbers stay numbers."""
    if value is None or _is_missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _json_number(value)
    return escape_value(value)


def _data_js(data: dict) -> str:
    """JSON for a <script> block: UTF-8 text, no spaces, ``<``/``>``/``&`` as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _FeatureLayer(folium.GeoJson):
    """A GeoJSON layer styled in the browser from one class property per feature.

    Subclasses ``folium.GeoJson`` so GeoJsonTooltip/GeoJsonPopup and map bounds work; the style
    of each feature (``properties.c``) is looked up in one per-layer table instead of folium's
    per-feature mapping. Points are circle markers of radius ``properties.r`` (pixels). The data
    itself is added by a :class:`_LayerData` child.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    var styles = {{ this.styles_js }};
    return L.geoJson(null, {
        style: function (feature) { return styles[feature.properties.c]; },
        pointToLayer: function (feature, latlng) {
            var options = Object.assign({}, styles[feature.properties.c]);
            options.radius = feature.properties.r || {{ this.min_radius }};
            return L.circleMarker(latlng, options);
        }
    });
})();
{% endmacro %}
""")

    def __init__(
        self, data: dict, styles: Mapping[str, dict], *, bounds: list[list[float]], min_radius: float
    ):
        super().__init__(data, control=False)
        self._name = "FeatureLayer"
        self.styles_js = _data_js(dict(styles))
        self.min_radius = float(min_radius)
        self._bounds = bounds
        self.add_child(_LayerData(_data_js(data)))

    def _get_self_bounds(self) -> list[list[float]]:
        return self._bounds  # folium would walk every coordinate in Python


class _LayerData(MacroElement):
    """The ``addData(...)`` call of its parent layer, added to the page verbatim."""

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this._parent.get_name() }}.addData({{ this.data_js }});{% "
        "endmacro %}"
    )

    def __init__(self, data_js: str):
        super().__init__()
        self._name = "LayerData"
        self.data_js = data_js

    def render(self, **kwargs) -> None:
        # MacroElement.render wraps the script in Element(text), which compiles the text as a
        # Jinja template: seconds for megabytes of GeoJSON, and "{{ }}" in the data would run.
        script = self._template.module.script(self, kwargs)
        self.get_root().script.add_child(_Verbatim(script), name=self.get_name())


class _Verbatim(Element):
    """Text put into the page as it is (branca's ``Element(text)`` parses text as a template)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


# ----------------------------------------------------------------------------- the map
def build_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    catalog: Catalog,
    lang: Lang = "zh",
    basemap: Basemap = "none",
    color_by: ColorBy = "industry",
    tianditu_key: str | None = None,
    asset_base_url: str | None = None,
    simplify_m: float | None = None,
    fit_to: Iterable[str] | None = None,
    tiled: Mapping[str, TileSource] | None = None,
) -> folium.Map:
    """Build a folium map of ``layers``: one toggleable group per layer, legend, notes.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layer name (zone, boards, plates, parks, projects, or an imported name) to features in
        EPSG:4326, already filtered; drawn in this order.
    catalog : Catalog
        For layer titles and industry labels.
    lang : {"zh", "en"}
    basemap : {"none", "osm", "tianditu", "amap"}
        "none" adds no tile layer, so the map fetches nothing. "amap" tiles are GCJ-02, so every
        vector is shifted WGS84 -> GCJ-02 before drawing; clicks on it must be shifted back
        (``feature_at(..., datum="gcj02")``).
    color_by : {"industry", "intensity"}
        Fill of parks and project circles: industry colour, or 5 classes of 亩均投资 (万元/亩).
    tianditu_key : str, optional
        Required for basemap "tianditu".
    asset_base_url : str, optional
        If given, Leaflet's JS/CSS links point there (:func:`zkq_geo.render.assets.localize_map`).
    simplify_m : float, optional
        Simplification tolerance (metres) for polygons, see :func:`compact_features`.
    fit_to : iterable of str, optional
        Names of the layers the first view fits ("zoom to selection"); by default, and when
        those layers are empty, all of them.
    tiled : mapping of str to TileSource, optional
        Layers drawn from their vector tiles (:mod:`zkq_geo.render.tiled`) instead of inline
        GeoJSON; their frame in ``layers`` (the selection) still gives the legend and the fit.
        Not with basemap "amap": the tiles are WGS84 (OptionError).

    Raises
    ------
    OptionError
        Bad option, or "tianditu" without a key. CRSError: a frame without a lon/lat CRS.
    """
    check_choice("lang", lang, _LANGS)
    check_choice("basemap", basemap, _BASEMAPS)
    check_choice("color_by", color_by, _COLOR_BYS)
    if basemap == "tianditu" and not tianditu_key:
        raise OptionError(_TIANDITU_FIX)
    tiled = dict(tiled or {})
    if tiled and basemap == "amap":
        raise OptionError("tiled layers are WGS84; draw them on another basemap than 'amap'")
    frames = {name: _for_display(name, gdf, basemap) for name, gdf in layers.items()}
    m = folium.Map(
        location=DEFAULT_CENTER,
        zoom_start=12,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        zoom_snap=0.25,
    )  # quarter zooms: fit_bounds fills the frame
    _add_basemap(m, basemap, tianditu_key)
    m.get_root().header.add_child(folium.Element(_CSS), name="zkq_css")
    for name, gdf in frames.items():
        if name in tiled:
            _add_tiled_layer(m, name, gdf, tiled[name], catalog=catalog, lang=lang, color_by=color_by)
        else:
            _add_layer(m, name, gdf, catalog=catalog, lang=lang, color_by=color_by, simplify_m=simplify_m)
    m.add_child(
        _HtmlControl(_legend_html(frames, catalog, lang, color_by, basemap), "bottomright", "zkq-legend")
    )
    if any(_is_schematic(g) for g in frames.values()):
        m.add_child(_HtmlControl(escape_value(SCHEMATIC_NOTE[lang]), "topleft", "zkq-schematic-note"))
    notes = [_tiled_note(n, tiled[n], catalog, lang) for n in frames if n in tiled]
    if notes:
        m.add_child(_HtmlControl("<br>".join(notes), "bottomleft", "zkq-tiled-note"))
    folium.LayerControl(collapsed=False).add_to(m)
    focus = [frames[n] for n in (fit_to or ()) if n in frames and len(frames[n])]
    _fit(m, focus or list(frames.values()))
    if asset_base_url:
        from zkq_geo.render.assets import localize_map

        localize_map(m, asset_base_url)
    return m


def _for_display(name: str, gdf: gpd.GeoDataFrame, basemap: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SchemaError(f"layer {name!r} is a {type(gdf).__name__}, not a GeoDataFrame")
    _check_lonlat(gdf, f"build_map (layer {name!r})")
    if gdf.attrs.get("datum", "wgs84") != "wgs84":
        raise CRSError(
            f"layer {name!r} carries the {gdf.attrs['datum']!r} offset; give WGS84 "
            f"frames, build_map shifts them itself for basemap 'amap'"
        )
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    return shift_gdf(gdf, "wgs84", "gcj02") if basemap == "amap" else gdf


def _add_basemap(m: folium.Map, basemap: str, tianditu_key: str | None) -> None:
    for spec in _TILES.get(basemap, []):
        spec = dict(spec)
        if basemap == "tianditu":
            spec["tiles"] = spec["tiles"].replace("tk=KEY", "tk=" + quote(str(tianditu_key), safe=""))
        folium.TileLayer(**spec).add_to(m)


def _add_layer(
    m: folium.Map,
    name: str,
    gdf: gpd.GeoDataFrame,
    *,
    catalog: Catalog,
    lang: str,
    color_by: str,
    simplify_m: float | None,
) -> None:
    title = catalog.layers[name].title(lang) if name in catalog.layers else name
    group = folium.FeatureGroup(name=escape_value(title), show=True).add_to(m)
    if gdf.empty:
        return
    kind = _layer_kind(name, gdf)
    display, styles = _styled(gdf, kind, catalog, lang, color_by)
    tips = [k for k in (_P_NAME, _P_INDUSTRY, _P_INVEST) if k in display.columns]
    popup = _popup_columns(gdf, lang, catalog) if len(gdf) <= FULL_POPUP_MAX_FEATURES else {}
    for key, (values, _) in popup.items():
        display[key] = values
    keep = [k for k in (_P_CLASS, _P_RADIUS) if k in display.columns] + tips + list(popup)
    data = compact_features(display, keep, simplify_m=simplify_m if kind != "projects" else None)
    west, south, east, north = (float(v) for v in gdf.total_bounds)
    layer = _FeatureLayer(
        data, styles, bounds=[[south, west], [north, east]], min_radius=STYLES["project_radius"]["min_px"]
    )
    labels = [_tip_label(k, lang) for k in tips]
    layer.add_child(folium.GeoJsonTooltip(fields=tips, aliases=labels, sticky=True))
    if popup:
        aliases = [escape_value(label) for _, label in popup.values()]
        layer.add_child(
            folium.GeoJsonPopup(
                fields=list(popup),
                aliases=aliases,
                localize=False,
                class_name="zkq-popup",
                max_width=380,
                max_height=260,
            )
        )
    group.add_child(layer)
    if kind in _LABELLED_KINDS:
        _add_labels(group, gdf, kind)


@dataclass(frozen=True)
class TileSource:
    """Where a tiled layer's tiles are (URL template with {z}/{x}/{y}) and which rows to draw
    (:func:`zkq_geo.render.tiled.selection_bits`; None: all)."""

    url: str
    selected: str | None = None
    bounds: tuple[float, float, float, float] | None = None  # west, south, east, north of the whole layer
    embedded: dict[str, str] | None = None  # one offline file: the tiles (tiles.embedded_tiles)
    max_zoom: int | None = None  # the deepest zoom of the tiles (embedded ones may stop early)


def tile_source_for(url: str, full: gpd.GeoDataFrame, chosen: gpd.GeoDataFrame, **extra) -> TileSource:
    """The TileSource of layer ``full`` (as tiled: row numbers are its positions) drawing the rows
    of ``chosen`` (a selection of it, same index): the bits are None when nothing is left out;
    the bounds are the whole layer's. ``extra``: ``embedded``, ``max_zoom``."""
    bits = None
    if len(chosen) != len(full):
        bits = selection_bits(full.index.get_indexer(chosen.index), len(full))
    return TileSource(url, bits, tuple(float(v) for v in full.total_bounds), **extra)


def _add_tiled_layer(
    m: folium.Map,
    name: str,
    gdf: gpd.GeoDataFrame,
    source: TileSource,
    *,
    catalog: Catalog,
    lang: str,
    color_by: str,
) -> None:
    title = catalog.layers[name].title(lang) if name in catalog.layers else name
    group = folium.FeatureGroup(name=escape_value(title), show=True).add_to(m)
    kind = _layer_kind(name, gdf)
    base = {k: v for k, v in STYLES["layers"][kind].items() if k != "fillColor"}
    if kind == "area":
        fill = {"by": "fixed", "color": STYLES["layers"]["area"]["fillColor"]}
    elif color_by == "intensity":
        spec = STYLES["intensity"]
        fill = {"by": "intensity", "breaks": list(spec["breaks"]), "colors": list(spec["colors"])}
        fill["nodata"] = spec["no_data_color"]
    else:
        fill = {
            "by": "industry",
            "colors": STYLES["industry_colors"],
            "unknown": STYLES["unknown_industry_color"],
        }
    codes = sorted(set(STYLES["industry_colors"]) | set(_column(gdf, "industry", "").dropna().astype(str)))
    labels = {
        "name": _t("name", lang),
        "industry": _t("industry", lang),
        "intensity": _t("intensity_short", lang),
        "intensity_unit": "万元/亩",
        "codes": {c: code_text("industry", c, lang, catalog=catalog) for c in codes if c},
        "blank": EMPTY,
    }
    west, south, east, north = source.bounds or tuple(float(v) for v in gdf.total_bounds)
    layer = TiledLayer(
        source.url,
        base_style=base,
        fill=fill,
        labels=labels,
        selected=source.selected,
        bounds=[[south, west], [north, east]],
        lang=lang,
        embedded=source.embedded,
        max_native_zoom=source.max_zoom or MAX_TILE_ZOOM,
    )
    group.add_child(layer)


def _tiled_note(name: str, source: TileSource, catalog: Catalog, lang: str) -> str:
    """What a tiled layer leaves out: small features at low zooms (always said), and the deeper
    zooms of a one-file map whose tiles stop early (drawn enlarged from the last level)."""
    title = escape_value(catalog.layers[name].title(lang) if name in catalog.layers else name)
    text = _t("tiled_note", lang).format(layer=title)
    if source.max_zoom is not None and source.max_zoom < MAX_TILE_ZOOM:
        text += _t("tiled_generalised", lang).format(zoom=source.max_zoom)
    return text


def _layer_kind(name: str, gdf: gpd.GeoDataFrame) -> str:
    if name in _BUILTIN_KINDS:
        return name
    types = set(gdf.geom_type.dropna())
    if types and types <= set(_POINT_TYPES):
        return "projects"
    return "parks" if "industry" in gdf.columns else "area"


def _tip_label(key: str, lang: str) -> str:
    word = {_P_NAME: "name", _P_INDUSTRY: "industry", _P_INVEST: "investment"}[key]
    return escape_value(_t(word, lang))


def _bound_legend(qualifier: str, line: str, lang: str) -> str:
    """'≥ 下限（超过），虚线': the sign and the word the popup and the detail panel use."""
    sep = "，" if lang == "zh" else ", "
    return f"{qualifier_sign(qualifier, lang)} {qualifier_text(qualifier, lang)}{sep}{_t(line, lang)}"


def _t(word: str, lang: str) -> str:
    zh, en = _TEXT[word]
    return zh if lang == "zh" else en


# ----------------------------------------------------------------------------- per-feature display
def _styled(
    gdf: gpd.GeoDataFrame, kind: str, catalog: Catalog, lang: str, color_by: str
) -> tuple[gpd.GeoDataFrame, dict[str, dict]]:
    """Display frame (class, radius, name, industry, investment) and the style of each class."""
    out = gpd.GeoDataFrame(geometry=gdf.geometry.copy(), crs=gdf.crs)
    out[_P_NAME] = _column(gdf, "name", _column(gdf, "id", "")).fillna("").astype(str)
    if "industry" in gdf.columns:
        out[_P_INDUSTRY] = [code_text("industry", c, lang, catalog=catalog) for c in gdf["industry"]]
    if "investment_yi" in gdf.columns:
        out[_P_INVEST] = _figure_text(gdf, "investment_yi", lang, "亿元")
    if kind == "projects":
        out[_P_RADIUS] = _radius(_column(gdf, "investment_yi", np.nan))
    if kind in ("parks", "projects"):
        out[_P_CLASS], styles = (
            _intensity_classes(gdf, kind) if color_by == "intensity" else _industry_classes(gdf, kind)
        )
    else:
        out[_P_CLASS], styles = kind, {kind: dict(STYLES["layers"][kind])}
    return out, styles


def _column(gdf: pd.DataFrame, name: str, default) -> pd.Series:
    if name in gdf.columns:
        return gdf[name]
    return pd.Series(default, index=gdf.index) if not isinstance(default, pd.Series) else default


def _bound_kind(qualifier: str) -> str:
    return {"at_least": "lower", "at_most": "upper"}.get(qualifier, "")


def _industry_classes(gdf: gpd.GeoDataFrame, kind: str) -> tuple[list[str], dict[str, dict]]:
    codes = _column(gdf, "industry", "").fillna("").astype(str)
    colors = STYLES["industry_colors"]
    codes = [c if c in colors else "other" for c in codes]
    bounds = [_bound_kind(q) for q in _column(gdf, "investment_qualifier", "").fillna("")]
    classes = [f"{c}.{b}" if b else c for c, b in zip(codes, bounds, strict=False)]
    styles = {}
    for cls in dict.fromkeys(classes):
        code, _, bound = cls.partition(".")
        style = dict(STYLES["layers"][kind], fillColor=colors.get(code, STYLES["unknown_industry_color"]))
        styles[cls] = {**style, **STYLES["bound_outline"].get(bound, {})}
    return classes, styles


def intensity_class(values) -> np.ndarray:
    """Class index 0-4 of 亩均投资 values (万元/亩) on ``STYLES["intensity"]["breaks"]``; -1 for NaN."""
    values = np.asarray(values, dtype=float)
    classes = np.digitize(values, STYLES["intensity"]["breaks"], right=False)
    return np.where(np.isfinite(values), classes, -1)


def _intensity_classes(gdf: gpd.GeoDataFrame, kind: str) -> tuple[list[str], dict[str, dict]]:
    spec = STYLES["intensity"]
    qualifiers = _column(gdf, "invest_intensity_qualifier", "").fillna("").astype(str)
    values = pd.to_numeric(_column(gdf, "invest_intensity_wan_per_mu", np.nan), errors="coerce")
    values = values.where(qualifiers != "indeterminate")
    bases = [f"i{k}" if k >= 0 else "nd" for k in intensity_class(values)]
    classes = [
        f"{b}.{_bound_kind(q)}" if b != "nd" and _bound_kind(q) else b
        for b, q in zip(bases, qualifiers, strict=False)
    ]
    styles = {}
    for cls in dict.fromkeys(classes):
        base, _, bound = cls.partition(".")
        fill = spec["no_data_color"] if base == "nd" else spec["colors"][int(base[1:])]
        styles[cls] = {**STYLES["layers"][kind], "fillColor": fill, **STYLES["bound_outline"].get(bound, {})}
    return classes, styles


def _radius(investment_yi: pd.Series) -> list[float]:
    spec = STYLES["project_radius"]
    yi = pd.to_numeric(investment_yi, errors="coerce").clip(lower=0).fillna(0).to_numpy()
    radius = np.clip(spec["px_per_sqrt_yi"] * np.sqrt(yi), spec["min_px"], spec["max_px"])
    return [round(float(r), 1) for r in radius]


def _number_text(value: float) -> str:
    return number_text(value, "en")


def _figure_text(gdf: pd.DataFrame, column: str, lang: str, unit: str = "") -> list[str]:
    """'≥30 亿元' style text of a qualified figure (:func:`zkq_geo.i18n.format.number_text`)."""
    values = pd.to_numeric(gdf[column], errors="coerce")
    qualifiers = _column(gdf, _QUALIFIED.get(column, ""), "").fillna("").astype(str)
    return [number_text(v, lang, unit=unit, qualifier=q) for v, q in zip(values, qualifiers, strict=False)]


def _popup_columns(gdf: gpd.GeoDataFrame, lang: str, catalog: Catalog) -> dict[str, tuple[list, str]]:
    """Every attribute with a value in the layer: {property key: (display values, label)}.

    Values are the formatter's text (:mod:`zkq_geo.i18n.format`): codes as words, blanks "—".
    """
    hidden = set(_HIDDEN_COLUMNS) | set(_QUALIFIED.values()) | {gdf.geometry.name}
    titles = catalog.source_titles()
    out = {}
    for i, col in enumerate(c for c in gdf.columns if c not in hidden):
        values = _popup_values(gdf, col, lang, catalog, titles)
        if all(v in (EMPTY, blank(lang, listing=True)) for v in values):
            continue
        key = (
            col
            if _SAFE_KEY.match(col) and col not in (_P_CLASS, _P_RADIUS, _P_NAME, _P_INDUSTRY, _P_INVEST)
            else f"col{i}"
        )
        out[key] = (values, field_label(col, lang))
    return out


def _popup_values(gdf: gpd.GeoDataFrame, col: str, lang: str, catalog: Catalog, titles: dict) -> list[str]:
    if col in _QUALIFIED:
        return _figure_text(gdf, col, lang)
    return [value_text(col, v, lang, catalog=catalog, titles=titles) for v in gdf[col]]


def _add_labels(group: folium.FeatureGroup, gdf: gpd.GeoDataFrame, kind: str) -> None:
    names = _column(gdf, "name", _column(gdf, "id", ""))
    for point, name in zip(gdf.geometry.representative_point(), names, strict=False):
        html_label = f'<div class="zkq-label zkq-label-{kind}">{escape_value(name)}</div>'
        icon = folium.DivIcon(html=html_label, class_name="zkq-label-icon", icon_size=(0, 0))
        folium.Marker([point.y, point.x], icon=icon, interactive=False, keyboard=False).add_to(group)


# ----------------------------------------------------------------------------- legend and notes
class _HtmlControl(MacroElement):
    """A Leaflet control showing fixed HTML (already escaped) at a corner of the map."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
    var control = L.control({position: {{ this.position|tojson }}});
    control.onAdd = function () {
        var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
        div.innerHTML = {{ this.html_js }};
        L.DomEvent.disableClickPropagation(div);
        return div;
    };
    control.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")

    def __init__(self, html_text: str, position: str, css_class: str):
        super().__init__()
        self._name = "HtmlControl"
        self.html_js = _data_js(html_text)
        self.position = position
        self.css_class = css_class


def _legend_html(
    frames: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, lang: str, color_by: str, basemap: str
) -> str:
    """The legend as HTML; every text piece is escaped."""
    rows = []
    for name, gdf in frames.items():
        if len(gdf) and _layer_kind(name, gdf) in ("zone", "boards", "plates", "area"):
            title = catalog.layers[name].title(lang) if name in catalog.layers else name
            rows.append(_swatch_row(STYLES["layers"][_layer_kind(name, gdf)], title))
    kinds = {name: _layer_kind(name, gdf) for name, gdf in frames.items() if len(gdf)}
    by_industry = [
        frames[n] for n, k in kinds.items() if k in ("parks", "projects") and color_by == "industry"
    ]
    codes = sorted(
        {c for g in by_industry for c in _column(g, "industry", "").fillna("") if c},
        key=lambda c: list(STYLES["industry_colors"]).index(c) if c in STYLES["industry_colors"] else 99,
    )
    if codes:
        rows.append(f"<div class='zkq-legend-head'>{escape_value(_t('industry', lang))}</div>")
        rows += [
            _swatch_row(
                {
                    "fillColor": STYLES["industry_colors"].get(c, STYLES["unknown_industry_color"]),
                    "color": "#333333",
                },
                code_text("industry", c, lang, catalog=catalog),
            )
            for c in codes
        ]
    if color_by == "intensity" and {"parks", "projects"} & set(kinds.values()):
        rows += _intensity_rows(lang)
    if "projects" in kinds.values():
        rows.append(_radius_row(lang))
    if any(
        _bound_kind(q) for g in frames.values() for q in _column(g, "investment_qualifier", "").fillna("")
    ):
        rows.append(
            _swatch_row(
                {"fillColor": "#FFFFFF", "color": "#333333", "dashArray": "5 4"},
                _bound_legend("at_least", "dashed", lang),
            )
        )
    if basemap == "amap":
        rows.append(f"<div class='zkq-legend-note'>{escape_value(_t('amap', lang))}</div>")
    title = f"<summary class='zkq-legend-title'>{escape_value(_t('legend', lang))}</summary>"
    return f"<details open>{title}{''.join(dict.fromkeys(rows))}</details>"


def _swatch_row(style: Mapping, label: str) -> str:
    fill = style.get("fillColor", "transparent") if style.get("fill", True) else "transparent"
    border = "dashed" if style.get("dashArray") else "solid"
    css = f"background:{fill};border:2px {border} {style.get('color', '#333333')}"
    return f"<div class='zkq-legend-row'><i style='{escape_value(css)}'></i>{escape_value(label)}</div>"


def _intensity_rows(lang: str) -> list[str]:
    spec = STYLES["intensity"]
    edges = [None, *spec["breaks"], None]
    rows = [f"<div class='zkq-legend-head'>{escape_value(_t('intensity', lang))}</div>"]
    for k, color in enumerate(spec["colors"]):
        lo, hi = edges[k], edges[k + 1]
        text = (
            f"< {_number_text(hi)}"
            if lo is None
            else f"≥ {_number_text(lo)}"
            if hi is None
            else f"{_number_text(lo)} – {_number_text(hi)}"
        )
        rows.append(_swatch_row({"fillColor": color, "color": "#333333"}, text))
    rows.append(
        _swatch_row({"fillColor": spec["no_data_color"], "color": "#333333"}, _t("no_intensity", lang))
    )
    rows.append(
        _swatch_row(
            {"fillColor": "#FFFFFF", "color": "#333333", "dashArray": "5 4"},
            _bound_legend("at_least", "dashed", lang),
        )
    )
    rows.append(
        _swatch_row(
            {"fillColor": "#FFFFFF", "color": "#333333", "dashArray": "1 4"},
            _bound_legend("at_most", "dotted", lang),
        )
    )
    return rows


def _radius_row(lang: str) -> str:
    spec = STYLES["project_radius"]
    circles = "".join(
        f"<span class='zkq-legend-circle' style='width:{2 * r:.0f}px;height:{2 * r:.0f}px'></span>"
        f"{escape_value(yi)} "
        for yi, r in zip(spec["legend_yi"], _radius(pd.Series(spec["legend_yi"])), strict=False)
    )
    return f"<div class='zkq-legend-head'>{escape_value(_t('radius', lang))}</div><div>{circles}</div>"


def _is_schematic(gdf: gpd.GeoDataFrame) -> bool:
    return "geometry_quality" in gdf.columns and bool((gdf["geometry_quality"] == "schematic").any())


#: Leaflet fitBounds padding in pixels: the layer list and the legend sit on the right-hand side,
#: so the features are fitted into the part of the frame they leave free.
FIT_PADDING = {"padding_top_left": (16, 16), "padding_bottom_right": (190, 16)}


def _fit(m: folium.Map, frames: Iterable[gpd.GeoDataFrame]) -> None:
    bounds = [g.total_bounds for g in frames if len(g)]
    if not bounds:
        return
    b = np.array(bounds)
    south, west, north, east = b[:, 1].min(), b[:, 0].min(), b[:, 3].max(), b[:, 2].max()
    m.location = [float((south + north) / 2), float((west + east) / 2)]
    fit_view(m, south, west, north, east)


class _FitView(MacroElement):
    """The map's first view: one ``fitBounds``, not animated (padding in pixels, Leaflet's options).

    An animated fit leaves Leaflet "zooming" for a moment after load: it ignores the pointer
    (no tooltip on the first hover) and drops any further ``setView``. One fit, applied at once,
    is the view the planner sees.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }}, {{ this.options|tojson }});
{% endmacro %}
""")

    def __init__(self, bounds: list[list[float]], padding_top_left, padding_bottom_right):
        super().__init__()
        self._name = "FitView"
        self.bounds = bounds
        self.options = {
            "paddingTopLeft": list(padding_top_left),
            "paddingBottomRight": list(padding_bottom_right),
            "animate": False,
        }


def fit_view(
    m: folium.Map,
    south: float,
    west: float,
    north: float,
    east: float,
    *,
    padding: tuple[int, int] | None = None,
) -> None:
    """Set the first view of ``m`` to these bounds at once (no animation); ``padding`` in pixels on
    every side, default :data:`FIT_PADDING` (room for the layer list and legend on the right)."""
    pads = FIT_PADDING if padding is None else {"padding_top_left": padding, "padding_bottom_right": padding}
    m.add_child(_FitView([[float(south), float(west)], [float(north), float(east)]], **pads), name="zkq_fit")


_CSS = """<style>
.zkq-label-icon { background: none; border: none; }
.zkq-label { transform: translate(-50%, -50%); white-space: nowrap; font: bold 12px sans-serif;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; width: max-content; }
/* boards and plates often share an area: boards' names above the point, plates' below */
.zkq-label-boards { color: #B2182B; transform: translate(-50%, -115%); }
.zkq-label-plates { color: #5E3C99; transform: translate(-50%, 15%); }
.zkq-legend, .zkq-schematic-note { background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px sans-serif; line-height: 18px; max-width: 260px; }
.zkq-legend { max-height: 45vh; overflow-y: auto; }
.zkq-schematic-note { background: #FFF4CE; border: 1px solid #E0B000; font-weight: bold; }
.zkq-tiled-note { background: rgba(255,255,255,0.92); padding: 4px 8px; border-radius: 4px;
  font: 12px sans-serif; max-width: 360px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
.zkq-legend-title { font-weight: bold; margin-bottom: 2px; cursor: pointer; }
.zkq-popup th { vertical-align: top; font-weight: 600; min-width: 5em; max-width: 9em; }
.zkq-popup td { max-width: 240px; overflow-wrap: anywhere; }
.zkq-legend-head { font-weight: bold; margin-top: 4px; }
.zkq-legend-row i { display: inline-block; width: 14px; height: 10px; margin-right: 6px;
  vertical-align: middle; box-sizing: border-box; }
.zkq-legend-circle { display: inline-block; border: 1px solid #333; border-radius: 50%; margin: 0 3px;
  vertical-align: middle; background: #ddd; }
.zkq-legend-note { margin-top: 4px; font-style: italic; }
</style>"""


# ----------------------------------------------------------------------------- clicks and output
def feature_at(
    gdf: gpd.GeoDataFrame, lon: float, lat: float, *, datum: ClickDatum = "wgs84", tolerance_m: float = 30
) -> str | None:
    """Return the ``id`` of the feature at a clicked lon/lat, or None.

    Polygons containing the point win (the smallest one when several do); otherwise the nearest
    point or line feature within ``tolerance_m`` metres. Distances are measured in EPSG:4547.

    Parameters
    ----------
    gdf : GeoDataFrame
        WGS84 lon/lat (EPSG:4326/4490) with an ``id`` column, as loaded (not shifted).
    lon, lat : float
        The click in degrees, in ``datum``: "gcj02" for clicks on an AMap basemap (shifted back to
        WGS84 first), "bd09" for Baidu.
    """
    check_choice("datum", datum, _CLICK_DATUMS)
    if "id" not in gdf.columns:
        raise SchemaError(f"feature_at needs an 'id' column; the frame has {list(gdf.columns)}")
    if tolerance_m < 0:
        raise OptionError(f"tolerance_m={tolerance_m!r} must be >= 0 (metres)")
    x, y = convert_datum(lon, lat, datum, "wgs84")
    # only features near the click are measured: the frame's spatial index (built once per frame)
    # finds them in a box wider than the tolerance (a degree is at least 50 km up to latitude 63)
    pad = tolerance_m / 50_000 + 1e-9
    gdf = gdf.iloc[np.sort(gdf.sindex.query(shapely.box(x - pad, y - pad, x + pad, y + pad)))]
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.empty:
        return None
    metric = to_area_crs(gdf).geometry
    click = gpd.GeoSeries([shapely.Point(x, y)], crs=WGS84).to_crs(AREA_CRS).iloc[0]
    ids = gdf["id"].to_numpy()
    polygons = metric.geom_type.isin(_POLYGON_TYPES).to_numpy()
    inside = polygons & metric.covers(click).to_numpy()
    if inside.any():
        areas = np.where(inside, metric.area.to_numpy(), np.inf)
        return str(ids[int(np.argmin(areas))])
    distance = np.where(polygons, np.inf, metric.distance(click).to_numpy())
    nearest = int(np.argmin(distance))
    return str(ids[nearest]) if distance[nearest] <= tolerance_m else None


def map_to_standalone_html(m: folium.Map) -> str:
    """Render ``m`` as ONE self-contained HTML page (Leaflet inlined; works offline).

    Uses :func:`zkq_geo.render.assets.render_standalone_html`; modifies ``m`` (its asset links).
    """
    from zkq_geo.render.assets import render_standalone_html

    return render_standalone_html(m)
