"""Every error of the evaluation subsystem (scheme, formula, ledger, control, evaluate) has an English
text (unchanged: the CLI and older assertions read it) and a Chinese one (the app's Chinese UI)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from zkq_geo.errors import ZkqGeoError
from zkq_geo.evaluation.control import control_check, load_control_rules
from zkq_geo.evaluation.evaluate import evaluate, summarize_classes
from zkq_geo.evaluation.formula import parse_formula
from zkq_geo.evaluation.ledger import parse_ledger
from zkq_geo.evaluation.scheme import load_scheme, parse_scheme, preset_text
from zkq_geo.i18n.messages import Message

CJK = re.compile(r"[\u4e00-\u9fff]")
HUANGYAN = preset_text("huangyan_2022")
LEDGER = pd.DataFrame(
    {
        "credit_code": ["A"],
        "name": ["甲"],
        "land_area_mu": [10.0],
        "land_status": ["owned"],
        "scale": ["above"],
    }
)


def _scheme(old: str, new: str):
    assert old in HUANGYAN
    return parse_scheme(HUANGYAN.replace(old, new, 1), origin="my.yaml")


CASES = {
    "formula call": (
        lambda: parse_formula("__import__('os')", ("tax_wan",)),
        "uses a function call",
        "函数调用",
    ),
    "formula unknown column": (
        lambda: parse_formula("tax / land_area_mu", ("tax_wan", "land_area_mu")),
        "reads unknown column 'tax'",
        "未知字段 'tax'",
    ),
    "formula operator": (lambda: parse_formula("tax_wan ** 2", ("tax_wan",)), "operator '**'", "乘方"),
    "scheme bad formula": (
        lambda: _scheme("formula: tax_wan / land_area_mu", "formula: open('x')"),
        "my.yaml: groups[0].indicators[0].formula: formula \"open('x')\" uses a function call",
        "my.yaml：字段 groups[0].indicators[0].formula：公式",
    ),
    "scheme weight": (
        lambda: _scheme("weight: 30, benchmark: 24.097", "weight: -30, benchmark: 24.097"),
        "my.yaml: groups[0].indicators[0].weight = -30: must be a number > 0",
        "应为大于 0 的数字",
    ),
    "scheme yaml": (
        lambda: parse_scheme("a: [1", origin="x.yaml"),
        "x.yaml: not valid YAML",
        "不是有效的 YAML",
    ),
    "scheme preset": (lambda: load_scheme("nope"), "is neither a .yaml file nor a preset", "预设方案"),
    "ledger missing column": (
        lambda: parse_ledger(pd.DataFrame({"企业名称": ["甲"], "用地面积": ["1"]}), origin="bad.csv"),
        "bad.csv: the ledger has no column for credit_code (统一社会信用代码)",
        "bad.csv：台账缺少以下列：统一社会信用代码（字段 credit_code）",
    ),
    "ledger not a number": (
        lambda: parse_ledger(
            pd.DataFrame({"统一社会信用代码": ["A"], "企业名称": ["甲"], "用地面积": ["十"]}), origin="b.csv"
        ),
        "b.csv: column '用地面积' must hold numbers; row 2 has '十'",
        "应为数字；第 2 行是 '十'",
    ),
    "ledger bad unit": (
        lambda: parse_ledger(
            pd.DataFrame({"统一社会信用代码": ["A"], "企业名称": ["甲"], "用地面积（斤）": ["1"]}),
            origin="u.csv",
        ),
        "declares unit '斤', which is not a unit of 用地面积",
        "不是用地面积（land_area_mu）的单位",
    ),
    "control category": (
        lambda: control_check(LEDGER.assign(control_category="nope"), load_control_rules()),
        "control category 'nope' is not known",
        "控制指标行业类别 'nope' 不可识别",
    ),
    "control city class": (
        lambda: control_check(LEDGER, load_control_rules(), city_class="第九等"),
        "city_class='第九等' has no investment minimums",
        "城市等别",
    ),
    "evaluate missing column": (
        lambda: evaluate(LEDGER.drop(columns=["scale"]), load_scheme("huangyan_2022")),
        "scheme 'huangyan_2022' needs ledger column(s) scale",
        "需要台账字段 scale",
    ),
    "summary column": (
        lambda: summarize_classes(evaluate(LEDGER.assign(scale=""), load_scheme("huangyan_2022")), "park"),
        "the ledger has no 'park' column to summarise by",
        "台账没有用于汇总的 'park' 列",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_errors_read_as_english_and_carry_chinese(case):
    action, english, chinese = CASES[case]
    with pytest.raises(ZkqGeoError) as info:
        action()
    exc = info.value
    assert isinstance(exc.message, Message)
    assert english in str(exc)
    zh = exc.text("zh")
    assert chinese in zh and CJK.search(zh) and zh != str(exc)
