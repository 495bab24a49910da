"""The sidebar: filter widgets and view options. Reads widgets, returns plain values."""

from __future__ import annotations

import math
from dataclasses import dataclass

import data
import state
import streamlit as st
from i18n import t

from zkq_geo.analysis.selection import Selection


@dataclass(frozen=True)
class View:
    shown: tuple[str, ...]
    basemap: str
    color_by: str


def _clear_filters() -> None:
    for key in (state.INDUSTRIES, state.PLATE, state.INVESTMENT, state.SEARCH):
        st.session_state.pop(key, None)


def selection() -> Selection:
    """Draw the filter widgets and return the selection they describe."""
    cat = data.catalog()
    layers = data.all_layers()
    lang = st.session_state.get(state.LANG, "zh")
    st.sidebar.subheader(t("filters"))
    industries = st.sidebar.multiselect(
        t("industry"),
        list(cat.industries),
        key=state.INDUSTRIES,
        format_func=lambda c: cat.industry_label(c, lang),
        placeholder=t("choose"),
    )
    plates = layers["plates"].gdf
    names = dict(zip(plates["id"], plates["name"], strict=False))
    plate = st.sidebar.selectbox(
        t("plate"), [""] + list(names), key=state.PLATE, format_func=lambda p: names.get(p, t("all_plates"))
    )
    top = _investment_ceiling(layers)
    low, high = st.sidebar.slider(t("investment_range"), 0.0, top, (0.0, top), step=0.5, key=state.INVESTMENT)
    search = st.sidebar.text_input(t("search"), key=state.SEARCH).strip()
    st.sidebar.button(t("reset_filters"), on_click=_clear_filters)
    full_range = low <= 0 and high >= top
    return Selection(
        industries=tuple(industries),
        plate=plate or None,
        min_investment_yi=None if full_range else low,
        max_investment_yi=None if full_range else high,
        search=search or None,
    )


def view_options() -> View:
    st.sidebar.subheader(t("layers"))
    cat = data.catalog()
    lang = st.session_state.get(state.LANG, "zh")
    all_layers = list(cat.layers)  # the shipped five, then imported layers (zkq_geo.workspace)
    shown = st.sidebar.multiselect(
        t("layers"),
        all_layers,
        default=all_layers,
        key=state.SHOWN_LAYERS,
        format_func=lambda n: cat.layer(n).title(lang),
        label_visibility="collapsed",
    )
    basemaps = ["none", "osm", "amap"] + (["tianditu"] if data.tianditu_key() else [])
    basemap = st.sidebar.selectbox(
        t("basemap"), basemaps, key=state.BASEMAP, format_func=lambda b: t(f"basemap_{b}")
    )
    color_by = st.sidebar.radio(
        t("color_by"),
        ["industry", "intensity"],
        key=state.COLOR_BY,
        format_func=lambda c: t(f"color_{c}"),
        horizontal=True,
    )
    return View(shown=tuple(n for n in all_layers if n in shown), basemap=basemap, color_by=color_by)


def _investment_ceiling(layers) -> float:
    values = [v for n in data.filterable() for v in layers[n].gdf["investment_yi"].dropna()]
    return float(math.ceil(max(values, default=1.0)))
