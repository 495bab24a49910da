"""Data & sources page: where every figure comes from, how layers were joined, and the method."""

from __future__ import annotations

import data
import pandas as pd
import streamlit as st
import tables
from i18n import t

from zkq_geo.io import read_table

cat = data.catalog()
st.title(t("page_data"))
st.warning(t("schematic_note"))

st.subheader(t("method"))
st.markdown(t("method_text"))

st.subheader(t("sources"))
tables.show(tables.labelled(read_table(cat.sources)), hide_index=True, width="stretch")

st.subheader(t("conflicts"))
rows = [
    r
    for d in data.all_layers().values()
    if "has_conflict" in d.gdf
    for r in d.gdf.loc[
        d.gdf["has_conflict"], ["id", "name", "layer", "investment_yi", "source", "conflicts"]
    ].to_dict("records")
]
tables.show(
    tables.labelled(
        pd.DataFrame(rows, columns=["id", "name", "layer", "investment_yi", "source", "conflicts"])
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(t("join_reports"))
reports = [
    {
        "layer": n,
        "matched": d.report.matched,
        "features": d.report.left_count,
        "table_rows": d.report.right_count,
        "clean": d.report.clean,
    }
    for n, d in data.all_layers().items()
]
tables.show(tables.labelled(pd.DataFrame(reports)), hide_index=True, width="stretch")
for d in data.all_layers().values():
    if not d.report.clean:
        st.warning(d.report.summary())  # which keys did not match (ids, as in the files)

if cat.zone_indicators is not None:
    st.subheader(t("zone_indicators"))
    tables.show(
        tables.labelled(read_table(cat.zone_indicators, numeric=False)), hide_index=True, width="stretch"
    )
