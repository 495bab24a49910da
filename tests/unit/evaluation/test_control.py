"""Tests of zkq_geo.evaluation.control with hand-computed ratios against the national control indicators."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zkq_geo.errors import OptionError, SchemaError
from zkq_geo.evaluation.control import control_check, load_control_rules
from zkq_geo.layers import load_layer
from zkq_geo.paths import DEFAULT_GEODATA
from zkq_geo.units import M2_PER_MU

RULES = load_control_rules()


def test_rules_file_holds_the_domain_figures():
    assert RULES.building_coverage_min == 0.30 and RULES.admin_share_max == 0.07
    far = {k: c.far_min for k, c in RULES.categories.items()}
    assert far["electronics"] == 1.0 and far["food"] == 1.0 and far["apparel"] == 1.0
    for key in (
        "general_equipment",
        "special_equipment",
        "transport_equipment",
        "electrical_machinery",
        "pharmaceuticals",
    ):
        assert far[key] == 0.7
    assert "DOMAIN.md" in RULES.source and RULES.city_classes == ()  # Zhengzhou's class is not verified


def firm(**kw) -> dict:
    return {"credit_code": "C", "name": "n", "land_area_mu": 15.0, **kw}  # 15 亩 = 10,000 m2


def test_hand_computed_checks():
    table = pd.DataFrame(
        [
            # FAR 7000/10000 = 0.7 (= minimum, passes); coverage 0.30 passes; admin 0.07 passes;
            # 4500/15 = 300 万元/亩
            firm(
                control_category="pharmaceuticals",
                floor_area_m2=7000,
                building_footprint_m2=3000,
                admin_area_m2=700,
                investment_wan=4500,
            ),
            # electronics needs 1.0: FAR 0.9 fails; coverage 0.29 fails; admin 0.08 fails; 200 万元/亩 fails
            firm(
                control_category="通信设备、计算机及其他电子设备制造业",
                floor_area_m2=9000,
                building_footprint_m2=2900,
                admin_area_m2=800,
                investment_wan=3000,
            ),
            firm(industry="logistics"),  # no category, no figures
        ]
    )
    out = control_check(table, RULES, investment_min_wan_per_mu=250)
    assert out.loc[0, ["floor_area_ratio", "building_coverage", "admin_share"]].tolist() == pytest.approx(
        [0.7, 0.3, 0.07]
    )
    assert out.loc[0, "invest_intensity_wan_per_mu"] == pytest.approx(300)
    assert (
        out.loc[0, ["far_check", "coverage_check", "admin_check", "invest_check", "overall"]].tolist()
        == ["pass"] * 5
    )
    assert out.loc[1, "category"] == "electronics" and out.loc[1, "far_min"] == 1.0
    assert (
        out.loc[1, ["far_check", "coverage_check", "admin_check", "invest_check", "overall"]].tolist()
        == ["fail"] * 5
    )
    assert "容积率" in out.loc[1, "issues"] and "投资强度" in out.loc[1, "issues"]
    assert out.loc[2, ["far_check", "coverage_check", "invest_check", "overall"]].tolist() == [
        "no_rule",
        "no_data",
        "no_data",
        "incomplete",
    ]


def test_investment_minimum_is_a_setting():
    table = pd.DataFrame([firm(control_category="electronics", investment_wan=3000)])
    assert control_check(table, RULES)["invest_check"].tolist() == ["no_rule"]
    with pytest.raises(
        OptionError, match="city_class='III' has no investment minimums .*none are configured"
    ):
        control_check(table, RULES, city_class="III")
    with pytest.raises(OptionError, match="must be a number > 0"):
        control_check(table, RULES, investment_min_wan_per_mu=0)


def test_unknown_category_is_an_error():
    with pytest.raises(SchemaError, match="control category 'electronic' is not known"):
        control_check(pd.DataFrame([firm(control_category="electronic")]), RULES)


def test_projects_layer_with_lower_bound_investment_in_yi():
    projects = pd.DataFrame(
        [
            {
                "id": "p1",
                "name": "a",
                "land_area_mu": 100.0,
                "investment_yi": 1.0,
                "investment_qualifier": "at_least",
                "industry": "ict",
            },
            {
                "id": "p2",
                "name": "b",
                "land_area_mu": 100.0,
                "investment_yi": 5.0,
                "investment_qualifier": "at_least",
                "industry": "auto",
            },
        ]
    )
    out = control_check(projects, RULES, investment_min_wan_per_mu=300)
    # p1: >= 100 万元/亩 is below 300 but only a lower bound: unknown; p2: >= 500 passes
    assert out["invest_check"].tolist() == ["unknown", "pass"]
    assert out["category"].tolist() == ["electronics", "transport_equipment"]


def test_shipped_projects_never_use_floor_area_as_land():
    projects = pd.DataFrame(load_layer("projects").gdf.drop(columns="geometry"))
    out = control_check(projects, RULES, investment_min_wan_per_mu=300)
    no_land = projects["land_area_mu"].isna().to_numpy()
    assert (out.loc[no_land, "far_check"].isin(["no_data", "no_rule"])).all()
    assert out.loc[no_land, "invest_intensity_wan_per_mu"].isna().all()
    assert M2_PER_MU == pytest.approx(666.6667, rel=1e-6)


def test_a_city_class_added_to_the_rules_file_sets_the_investment_minimum(tmp_path):
    """No minimums ship (DOMAIN.md gives none and Zhengzhou's class is not verified); a planner adds
    their class to a copy of the rules file, by category key and/or default (figures invented here)."""
    text = (Path(DEFAULT_GEODATA) / "control_indicators.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "control_indicators.yaml"
    custom.write_text(
        text.replace(
            "investment_intensity_min_wan_per_mu: {}",
            "investment_intensity_min_wan_per_mu:\n  test_class: {default: 200, electronics: 400}",
        ),
        encoding="utf-8",
    )
    rules = load_control_rules(custom)
    assert rules.city_classes == ("test_class",)
    table = pd.DataFrame(
        [
            firm(control_category="electronics", investment_wan=4500),  # 300 万元/亩 < 400
            firm(control_category="food", investment_wan=4500),
        ]
    )  # 300 >= default 200
    out = control_check(table, rules, city_class="test_class")
    assert out["invest_min_wan_per_mu"].tolist() == [400, 200] and out["invest_check"].tolist() == [
        "fail",
        "pass",
    ]
    # an explicit minimum overrides the class
    assert control_check(table, rules, city_class="test_class", investment_min_wan_per_mu=250)[
        "invest_check"
    ].tolist() == ["pass", "pass"]


def test_impossible_figures_never_pass_a_check():
    table = pd.DataFrame(
        [
            firm(
                land_area_mu=1e-320, control_category="electronics", floor_area_m2=1, investment_wan=1
            ),  # 1/1e-320
            firm(land_area_mu=-5.0, control_category="electronics", floor_area_m2=9000, investment_wan=3000),
            firm(control_category="electronics", floor_area_m2=float("inf"), investment_wan=float("inf")),
        ]
    )
    out = control_check(table, RULES, investment_min_wan_per_mu=250)
    assert out[["far_check", "invest_check"]].to_numpy().tolist() == [["no_data", "no_data"]] * 3
    assert out["overall"].tolist() == ["incomplete"] * 3
