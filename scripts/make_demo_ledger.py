"""Write the SYNTHETIC demo ledger geodata/examples/demo_ledger_synthetic.csv.

Every row is invented: fictional names ("示例企业001（虚构）"), codes "SYN000001" that are not
unified social credit codes, fictional parks and plates, random figures of plausible size and
random points in 113.72-113.86E, 34.65-34.75N (WGS84). Nothing here comes from the seed
documents and it must never be mixed with them. The seed is fixed, so the file is reproducible:

    .venv/bin/python scripts/make_demo_ledger.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from zkq_geo.evaluation.ledger import FIELD_BY_COLUMN, template_columns  # noqa: E402
from zkq_geo.units import M2_PER_MU  # noqa: E402

SEED = 20240501
FIRMS = 80
OUT = REPO / "geodata" / "examples" / "demo_ledger_synthetic.csv"
PARKS = [f"示例园区{c}（虚构）" for c in "甲乙丙丁戊"]
PLATES = [f"示例板块{c}（虚构）" for c in "一二三"]
INDUSTRIES = {
    "auto": "transport_equipment",
    "equipment": "general_equipment",
    "ict": "electronics",
    "biomed": "pharmaceuticals",
    "materials_env": "metal_products",
    "logistics": "",
}


def _lognormal(rng, median: float, sigma: float, size: int) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, sigma, size))


def build(rng: np.random.Generator) -> pd.DataFrame:
    n = FIRMS
    kind = np.array(
        ["above"] * 36 + ["below"] * 30 + ["leased"] * 10 + ["utility", "utility", "startup", "startup"]
    )
    above, below, leased = kind == "above", kind == "below", kind == "leased"
    land = np.where(
        above, rng.uniform(20, 300, n), np.where(below, rng.uniform(0.8, 15, n), rng.uniform(10, 80, n))
    )
    land = np.where(leased, np.nan, land).round(2)
    tax = land * np.where(above, _lognormal(rng, 20, 0.6, n), _lognormal(rng, 9, 0.7, n))
    tax = np.where(leased, _lognormal(rng, 60, 0.8, n), tax)
    revenue = tax * _lognormal(rng, 20, 0.3, n)
    value_added = revenue * rng.uniform(0.18, 0.32, n)
    industry = rng.choice(list(INDUSTRIES), n)
    frame = pd.DataFrame(
        {
            "credit_code": [f"SYN{k:06d}" for k in range(1, n + 1)],
            "name": [f"示例企业{k:03d}（虚构）" for k in range(1, n + 1)],
            "land_area_mu": land,
            "tax_wan": tax.round(1),
            "revenue_wan": revenue.round(1),
            "value_added_wan": value_added.round(1),
            "energy_tce": (value_added / _lognormal(rng, 3, 0.5, n)).round(1),
            "emissions_t": (value_added / _lognormal(rng, 5000, 0.5, n)).round(3),
            "employees": np.maximum(3, value_added / _lognormal(rng, 18, 0.4, n)).round(0),
            "rd_wan": (revenue * rng.uniform(0.0, 0.06, n)).round(1),
            "electricity_kwh": (tax * 10000 / _lognormal(rng, 0.3, 0.5, n)).round(0),
            "water_t": (value_added / _lognormal(rng, 0.05, 0.5, n)).round(0),
            "cod_t": (value_added / _lognormal(rng, 2000, 0.5, n)).round(3),
            "scale": np.where(above | (kind == "utility"), "规上", "规下"),
            "land_status": np.where(leased, "租赁", "自有"),
            "special": np.select(
                [kind == "utility", kind == "startup"], ["公用事业", "新建投产"], default=""
            ),
            "industry": industry,
            "park": rng.choice(PARKS, n),
            "plate": rng.choice(PLATES, n),
            "lon": rng.uniform(113.72, 113.86, n).round(6),
            "lat": rng.uniform(34.65, 34.75, n).round(6),
        }
    )
    far = _lognormal(rng, 1.0, 0.35, n)
    land_m2 = frame["land_area_mu"] * M2_PER_MU
    frame["investment_wan"] = (frame["land_area_mu"] * _lognormal(rng, 320, 0.4, n)).round(0)
    frame["floor_area_m2"] = (land_m2 * far).round(0)
    frame["building_footprint_m2"] = (land_m2 * rng.uniform(0.26, 0.6, n)).round(0)
    frame["admin_area_m2"] = (land_m2 * rng.uniform(0.02, 0.085, n)).round(0)
    frame["control_category"] = frame["industry"].map(INDUSTRIES)
    frame.loc[[5, 47], "land_area_mu"] = (
        np.nan
    )  # two owned firms without a land figure: excluded with a reason
    return frame


def main() -> None:
    frame = build(np.random.default_rng(SEED))
    headers = dict(zip(template_columns()["column"], template_columns()["header_zh"], strict=False))
    frame = frame[[c for c in FIELD_BY_COLUMN if c in frame.columns]].rename(columns=headers)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(OUT, index=False, encoding="utf-8", lineterminator="\n")
    print(f"wrote {len(frame)} synthetic firms to {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
