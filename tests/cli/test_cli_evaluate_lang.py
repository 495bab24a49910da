"""CLI tests of ``zkq-geo evaluate --lang zh|en``: the xlsx/html report in Chinese (the default, as
before) or English; table/CSV/JSON keep the English field names and notes whatever --lang says."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent))
DEMO = Path(__file__).resolve().parents[2] / "geodata" / "examples" / "demo_ledger_synthetic.csv"
# I1 pays an impossible tax (1e309 is inf): excluded, with a note naming the figure.
LEDGER = """统一社会信用代码,企业名称,用地面积（平方米）,税收（元）,营业收入（万元）,用电量（千瓦时）,用地方式
H1,甲,6666.666667,1000000,1000,1000000,自有
H2,乙,6666.666667,3000000,3000,1000000,自有
I1,丙,6666.666667,1e309,3000,1000000,自有
"""
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args):
    assert ZKQ, "zkq-geo console script not installed in the venv (pip install -e .)"
    return subprocess.run([ZKQ, *map(str, args)], capture_output=True, text=True, timeout=180)


def visible(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def header_and_notes(wb, sheet: str) -> tuple[list[str], list[str]]:
    rows = list(wb[sheet].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    notes = header.index("备注" if "备注" in header else "Notes")
    return header, [str(r[notes]) for r in rows[1:] if r[notes] not in (None, "—")]


@pytest.fixture
def ledger(tmp_path) -> Path:
    path = tmp_path / "台账.csv"
    path.write_text(LEDGER, encoding="utf-8")
    return path


def test_english_workbook_has_english_sheets_headers_words_and_notes(tmp_path, ledger):
    demo = tmp_path / "demo.xlsx"
    r = run("evaluate", DEMO, "--scheme", "huangyan_2022", "-o", demo, "--lang", "en", "--invest-min", "250")
    assert r.returncode == 0, r.stderr
    wb = load_workbook(demo)
    assert {"By park", "By plate", "By industry", "Control indicators"} <= set(wb.sheetnames)
    assert "Above designated size" in wb.sheetnames and "规上企业" not in wb.sheetnames
    assert wb["说明 Method"]["A1"].value == "Synthetic example data: invented firms, not real ones"
    header, _ = header_and_notes(wb, "Above designated size")
    assert header[:3] == ["Credit code", "Enterprise", "Group"] and "Total score" in header
    control = [c for row in wb["Control indicators"].iter_rows(values_only=True) for c in row]
    assert "Control category" in control and "Manufacture of medicines" in control
    assert "医药制造业" not in control and "pharmaceuticals" not in control

    small = tmp_path / "small.xlsx"
    assert run("evaluate", ledger, "--scheme", "huaian", "-o", small, "--lang", "en").returncode == 0
    _, notes = header_and_notes(load_workbook(small), "Firms on their own land")
    assert notes == ["tax_wan = inf: not a finite number"]


def test_english_html_report_has_english_headings_headers_and_words(tmp_path, ledger):
    page_path = tmp_path / "report.html"
    r = run("evaluate", DEMO, "--scheme", "huangyan_2022", "-o", page_path, "--lang", "en")
    assert r.returncode == 0, r.stderr
    page = page_path.read_text(encoding="utf-8")
    text = visible(page)
    assert '<html lang="en">' in page
    for words in ("Per-mu evaluation report", "Classes by group", "By park", "Control indicators"):
        assert words in text
    assert "Synthetic example data: invented firms, not real ones" in text
    assert "Above designated size" in text and "Manufacture of medicines" in text
    for chinese in ("亩均效益评价报告", "规上企业", "按园区", "控制指标", "合成示例数据", "医药制造业"):
        assert chinese not in text
    small = tmp_path / "small.html"
    assert run("evaluate", ledger, "--scheme", "huaian", "-o", small, "--lang", "en").returncode == 0
    small_text = visible(small.read_text(encoding="utf-8"))
    assert "tax_wan = inf: not a finite number" in small_text and "不是有限数值" not in small_text


def test_the_report_is_chinese_by_default_with_chinese_notes(tmp_path, ledger):
    page_path, book = tmp_path / "report.html", tmp_path / "report.xlsx"
    assert run("evaluate", DEMO, "--scheme", "huangyan_2022", "-o", page_path).returncode == 0
    text = visible(page_path.read_text(encoding="utf-8"))
    assert "亩均效益评价报告" in text and "控制指标核查" in text and "Per-mu evaluation report" not in text
    assert run("evaluate", ledger, "--scheme", "huaian", "-o", book).returncode == 0
    wb = load_workbook(book)
    assert "控制指标 Control" in wb.sheetnames
    header, notes = header_and_notes(wb, "自有用地企业")
    assert header[:3] == ["统一社会信用代码", "企业名称", "评价组"]
    assert notes == ["税收的值 inf 不是有限数值"]
    zh_again = tmp_path / "zh.xlsx"
    assert run("evaluate", ledger, "--scheme", "huaian", "-o", zh_again, "--lang", "zh").returncode == 0
    assert header_and_notes(load_workbook(zh_again), "自有用地企业") == (header, notes)


def test_csv_and_json_keep_english_field_names_and_notes_whatever_the_lang(ledger):
    outputs = {
        lang: run("evaluate", ledger, "--scheme", "huaian", "--format", "csv", *lang).stdout
        for lang in ((), ("--lang", "en"), ("--lang", "zh"))
    }
    assert len(set(outputs.values())) == 1
    rows = list(csv.DictReader(io.StringIO(outputs[()].lstrip("\ufeff"))))
    assert "notes_zh" not in rows[0] and all(not CJK.search(k) for k in rows[0])
    assert {r["credit_code"]: r["notes"] for r in rows} == {
        "H1": "",
        "H2": "",
        "I1": "tax_wan = inf: not a finite number",
    }
    as_json = run("evaluate", ledger, "--scheme", "huaian", "--format", "json", "--lang", "zh").stdout
    assert '"notes": "tax_wan = inf: not a finite number"' in as_json and "notes_zh" not in as_json


def test_an_unknown_lang_is_a_usage_error(ledger, tmp_path):
    r = run("evaluate", ledger, "--scheme", "huaian", "-o", tmp_path / "x.html", "--lang", "fr")
    assert r.returncode == 2 and "invalid choice: 'fr'" in r.stderr
    assert not (tmp_path / "x.html").exists()
