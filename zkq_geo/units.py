"""Units of area and money used in Chinese land planning.

Storage units: areas in m2, money in 亿元 (``*_yi``) or 万元 (``*_wan``). Convert only for display.
1 亩 (mu) = 10000/15 m2; 1 公顷 (ha) = 15 亩; 1 km2 = 1500 亩; 1 亿元 = 10,000 万元.
"""

from __future__ import annotations

from typing import Literal

from zkq_geo.errors import check_choice

M2_PER_MU = 10000 / 15
M2_PER_HA = 10000.0
M2_PER_KM2 = 1_000_000.0
WAN_PER_YI = 10_000.0
YUAN_PER_WAN = 10_000.0

AreaUnit = Literal["m2", "mu", "ha", "km2"]
MoneyUnit = Literal["yuan", "wan", "yi"]

_M2_PER = {"m2": 1.0, "mu": M2_PER_MU, "ha": M2_PER_HA, "km2": M2_PER_KM2}
_WAN_PER = {"yuan": 1 / YUAN_PER_WAN, "wan": 1.0, "yi": WAN_PER_YI}


def convert_area(value, from_unit: AreaUnit, to_unit: AreaUnit):
    """Convert an area (scalar or array-like) between m2, mu, ha and km2.

    >>> round(convert_area(10_000, "m2", "mu"), 6)
    15.0
    """
    check_choice("area unit", from_unit, _M2_PER)
    check_choice("area unit", to_unit, _M2_PER)
    return value * (_M2_PER[from_unit] / _M2_PER[to_unit])


def convert_money(value, from_unit: MoneyUnit, to_unit: MoneyUnit):
    """Convert money (scalar or array-like) between 元, 万元 and 亿元.

    >>> convert_money(1.5, "yi", "wan")
    15000.0
    """
    check_choice("money unit", from_unit, _WAN_PER)
    check_choice("money unit", to_unit, _WAN_PER)
    return value * (_WAN_PER[from_unit] / _WAN_PER[to_unit])


# Display units by column-name suffix (longest first); names carry their units (STYLE.md habit 4).
_UNIT_BY_COLUMN = {"population_wan": "万人", "figures_year": ""}
_UNIT_BY_SUFFIX = (
    ("_wan_per_mu", "万元/亩"),
    ("_yi", "亿元"),
    ("_wan", "万元"),
    ("_km2", "km²"),
    ("_m2", "m²"),
    ("_mu", "亩"),
    ("_ha", "公顷"),
    ("_km", "km"),
)


def unit_of(column: str) -> str:
    """Display unit of a column named with a unit suffix: ``land_area_mu`` -> ``亩``; ``""`` if none."""
    if column in _UNIT_BY_COLUMN:
        return _UNIT_BY_COLUMN[column]
    return next((unit for suffix, unit in _UNIT_BY_SUFFIX if column.endswith(suffix)), "")
