"""Control-indicator checks for industrial land (工业项目建设用地控制指标).

Four checks per enterprise or project, with the rules in ``geodata/control_indicators.yaml``:

- 容积率 floor-area ratio = floor area (m2) / land area (m2) >= the minimum of its industry;
- 建筑系数 building coverage = building, structure and yard footprint (m2) / land area >= 30%;
- 行政办公及生活服务设施用地比重 admin/living land (m2) / land area <= 7%;
- 投资强度 investment intensity = fixed-asset investment (万元) / land area (亩) >= a minimum
  that depends on the city class (城市等别), which is a setting: give the minimum directly or
  add the class to the rules file.

Each check gives ``pass``, ``fail``, ``no_data`` (a figure is missing or impossible: land area
not finite, not positive or under 1 m2, a ratio not finite), ``no_rule`` (no minimum for this
industry or city class) or ``unknown`` (the
investment is a lower bound such as "超30亿" and the lower bound is below the minimum).
Floor area is only ever the numerator of the floor-area ratio, never a per-mu denominator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from zkq_geo.analysis.metrics import figure_faults
from zkq_geo.errors import DataSourceError, OptionError, SchemaError
from zkq_geo.i18n.messages import Items, msg
from zkq_geo.paths import geodata_root
from zkq_geo.units import M2_PER_MU, WAN_PER_YI

CHECK_RESULTS = ("pass", "fail", "no_data", "no_rule", "unknown")
CHECKS = ("far", "coverage", "admin", "invest")
_ID_COLUMNS = ("credit_code", "id", "name")
# The three ratio checks: value column, numerator (over land area, m2), limit column, and whether the
# value must be at least (else at most) the limit.
_RATIO_CHECKS = {
    "far": ("floor_area_ratio", "floor_area_m2", "far_min", True),
    "coverage": ("building_coverage", "building_footprint_m2", "coverage_min", True),
    "admin": ("admin_share", "admin_area_m2", "admin_max", False),
}


@dataclass(frozen=True)
class ControlCategory:
    key: str
    zh: str
    far_min: float | None
    codes_gbt4754_2002: tuple[str, ...] = ()


@dataclass(frozen=True)
class ControlRules:
    """The parsed rules file."""

    source: str
    building_coverage_min: float
    admin_share_max: float
    categories: dict[str, ControlCategory]
    zkq_industries: dict[str, str] = field(default_factory=dict)
    investment_min_wan_per_mu: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def city_classes(self) -> tuple[str, ...]:
        return tuple(self.investment_min_wan_per_mu)

    def category(self, text: str) -> ControlCategory:
        """The category named by key or Chinese name; SchemaError listing the keys otherwise."""
        for c in self.categories.values():
            if text in (c.key, c.zh):
                return c
        raise SchemaError(msg("control_unknown_category", text=text, keys=Items(self.categories)))


def load_control_rules(path: str | Path | None = None) -> ControlRules:
    """Read ``control_indicators.yaml`` (default: from ``$ZKQ_GEODATA`` or the shipped geodata/)."""
    path = Path(path) if path else geodata_root() / "control_indicators.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataSourceError(msg("control_rules_unreadable", path=path, error=exc.strerror)) from None
    except yaml.YAMLError as exc:
        raise SchemaError(msg("control_rules_not_yaml", file=path.name, error=exc)) from None
    try:
        categories = {
            c["key"]: ControlCategory(
                c["key"], c["zh"], c.get("far_min"), tuple(c.get("codes_gbt4754_2002", ()))
            )
            for c in doc["categories"]
        }
        investment = {
            str(k): {str(i): float(v) for i, v in (table or {}).items()}
            for k, table in (doc.get("investment_intensity_min_wan_per_mu") or {}).items()
        }
        return ControlRules(
            source=doc["source"],
            building_coverage_min=float(doc["building_coverage_min"]),
            admin_share_max=float(doc["admin_share_max"]),
            categories=categories,
            zkq_industries=dict(doc.get("zkq_industries") or {}),
            investment_min_wan_per_mu=investment,
            notes=tuple(doc.get("notes") or ()),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SchemaError(msg("control_rules_layout", file=path.name, error=exc)) from None


def control_check(
    df: pd.DataFrame,
    rules: ControlRules,
    *,
    city_class: str | None = None,
    investment_min_wan_per_mu: float | None = None,
) -> pd.DataFrame:
    """Check each row against the control indicators.

    Parameters
    ----------
    df : pandas.DataFrame
        Enterprises (a ledger) or projects with ``land_area_mu`` (亩) and any of
        ``floor_area_m2``, ``building_footprint_m2``, ``admin_area_m2`` (m2), ``investment_wan``
        (万元) or ``investment_yi`` (亿元, with optional ``investment_qualifier``), and
        ``control_category`` (key or Chinese name) or ``industry`` (zone vocabulary code).
    rules : ControlRules
    city_class : str, optional
        Row of ``investment_intensity_min_wan_per_mu`` in the rules to use.
    investment_min_wan_per_mu : float, optional
        The investment-intensity minimum (万元/亩); overrides ``city_class``.

    Returns
    -------
    pandas.DataFrame
        Identity columns (credit_code / id / name, those present), ``category``, and for each
        check its value, limit and result: ``floor_area_ratio``/``far_min``/``far_check``,
        ``building_coverage``/``coverage_min``/``coverage_check``, ``admin_share``/
        ``admin_max``/``admin_check``, ``invest_intensity_wan_per_mu``/``invest_min_wan_per_mu``/
        ``invest_check``; then ``overall`` (``fail`` if any check fails, ``pass`` if all four
        pass, else ``incomplete``) and ``issues`` (text naming each failed check).
    """
    if "land_area_mu" not in df.columns:
        raise SchemaError(msg("control_needs_land", columns=Items(map(str, df.columns))))
    if investment_min_wan_per_mu is not None and not investment_min_wan_per_mu > 0:
        raise OptionError(msg("control_invest_min", value=investment_min_wan_per_mu))
    if city_class is not None and investment_min_wan_per_mu is None and city_class not in rules.city_classes:
        known = Items(rules.city_classes) if rules.city_classes else msg("control_no_classes")
        raise OptionError(msg("control_city_class", value=city_class, known=known))
    land_mu = _number(df, "land_area_mu")
    land_m2 = (land_mu * M2_PER_MU).where(
        figure_faults(land_mu, "land") == ""
    )  # never divide by 1e-320 or -5
    categories = _categories(df, rules)
    out = df[[c for c in _ID_COLUMNS if c in df.columns]].copy().reset_index(drop=True)
    out["category"] = [c.key if c else "" for c in categories]
    far_min = np.array(
        [c.far_min if c and c.far_min is not None else np.nan for c in categories], dtype="float64"
    )
    limits = {"far": far_min, "coverage": rules.building_coverage_min, "admin": rules.admin_share_max}
    for name, limit in limits.items():
        numerator = _RATIO_CHECKS[name][1]
        _ratio_check(out, name, _number(df, numerator) / land_m2, np.full(len(df), limit, dtype="float64"))
    _invest_check(out, df, land_m2, categories, rules, city_class, investment_min_wan_per_mu)
    _overall(out)
    return out


# ----------------------------------------------------------------------------- workers
def _number(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(np.nan, index=range(len(df)), dtype="float64")
    return pd.to_numeric(df[column], errors="coerce").astype("float64").reset_index(drop=True)


def _categories(df: pd.DataFrame, rules: ControlRules) -> list[ControlCategory | None]:
    given = df["control_category"].fillna("").astype(str).str.strip() if "control_category" in df else None
    industry = df["industry"].fillna("").astype(str).str.strip() if "industry" in df else None
    found = []
    for k in range(len(df)):
        text = given.iloc[k] if given is not None else ""
        if text:
            found.append(rules.category(text))
            continue
        key = rules.zkq_industries.get(industry.iloc[k], "") if industry is not None else ""
        found.append(rules.categories.get(key))
    return found


def _ratio_check(out: pd.DataFrame, name: str, value: pd.Series, limit: np.ndarray) -> None:
    """Add the value, limit and result columns of the ratio check ``name`` (see _RATIO_CHECKS)."""
    value_column, _, limit_column, at_least = _RATIO_CHECKS[name]
    v = _finite(value.to_numpy(dtype="float64"))
    ok = v >= limit - 1e-12 if at_least else v <= limit + 1e-12
    out[value_column] = v
    out[limit_column] = limit
    out[f"{name}_check"] = np.select(
        [np.isnan(limit), np.isnan(v), ok], ["no_rule", "no_data", "pass"], default="fail"
    )


def _invest_check(out, df, land_m2, categories, rules: ControlRules, city_class, explicit) -> None:
    invest = _number(df, "investment_wan")
    if "investment_wan" not in df.columns and "investment_yi" in df.columns:
        invest = _number(df, "investment_yi") * WAN_PER_YI
    qualifier = (
        df["investment_qualifier"].fillna("").astype(str).reset_index(drop=True)
        if "investment_qualifier" in df.columns
        else pd.Series("", index=range(len(df)))
    )
    intensity = _finite((invest / (land_m2 / M2_PER_MU)).to_numpy(dtype="float64"))
    table = rules.investment_min_wan_per_mu.get(city_class or "", {})
    limit = np.array(
        [
            explicit if explicit is not None else table.get(c.key if c else "", table.get("default", np.nan))
            for c in categories
        ],
        dtype="float64",
    )
    ok = intensity >= limit - 1e-9
    lower_bound = (qualifier == "at_least").to_numpy()
    out["invest_intensity_wan_per_mu"] = intensity
    out["invest_min_wan_per_mu"] = limit
    out["invest_check"] = np.select(
        [np.isnan(limit), np.isnan(intensity), ok, lower_bound],
        ["no_rule", "no_data", "pass", "unknown"],
        default="fail",
    )


def _finite(values: np.ndarray) -> np.ndarray:
    """NaN (no data) for inf: an impossible figure never passes a check."""
    return np.where(np.isfinite(values), values, np.nan)


def _overall(out: pd.DataFrame) -> None:
    checks = out[[f"{c}_check" for c in CHECKS]].to_numpy()
    fails = checks == "fail"
    out["overall"] = np.select(
        [fails.any(axis=1), (checks == "pass").all(axis=1)], ["fail", "pass"], default="incomplete"
    )
    labels = {
        "far": "容积率 floor-area ratio",
        "coverage": "建筑系数 building coverage",
        "admin": "行政办公及生活服务设施用地比重 admin/living share",
        "invest": "投资强度 investment intensity",
    }
    out["issues"] = [
        "; ".join(labels[c] for c, bad in zip(CHECKS, row, strict=False) if bad) for row in fails
    ]
