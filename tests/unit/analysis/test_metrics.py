"""Tests of zkq_geo.analysis.metrics with hand-computed answers."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from zkq_geo.analysis.metrics import (
    MIN_LAND_AREA_MU,
    add_efficiency,
    classify_abcd,
    figure_faults,
    impossible_figures,
    rank_by_intensity,
    summarize_efficiency,
    zone_per_mu,
)
from zkq_geo.errors import OptionError, SchemaError

NAN = float("nan")


def features(rows: list[dict]) -> pd.DataFrame:
    """A park/project table; columns not given default to 'unknown'."""
    defaults = {
        "id": "",
        "name": "",
        "aliases": "",
        "layer": "parks",
        "industry": "auto",
        "industries": "auto",
        "plate_id": "",
        "investment_yi": NAN,
        "investment_qualifier": "",
        "land_area_mu": NAN,
        "land_area_qualifier": "",
        "floor_area_m2": NAN,
        "floor_area_qualifier": "",
    }
    return pd.DataFrame([{**defaults, **row} for row in rows])


@pytest.fixture
def parks() -> pd.DataFrame:
    return features(
        [
            # 35 * 10000 / 295 = 1186.440678 万元/亩 (建业之窗, 专栏4-2)
            {
                "id": "p_exact",
                "investment_yi": 35,
                "investment_qualifier": "exact",
                "land_area_mu": 295,
                "land_area_qualifier": "exact",
            },
            # "超30亿" on 180 亩: 30 * 10000 / 180 = 1666.67, a lower bound
            {
                "id": "p_atleast",
                "investment_yi": 30,
                "investment_qualifier": "at_least",
                "land_area_mu": 180,
                "land_area_qualifier": "exact",
            },
            # floor area only: no per-mu figure, never divided by floor area
            {
                "id": "p_floor",
                "investment_yi": 12,
                "investment_qualifier": "exact",
                "floor_area_m2": 80000,
                "floor_area_qualifier": "exact",
            },
            # 100000 m2 floor on 150 亩 = 100000 m2 land: FAR 1.0; no investment
            {
                "id": "p_far",
                "land_area_mu": 150,
                "land_area_qualifier": "exact",
                "floor_area_m2": 100000,
                "floor_area_qualifier": "exact",
            },
        ]
    )


# ----------------------------------------------------------------------------- add_efficiency
def test_intensity_exact(parks):
    row = add_efficiency(parks).set_index("id").loc["p_exact"]
    assert row["invest_intensity_wan_per_mu"] == pytest.approx(1186.44, abs=0.005)
    assert row["invest_intensity_qualifier"] == "exact"
    assert row["land_area_m2"] == pytest.approx(295 * 10000 / 15)


def test_intensity_lower_bound_investment(parks):
    row = add_efficiency(parks).set_index("id").loc["p_atleast"]
    assert row["invest_intensity_wan_per_mu"] == pytest.approx(1666.67, abs=0.005)
    assert row["invest_intensity_qualifier"] == "at_least"


def test_floor_area_only_gives_no_intensity(parks):
    row = add_efficiency(parks).set_index("id").loc["p_floor"]
    assert math.isnan(row["invest_intensity_wan_per_mu"])
    assert row["invest_intensity_qualifier"] == "no_land_area"
    assert math.isnan(row["floor_area_ratio"])
    assert row["floor_area_ratio_qualifier"] == "no_land_area"


def test_floor_area_ratio_one(parks):
    row = add_efficiency(parks).set_index("id").loc["p_far"]
    assert row["land_area_m2"] == pytest.approx(100_000)
    assert row["floor_area_ratio"] == pytest.approx(1.0)
    assert row["floor_area_ratio_qualifier"] == "exact"
    assert math.isnan(row["invest_intensity_wan_per_mu"])
    assert row["invest_intensity_qualifier"] == "no_investment"


@pytest.mark.parametrize(
    ("invest_q", "land_q", "expected"),
    [
        ("exact", "exact", "exact"),
        ("", "", "exact"),  # a stated figure without qualifier is taken as stated
        ("at_least", "exact", "at_least"),
        ("exact", "at_least", "at_most"),
        ("about", "exact", "about"),
        ("exact", "about", "about"),
        ("at_least", "about", "about"),
        ("at_least", "at_least", "indeterminate"),
    ],
)
def test_intensity_qualifier_table(invest_q, land_q, expected):
    df = features(
        [
            {
                "id": "x",
                "investment_yi": 10,
                "investment_qualifier": invest_q,
                "land_area_mu": 100,
                "land_area_qualifier": land_q,
            }
        ]
    )
    out = add_efficiency(df)
    assert out["invest_intensity_wan_per_mu"].iloc[0] == pytest.approx(1000.0)
    assert out["invest_intensity_qualifier"].iloc[0] == expected


@pytest.mark.parametrize("land", [0.0, -5.0, NAN])
def test_non_positive_or_missing_land_gives_nan(land):
    df = features(
        [
            {
                "id": "x",
                "investment_yi": 10,
                "investment_qualifier": "exact",
                "land_area_mu": land,
                "land_area_qualifier": "exact",
            }
        ]
    )
    out = add_efficiency(df)
    assert math.isnan(out["invest_intensity_wan_per_mu"].iloc[0])
    assert out["invest_intensity_qualifier"].iloc[0] == "no_land_area"


def test_far_lower_bound_floor_area():
    df = features(
        [
            {
                "id": "x",
                "land_area_mu": 150,
                "land_area_qualifier": "exact",
                "floor_area_m2": 150000,
                "floor_area_qualifier": "at_least",
            }
        ]
    )
    out = add_efficiency(df)
    assert out["floor_area_ratio"].iloc[0] == pytest.approx(1.5)
    assert out["floor_area_ratio_qualifier"].iloc[0] == "at_least"
    assert out["invest_intensity_qualifier"].iloc[0] == "no_investment"


def test_add_efficiency_does_not_mutate_input(parks):
    before = parks.copy()
    out = add_efficiency(parks)
    pd.testing.assert_frame_equal(parks, before)
    assert out is not parks
    assert "invest_intensity_wan_per_mu" not in parks.columns


def test_add_efficiency_keeps_geodataframe(parks):
    gdf = gpd.GeoDataFrame(parks, geometry=[Point(0, 0)] * len(parks), crs="EPSG:4547")
    out = add_efficiency(gdf)
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == gdf.crs


def test_add_efficiency_names_missing_columns(parks):
    with pytest.raises(SchemaError, match="land_area_mu.*floor_area_m2"):
        add_efficiency(parks.drop(columns=["land_area_mu", "floor_area_m2"]))


def test_add_efficiency_rejects_unknown_qualifier():
    df = features([{"id": "x", "investment_yi": 10, "investment_qualifier": "approx"}])
    with pytest.raises(SchemaError, match="approx"):
        add_efficiency(df)


def test_add_efficiency_rejects_text_figures():
    df = features([{"id": "x", "investment_yi": "超30亿"}])
    with pytest.raises(SchemaError, match="investment_yi"):
        add_efficiency(df)


# ----------------------------------------------------------------------------- zone_per_mu
@pytest.fixture
def zone_row() -> pd.Series:
    return pd.Series(
        {
            "id": "zone",
            "planned_area_km2": 158.7,
            "gdp_yi": 1265.9,
            "industrial_va_yi": 581.1,
            "fixed_investment_yi": 432.9,
            "budget_revenue_yi": 103.3,
            "trade_yi": 580.0,
            "population_wan": 34.0,
            "figures_year": 2022,
            "source": "seed 000",
        }
    )


def test_zone_gdp_per_mu(zone_row):
    out = zone_per_mu(zone_row).set_index("indicator")
    gdp = out.loc["gdp_wan_per_mu"]
    # 1265.9 亿元 = 12,659,000 万元; 158.7 km2 * 1500 = 238,050 亩
    assert gdp["value"] == pytest.approx(53.18, abs=0.005)
    assert gdp["unit"] == "万元/亩"
    assert gdp["numerator"] == "gdp_yi = 1265.9"
    assert gdp["denominator"] == "planned_area_km2 158.7 km2 = 238050 亩"
    assert gdp["year"] == 2022
    assert gdp["source"] == "seed 000"
    assert gdp["numerator_yi"] == 1265.9 and gdp["denominator_mu"] == pytest.approx(238050)


def test_zone_all_indicators(zone_row):
    out = zone_per_mu(zone_row)
    assert out["indicator"].tolist() == [
        "gdp_wan_per_mu",
        "industrial_va_wan_per_mu",
        "budget_revenue_wan_per_mu",
        "fixed_investment_wan_per_mu",
    ]
    values = dict(zip(out["indicator"], out["value"], strict=False))
    assert values["industrial_va_wan_per_mu"] == pytest.approx(581.1e4 / 238050)
    assert values["budget_revenue_wan_per_mu"] == pytest.approx(103.3e4 / 238050)
    assert values["fixed_investment_wan_per_mu"] == pytest.approx(432.9e4 / 238050)
    words = "indicator label_zh label_en value unit numerator denominator year source"
    assert list(out.columns) == [*words.split(), "numerator_yi", "denominator_mu"]


def test_zone_accepts_one_row_frame(zone_row):
    frame = zone_row.to_frame().T
    pd.testing.assert_frame_equal(zone_per_mu(frame), zone_per_mu(zone_row))


def test_zone_missing_figure_gives_nan(zone_row):
    out = zone_per_mu(zone_row.copy().replace({103.3: NAN})).set_index("indicator")
    assert math.isnan(out.loc["budget_revenue_wan_per_mu", "value"])
    assert out.loc["budget_revenue_wan_per_mu", "numerator"] == "budget_revenue_yi = unknown"


def test_zone_errors(zone_row):
    with pytest.raises(SchemaError, match="gdp_yi"):
        zone_per_mu(zone_row.drop("gdp_yi"))
    bad = zone_row.copy()
    bad["planned_area_km2"] = 0
    with pytest.raises(SchemaError, match="planned_area_km2"):
        zone_per_mu(bad)


# ----------------------------------------------------------------------------- summarize
@pytest.fixture
def two_parks() -> pd.DataFrame:
    # Ratios 1000 and 100 万元/亩: mean of ratios 550, pooled (10+10)*10000/(100+1000) = 181.82
    return features(
        [
            {
                "id": "a",
                "industry": "auto",
                "plate_id": "plate_x",
                "investment_yi": 10,
                "investment_qualifier": "exact",
                "land_area_mu": 100,
                "land_area_qualifier": "exact",
            },
            {
                "id": "b",
                "industry": "auto",
                "plate_id": "",
                "investment_yi": 10,
                "investment_qualifier": "exact",
                "land_area_mu": 1000,
                "land_area_qualifier": "exact",
            },
        ]
    )


def test_pooled_ratio_not_mean_of_ratios(two_parks):
    row = summarize_efficiency(two_parks, "industry").iloc[0]
    mean_of_ratios = add_efficiency(two_parks)["invest_intensity_wan_per_mu"].mean()
    assert mean_of_ratios == pytest.approx(550.0)
    assert row["invest_intensity_wan_per_mu"] == pytest.approx(181.82, abs=0.005)
    assert row["invest_intensity_qualifier"] == "exact"


def test_summary_counts_and_totals(parks):
    out = summarize_efficiency(parks, "industry")
    assert out.columns[0] == "industry"
    row = out.iloc[0]
    assert row["industry"] == "auto"
    assert row["feature_count"] == 4
    assert row["with_land_count"] == 3
    assert row["with_investment_count"] == 3
    assert row["lower_bound_count"] == 1
    assert row["investment_yi_total"] == pytest.approx(35 + 30 + 12)
    assert bool(row["investment_total_is_lower_bound"]) is True
    assert row["land_area_mu_total"] == pytest.approx(295 + 180 + 150)
    # pooled over features with both figures: (35 + 30) * 10000 / (295 + 180)
    assert row["intensity_count"] == 2
    assert row["invest_intensity_wan_per_mu"] == pytest.approx(650000 / 475)
    assert row["invest_intensity_qualifier"] == "at_least"


def test_summary_by_plate_unassigned_last(two_parks):
    extra = features([{"id": "c", "plate_id": "plate_a"}])
    out = summarize_efficiency(pd.concat([two_parks, extra], ignore_index=True), "plate")
    assert out["plate_id"].tolist() == ["plate_a", "plate_x", "unassigned"]
    unassigned = out.set_index("plate_id").loc["unassigned"]
    assert unassigned["invest_intensity_wan_per_mu"] == pytest.approx(100.0)
    plate_a = out.set_index("plate_id").loc["plate_a"]
    assert math.isnan(plate_a["investment_yi_total"])
    assert math.isnan(plate_a["invest_intensity_wan_per_mu"])
    assert plate_a["invest_intensity_qualifier"] == "no_land_area"


def test_summary_by_layer_and_order_is_deterministic(two_parks):
    df = two_parks.assign(layer=["projects", "parks"])
    first = summarize_efficiency(df, "layer")
    again = summarize_efficiency(df.iloc[::-1], "layer")
    assert first["layer"].tolist() == ["parks", "projects"]
    pd.testing.assert_frame_equal(first, again)


def test_summary_rejects_bad_by(parks):
    with pytest.raises(OptionError, match="'industry', 'layer', 'plate'"):
        summarize_efficiency(parks, "park")


def test_summary_of_empty_table(parks):
    out = summarize_efficiency(parks.iloc[0:0], "industry")
    assert len(out) == 0
    assert "invest_intensity_wan_per_mu" in out.columns


# ----------------------------------------------------------------------------- ranking
def test_rank_by_intensity(parks):
    extra = features(
        [
            {
                "id": "a_tie",
                "investment_yi": 35,
                "investment_qualifier": "exact",
                "land_area_mu": 295,
                "land_area_qualifier": "exact",
            },
        ]
    )
    df = pd.concat([parks, extra], ignore_index=True)
    out = rank_by_intensity(df)
    assert out["id"].tolist() == ["p_atleast", "a_tie", "p_exact", "p_far", "p_floor"]
    assert out["intensity_rank"].tolist()[:3] == [1, 2, 2]
    assert out["intensity_rank"].iloc[3:].isna().all()
    assert str(out["intensity_rank"].dtype) == "Int64"
    assert out.index.tolist() == [1, 4, 0, 3, 2]  # original labels kept


def test_rank_uses_existing_intensity_column():
    df = pd.DataFrame({"id": ["b", "a", "c"], "invest_intensity_wan_per_mu": [5.0, 5.0, NAN]})
    out = rank_by_intensity(df)
    assert out["id"].tolist() == ["a", "b", "c"]
    assert "intensity_rank" not in df.columns


# ----------------------------------------------------------------------------- classify_abcd
def test_classify_twenty_distinct_values():
    classes = classify_abcd(np.arange(20.0))
    assert classes.value_counts().to_dict() == {"A": 4, "B": 8, "C": 7, "D": 1}
    assert classes.iloc[19] == "A"  # the highest value
    assert classes.iloc[0] == "D"  # the lowest value


def test_classify_ties_get_same_better_class():
    # 5 values: cut counts 1, 3, 4.75. The tied 4s share rank 2 -> B; the tied 1s rank 4 -> C.
    classes = classify_abcd([9.0, 4.0, 4.0, 1.0, 1.0])
    assert classes.tolist() == ["A", "B", "B", "C", "C"]


def test_classify_ties_across_a_cut():
    # 10 values, A = 2 slots; three tied top values all get A
    classes = classify_abcd([7.0, 7.0, 7.0] + list(range(7)))
    assert classes.tolist()[:3] == ["A", "A", "A"]
    assert (classes == "A").sum() == 3


def test_classify_nan_not_graded_and_index_kept():
    values = pd.Series([3.0, NAN, 1.0, 2.0, None], index=list("vwxyz"))
    classes = classify_abcd(values)
    assert classes.index.tolist() == list("vwxyz")
    assert classes["w"] == "" and classes["z"] == ""
    assert classes["v"] == "A"
    assert classes.name == "abcd_class"


def test_classify_all_nan():
    assert classify_abcd([NAN, NAN]).tolist() == ["", ""]


@pytest.mark.parametrize(
    "cuts",
    [(0.6, 0.2, 0.95), (0.2, 0.2, 0.9), (0, 0.5, 0.9), (0.2, 0.6, 1.2), (0.2, 0.6), ("a", 0.6, 0.9), None],
)
def test_classify_rejects_bad_cuts(cuts):
    with pytest.raises(OptionError, match="cuts"):
        classify_abcd([1.0, 2.0], cuts=cuts)


def test_classify_cut_of_one_leaves_no_d():
    classes = classify_abcd(np.arange(10.0), cuts=(0.3, 0.7, 1.0))
    assert classes.value_counts().to_dict() == {"A": 3, "B": 4, "C": 3}


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=200),
    cuts=st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=3, max_size=3, unique=True)
    .map(sorted)
    .filter(lambda c: c[0] < c[1] < c[2])
    | st.just([0.2, 0.6, 0.95]),
)
def test_classify_counts_match_cuts(n, cuts):
    classes = classify_abcd(np.random.default_rng(n).permutation(n).astype(float), cuts=tuple(cuts))
    shares = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 1 - cuts[2]]
    for label, share in zip("ABCD", shares, strict=False):
        assert abs((classes == label).sum() - share * n) < 1 + 1e-9


# ----------------------------------------------------------------------------- impossible figures
IMPOSSIBLE = [
    # id, investment_yi, land_area_mu: every one is left out, never ranked, never divided
    ("inf_invest", float("inf"), 10.0),
    ("tiny_land", 1.0, 1e-320),  # a denormal: 1 x 10000 / 1e-320 would be inf
    ("neg_land", 2.0, -5.0),
    ("zero_land", 2.0, 0.0),
    ("zero_invest", 0.0, 10.0),
    ("neg_invest", -1.0, 10.0),
    ("inf_land", 2.0, float("inf")),
]


def test_impossible_figures_are_never_divided_nor_ranked():
    rows = [
        {
            "id": i,
            "investment_yi": v,
            "investment_qualifier": "exact",
            "land_area_mu": m,
            "land_area_qualifier": "exact",
        }
        for i, v, m in IMPOSSIBLE
    ]
    df = features(rows + [{"id": "ok", "investment_yi": 5.0, "land_area_mu": 10.0}])
    out = add_efficiency(df)
    assert out.set_index("id")["invest_intensity_wan_per_mu"].dropna().to_dict() == {"ok": 5000.0}
    ranked = rank_by_intensity(df)
    assert ranked["id"].iloc[0] == "ok" and ranked["intensity_rank"].tolist()[0] == 1
    assert ranked["intensity_rank"].iloc[1:].isna().all()
    summary = summarize_efficiency(df, by="layer").iloc[0]
    assert summary["intensity_count"] == 1 and summary["invest_intensity_wan_per_mu"] == pytest.approx(5000.0)


def test_an_existing_inf_intensity_is_not_ranked_and_not_graded():
    df = pd.DataFrame(
        {"id": ["a", "b", "c"], "invest_intensity_wan_per_mu": [float("inf"), 5.0, -float("inf")]}
    )
    assert rank_by_intensity(df)["intensity_rank"].tolist()[:1] == [1]
    assert rank_by_intensity(df)["id"].iloc[0] == "b"
    assert classify_abcd([float("inf"), 1.0, 2.0]).tolist() == ["", "B", "A"]


def test_land_just_above_the_minimum_is_used():
    df = features([{"id": "x", "investment_yi": 1.0, "land_area_mu": MIN_LAND_AREA_MU}])
    assert add_efficiency(df)["invest_intensity_wan_per_mu"].iloc[0] == pytest.approx(1e4 / MIN_LAND_AREA_MU)
    assert figure_faults([MIN_LAND_AREA_MU * 0.99], "land").tolist() == ["below_minimum"]


def test_impossible_figures_names_each_feature_and_reason_in_both_languages():
    df = features(
        [{"id": i, "name": f"名{i}", "investment_yi": v, "land_area_mu": m} for i, v, m in IMPOSSIBLE[:3]]
        + [{"id": "ok", "investment_yi": 5.0, "land_area_mu": 10.0}]
    )
    message = impossible_figures(df)
    assert message.startswith("3 feature(s) not ranked")
    assert "inf_invest 名inf_invest: investment_yi = inf (not a finite number)" in message
    assert "neg_land 名neg_land: land_area_mu = -5 (negative)" in message and "ok" not in message
    assert (
        "tiny_land 名tiny_land: land_area_mu = 9.99989e-321 (below the minimum land area of 1 m²" in message
    )
    assert "neg_land 名neg_land：land_area_mu 的值为 -5（为负数）" in message.text("zh")
    assert message.text("zh").startswith("3 个要素的数值不可能成立")
    assert impossible_figures(features([{"id": "ok", "investment_yi": 5.0, "land_area_mu": 10.0}])) is None


def test_figure_faults_rules():
    values = [10.0, 0.0, -1.0, float("inf"), -float("inf"), NAN, 1e-9]
    faults = {
        rule: figure_faults(values, rule).tolist() for rule in ("land", "investment", "amount", "signed")
    }
    assert faults == {  # one column a value: 10, 0, -1, inf, -inf, nan, 1e-9
        "land": ["", "zero", "negative", "not_finite", "not_finite", "", "below_minimum"],
        "investment": ["", "zero", "negative", "not_finite", "not_finite", "", ""],
        "amount": ["", "", "negative", "not_finite", "not_finite", "", ""],
        "signed": ["", "", "", "not_finite", "not_finite", "", ""],
    }
    with pytest.raises(OptionError, match="rule"):
        figure_faults(values, "money")
