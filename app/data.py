"""Cached access to the library for the app: data is loaded and joined once per process, and
selections and rendered maps are cached by their inputs, so a rerun with unchanged inputs
rebuilds nothing. All st.cache_* wrappers of the app live here."""
from __future__ import annotations

import os

import geopandas as gpd
import streamlit as st

from zkq_geo.catalog import Catalog, load_catalog
from zkq_geo.export import export_bytes
from zkq_geo.layers import LayerData, load_layers
from zkq_geo.selection import Selection, apply_selection

FILTERABLE = ("parks", "projects")  # shipped layers with feature columns; filterable() adds imported ones
ASSET_BASE_URL = "/app/static/vendor/"


@st.cache_resource(show_spinner=False)
def catalog() -> Catalog:
    return load_catalog()


@st.cache_resource(show_spinner=False)
def all_layers() -> dict[str, LayerData]:
    """Every catalogue layer, loaded and joined once per process (read-only: never mutate)."""
    return load_layers(catalog=catalog())


def filterable() -> tuple[str, ...]:
    """Layers the filters, the table and 亩均 apply to: parks, projects and every imported layer
    (loaded with the same feature columns, see zkq_geo.layers.load_layer)."""
    return FILTERABLE + tuple(n for n, spec in catalog().layers.items() if spec.origin == "workspace")


def refresh_layers() -> None:
    """Forget every cached catalogue, layer, selection, map and export (after an import or a join)."""
    for cached in (catalog, all_layers, selected, map_payload, export_file):
        cached.clear()


@st.cache_resource(show_spinner=False, max_entries=128)
def selected(layer: str, selection: Selection) -> gpd.GeoDataFrame:
    """Layer ``layer`` filtered by ``selection`` (zone, boards and plates are not filtered)."""
    gdf = all_layers()[layer].gdf
    if layer not in filterable() or selection.is_empty:
        return gdf
    return apply_selection(gdf, selection, catalog(), all_layers()["plates"].gdf)


@st.cache_data(show_spinner=False, max_entries=32)
def map_payload(selection: Selection, shown: tuple[str, ...], basemap: str, color_by: str, lang: str,
                zoom_to_selection: bool, tianditu_key: str | None) -> dict:
    """The rendered map for these inputs (built and rendered only on a cache miss)."""
    from map_component import map_payload as payload_of
    from zkq_geo.render import build_map
    layers = {name: selected(name, selection) for name in shown}
    focus = tuple(n for n in layers if n in filterable()) if zoom_to_selection else None
    m = build_map(layers, catalog=catalog(), lang=lang, basemap=basemap, color_by=color_by,
                  tianditu_key=tianditu_key, asset_base_url=ASSET_BASE_URL, fit_to=focus)
    return payload_of(m)


@st.cache_data(show_spinner=False, max_entries=32)
def export_file(layer: str, selection: Selection, fmt: str, datum: str) -> bytes:
    return export_bytes(selected(layer, selection), fmt, datum=datum, layer_name=layer)


def tianditu_key() -> str | None:
    """Tianditu key from ZKQ_TIANDITU_KEY or the Streamlit secret ``tianditu_key``; None if absent."""
    key = os.environ.get("ZKQ_TIANDITU_KEY")
    if key:
        return key
    try:
        return st.secrets.get("tianditu_key")
    except Exception:  # no secrets.toml at all: Streamlit raises its own error type
        return None
