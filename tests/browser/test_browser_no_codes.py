"""A planner never reads an internal code: every page of the Chinese UI, every map popup and
tooltip, and the downloads (export workbook, 亩均评价 workbook and HTML report) are walked in
headless Chromium, and none of the codes below appears as a word. Evaluation errors (a scheme
with a bad formula, a ledger with a missing column) are shown in Chinese."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

APP = "app/streamlit_app.py"
# Codes of groups, industries, statuses, qualifiers, plate bases and geometry qualities, and blanks.
CODES = (
    "above_scale", "below_scale", "leased", "unassigned", "all_firms", "land_3mu_plus", "land_below_3mu",
    "auto", "biomed", "equipment", "ict", "logistics", "materials_env", "trade", "urban",
    "planned", "signed", "negotiating", "completed", "graded", "rated", "excluded",
    "exact", "at_least", "about", "at_most", "indeterminate", "no_land_area", "no_investment",
    "schematic", "user", "seed", "None", "nan",
    # chart fields, join columns, dtype names, file formats and geometry types ("firms" and
    # "land_area_mu" are left out: the method sheet quotes a scheme's formulas and source as written)
    "group_label", "cls", "investment_yi", "excluded_reason",
    "int64", "float64", "object", "str", "datetime64", "bool", "geojson", "gpkg", "Polygon", "MultiPolygon",
)  # fmt: skip
WORD = re.compile(r"(?<![A-Za-z0-9_./-])(" + "|".join(CODES) + r")(?![A-Za-z0-9_(])")
PAGES = ("", "efficiency", "data", "evaluation", "import")  # "" is the map page
FEATURE_TEXTS_JS = """() => {
  const m = window[Object.keys(window).find(k => window[k] instanceof L.Map)];
  const out = [];
  m.eachLayer(l => {
    if (!l.feature || l instanceof L.GeoJSON) return;
    const ll = l.getBounds ? l.getBounds().getCenter() : l.getLatLng();
    l.fire("click", {latlng: ll}, true);
    const popup = document.querySelector(".leaflet-popup-content");
    if (popup) out.push(popup.innerText);
    const tip = l.getTooltip && l.getTooltip();
    if (tip) {
      const content = tip.getContent();
      out.push(String(typeof content === "function" ? content(l) : content));
    }
  });
  return out;
}"""
PAGE_TEXT_JS = """() => document.body.innerText + "\\n" +
  Array.from(document.querySelectorAll('[role=gridcell],[role=columnheader]'))
    .map(c => c.textContent).join("\\n")"""


def codes_in(text: str) -> list[str]:
    return sorted({m.group(1) for m in WORD.finditer(text)})


def test_the_code_pattern_can_fail():
    assert codes_in("产业：biomed；状态 planned（None）") == ["None", "biomed", "planned"]
    assert codes_in("生物医药；zkq_geo.render; at_least_x; 002_8e3b18d49bf5da6c.txt; automobile") == []


def settle(page, timeout_ms: int = 90_000) -> None:
    page.wait_for_timeout(500)
    page.locator('[data-testid=stApp][data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=timeout_ms
    )


def visible_text(page) -> str:
    return page.evaluate(PAGE_TEXT_JS)


def choose(page, label: str, option: str, tries: int = 4) -> None:
    """Pick ``option`` of the selectbox ``label``; a rerun (the map reporting its first view) may close
    the list, so try again."""
    for attempt in range(tries):
        page.locator("[data-testid=stSelectbox]").filter(has_text=label).first.click()
        try:
            page.get_by_role("option", name=option).click(timeout=5_000)
            settle(page)
            return
        except Exception:
            if attempt == tries - 1:
                raise
            settle(page)


def download(page, label: str) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label).first.click()
    return open(info.value.path(), "rb").read()


def workbook_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    # the field sheets ("字段说明", "字段 Fields") map headers to English field names: documented, allowed
    names = [ws.title for ws in book.worksheets if not ws.title.startswith(("字段", "about"))]
    return "\n".join(
        str(c.value) for n in names for row in book[n].iter_rows() for c in row if c.value is not None
    )


@pytest.fixture
def app_url(served_app, page):
    return served_app(APP)


@pytest.mark.parametrize("path", PAGES)
def test_no_page_of_the_chinese_ui_shows_a_code(app_url, page, path):
    page.goto(f"{app_url}/{path}")
    settle(page)
    if path == "evaluation":
        page.get_by_role("button", name=re.compile("示例")).first.click()
        settle(page)
    assert codes_in(visible_text(page)) == []


def test_no_popup_or_tooltip_shows_a_code(app_url, page, map_frame):
    page.goto(f"{app_url}/")
    settle(page)
    texts = map_frame(page).evaluate(FEATURE_TEXTS_JS)
    assert len(texts) >= 46 and codes_in("\n".join(texts)) == []


def test_the_downloads_in_chinese_hold_no_code(app_url, page):
    page.goto(f"{app_url}/")
    settle(page)
    choose(page, "格式", "Excel (xlsx)")
    assert codes_in(workbook_text(download(page, "下载"))) == []
    page.goto(f"{app_url}/evaluation")
    settle(page)
    page.get_by_role("button", name=re.compile("示例")).first.click()
    settle(page)
    assert codes_in(workbook_text(download(page, re.compile("Excel 报告")))) == []
    html = download(page, re.compile("HTML 报告")).decode("utf-8")
    visible = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", html, flags=re.S)
    assert codes_in(visible) == []


CJK = re.compile(r"[\u4e00-\u9fff]")


def errors(page) -> list[str]:
    return page.locator("[data-testid=stAlertContentError]").all_inner_texts()


def test_evaluation_errors_are_shown_in_chinese(app_url, page, tmp_path):
    page.goto(f"{app_url}/evaluation")
    settle(page)
    ledger = tmp_path / "没有信用代码.csv"
    ledger.write_text("企业名称,用地面积（亩）,税收（万元）\n甲,10,100\n", encoding="utf-8")
    page.locator("[data-testid=stFileUploader]").filter(has_text="上传台账").locator(
        "input[type=file]"
    ).set_input_files(str(ledger))
    settle(page)
    shown = errors(page)
    assert shown and all(CJK.search(e) for e in shown), shown
    expander = page.locator("[data-testid=stExpander]").filter(has_text="编辑方案（YAML）").first
    expander.locator("summary").click()
    area = expander.locator("textarea")
    area.fill(area.input_value().replace("tax_wan / land_area_mu", "tax_wan / / land_area_mu", 1))
    area.press("Control+Enter")
    settle(page)
    shown = errors(page)
    assert any("公式" in e for e in shown) and all(CJK.search(e) for e in shown), shown
