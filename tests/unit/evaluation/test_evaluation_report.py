"""Tests of zkq_geo.evaluation.report: workbook layout, formula-injection safety, escaped HTML, SVG map."""

from __future__ import annotations

import html as html_lib
import io
import re

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import box

from zkq_geo.evaluation.evaluate import evaluate, evaluation_points, summarize_classes
from zkq_geo.evaluation.report import (
    evaluation_html,
    evaluation_xlsx,
    format_number,
    group_sheet_names,
    map_svg,
)
from zkq_geo.evaluation.scheme import load_scheme

NAN = float("nan")
EVIL = '=HYPERLINK("http://evil.example","x")'
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def evaluation():
    rows = pd.DataFrame(
        [
            {
                "credit_code": "A1",
                "name": EVIL,
                "scale": "above",
                "land_area_mu": 10.0,
                "tax_wan": 300.0,
                "value_added_wan": 1500.0,
                "energy_tce": 500.0,
                "emissions_t": 0.3,
                "employees": 80.0,
                "rd_wan": 90.0,
                "revenue_wan": 3000.0,
                "electricity_kwh": 1e6,
                "land_status": "owned",
                "park": "p1",
                "lon": 113.78,
                "lat": 34.70,
            },
            {
                "credit_code": "B1",
                "name": SCRIPT,
                "scale": "below",
                "land_area_mu": 2.0,
                "tax_wan": 20.0,
                "value_added_wan": NAN,
                "energy_tce": NAN,
                "emissions_t": NAN,
                "employees": NAN,
                "rd_wan": NAN,
                "revenue_wan": 100.0,
                "electricity_kwh": 1e5,
                "land_status": "owned",
                "park": "p2",
                "lon": 113.80,
                "lat": 34.72,
            },
            {
                "credit_code": "X1",
                "name": "无地",
                "scale": "above",
                "land_area_mu": NAN,
                "tax_wan": 1.0,
                "value_added_wan": NAN,
                "energy_tce": NAN,
                "emissions_t": NAN,
                "employees": NAN,
                "rd_wan": NAN,
                "revenue_wan": NAN,
                "electricity_kwh": NAN,
                "land_status": "owned",
                "park": "",
                "lon": NAN,
                "lat": NAN,
            },
        ]
    )
    return evaluate(rows, load_scheme("huangyan_2022"))


def test_workbook_has_method_summary_one_sheet_per_group_and_extras(evaluation):
    data = evaluation_xlsx(
        evaluation,
        extra_sheets={"按园区 by park": summarize_classes(evaluation, "park")},
        notice="合成示例数据",
    )
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [
        "说明 Method",
        "汇总 Summary",
        "规上企业",
        "规下企业",
        "未分组 Not grouped",
        "按园区 by park",
        "字段 Fields",
    ]
    assert group_sheet_names(evaluation) == ["规上企业", "规下企业"]
    method = [[c.value for c in row] for row in wb["说明 Method"].iter_rows()]
    flat = " ".join(str(v) for row in method for v in row if v is not None)
    assert "合成示例数据" in flat and "单项得分 = 权重 × 指标值 ÷ 基准值" in flat
    assert "tax_wan / land_area_mu" in flat and "24.097" in flat and "DOMAIN.md" in flat
    above = wb["规上企业"]
    header = [c.value for c in above[1]]
    assert header[:3] == ["统一社会信用代码", "企业名称", "评价组"] and above["C2"].value == "规上企业"
    assert {"亩均税收（万元/亩）", "亩均税收得分", "总分", "组内排名", "分类", "未分类原因"} <= set(header)
    name_cell = above.cell(row=2, column=header.index("企业名称") + 1)
    assert name_cell.value == EVIL and name_cell.data_type == "s" and name_cell.quotePrefix
    ungrouped = wb["未分组 Not grouped"]
    assert ungrouped["A2"].value == "X1" and "用地面积缺失或为零（不以建筑面积代替）" in [
        c.value for c in ungrouped[2]
    ]
    fields = {row[0]: row[1] for row in wb["字段 Fields"].iter_rows(min_row=4, values_only=True)}
    assert fields["亩均税收得分"] == "tax_per_mu_score" and fields["参与分类"] == "graded"


def test_workbook_group_sheet_names_are_valid_and_unique(evaluation):
    from zkq_geo.evaluation.report import _sheet_name

    used: set[str] = set()
    names = [_sheet_name("a/b:c*d?[e]" + "长" * 40, used), _sheet_name("a/b:c*d?[e]" + "长" * 40, used)]
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names) and names[0] != names[1]


def test_html_report_is_one_escaped_offline_file(evaluation):
    html = evaluation_html(
        evaluation,
        features=evaluation_points(evaluation),
        summaries={"按园区 by park": summarize_classes(evaluation, "park")},
        notice="合成示例数据 synthetic",
    )
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "A/B/C/D 分类地图" in html
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)  # nothing to fetch
    assert "@media print" in html and "合成示例数据 synthetic" in html
    assert "<h2>规上企业</h2>" in html and "亩均税收" in html and "Above designated size" not in html
    assert html.count("<circle") >= 2 + 5  # two firms + five legend swatches


def test_map_svg_draws_parcels_and_handles_no_coordinates():
    parcels = gpd.GeoDataFrame(
        {"class": ["A", "D"], "name": ["x", "<b>"]},
        geometry=[box(0, 0, 100, 100), box(200, 0, 300, 100)],
        crs="EPSG:4547",
    )
    svg = map_svg(parcels, backdrop=gpd.GeoDataFrame(geometry=[box(-50, -50, 400, 200)], crs="EPSG:4547"))
    assert svg.count("<path") >= 3 and "&lt;b&gt;" in svg and "#1a9850" in svg and "#d73027" in svg
    assert "m (EPSG:4547)" in svg
    empty = map_svg(gpd.GeoDataFrame({"class": [], "name": []}, geometry=[], crs="EPSG:4326"))
    assert "no coordinates" in empty


def test_format_number():
    assert [format_number(v) for v in (1234.5, 12.345, 0.0302, 0.0, NAN)] == [
        "1,234.5",
        "12.35",
        "0.0302",
        "0.00",
        "",
    ]


def test_method_names_every_figure_not_from_the_source():
    rows = pd.DataFrame(
        [
            {
                "credit_code": c,
                "name": c,
                "land_area_mu": 10.0,
                "tax_wan": t,
                "revenue_wan": 100.0,
                "energy_tce": 10.0,
                "land_status": "owned",
            }
            for c, t in (("Z1", 50.0), ("Z2", 20.0))
        ]
    )
    ev = evaluate(rows, load_scheme("zhengzhou_2018"))
    wb = load_workbook(io.BytesIO(evaluation_xlsx(ev)))
    method = [[c.value for c in row] for row in wb["说明 Method"].iter_rows()]
    topics = {row[0]: row[1] for row in method if row[0]}
    placeholder = topics["占位指标：自有用地企业"]
    assert "亩均税收（权重 60）" in placeholder and "占位值" in placeholder
    header = next(row for row in method if row[0] == "评价组")
    record = next(row for row in method if row[0] == "自有用地企业" and row[1] == "亩均税收")
    assert record[header.index("占位指标")] == "是" and record[header.index("基准为来源公布")] == "否"
    assert record[header.index("得分上限")] == "—"
    html = evaluation_html(ev)
    assert "占位指标：自有用地企业" in html and "权重 60" in html
    english = evaluation_html(ev, lang="en")
    assert "Placeholder: Firms on their own land" in english and "Tax per mu (weight 60)" in english


# ----------------------------------------------------------------------------- no codes reach a planner
def _codes() -> list[str]:
    from zkq_geo.catalog import load_catalog
    from zkq_geo.evaluation.control import CHECK_RESULTS, load_control_rules
    from zkq_geo.evaluation.evaluate import REASONS, STATUSES, UNASSIGNED

    scheme = load_scheme("huangyan_2022")
    listed = ["above_scale", "below_scale", "leased", UNASSIGNED, *STATUSES, "auto", "biomed"]
    listed += ["equipment", "materials", "logistics", *REASONS, *(c for c in CHECK_RESULTS if "_" in c)]
    listed += [g.id for g in scheme.groups] + list(load_catalog().industries)
    listed += list(load_control_rules().categories) + ["incomplete", "at_least"]
    return sorted(set(listed))


CODES = re.compile(r"\b(" + "|".join(map(re.escape, _codes())) + r")\b")


def _codes_in(text: str, scheme) -> list[str]:
    """Codes in ``text`` outside the scheme author's own words (notes, shown as written)."""
    for note in (*scheme.notes, *(g.note for g in scheme.groups)):
        text = text.replace(note, " ") if note else text
    return CODES.findall(text)


@pytest.fixture(scope="module")
def demo():
    from zkq_geo.evaluation.control import control_check, load_control_rules
    from zkq_geo.evaluation.ledger import read_ledger
    from zkq_geo.paths import geodata_root

    ledger = read_ledger(geodata_root() / "examples" / "demo_ledger_synthetic.csv")
    ev = evaluate(ledger, load_scheme("huangyan_2022"))
    summaries = {f"按{k}": summarize_classes(ev, k) for k in ("park", "plate", "industry")}
    return ev, summaries, control_check(ledger, load_control_rules(), investment_min_wan_per_mu=250.0)


def _visible_text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_chinese_html_report_shows_no_internal_code(demo):
    ev, summaries, control = demo
    page = evaluation_html(ev, features=evaluation_points(ev), summaries=summaries, control=control)
    text = _visible_text(page)
    assert sorted(set(_codes_in(text, ev.scheme))) == []
    assert "生物医药大健康" in text and "只评分不分类" in text and "租赁厂房企业" in text
    assert "不达标" in text
    assert not re.search(r"\b(None|nan|NaN|<NA>)\b", text)


def test_the_english_html_report_shows_words_not_codes(demo):
    ev, summaries, control = demo
    text = _visible_text(evaluation_html(ev, summaries=summaries, control=control, lang="en"))
    assert "Biomedicine and health" in text and "rated, not graded" in text and "not evaluated" in text
    assert not re.search(r"\b(biomed|above_scale|no_land_area|special_rated|None|nan)\b", text)


def test_the_chinese_workbook_shows_no_internal_code_outside_the_fields_sheet(demo):
    ev, summaries, control = demo
    data = evaluation_xlsx(ev, extra_sheets={**summaries, "控制指标 Control": control})
    wb = load_workbook(io.BytesIO(data))
    found = {}
    for ws in wb.worksheets:
        if ws.title == "字段 Fields":  # the documented about sheet: English field names allowed
            continue
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if value is None:
                    continue
                assert not (isinstance(value, float) and value != value), ws.title
                assert str(value) not in ("None", "nan", "NaN", "<NA>"), ws.title
                for code in _codes_in(str(value), ev.scheme):
                    found.setdefault(ws.title, set()).add(code)
    assert found == {}
    cells = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row}
    assert {"生物医药大健康", "只评分不分类", "未评价", "达标", "不达标", "—"} <= cells
