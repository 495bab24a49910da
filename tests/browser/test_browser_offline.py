"""Browser tests of zkq_geo.render.assets: maps drawn from the local Leaflet files fetch nothing from the
internet (standalone HTML, a vendor folder, and streamlit-folium in a running app)."""

from __future__ import annotations

import json
import shutil

import pytest
from mapdata import SQUARES, make_map

from zkq_geo.render import assets


def _hover_first_polygon(frame) -> str:
    frame.locator("path.leaflet-interactive").first.hover()
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible")
    return tooltip.inner_text()


def _assert_stayed_local(network) -> None:
    assert network.blocked == []
    assert all(not assets.is_remote_url(url) for url in network.requests)
    assert network.http_errors == []


@pytest.mark.browser
def test_standalone_map_renders_offline(tmp_path, serve_dir, page, network, save_screenshot):
    (tmp_path / "map.html").write_text(assets.render_standalone_html(make_map(marker=True)), encoding="utf-8")
    page.goto(serve_dir(tmp_path) + "/map.html")
    page.wait_for_selector("path.leaflet-interactive")
    assert page.locator("path.leaflet-interactive").count() == len(SQUARES["features"])
    assert "Parcel A" in _hover_first_polygon(page)
    marker = page.locator("img.leaflet-marker-icon")
    assert marker.evaluate("img => img.complete && img.naturalWidth > 0")
    save_screenshot(page, "assets_standalone_map")
    _assert_stayed_local(network)
    assert [url for url in network.requests if not url.endswith("/favicon.ico")] == [page.url]


@pytest.mark.browser
def test_map_linking_a_vendor_folder_renders_offline(tmp_path, serve_dir, page, network):
    shutil.copytree(assets.VENDOR_DIR, tmp_path / "vendor")
    m = assets.localize_map(make_map(marker=True), "vendor/")
    (tmp_path / "map.html").write_text(m.get_root().render(), encoding="utf-8")
    page.goto(serve_dir(tmp_path) + "/map.html")
    page.wait_for_selector("img.leaflet-marker-icon")
    assert page.locator("path.leaflet-interactive").count() == len(SQUARES["features"])
    assert page.locator("img.leaflet-marker-icon").evaluate("img => img.naturalWidth > 0")
    _assert_stayed_local(network)
    assert any(url.endswith("/vendor/leaflet/leaflet.js") for url in network.requests)


ST_FOLIUM_PAGE = """
import json
import folium
import streamlit as st
from streamlit_folium import st_folium
from zkq_geo.render.assets import APP_VENDOR_URL, localize_map

m = folium.Map(location=[34.705, 113.815], zoom_start=14, tiles=None)
folium.GeoJson(json.loads({squares!r}), name="parcels",
               tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
folium.Marker([34.705, 113.815], popup="centre").add_to(m)
folium.LayerControl().add_to(m)
st.title("st_folium offline")
st_folium(localize_map(m, APP_VENDOR_URL), height=450, width=700, key="map")
"""


@pytest.mark.browser
def test_st_folium_map_renders_offline(tmp_path, served_app, page, network, map_frame, save_screenshot):
    """streamlit-folium loads the map's default_js/css links itself: local ones work offline."""
    script = tmp_path / "st_folium_page.py"
    script.write_text(ST_FOLIUM_PAGE.format(squares=json.dumps(SQUARES)), encoding="utf-8")
    shutil.copytree(assets.VENDOR_DIR, tmp_path / "static" / "vendor")
    page.goto(served_app(script))
    frame = map_frame(page)
    frame.wait_for_selector("img.leaflet-marker-icon")
    assert frame.locator("path.leaflet-interactive").count() == len(SQUARES["features"])
    assert "Parcel A" in _hover_first_polygon(frame)
    assert frame.locator("img.leaflet-marker-icon").evaluate("img => img.naturalWidth > 0")
    save_screenshot(page, "assets_st_folium_map")
    _assert_stayed_local(network)
    assert any(url.endswith("/app/static/vendor/leaflet/leaflet.js") for url in network.requests)
