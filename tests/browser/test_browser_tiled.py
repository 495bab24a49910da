"""Browser test of issue "big layers": a planner imports 20,000 parcels (a GeoPackage in CGCS2000
GK CM 114E, EPSG:4547) on the import page, and the map page draws them from vector tiles: hover,
click, an industry filter, zoom to the selection and the export of the selection, in one flow.

What the map drew is read inside the streamlit-folium iframe: ``window.zkqTiled`` lists the
Leaflet.VectorGrid layers (zkq_geo/render/tiled.py), each with ``zkqLoadedAt`` once its visible
tiles are drawn; the drawn features are ``grid._vectorTiles[key]._features``, each carrying its
row number as ``properties.fid``. What is expected is computed with the library.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import shapely
from test_browser_import import settle, uploader, wait_enabled, wait_text

from zkq_geo.analysis.selection import Selection, apply_selection
from zkq_geo.bench import make_parcels

APP = "app/streamlit_app.py"
N = 20_000
LAYER, TITLE = "parcels", "经开区宗地"
INDUSTRY = "auto"
ST_FOLIUM_IFRAME = 'iframe[src*="/component/streamlit_folium.st_folium/"]'

# the tiled layer's drawn features: [zkqLoadedAt, [{fid, id, name, industry, ...}, ...]]
DRAWN_JS = """() => {
  const grids = window.zkqTiled || [];
  if (grids.length !== 1 || !grids[0].zkqLoadedAt) return null;
  const grid = grids[0], out = [];
  for (const key in grid._vectorTiles) {
    const features = grid._vectorTiles[key]._features;
    for (const id in features) out.push(features[id].feature.properties);
  }
  return [grid.zkqLoadedAt, out];
}"""
LEAFLET_MAP = "window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)]"
# where a lat/lng is drawn (page coordinates inside the iframe) and which element is on top there
POINT_JS = f"""([lat, lng]) => {{
  const m = {LEAFLET_MAP};
  const p = m.latLngToContainerPoint([lat, lng]).round();
  const r = m.getContainer().getBoundingClientRect();
  const top = document.elementFromPoint(r.left + p.x, r.top + p.y);
  return {{x: r.left + p.x, y: r.top + p.y, top: top ? top.tagName : null}};
}}"""
ZOOM_TO_JS = f"""([lat, lng, zoom]) => {{ {LEAFLET_MAP}.setView([lat, lng], zoom, {{animate: false}}); }}"""
BOUNDS_JS = f"""() => {{
  const b = {LEAFLET_MAP}.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
}}"""
SCRIPTS_JS = "() => Array.from(document.scripts).map(s => s.text).join('\\n')"


@pytest.fixture
def parcels():
    """The planner's file as generated: 20,000 parcels in WGS84 (row order = the file's)."""
    return make_parcels(N)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """The app's workspace; this process reads it too (the layer as the app loads it)."""
    path = tmp_path / "ws"
    monkeypatch.setenv("ZKQ_WORKSPACE", str(path))
    return path


def test_a_big_imported_layer_is_drawn_from_tiles_hovered_clicked_filtered_and_exported(
    served_app, page, network, map_frame, save_screenshot, parcels, workspace, tmp_path
):
    page.set_viewport_size({"width": 1440, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
    errors: list[str] = []  # uncaught script errors, in the page and the map iframe
    page.on("pageerror", lambda error: errors.append(str(error)))
    tile_replies: list[tuple[int, str]] = []
    page.on("response", lambda r: tile_replies.append((r.status, r.url)) if "/tiles/" in r.url else None)
    base = served_app(APP, env={"ZKQ_WORKSPACE": str(workspace)})

    # 1. import the GeoPackage as a planner does: upload, read the report, name it, import
    gpkg = tmp_path / "宗地.gpkg"
    parcels.to_crs(4547).to_file(gpkg, driver="GPKG", engine="pyogrio")
    import_layer(page, base, gpkg)
    loaded, expected = expected_selection(parcels)

    # 2. the map page draws the layer from its tiles (built on this first view), nothing inline
    page.goto(base)  # the map is the default page
    frame, drawn = wait_drawn(page, map_frame, timeout_s=120)
    assert len(drawn) > 1000, len(drawn)
    tiles = list(tile_replies)
    assert tiles and all(u.split("?")[0].endswith(".pbf") for _, u in tiles), tiles
    assert all(s in (200, 204) for s, _ in tiles), tiles
    assert any(s == 200 for s, _ in tiles) and all(f"/tiles/{LAYER}/1/" in u for _, u in tiles), tiles
    script = frame.evaluate(SCRIPTS_JS)
    assert f"/tiles/{LAYER}/1/" in script
    assert "号地块" not in script and "PCL-" not in script  # every parcel name ends so; ids start so
    assert not any(name in script for name in parcels["name"].head(200))
    assert network.blocked == [], network.blocked
    wait_text(page, f"共 {N + 46:,} 行")  # the table caption counts every row: 10 parks, 36 projects

    # 3. hover a drawn parcel: zoom in on it as a planner would, the tooltip names it
    row = parcels.iloc[isolated_parcel(parcels, drawn)]  # the file's row number is the tiles' fid
    point = row.geometry.centroid
    frame = zoom_to(page, map_frame, point, zoom=16)
    aim = hover_until_tooltip(page, map_frame, point, row["name"])
    save_screenshot(page, "tiled_hover")

    # 4. click it: the detail panel beside the map shows the parcel and its attributes
    box = map_frame(page).frame_element().bounding_box()
    page.mouse.click(box["x"] + aim["x"], box["y"] + aim["y"])
    pick = page.get_by_role("combobox", name="点击地图要素，或在此选择：")
    wait_until(lambda: pick.input_value() == row["name"], 60, lambda: f"detail pick {pick.input_value()!r}")
    settle(page)
    detail = page.locator("[data-testid=stMarkdownContainer] strong", has_text=row["name"])
    detail.first.wait_for(timeout=30_000)
    table = page.locator("[data-testid=stDataFrame]").filter(has_text="数值").first  # 字段 | 数值 | ...
    table.scroll_into_view_if_needed()
    cells = table.locator("[role=gridcell]")  # the rows in view: id, name, layer, source, plate, industry
    wait_until(lambda: row["id"] in cells.all_inner_texts(), 30, lambda: cells.all_inner_texts())
    shown = cells.all_inner_texts()
    for value in (row["name"], TITLE, row["source"], industry_label(row["industry"])):
        assert value in shown, (value, shown)

    # 5. filter by an industry: only its parcels are drawn; the export count is exact
    map_frame(page).evaluate("() => { window.zkqSeen = true; }")  # the filter's rerun replaces this map
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.locator("[data-testid=stMultiSelect]").first.click()
    page.get_by_role("option", name=industry_label(), exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
    frame, drawn = wait_drawn(page, map_frame, timeout_s=90, new_map=True)
    fids = {p["fid"] for p in drawn}
    assert fids <= set(expected), sorted(fids - set(expected))[:20]
    assert len(fids) > 1000, len(fids)
    assert all(p["id"] == loaded["id"].iat[p["fid"]] for p in drawn)
    frame.frame_element().scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    save_screenshot(page, "tiled_filtered")
    choose_option(page, "导出图层", TITLE)
    wait_text(page, f"将导出 {len(expected)} 个要素")

    # 6. zoom to the selection: the view holds the selection's bounds and not much more
    page.get_by_text("缩放至所选要素").click()
    settle(page)
    frame, _ = wait_drawn(page, map_frame, timeout_s=90, new_map=True)
    view = west, south, east, north = frame.evaluate(BOUNDS_JS)
    chosen = sw, ss, se, sn = selection_bounds(loaded.iloc[expected])
    assert west <= sw and south <= ss and east >= se and north >= sn, (view, chosen)
    # fitted: in the dimension that limits the fit the view is under twice the selection (the
    # frame is portrait and keeps 190 px for the legend, so its area is ~4x a landscape selection)
    wider, taller = (east - west) / (se - sw), (north - south) / (sn - ss)
    assert min(wider, taller) < 2, (wider, taller)

    # 7. export the selection as GeoJSON: exactly the filtered parcels
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="下载").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    ids = [f["properties"]["id"] for f in doc["features"]]
    assert path.name == f"{LAYER}.geojson" and len(ids) == len(set(ids))
    assert set(ids) == set(loaded["id"].iloc[expected])
    assert network.blocked == [] and dialogs == [] and errors == [], (network.blocked, dialogs, errors)
    assert not [e for e in network.http_errors if "/tiles/" in e[1]], network.http_errors


# --- steps ----------------------------------------------------------------------------------


def import_layer(page, base: str, gpkg) -> None:
    """Upload, check the report (20,000 polygons, EPSG:4547), name and title the layer, import."""
    page.goto(f"{base}/import")
    uploader(page, "选择文件").set_input_files(str(gpkg))
    wait_text(page, "检查报告（尚未导入）")
    settle(page)
    wait_text(page, f"面 × {N}")  # the geometry type in words (Polygon on the English UI)
    wait_text(page, "4547")
    page.get_by_label("图层名（小写英文字母、数字、下划线，字母开头）").fill(LAYER)
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_label("显示名称").fill(TITLE)
    page.keyboard.press("Enter")
    settle(page)
    button = page.get_by_role("button", name="导入到工作区")
    wait_enabled(button)
    button.click()
    wait_text(page, f"已保存图层 '{LAYER}'（版本 1）", timeout_ms=120_000)
    settle(page)


def expected_selection(parcels):
    """The layer as the app loads it, and the row numbers the industry filter selects: by the
    library (Selection + apply_selection) and, independently, from the generated attributes."""
    from zkq_geo.layers import load_layer
    from zkq_geo.workspace import full_catalog

    catalog = full_catalog()
    loaded = load_layer(LAYER, catalog).gdf
    assert list(loaded["id"]) == list(parcels["id"])  # the file's rows, in its order (fid = row)
    chosen = apply_selection(loaded, Selection(industries=(INDUSTRY,)), catalog)
    rows = loaded.index.get_indexer(chosen.index)
    listed = parcels["industry"].eq(INDUSTRY) | parcels["industries"].str.split("|").map(
        lambda codes: INDUSTRY in codes
    )
    assert sorted(rows.tolist()) == np.flatnonzero(listed.to_numpy()).tolist()
    assert 0 < len(rows) < N
    return loaded, sorted(rows.tolist())


def industry_label(code: str = INDUSTRY) -> str:
    """The industry's name in the Chinese UI (the catalogue's label of ``code``)."""
    from zkq_geo.workspace import full_catalog

    return full_catalog().industry_label(code, "zh")


def selection_bounds(chosen) -> tuple[float, float, float, float]:
    """West, south, east, north of the selection the view fits: the filtered parcels and the
    filtered parks and projects shown with them."""
    from zkq_geo.layers import load_layer
    from zkq_geo.workspace import full_catalog

    catalog = full_catalog()
    frames = [chosen] + [
        apply_selection(load_layer(n, catalog).gdf, Selection(industries=(INDUSTRY,)), catalog)
        for n in ("parks", "projects")
    ]
    b = np.array([f.total_bounds for f in frames if len(f)])
    return b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()


def isolated_parcel(parcels, drawn: list[dict]) -> int:
    """Row of a drawn parcel whose centroid lies in it, at least 15 m inside, and in no other."""
    metric = parcels.geometry.to_crs(4547)
    for fid in sorted({p["fid"] for p in drawn}):
        shape = metric.iloc[fid]
        centroid = shape.centroid
        if shape.contains(centroid) and shape.exterior.distance(centroid) > 15:
            if len(metric.sindex.query(centroid.buffer(15), predicate="intersects")) == 1:
                return fid
    raise AssertionError("no drawn parcel with its centroid clear of every other parcel")


def wait_drawn(page, map_frame, timeout_s: float, new_map: bool = False):
    """The map frame once its tiled layer has drawn its visible tiles, and the drawn features.
    ``new_map``: wait for the map a rerun put in place of the one marked ``zkqSeen``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            frame = map_frame(page, timeout_ms=5_000)
            if not (new_map and frame.evaluate("() => window.zkqSeen === true")):
                found = frame.evaluate(DRAWN_JS)
                if found is not None and found[1]:
                    if new_map:
                        frame.evaluate("() => { window.zkqSeen = true; }")  # for the next wait
                    return frame, found[1]
        except Exception:  # the iframe is being replaced by a rerun
            pass
        time.sleep(0.5)
    raise AssertionError(f"the tiled layer drew nothing within {timeout_s:.0f} s")


def zoom_to(page, map_frame, point: shapely.Point, zoom: int):
    """Centre the map on ``point`` at ``zoom`` and wait until the tiles there are drawn."""
    frame = map_frame(page)
    frame.frame_element().scroll_into_view_if_needed()
    loaded_at = frame.evaluate("() => window.zkqTiled[0].zkqLoadedAt")
    frame.evaluate(ZOOM_TO_JS, [point.y, point.x, zoom])
    frame.wait_for_function(f"() => window.zkqTiled[0].zkqLoadedAt > {loaded_at}", timeout=60_000)
    return frame


def hover_until_tooltip(page, map_frame, point: shapely.Point, name: str, timeout_s: float = 30) -> dict:
    """Move the mouse onto ``point`` until the parcel tooltip shows ``name``; returns the aim."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        frame = map_frame(page)
        aim = frame.evaluate(POINT_JS, [point.y, point.x])
        assert aim["top"] == "CANVAS", aim  # not under the layer list or the legend
        box = frame.frame_element().bounding_box()
        page.mouse.move(box["x"] + aim["x"] - 3, box["y"] + aim["y"] - 3)
        page.mouse.move(box["x"] + aim["x"], box["y"] + aim["y"])
        tip = frame.locator(".leaflet-tooltip").first
        try:
            tip.wait_for(state="visible", timeout=3_000)
            last = tip.inner_text()
        except Exception:
            pass
        if name in last:
            return aim
        time.sleep(0.5)
    raise AssertionError(f"hovering the parcel {name!r} showed the tooltip {last!r}")


def choose_option(page, label: str, option: str, timeout_s: float = 30) -> None:
    """Pick ``option`` in the select box ``label`` (a click that scrolls the box into view can
    leave its list closed: click again until the option shows)."""
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=label).first
    box.scroll_into_view_if_needed()
    item = page.get_by_role("option", name=option, exact=True)
    deadline = time.monotonic() + timeout_s
    while item.count() == 0 and time.monotonic() < deadline:
        box.click()
        page.wait_for_timeout(500)
    item.click()
    settle(page)


def wait_until(condition, timeout_s: float, describe) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(describe())
