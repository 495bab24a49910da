"""Cached access to the library for the app: data is loaded and joined once per process, and
selections and rendered maps are cached by their inputs, so a rerun with unchanged inputs
rebuilds nothing. All st.cache_* wrappers of the app live here."""

from __future__ import annotations

import os

import geopandas as gpd
import office
import state
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from zkq_geo.analysis.selection import Selection, apply_selection
from zkq_geo.catalog import Catalog
from zkq_geo.errors import DataSourceError, ZkqGeoError
from zkq_geo.export import export_bytes
from zkq_geo.i18n.messages import Message
from zkq_geo.layers import LayerData, load_layer
from zkq_geo.limits import MapLoad
from zkq_geo.limits import map_load as measure_map_load
from zkq_geo.office.postgis import PostgisWorkspace
from zkq_geo.office.userspace import restrict_catalog
from zkq_geo.render import tiles
from zkq_geo.render.builder import TileSource, tile_source_for
from zkq_geo.render.tiles import ensure_tiles, needs_tiles
from zkq_geo.workspace import full_catalog

FILTERABLE = ("parks", "projects")  # shipped layers with feature columns; filterable() adds imported ones
ASSET_BASE_URL = "/app/static/vendor/"


@st.cache_resource(show_spinner=False)
def workspace_cleaned() -> tuple[str, ...]:
    """Once per process, at the app's start: remove what interrupted imports left in the workspace
    (zkq_geo.workspace.Workspace.clean_orphans). A workspace the app may not write is left as it
    is: the app still shows it."""
    clean = getattr(office.office()[0], "clean_orphans", None)
    try:
        return tuple(clean()) if clean else ()
    except ZkqGeoError:
        return ()


@st.cache_resource(show_spinner=False)
def _full_catalog() -> Catalog:
    """The catalogue of every layer (shipped and imported), once per process; each user sees it
    through :func:`catalog` without the layers they may not see."""
    workspace_cleaned()
    return full_catalog(workspace=office.office()[0])


@st.cache_resource(show_spinner=False, max_entries=256)
def _layer(name: str) -> LayerData | Message:
    """Layer ``name`` loaded and joined once per process, or why an imported one cannot be read
    (a shipped layer that fails raises)."""
    spec = _full_catalog().layer(name)
    try:
        return load_layer(name, _full_catalog())
    except DataSourceError as exc:
        if spec.origin != "workspace":
            raise
        return exc.message


@st.cache_resource(show_spinner=False, max_entries=64)
def _loaded(hidden: frozenset[str]) -> tuple[Catalog, dict[str, LayerData]]:
    """The catalogue without the ``hidden`` layers, and every other layer loaded (a hidden layer is
    never loaded for this view). An imported layer that cannot be read is left out of both and
    said in ``catalog().broken``; the others all load."""
    cat = restrict_catalog(_full_catalog(), set(hidden))
    layers = {name: _layer(name) for name in cat.layers}
    failed = {n: v for n, v in layers.items() if not isinstance(v, LayerData)}
    return cat.without(failed), {n: v for n, v in layers.items() if n not in failed}


def hidden_but(visible: set[str]) -> frozenset[str]:
    """Every imported layer this process knows (loaded or broken) except the ``visible`` ones
    (UserWorkspace.visible_names): a layer the live workspace no longer lists stays hidden."""
    cat = _full_catalog()
    imported = {n for n, s in cat.layers.items() if s.origin == "workspace"} | set(cat.broken)
    return frozenset(imported - visible)


def hidden_layers() -> frozenset[str]:
    """The imported layers the signed-in user may not see (set for each run by streamlit_app.py
    from :meth:`UserWorkspace.visible_names`); in a run with no user known, every imported layer.
    Outside a script run (no browser session, no user: a test or a benchmark calling this module)
    the process's whole catalogue."""
    if get_script_run_ctx() is None:
        return frozenset()
    hidden = st.session_state.get(state.HIDDEN_LAYERS)
    if hidden is None:
        return frozenset(n for n, s in _full_catalog().layers.items() if s.origin == "workspace")
    return hidden


def catalog() -> Catalog:
    """The catalogue as the signed-in user sees it (UserWorkspace.catalog: shipped layers and the
    imported ones they may see)."""
    return _loaded(hidden_layers())[0]


def all_layers() -> dict[str, LayerData]:
    """Every layer the signed-in user may see that could be read (read-only: never mutate)."""
    return _loaded(hidden_layers())[1]


def filterable() -> tuple[str, ...]:
    """Layers the filters, the table and 亩均 apply to: parks, projects and every imported layer
    (loaded with the same feature columns, see zkq_geo.layers.load_layer)."""
    return FILTERABLE + tuple(n for n, spec in catalog().layers.items() if spec.origin == "workspace")


def refresh_layers() -> None:
    """Forget every cached catalogue, layer, selection, map and export (after an import, a join, a
    delete or a restore)."""
    for cached in (_full_catalog, _layer, _loaded, selected, map_load, _map_payload, export_file):
        cached.clear()
    prepared_tiles.clear()


@st.cache_resource(show_spinner=False, max_entries=128)
def selected(layer: str, selection: Selection) -> gpd.GeoDataFrame:
    """Layer ``layer`` filtered by ``selection`` (zone, boards and plates are not filtered)."""
    gdf = all_layers()[layer].gdf
    if layer not in filterable() or selection.is_empty:
        return gdf
    return apply_selection(gdf, selection, catalog(), all_layers()["plates"].gdf)


@st.cache_resource(show_spinner=False, max_entries=128)
def map_load(layer: str, selection: Selection) -> MapLoad:
    """Features and coordinates layer ``layer`` would put on the map (limits: zkq_geo.limits)."""
    return measure_map_load(selected(layer, selection))


def is_tiled(layer: str) -> bool:
    """An imported layer above the tile threshold (ZKQ_TILE_THRESHOLD) is drawn from vector tiles."""
    return catalog().layer(layer).origin == "workspace" and needs_tiles(all_layers()[layer].gdf)


@st.cache_resource(show_spinner=False, max_entries=64)
def prepared_tiles(layer: str) -> tuple[str, str]:
    """The tile URL template of an imported layer's shown version and what was done: "" (the
    tiles were there), "built" (first view of this version) or "rebuilt" (the cache on disk was
    damaged or incomplete). Once per version and process: zkq_geo.render.tiles.ensure_tiles.
    The PostGIS workspace builds nothing: its tiles come from the database (the tile route of
    server.py, zkq_geo.render.tiles.database_tile_reply). Raises ZkqGeoError when the tiles cannot be made."""
    workspace = office.office()[0]
    latest = workspace.latest(layer)
    if isinstance(workspace, PostgisWorkspace):  # the database makes each tile on request
        return tiles.tile_url(layer, latest.version), ""
    folder = workspace.tiles_dir(latest)
    damaged = folder.exists() and tiles.read_tileset(folder) is None
    _, built = ensure_tiles(all_layers()[layer].gdf, folder)
    return tiles.tile_url(layer, latest.version), ("rebuilt" if damaged else "built") if built else ""


def tile_url(layer: str) -> str:
    return prepared_tiles(layer)[0]


def tile_source(layer: str, selection: Selection) -> TileSource:
    """Where the map fetches ``layer``'s tiles and which of its rows the selection draws (a bit
    set; None when nothing is filtered out)."""
    return tile_source_for(tile_url(layer), all_layers()[layer].gdf, selected(layer, selection))


def map_payload(
    selection: Selection,
    shown: tuple[str, ...],
    basemap: str,
    color_by: str,
    lang: str,
    zoom_to_selection: bool,
    tianditu_key: str | None,
) -> dict:
    """The rendered map for these inputs, as the signed-in user sees the catalogue."""
    args = (selection, shown, basemap, color_by, lang, zoom_to_selection, tianditu_key)
    return _map_payload(*args, hidden_layers())


@st.cache_data(show_spinner=False, max_entries=32)
def _map_payload(
    selection: Selection,
    shown: tuple[str, ...],
    basemap: str,
    color_by: str,
    lang: str,
    zoom_to_selection: bool,
    tianditu_key: str | None,
    hidden: frozenset[str],
) -> dict:
    """The rendered map for these inputs (built and rendered only on a cache miss); ``hidden``
    (the layers this user may not see) is part of the key."""
    from map_component import map_payload as payload_of

    from zkq_geo.render.builder import build_map

    tiled = (
        {name: tile_source(name, selection) for name in shown if is_tiled(name)} if basemap != "amap" else {}
    )
    layers = {
        name: selected(name, selection)
        for name in shown
        if name in tiled or not (is_tiled(name) or map_load(name, selection).too_big)
    }
    focus = tuple(n for n in layers if n in filterable()) if zoom_to_selection else None
    m = build_map(
        layers,
        catalog=catalog(),
        lang=lang,
        basemap=basemap,
        color_by=color_by,
        tianditu_key=tianditu_key,
        asset_base_url=ASSET_BASE_URL,
        fit_to=focus,
        tiled=tiled,
    )
    return payload_of(m)


@st.cache_data(show_spinner=False, max_entries=32)
def export_file(layer: str, selection: Selection, fmt: str, datum: str, lang: str = "en") -> bytes:
    """The download: an Excel workbook in ``lang`` (Chinese headers and words on the Chinese UI);
    the other formats keep the English field names whatever the language."""
    return export_bytes(
        selected(layer, selection), fmt, datum=datum, layer_name=layer, lang=lang, catalog=catalog()
    )


def tianditu_key() -> str | None:
    """Tianditu key from ZKQ_TIANDITU_KEY or the Streamlit secret ``tianditu_key``; None if absent."""
    key = os.environ.get("ZKQ_TIANDITU_KEY")
    if key:
        return key
    try:
        return st.secrets.get("tianditu_key")
    except Exception:  # no secrets.toml at all: Streamlit raises its own error type
        return None
