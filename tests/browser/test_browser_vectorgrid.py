"""Browser test of a standalone map with a Leaflet.VectorGrid layer (Mapbox Vector Tiles), opened
from a file:// URL with every other request blocked; its tiles come from a data: URL."""

from __future__ import annotations

import base64

import folium
import folium.plugins
import pytest

from zkq_geo.render import assets, vectorgrid_compat

# --- a one-feature Mapbox Vector Tile, encoded by hand (spec 2.1) ---------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 31)


def _square_tile(name: str, extent: int = 4096) -> bytes:
    """A tile whose layer "parcels" holds one polygon covering the whole tile, name=<name>."""
    geometry = [9, _zigzag(0), _zigzag(0), 26]  # MoveTo(0, 0), LineTo x3 (deltas follow)
    geometry += [_zigzag(extent), 0, 0, _zigzag(extent), _zigzag(-extent), 0, 15]  # ClosePath
    feature = _field(1, 1) + _field(2, b"".join(map(_varint, (0, 0))))  # id 1, tags name=value 0
    feature += _field(3, 3) + _field(4, b"".join(map(_varint, geometry)))  # POLYGON
    layer = _field(15, 2) + _field(1, b"parcels") + _field(2, feature) + _field(3, b"name")
    layer += _field(4, _field(1, name.encode())) + _field(5, extent)
    return _field(3, layer)


TILE_URL = "data:application/x-protobuf;base64," + base64.b64encode(_square_tile("Tile parcel")).decode()

# Canvas renderer: the one that calls L.DomEvent.fakeStop (the SVG default does not).
LAYER_OPTIONS = """{
    "rendererFactory": L.canvas.tile,
    "interactive": true,
    "vectorTileLayerStyles": {"parcels": {"fill": true, "fillColor": "#d33", "fillOpacity": 0.5,
                                          "color": "#900", "weight": 1}}
}"""


def _vector_grid_map() -> tuple[folium.Map, folium.plugins.VectorGridProtobuf]:
    m = folium.Map(location=[34.705, 113.815], zoom_start=14, tiles=None)
    return m, folium.plugins.VectorGridProtobuf(TILE_URL, "parcels", LAYER_OPTIONS).add_to(m)


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def file_only(page):
    """``page`` with every request but file:// aborted; returns (requests not allowed, JS errors).

    data: and blob: URLs never reach the network (nor Playwright's router).
    """
    refused: list[str] = []
    errors: list[str] = []

    def route(route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("blockedbyclient")

    page.route("**/*", route)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return refused, errors


def _open_and_click(page, tmp_path, html: str, layer_name: str) -> None:
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    # VectorGrid marks a tile loaded once it has fetched, decoded and drawn its features.
    page.wait_for_selector("canvas.leaflet-tile-loaded")
    page.evaluate(
        f"""() => {{
            {layer_name}.on('click', e => {{ window.zkqFeature = e.layer.properties.name; }});
            {layer_name}._map.on('click', () => {{ window.zkqMapClicks = (window.zkqMapClicks || 0) + 1; }});
        }}"""
    )
    box = page.locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.browser
def test_standalone_vectorgrid_map_works_offline(tmp_path, page, file_only, save_screenshot):
    refused, errors = file_only
    m, layer = _vector_grid_map()
    html = assets.render_standalone_html(m)
    _open_and_click(page, tmp_path, html, layer.get_name())
    assert page.evaluate("typeof L.vectorGrid.protobuf") == "function"
    page.wait_for_function("window.zkqFeature !== undefined")
    assert page.evaluate("[window.zkqFeature, window.zkqMapClicks]") == ["Tile parcel", 1]
    save_screenshot(page, "assets_vectorgrid_standalone")
    assert errors == []
    assert refused == []


@pytest.mark.browser
def test_without_the_fix_a_click_on_a_vector_tile_fails(tmp_path, page, file_only):
    """The incompatibility the fix is for: Leaflet 1.9 has no L.DomEvent.fakeStop."""
    refused, errors = file_only
    m, layer = _vector_grid_map()
    assets.localize_map(m, "vendor/")
    del layer._children[vectorgrid_compat.ELEMENT_NAME]
    html = assets.inline_assets(m.get_root().render(), "vendor/")
    _open_and_click(page, tmp_path, html, layer.get_name())
    page.wait_for_timeout(300)
    assert any("fakeStop is not a function" in error for error in errors)
    assert page.evaluate("window.zkqFeature") is None
    assert refused == []
