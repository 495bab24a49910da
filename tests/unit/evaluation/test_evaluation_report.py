"""Tests of zkq_geo.evaluation.report: workbook layout, formula-injection safety, escaped HTML, SVG map."""

from __future__ import annotations

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
    ]
    assert group_sheet_names(evaluation) == ["规上企业", "规下企业"]
    method = [[c.value for c in row] for row in wb["说明 Method"].iter_rows()]
    flat = " ".join(str(v) for row in method for v in row if v is not None)
    assert "合成示例数据" in flat and "weight × indicator value ÷ benchmark" in flat
    assert "tax_wan / land_area_mu" in flat and "24.097" in flat and "DOMAIN.md" in flat
    above = wb["规上企业"]
    assert above["A2"].value == "credit_code" and above["A1"].value.startswith("统一社会信用代码")
    header = [c.value for c in above[2]]
    assert {"tax_per_mu", "tax_per_mu_score", "total_score", "rank", "class", "excluded_reason"} <= set(
        header
    )
    name_cell = above.cell(row=3, column=header.index("name") + 1)
    assert name_cell.value == EVIL and name_cell.data_type == "s" and name_cell.quotePrefix
    assert wb["未分组 Not grouped"]["A3"].value == "X1"


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
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "A/B/C/D map" in html
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)  # nothing to fetch
    assert "@media print" in html and "合成示例数据 synthetic" in html
    assert "规上企业 / Above designated size" in html and "亩均税收" in html
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
    assert (
        "weight 60" in topics["占位 placeholder: all_firms"]
        and "占位值" in topics["占位 placeholder: all_firms"]
    )
    header = next(row for row in method if row[0] == "group")
    record = next(row for row in method if row[0] == "all_firms" and row[1] == "tax_per_mu")
    assert record[header.index("placeholder")] is True and record[header.index("published")] is False
    html = evaluation_html(ev)
    assert "占位 placeholder: all_firms" in html and "weight 60" in html
