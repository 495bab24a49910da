"""CLI tests of ``zkq-geo evaluate / schemes / control``, driving the real installed command."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from evaldata import CONTRACT_TAIL, HUANGYAN_SHEETS
from openpyxl import load_workbook

ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent))
DEMO = Path(__file__).resolve().parents[2] / "geodata" / "examples" / "demo_ledger_synthetic.csv"
LEDGER = """统一社会信用代码,企业名称,用地面积（平方米）,税收（元）,营业收入（万元）,用电量（千瓦时）,用地方式
H1,甲,6666.666667,1000000,1000,1000000,自有
H2,"=HYPERLINK(""http://x"")",6666.666667,3000000,3000,1000000,自有
L1,乙,,100000,50,10000,租赁
"""


def run(*args, cwd=None):
    assert ZKQ, "zkq-geo console script not installed in the venv (pip install -e .)"
    return subprocess.run([ZKQ, *map(str, args)], capture_output=True, text=True, timeout=180, cwd=cwd)


@pytest.fixture
def ledger(tmp_path) -> Path:
    path = tmp_path / "台账.csv"
    path.write_text(LEDGER, encoding="utf-8")
    return path


def test_schemes_lists_presets_with_sources():
    r = run("schemes")
    assert r.returncode == 0
    for preset in ("huangyan_2022", "linhai", "huaian", "zhengzhou_2018"):
        assert preset in r.stdout
    assert "24.097" in r.stdout and "DOMAIN.md" in r.stdout
    rows = json.loads(run("schemes", "--format", "json").stdout)
    assert {r["id"] for r in rows} >= {"huangyan_2022", "linhai", "huaian", "zhengzhou_2018"}
    # every figure that is not the source's is listed: 郑州 2018's scoring weights are placeholders
    zhengzhou = next(row for row in rows if row["id"] == "zhengzhou_2018")
    assert any(
        "占位 placeholder: all_firms" in line and "weight 60" in line for line in zhengzhou["not_from_source"]
    )
    assert "not from the source: 占位 placeholder: all_firms" in r.stdout


def test_evaluate_csv_has_one_row_per_enterprise_with_the_contract_columns(ledger):
    r = run("evaluate", ledger, "--scheme", "huaian", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["credit_code"] for row in rows] == ["H2", "H1", "L1"]
    # exactly the columns in its order (credit_code, name, group, each indicator value, each item
    # score, total_score, rank, class, excluded_reason), then adjustment_score, status, reason_code, notes
    assert list(rows[0]) == [
        "credit_code",
        "name",
        "group",
        "tax_per_mu",
        "revenue_per_mu",
        "tax_per_kwh",
        "tax_per_mu_score",
        "revenue_per_mu_score",
        "tax_per_kwh_score",
        *CONTRACT_TAIL,
    ]
    # 10 亩 each (6666.67 m2); tax 100 and 300 万元; means 20 / 200 / 2 -> totals 50 and 150
    # (see test_evaluation)
    h1 = next(row for row in rows if row["credit_code"] == "H1")
    assert float(h1["tax_per_mu"]) == pytest.approx(10) and float(h1["total_score"]) == pytest.approx(50)
    assert rows[0]["name"].startswith("'=")  # formula-like text is neutralised
    assert "3 firms under huaian" in r.stderr


def test_evaluate_json_and_group_by(ledger):
    rows = json.loads(run("evaluate", ledger, "--scheme", "huaian", "--format", "json").stdout)
    by_code = {row["credit_code"]: row for row in rows}
    assert by_code["H2"]["class"] == "A" and by_code["H2"]["rank"] == 1
    assert list(rows[0])[-8:] == CONTRACT_TAIL
    assert by_code["L1"]["group"] == "leased" and by_code["L1"]["tax_per_mu"] is None
    summary = json.loads(
        run("evaluate", ledger, "--scheme", "huaian", "--group-by", "group", "--format", "json").stdout
    )
    assert [s["group"] for s in summary] == ["all_firms", "leased"] and summary[0]["count_A"] == 1


def test_evaluate_xlsx_and_html_reports(tmp_path):
    xlsx = tmp_path / "out" / "evaluation.xlsx"
    r = run(
        "evaluate", DEMO, "--scheme", "huangyan_2022", "-o", xlsx, "--group-by", "park", "--invest-min", "250"
    )
    assert r.returncode == 0, r.stderr
    wb = load_workbook(xlsx)
    assert wb.sheetnames[:5] == HUANGYAN_SHEETS
    assert "按园区 by park" in wb.sheetnames and "控制指标 Control" in wb.sheetnames
    assert "合成示例数据" in str(wb["说明 Method"]["A1"].value)
    html_path = tmp_path / "report.html"
    r = run("evaluate", DEMO, "--scheme", "zhengzhou_2018", "--format", "html", "-o", html_path)
    assert r.returncode == 0, r.stderr
    html = html_path.read_text(encoding="utf-8")
    assert "<svg" in html and "合成示例数据" in html and "<script" not in html.lower()


def test_evaluate_with_parcels(tmp_path, ledger):
    import geopandas as gpd
    from shapely.geometry import box

    parcels = tmp_path / "parcels.geojson"
    gpd.GeoDataFrame(
        {"credit_code": ["H1", "H2"]},
        geometry=[box(113.78, 34.70, 113.79, 34.71), box(113.80, 34.70, 113.81, 34.71)],
        crs="EPSG:4326",
    ).to_file(parcels)
    out = tmp_path / "p.html"
    r = run("evaluate", ledger, "--scheme", "huaian", "--parcels", parcels, "-o", out)
    assert r.returncode == 0, r.stderr
    assert "matched 2 of 2" in r.stderr and out.read_text(encoding="utf-8").count("<path") >= 2


def test_units_option(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text(
        "credit_code,name,用地面积,税收,revenue_wan,electricity_kwh\nA,a,1,1,1,1\n", encoding="utf-8"
    )
    rows = json.loads(
        run(
            "evaluate",
            path,
            "--scheme",
            "huaian",
            "--format",
            "json",
            "--unit",
            "land_area_mu=公顷",
            "--unit",
            "tax_wan=亿元",
        ).stdout
    )
    assert rows[0]["tax_per_mu"] == pytest.approx(10000 / 15)  # 1 亿元 on 1 公顷 (15 亩)


def test_control_command(ledger):
    r = run("control", DEMO, "--invest-min", "250", "--format", "json")
    rows = json.loads(r.stdout)
    assert r.returncode == 0 and len(rows) == 80
    assert {"far_check", "coverage_check", "admin_check", "invest_check", "overall"} <= set(rows[0])
    r = run("control", ledger, "--city-class", "III")
    assert r.returncode == 2 and "city_class='III'" in r.stderr
    projects = json.loads(run("control", "projects", "--invest-min", "300", "--format", "json").stdout)
    by_id = {p["id"]: p for p in projects}
    # 上汽发动机二期: 10.5 亿元 on 76.93 亩 = 1364.9 万元/亩 (transport equipment); no floor area given
    assert (
        by_id["prj_saic_engine2"]["invest_check"] == "pass"
        and by_id["prj_saic_engine2"]["far_check"] == "no_data"
    )
    assert by_id["prj_saic_engine2"]["invest_intensity_wan_per_mu"] == pytest.approx(105000 / 76.93)


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("evaluate", "{ledger}", "--scheme", "huaian", "--format", "xlsx"), 2, "give -o PATH"),
        (("evaluate", "{ledger}", "--scheme", "nanjing"), 2, "presets: huaian"),
        (("evaluate", "{ledger}"), 2, "--scheme"),
        (("evaluate", "{ledger}", "--scheme", "huaian", "--group-by", "street"), 2, "invalid choice"),
        (("evaluate", "{ledger}", "--scheme", "huaian", "--unit", "land"), 2, "COLUMN=UNIT"),
        (("evaluate", "{missing}", "--scheme", "huaian"), 1, "file not found"),
        (("evaluate", "{ledger}", "--scheme", "{bad_scheme}"), 1, r"weight = 0: must be a number > 0"),
        (("evaluate", "{ledger}", "--scheme", "huangyan_2022"), 1, "needs ledger column(s) scale"),
        (("evaluate", "{ledger}", "--scheme", "huaian", "--group-by", "park"), 1, "no 'park' column"),
    ],
)
def test_errors_are_one_line_with_exit_codes(tmp_path, ledger, args, code, message):
    bad = tmp_path / "bad.yaml"
    from zkq_geo.evaluation.scheme import preset_text

    bad.write_text(preset_text("huaian").replace("weight: 45", "weight: 0"), encoding="utf-8")
    values = {"ledger": ledger, "missing": tmp_path / "none.csv", "bad_scheme": bad}
    r = run(*(a.format(**values) for a in args))
    assert r.returncode == code, r.stderr
    assert message in r.stderr or __import__("re").search(message, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
