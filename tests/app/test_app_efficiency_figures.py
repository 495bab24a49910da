"""AppTest: on the 亩均 page an imported feature with an impossible figure (zero or negative land,
infinite investment) is named with the reason, in Chinese, and is not ranked."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
import shapely
from apppages import open_page
from streamlit.testing.v1 import AppTest

from zkq_geo.workspace import Workspace


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch, fresh_caches) -> Workspace:
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    return Workspace()


def efficiency_page_with(workspace: Workspace, name: str, title: str, columns: dict, lons) -> AppTest:
    """The 亩均 page, opened without an exception, after saving a layer of points at (lon, 34.72)."""
    gdf = gpd.GeoDataFrame(columns, geometry=[shapely.Point(lon, 34.72) for lon in lons], crs="EPSG:4326")
    workspace.save_layer(name, gdf, title=title)
    return open_page("app_pages/efficiency_page.py")


def test_impossible_figures_are_named_with_the_reason_and_not_ranked(workspace):
    columns = {
        "id": ["a", "b", "c"],
        "name": ["零地块", "负地块", "好地块"],
        "land_area_mu": [0.0, -5.0, 10.0],
        "investment_yi": [1.0, 1.0, 2.0],
    }
    at = efficiency_page_with(workspace, "odd", "怪数", columns, [113.75 + i / 100 for i in range(3)])
    warning = next(w.value for w in at.warning if "不参与排名" in w.value)
    assert "零地块" in warning and "负地块" in warning and "好地块" not in warning


def test_a_big_layer_ranks_the_top_features_in_the_chart_and_says_so(workspace):
    n = 120
    columns = {
        "id": [f"p{i}" for i in range(n)],
        "name": [f"地块{i}" for i in range(n)],
        "land_area_mu": [10.0] * n,
        "investment_yi": [float(i + 1) for i in range(n)],
    }
    at = efficiency_page_with(workspace, "many", "多地块", columns, [113.7 + i / 1000 for i in range(n)])
    caption = next(c.value for c in at.caption if "图中为前 60 名" in c.value)
    total = int(re.search(r"共 ([\d,]+) 个要素有投资强度", caption).group(1).replace(",", ""))
    assert total >= n  # the imported features and the shipped ones with an intensity
