"""Ledger joins: by key (type mismatches reported, duplicates refused), by name with aliases,
units declared by the user, per-mu figures recomputed with known answers."""

from __future__ import annotations

import geopandas as gpd
import importdata as d
import numpy as np
import pandas as pd
import pytest
import shapely

from zkq_geo.errors import JoinError, OptionError, SchemaError
from zkq_geo.importing.ledger_join import UnitSpec, join_ledger, match_names, preview_join
from zkq_geo.importing.sheets import read_sheet
from zkq_geo.layers import load_layer


def _layer(names, **cols):
    return gpd.GeoDataFrame(
        {"id": [f"f{i}" for i in range(len(names))], "name": names, **cols},
        geometry=[shapely.Point(113.75, 34.72)] * len(names),
        crs="EPSG:4326",
    )


def test_key_join_reports_type_mismatches_and_unmatched_rows():
    layer = _layer(["a", "b", "c"], code=["0012", "13", "14"])
    table = pd.DataFrame({"code": ["12", "13", "99"], "tax": ["1", "2", "3"]})
    report = preview_join(layer, table, key="code")
    assert report.join.matched == 1 and report.join.type_mismatches == (("0012", "12"),)
    assert report.join.unmatched_left == ("0012", "14") and report.join.unmatched_right == ("12", "99")
    text = "\n".join(report.lines())
    assert "type mismatch (not joined): layer '0012' vs table '12'" in text and "99" in text
    joined, _ = join_ledger(layer, table, key="code", how="inner")
    assert joined["name"].tolist() == ["b"]


def test_duplicate_table_keys_are_reported_then_refused():
    layer = _layer(["a", "b"])
    table = pd.DataFrame({"name": ["a", "a", "b"], "v": ["1", "2", "3"]})
    assert preview_join(layer, table, key="name").join.duplicate_right == ("a",)
    with pytest.raises(JoinError, match="not unique: a"):
        join_ledger(layer, table, key="name")


def test_name_matching_uses_aliases_and_ignores_spaces_and_quotes():
    parks = load_layer("parks").gdf  # 建业之窗 has the alias 建筑科技产业园
    table = pd.DataFrame(
        {"园区": ["建筑科技产业园", " 中兴产业园 ", "不存在的园"], "税收": ["100", "200", "1"]}
    )
    joined, report = join_ledger(parks, table, key="name", table_key="园区", match="name")
    assert ("建筑科技产业园", "建业之窗") in report.by_alias
    assert report.join.matched == 2 and report.join.unmatched_right == ("不存在的园",)
    row = joined.set_index("id").loc["park_jianye"]
    assert row["税收"] == "100" and row["园区"] == "建筑科技产业园"
    assert len(joined) == len(parks)


def test_ambiguous_names_are_not_joined():
    layer = _layer(["甲园", "乙园"], aliases=["园区|东区", "园区"])
    canonical, by_alias, ambiguous = match_names(layer, pd.Series(["园区", "东区"]))
    assert canonical.tolist() == ["园区", "甲园"] and ambiguous == (("园区", ("乙园", "甲园")),)
    assert by_alias == (("东区", "甲园"),)


@pytest.mark.parametrize(
    "land_unit, land, money_unit, money, mu, yi",
    [
        ("mu", "15", "wan", "15000", 15.0, 1.5),
        ("m2", "10000", "yi", "1.5", 15.0, 1.5),
        ("ha", "1", "yuan", "150000000", 15.0, 1.5),
    ],
)
def test_units_are_converted_and_intensity_recomputed(land_unit, land, money_unit, money, mu, yi):
    layer = _layer(["甲"])
    table = pd.DataFrame({"name": ["甲"], "用地": [land], "投资": [money], "税收": [money]})
    units = UnitSpec(
        land_col="用地",
        land_unit=land_unit,
        investment_col="投资",
        per_mu_cols=("税收",),
        money_unit=money_unit,
    )
    joined, report = join_ledger(layer, table, key="name", units=units)
    row = joined.iloc[0]
    assert row["land_area_mu"] == pytest.approx(mu) and row["investment_yi"] == pytest.approx(yi)
    assert row["invest_intensity_wan_per_mu"] == pytest.approx(1000.0)  # 15000 万元 / 15 亩
    assert row["税收_wan_per_mu"] == pytest.approx(1000.0)
    assert row["invest_intensity_qualifier"] == "exact" and row["land_area_qualifier"] == "exact"
    assert any("computed: land_area_mu (亩) from '用地'" in line for line in report.lines())


def test_earlier_figures_are_kept_and_text_cells_refused():
    layer = _layer(["甲", "乙"], land_area_mu=[10.0, np.nan])
    table = pd.DataFrame({"name": ["甲", "乙"], "land_area_mu": ["20", ""]})
    joined, report = join_ledger(layer, table, key="name", units=UnitSpec(land_col="land_area_mu_joined"))
    assert joined["land_area_mu"].tolist()[0] == 20.0 and np.isnan(joined["land_area_mu"].tolist()[1])
    assert joined["land_area_mu_previous"].tolist()[0] == 10.0  # the table's clashing column is *_joined
    assert "computed: earlier land_area_mu values kept as land_area_mu_previous" in report.lines()
    bad = pd.DataFrame({"name": ["甲"], "用地": ["约50"]})
    with pytest.raises(SchemaError, match="not numbers: 甲='约50'"):
        join_ledger(layer, bad, key="name", units=UnitSpec(land_col="用地"))
    with pytest.raises(SchemaError, match="need a land-area column"):
        join_ledger(layer, bad, key="name", units=UnitSpec(investment_col="用地"))
    with pytest.raises(OptionError, match="land unit"):
        join_ledger(layer, bad, key="name", units=UnitSpec(land_col="用地", land_unit="acre"))


def test_acceptance_ledger_by_name_gives_the_hand_computed_intensities(tmp_path):
    from zkq_geo.importing.reader import read_import

    gdf, _ = read_import(d.gbk_shapefile_zip(tmp_path))
    sheet = read_sheet(d.ledger_xlsx(tmp_path / "ledger.xlsx"))
    assert sheet.header_row == 2 and list(sheet.frame.columns)[:3] == [
        "企业名称",
        "总投资（万元）",
        "用地面积（亩）",
    ]
    units = UnitSpec(
        land_col="用地面积（亩）", land_unit="mu", investment_col="总投资（万元）", money_unit="wan"
    )
    joined, report = join_ledger(
        gdf, sheet.frame, key="name", table_key="企业名称", match="name", units=units
    )
    got = dict(zip(joined["name"], joined["invest_intensity_wan_per_mu"], strict=False))
    assert got == pytest.approx(d.EXPECTED_INTENSITY)
    assert report.join.unmatched_right == ("台账里多出的企业",) and report.join.matched == 3


# ----------------------------------------------------------------------------- impossible figures
def test_impossible_land_and_investment_are_refused_with_every_row_and_reason():
    layer = _layer(["甲", "乙", "丙", "丁", "戊"])
    table = pd.DataFrame(
        {
            "name": ["甲", "乙", "丙", "丁", "戊"],
            "用地": ["0", "-5", "1e-320", "10", "10"],
            "投资": ["100", "100", "100", "1e309", "100"],
        }
    )
    units = UnitSpec(land_col="用地", investment_col="投资")
    with pytest.raises(SchemaError) as caught:
        join_ledger(layer, table, key="name", units=units)
    text = str(caught.value)
    assert "甲='0' (zero)" in text and "乙='-5' (negative)" in text
    assert "丙='1e-320' (below the minimum land area of 1 m² (0.0015 亩))" in text
    assert "'投资': 丁='1e309' (not a finite number)" in text and "戊" not in text
    zh = caught.value.text("zh")
    assert (
        "甲 的值 '0'（为零）" in zh
        and "丁 的值 '1e309'（不是有限数值）" in zh
        and "台账中有不可能的数值" in zh
    )


@pytest.mark.parametrize(
    "land_unit, land, money, fault",
    [
        ("m2", "0.5", "100", "below the minimum"),  # 0.5 m2 = 0.00075 亩: under 1 m2
        ("mu", "inf", "100", "not a finite number"),
        ("mu", "10", "0", "zero"),  # no investment is not an investment intensity of 0
        ("mu", "10", "-1", "negative"),
    ],
)
def test_each_impossible_figure_is_refused(land_unit, land, money, fault):
    table = pd.DataFrame({"name": ["甲"], "用地": [land], "投资": [money]})
    units = UnitSpec(land_col="用地", land_unit=land_unit, investment_col="投资")
    with pytest.raises(SchemaError, match=f"impossible figures in the ledger: .*{fault}"):
        join_ledger(_layer(["甲"]), table, key="name", units=units)


def test_per_mu_money_must_be_finite_and_not_negative_zero_is_fine():
    layer = _layer(["甲", "乙"])
    units = UnitSpec(land_col="用地", per_mu_cols=("税收",))
    ok = pd.DataFrame({"name": ["甲", "乙"], "用地": ["10", "10"], "税收": ["0", "5"]})
    joined, _ = join_ledger(layer, ok, key="name", units=units)
    assert joined["税收_wan_per_mu"].tolist() == [0.0, 0.5]
    bad = ok.assign(税收=["-3", "inf"])
    with pytest.raises(
        SchemaError, match="'税收': 甲='-3' \\(negative\\), 乙='inf' \\(not a finite number\\)"
    ):
        join_ledger(layer, bad, key="name", units=units)
    # a row the layer does not have is not joined, so its figure is not checked
    extra = pd.DataFrame({"name": ["甲", "乙", "外"], "用地": ["10", "10", "-1"], "税收": ["1", "1", "1"]})
    assert len(join_ledger(layer, extra, key="name", units=units)[0]) == 2
