"""Display tables: rename columns into the UI language and label codes. Formatting only."""
from __future__ import annotations

import pandas as pd

import data
from i18n import lang, qualifier_label, t
from zkq_geo.units import unit_of

FEATURE_COLUMNS = {  # column -> UI string key
    "name": "col_name", "layer": "col_layer", "industry": "col_industry", "investment_yi": "col_investment",
    "investment_qualifier": "col_qualifier", "land_area_mu": "col_land", "floor_area_m2": "col_floor",
    "invest_intensity_wan_per_mu": "col_intensity", "plate_id": "col_plate", "has_conflict": "col_conflict",
}


def feature_table(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Parks and projects side by side, one row per feature, labelled in the UI language."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=[t(k) for k in FEATURE_COLUMNS.values()])
    df = pd.concat([pd.DataFrame(f.drop(columns=f.geometry.name)) for f in frames], ignore_index=True)
    cat, plates = data.catalog(), data.all_layers()["plates"].gdf
    plate_names = dict(zip(plates["id"], plates["name"]))
    out = df[["id", *FEATURE_COLUMNS]].copy()
    out["layer"] = out["layer"].map(lambda n: cat.layer(n).title(lang()) if n in cat.layers else n)
    out["industry"] = out["industry"].map(lambda c: cat.industry_label(c, lang()))
    out["investment_qualifier"] = out["investment_qualifier"].map(qualifier_label)
    out["plate_id"] = out["plate_id"].map(lambda p: plate_names.get(p, p))
    return out.set_index("id").rename(columns={c: t(k) for c, k in FEATURE_COLUMNS.items()})


def detail_rows(row: pd.Series) -> pd.DataFrame:
    """Every attribute of one feature with its unit (geometry left out)."""
    items = [(col, "" if _empty(v) else str(v), unit_of(col)) for col, v in row.items() if col != "geometry"]
    return pd.DataFrame(items, columns=["field", "value", "unit"]).set_index("field")


_MD_SPECIAL = "\\`*_{}[]()<>#+-.!|~$"


def md_text(value) -> str:
    """Attribute text for st.markdown/st.caption: markdown characters escaped, so text shows as typed."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(value))


def _empty(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v == ""
