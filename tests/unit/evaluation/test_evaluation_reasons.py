"""The reason a firm is excluded: ``excluded_reason`` in English only (the CSV/JSON contract, like
``notes``), ``excluded_reason_zh`` the same in Chinese for the Chinese reports and page, never in
the CSV/JSON output."""

from __future__ import annotations

import re

import pytest

from zkq_geo.evaluation.evaluate import REASONS, REPORT_ONLY_COLUMNS, evaluate
from zkq_geo.evaluation.ledger import read_ledger
from zkq_geo.evaluation.report import display_frame
from zkq_geo.evaluation.scheme import load_scheme
from zkq_geo.i18n.messages import msg
from zkq_geo.paths import geodata_root

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def evaluation():
    ledger = read_ledger(geodata_root() / "examples" / "demo_ledger_synthetic.csv")
    owned = ledger.index[ledger["land_status"] == "owned"]
    ledger.loc[owned[0], "land_area_mu"] = float("nan")  # no land area: excluded
    ledger.loc[owned[1], "land_area_mu"] = -5.0  # impossible land area: excluded
    return evaluate(ledger, load_scheme("huangyan_2022")), ledger.loc[owned[:2], "credit_code"].tolist()


def test_the_reason_is_english_and_its_chinese_is_beside_it(evaluation):
    ev, (none, negative) = evaluation
    table = ev.table.set_index("credit_code")
    assert table.loc[none, "excluded_reason"] == (
        "missing or zero land area (floor area is never used instead)"
    )
    assert table.loc[none, "excluded_reason_zh"] == "用地面积缺失或为零（不以建筑面积代替）"
    assert table.loc[negative, "excluded_reason_zh"].startswith("用地面积不可能成立")
    reasons = ev.table[ev.table["reason_code"] != ""]
    assert len(reasons) >= 2
    for code, en, zh in reasons[["reason_code", "excluded_reason", "excluded_reason_zh"]].itertuples(
        index=False
    ):
        assert (en, zh) == (msg(f"reason_{code}").text("en"), msg(f"reason_{code}").text("zh"))
        assert not CJK.search(en) and CJK.search(zh) and " / " not in en
    blank = ev.table[ev.table["reason_code"] == ""]
    assert (blank["excluded_reason"] == "").all() and (blank["excluded_reason_zh"] == "").all()


def test_the_chinese_reason_stays_out_of_the_csv_json(evaluation):
    ev, _ = evaluation
    assert "excluded_reason_zh" in REPORT_ONLY_COLUMNS
    assert "excluded_reason" in ev.result_columns and "excluded_reason_zh" not in ev.result_columns


@pytest.mark.parametrize("lang, words", [("zh", "用地面积缺失或为零"), ("en", "missing or zero land area")])
def test_reports_show_the_reason_in_their_language(evaluation, lang, words):
    ev, (none, _) = evaluation
    for frame in (ev.table, ev.table.drop(columns=["reason_code"])):  # with or without the code
        shown = display_frame(frame, ev.scheme, lang)
        assert "excluded_reason_zh" not in shown.columns
        assert shown.set_index("credit_code").loc[none, "excluded_reason"].startswith(words)


def test_every_reason_has_words():
    assert all(msg(f"reason_{code}").text("zh") for code in REASONS)
