"""What a ledger join computed, kept as data (:class:`Computed`: target column, ledger column,
unit): the CLI's English lines are unchanged, and :func:`computed_text` words each step for a
planner with field labels and unit words, never a column code."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from zkq_geo.importing.ledger_join import Computed, UnitSpec, computed_text, join_ledger

CODE = re.compile(r"\b(land_area_mu|investment_yi|\w+_wan_per_mu|\w+_previous|mu|wan|yuan)\b")


def _joined(**units):
    layer = gpd.GeoDataFrame(
        {"id": ["f0"], "name": ["甲"], "land_area_mu": [10.0]},
        geometry=[shapely.Point(113.75, 34.72)],
        crs="EPSG:4326",
    )
    table = pd.DataFrame({"name": ["甲"], "面积": ["20"], "总投资": ["15000"], "税收": ["300000"]})
    return join_ledger(layer, table, key="name", units=UnitSpec(**units))


@pytest.fixture(scope="module")
def report():
    _, report = _joined(
        land_col="面积", land_unit="mu", investment_col="总投资", per_mu_cols=("税收",), money_unit="wan"
    )
    return report


def test_the_report_keeps_target_source_and_unit(report):
    assert report.computed == (
        Computed("previous", "land_area_mu", "land_area_mu_previous"),
        Computed("land", "land_area_mu", "面积", "mu"),
        Computed("investment", "investment_yi", "总投资", "wan"),
        Computed("per_mu", "税收_wan_per_mu", "税收", "wan"),
    )


def test_the_cli_lines_and_the_json_are_as_before(report):
    computed = [line for line in report.lines() if line.startswith("computed: ")]
    assert computed == [
        "computed: earlier land_area_mu values kept as land_area_mu_previous",
        "computed: land_area_mu (亩) from '面积' in 亩",
        "computed: investment_yi (亿元) from '总投资' in 万元",
        "computed: 税收_wan_per_mu (万元/亩) = '税收' in 万元 / land_area_mu",
    ]
    assert report.to_dict()["computed"] == [c.removeprefix("computed: ") for c in computed]


def test_chinese_words_use_field_labels_and_unit_words(report):
    assert report.computed_texts("zh") == [
        "用地面积（亩）：图层原有的值与新值不同，已另存一列保留",
        "用地面积（亩）← 台账列「面积」（亩）",
        "投资额（亿元）← 台账列「总投资」（万元）",
        "税收（亩均，万元/亩） = 台账列「税收」（万元）÷ 用地面积（亩）",
    ]
    for text in report.computed_texts("zh"):
        assert not CODE.search(text), text


def test_english_words_use_field_labels_too(report):
    texts = report.computed_texts("en")
    assert texts[1] == "Land area (亩) ← ledger column '面积', in mu (亩)"
    assert texts[3] == "税收 per mu (万元/亩) = ledger column '税收', in 10,000 yuan (万元), ÷ Land area (亩)"
    for text in texts:
        assert not re.search(r"\b(land_area_mu|investment_yi|_wan_per_mu|_previous)", text), text


@pytest.mark.parametrize("unit, zh", [("m2", "平方米"), ("ha", "公顷")])
def test_land_units_are_words(unit, zh):
    assert computed_text(Computed("land", "land_area_mu", "面积", unit), "zh") == (
        f"用地面积（亩）← 台账列「面积」（{zh}）"
    )
