"""Browser tests of the viewer in headless Chromium (Debian's chromium driven by Playwright).

They run the real app with `streamlit run`, block and record every request to a host other
than localhost, and read what Leaflet drew from inside the streamlit-folium iframe.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

APP = "app/streamlit_app.py"
GEODATA = Path(__file__).resolve().parents[2] / "geodata"
ALL_FEATURES = 1 + 3 + 6 + 10 + 36
XSS = "<img src=x onerror=alert(1)>"

FEATURE_IDS_JS = """() => {
  const key = Object.keys(window).find(k => window[k] instanceof L.Map);
  const ids = [];
  window[key].eachLayer(l => {
    if (l.feature && !(l instanceof L.GeoJSON)) ids.push(l.feature.properties.id);
  });
  return ids;
}"""

POINT_OF_JS = """(fid) => {
  const m = window[Object.keys(window).find(k => window[k] instanceof L.Map)];
  let found = null;
  m.eachLayer(l => {
    if (l.feature && l.feature.properties.id === fid && !(l instanceof L.GeoJSON)) found = l;
  });
  const ll = found.getBounds ? found.getBounds().getCenter() : found.getLatLng();
  const p = m.latLngToContainerPoint(ll);
  return [p.x, p.y];
}"""


OPEN_POPUP_JS = """(fid) => {
  const m = window[Object.keys(window).find(k => window[k] instanceof L.Map)];
  m.eachLayer(l => {
    if (l.feature && l.feature.properties.id === fid && !(l instanceof L.GeoJSON)) {
      const ll = l.getBounds ? l.getBounds().getCenter() : l.getLatLng();
      l.fire("click", {latlng: ll}, true);  // propagates to the GeoJson layer's bound popup, like a click
    }
  });
}"""


def drawn_ids(frame) -> list[str]:
    return frame.evaluate(FEATURE_IDS_JS)


def wait_for_count(page, map_frame, expected: int, timeout_s: float = 60) -> list[str]:
    """Poll until the (possibly re-mounted) map draws ``expected`` features."""
    deadline = time.monotonic() + timeout_s
    ids: list[str] = []
    while time.monotonic() < deadline:
        try:
            ids = drawn_ids(map_frame(page))
            if len(ids) == expected:
                return ids
        except Exception:  # the iframe is being replaced by a rerun
            pass
        time.sleep(0.5)
    raise AssertionError(f"map drew {len(ids)} features, expected {expected}")


def hover(page, frame, feature_id: str) -> None:
    frame.frame_element().scroll_into_view_if_needed()
    x, y = frame.evaluate(POINT_OF_JS, feature_id)
    box = frame.frame_element().bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)


@pytest.fixture
def app_url(served_app, page):
    page.set_viewport_size({"width": 1500, "height": 1100})
    return served_app(APP)


def test_map_draws_every_feature_with_no_request_leaving_localhost(
    app_url, page, network, map_frame, save_screenshot
):
    page.goto(app_url)
    ids = wait_for_count(page, map_frame, ALL_FEATURES)
    assert {"zone", "board_qibu", "plate_xiangyun", "park_zhenxing", "prj_jd_asia1"} <= set(ids)
    page.get_by_text("示意范围，非法定边界").first.wait_for()
    save_screenshot(page, "map_default")
    assert network.blocked == [], network.blocked
    assert not [
        u
        for u in network.requests
        if not u.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:"))
    ]


def test_tooltip_appears_on_hover(app_url, page, map_frame):
    page.goto(app_url)
    wait_for_count(page, map_frame, ALL_FEATURES)
    frame = map_frame(page)
    hover(page, frame, "park_jianye")
    tip = frame.locator(".leaflet-tooltip")
    tip.first.wait_for(state="visible", timeout=10_000)
    assert "建业之窗" in tip.first.inner_text()


def test_industry_filter_changes_what_is_drawn(app_url, page, map_frame, save_screenshot):
    page.goto(app_url)
    wait_for_count(page, map_frame, ALL_FEATURES)
    page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.click()
    page.get_by_role("option", name="生物医药大健康").click()
    page.keyboard.press("Escape")
    ids = wait_for_count(page, map_frame, 10 + 3 + 7)  # zone, boards, plates + 3 parks + 7 projects
    assert "prj_tuoren" in ids and "prj_jd_asia1" not in ids
    save_screenshot(page, "map_filtered_biomed")


BOUNDS_JS = """() => {
  const b = window[Object.keys(window).find(k => window[k] instanceof L.Map)].getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
}"""


def test_zoom_to_selection_fits_the_filtered_features(app_url, page, map_frame):
    page.goto(app_url)
    wait_for_count(page, map_frame, ALL_FEATURES)
    page.get_by_role("textbox", name="名称搜索（含别名）").fill("滨河数字")
    page.keyboard.press("Enter")
    wait_for_count(page, map_frame, 10 + 1)
    before = map_frame(page).evaluate(BOUNDS_JS)
    page.get_by_text("缩放至所选要素").click()
    deadline = time.monotonic() + 60
    after = before
    while time.monotonic() < deadline and after == before:
        time.sleep(0.5)
        try:
            after = map_frame(page).evaluate(BOUNDS_JS)
        except Exception:
            pass
    width_before, width_after = before[2] - before[0], after[2] - after[0]
    assert width_after < width_before / 4, (before, after)  # zoomed in on one 96-亩 park
    from zkq_geo.layers import load_layer

    parks = load_layer("parks").gdf.set_index("id")
    point = parks.geometry["park_binhe_digital"].representative_point()
    west, south, east, north = after
    assert west < point.x < east and south < point.y < north


def test_export_downloads_a_valid_geojson_of_the_selection(app_url, page, map_frame, tmp_path):
    page.goto(app_url)
    wait_for_count(page, map_frame, ALL_FEATURES)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="下载").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert path.name == "parks.geojson" and doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == 10 and "crs" not in doc
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 113.7 < lon < 113.9 and 34.6 < lat < 34.78


@pytest.fixture
def hostile_geodata(tmp_path):
    """A copy of geodata/ where a park's name and source carry script payloads."""
    root = tmp_path / "geodata"
    shutil.copytree(GEODATA, root)
    catalog = root / "catalog.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace("seeds_dir: ../../shared/seeds", "seeds_dir: null"),
        encoding="utf-8",
    )
    parks = root / "attributes" / "parks.csv"
    text = parks.read_text(encoding="utf-8").replace("park_jianye,建业之窗,", f'park_jianye,"{XSS}",', 1)
    text = text.replace("建业之窗；别名见", "${alert(2)}`<script>alert(3)</script>`；别名见", 1)
    parks.write_text(text, encoding="utf-8")
    return root


def test_script_payloads_in_attributes_show_as_text(
    served_app, hostile_geodata, page, map_frame, save_screenshot
):
    dialogs: list[str] = []
    page.set_viewport_size({"width": 1500, "height": 1100})
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(served_app(APP, env={"ZKQ_GEODATA": str(hostile_geodata)}))
    wait_for_count(page, map_frame, ALL_FEATURES)
    frame = map_frame(page)
    hover(page, frame, "park_jianye")
    tip = frame.locator(".leaflet-tooltip").first
    tip.wait_for(state="visible", timeout=10_000)
    assert XSS in tip.inner_text()
    frame.evaluate(OPEN_POPUP_JS, "park_jianye")  # the popup a click opens, with its real content
    popup = frame.locator(".leaflet-popup-content").first
    popup.wait_for(state="visible", timeout=15_000)
    assert XSS in popup.inner_text() and "${alert(2)}" in popup.inner_text()
    assert frame.locator("img[src='x']").count() == 0 and page.locator("img[src='x']").count() == 0
    # the click opened the detail panel beside the map: the payloads are text there too
    page.get_by_text("${alert(2)}`<script>alert(3)</script>`", exact=False).first.wait_for(timeout=15_000)
    assert page.locator("[data-testid=stMarkdownContainer] script").count() == 0
    page.wait_for_timeout(1500)
    save_screenshot(page, "xss_payload_as_text")
    assert dialogs == []


def test_map_url_opens_the_map_page(app_url, page, map_frame):
    page.goto(app_url + "/map")
    wait_for_count(page, map_frame, ALL_FEATURES)
    assert page.get_by_text("Page not found").count() == 0
    assert page.url.rstrip("/") == app_url  # switched to the map page, served at the root


def test_language_switch_relabels_the_choices_and_back(app_url, page, map_frame):
    page.goto(app_url)
    wait_for_count(page, map_frame, ALL_FEATURES)
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("English").click()
    sidebar.get_by_text("Project sites").wait_for(timeout=30_000)  # layer chips in English
    assert sidebar.get_by_text("项目点位").count() == 0
    assert sidebar.get_by_role("radio", name="Industry").is_checked()  # "colour by" keeps its value
    assert sidebar.get_by_role("combobox", name="Plate").input_value() == "All plates"
    sidebar.get_by_text("中文").click()
    sidebar.get_by_text("项目点位").wait_for(timeout=30_000)
    wait_for_count(page, map_frame, ALL_FEATURES)  # every layer still shown, no filter lost
    assert page.locator("[data-testid=stAlert]").filter(has_text="出错了").count() == 0
    assert sidebar.get_by_role("radio", name="产业").is_checked()
    assert sidebar.get_by_role("combobox", name="板块").input_value() == "全部板块"


LAYER_LATLNG_BOUNDS_JS = """(fid) => {
  const m = window[Object.keys(window).find(k => window[k] instanceof L.Map)];
  let found = null;
  m.eachLayer(l => {
    if (l.feature && l.feature.properties.id === fid && !(l instanceof L.GeoJSON)) found = l;
  });
  const b = found.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
}"""

# Where a lat/lng is drawn (page coordinates inside the iframe), which element is on top there, and
# a one-shot "preclick" listener that keeps the latlng Leaflet computes for the next click: the
# latlng streamlit-folium reports as last_object_clicked, whichever layer is on top there.
AIM_AT_JS = """([lat, lng]) => {
  const m = window[Object.keys(window).find(k => window[k] instanceof L.Map)];
  window.__zkqClicked = null;
  m.once("preclick", e => { window.__zkqClicked = [e.latlng.lng, e.latlng.lat]; });
  const p = m.latLngToContainerPoint([lat, lng]).round();
  const r = m.getContainer().getBoundingClientRect();
  const top = document.elementFromPoint(r.left + p.x, r.top + p.y);
  return {x: r.left + p.x, y: r.top + p.y, top: top ? top.tagName : null};
}"""

AMAP_LABEL = "高德地图（GCJ-02，矢量已偏移对齐）"


def app_clicks():
    """app/clicks.py, the map page's click lookup (app/ is not a package on sys.path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("zkq_app_clicks", GEODATA.parent / "app" / "clicks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_click_on_amap_basemap_is_shifted_back_to_find_the_park(
    app_url, page, network, map_frame, save_screenshot
):
    """With the AMap basemap the vectors are drawn in GCJ-02, so Leaflet reports a click in GCJ-02;
    the map page must shift it back to WGS84 (feature_at(..., datum="gcj02")) to find the park."""
    from zkq_geo.crs import wgs84_to_gcj02
    from zkq_geo.layers import load_layer
    from zkq_geo.render.assets import is_remote_url

    target = (
        load_layer("parks").gdf.set_index("id").geometry["park_zhenxing"].representative_point()
    )  # WGS84, inside
    click_lng, click_lat = wgs84_to_gcj02(target.x, target.y)  # where AMap mode draws that point
    page.goto(app_url)
    wait_for_count(page, map_frame, ALL_FEATURES)
    west_wgs84 = map_frame(page).evaluate(LAYER_LATLNG_BOUNDS_JS, "park_zhenxing")[0]

    sidebar = page.locator("[data-testid=stSidebar]")
    basemap = sidebar.locator("[data-testid=stSelectbox]").filter(has_text="底图").first
    basemap.scroll_into_view_if_needed()
    basemap.click()
    page.get_by_role("option", name=AMAP_LABEL, exact=True).click()
    deadline = time.monotonic() + 60  # wait for the re-rendered map with the shifted vectors
    west = west_wgs84
    while time.monotonic() < deadline and not west > west_wgs84 + 0.004:
        time.sleep(0.5)
        try:
            west = map_frame(page).evaluate(LAYER_LATLNG_BOUNDS_JS, "park_zhenxing")[0]
        except Exception:  # the iframe is being replaced by the rerun
            pass
    assert west == pytest.approx(west_wgs84 + (click_lng - target.x), abs=1e-4), (
        "vectors not shifted to GCJ-02"
    )
    wait_for_count(page, map_frame, ALL_FEATURES)

    frame = map_frame(page)
    frame.frame_element().scroll_into_view_if_needed()
    aim = frame.evaluate(AIM_AT_JS, [click_lat, click_lng])
    assert aim["top"] == "CANVAS", aim  # not under the legend or layer list
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + aim["x"], box["y"] + aim["y"])
    frame.wait_for_function("() => window.__zkqClicked !== null", timeout=10_000)
    clicked_lng, clicked_lat = frame.evaluate("() => window.__zkqClicked")  # GCJ-02, as sent to the app

    pick = page.get_by_role("combobox", name="点击地图要素，或在此选择：")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and pick.input_value() != "振兴科创园":
        time.sleep(0.5)
    assert pick.input_value() == "振兴科创园"
    page.get_by_text("要素详情").first.wait_for()
    page.locator("[data-testid=stMarkdownContainer] strong", has_text="振兴科创园").first.wait_for(
        timeout=10_000
    )
    save_screenshot(page, "map_amap_click_detail")

    # control: the page's lookup (app/clicks.py) over every shown layer, fed the click Leaflet
    # reported, finds the park only when it shifts the click back; read as WGS84 the click lands
    # ~570 m east, outside the park, so without the shift back the panel could not show 振兴科创园
    shown = {name: load_layer(name).gdf for name in ("zone", "boards", "plates", "parks", "projects")}
    reported = {"lat": clicked_lat, "lng": clicked_lng}
    assert app_clicks().clicked_feature(shown, reported, "amap") == "park_zhenxing"
    assert app_clicks().clicked_feature(shown, reported, "none") not in (None, "park_zhenxing")

    # AMap tiles were asked for and blocked; nothing else left localhost and nothing got through
    remote = [u for u in network.requests if is_remote_url(u)]
    assert remote and remote == network.blocked
    assert all(u.startswith("https://webrd0") and ".is.autonavi.com/" in u for u in network.blocked), (
        network.blocked
    )
