"""render: escaping, compact GeoJSON, basemaps and the GCJ-02 shift, notes, legend, clicks."""

from __future__ import annotations

import json
import math
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from zkq_geo.catalog import load_catalog
from zkq_geo.crs import AREA_CRS, wgs84_to_gcj02
from zkq_geo.errors import CRSError, OptionError, SchemaError
from zkq_geo.render import builder as render
from zkq_geo.render.assets import missing_assets, remote_urls
from zkq_geo.render.builder import build_map, compact_features, escape_value, feature_at

XSS = "<img src=x onerror=alert(1)>"
PAYLOADS = (
    XSS,
    "\"quoted\" 'single'",
    "back`tick`",
    "${alert(1)}",
    "{{ 'zkq' ~ 'evaluated' }}",
    "{% if 1 %}x{% endif %}",
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def square(lon, lat, size_m=100.0):
    """A size_m x size_m square (EPSG:4547) with its south-west corner at lon/lat, in EPSG:4326."""
    corner = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(AREA_CRS).iloc[0]
    box = shapely.box(corner.x, corner.y, corner.x + size_m, corner.y + size_m)
    return gpd.GeoSeries([box], crs=AREA_CRS).to_crs(4326).iloc[0]


def parks_gdf(quality="surveyed", **overrides):
    data = {
        "id": ["park_a", "park_b"],
        "name": ["建业之窗", "中兴产业园"],
        "layer": "parks",
        "geometry_quality": quality,
        "industry": ["materials_env", "ict"],
        "industries": ["materials_env|equipment", "ict"],
        "investment_yi": [35.0, 30.0],
        "investment_qualifier": ["exact", "at_least"],
        "land_area_mu": [295.0, np.nan],
        "land_area_qualifier": ["exact", ""],
        "invest_intensity_wan_per_mu": [1186.44, np.nan],
        "invest_intensity_qualifier": ["exact", "no_land_area"],
        "source": ["002_x.txt 专栏4-2", "002_x.txt 专栏4-2"],
        "has_conflict": [False, True],
        "conflicts": ["", "另一来源：31亿元"],
    }
    data.update(overrides)
    geometry = [square(113.75, 34.72, 200), square(113.77, 34.72, 300)]
    return gpd.GeoDataFrame(data, geometry=geometry, crs=4326)


def projects_gdf():
    return gpd.GeoDataFrame(
        {
            "id": ["prj_1", "prj_2"],
            "name": ["上汽项目", "京东物流园"],
            "layer": "projects",
            "geometry_quality": "surveyed",
            "industry": ["auto", "logistics"],
            "investment_yi": [28.4, np.nan],
            "investment_qualifier": ["exact", ""],
            "source": ["002_x.txt 表3-1", "002_x.txt 表3-1"],
        },
        geometry=[shapely.Point(113.80, 34.70), shapely.Point(113.81, 34.705)],
        crs=4326,
    )


def feature_layers(m):
    """The GeoJSON layers of a map, in drawing order."""

    def walk(element):
        if isinstance(element, folium.GeoJson):
            yield element
        for child in element._children.values():
            yield from walk(child)

    return list(walk(m))


def rendered(m) -> str:
    return m.get_root().render()


def in_script(text: str) -> str:
    """``text`` as the page's scripts carry it: in JSON strings ``&`` is written \\u0026."""
    return text.replace("&", "\\u0026")


# ----------------------------------------------------------------------------- escaping
@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_value_leaves_no_markup_template_or_jinja_syntax(payload):
    text = escape_value(payload)
    for bad in ("<", ">", '"', "'", "`", "${", "{{", "{%"):
        assert bad not in text


def test_escape_value_missing_values_and_numbers():
    assert escape_value(None) == "" and escape_value(float("nan")) == "" and escape_value(pd.NA) == ""
    assert escape_value(30.5) == "30.5" and escape_value("郑州") == "郑州"


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("basemap", ["none", "amap"])
def test_hostile_text_never_reaches_the_page_raw(catalog, payload, basemap):
    parks = parks_gdf(
        name=[payload, "ok"],
        source=[payload, "s"],
        industry=[payload, "ict"],
        conflicts=[payload, ""],
        aliases=[payload, ""],
    )
    imported = parks[["id", "name", "geometry"]].rename(columns={"name": payload})
    m = build_map(
        {"parks": parks, "boards": parks.drop(columns="industry"), "imported": imported},
        catalog=catalog,
        basemap=basemap,
    )
    html = rendered(m)
    assert payload not in html
    assert "zkqevaluated" not in html  # branca's second Jinja pass did not run the payload
    assert in_script(escape_value(payload)) in html  # shown, escaped


# ----------------------------------------------------------------------------- compact_features
def test_compact_features_keeps_listed_properties_rounds_and_has_no_bbox():
    gdf = parks_gdf()
    fc = compact_features(gdf, ["name", "investment_yi", "has_conflict"], decimals=5)
    assert fc["type"] == "FeatureCollection" and "bbox" not in fc
    feature = fc["features"][0]
    assert "bbox" not in feature and set(feature) == {"type", "geometry", "properties"}
    assert feature["properties"] == {"name": "建业之窗", "investment_yi": 35.0, "has_conflict": False}
    coords = np.array(feature["geometry"]["coordinates"][0])
    assert np.allclose(coords, np.round(coords, 5), atol=0) and len(json.dumps(coords.tolist())) > 0
    assert all(len(str(v).split(".")[1]) <= 5 for v in coords.ravel())


def test_compact_features_missing_values_become_null_and_text_is_escaped():
    gdf = parks_gdf(name=[XSS, None])
    fc = compact_features(gdf, ["name", "land_area_mu"])
    props = [f["properties"] for f in fc["features"]]
    assert props[0]["name"] == escape_value(XSS) and props[1]["name"] == ""
    assert props[1]["land_area_mu"] is None
    json.dumps(fc, allow_nan=False)  # valid JSON: no NaN


def test_compact_features_keeps_chinese_as_utf8():
    fc = compact_features(parks_gdf(), ["name"])
    text = json.dumps(fc, ensure_ascii=False)
    assert "建业之窗" in text and "\\u5efa" not in text
    assert "中兴产业园" in rendered(build_map({"parks": parks_gdf()}, catalog=load_catalog()))


def test_compact_features_simplification_keeps_area_within_one_percent():
    circle = gpd.GeoSeries([shapely.Point(0, 0).buffer(150, quad_segs=64)], crs=AREA_CRS)
    circle = circle.translate(500000, 3845000).to_crs(4326)
    gdf = gpd.GeoDataFrame({"id": ["c"]}, geometry=circle, crs=4326)
    fc = compact_features(gdf, ["id"], simplify_m=1.0)
    simple = shapely.geometry.shape(fc["features"][0]["geometry"])
    before = gdf.to_crs(AREA_CRS).area.iloc[0]
    after = gpd.GeoSeries([simple], crs=4326).to_crs(AREA_CRS).area.iloc[0]
    assert len(simple.exterior.coords) < len(circle.iloc[0].exterior.coords)
    assert abs(after - before) / before < 0.01


def test_compact_features_checks_its_inputs():
    with pytest.raises(SchemaError, match="no column"):
        compact_features(parks_gdf(), ["nope"])
    with pytest.raises(CRSError, match="EPSG:4326"):
        compact_features(parks_gdf().to_crs(AREA_CRS), ["id"])
    with pytest.raises(OptionError, match="decimals"):
        compact_features(parks_gdf(), ["id"], decimals=-1)


# ----------------------------------------------------------------------------- basemaps
def test_basemap_none_adds_no_tiles_and_no_urls_but_leaflet_assets(catalog):
    m = build_map({"parks": parks_gdf(), "projects": projects_gdf()}, catalog=catalog)
    assert not any(isinstance(c, folium.TileLayer) for c in m._children.values())
    html = rendered(m)
    assets = {url for _, url in folium.Map.default_js + folium.Map.default_css}
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls and urls <= assets


@pytest.mark.skipif(bool(missing_assets()), reason="vendored Leaflet missing: run bash scripts/setup.sh")
def test_localised_map_has_no_remote_url(catalog):
    m = build_map({"parks": parks_gdf()}, catalog=catalog, asset_base_url="/app/static/vendor/")
    assert remote_urls(rendered(m)) == []
    assert (
        remote_urls(render.map_to_standalone_html(build_map({"parks": parks_gdf()}, catalog=catalog))) == []
    )


def test_osm_and_tianditu_tiles(catalog):
    assert "tile.openstreetmap.org" in rendered(
        build_map({"parks": parks_gdf()}, catalog=catalog, basemap="osm")
    )
    html = rendered(
        build_map({"parks": parks_gdf()}, catalog=catalog, basemap="tianditu", tianditu_key="abc123")
    )
    assert "vec_w/wmts" in html and "cva_w/wmts" in html and "tk=abc123" in html


def test_tianditu_without_key_says_how_to_fix(catalog):
    with pytest.raises(OptionError, match="ZKQ_TIANDITU_KEY"):
        build_map({"parks": parks_gdf()}, catalog=catalog, basemap="tianditu")


def test_bad_options_list_the_choices(catalog):
    with pytest.raises(OptionError, match="'amap'.*'none'.*'osm'.*'tianditu'"):
        build_map({}, catalog=catalog, basemap="google")
    with pytest.raises(OptionError, match="color_by"):
        build_map({}, catalog=catalog, color_by="size")
    with pytest.raises(OptionError, match="lang"):
        build_map({}, catalog=catalog, lang="fr")


def _metres_between(a, b):
    points = gpd.GeoSeries([shapely.Point(a), shapely.Point(b)], crs=4326).to_crs(AREA_CRS)
    return points.iloc[0].distance(points.iloc[1])


def test_amap_shifts_every_vector_to_gcj02(catalog):
    layers = {"parks": parks_gdf(), "projects": projects_gdf()}
    plain = feature_layers(build_map(layers, catalog=catalog))
    shifted = feature_layers(build_map(layers, catalog=catalog, basemap="amap"))
    for a, b in zip(plain, shifted, strict=False):
        first_a = np.array(a.data["features"][0]["geometry"]["coordinates"]).reshape(-1, 2)[0]
        first_b = np.array(b.data["features"][0]["geometry"]["coordinates"]).reshape(-1, 2)[0]
        assert 500 < _metres_between(first_a, first_b) < 600
        assert np.allclose(first_b, wgs84_to_gcj02(*first_a), atol=2e-6)
    assert "webrd0" in rendered(build_map(layers, catalog=catalog, basemap="amap"))


# ----------------------------------------------------------------------------- notes and legend
def test_schematic_note_iff_schematic_features_are_shown(catalog):
    note = escape_value(render.SCHEMATIC_NOTE["zh"])
    assert note in rendered(build_map({"parks": parks_gdf("schematic")}, catalog=catalog))
    assert note not in rendered(build_map({"parks": parks_gdf("surveyed")}, catalog=catalog))
    empty = parks_gdf("schematic").iloc[:0]
    assert note not in rendered(build_map({"parks": empty}, catalog=catalog))
    english = rendered(build_map({"parks": parks_gdf("schematic")}, catalog=catalog, lang="en"))
    assert render.SCHEMATIC_NOTE["en"] in english


def test_legend_lists_the_industries_shown(catalog):
    html = rendered(build_map({"parks": parks_gdf(), "projects": projects_gdf()}, catalog=catalog))
    legend = re.search(r'"zkq-legend"\);\s*div\.innerHTML = "(.*?)";', html)
    for code in ("materials_env", "ict", "auto", "logistics"):
        assert catalog.industry_label(code, "zh") in legend.group(1)
    for code in ("biomed", "urban", "trade"):
        assert catalog.industry_label(code, "zh") not in html


def test_intensity_colouring_uses_classes_and_marks_bounds(catalog):
    gdf = parks_gdf(
        invest_intensity_wan_per_mu=[1186.44, 2500.0], invest_intensity_qualifier=["exact", "at_least"]
    )
    layer = feature_layers(build_map({"parks": gdf}, catalog=catalog, color_by="intensity"))[0]
    classes = [f["properties"]["c"] for f in layer.data["features"]]
    assert classes == ["i2", "i4.lower"]
    styles = json.loads(layer.styles_js)
    assert styles["i4.lower"]["fillColor"] == render.STYLES["intensity"]["colors"][4]
    assert "dashArray" in styles["i4.lower"] and "dashArray" not in styles["i2"]
    nd = parks_gdf()  # park_b has no land area
    nd_layer = feature_layers(build_map({"parks": nd}, catalog=catalog, color_by="intensity"))[0]
    assert nd_layer.data["features"][1]["properties"]["c"] == "nd"


def test_intensity_colouring_applies_to_project_circles_too(catalog):
    gdf = projects_gdf().assign(
        invest_intensity_wan_per_mu=[600.0, np.nan], invest_intensity_qualifier=["exact", "no_land_area"]
    )
    m = build_map({"projects": gdf}, catalog=catalog, color_by="intensity")
    layer = feature_layers(m)[0]
    assert [f["properties"]["c"] for f in layer.data["features"]] == ["i1", "nd"]
    assert [f["properties"]["r"] for f in layer.data["features"]][0] > render.STYLES["project_radius"][
        "min_px"
    ]
    styles = json.loads(layer.styles_js)
    assert styles["i1"]["fillColor"] == render.STYLES["intensity"]["colors"][1]
    assert styles["nd"]["fillOpacity"] == render.STYLES["layers"]["projects"]["fillOpacity"]
    legend = re.search(r'"zkq-legend"\);\s*div\.innerHTML = "(.*?)";', rendered(m)).group(1)
    assert "亩均投资" in legend and catalog.industry_label("auto", "zh") not in legend


def test_tooltip_and_popup_carry_qualifier_units_source_and_conflicts(catalog):
    m = build_map({"parks": parks_gdf()}, catalog=catalog)
    props = feature_layers(m)[0].data["features"][1]["properties"]
    assert props["v"] == "≥30 亿元" and props["i"] == catalog.industry_label("ict", "zh")
    assert props["investment_yi"] == "≥30" and props["source"] == "002_x.txt 专栏4-2"
    assert props["conflicts"] == "另一来源：31亿元" and "investment_qualifier" not in props
    html = rendered(m)
    for label in ("投资额（亿元）", "用地面积（亩）", "亩均投资（万元/亩）", "来源（文件 + 章节）"):
        assert json.dumps(label) in html  # folium writes aliases with ASCII escapes


def test_project_radius_grows_with_sqrt_investment(catalog):
    layer = feature_layers(build_map({"projects": projects_gdf()}, catalog=catalog))[0]
    radii = [f["properties"]["r"] for f in layer.data["features"]]
    spec = render.STYLES["project_radius"]
    assert radii[0] == pytest.approx(spec["px_per_sqrt_yi"] * math.sqrt(28.4), abs=0.05)
    assert radii[1] == spec["min_px"]  # no figure


def test_large_layers_keep_the_tooltip_but_drop_popups(catalog, monkeypatch):
    monkeypatch.setattr(render, "FULL_POPUP_MAX_FEATURES", 1)
    layer = feature_layers(build_map({"parks": parks_gdf()}, catalog=catalog))[0]
    assert set(layer.data["features"][0]["properties"]) == {"c", "n", "i", "v"}
    assert not any(isinstance(c, folium.GeoJsonPopup) for c in layer._children.values())


def test_boards_and_plates_get_labels_and_layer_control_names(catalog):
    boards = parks_gdf().drop(columns=["industry"]).assign(name=["起步区", XSS])
    html = rendered(build_map({"boards": boards}, catalog=catalog, lang="en"))
    assert "zkq-label-boards" in html and "起步区" in html
    assert "Three core boards (2021)" in html and XSS not in html


def test_map_fits_the_data(catalog):
    m = build_map({"projects": projects_gdf()}, catalog=catalog)
    (south, west), (north, east) = m.get_bounds()
    assert (south, west, north, east) == pytest.approx((34.70, 113.80, 34.705, 113.81))
    assert "fitBounds" in rendered(m)


# ----------------------------------------------------------------------------- feature_at
def test_feature_at_polygon_point_and_nothing():
    parks, projects = parks_gdf(), projects_gdf()
    inside = parks.geometry.iloc[1].centroid
    assert feature_at(parks, inside.x, inside.y) == "park_b"
    assert feature_at(projects, 113.80 + 0.0002, 34.70) == "prj_1"  # about 18 m east
    assert feature_at(projects, 113.80 + 0.0005, 34.70) is None  # about 46 m: beyond 30 m
    assert feature_at(projects, 113.80 + 0.0005, 34.70, tolerance_m=60) == "prj_1"
    assert feature_at(parks, 113.0, 34.0) is None


def test_feature_at_prefers_the_smallest_polygon():
    big = gpd.GeoDataFrame(
        {"id": ["plate", "park"]},
        crs=4326,
        geometry=[square(113.74, 34.71, 3000), square(113.75, 34.72, 200)],
    )
    inside = big.geometry.iloc[1].centroid
    assert feature_at(big, inside.x, inside.y) == "park"


def test_feature_at_gcj02_click_finds_the_same_feature():
    parks, projects = parks_gdf(), projects_gdf()
    inside = parks.geometry.iloc[0].centroid
    gx, gy = wgs84_to_gcj02(inside.x, inside.y)
    assert feature_at(parks, gx, gy, datum="gcj02") == "park_a"
    assert feature_at(parks, gx, gy) is None  # read as WGS84 the click is ~570 m off
    px, py = wgs84_to_gcj02(113.80, 34.70)
    assert feature_at(projects, px, py, datum="gcj02") == "prj_1"


def test_feature_at_checks_inputs():
    with pytest.raises(OptionError, match="datum"):
        feature_at(parks_gdf(), 113.75, 34.72, datum="baidu")
    with pytest.raises(SchemaError, match="'id'"):
        feature_at(parks_gdf().drop(columns="id"), 113.75, 34.72)


def test_shipped_layers_render(catalog):
    from zkq_geo.layers import load_layers

    layers = {name: data.gdf for name, data in load_layers(catalog=catalog).items()}
    html = rendered(build_map(layers, catalog=catalog, color_by="intensity", lang="en"))
    assert render.SCHEMATIC_NOTE["en"] in html and "Project sites" in html


def test_popup_numbers_are_readable_text(catalog):
    zone = gpd.GeoDataFrame(
        {
            "id": ["zone"],
            "name": ["经开区"],
            "gdp_yi": [1265.9],
            "figures_year": [2022.0],
            "population_wan": [34.0],
        },
        geometry=[square(113.7, 34.6, 5000)],
        crs=4326,
    )
    layer = feature_layers(build_map({"zone": zone}, catalog=catalog))[0]
    props = layer.data["features"][0]["properties"]
    assert (props["gdp_yi"], props["figures_year"], props["population_wan"]) == ("1,265.9", "2022", "34")
    popup = next(c for c in layer._children.values() if isinstance(c, folium.GeoJsonPopup))
    assert popup.localize is False and escape_value("地区生产总值（亿元）") in popup.aliases


def test_features_are_fitted_beside_the_legend_and_layer_list(catalog):
    html = rendered(build_map({"parks": parks_gdf()}, catalog=catalog))
    fit = re.search(r"fitBounds\(\s*(\[\[.*?\]\])\s*,\s*(\{.*?\})\s*\)", html, flags=re.S)
    assert fit is not None
    options = json.loads(fit[2])
    assert options["paddingBottomRight"] == list(render.FIT_PADDING["padding_bottom_right"])
    assert options["paddingBottomRight"][0] >= 150  # the legend's width, so it hides no feature
    assert '"zoomSnap": 0.25' in html


def fit_calls(html: str) -> list[tuple[list, dict]]:
    return [
        (json.loads(b), json.loads(o))
        for b, o in re.findall(r"fitBounds\(\s*(\[\[.*?\]\])\s*,\s*(\{.*?\})\s*\)", html, flags=re.S)
    ]


def test_the_first_view_is_one_fit_applied_without_animation(catalog):
    # An animated fit leaves Leaflet "zooming" after load: the first hover shows no tooltip and
    # a second fit is dropped, so zoom-to-selection did nothing. One fit, animate: false.
    fits = fit_calls(rendered(build_map({"parks": parks_gdf(), "projects": projects_gdf()}, catalog=catalog)))
    assert len(fits) == 1
    assert fits[0][1]["animate"] is False


def test_fit_to_fits_the_named_layers_only(catalog):
    layers = {"parks": parks_gdf(), "projects": projects_gdf()}
    ((bounds, _),) = fit_calls(rendered(build_map(layers, catalog=catalog, fit_to=["projects"])))
    assert bounds[0] + bounds[1] == pytest.approx([34.70, 113.80, 34.705, 113.81])
    ((everything, _),) = fit_calls(rendered(build_map(layers, catalog=catalog)))
    assert everything[0][1] == pytest.approx(113.75, abs=1e-4)  # the parks, west of the projects, are in view


def test_fit_to_an_empty_or_absent_layer_fits_everything(catalog):
    layers = {"parks": parks_gdf(), "projects": projects_gdf().iloc[:0]}
    default = fit_calls(rendered(build_map(layers, catalog=catalog)))
    assert fit_calls(rendered(build_map(layers, catalog=catalog, fit_to=["projects", "nope"]))) == default


# ----------------------------------------------------------------------------- no raw codes (zh)
CODE_WORDS = re.compile(
    r"\b(planned|signed|negotiating|completed|none|user|schematic|surveyed|at_least|at_most|exact|about|"
    r"no_land_area|no_investment|no_floor_area|indeterminate|seed|nan|None|"
    r"auto|equipment|logistics|biomed|ict|trade|materials_env|urban)\b"
)


@pytest.mark.parametrize("layer", ["parks", "projects", "zone", "boards", "plates"])
def test_shipped_popups_in_chinese_carry_no_internal_codes(catalog, layer):
    from zkq_geo.layers import load_layers

    gdf = load_layers()[layer].gdf
    (feature_layer,) = feature_layers(build_map({layer: gdf}, catalog=catalog, lang="zh"))
    titles = catalog.source_titles()
    for feature in feature_layer.data["features"]:
        for key, value in feature["properties"].items():
            if key in ("c", "r") or not isinstance(value, str):
                continue
            assert not CODE_WORDS.search(value), (feature["properties"].get("id"), key, value)
            assert not any(f in value for f in titles), (key, value)  # sources by title
    html = rendered(build_map({layer: gdf}, catalog=catalog, lang="zh"))
    assert "下限（超过）" in html or layer != "projects"  # same word as the detail panel
