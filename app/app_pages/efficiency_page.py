"""亩均 page: zone-level per-mu figures, intensity ranking, a map coloured by intensity, and the
features whose intensity is missing or only a lower bound."""

from __future__ import annotations

import altair as alt
import data
import pandas as pd
import sidebar
import state
import streamlit as st
import tables
from i18n import choice_radio, lang, qualifier_label, t
from map_component import show_map

from zkq_geo.analysis import metrics
from zkq_geo.i18n.messages import text_of

MAX_BARS = 60  # bars of the ranking chart (the shipped layers have 46 features)
FIGURES = {  # figures in the ranking's tooltips -> the column saying what kind of figure each is
    "investment_yi": "investment_qualifier",
    "land_area_mu": "land_area_qualifier",
    "invest_intensity_wan_per_mu": "invest_intensity_qualifier",
}

sel = sidebar.selection()
st.title(t("page_efficiency"))
st.warning(t("schematic_note"))

st.subheader(t("zone_per_mu"))
zone = data.all_layers()["zone"].gdf
per_mu = metrics.zone_per_mu(pd.DataFrame(zone.drop(columns=zone.geometry.name)))
label = "label_zh" if lang() == "zh" else "label_en"
zone_cols = {
    label: "col_name",
    "value": "col_value",
    "unit": "col_unit",
    "numerator_yi": "col_numerator_yi",
    "denominator_mu": "col_denominator_mu",
    "year": "col_year",
    "source": "source",
}
tables.show(
    tables.worded(per_mu[list(zone_cols)]).rename(columns={c: t(k) for c, k in zone_cols.items()}),
    hide_index=True,
    width="stretch",
)
st.caption(t("zone_per_mu_note"))

features = pd.concat([pd.DataFrame(data.selected(n, sel)) for n in data.filterable()], ignore_index=True)
cat = data.catalog()
features["layer_label"] = features["layer"].map(lambda n: cat.layer(n).title(lang()))
features["qualifier_label"] = features["invest_intensity_qualifier"].map(qualifier_label)
features["source_label"] = features["source"].map(tables.source_line)

st.subheader(t("ranking"))
if (
    left_out := metrics.impossible_figures(features)
) is not None:  # impossible figures: never ranked or divided
    st.warning(tables.md_text(text_of(left_out, lang())))
ranked = metrics.rank_by_intensity(features.drop(columns="geometry")).dropna(
    subset=["invest_intensity_wan_per_mu"]
)
if ranked.empty:
    st.info(t("no_match"))
else:
    if len(ranked) > MAX_BARS:  # a bar per feature: a big imported layer would make a chart of 100,000 bars
        st.caption(t("ranking_top", shown=MAX_BARS, n=len(ranked)))
        ranked = ranked.head(MAX_BARS)
    for column, qualifier in FIGURES.items():  # tooltips: numbers with sign and unit, blanks "—"
        ranked[f"{column}_text"] = tables.figures(ranked, column, qualifier)
    chart = (
        alt.Chart(ranked)
        .mark_bar()
        .encode(
            x=alt.X("invest_intensity_wan_per_mu:Q", title=t("col_intensity")),
            y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False)),
            color=alt.Color(
                "layer_label:N",
                title=t("col_layer"),
                legend=alt.Legend(labelLimit=0),
                sort=[cat.layer(n).title(lang()) for n in data.filterable()],
            ),  # same colours in zh and en
            opacity=alt.condition(
                alt.datum.invest_intensity_qualifier == "exact", alt.value(1.0), alt.value(0.45)
            ),
            tooltip=[
                alt.Tooltip(f, title=t(k))
                for f, k in (
                    ("name", "col_name"),
                    ("investment_yi_text", "tip_investment"),
                    ("land_area_mu_text", "tip_land"),
                    ("invest_intensity_wan_per_mu_text", "tip_intensity"),
                    ("qualifier_label", "col_qualifier"),
                    ("source_label", "source"),
                )
            ],
        )
        .properties(height=max(160, 26 * len(ranked)))
    )
    st.altair_chart(chart, width="stretch")

st.subheader(t("intensity_map"))
payload = data.map_payload(sel, ("zone", "parks", "projects"), "none", "intensity", lang(), False, None)
show_map(payload, key="intensity_map", height=480)

left, right = st.columns(2)
for col, title, qualifiers in (
    (left, "not_computable", ["no_land_area", "no_investment"]),
    (right, "lower_bounds", ["at_least", "indeterminate", "at_most"]),
):
    ids = features.loc[features["invest_intensity_qualifier"].isin(qualifiers), "id"]
    col.subheader(t(title))
    listed = tables.feature_table(
        [g[g["id"].isin(ids)] for g in (data.selected(n, sel) for n in data.filterable())]
    )
    if len(listed):
        tables.show(listed, where=col, width="stretch")
    else:
        col.caption(t("none_listed"))

st.subheader(t("summary_by"))
by = choice_radio(
    t("summary_by"), ["industry", "plate"], "by_", key=state.SUMMARY_BY, label_visibility="collapsed"
)
summary = metrics.summarize_efficiency(features.drop(columns="geometry"), by=by)
tables.show(tables.summary_table(summary, by), hide_index=True, width="stretch")
