"""Display tables: rename columns into the UI language and label codes. Formatting only."""

from __future__ import annotations

import data
import pandas as pd
from i18n import lang, qualifier_label, t, value_label

from zkq_geo.render.builder import FIELD_LABELS, field_label
from zkq_geo.units import unit_of

MAX_TABLE_ROWS = 20_000  # rows sent to the browser table; the export holds every selected feature
FEATURE_COLUMNS = {  # column -> UI string key
    "name": "col_name",
    "layer": "col_layer",
    "industry": "col_industry",
    "investment_yi": "col_investment",
    "investment_qualifier": "col_qualifier",
    "land_area_mu": "col_land",
    "floor_area_m2": "col_floor",
    "invest_intensity_wan_per_mu": "col_intensity",
    "plate_id": "col_plate",
    "has_conflict": "col_conflict",
}


def feature_table(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Parks and projects side by side, one row per feature, labelled in the UI language."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=[t(k) for k in FEATURE_COLUMNS.values()])
    df = pd.concat([pd.DataFrame(f.drop(columns=f.geometry.name)) for f in frames], ignore_index=True)
    cat, plates = data.catalog(), data.all_layers()["plates"].gdf
    plate_names = dict(zip(plates["id"], plates["name"], strict=False))
    out = df[["id", *FEATURE_COLUMNS]].copy()
    out["layer"] = out["layer"].map(lambda n: cat.layer(n).title(lang()) if n in cat.layers else n)
    out["industry"] = out["industry"].map(lambda c: cat.industry_label(c, lang()))
    out["investment_qualifier"] = out["investment_qualifier"].map(qualifier_label)
    out["plate_id"] = out["plate_id"].map(lambda p: plate_names.get(p, p))
    return (
        out.set_index("id")
        .rename_axis(t("col_id"))
        .rename(columns={c: t(k) for c, k in FEATURE_COLUMNS.items()})
    )


def detail_rows(row: pd.Series) -> pd.DataFrame:
    """Every attribute the feature has (empty ones and geometry left out), labelled in the UI
    language, with its unit and the column name used in exports."""
    items = [
        (field_label(col, lang()), _value_text(col, v), unit_of(col), col)
        for col, v in row.items()
        if col != "geometry" and not _empty(v)
    ]
    columns = [t("col_field"), t("col_value"), t("col_unit"), t("col_column")]
    return pd.DataFrame(items, columns=columns).set_index(columns[0])


def conflict_text(text: str) -> str:
    """The conflicts note with its column names as labels:
    ``investment_yi: ...`` -> ``投资额（亿元）: ...``."""
    for col in FIELD_LABELS:
        text = text.replace(f"{col}:", f"{field_label(col, lang())}:")
    return text


SUMMARY_COLUMNS = {  # summarize_efficiency column -> UI string key
    "feature_count": "s_feature_count",
    "with_land_count": "s_with_land",
    "with_investment_count": "s_with_investment",
    "lower_bound_count": "s_lower_bound",
    "investment_yi_total": "s_investment_total",
    "investment_total_is_lower_bound": "s_total_lower",
    "land_area_mu_total": "s_land_total",
    "intensity_count": "s_intensity_count",
    "invest_intensity_wan_per_mu": "s_intensity",
    "invest_intensity_qualifier": "col_qualifier",
}


def summary_table(summary: pd.DataFrame, by: str) -> pd.DataFrame:
    """``metrics.summarize_efficiency`` output with group names and columns in the UI language."""
    out = summary.copy()
    key = out.columns[0]
    out[key] = out[key].map(lambda k: _group_label(k, by))
    out["invest_intensity_qualifier"] = out["invest_intensity_qualifier"].map(qualifier_label)
    return out.rename(columns={key: t(f"col_{by}"), **{c: t(k) for c, k in SUMMARY_COLUMNS.items()}})


DATA_COLUMNS = {  # columns of the sources, conflicts, join report and zone indicator tables
    "source_file": "col_file",
    "title_zh": "col_title",
    "kind": "col_kind",
    "published": "col_published",
    "figures_period": "col_period",
    "id": "col_id",
    "name": "col_name",
    "layer": "col_layer",
    "investment_yi": "col_investment",
    "source": "source",
    "conflicts": "col_conflicts",
    "indicator_zh": "col_indicator",
    "unit": "col_unit",
    "year": "col_year",
    "value": "col_value",
    "table": "col_table",
    "matched": "col_matched",
    "features": "col_features",
    "table_rows": "col_table_rows",
    "clean": "col_clean",
}


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """A table of the data page with its columns, layer names and coded kinds in the UI language."""
    out = df.copy()
    if "layer" in out.columns:
        out["layer"] = out["layer"].map(_layer_title)
    if "kind" in out.columns:
        out["kind"] = out["kind"].map(value_label)
    if "conflicts" in out.columns:
        out["conflicts"] = out["conflicts"].map(conflict_text)
    return out.rename(columns={c: t(k) for c, k in DATA_COLUMNS.items() if c in out.columns})


def _group_label(key: str, by: str) -> str:
    if key == "unassigned":
        return t("unassigned")
    if by == "industry":
        return data.catalog().industry_label(key, lang())
    if by == "plate":
        plates = data.all_layers()["plates"].gdf
        return dict(zip(plates["id"], plates["name"], strict=False)).get(key, key)
    return _layer_title(key)


def _layer_title(name: str) -> str:
    cat = data.catalog()
    return cat.layer(name).title(lang()) if name in cat.layers else name


def _value_text(col: str, value) -> str:
    if isinstance(value, bool) or col == "has_conflict":
        return t("yes" if bool(value) else "no")
    if col.endswith("_qualifier"):
        return qualifier_label(str(value))
    if col == "layer":
        return _layer_title(str(value))
    if col in ("industry", "industries"):
        sep = "、" if lang() == "zh" else "; "
        return sep.join(data.catalog().industry_label(c, lang()) for c in str(value).split("|") if c)
    if col == "conflicts":
        return conflict_text(str(value))
    if isinstance(value, float):
        return str(int(value)) if col.endswith("year") else f"{value:,.2f}".rstrip("0").rstrip(".")
    return value_label(str(value))


_MD_SPECIAL = "\\`*_{}[]()<>#+-.!|~$"


def md_text(value) -> str:
    """Attribute text for st.markdown/st.caption: markdown characters escaped, so text shows as typed."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(value))


def _empty(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v == ""
