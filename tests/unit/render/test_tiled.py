"""A big layer on the map: drawn from its tiles (no geometry in the page), the selection sent as
a bit set of row numbers, styles and tooltip words in the map's language."""

import base64
import json
import re

import numpy as np
import pytest

from zkq_geo.bench import make_parcels
from zkq_geo.catalog import load_catalog
from zkq_geo.errors import OptionError
from zkq_geo.render.builder import TileSource, build_map
from zkq_geo.render.tiled import TILED_FIRST_JS, selection_bits

URL = "/tiles/parcels/3/{z}/{x}/{y}.pbf"


@pytest.fixture(scope="module")
def parcels():
    return make_parcels(5000)


def _html(m) -> str:
    return m.get_root().render()


def _config(html: str) -> dict:
    return json.loads(re.search(r"var cfg = (\{.*?\});\n", html).group(1))


@pytest.mark.parametrize("n", [1, 7, 8, 9, 100_000])
def test_selection_bits_set_exactly_the_rows(n):
    rows = np.unique(np.random.default_rng(n).integers(0, n, size=min(n, 500)))
    bits = np.unpackbits(
        np.frombuffer(base64.b64decode(selection_bits(rows, n)), np.uint8), bitorder="little"
    )
    assert len(bits) == -(-n // 8) * 8
    assert np.flatnonzero(bits).tolist() == rows.tolist()


def test_selection_bits_refuse_rows_outside_the_layer():
    with pytest.raises(ValueError):
        selection_bits([5], 5)


def test_a_tiled_layer_puts_no_geometry_in_the_page(parcels):
    cat = load_catalog()
    tiled = _html(build_map({"parcels": parcels}, catalog=cat, tiled={"parcels": TileSource(URL)}))
    inline = _html(build_map({"parcels": parcels}, catalog=cat))
    assert "L.vectorGrid.protobuf" in tiled and "L.vectorGrid" not in inline
    assert parcels["name"].iat[123] in inline and parcels["name"].iat[123] not in tiled
    assert len(tiled) < len(inline) / 20
    cfg = _config(tiled)
    assert cfg["url"] == URL and cfg["selected"] is None and cfg["layer"] == "features"


def test_the_selection_travels_as_bits_and_styles_follow_colour_by(parcels):
    cat = load_catalog()
    chosen = parcels[parcels["industry"] == "auto"]
    bits = selection_bits(parcels.index.get_indexer(chosen.index), len(parcels))
    m = build_map(
        {"parcels": chosen}, catalog=cat, color_by="intensity", tiled={"parcels": TileSource(URL, bits)}
    )
    cfg = _config(_html(m))
    assert cfg["selected"] == bits
    assert cfg["fill"]["by"] == "intensity" and cfg["fill"]["breaks"] == [500, 1000, 1500, 2000]
    assert len(cfg["selected"]) <= 4 * -(-len(parcels) // 24) + 4  # base64 of one bit a row


def test_tooltip_words_are_in_the_map_language(parcels):
    cat = load_catalog()
    zh = _config(_html(build_map({"p": parcels}, catalog=cat, tiled={"p": TileSource(URL)})))
    en = _config(_html(build_map({"p": parcels}, catalog=cat, lang="en", tiled={"p": TileSource(URL)})))
    assert (zh["labels"]["name"], en["labels"]["name"]) == ("名称", "Name")
    assert zh["labels"]["codes"]["auto"] == cat.industry_label("auto", "zh") != "auto"
    assert zh["labels"]["blank"] == "—" and zh["locale"] == "zh-CN"


def test_the_pointer_reaches_the_tiles_under_the_inline_layers(parcels):
    """The script that hands hover and click on a tiled feature to it comes once, whole (branca
    renders a script a second time as a template), and each tiled layer calls it when added."""
    cat = load_catalog()
    html = _html(build_map({"p": parcels, "q": parcels}, catalog=cat, tiled={"p": TileSource(URL)}))
    assert html.count(TILED_FIRST_JS.strip()) == 1
    assert html.count("window.zkqTiledFirst(grid._map)") == 1


def test_a_name_cannot_end_the_script(parcels):
    cat = load_catalog()
    html = _html(
        build_map({"p": parcels}, catalog=cat, tiled={"p": TileSource("/tiles/</script>/{z}/{x}/{y}")})
    )
    assert "/tiles/</script>" not in html


def test_tiles_are_wgs84_so_not_on_the_amap_basemap(parcels):
    with pytest.raises(OptionError):
        build_map({"p": parcels}, catalog=load_catalog(), basemap="amap", tiled={"p": TileSource(URL)})


def test_a_tile_source_keeps_the_whole_layers_extent_and_bits_of_the_selection(parcels):
    from zkq_geo.render.builder import tile_source_for

    chosen = parcels[parcels["industry"] == "auto"]
    source = tile_source_for(URL, parcels, chosen)
    assert source.bounds == tuple(float(v) for v in parcels.total_bounds) != tuple(chosen.total_bounds)
    assert source.selected == selection_bits(parcels.index.get_indexer(chosen.index), len(parcels))
    assert tile_source_for(URL, parcels, parcels).selected is None
