"""Display tables: rename columns into the UI language and word every value; :func:`show` hands
a table to st.dataframe.

Every cell reads as the one value formatter (:mod:`zkq_geo.i18n.format`) writes it: codes as
words, blanks "—", numbers with separators, sources by their document's title; ids of plates,
parks and boards by their names. Numeric columns keep their numbers (a click on the header sorts
9 before 10): the formatter's text is their display value (a pandas Styler), and a missing
number shows as st.dataframe's ``placeholder``, "—".
"""

from __future__ import annotations

import data
import pandas as pd
import streamlit as st
from i18n import lang, t
from pandas.io.formats.style import Styler

from zkq_geo.i18n.format import (
    EMPTY,
    conflicts_text,
    field_label,
    is_blank,
    number_text,
    source_text,
    value_text,
)
from zkq_geo.units import unit_of

MAX_TABLE_ROWS = 20_000  # rows sent to the browser table; the export holds every selected feature
#: Rows of the table beside the map: a reading aid (the export and the data page hold them all);
#: each filter change sends it again, and 20,000 rows are 5 MB of a page's traffic.
MAP_TABLE_ROWS = 1000
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


#: Tables up to this many rows show the formatter's own text; longer ones the browser's
#: thousands separators ("localized"), as formatting every cell in Python on each rerun is slow.
STYLED_MAX_ROWS = 2000


def feature_table(frames: list[pd.DataFrame], rows: int = MAX_TABLE_ROWS) -> pd.DataFrame:
    """Parks and projects side by side, one row per feature, labelled in the UI language.

    Only the first ``rows`` rows are worded (a 100,000-parcel layer would cost
    seconds a rerun); ``attrs["total_rows"]`` keeps the count of all, for :func:`show`'s caption."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=[t(k) for k in FEATURE_COLUMNS.values()])
    total, parts, room = sum(len(f) for f in frames), [], rows
    for f in frames:
        if room > 0:
            parts.append(pd.DataFrame(f.head(room)[["id", *FEATURE_COLUMNS]]))
            room -= len(parts[-1])
    out = worded(pd.concat(parts, ignore_index=True))
    out = (
        out.set_index("id")
        .rename_axis(t("col_id"))
        .rename(columns={c: t(k) for c, k in FEATURE_COLUMNS.items()})
    )
    out.attrs["total_rows"] = total
    return out


def worded(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell of ``df`` as the planner reads it, in the UI language (column names unchanged).
    Numeric columns stay numbers (NaN for blanks; :func:`show` words them); years become text."""
    out, word = df.copy(), _cell_wording()
    for col in out.columns:
        if not is_quantity(out[col]) or str(col).endswith("year"):
            out[col] = [word(col, v) for v in out[col]]
    return out


def is_quantity(values: pd.Series) -> bool:
    """True for a column of numbers (not of yes/no flags): it is shown as numbers, sorted as numbers."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def show(frame: pd.DataFrame, where=st, rows: int = MAX_TABLE_ROWS, **kwargs) -> None:
    """``frame`` in ``where.dataframe`` (keyword arguments passed on): at most
    :data:`MAX_TABLE_ROWS` rows (a caption says when there are more), numeric columns sortable
    as numbers and worded by the formatter (:func:`styled`), missing numbers "—"."""
    total = frame.attrs.get("total_rows", len(frame))
    if total > rows:
        where.caption(t("table_truncated", shown=rows, n=total))
    shown = frame.head(rows)
    if len(shown) > STYLED_MAX_ROWS:  # the browser formats the numbers: a Styler costs ~1 s per 20,000 rows
        numeric = [c for c in shown.columns if is_quantity(shown[c])]
        config = {c: st.column_config.NumberColumn(format="localized") for c in numeric}
        config.update(kwargs.pop("column_config", None) or {})
        where.dataframe(shown, placeholder=EMPTY, column_config=config, **kwargs)
        return
    with pd.option_context("styler.render.max_elements", max(shown.size, 1) + 1):  # rows are capped above
        where.dataframe(styled(shown), placeholder=EMPTY, **kwargs)


def styled(frame: pd.DataFrame) -> pd.DataFrame | Styler:
    """``frame`` with the formatter's text (``1,234.5``, blanks "—") as the display value of its
    numeric columns; the values underneath stay numbers, so st.dataframe sorts them as numbers.
    A frame without numeric columns is returned as it is (a Styler costs time per cell)."""
    ui = lang()
    numeric = [c for c in frame.columns if is_quantity(frame[c])]
    if not numeric:
        return frame
    return frame.style.format(lambda v: number_text(v, ui), subset=numeric, na_rep=EMPTY)


def _cell_wording():
    """A function (column, value) -> text in the UI language: ids of plates/parks/boards by name,
    conflicts with labels and titles, the rest by :func:`zkq_geo.i18n.format.value_text`."""
    names, cat, ui = _reference_names(), data.catalog(), lang()
    titles = cat.source_titles()

    def word(col: str, value) -> str:
        if col in names and not is_blank(value):
            return names[col].get(str(value), str(value))
        return value_text(col, value, ui, catalog=cat, titles=titles)

    return word


def detail_rows(row: pd.Series) -> pd.DataFrame:
    """Every attribute the feature has (empty ones and geometry left out), labelled in the UI
    language, with its unit and the column name used in exports."""
    word = _cell_wording()
    items = [
        (field_label(col, lang()), word(col, v), unit_of(col), col)
        for col, v in row.items()
        if col != "geometry" and not is_blank(v)
    ]
    columns = [t("col_field"), t("col_value"), t("col_unit"), t("col_column")]
    return pd.DataFrame(items, columns=columns).set_index(columns[0])


def figures(frame: pd.DataFrame, column: str, qualifier: str = "") -> list[str]:
    """``frame[column]`` as the formatter writes a figure: its sign (from the ``qualifier``
    column), separators and unit (``≥30 亿元``); a missing figure "—" or the reason (无用地面积)."""
    signs = frame[qualifier] if qualifier in frame.columns else [""] * len(frame)
    ui, unit = lang(), unit_of(column)
    return [number_text(v, ui, unit=unit, qualifier=q) for v, q in zip(frame[column], signs, strict=True)]


def source_line(value) -> str:
    """A source as "document title，section" (the seed file name stays in the data and exports)."""
    return source_text(value, lang(), data.catalog().source_titles())


def conflict_text(text) -> str:
    """The conflicts note with its column names as labels and its sources by title:
    ``investment_yi: ...`` -> ``投资额（亿元）: ...``."""
    return conflicts_text(text, lang(), data.catalog().source_titles())


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
    key = summary.columns[0]
    out = worded(summary.drop(columns=key))
    out.insert(0, key, summary[key].map(lambda k: _group_label(k, by)))
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
    """A table of the data page with its columns and values in the UI language. Its ``source`` and
    ``source_file`` columns keep the seed file names: this page is where they are looked up."""
    out = worded(df.drop(columns=[c for c in ("source", "source_file") if c in df.columns]))
    for col in ("source", "source_file"):
        if col in df.columns:
            out.insert(
                list(df.columns).index(col), col, df[col].map(lambda v: EMPTY if is_blank(v) else str(v))
            )
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


def _reference_names() -> dict[str, dict[str, str]]:
    """Columns that hold ids of another layer -> {id: name} (plate_id, park_id, board_id)."""
    layers = data.all_layers()
    return {
        col: dict(zip(layers[name].gdf["id"], layers[name].gdf["name"], strict=False))
        for col, name in (("plate_id", "plates"), ("park_id", "parks"), ("board_id", "boards"))
        if name in layers
    }


_MD_SPECIAL = "\\`*_{}[]()<>#+-.!|~$"


def md_text(value) -> str:
    """Attribute text for st.markdown/st.caption: markdown characters escaped, so text shows as typed."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(value))
