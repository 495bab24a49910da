"""AppTest: an imported layer above the tile threshold is drawn from vector tiles built once per
version; the filters send which rows to draw (never geometry); counts and exports stay exact;
on the AMap basemap the page says why the layer is not drawn."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from zkq_geo.analysis.selection import Selection
from zkq_geo.bench import make_parcels
from zkq_geo.render.tiles import read_tileset, tile_threshold
from zkq_geo.workspace import Workspace

APP = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")
N = 2500


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch, fresh_caches) -> Workspace:
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.delenv("ZKQ_TILE_THRESHOLD", raising=False)
    ws = Workspace()
    ws.save_layer("parcels", make_parcels(N), title="宗地")
    return ws


def _config(payload: dict) -> dict:
    return json.loads(re.search(r"var cfg = (\{.*?\});\n", payload["script"]).group(1))


def _rows(bits: str) -> list[int]:
    return np.flatnonzero(
        np.unpackbits(np.frombuffer(base64.b64decode(bits), np.uint8), bitorder="little")
    ).tolist()


def test_a_big_layer_is_drawn_from_tiles_built_once(workspace):
    assert N > tile_threshold()
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [w.value for w in at.warning if "宗地" in w.value]
    import data  # the app's data module, as the page used it

    payload = data.map_payload(Selection(), ("parks", "parcels"), "none", "industry", "zh", False, None)
    cfg = _config(payload)
    assert cfg["url"] == "/tiles/parcels/1/{z}/{x}/{y}.pbf" and cfg["selected"] is None
    assert make_parcels(N)["name"].iat[7] not in payload["script"]  # no geometry, no attributes inline
    tileset = read_tileset(workspace.tiles_dir(workspace.latest("parcels")))
    assert tileset is not None and tileset.features == N


def test_a_filter_sends_exactly_the_selected_rows_and_counts_stay_exact(workspace):
    AppTest.from_file(APP, default_timeout=180).run()
    import data

    sel = Selection(industries=("auto",))
    cfg = _config(data.map_payload(sel, ("parcels",), "none", "industry", "zh", False, None))
    full = make_parcels(N)
    # a parcel is in the selection when "auto" is its industry or one of its industries
    listed = full["industry"].eq("auto") | full["industries"].fillna("").str.split("|").map(
        lambda v: "auto" in v
    )
    expected = np.flatnonzero(listed.to_numpy()).tolist()
    assert 0 < len(expected) < N
    assert _rows(cfg["selected"]) == expected
    chosen = data.selected("parcels", sel)
    assert len(chosen) == len(expected) and set(chosen["id"]) == set(full["id"].iloc[expected])
    exported = json.loads(data.export_file("parcels", sel, "geojson", "wgs84"))
    assert sorted(f["properties"]["id"] for f in exported["features"]) == sorted(chosen["id"])


def test_on_the_amap_basemap_the_page_says_why_the_layer_is_not_drawn():
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.sidebar.selectbox(key="basemap").set_value("amap").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("宗地" in w.value and "高德底图" in w.value for w in at.warning), [w.value for w in at.warning]
    import data

    payload = data.map_payload(Selection(), ("parcels",), "amap", "industry", "zh", False, None)
    assert "vectorGrid" not in payload["script"]


def test_a_damaged_tile_cache_is_rebuilt_and_said(workspace):
    from zkq_geo.render.tiles import TILESET_FILE, ensure_tiles

    folder = workspace.tiles_dir(workspace.latest("parcels"))
    ensure_tiles(workspace.read_layer("parcels"), folder)
    (folder / TILESET_FILE).write_text("{damaged", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("宗地" in i.value and "已重新生成" in i.value for i in at.info), [i.value for i in at.info]
    assert read_tileset(folder) is not None


def test_tiles_that_cannot_be_made_leave_the_layer_off_the_map_only(workspace, monkeypatch, tmp_path):
    from zkq_geo.render import tiles

    broken = tmp_path / "tippecanoe"
    broken.write_text("#!/bin/sh\necho 'out of disk space' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr(tiles, "tippecanoe_binary", lambda: broken)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = [w.value for w in at.warning if "宗地" in w.value]
    assert len(said) == 1 and "无法以地图瓦片绘制" in said[0] and "out of disk space" in said[0], said
    import data

    assert len(data.selected("parcels", Selection())) == N  # the table and exports still have it
