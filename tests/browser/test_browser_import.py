"""Browser tests of the import page in headless Chromium: the acceptance scenario (a GBK shapefile
in CGCS2000 GK zone 38 with the zone prefix, joined by name to an Excel ledger), script payloads
that stay text everywhere, and hostile uploads that give one line and write nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import importdata as d
import numpy as np
import pytest
from pyproj import Transformer
from test_browser_app import POINT_OF_JS  # pixel position of a feature in the map iframe

APP = "app/streamlit_app.py"
ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent))

FEATURES_JS = """(prefix) => {
  const m = window[Object.keys(window).find(k => window[k] instanceof L.Map)];
  const out = [];
  m.eachLayer(l => {
    if (l.feature && !(l instanceof L.GeoJSON) && String(l.feature.properties.id).startsWith(prefix)) {
      const ll = l.getLatLngs ? l.getLatLngs().flat(3).map(p => [p.lng, p.lat])
                              : [[l.getLatLng().lng, l.getLatLng().lat]];
      out.push({id: l.feature.properties.id, coords: ll});
    }
  });
  return out;
}"""


def each_drawn_feature_js(body: str) -> str:
    """A page function of a feature id: runs ``body`` on every map layer ``l`` that draws that
    feature (not the GeoJSON group holding it) and returns the list ``out`` that body pushes to."""
    return """(fid) => {
  const m = window[Object.keys(window).find(k => window[k] instanceof L.Map)];
  const out = [];
  m.eachLayer(l => {
    if (l.feature && l.feature.properties.id === fid && !(l instanceof L.GeoJSON)) {
      BODY
    }
  });
  return out;
}""".replace("BODY", body)


# the text of the popup each drawn feature opens on a click
POPUPS_JS = each_drawn_feature_js(
    """const ll = l.getBounds ? l.getBounds().getCenter() : l.getLatLng();
      l.fire("click", {latlng: ll}, true);
      const box = document.querySelector(".leaflet-popup-content");
      out.push(box ? box.innerText : "");"""
)
# the properties of each drawn feature (what its tooltip and popup show)
PROPS_JS = each_drawn_feature_js("out.push(l.feature.properties);")


@pytest.fixture
def workspace(tmp_path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def app(served_app, page, workspace):
    page.set_viewport_size({"width": 1500, "height": 1200})
    dialogs: list[str] = []
    page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
    base = served_app(APP, env={"ZKQ_WORKSPACE": str(workspace)})
    return base, dialogs


def uploader(page, label: str):
    return page.locator("[data-testid=stFileUploader]").filter(has_text=label).locator("input[type=file]")


def choose(page, label: str, option: str) -> None:
    page.locator("[data-testid=stSelectbox]").filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def settle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the rerun an interaction started has finished (Streamlit's script state)."""
    page.wait_for_timeout(400)
    page.locator('[data-testid=stApp][data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=timeout_ms
    )


def wait_enabled(locator, timeout_ms: int = 60_000) -> None:
    from playwright.sync_api import expect  # imported here: without playwright the fixtures skip

    expect(locator).to_be_enabled(timeout=timeout_ms)


def wait_text(page, text: str, timeout_ms: int = 60_000):
    """Wait for ``text`` on the page; dataframe cells count (they are hidden accessible cells)."""
    page.get_by_text(text, exact=False).first.wait_for(state="attached", timeout=timeout_ms)


def map_features(page, map_frame, prefix: str, expected: int, timeout_s: float = 90) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    found: list[dict] = []
    while time.monotonic() < deadline:
        try:
            found = map_frame(page).evaluate(FEATURES_JS, prefix)
            if len(found) >= expected:
                return found
        except Exception:  # the map iframe is being replaced by a rerun
            pass
        time.sleep(0.5)
    raise AssertionError(f"map drew {len(found)} features with ids {prefix}*, expected {expected}")


def import_acceptance_layer(page, base: str, tmp_path: Path) -> None:
    page.goto(f"{base}/import")
    uploader(page, "选择文件").set_input_files(str(d.gbk_shapefile_zip(tmp_path / "in")))
    wait_text(page, "gb18030")  # the report, shown before anything is applied
    wait_text(page, "EPSG:4526")
    button = page.get_by_role("button", name="导入到工作区")
    wait_enabled(button)
    button.click()
    wait_text(page, "已保存图层 'dikuai'（版本 1）")
    settle(page)  # the success line comes before the rest of the page: a click before the run ends is lost


def test_acceptance_gbk_shapefile_and_ledger_by_name(
    app, page, map_frame, workspace, tmp_path, save_screenshot
):
    base, dialogs = app
    import_acceptance_layer(page, base, tmp_path)
    choose(page, "连接到图层", "dikuai")
    uploader(page, "台账文件").set_input_files(str(d.ledger_xlsx(tmp_path / "台账.xlsx")))
    wait_text(page, "已匹配")
    settle(page)
    page.get_by_text("名称（含别名，忽略空格和引号）").click()
    settle(page)
    wait_text(page, "已匹配 3 / 3 个要素；台账 4 行")
    wait_text(page, "图上没有的台账行")
    save_screenshot(page, "import_join_report")
    assert not (workspace / "layers" / "dikuai_ledger").exists()  # the report came first
    page.get_by_label("保存为新图层（图层名）").fill("dikuai_ledger")
    page.keyboard.press("Enter")
    settle(page)
    apply = page.get_by_role("button", name="应用连接并保存")
    wait_enabled(apply)  # the name has reached the app (its rerun is done)
    apply.click()
    wait_text(page, "已保存图层 'dikuai_ledger'（版本 1）")

    page.goto(base)  # the map is the default page
    drawn = map_features(page, map_frame, "dikuai_", 6)
    expected = d.expected_wgs84_corners()
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    for feature in drawn:
        corners = expected[int(feature["id"].rsplit("_", 1)[1]) - 1]
        got = np.array(to_gk.transform(*np.array(feature["coords"]).T)).T
        want = np.array(to_gk.transform(*np.array(corners).T)).T
        # every built corner lies within 1 m of a drawn vertex
        assert max(np.hypot(*(got - w).T).min() for w in want) < 1.0, feature["id"]
    frame = map_frame(page)
    for fid, name in (
        ("dikuai_1", "郑州汽车电子产业园"),
        ("dikuai_2", "中兴产业园"),
        ("dikuai_3", "生物医药“创新”园"),
    ):
        props = frame.evaluate(PROPS_JS, fid)  # what the tooltip and popup of each drawn feature show
        assert all(p["name"] == name for p in props) and len(props) == 2, props
        figures = {p.get("invest_intensity_wan_per_mu") for p in props}
        assert f"{d.EXPECTED_INTENSITY[name]:g}" in figures, (fid, figures)  # the joined layer's 亩均
    # filtering applies to the imported layers; zoom in on the match and hover it
    page.get_by_role("textbox", name="名称搜索（含别名）").fill("生物医药")
    page.keyboard.press("Enter")
    page.get_by_text("缩放至所选要素").click()
    hover_tooltip(page, map_frame, "dikuai_3", "生物医药“创新”园")
    page.wait_for_timeout(1000)
    save_screenshot(page, "import_acceptance_map")
    assert dialogs == []


def hover_tooltip(page, map_frame, fid: str, text: str, timeout_s: float = 60) -> None:
    """Hover feature ``fid`` until its tooltip shows ``text`` (the map may be redrawn meanwhile)."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        try:
            frame = map_frame(page)
            frame.frame_element().scroll_into_view_if_needed()
            x, y = frame.evaluate(POINT_OF_JS, fid)
            box = frame.frame_element().bounding_box()
            page.mouse.move(box["x"] + x - 1, box["y"] + y - 1)
            page.mouse.move(box["x"] + x, box["y"] + y)
            tip = frame.locator(".leaflet-tooltip").first
            tip.wait_for(state="visible", timeout=3_000)
            last = tip.inner_text()
            if text in last:
                return
        except Exception:  # redrawn meanwhile
            pass
        time.sleep(0.5)
    raise AssertionError(f"no tooltip with {text!r} on {fid}; last tooltip: {last!r}")


def test_script_payloads_stay_text_everywhere(
    app, page, map_frame, workspace, tmp_path, save_screenshot, serve_dir
):
    base, dialogs = app
    page.goto(f"{base}/import")
    uploader(page, "选择文件").set_input_files(str(d.hostile_geojson(tmp_path / "hostile.geojson")))
    wait_text(page, "检查报告")
    button = page.get_by_role("button", name="导入到工作区")
    wait_enabled(button)
    button.click()
    wait_text(page, "已保存图层 'hostile'")
    page.goto(base)  # the map is the default page
    map_features(page, map_frame, "hostile_", 3)
    hover_tooltip(page, map_frame, "hostile_1", d.PAYLOADS[0])
    frame = map_frame(page)
    texts = frame.evaluate(POPUPS_JS, "hostile_2")
    assert any(d.PAYLOADS[1] in t and d.PAYLOADS[2] in t for t in texts), texts
    # the click opened the detail panel: the name is shown as text there
    page.get_by_text(d.PAYLOADS[1], exact=False).first.wait_for(timeout=30_000)
    # the attribute table beside the map, filtered to the hostile rows: every payload is a text cell
    page.get_by_role("textbox", name="名称搜索（含别名）").fill("alert")
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 60
    cells: list[str] = []
    while time.monotonic() < deadline and not set(d.PAYLOADS) <= set(cells):
        time.sleep(0.5)
        cells = page.locator("[role=gridcell]").all_inner_texts()
    assert set(d.PAYLOADS) <= set(cells), cells
    time.sleep(2)
    assert page.locator("img[src='x']").count() == 0 and map_frame(page).locator("img[src='x']").count() == 0
    assert page.locator("[data-testid=stMarkdownContainer] script").count() == 0
    page.wait_for_timeout(1500)
    save_screenshot(page, "import_payloads_as_text")
    # the standalone HTML map of the CLI
    out = tmp_path / "html" / "hostile.html"
    out.parent.mkdir()
    r = subprocess.run(
        [ZKQ, "--as", "ceshi", "map", "hostile", "-o", str(out)],  # the layer is the admin ceshi's (conftest)
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "ZKQ_WORKSPACE": str(workspace)},
    )
    assert r.returncode == 0, r.stderr
    page.goto(f"{serve_dir(out.parent)}/hostile.html")
    page.wait_for_selector(".leaflet-container")
    texts = page.evaluate(POPUPS_JS, "hostile_1")
    assert any(d.PAYLOADS[0] in t for t in texts), texts
    page.wait_for_timeout(1000)
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []


def _hostile(tmp_path: Path) -> dict[str, Path]:
    files = {}
    files["malformed"] = tmp_path / "bad.geojson"
    files["malformed"].write_bytes(b'{"type": "FeatureCollection", "features": [')
    files["empty"] = tmp_path / "empty.csv"
    files["empty"].write_bytes(b"")
    files["climb"] = tmp_path / "climb.zip"
    with zipfile.ZipFile(files["climb"], "w") as zf:
        zf.writestr("../../evil.shp", "x")
    files["two_shp"] = d.two_shapefiles_zip(tmp_path)
    files["nan"] = tmp_path / "nan.csv"
    files["nan"].write_text("name,lon,lat\na,inf,34.72\n", encoding="utf-8")
    files["nocoords"] = tmp_path / "nocoords.csv"
    files["nocoords"].write_text("名称,地址\n甲,经开区\n", encoding="utf-8")
    files["merged"] = d.merged_header_xlsx(tmp_path / "merged.xlsx")
    return files


@pytest.mark.parametrize(
    "case, message",
    [
        ("malformed", "不是有效的 JSON"),
        ("empty", "是空文件"),
        ("climb", "跳出解压目录"),
        ("two_shp", "有 2 个 Shapefile"),
        ("nan", "坐标缺失、不是数字或为无穷大"),
        ("nocoords", "没有找到坐标列"),
        ("merged", "有合并单元格"),
    ],
)
def test_hostile_uploads_give_one_line_and_write_nothing(app, page, workspace, tmp_path, case, message):
    base, dialogs = app
    page.goto(f"{base}/import")
    uploader(page, "选择文件").set_input_files(str(_hostile(tmp_path)[case]))
    alert = page.locator("[data-testid=stAlert]").filter(has_text=message).first
    alert.wait_for(timeout=60_000)
    assert len(alert.inner_text().strip().splitlines()) == 1
    assert page.locator("[data-testid=stException]").count() == 0
    button = page.get_by_role("button", name="导入到工作区")
    assert button.count() == 0 or button.is_disabled()
    office = ("office.sqlite", ".lock")  # the signed-in user's office database, the index lock
    assert [p for p in d.tree(workspace) if not p.startswith(office)] == []
    # the app keeps working: the map page still draws
    page.goto(base)  # the map is the default page
    page.locator('iframe[src*="streamlit_folium"]').first.wait_for(timeout=60_000)
    assert page.locator("[data-testid=stException]").count() == 0 and dialogs == []
