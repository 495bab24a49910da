"""The firms' notes of an evaluation: ``notes`` in English (the CSV/JSON contract: fields and
indicators by their ids, one shape for every note), ``notes_zh`` the same in Chinese (labels) for
the Chinese reports and page, never in the CSV/JSON output."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from zkq_geo.evaluation.evaluate import evaluate
from zkq_geo.evaluation.ledger import read_ledger
from zkq_geo.evaluation.report import display_frame, evaluation_html, evaluation_xlsx, group_sheet_names
from zkq_geo.evaluation.scheme import load_scheme
from zkq_geo.paths import geodata_root

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Every English note: an id, then " = value" for a figure, then ": " and what is wrong.
EN_NOTE = re.compile(r"^[a-z][a-z0-9_]*( = \S+: |: cannot be computed \([a-z0-9_, ]+\), scored 0$)")
ID = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")


@pytest.fixture(scope="module")
def evaluation():
    ledger = read_ledger(geodata_root() / "examples" / "demo_ledger_synthetic.csv")
    codes = ledger["credit_code"]
    above = ledger.index[(ledger["scale"] == "above") & (ledger["land_status"] == "owned")]
    ledger.loc[above[0], "energy_tce"] = float("nan")  # scored 0 for the indicators needing it
    ledger.loc[above[1], "energy_tce"] = -1.0  # impossible: excluded with a note
    ledger.loc[above[2], "tax_wan"] = float("inf")
    ledger.loc[above[3], "land_area_mu"] = -5.0  # impossible land: excluded before grouping
    ev = evaluate(ledger, load_scheme("huangyan_2022"))
    picked = {name: codes[above[k]] for k, name in enumerate(("missing", "negative", "infinite", "land"))}
    return ev, picked


def _row(ev, code):
    return ev.table.set_index("credit_code").loc[code]


def test_notes_are_english_in_one_shape_and_chinese_in_notes_zh(evaluation):
    ev, firms = evaluation
    assert _row(ev, firms["negative"])["notes"] == "energy_tce = -1: negative"
    assert _row(ev, firms["negative"])["notes_zh"] == "综合能耗的值 -1 为负数"
    assert _row(ev, firms["infinite"])["notes"] == "tax_wan = inf: not a finite number"
    assert _row(ev, firms["infinite"])["notes_zh"] == "税收的值 inf 不是有限数值"
    assert _row(ev, firms["land"])["notes"] == "land_area_mu = -5: negative"
    assert _row(ev, firms["land"])["notes_zh"] == "用地面积的值 -5 为负数"
    missing = _row(ev, firms["missing"])
    assert missing["notes"].split("; ")[0] == (
        "va_per_energy: cannot be computed (energy_tce, value_added_wan), scored 0"
    )
    assert missing["notes_zh"].split("；")[0] == "单位能耗增加值：无法计算（综合能耗、工业增加值），记 0 分"
    noted = ev.table[ev.table["notes"] != ""]
    assert len(noted) >= 4 and (noted["notes_zh"] != "").all()
    for notes, notes_zh in zip(noted["notes"], noted["notes_zh"], strict=True):
        assert not CJK.search(notes), notes
        assert all(EN_NOTE.match(note) for note in notes.split("; ")), notes
        assert len(notes.split("; ")) == len(notes_zh.split("；"))
        assert CJK.search(notes_zh) and not ID.search(notes_zh), notes_zh
    assert (ev.table.loc[ev.table["notes"] == "", "notes_zh"] == "").all()


def test_the_csv_json_columns_keep_the_english_notes_only(evaluation):
    ev, _ = evaluation
    assert "notes" in ev.result_columns and "notes_zh" not in ev.result_columns


def test_display_frame_shows_the_notes_in_the_reports_language(evaluation):
    ev, firms = evaluation
    group = ev.group_table("above_scale")
    zh = display_frame(group, ev.scheme, "zh")
    en = display_frame(group, ev.scheme, "en")
    assert "notes_zh" not in zh.columns and "notes_zh" not in en.columns
    at = group.index[group["credit_code"] == firms["negative"]][0]
    assert zh.loc[at, "notes"] == "综合能耗的值 -1 为负数"
    assert en.loc[at, "notes"] == "energy_tce = -1: negative"


def _notes_cells(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    cells = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if ws.title == "说明 Method" or not rows:
            continue
        header = [str(h) for h in rows[0]]
        cells += [str(r[j]) for j, h in enumerate(header) if h in ("备注", "Notes") for r in rows[1:]]
    return [c for c in cells if c not in ("None", "—")]


def test_the_chinese_workbook_shows_chinese_notes_the_english_one_english_notes(evaluation):
    ev, _ = evaluation
    zh = _notes_cells(evaluation_xlsx(ev))
    en = _notes_cells(evaluation_xlsx(ev, lang="en"))
    assert sorted(zh) == sorted(n for n in ev.table["notes_zh"] if n)
    assert sorted(en) == sorted(n for n in ev.table["notes"] if n)
    wb = load_workbook(io.BytesIO(evaluation_xlsx(ev)))
    fields = [c for row in wb["字段 Fields"].iter_rows(values_only=True) for c in row]
    assert "notes" in fields and "notes_zh" not in fields
    assert group_sheet_names(ev)  # the group sheets exist, so the notes above came from them


def test_the_html_reports_show_the_notes_in_their_language(evaluation):
    ev, firms = evaluation
    zh = evaluation_html(ev, lang="zh")
    en = evaluation_html(ev, lang="en")
    assert "综合能耗的值 -1 为负数" in zh and "energy_tce = -1: negative" not in zh
    assert "energy_tce = -1: negative" in en and "综合能耗的值 -1 为负数" not in en
