from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from zkq_geo.analysis.join import attach_alt_figures, format_figure, join_attributes, report_join
from zkq_geo.errors import JoinError, OptionError, SchemaError


def _points(ids):
    return gpd.GeoDataFrame(
        {"id": ids}, geometry=[Point(113.7 + i / 100, 34.7) for i in range(len(ids))], crs="EPSG:4326"
    )


def test_report_counts_matches_misses_duplicates_and_type_mismatches():
    r = report_join(pd.Series(["a", "b", "0012", "c", "c"]), pd.Series(["a", "b", "12", "z"]))
    assert r.matched == 2
    assert r.unmatched_left == ("0012", "c")
    assert r.unmatched_right == ("12", "z")
    assert r.duplicate_left == ("c",)
    assert r.type_mismatches == (("0012", "12"),)
    assert not r.clean
    assert "0012" in r.summary()


def test_left_join_keeps_all_features_and_order():
    gdf = _points(["p2", "p1", "p3"])
    table = pd.DataFrame({"id": ["p1", "p2", "x"], "name": ["一", "二", "外"]})
    out, report = join_attributes(gdf, table)
    assert out["id"].tolist() == ["p2", "p1", "p3"]
    assert out["name"].fillna("").tolist() == ["二", "一", ""]
    assert out.crs == gdf.crs and report.unmatched_left == ("p3",) and report.unmatched_right == ("x",)
    assert gdf.columns.tolist() == ["id", "geometry"]  # input untouched


def test_inner_join_and_other_key_name():
    gdf = _points(["p1", "p2"])
    table = pd.DataFrame({"code": [" p2 "], "v": [1.5]})
    out, report = join_attributes(gdf, table, table_key="code", how="inner")
    assert out["id"].tolist() == ["p2"] and out["v"].tolist() == [1.5] and "code" not in out


def test_duplicate_table_keys_refuse_to_multiply_features():
    with pytest.raises(JoinError, match="not unique: p1"):
        join_attributes(_points(["p1"]), pd.DataFrame({"id": ["p1", "p1"], "v": [1, 2]}))


def test_missing_key_and_bad_how():
    with pytest.raises(SchemaError, match="no key column 'code'"):
        join_attributes(_points(["p1"]), pd.DataFrame({"id": ["p1"]}), table_key="code")
    with pytest.raises(OptionError, match="how="):
        report_join(pd.Series(["a"]), pd.Series(["a"]), how="outer")


def test_clashing_columns_are_suffixed():
    gdf = _points(["p1"]).assign(name="几何")
    out, _ = join_attributes(gdf, pd.DataFrame({"id": ["p1"], "name": ["表"]}))
    assert out["name"].tolist() == ["几何"] and out["name_joined"].tolist() == ["表"]


def test_alt_figures_mark_conflicts_with_sources():
    df = pd.DataFrame({"id": ["a", "b"]})
    alt = pd.DataFrame(
        {
            "id": ["a"],
            "layer": ["parks"],
            "field": ["investment_yi"],
            "value": [30.0],
            "qualifier": ["at_least"],
            "source_name": ["某园"],
            "source": ["001.txt"],
            "note": [""],
        }
    )
    out = attach_alt_figures(df, alt, "parks")
    assert out["has_conflict"].tolist() == [True, False]
    assert out["conflicts"][0] == "investment_yi: ≥30亿元（某园；001.txt）"
    assert format_figure(31, "exact") == "31亿元"
