"""app/clicks.py: the map page's click-to-feature lookup, with tiny geometries built here.

On the AMap basemap the vectors are drawn shifted to GCJ-02, so streamlit-folium reports a click
in GCJ-02; the lookup must shift it back to WGS84 (about 570 m here) to find the clicked feature.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import shapely

from zkq_geo.crs import wgs84_to_gcj02

_spec = importlib.util.spec_from_file_location(
    "zkq_app_clicks", Path(__file__).resolve().parents[2] / "app" / "clicks.py"
)
clicks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(clicks)

PARK_CENTRE = (113.78, 34.72)  # WGS84


def layers() -> dict[str, gpd.GeoDataFrame]:
    x, y = PARK_CENTRE
    zone = gpd.GeoDataFrame(
        {"id": ["zone"]}, geometry=[shapely.box(x - 0.1, y - 0.1, x + 0.1, y + 0.1)], crs=4326
    )
    parks = gpd.GeoDataFrame(
        {"id": ["park_a", "park_b"]},  # park_b sits ~570 m east-south-east, under a shifted click
        geometry=[
            shapely.box(x - 0.002, y - 0.002, x + 0.002, y + 0.002),
            shapely.box(x + 0.004, y - 0.003, x + 0.008, y + 0.001),
        ],
        crs=4326,
    )
    projects = gpd.GeoDataFrame({"id": ["prj_1"]}, geometry=[shapely.Point(x + 0.0015, y)], crs=4326)
    return {"zone": zone, "parks": parks, "projects": projects}


def click(lon: float, lat: float) -> dict:
    return {"lat": lat, "lng": lon}  # the shape of streamlit-folium's last_object_clicked


def test_amap_click_is_shifted_back_to_wgs84():
    gx, gy = wgs84_to_gcj02(*PARK_CENTRE)
    assert clicks.clicked_feature(layers(), click(gx, gy), "amap") == "park_a"


def test_the_same_click_read_as_wgs84_finds_another_feature():
    gx, gy = wgs84_to_gcj02(*PARK_CENTRE)
    assert clicks.clicked_feature(layers(), click(gx, gy), "none") == "park_b"
    assert clicks.clicked_feature(layers(), click(gx, gy), "osm") == "park_b"


def test_wgs84_basemaps_take_the_click_as_it_is():
    for basemap in ("none", "osm", "tianditu"):
        assert clicks.clicked_feature(layers(), click(*PARK_CENTRE), basemap) == "park_a"


def test_points_win_over_the_polygon_around_them_on_amap_too():
    px, py = wgs84_to_gcj02(PARK_CENTRE[0] + 0.0015, PARK_CENTRE[1])
    assert clicks.clicked_feature(layers(), click(px, py), "amap") == "prj_1"


def test_imported_layers_are_looked_up_first():
    shown = {**layers(), "my_plots": layers()["parks"].assign(id=["plot_1", "plot_2"])}
    gx, gy = wgs84_to_gcj02(*PARK_CENTRE)
    assert clicks.clicked_feature(shown, click(gx, gy), "amap") == "plot_1"


def test_no_click_or_nothing_there_gives_none():
    assert clicks.clicked_feature(layers(), None, "amap") is None
    assert clicks.clicked_feature(layers(), {}, "osm") is None
    assert (
        clicks.clicked_feature({k: v for k, v in layers().items() if k != "zone"}, click(113.0, 34.0), "osm")
        is None
    )
    assert clicks.clicked_feature({}, click(*PARK_CENTRE), "osm") is None
