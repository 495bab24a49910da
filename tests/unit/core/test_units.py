from __future__ import annotations

import numpy as np
import pytest

from zkq_geo.errors import OptionError
from zkq_geo.units import M2_PER_MU, convert_area, convert_money, unit_of


def test_mu_and_friends():
    assert M2_PER_MU == pytest.approx(666.6667, abs=1e-4)
    assert convert_area(10_000, "m2", "mu") == pytest.approx(15.0)  # a 100 m square
    assert convert_area(1, "ha", "mu") == pytest.approx(15.0)
    assert convert_area(1, "km2", "mu") == pytest.approx(1500.0)
    assert convert_area(158.7, "km2", "mu") == pytest.approx(238_050.0)
    np.testing.assert_allclose(
        convert_area(np.array([295.0, 96.0]), "mu", "m2"), [196_666.667, 64_000.0], rtol=1e-6
    )


def test_money():
    assert convert_money(1.5, "yi", "wan") == 15_000.0
    assert convert_money(35, "yi", "wan") / 295 == pytest.approx(1186.44, abs=0.01)  # 建业之窗 万元/亩
    assert convert_money(2_000_000, "yuan", "wan") == 200.0
    assert convert_money(5_000, "wan", "yi") == 0.5


def test_bad_units_name_the_choices():
    with pytest.raises(OptionError, match="area unit='acre'.*'ha', 'km2', 'm2', 'mu'"):
        convert_area(1, "acre", "mu")
    with pytest.raises(OptionError, match="money unit"):
        convert_money(1, "usd", "wan")


UNIT_OF = {  # column -> the unit its name gives
    "land_area_mu": "亩",
    "floor_area_m2": "m²",
    "investment_yi": "亿元",
    "tax_wan": "万元",
    "invest_intensity_wan_per_mu": "万元/亩",
    "area_km2": "km²",
    "population_wan": "万人",
    "name": "",
}


@pytest.mark.parametrize("column, unit", UNIT_OF.items())
def test_unit_of_column(column, unit):
    assert unit_of(column) == unit
