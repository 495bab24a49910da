"""Control categories in the reports' language: the control_category.<key> labels of
zkq_geo/i18n/labels.toml name the categories of geodata/control_indicators.yaml in English and
Chinese; the check's CSV keeps the keys."""

from __future__ import annotations

import html as html_lib
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from zkq_geo.evaluation.control import ControlCategory, control_check, load_control_rules
from zkq_geo.evaluation.evaluate import evaluate
from zkq_geo.evaluation.ledger import read_ledger
from zkq_geo.evaluation.report import display_frame, evaluation_html, evaluation_xlsx
from zkq_geo.evaluation.scheme import load_scheme
from zkq_geo.i18n.labels import LABELS
from zkq_geo.paths import geodata_root

RULES = load_control_rules()
KEYS = re.compile(r"\b(" + "|".join(map(re.escape, RULES.categories)) + r")\b")


def _firms(*categories: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "credit_code": [f"F{k}" for k in range(len(categories))],
            "name": [f"firm {k}" for k in range(len(categories))],
            "land_area_mu": 15.0,
            "floor_area_m2": 12000.0,
            "control_category": list(categories),
        }
    )


def test_every_shipped_category_has_an_english_and_its_chinese_name():
    labelled = {k.removeprefix("control_category.") for k in LABELS if k.startswith("control_category.")}
    assert labelled == set(RULES.categories)
    for key, category in RULES.categories.items():
        entry = LABELS[f"control_category.{key}"]
        assert entry["zh"] == category.zh
        assert entry["en"].isascii() and entry["en"][0].isupper() and "_" not in entry["en"]


def test_display_frame_words_categories_in_the_reports_language():
    checked = control_check(_firms("pharmaceuticals", "医药制造业", "electronics", ""), RULES)
    assert checked["category"].tolist() == ["pharmaceuticals", "pharmaceuticals", "electronics", ""]
    scheme = load_scheme("huangyan_2022")
    zh = display_frame(checked, scheme, "zh", RULES)["category"].tolist()
    en = display_frame(checked, scheme, "en", RULES)["category"].tolist()
    assert zh == ["医药制造业", "医药制造业", "通信设备、计算机及其他电子设备制造业", "—"]
    assert en == [
        "Manufacture of medicines",
        "Manufacture of medicines",
        "Manufacture of communication equipment, computers and other electronic equipment",
        "—",
    ]


def test_a_category_of_ones_own_rules_reads_by_its_chinese_name_or_its_key():
    own = ControlCategory("own_trade", "本区自定行业", 1.2)
    rules = load_control_rules()
    rules.categories["own_trade"] = own  # a rules file of one's own may add a category
    checked = control_check(_firms("本区自定行业"), rules)
    scheme = load_scheme("huangyan_2022")
    assert display_frame(checked, scheme, "zh", rules)["category"].tolist() == ["本区自定行业"]
    assert display_frame(checked, scheme, "en", rules)["category"].tolist() == ["own_trade"]


@pytest.fixture(scope="module")
def demo():
    ledger = read_ledger(geodata_root() / "examples" / "demo_ledger_synthetic.csv")
    evaluation = evaluate(ledger, load_scheme("huangyan_2022"))
    control = control_check(ledger, RULES, investment_min_wan_per_mu=250.0)
    assert control["category"].isin(list(RULES.categories)).any()
    return evaluation, control


def test_the_english_reports_name_categories_in_english_never_by_key(demo):
    evaluation, control = demo
    page = evaluation_html(evaluation, control=control, lang="en")
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", page, flags=re.S)))
    assert KEYS.findall(text) == []
    assert "Manufacture of medicines" in text and "医药制造业" not in text
    wb = load_workbook(io.BytesIO(evaluation_xlsx(evaluation, extra_sheets={"Control": control}, lang="en")))
    cells = [str(v) for row in wb["Control"].iter_rows(values_only=True) for v in row if v is not None]
    assert KEYS.findall(" ".join(cells)) == []
    assert "Manufacture of medicines" in cells and "医药制造业" not in cells


def test_the_chinese_report_names_categories_in_chinese(demo):
    evaluation, control = demo
    page = evaluation_html(evaluation, control=control, lang="zh")
    assert "医药制造业" in page and "Manufacture of medicines" not in page
