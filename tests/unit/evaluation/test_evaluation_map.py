"""Tests of zkq_geo.evaluation.class_map: one layer per class, escaped tooltips, nothing remote."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from zkq_geo.errors import SchemaError
from zkq_geo.evaluation.class_map import abcd_map
from zkq_geo.evaluation.evaluate import evaluate, evaluation_points, join_parcels
from zkq_geo.evaluation.scheme import load_scheme
from zkq_geo.render.assets import remote_urls

NAN = float("nan")


@pytest.fixture(scope="module")
def evaluation():
    rows = [
        {
            "credit_code": f"F{k}",
            "name": name,
            "land_area_mu": 10.0,
            "tax_wan": tax,
            "revenue_wan": 10 * tax,
            "electricity_kwh": 1e5,
            "land_status": "owned",
            "special": special,
            "lon": 113.75 + k / 100,
            "lat": 34.70,
        }
        for k, (name, tax, special) in enumerate(
            [
                ("<img src=x onerror=alert(1)>", 900, ""),
                ("{{ 7*7 }}", 500, ""),
                ("丙", 300, ""),
                ("丁", 100, ""),
                ("公用", 50, "utility"),
            ]
        )
    ]
    rows.append(
        {
            "credit_code": "X",
            "name": "无地",
            "land_area_mu": NAN,
            "tax_wan": 1,
            "revenue_wan": 1,
            "electricity_kwh": 1,
            "land_status": "owned",
            "special": "",
            "lon": 113.8,
            "lat": 34.71,
        }
    )
    return evaluate(pd.DataFrame(rows), load_scheme("huaian"))


def rendered(m) -> str:
    """The page with JSON's \\uXXXX escapes decoded, as the browser sees the strings."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), m.get_root().render())


def test_one_layer_per_class_with_counts_and_excluded_left_out(evaluation):
    html = rendered(abcd_map(evaluation_points(evaluation)))
    # 4 graded firms (cuts 20/60/95%): A, B, B, C; one utility rated only; the firm without land is not drawn
    assert "A 类 (1)" in html and "B 类 (2)" in html and "C 类 (1)" in html and "只评分不分类 (1)" in html
    assert "D 类" not in html and "无地" not in html


def test_tooltips_are_escaped(evaluation):
    html = rendered(abcd_map(evaluation_points(evaluation), lang="en"))
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{ 7*7 }}" not in html and "&#123;&#123; 7*7 &#125;&#125;" in html
    assert "Class A (1)" in html and "Rated, not graded (1)" in html


def test_parcels_without_a_firm_get_their_own_layer(evaluation):
    parcels = gpd.GeoDataFrame(
        {"credit_code": ["F0", "ZZ"]},
        geometry=[box(113.75, 34.70, 113.751, 34.701), box(113.76, 34.70, 113.761, 34.701)],
        crs="EPSG:4326",
    )
    joined, _ = join_parcels(evaluation, parcels)
    html = rendered(abcd_map(joined))
    assert "A 类 (1)" in html and "无对应企业的地块 (1)" in html


def test_localized_map_fetches_nothing_remote(evaluation):
    from zkq_geo.render.assets import missing_assets

    if missing_assets():
        pytest.skip("vendored Leaflet files are not installed (bash scripts/setup.sh)")
    m = abcd_map(
        evaluation_points(evaluation),
        backdrop=gpd.GeoDataFrame(geometry=[Point(113.8, 34.7).buffer(0.05)], crs="EPSG:4326"),
        asset_base_url="/app/static/vendor/",
    )
    assert remote_urls(m.get_root().render()) == []


def test_needs_a_class_column():
    with pytest.raises(SchemaError, match="'class' column"):
        abcd_map(gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(0, 0)], crs="EPSG:4326"))


def test_the_first_view_is_one_fit_without_animation(evaluation):
    html = rendered(abcd_map(evaluation_points(evaluation)))
    fits = re.findall(r"fitBounds\(\s*\[\[.*?\]\]\s*,\s*(\{.*?\})\s*\)", html, flags=re.S)
    assert len(fits) == 1 and '"animate": false' in fits[0] and '"paddingTopLeft": [20, 20]' in fits[0]
