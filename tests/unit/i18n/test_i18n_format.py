"""zkq_geo.i18n.format: the one value formatter, every kind of value in both languages, and blanks;
zkq_geo.i18n.labels: one table shape, both texts for every entry."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from zkq_geo.catalog import load_catalog
from zkq_geo.i18n.format import (
    EMPTY,
    blank,
    code_text,
    field_label,
    is_blank,
    label,
    list_text,
    number_text,
    qualifier_sign,
    qualifier_text,
    source_text,
    value_text,
)
from zkq_geo.i18n.labels import CODE_COLUMNS, LABELS

CJK = re.compile(r"[\u4e00-\u9fff]")
TITLES = {"002_8e3b18d49bf5da6c.txt": "十四五规划纲要"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_label_has_both_texts(key):
    assert set(LABELS[key]) == {"en", "zh"} and LABELS[key]["en"].strip() and LABELS[key]["zh"].strip()
    assert CJK.search(LABELS[key]["zh"]) or key.startswith("field.geometry_wkt"), key


def test_every_code_family_of_a_column_has_labels():
    families = {k.split(".")[0] for k in LABELS}
    assert set(CODE_COLUMNS.values()) <= families


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NA, pd.NaT, "", "  "])
def test_blanks_read_as_a_dash_in_both_languages(value):
    assert is_blank(value)
    for lang in ("zh", "en"):
        assert value_text("investment_yi", value, lang) == EMPTY == "—"
        assert value_text("status", value, lang) == EMPTY
        assert value_text("source", value, lang, titles=TITLES) == EMPTY
        assert number_text(value, lang, unit="亿元") == EMPTY


def test_empty_lists_read_as_none_in_words():
    assert blank("zh", listing=True) == "（无）" and blank("en", listing=True) == "(none)"
    assert value_text("industries", "", "zh") == "（无）" and list_text(None, "en") == "(none)"
    assert not is_blank(0) and not is_blank(False) and not is_blank([])


QUALIFIER_WORDS = {  # qualifier -> (Chinese word, English word, sign before a figure)
    "exact": ("确数", "exact", ""),
    "at_least": ("下限（超过）", "lower bound", "≥"),
    "at_most": ("上限（不超过）", "upper bound", "≤"),
    "about": ("约数", "approximate", "约"),
    "no_land_area": ("无用地面积", "no land area", ""),
}


@pytest.mark.parametrize(("qualifier", "zh", "en", "sign"), [(q, *w) for q, w in QUALIFIER_WORDS.items()])
def test_qualifiers_in_words_and_signs(qualifier, zh, en, sign):
    assert qualifier_text(qualifier, "zh") == zh and qualifier_text(qualifier, "en") == en
    assert qualifier_sign(qualifier, "zh") == sign
    assert value_text("investment_qualifier", qualifier, "zh") == zh


def test_numbers_carry_sign_separators_and_unit():
    assert number_text(30, "zh", unit="亿元", qualifier="at_least") == "≥30 亿元"
    assert number_text(30, "en", qualifier="about") == "≈30"
    assert number_text(1234.5, "en") == "1,234.5" and number_text(np.float64(2.0), "zh") == "2"
    assert number_text(None, "zh", qualifier="no_land_area") == "无用地面积"
    assert number_text(float("inf"), "zh") == EMPTY
    assert value_text("land_area_mu", 150.0, "zh", unit=True) == "150 亩"
    assert value_text("figures_year", 2022.0, "en") == "2022"


@pytest.mark.parametrize(
    ("column", "code", "zh", "en"),
    [
        ("status", "planned", "规划", "planned"),
        ("status", "negotiating", "洽谈中", "in negotiation"),
        ("plate_basis", "none", "未归属板块", "not assigned"),
        ("plate_basis", "seed", "来源文件载明", "stated in the source"),
        ("geometry_quality", "schematic", "示意", "schematic"),
        ("geometry_quality", "user", "用户导入", "imported by a user"),
        ("kind", "news", "新闻", "news"),
        ("has_conflict", True, "是", "yes"),
        ("has_conflict", np.False_, "否", "no"),
    ],
)
def test_codes_read_as_words(column, code, zh, en):
    assert value_text(column, code, "zh") == zh and value_text(column, code, "en") == en


def test_unknown_codes_are_shown_as_given_and_unknown_labels_refused():
    assert code_text("status", "在建（本区自填）", "zh") == "在建（本区自填）"
    with pytest.raises(KeyError, match="no label 'status.nope'"):
        label("status.nope")


def test_industries_and_layers_come_from_the_catalogue(catalog):
    assert value_text("industry", "auto", "zh", catalog=catalog) == catalog.industry_label("auto", "zh")
    assert value_text("industries", "auto|ict", "en", catalog=catalog) == "; ".join(
        catalog.industry_label(c, "en") for c in ("auto", "ict")
    )
    assert value_text("layer", "parks", "zh", catalog=catalog) == catalog.layer("parks").title_zh
    assert value_text("industry", "auto", "zh") == "auto"  # no catalogue given: the code


def test_sources_read_as_title_and_section():
    raw = "002_8e3b18d49bf5da6c.txt 表3-4 第4项"
    assert source_text(raw, "zh", TITLES) == "十四五规划纲要，表3-4 第4项"
    assert source_text(raw, "en", TITLES) == "十四五规划纲要, 表3-4 第4项"
    assert source_text("999_x.txt 表1", "zh", TITLES) == "999_x.txt 表1"  # unknown file: as written
    assert source_text(raw, "zh", None) == raw
    note = "investment_yi: ≥30亿元（X；002_8e3b18d49bf5da6c.txt 招商引资）"
    assert (
        value_text("conflicts", note, "zh", titles=TITLES)
        == "投资额（亿元）: ≥30亿元（X；十四五规划纲要，招商引资）"
    )


def test_shipped_sources_all_have_titles(catalog):
    titles = catalog.source_titles()
    assert len(titles) == 5 and all(CJK.search(t) for t in titles.values())


def test_field_labels_carry_units_in_both_languages():
    assert field_label("investment_yi", "zh") == "投资额（亿元）"
    assert field_label("investment_yi", "en") == "Investment (亿元)"
    assert field_label("tax_wan", "en") == "tax_wan (万元)" and field_label("note", "zh") == "note"
