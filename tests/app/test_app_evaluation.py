"""AppTest tests of the 亩均评价 page: demo or uploaded ledger -> evaluate -> Excel/HTML/CSV exports
that parse; scheme editing with validation errors shown; language switch; errors shown, not raised."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from evaldata import HUANGYAN_SHEETS
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")
PAGE = "app_pages/evaluation_page.py"
SCRIPT = "<script>alert('x')</script>"
UPLOAD = (
    "统一社会信用代码,企业名称,用地面积（平方米）,税收（元）,营业收入（万元）,用电量（千瓦时）,用地方式,"
    "经度,纬度\n"
    "H1,甲公司,6666.666667,1000000,1000,1000000,自有,113.78,34.70\n"
    f'H2,"{SCRIPT}",6666.666667,3000000,3000,1000000,自有,113.80,34.72\n'
    "H3,=cmd|' /C calc'!A0,6666.666667,2000000,2000,1000000,自有,113.79,34.71\n"
).encode()


pytestmark = pytest.mark.usefixtures("fresh_caches")


def open_page(**state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def download(at: AppTest, media_files: dict, key: str) -> bytes:
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key) or key in b.proto.id)
    data = media_files[button.proto.url]
    return data.encode("utf-8") if isinstance(data, str) else data


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_page_asks_for_a_ledger_and_offers_the_template(media_files):
    at = open_page()
    assert at.title[0].value == "亩均评价"
    assert any("请上传台账" in i.value for i in at.info)
    wb = load_workbook(io.BytesIO(download(at, media_files, "eval_template_download")))
    assert wb.sheetnames == ["台账 ledger", "字段说明 columns"]
    assert [c.value for c in wb["台账 ledger"][1]][:3] == ["统一社会信用代码", "企业名称", "用地面积（亩）"]


def test_demo_ledger_evaluate_and_export(media_files):
    at = open_page()
    at.button(key="eval_demo_button").click().run()
    assert not at.exception
    assert any("合成示例台账" in w.value and "虚构" in w.value for w in at.warning)
    assert (
        metric(at, "企业数"),
        metric(at, "参与分类"),
        metric(at, "只评分不分类"),
        metric(at, "未评价"),
    ) == ("80", "74", "4", "2")
    subheaders = " ".join(s.value for s in at.subheader)
    assert "分类汇总" in subheaders and "A/B/C/D 分类地图" in subheaders and "各组明细" in subheaders
    summary = at.dataframe[0].value
    assert list(summary.iloc[:, 0]) == [
        "规上企业",
        "规下企业",
        "租赁厂房企业（zkq-geo 默认，非公布规则）",
        "未分组",
    ]
    assert any(c.value == "规模 = 规上；用地方式 = 自有" for c in at.caption)  # which firms a group holds
    # codes reach no planner: statuses, reasons, industries, unassigned keys read as Chinese words
    shown = [d.value for d in at.dataframe]
    statuses = set().union(*(set(f["状态"]) for f in shown if "状态" in f.columns))
    assert statuses >= {"参与分类", "只评分不分类"} and not statuses & {"graded", "rated", "excluded"}
    assert "原因代码 reason_code" not in " ".join(str(c) for f in shown for c in f.columns)
    cells = " ".join(str(v) for f in shown for v in f.astype(str).to_numpy().ravel())
    assert not re.search(
        r"\b(above_scale|below_scale|unassigned|graded|special_rated|no_land_area|None)\b", cells
    )
    charts = at.get("vega_lite_chart")  # firms by class and land by class, one bar per group
    assert len(charts) == 2
    assert all('"A"' in c.proto.spec and '"D"' in c.proto.spec for c in charts)
    assert '"field": "firms"' in charts[0].proto.spec and '"field": "land"' in charts[1].proto.spec
    wb = load_workbook(io.BytesIO(download(at, media_files, "eval_download_xlsx")))
    assert wb.sheetnames[:5] == HUANGYAN_SHEETS
    assert "控制指标 Control" in wb.sheetnames and "按园区 by park" in wb.sheetnames
    assert "合成示例台账" in str(wb["说明 Method"]["A1"].value)
    html = download(at, media_files, "eval_download_html").decode("utf-8")
    assert "<table>" in html and "<svg" in html and "合成示例台账" in html and "<script" not in html.lower()
    assert "生物医药大健康" in html and not re.search(r"\b(above_scale|biomed|special_rated)\b", html)
    rows = list(
        csv.DictReader(io.StringIO(download(at, media_files, "eval_download_csv").decode("utf-8-sig")))
    )
    assert len(rows) == 80 and {"credit_code", "total_score", "rank", "class", "excluded_reason"} <= set(
        rows[0]
    )


def test_uploaded_ledger_with_units_and_hostile_names(media_files):
    at = open_page()
    at.selectbox(key="eval_preset").set_value("huaian").run()
    at.file_uploader(key="eval_upload").set_value(("台账.csv", UPLOAD, "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert metric(at, "企业数") == "3"
    rows = {
        r["credit_code"]: r
        for r in csv.DictReader(
            io.StringIO(download(at, media_files, "eval_download_csv").decode("utf-8-sig"))
        )
    }
    # 6666.67 m2 = 10 亩; 1,000,000 元 = 100 万元 -> 10 万元/亩
    assert float(rows["H1"]["tax_per_mu"]) == pytest.approx(10.0)
    assert rows["H2"]["class"] == "A" and rows["H3"]["name"].startswith("'=")
    html = download(at, media_files, "eval_download_html").decode("utf-8")
    assert SCRIPT not in html and "&lt;script&gt;" in html
    wb = load_workbook(io.BytesIO(download(at, media_files, "eval_download_xlsx")))
    sheet = wb["自有用地企业"]
    names = [c.value for c in sheet["B"]][1:]  # one header row
    cell = next(c for c in sheet["B"] if c.value and str(c.value).startswith("=cmd"))
    assert SCRIPT in names and cell.data_type == "s" and cell.quotePrefix


def test_edited_scheme_is_validated_and_used():
    at = open_page()
    at.button(key="eval_demo_button").click().run()
    text = at.text_area(key="eval_scheme_text").value
    at.text_area(key="eval_scheme_text").set_value(
        text.replace("weight: 30, benchmark: 24.097", "weight: -30, benchmark: 24.097")
    ).run()
    assert not at.exception
    assert any("groups[0].indicators[0].weight = -30" in e.value for e in at.error)
    assert not at.metric  # nothing evaluated with a broken scheme
    at.text_area(key="eval_scheme_text").set_value(
        text.replace("formula: tax_wan / land_area_mu", "formula: __import__('os')", 1)
    ).run()
    # the Chinese UI says it in Chinese: which field, which formula, what is wrong
    errors = [e.value for e in at.error]
    assert any(
        "huangyan_2022.yaml：字段 groups[0].indicators[0].formula：公式" in e and "使用了函数调用" in e
        for e in errors
    ), errors
    assert not any("function call" in e for e in errors)
    at.selectbox(key="eval_preset").set_value("zhengzhou_2018").run()  # picking a preset resets the text
    assert "two_stage" in at.text_area(key="eval_scheme_text").value and not at.error
    # its scoring indicators and weights are not the source's: said on the page, not only in the YAML
    placeholders = next(w.value for w in at.warning if "不是所引来源公布的数字" in w.value)
    assert "自有用地企业" in placeholders and "权重 60" in placeholders and "占位值" in placeholders
    assert "all\\_firms" not in placeholders
    assert metric(at, "参与分类") == "74"


def test_bad_ledger_is_shown_as_an_error():
    at = open_page()
    at.file_uploader(key="eval_upload").set_value(
        ("bad.csv", "企业名称,用地面积\n甲,1\n".encode(), "text/csv")
    ).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("bad.csv：台账缺少以下列：统一社会信用代码（字段 credit_code）" in e for e in errors), errors
    assert any("请下载台账模板" in e for e in errors) and not any(
        "Download the template" in e for e in errors
    )
    at.radio(key="lang").set_value("en").run()
    errors = [e.value for e in at.error]
    assert any("bad.csv: the ledger has no column for credit_code (统一社会信用代码)" in e for e in errors), (
        errors
    )


def test_an_empty_ledger_is_explained_in_the_ui_language():
    at = open_page()
    at.file_uploader(key="eval_upload").set_value(("空.csv", b"", "text/csv")).run()
    assert not at.exception
    assert any("是空文件" in e.value for e in at.error), [e.value for e in at.error]


def test_english():
    at = open_page()
    at.radio(key="lang").set_value("en").run()
    at.button(key="eval_demo_button").click().run()
    assert at.title[0].value == "Per-mu evaluation"
    assert any("SYNTHETIC demo ledger" in w.value for w in at.warning)
    assert metric(at, "Graded") == "74"
    assert any(c.value == "scale = above; land_status = owned" for c in at.caption)


def test_summary_by_park_and_control_settings():
    at = open_page()
    at.button(key="eval_demo_button").click().run()
    at.radio(key="eval_summary_by").set_value("plate").run()
    assert not at.exception
    at.number_input(key="eval_invest_min").set_value(250.0).run()
    passed, failed = metric(at, "全部达标"), metric(at, "有不达标项")
    assert int(passed) > 0 and int(failed) > 0


def test_library_modules_do_not_import_streamlit():
    code = (
        "import sys, zkq_geo.evaluation.evaluate, zkq_geo.evaluation.report, zkq_geo.evaluation.class_map, "
        "zkq_geo.evaluation.control, "
        "zkq_geo.evaluation.scheme, zkq_geo.cli.evaluation; assert 'streamlit' not in sys.modules, "
        "'streamlit imported'"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_parcels_from_an_imported_layer_and_control_of_project_sites(tmp_path, monkeypatch, media_files):
    import geopandas as gpd
    from shapely.geometry import box

    from zkq_geo.workspace import import_into_workspace

    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    path = tmp_path / "地块.geojson"
    gpd.GeoDataFrame(
        {"credit_code": ["SYN000001", "SYN000002", "NOPE"], "name": ["地块1", "地块2", "地块3"]},
        geometry=[
            box(113.78, 34.70, 113.785, 34.705),
            box(113.80, 34.70, 113.805, 34.705),
            box(113.82, 34.70, 113.825, 34.705),
        ],
        crs="EPSG:4326",
    ).to_file(path)
    import_into_workspace(path, "dikuai")
    at = open_page()
    at.button(key="eval_demo_button").click().run()
    at.selectbox(key="eval_parcels").set_value("dikuai").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("地块连接" in c.value and "matched 2 of 3" in c.value for c in at.caption)
    html = download(at, media_files, "eval_download_html").decode("utf-8")
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<path") >= 3 + 1  # three parcels (one grey, unmatched) and the zone outline
    at.radio(key="eval_control_source").set_value("projects").run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert "prj_saic_engine2" in set(table["编号"])
    assert not {"pass", "fail", "no_data", "no_rule"} & set(table["核查结论"])  # words, not codes
