"""AppTest: a layer over the inline-map limits (ZKQ_MAP_MAX_FEATURES / _VERTICES) is not drawn,
the page says so in the UI language, and every other layer, the table and the export still work."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from zkq_geo.limits import map_load
from zkq_geo.workspace import Workspace

APP = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch, fresh_caches) -> Workspace:
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    return Workspace()


def _points(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"d{i}" for i in range(n)], "name": [f"大图层点{i}" for i in range(n)]},
        geometry=[shapely.Point(113.75 + i / 1000, 34.72) for i in range(n)],
        crs="EPSG:4326",
    )


def test_map_load_counts_features_and_coordinates(monkeypatch):
    square = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:4547")
    load = map_load(square)
    assert (load.features, load.vertices, load.too_big) == (1, 5, False)
    monkeypatch.setenv("ZKQ_MAP_MAX_VERTICES", "4")
    assert map_load(square).too_big


def test_a_layer_over_the_map_limit_is_not_drawn_and_the_page_says_so(workspace, monkeypatch):
    workspace.save_layer("big", _points(30), title="大图层")
    monkeypatch.setenv("ZKQ_MAP_MAX_FEATURES", "20")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any("大图层" in w and "30 个要素" in w and "未在地图上绘制" in w for w in warnings), warnings
    import data  # the app's data module, as the page used it

    from zkq_geo.analysis.selection import Selection

    payload = data.map_payload(Selection(), ("parks", "big"), "none", "industry", "zh", False, None)
    text = str(payload)
    assert "大图层点1" not in text and "振兴科创园" in text  # parks drawn, the big layer not
    counts = {m.label: m.value for m in at.metric}
    assert counts["小微企业园"] == "10"
