"""Map page: the zone's layers, filters, a table beside the map, feature details and export."""

from __future__ import annotations

import clicks
import data
import pandas as pd
import sidebar
import state
import streamlit as st
import tables
from i18n import lang, t
from map_component import show_map

from zkq_geo.errors import ZkqGeoError
from zkq_geo.export import EXPORT_FORMATS, MEDIA_TYPES, suggested_filename
from zkq_geo.i18n.messages import text_of

EXPORT_CHOICES = [(f, "wgs84") for f in EXPORT_FORMATS] + [("geojson", "gcj02")]
EXPORT_LABELS = {
    ("geojson", "wgs84"): "GeoJSON (RFC 7946, WGS84)",
    ("geojson", "gcj02"): "GeoJSON (GCJ-02, 高德/AMap)",
    ("gpkg", "wgs84"): "GeoPackage",
    ("shp", "wgs84"): "Shapefile (zip, UTF-8)",
    ("csv", "wgs84"): "CSV (UTF-8)",
    ("xlsx", "wgs84"): "Excel (xlsx)",
}

sel = sidebar.selection()
view = sidebar.view_options()
shown = {name: data.selected(name, sel) for name in view.shown}

st.title(t("app_title"))
if problem := data.catalog().extra.get("workspace_problem"):  # imported layers cannot be listed
    st.warning(t("workspace_hidden", problem=tables.md_text(text_of(problem, lang()))))
for message in data.catalog().broken.values():  # one imported layer each; the other layers are shown
    st.warning(tables.md_text(text_of(message, lang())))
tiled = {name for name in shown if data.is_tiled(name)}  # drawn from vector tiles (big imported layers)
undrawable: set[str] = set()  # tiles that could not be made: off the map, still in table and export
for name in sorted(tiled):  # built once per layer version; a damaged cache is built again
    title = tables.md_text(data.catalog().layer(name).title(lang()))
    try:
        with st.spinner(t("tiles_building", layer=title)):
            _, done = data.prepared_tiles(name)
    except ZkqGeoError as exc:  # not drawn; the rest of the page works
        st.warning(t("tiles_failed", layer=title, error=tables.md_text(text_of(exc.args[0], lang()))))
        tiled.discard(name)
        undrawable.add(name)
        continue
    if done == "rebuilt" and st.session_state.get(f"_tiles_said_{name}") is None:
        st.info(t("tiles_rebuilt", layer=title))
        st.session_state[f"_tiles_said_{name}"] = True
for name in sorted(tiled) if view.basemap == "amap" else ():
    st.warning(t("map_tiled_amap", layer=tables.md_text(data.catalog().layer(name).title(lang()))))
for name in (n for n in shown if n not in tiled and n not in undrawable):
    if (load := data.map_load(name, sel)).too_big:  # not drawn: its features would break the page
        st.warning(
            t(
                "map_layer_too_big",
                layer=tables.md_text(data.catalog().layer(name).title(lang())),
                n=load.features,
                v=load.vertices,
                max_n=load.max_features,
                max_v=load.max_vertices,
            )
        )
if any((g["geometry_quality"] == "schematic").any() for g in shown.values() if len(g)):
    st.warning(t("schematic_note"))

parks, projects = data.selected("parks", sel), data.selected("projects", sel)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("count_parks"), len(parks))
c2.metric(t("count_projects"), len(projects))
for col, frame, label in ((c3, parks, "invest_parks"), (c4, projects, "invest_projects")):
    lower = (frame["investment_qualifier"] == "at_least").any()
    col.metric(
        t(label),
        f"{'≥' if lower else ''}{frame['investment_yi'].sum():,.1f}",
        help=t("investment_sum_note") + (t("investment_lower_bound_note") if lower else ""),
    )

zoom = st.toggle(t("zoom_selection"), key=state.ZOOM_TO_SELECTION)
col_map, col_side = st.columns([5, 3], gap="medium")
with col_map:
    payload = data.map_payload(
        sel,
        tuple(n for n in view.shown if n not in undrawable),
        view.basemap,
        view.color_by,
        lang(),
        zoom,
        data.tianditu_key() if view.basemap == "tianditu" else None,
    )
    clicked = (show_map(payload, key="main_map", height=680) or {}).get("last_object_clicked")
    hit = clicks.clicked_feature(shown, clicked, view.basemap)  # GCJ-02 clicks shifted back on AMap
    if hit and hit != st.session_state.get("_last_hit"):
        st.session_state[state.DETAIL_ID] = hit
        st.session_state["_last_hit"] = hit

with col_side:
    st.subheader(t("table"))
    listed = [g for n, g in shown.items() if n in data.filterable()]
    table = tables.feature_table(listed, tables.MAP_TABLE_ROWS)
    if table.empty:
        st.info(t("no_match"))
    tables.show(table, rows=tables.MAP_TABLE_ROWS, height=320, width="stretch")

    st.subheader(t("detail"))
    # the picker lists the inline layers' features; of a tiled layer only the one clicked on the map
    pickable = [
        pd.DataFrame(g)
        for n, g in shown.items()
        if len(g) and n not in tiled and not data.map_load(n, sel).too_big
    ]
    current = st.session_state.get(state.DETAIL_ID)
    pickable += [pd.DataFrame(shown[n][shown[n]["id"] == current]) for n in tiled if current]
    everything = pd.concat(pickable, ignore_index=True) if pickable else pd.DataFrame()
    ids = [""] + (everything["id"].tolist() if len(everything) else [])
    if st.session_state.get(state.DETAIL_ID) not in ids:
        st.session_state[state.DETAIL_ID] = ""
    names = dict(zip(everything.get("id", []), everything.get("name", []), strict=False))
    detail_id = st.selectbox(
        t("detail_pick"),
        ids,
        key=state.DETAIL_ID,
        format_func=lambda i: names.get(i, t("detail_none")) if i else t("detail_none"),
    )
    if detail_id:
        row = everything[everything["id"] == detail_id].iloc[0]  # ids of imported layers may repeat
        st.markdown(f"**{tables.md_text(names[detail_id])}**")
        st.caption(f"{t('source')}：{tables.md_text(tables.source_line(row.get('source')))}")
        if bool(row.get("has_conflict", False)):
            st.warning(f"{t('conflicts')}：{tables.md_text(tables.conflict_text(row.get('conflicts', '')))}")
        narrow = st.column_config.TextColumn(width="small")
        st.dataframe(
            tables.detail_rows(row),
            width="stretch",
            column_config={t("col_unit"): narrow, t("col_column"): narrow},
        )

    st.subheader(t("export"))
    cat = data.catalog()
    layer = st.selectbox(
        t("export_layer"),
        list(shown) or ["parks"],
        key=state.EXPORT_LAYER,
        index=(list(shown).index("parks") if "parks" in shown else 0),
        format_func=lambda n: cat.layer(n).title(lang()),
    )
    fmt, datum = st.selectbox(
        t("export_format"), EXPORT_CHOICES, key=state.EXPORT_FORMAT, format_func=lambda c: EXPORT_LABELS[c]
    )
    count = len(data.selected(layer, sel))
    st.caption(t("export_count", n=count))
    st.download_button(
        t("download"),
        data=data.export_file(layer, sel, fmt, datum, lang()),
        file_name=suggested_filename(layer, fmt, datum),
        mime=MEDIA_TYPES[fmt],
        disabled=count == 0,
        key="download",
    )
