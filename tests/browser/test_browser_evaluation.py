"""Browser test of the 亩均评价 page: run the synthetic demo in the real app and read the A/B/C/D
markers Leaflet drew, offline (every request to a host other than localhost is blocked)."""

from __future__ import annotations

import time

import pytest

APP = "app/streamlit_app.py"

CLASS_MARKERS_JS = """() => {
  const m = window[Object.keys(window).find(k => window[k] instanceof L.Map)];
  const out = {};
  m.eachLayer(l => {
    if (l instanceof L.CircleMarker && l.feature) {
      const c = l.feature.properties["class"] || "";
      out[c] = (out[c] || 0) + 1;
    }
  });
  return out;
}"""


def class_markers(page, map_frame, timeout_s: float = 90) -> dict:
    deadline = time.monotonic() + timeout_s
    last: dict = {}
    while time.monotonic() < deadline:
        try:
            last = map_frame(page).evaluate(CLASS_MARKERS_JS)
            if sum(last.values()) >= 78:
                return last
        except Exception:  # the iframe is being mounted or replaced by a rerun
            pass
        time.sleep(0.5)
    raise AssertionError(f"map drew {last}, expected 78 class markers")


@pytest.mark.browser
def test_demo_evaluation_shows_class_markers_offline(served_app, page, network, map_frame, save_screenshot):
    page.set_viewport_size({"width": 1500, "height": 1100})
    page.goto(served_app(APP) + "/evaluation")
    page.get_by_role("button", name="使用合成示例台账（虚构数据）").click()
    page.get_by_text("正在使用合成示例台账").first.wait_for(timeout=60_000)
    drawn = class_markers(page, map_frame)
    # 80 firms: 74 graded in A-D, 4 rated only (grey), 2 excluded (not drawn)
    assert sum(drawn.values()) == 78 and drawn.get("", 0) == 4
    assert set(drawn) == {"A", "B", "C", "D", ""}
    frame = map_frame(page)
    assert frame.locator(".leaflet-control-layers").get_by_text("A 类").count() == 1
    frame.frame_element().scroll_into_view_if_needed()
    save_screenshot(page, "evaluation_demo_map", full_page=False)
    page.get_by_text("分类汇总（按评价组）").first.scroll_into_view_if_needed()
    save_screenshot(page, "evaluation_demo_summary", full_page=False)
    assert network.blocked == [], network.blocked
