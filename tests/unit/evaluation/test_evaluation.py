"""Tests of zkq_geo.evaluation.evaluate: hand-computed answers for every preset, exclusions, ties,
summaries, geometry, and properties (scores scale with weights, class shares follow the cuts)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from evaldata import CONTRACT_TAIL
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from zkq_geo.errors import SchemaError
from zkq_geo.evaluation.evaluate import (
    evaluate,
    evaluation_points,
    join_parcels,
    summarize_classes,
    two_stage_classes,
)
from zkq_geo.evaluation.scheme import ClassRule, load_scheme, parse_scheme

NAN = float("nan")
DEFAULTS = {
    "credit_code": "",
    "name": "",
    "land_area_mu": NAN,
    "tax_wan": NAN,
    "revenue_wan": NAN,
    "value_added_wan": NAN,
    "energy_tce": NAN,
    "emissions_t": NAN,
    "employees": NAN,
    "rd_wan": NAN,
    "electricity_kwh": NAN,
    "water_t": NAN,
    "cod_t": NAN,
    "scale": "",
    "land_status": "owned",
    "special": "",
}


def ledger(*rows: dict) -> pd.DataFrame:
    """A ledger in storage units; unspecified columns are missing (NaN / "")."""
    return pd.DataFrame([{**DEFAULTS, "name": r["credit_code"], **r} for r in rows])


def by_code(evaluation) -> pd.DataFrame:
    return evaluation.table.set_index("credit_code")


def huangyan_above(code: str, land: float, k_tax: float = 1, k: float = 1, **extra) -> dict:
    """An above-scale firm at ``k`` times every 黄岩 benchmark (``k_tax`` for 亩均税收)."""
    va = 136.16 * k * land
    revenue = 1000.0 * land
    row = {
        "credit_code": code,
        "scale": "above",
        "land_area_mu": land,
        "tax_wan": 24.097 * k_tax * land,
        "value_added_wan": va,
        "energy_tce": va / (2.694 * k),
        "emissions_t": va / (4929.81 * k),
        "employees": va / (18.14 * k),
        "rd_wan": 0.0302 * k * revenue,
        "revenue_wan": revenue,
    }
    return {**row, **extra}


# ----------------------------------------------------------------------------- presets, by hand
def test_huangyan_known_answers():
    ev = evaluate(
        ledger(
            huangyan_above("A1", 10),  # every item at its benchmark: 30+20+20+10+10+10 = 100
            huangyan_above("A2", 10, k_tax=2),  # tax per mu twice the benchmark: 100 + 30 = 130
            huangyan_above("A3", 20, k_tax=0.5, k=0.5),  # half of every benchmark: 50
            huangyan_above("A4", 10, energy_tce=NAN),  # energy missing: that item scores 0: 100 - 20 = 80
            huangyan_above("U1", 10, special="utility"),  # utility: rated 100, not graded
            # below scale: 亩均税收 50 (11.5932), 单位电耗税收 50 (0.2352 元/kWh)
            {
                "credit_code": "B1",
                "scale": "below",
                "land_area_mu": 2,
                "tax_wan": 23.1864,
                "electricity_kwh": 23.1864e4 / 0.2352,
            },
            # B2: twice the tax per mu at the same tax per kWh: 100 + 50 = 150
            {
                "credit_code": "B2",
                "scale": "below",
                "land_area_mu": 2,
                "tax_wan": 46.3728,
                "electricity_kwh": 46.3728e4 / 0.2352,
            },
            # leased (mean benchmarks): tax per kWh 1.0 and 3.0 (mean 2.0);
            # VA per employee 10 and 30 (mean 20)
            {
                "credit_code": "L1",
                "scale": "below",
                "land_status": "leased",
                "tax_wan": 10,
                "electricity_kwh": 1e5,
                "value_added_wan": 100,
                "employees": 10,
            },
            {
                "credit_code": "L2",
                "scale": "below",
                "land_status": "leased",
                "tax_wan": 30,
                "electricity_kwh": 1e5,
                "value_added_wan": 300,
                "employees": 10,
            },
            {"credit_code": "X1", "scale": "above", "land_area_mu": 0, "tax_wan": 5},
        ),
        load_scheme("huangyan_2022"),
    )
    t = by_code(ev)
    assert t.loc[["A1", "A2", "A3", "A4", "U1"], "total_score"].tolist() == pytest.approx(
        [100, 130, 50, 80, 100]
    )
    assert t.loc["A2", "tax_per_mu_score"] == pytest.approx(60) and t.loc[
        "A2", "tax_per_mu"
    ] == pytest.approx(48.194)
    assert t.loc["A4", "va_per_energy_score"] == 0 and "va_per_energy" in t.loc["A4", "notes"]
    # n = 4 graded above-scale firms, cuts 20/60/95%: A if < 0.8 firms are better, B < 2.4, C < 3.8
    assert t.loc[["A2", "A1", "A4", "A3"], "rank"].tolist() == [1, 2, 3, 4]
    assert t.loc[["A2", "A1", "A4", "A3"], "class"].tolist() == ["A", "B", "B", "C"]
    assert (t.loc["U1", "status"], t.loc["U1", "class"], t.loc["U1", "reason_code"]) == (
        "rated",
        "",
        "special_rated",
    )
    assert pd.isna(t.loc["U1", "rank"])
    assert t.loc[["B2", "B1"], "total_score"].tolist() == pytest.approx([150, 100])
    assert t.loc[["B2", "B1"], "class"].tolist() == ["A", "B"]
    # leased: L1 = 50 x 1/2 + 50 x 10/20 = 50; L2 = 50 x 3/2 + 50 x 30/20 = 150
    assert t.loc[["L1", "L2"], "total_score"].tolist() == pytest.approx([50, 150])
    assert t.loc[["L1", "L2"], "group"].tolist() == ["leased", "leased"]
    assert (t.loc["X1", "status"], t.loc["X1", "reason_code"], t.loc["X1", "group"]) == (
        "excluded",
        "no_land_area",
        "",
    )
    assert "floor area is never used" in t.loc["X1", "excluded_reason"]
    bench = ev.benchmarks.set_index(["group", "indicator"])["benchmark"]
    assert (
        bench[("leased", "tax_per_kwh")] == pytest.approx(2.0)
        and bench[("above_scale", "tax_per_mu")] == 24.097
    )


def test_linhai_known_answers():
    ev = evaluate(
        ledger(
            # >= 3 亩: 亩均税收 40 (15), 亩均销售收入 10 (300), 单位能耗增加值 20 (3),
            # COD 15 (mean), 用水 5 (mean), 劳动生产率 10 (15)
            {
                "credit_code": "F1",
                "land_area_mu": 10,
                "tax_wan": 150,
                "revenue_wan": 3000,
                "value_added_wan": 300,
                "energy_tce": 100,
                "cod_t": 1,
                "water_t": 1000,
                "employees": 20,
            },
            {
                "credit_code": "F2",
                "land_area_mu": 10,
                "tax_wan": 300,
                "revenue_wan": 3000,
                "value_added_wan": 300,
                "energy_tce": 100,
                "cod_t": 3,
                "water_t": 3000,
                "employees": 20,
            },
            # < 3 亩, all benchmarks the group mean: tax/mu 10 and 30 (20), revenue/mu 100 and 50 (75),
            # tax/kWh 0.2 and 0.3 (0.25)
            {
                "credit_code": "S1",
                "land_area_mu": 2,
                "tax_wan": 20,
                "revenue_wan": 200,
                "electricity_kwh": 1e6,
            },
            {
                "credit_code": "S2",
                "land_area_mu": 1,
                "tax_wan": 30,
                "revenue_wan": 50,
                "electricity_kwh": 1e6,
            },
            {
                "credit_code": "L1",
                "land_status": "leased",
                "tax_wan": 1,
                "electricity_kwh": 1e4,
                "value_added_wan": 1,
                "employees": 1,
            },
        ),
        load_scheme("linhai"),
    )
    t = by_code(ev)
    # COD: VA/t 300 and 100, mean 200 -> 22.5 and 7.5; water: 0.3 and 0.1, mean 0.2 -> 7.5 and 2.5
    # F1 = 40 + 10 + 20 + 22.5 + 7.5 + 10 = 110;  F2 = 80 + 10 + 20 + 7.5 + 2.5 + 10 = 130
    assert t.loc[["F1", "F2"], "va_per_cod_score"].tolist() == pytest.approx([22.5, 7.5])
    assert t.loc[["F1", "F2"], "total_score"].tolist() == pytest.approx([110, 130])
    # S1 = 50 x 10/20 + 20 x 100/75 + 30 x 0.2/0.25 = 25 + 26.667 + 24; S2 = 75 + 13.333 + 36
    assert t.loc[["S1", "S2"], "total_score"].tolist() == pytest.approx([49 + 80 / 3, 111 + 40 / 3])
    assert t.loc[["F1", "S1", "L1"], "group"].tolist() == ["land_3mu_plus", "land_below_3mu", "leased"]
    assert t.loc[["F2", "F1"], "class"].tolist() == ["A", "B"]


def test_linhai_three_mu_boundary():
    ev = evaluate(
        ledger(
            {"credit_code": "E", "land_area_mu": 3.0, "tax_wan": 45},
            {"credit_code": "F", "land_area_mu": 2.99, "tax_wan": 45},
        ),
        load_scheme("linhai"),
    )
    assert by_code(ev)["group"].to_dict() == {"E": "land_3mu_plus", "F": "land_below_3mu"}


def test_huaian_known_answers():
    # means: tax/mu (10 + 30)/2 = 20, revenue/mu (100 + 300)/2 = 200, tax/kWh (1 + 3)/2 = 2
    firms = (("H1", 100, 1000), ("H2", 300, 3000))  # credit code, tax 万元, revenue 万元; each 10 亩, 1e6 kWh
    rows = [
        dict(credit_code=c, tax_wan=t, revenue_wan=r, land_area_mu=10, electricity_kwh=1e6)
        for c, t, r in firms
    ]
    ev = evaluate(ledger(*rows), load_scheme("huaian"))
    t = by_code(ev)
    # H1 = 45 x 10/20 + 35 x 100/200 + 20 x 1/2 = 22.5 + 17.5 + 10 = 50; H2 = 67.5 + 52.5 + 30 = 150
    assert t.loc[["H1", "H2"], "total_score"].tolist() == pytest.approx([50, 150])
    assert t.loc[["H2", "H1"], "class"].tolist() == ["A", "B"]


def test_zhengzhou_2018_two_stage_known_answers():
    ratios = [1, 1, 10, 1, 1, 2, 0.5, 2, 2, 2]  # revenue per tce; mean 2.25
    rows = [
        {
            "credit_code": f"Z{k:02d}",
            "land_area_mu": 10,
            "tax_wan": 10.0 * (11 - k),  # tax/mu 10, 9, ..., 1 (mean 5.5)
            "revenue_wan": 100.0 * r,
            "energy_tce": 100.0,
        }
        for k, r in zip(range(1, 11), ratios, strict=False)
    ]
    t = by_code(evaluate(ledger(*rows), load_scheme("zhengzhou_2018")))
    # total = 60 x tax/mu / 5.5 + 40 x ratio / 2.25:
    # Z03 = 87.27 + 177.78 = 265.05, Z01 = 109.09 + 17.78 = 126.87
    assert t.loc["Z03", "total_score"] == pytest.approx(60 * 8 / 5.5 + 40 * 10 / 2.25)
    # Stage 1: the upper pool is Z01-Z05 (top half by tax per mu). A: fewer than 0.15 x 10 = 1.5 pool
    # members better by total -> Z03 and Z01. C: fewer than 0.10 x 10 = 1 lower-pool member worse
    # by revenue per energy -> Z07 (0.5). Z06 (total 90.1 > Z05's 83.2) stays B: it is not in the upper pool.
    assert t["class"].to_dict() == {
        "Z03": "A",
        "Z01": "A",
        "Z02": "B",
        "Z04": "B",
        "Z06": "B",
        "Z05": "B",
        "Z08": "B",
        "Z09": "B",
        "Z10": "B",
        "Z07": "C",
    }
    assert t.loc["Z06", "total_score"] > t.loc["Z05", "total_score"]


def test_two_stage_classes_directly():
    rule = ClassRule("two_stage", split_by="t", split_share=0.5, a_share=0.2, c_share=0.2)
    got = two_stage_classes([10, 9, 8, 7, 6], [1, 5, 1, 1, 1], [5, 5, 5, 1, 5], rule).tolist()
    assert got == ["B", "A", "B", "C", "B"]
    # missing values count as the worst: a firm without a split value falls in the lower pool
    assert two_stage_classes([NAN, 2, 1, 0], [9, 1, 1, 1], [1, 1, 1, 1], rule).tolist()[0] in ("B", "C")


# ----------------------------------------------------------------------------- rules
SIMPLE = """
id: simple
title_zh: 简单
title_en: Simple
source: test
missing_values: {missing}
special_firms: {special}
groups:
  - id: all
    label_zh: 全部
    label_en: All
    indicators:
      - {{id: tax_per_mu, label_zh: 亩均税收, label_en: Tax per mu, formula: tax_wan / land_area_mu,
          weight: {weight}, benchmark: {benchmark}, cap: {cap}, floor: {floor}}}
{adjustments}
class_rule: {{kind: percentile, cuts: {{A: {a}, B: {b}, C: {c}}}}}
"""


def simple(
    weight=100.0,
    benchmark="10",
    cap="null",
    floor="null",
    missing="zero",
    special="rate_only",
    adjustments="",
    cuts=(0.2, 0.6, 0.95),
):
    return parse_scheme(
        SIMPLE.format(
            weight=weight,
            benchmark=benchmark,
            cap=cap,
            floor=floor,
            missing=missing,
            special=special,
            adjustments=adjustments,
            a=cuts[0],
            b=cuts[1],
            c=cuts[2],
        )
    )


def test_cap_floor_and_adjustments():
    rows = ledger(
        {"credit_code": "A", "land_area_mu": 1, "tax_wan": 50, "高新": "是", "扣分": "-4"},
        {"credit_code": "B", "land_area_mu": 1, "tax_wan": -5, "高新": "", "扣分": ""},
    )
    adjustments = (
        "adjustments:\n  - {id: hi_tech, label_zh: 高新, label_en: High tech, when: {高新: 是}, points: 3}\n"
        "  - {id: penalty, label_zh: 扣分, label_en: Penalty, column: 扣分, min: -10, max: 0}"
    )
    t = by_code(evaluate(rows, simple(cap=120, floor=0, adjustments=adjustments)))
    # A: 100 x 50/10 = 500, capped at 120; + 3 - 4 = 119.  B: -50 floored at 0; no adjustment
    assert t.loc["A", "tax_per_mu_score"] == 120 and t.loc["A", "adjustment_score"] == -1
    assert t.loc["A", "total_score"] == 119 and t.loc["B", "total_score"] == 0


def test_adjustment_on_a_missing_column_is_an_error():
    scheme = simple(
        adjustments="adjustments:\n  - {id: x, label_zh: x, label_en: x, when: {高新: 是}, points: 3}"
    )
    with pytest.raises(SchemaError, match="adjustment 'x' tests ledger column '高新'"):
        evaluate(ledger({"credit_code": "A", "land_area_mu": 1, "tax_wan": 1}), scheme)


def test_missing_values_exclude_and_special_exclude():
    rows = ledger(
        {"credit_code": "A", "land_area_mu": 1, "tax_wan": NAN},
        {"credit_code": "B", "land_area_mu": 1, "tax_wan": 5, "special": "startup"},
        {"credit_code": "C", "land_area_mu": 1, "tax_wan": 5},
    )
    t = by_code(evaluate(rows, simple(missing="exclude", special="exclude")))
    assert t["reason_code"].to_dict() == {"C": "", "A": "missing_indicator", "B": "special_excluded"}
    assert t["status"].to_dict() == {"C": "graded", "A": "excluded", "B": "excluded"}
    assert t.loc["A", "group"] == "all"  # excluded inside its group, listed on its group's sheet


def test_leased_firms_never_fall_in_owned_groups_and_are_excluded_without_a_leased_group():
    rows = ledger(
        {"credit_code": "L", "land_status": "leased", "land_area_mu": 50, "tax_wan": 500},
        {"credit_code": "O", "land_area_mu": 10, "tax_wan": 50},
    )
    t = by_code(evaluate(rows, simple()))
    assert (t.loc["L", "status"], t.loc["L", "reason_code"], t.loc["L", "group"]) == (
        "excluded",
        "leased_no_group",
        "",
    )
    assert pd.isna(t.loc["L", "tax_per_mu"])  # never divided, not by land and not by floor area


def test_no_group_matches():
    t = by_code(
        evaluate(
            ledger({"credit_code": "N", "land_area_mu": 5, "tax_wan": 1, "scale": ""}),
            load_scheme("huangyan_2022"),
        )
    )
    assert t.loc["N", "reason_code"] == "no_group"


def test_missing_ledger_columns_are_reported():
    with pytest.raises(SchemaError, match="needs ledger column\\(s\\) scale"):
        evaluate(
            ledger({"credit_code": "A", "land_area_mu": 1}).drop(columns="scale"),
            load_scheme("huangyan_2022"),
        )
    rows = ledger({"credit_code": "A", "land_area_mu": 1, "scale": "above"}).drop(columns="energy_tce")
    with pytest.raises(SchemaError, match="group 'above_scale' .* needs ledger column\\(s\\) energy_tce"):
        evaluate(rows, load_scheme("huangyan_2022"))


def test_ties_share_rank_and_the_better_class_and_order_is_deterministic():
    rows = ledger(
        *(
            {"credit_code": c, "land_area_mu": 1, "tax_wan": v}
            for c, v in [("E", 5), ("B", 9), ("D", 9), ("A", 9), ("C", 1)]
        )
    )
    t = evaluate(rows, simple()).table
    assert t["credit_code"].tolist() == ["A", "B", "D", "E", "C"]  # by rank, then credit code
    assert t["rank"].tolist() == [1, 1, 1, 4, 5]
    # three tie for the top: nobody is better than them, so all three are A (0 < 0.2 x 5), although
    # A's share is 20%; E has 3 better (not < 0.6 x 5 = 3, so C), C has 4 better (< 0.95 x 5, so C)
    assert t["class"].tolist() == ["A", "A", "A", "C", "C"]
    shuffled = evaluate(rows.iloc[[4, 2, 0, 3, 1]], simple()).table
    pd.testing.assert_frame_equal(t, shuffled)


def test_input_is_not_modified():
    rows = ledger({"credit_code": "A", "land_area_mu": 1, "tax_wan": 5})
    before = rows.copy()
    evaluate(rows, simple())
    pd.testing.assert_frame_equal(rows, before)


# ----------------------------------------------------------------------------- properties
firm_values = st.lists(st.tuples(st.floats(0.5, 500), st.floats(0, 1e4)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(values=firm_values, factor=st.floats(0.1, 10), mean=st.booleans())
def test_scores_scale_with_weights(values, factor, mean):
    rows = ledger(
        *(
            {"credit_code": f"F{k}", "land_area_mu": land, "tax_wan": tax}
            for k, (land, tax) in enumerate(values)
        )
    )
    benchmark = "mean" if mean else "7.5"
    base = evaluate(rows, simple(weight=10.0, benchmark=benchmark)).table.set_index("credit_code")
    scaled = evaluate(rows, simple(weight=10.0 * factor, benchmark=benchmark)).table.set_index("credit_code")
    np.testing.assert_allclose(
        scaled["total_score"].loc[base.index], base["total_score"] * factor, rtol=1e-9, atol=1e-9
    )
    assert (scaled["rank"].loc[base.index] == base["rank"]).all()


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 80),
    cuts=st.tuples(st.floats(0.05, 0.3), st.floats(0.35, 0.7), st.floats(0.75, 1.0)),
    seed=st.integers(0, 2**16),
)
def test_class_shares_match_the_cuts_within_one_firm(n, cuts, seed):
    taxes = np.random.default_rng(seed).permutation(np.arange(1, n + 1)).astype(float)  # distinct totals
    rows = ledger(
        *({"credit_code": f"F{k:03d}", "land_area_mu": 1, "tax_wan": v} for k, v in enumerate(taxes))
    )
    classes = evaluate(rows, simple(cuts=cuts)).table["class"]
    cumulative = np.cumsum([(classes == c).sum() for c in "ABC"])
    for count, cut in zip(cumulative, cuts, strict=False):
        assert abs(count - cut * n) <= 1
    assert cumulative[-1] + (classes == "D").sum() == n


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.integers(0, 4), min_size=2, max_size=30), seed=st.integers(0, 1000))
def test_ties_are_deterministic_under_any_row_order(values, seed):
    rows = ledger(
        *({"credit_code": f"F{k:02d}", "land_area_mu": 1, "tax_wan": float(v)} for k, v in enumerate(values))
    )
    order = np.random.default_rng(seed).permutation(len(rows))
    a, b = evaluate(rows, simple()).table, evaluate(rows.iloc[order], simple()).table
    pd.testing.assert_frame_equal(a, b)
    for _, same in a.groupby("total_score"):
        assert same["rank"].nunique() == 1 and same["class"].nunique() == 1


# ----------------------------------------------------------------------------- summaries
def test_summarize_classes_counts_land_and_pooled_per_mu():
    rows = ledger(
        *(
            {"credit_code": c, "land_area_mu": land, "tax_wan": tax, "revenue_wan": 10 * tax, "park": park}
            for c, land, tax, park in [
                ("A", 10, 300, "p1"),
                ("B", 20, 200, "p1"),
                ("C", 5, 10, "p2"),
                ("D", 0, 10, ""),
            ]
        )
    )
    ev = evaluate(rows, simple(cuts=(0.3, 0.6, 0.95)))  # 3 graded: A if 0 better, B if 1, C if 2
    by_group = summarize_classes(ev, "group").set_index("group")
    assert by_group.loc["all", ["firms", "graded", "excluded"]].tolist() == [3, 3, 0]
    assert by_group.loc["unassigned", "excluded"] == 1
    by_park = summarize_classes(ev, "park").set_index("park")
    assert list(by_park.index) == ["p1", "p2", "unassigned"]
    # p1: A (30/mu) class A on 10 亩, B (10/mu) class B on 20 亩; pooled tax per mu = 500 / 30
    assert by_park.loc["p1", ["count_A", "count_B", "land_mu_A", "land_mu_B"]].tolist() == [1, 1, 10, 20]
    assert by_park.loc["p1", "tax_wan_per_mu"] == pytest.approx(500 / 30)
    assert by_park.loc["p1", "revenue_wan_per_mu"] == pytest.approx(5000 / 30)
    assert pd.isna(by_park.loc["unassigned", "tax_wan_per_mu"])
    with pytest.raises(SchemaError, match="no 'plate' column"):
        summarize_classes(ev, "plate")


# ----------------------------------------------------------------------------- geometry
def test_points_and_parcels():
    rows = ledger(
        {"credit_code": "A", "land_area_mu": 1, "tax_wan": 9, "lon": 113.8, "lat": 34.7},
        {"credit_code": "B", "land_area_mu": 1, "tax_wan": 1, "lon": NAN, "lat": 34.7},
        {"credit_code": "", "name": "无代码", "land_area_mu": 1, "tax_wan": 1, "lon": 200.0, "lat": 34.7},
    )
    ev = evaluate(rows, simple())
    points = evaluation_points(ev)
    assert points.crs.to_epsg() == 4326 and points["credit_code"].tolist() == ["A"]
    assert points.geometry.iloc[0].equals(Point(113.8, 34.7))
    parcels = gpd.GeoDataFrame(
        {"credit_code": ["A", "A", "Z"], "name": ["p1", "p2", "p3"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs="EPSG:4547",
    )
    joined, report = join_parcels(ev, parcels)
    assert joined["class"].fillna("").tolist() == ["A", "A", ""] and report.unmatched_left == ("Z",)
    assert joined.crs.to_epsg() == 4547
    assert joined["name"].fillna("").tolist() == ["A", "A", ""] and joined["parcel_name"].tolist() == [
        "p1",
        "p2",
        "p3",
    ]


# ----------------------------------------------------------------------------- the four groups of the issue
FOUR_GROUPS = """
id: four_groups
title_zh: 四组
title_en: Four groups
source: test
groups:
  - {id: above, label_zh: 规上, label_en: Above, when: {scale: above}, indicators: [{id: tax_per_mu,
     label_zh: 亩均税收, label_en: Tax per mu, formula: tax_wan / land_area_mu, weight: 100, benchmark: 10}]}
  - {id: below_3mu_plus, label_zh: 规下3亩及以上, label_en: Below on >= 3 mu,
     when: {scale: below, land_area_mu: {min: 3}},
     indicators: [{id: tax_per_mu, label_zh: 亩均税收, label_en: Tax per mu, formula: tax_wan / land_area_mu,
                   weight: 100, benchmark: 5}]}
  - {id: below_3mu, label_zh: 3亩以下, label_en: Below 3 mu, when: {land_area_mu: {below: 3}},
     indicators: [{id: tax_per_mu, label_zh: 亩均税收, label_en: Tax per mu, formula: tax_wan / land_area_mu,
                   weight: 100, benchmark: mean}]}
  - {id: leased, label_zh: 租赁, label_en: Leased, when: {land_status: leased}, indicators: [{id: tax_per_kwh,
     label_zh: 单位电耗税收, label_en: Tax per kWh, formula: tax_wan * 10000 / electricity_kwh, weight: 100,
     benchmark: 1}]}
class_rule: {kind: percentile, cuts: {A: 0.2, B: 0.6, C: 0.95}}
"""


def test_above_scale_below_scale_on_3_mu_or_more_below_3_mu_and_leased_groups():
    rows = ledger(
        {
            "credit_code": "A",
            "scale": "above",
            "land_area_mu": 2,
            "tax_wan": 40,
        },  # above scale, any land: 100 x 20/10
        {
            "credit_code": "B",
            "scale": "below",
            "land_area_mu": 3,
            "tax_wan": 30,
        },  # below scale on >= 3 亩: 100 x 10/5
        {
            "credit_code": "C",
            "scale": "below",
            "land_area_mu": 2.5,
            "tax_wan": 5,
        },  # below 3 亩: tax/mu 2 and 4, mean 3
        {"credit_code": "D", "scale": "below", "land_area_mu": 1, "tax_wan": 4},
        {
            "credit_code": "L",
            "scale": "below",
            "land_status": "leased",
            "land_area_mu": 3,
            "tax_wan": 2,
            "electricity_kwh": 1e4,
        },  # leased: 2 元/kWh, land ignored
        {"credit_code": "N", "scale": "below", "land_area_mu": NAN, "tax_wan": 9},  # owned, land missing
    )
    t = by_code(evaluate(rows, parse_scheme(FOUR_GROUPS)))
    assert t["group"].to_dict() == {
        "A": "above",
        "B": "below_3mu_plus",
        "D": "below_3mu",
        "C": "below_3mu",
        "L": "leased",
        "N": "",
    }
    assert t.loc[["A", "B", "C", "D", "L"], "total_score"].tolist() == pytest.approx(
        [200, 200, 200 / 3, 400 / 3, 200]
    )
    assert pd.isna(t.loc["L", "tax_per_mu"]) and t.loc["L", "tax_per_kwh"] == pytest.approx(2)
    assert (t.loc["N", "reason_code"], t.loc["N", "status"]) == ("no_land_area", "excluded")


def test_result_columns_follow_the_cli_contract():
    ev = evaluate(
        ledger({"credit_code": "A", "scale": "above", "land_area_mu": 2, "tax_wan": 40}),
        parse_scheme(FOUR_GROUPS),
    )
    assert ev.result_columns == [
        "credit_code",
        "name",
        "group",
        "tax_per_mu",
        "tax_per_kwh",
        "tax_per_mu_score",
        "tax_per_kwh_score",
        *CONTRACT_TAIL,
    ]


# ----------------------------------------------------------------------------- impossible figures
def test_impossible_land_is_excluded_with_the_value_never_divided_never_ranked():
    rows = ledger(
        {"credit_code": "TINY", "land_area_mu": 1e-320, "tax_wan": 1},  # 1 / 1e-320 would rank first
        {"credit_code": "NEG", "land_area_mu": -5, "tax_wan": 50},
        {"credit_code": "INF", "land_area_mu": float("inf"), "tax_wan": 50},
        {"credit_code": "ZERO", "land_area_mu": 0, "tax_wan": 50},
        {"credit_code": "OK", "land_area_mu": 10, "tax_wan": 50},
        {"credit_code": "L", "land_status": "leased", "land_area_mu": -5, "tax_wan": 50},
    )
    t = by_code(evaluate(rows, simple()))
    assert t.loc[["TINY", "NEG", "INF"], "reason_code"].tolist() == ["invalid_land_area"] * 3
    assert t.loc["ZERO", "reason_code"] == "no_land_area"  # zero is "no land area", as before
    assert t.loc["L", "reason_code"] == "leased_no_group"  # leased: land is never used at all
    assert t.loc[["TINY", "NEG", "INF"], "status"].eq("excluded").all()
    assert t.loc[["TINY", "NEG", "INF"], ["tax_per_mu", "total_score"]].isna().all().all()
    assert t["rank"].dropna().to_dict() == {"OK": 1}
    assert "land_area_mu = -5: negative" in t.loc["NEG", "notes"]
    assert "below the minimum land area of 1 m²" in t.loc["TINY", "notes"]
    assert t.loc["NEG", "excluded_reason"].endswith(
        "impossible land area (not finite, negative or under 1 m²): never divided by"
    )


def test_impossible_figures_are_excluded_with_a_note_negative_tax_is_scored():
    scheme = simple(adjustments="adjustments:\n  - {id: p, label_zh: 加分, label_en: Points, column: 加分}")
    rows = ledger(
        {"credit_code": "INF", "land_area_mu": 1, "tax_wan": float("inf"), "加分": ""},
        {"credit_code": "PTS", "land_area_mu": 1, "tax_wan": 10, "加分": "1e309"},
        {"credit_code": "NEG", "land_area_mu": 1, "tax_wan": -5, "加分": "-2"},  # net tax after refunds
        {"credit_code": "OK", "land_area_mu": 1, "tax_wan": 20, "加分": ""},
    )
    t = by_code(evaluate(rows, scheme))
    assert t.loc[["INF", "PTS"], "reason_code"].tolist() == ["invalid_figure"] * 2
    assert t.loc[["INF", "PTS"], "total_score"].isna().all() and t["rank"].dropna().to_dict() == {
        "OK": 1,
        "NEG": 2,
    }
    assert "tax_wan = inf: not a finite number" in t.loc["INF", "notes"]
    assert "加分 = inf" in t.loc["PTS", "notes"]
    assert t.loc["NEG", "total_score"] == pytest.approx(100 * -5 / 10 - 2)


def test_negative_energy_is_impossible_and_leaves_the_benchmark_alone():
    rows = ledger(
        huangyan_above("A1", 10),
        huangyan_above("A2", 10, k_tax=2),
        huangyan_above("BAD", 10, energy_tce=-1.0),
    )
    t = by_code(evaluate(rows, load_scheme("huangyan_2022")))
    assert (t.loc["BAD", "status"], t.loc["BAD", "reason_code"]) == ("excluded", "invalid_figure")
    assert "energy_tce = -1: negative" in t.loc["BAD", "notes"]
    assert t.loc[["A2", "A1"], "rank"].tolist() == [1, 2]
