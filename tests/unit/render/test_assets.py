"""Tests of zkq_geo.render.assets: local Leaflet files instead of CDNs, and proof that maps stay offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import branca.colormap
import folium
import folium.plugins
import pytest
from mapdata import make_map

from zkq_geo.errors import DataSourceError, OptionError
from zkq_geo.render import assets, vectorgrid_compat

# --- the vendor folder ---------------------------------------------------------------------


def test_installed_files_match_the_table():
    assert assets.missing_assets() == []
    listed = assets.asset_manifest()["files"]
    assert [(e["file"], e["sha256"]) for e in listed] == [
        (row.file, row.sha256) for row in assets.VENDOR_FILES
    ]


def test_missing_assets_lists_every_file_of_an_empty_folder(tmp_path):
    assert assets.missing_assets(tmp_path) == [row.file for row in assets.VENDOR_FILES]


def test_missing_assets_notices_a_changed_file(tmp_path):
    shutil.copytree(assets.VENDOR_DIR, tmp_path, dirs_exist_ok=True)
    with open(tmp_path / "leaflet" / "leaflet.js", "a", encoding="utf-8") as js:
        js.write("\n// edited")
    assert assets.missing_assets(tmp_path) == ["leaflet/leaflet.js"]


def test_missing_assets_raise_with_the_fix(tmp_path):
    with pytest.raises(DataSourceError, match=r"leaflet/leaflet\.js.*run `bash scripts/setup\.sh`"):
        assets.localize_map(make_map(), vendor_dir=tmp_path)
    with pytest.raises(DataSourceError, match="bash scripts/setup.sh"):
        assets.render_standalone_html(make_map(), vendor_dir=tmp_path)
    with pytest.raises(DataSourceError, match="manifest"):
        assets.asset_manifest(tmp_path)


def test_importing_assets_loads_neither_streamlit_nor_folium():
    code = "import sys, zkq_geo.render.assets; print(sorted({'streamlit', 'folium'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- localize_map --------------------------------------------------------------------------


def test_localize_map_leaves_no_remote_url():
    m = assets.localize_map(make_map(marker=True), "/app/static/vendor/")
    html = m.get_root().render()
    assert assets.remote_urls(html) == []
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in html
    assert '<link rel="stylesheet" href="/app/static/vendor/leaflet/leaflet.css"/>' in html
    assert 'L.Icon.Default.imagePath = "/app/static/vendor/leaflet/images/"' in html


def test_localize_map_gives_streamlit_folium_local_links():
    m = assets.localize_map(make_map())
    assert m.default_js == [
        ("leaflet", "/app/static/vendor/leaflet/leaflet.js"),
        ("jquery", "/app/static/vendor/jquery/jquery.min.js"),
    ]
    assert m.default_css == [("leaflet_css", "/app/static/vendor/leaflet/leaflet.css")]


def test_localize_map_leaves_folium_defaults_alone():
    before = list(folium.Map.default_js), list(folium.Map.default_css)
    assets.localize_map(make_map())
    assert (folium.Map.default_js, folium.Map.default_css) == before


def test_localize_map_removes_cdn_links_of_an_earlier_render():
    m = make_map()
    m.get_root().render()
    assets.localize_map(m, "vendor/")
    assert assets.remote_urls(m.get_root().render()) == []


def test_localize_map_twice_is_the_same_as_once():
    once = assets.localize_map(make_map(), "vendor/")
    twice = assets.localize_map(assets.localize_map(make_map(), "vendor/"), "vendor/")
    assert (twice.default_js, twice.default_css) == (once.default_js, once.default_css)


@pytest.mark.parametrize(
    ("add", "message"),
    [
        (lambda m: folium.Marker([34.7, 113.8], icon=folium.Icon()).add_to(m), "folium.Icon needs"),
        (lambda m: branca.colormap.LinearColormap(["red", "blue"]).add_to(m), "d3"),
        (lambda m: folium.plugins.Fullscreen().add_to(m), "no local copy.*VENDOR_FILES"),
    ],
)
def test_localize_map_refuses_elements_that_would_go_online(add, message):
    m = make_map()
    add(m)
    with pytest.raises(OptionError, match=message):
        assets.localize_map(m)


VECTORGRID_FILE = "leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"


def _vector_grid_map() -> tuple[folium.Map, folium.plugins.VectorGridProtobuf]:
    m = folium.Map(location=[34.705, 113.815], zoom_start=14, tiles=None)
    layer = folium.plugins.VectorGridProtobuf(
        "tiles/{z}/{x}/{y}.pbf", "parcels", {"vectorTileLayerStyles": {"parcels": {"color": "red"}}}
    )
    return m, layer.add_to(m)


def test_localize_map_swaps_vectorgrid_for_the_local_copy():
    m, layer = _vector_grid_map()
    html = assets.localize_map(m, "vendor/").get_root().render()
    assert assets.remote_urls(html) == []
    assert layer.default_js == [("vectorGrid", "vendor/" + VECTORGRID_FILE)]
    assert html.index(f'<script src="vendor/{VECTORGRID_FILE}"></script>') < html.index(
        "L.vectorGrid.protobuf("
    )


def test_vectorgrid_layer_gets_the_leaflet_19_fix_once_after_the_library():
    m, layer = _vector_grid_map()
    assets.localize_map(assets.localize_map(m, "vendor/"), "vendor/")
    html = m.get_root().render()
    assert html.count("L.Canvas.Tile.include(") == 1
    assert html.index(f"vendor/{VECTORGRID_FILE}") < html.index("L.Canvas.Tile.include(")
    assert vectorgrid_compat.ELEMENT_NAME in layer._children


def test_vectorgrid_compat_script_survives_a_second_template_pass():
    # branca compiles a MacroElement's rendered script as a template again.
    assert all(marker not in vectorgrid_compat.VECTORGRID_COMPAT_JS for marker in ("{{", "{%", "{#"))
    assert "L.DomEvent.fakeStop" in vectorgrid_compat.VECTORGRID_COMPAT_JS


def test_localize_map_base_url_needs_a_trailing_slash():
    with pytest.raises(OptionError, match="must end with '/'"):
        assets.localize_map(make_map(), "/app/static/vendor")


# --- one self-contained file ---------------------------------------------------------------


def test_standalone_html_embeds_everything():
    html = assets.render_standalone_html(make_map(marker=True))
    assert assets.remote_urls(html) == []
    assert "Leaflet 1.9.3" in html and "jQuery v3.7.1" in html
    assert "<script src=" not in html and "<link rel=" not in html
    assert "data:image/png;base64," in html  # layers.png, marker icons
    assert "sourceMappingURL" not in html


def test_standalone_html_embeds_vectorgrid():
    m, _ = _vector_grid_map()
    html = assets.render_standalone_html(m)
    assert assets.remote_urls(html) == []
    assert "<script src=" not in html
    embedded = html.index(f'<script data-zkq-vendor="{VECTORGRID_FILE}">')
    assert embedded < html.index("L.Canvas.Tile.include(") and embedded < html.index("L.vectorGrid.protobuf(")
    assert "__$strToBlobUri" in html  # the bundled code (with pbf and vector-tile), not a link


def test_inline_assets_rejects_an_unknown_vendor_file():
    with pytest.raises(DataSourceError, match="not a vendored file"):
        assets.inline_assets('<script src="vendor/evil.js"></script>')


# --- finding remote URLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "remote"),
    [
        ("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js", True),
        ("//cdn.example.org/x.js", True),
        ("wss://example.org/socket", True),
        ("http://localhost:8501/app/static/vendor/leaflet/leaflet.js", False),
        ("http://127.0.0.1:9/x", False),
        ("http://[::1]:9/x", False),
        ("/app/static/vendor/leaflet/leaflet.js", False),
        ("vendor/leaflet/leaflet.css", False),
        ("data:image/png;base64,AAAA", False),
        ("file:///tmp/map.html", False),
    ],
)
def test_is_remote_url(url, remote):
    assert assets.is_remote_url(url) is remote


def test_remote_urls_finds_what_a_browser_would_fetch():
    html = textwrap.dedent("""
        <link rel="stylesheet" href="https://a.example/x.css"/>
        <script src="https://b.example/x.js"></script>
        <img src="http://localhost:8501/ok.png" srcset="https://c.example/2x.png 2x">
        <div style="background: url('https://d.example/bg.png')"></div>
        <style>@import "https://e.example/more.css"; .x { background: url(img/local.png) }</style>
        <a href="https://not-fetched.example/">a link</a>
        <script>
          L.tileLayer("https://tiles.example/{z}/{x}/{y}.png").addTo(map);
          var attribution = "<a href=\\"https://osm.example/copyright\\">OSM</a>";
          var svg = "http://www.w3.org/2000/svg";  // namespace, never fetched
        </script>
        <script data-zkq-vendor="leaflet/leaflet.js">var home = "https://leafletjs.com";</script>
    """)
    assert assets.remote_urls(html) == [
        "https://a.example/x.css",
        "https://b.example/x.js",
        "https://c.example/2x.png",
        "https://d.example/bg.png",
        "https://e.example/more.css",
        "https://tiles.example/{z}/{x}/{y}.png",
    ]


def test_remote_urls_of_a_plain_folium_map_are_the_cdns_and_tiles():
    urls = assets.remote_urls(folium.Map().get_root().render())
    assert any("leaflet@1.9.3/dist/leaflet.js" in url for url in urls)
    assert any("tile.openstreetmap.org" in url for url in urls)


# --- in a real browser ---------------------------------------------------------------------
