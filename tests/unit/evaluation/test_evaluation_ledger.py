"""Tests of zkq_geo.evaluation.ledger: Chinese header aliases, declared units, codes, errors."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from zkq_geo.errors import DataSourceError, SchemaError
from zkq_geo.evaluation.ledger import FIELDS, parse_ledger, read_ledger, template_columns


def raw(columns: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=str)


def test_chinese_headers_with_units_are_converted_to_storage_units():
    df = parse_ledger(
        raw(
            {
                "统一社会信用代码": ["C1"],
                "企业名称": ["甲"],
                "用地面积（平方米）": ["6666.666667"],
                "税收(元)": ["300,000"],
                "营业收入【亿元】": ["1.5"],
                "用电量（万千瓦时）": ["12"],
                "综合能耗（万吨标准煤）": ["0.02"],
                "主要污染物排放量（千克）": ["500"],
                "用水量（立方米）": ["80"],
            }
        )
    )
    row = df.iloc[0]
    assert row["land_area_mu"] == pytest.approx(10.0)  # 6666.67 m2 / (10000/15)
    assert row["tax_wan"] == pytest.approx(30.0)  # 300,000 元 = 30 万元
    assert row["revenue_wan"] == pytest.approx(15000.0)  # 1.5 亿元 = 15,000 万元
    assert row["electricity_kwh"] == pytest.approx(120000.0)  # 12 万千瓦时
    assert row["energy_tce"] == pytest.approx(200.0)
    assert row["emissions_t"] == pytest.approx(0.5)
    assert row["water_t"] == pytest.approx(80.0)
    assert df.attrs["units_read"]["land_area_mu"] == "平方米"
    assert row["land_status"] == "owned"  # no column: owned


def test_hectares_and_english_headers_with_unit_suffixes():
    df = parse_ledger(
        raw(
            {
                "credit_code": ["C1"],
                "name": ["a"],
                "land_area_ha": ["2"],
                "tax_yuan": ["50000"],
                "revenue_wan": ["7"],
            }
        )
    )
    assert df.loc[0, "land_area_mu"] == pytest.approx(30.0)  # 1 公顷 = 15 亩
    assert df.loc[0, "tax_wan"] == pytest.approx(5.0)
    assert df.loc[0, "revenue_wan"] == 7.0


def test_units_argument_applies_to_headers_without_a_unit():
    df = parse_ledger(
        raw({"统一社会信用代码": ["C1"], "企业名称": ["a"], "用地面积": ["1000"], "税收": ["1"]}),
        units={"land_area_mu": "m2", "tax_wan": "亿元"},
    )
    assert df.loc[0, "land_area_mu"] == pytest.approx(1.5)
    assert df.loc[0, "tax_wan"] == pytest.approx(10000.0)


def test_storage_names_keep_their_unit_even_with_units_argument():
    df = parse_ledger(
        raw({"credit_code": ["C1"], "name": ["a"], "land_area_mu": ["4"]}), units={"land_area_mu": "m2"}
    )
    assert df.loc[0, "land_area_mu"] == 4.0


def test_codes_are_normalised():
    df = parse_ledger(
        raw(
            {
                "credit_code": ["1", "2", "3"],
                "name": ["a", "b", "c"],
                "land_area_mu": ["1", "", "2"],
                "规模": ["规上", "规下", ""],
                "用地方式": ["自有", "租赁", ""],
                "特殊类型": ["", "公用事业", "新建投产"],
            }
        )
    )
    assert df["scale"].tolist() == ["above", "below", ""]
    assert df["land_status"].tolist() == ["owned", "leased", "owned"]
    assert df["special"].tolist() == ["", "utility", "startup"]
    assert np.isnan(df.loc[1, "land_area_mu"])


def test_unknown_columns_are_kept_as_text():
    df = parse_ledger(
        raw({"credit_code": ["1"], "name": ["a"], "land_area_mu": ["1"], "高新技术企业": ["是"]})
    )
    assert df.loc[0, "高新技术企业"] == "是"


@pytest.mark.parametrize(
    "columns, message",
    [
        ({"企业名称": ["a"], "用地面积（亩）": ["1"]}, r"no column for credit_code \(统一社会信用代码\)"),
        (
            {"credit_code": ["1"], "name": ["a"], "用地面积（英亩）": ["1"]},
            r"declares unit '英亩'.*allowed: m2",
        ),
        (
            {"credit_code": ["1"], "name": ["a"], "land_area_mu": ["1"], "税收（万元）": ["一百"]},
            r"税收（万元）.*row 2 has '一百'",
        ),
        (
            {"credit_code": ["1"], "name": ["a"], "land_area_mu": ["1"], "规模": ["大型"]},
            r"'大型'.*allowed: 'above'",
        ),
        (
            {"credit_code": ["1", "1"], "name": ["a", "b"], "land_area_mu": ["1", "2"]},
            r"'1' appears more than once \(rows 2, 3\)",
        ),
        (
            {"credit_code": ["", "2"], "name": ["", "b"], "land_area_mu": ["1", "2"]},
            "neither a credit code nor a name",
        ),
        (
            {"credit_code": ["1"], "name": ["a"], "land_area_mu": ["1"], "用地面积（平方米）": ["1"]},
            "both give column 'land_area_mu'",
        ),
    ],
)
def test_errors_name_column_value_and_choices(columns, message):
    with pytest.raises(SchemaError, match=message):
        parse_ledger(raw(columns), origin="台账.csv")


def test_units_for_unknown_columns_is_an_error():
    with pytest.raises(SchemaError, match="not numeric ledger columns"):
        parse_ledger(raw({"credit_code": ["1"], "name": ["a"], "land_area_mu": ["1"]}), units={"name": "m2"})


def test_read_csv_and_excel_bytes(tmp_path):
    csv = "统一社会信用代码,企业名称,用地面积（亩）,税收（万元）\nC1,甲,10,30\n"
    path = tmp_path / "ledger.csv"
    path.write_text(csv, encoding="utf-8-sig")
    assert read_ledger(path).loc[0, "tax_wan"] == 30.0
    wb = Workbook()
    wb.active.append(["统一社会信用代码", "企业名称", "用地面积（亩）", "税收（万元）"])
    wb.active.append(["C1", "甲", 10, 30])
    buffer = io.BytesIO()
    wb.save(buffer)
    df = read_ledger(buffer.getvalue(), filename="ledger.xlsx")
    assert df.loc[0, "land_area_mu"] == 10.0 and df.loc[0, "credit_code"] == "C1"


def test_read_errors_gbk_and_title_rows(tmp_path):
    with pytest.raises(DataSourceError, match="file not found"):
        read_ledger(tmp_path / "missing.csv")
    gbk = tmp_path / "gbk.csv"  # Excel's "CSV" in Chinese Windows is GBK: detected, not refused
    gbk.write_bytes(
        "标题：2023年企业亩均效益台账\n统一社会信用代码,企业名称,用地面积（亩）\nC1,甲,10\nC2,乙,x\n".encode(
            "gbk"
        )
    )
    with pytest.raises(
        SchemaError, match=r"gbk.csv: column '用地面积（亩）' must hold numbers; row 4 has 'x'"
    ):
        read_ledger(gbk)
    gbk.write_bytes("统一社会信用代码,企业名称,用地面积（亩）\nC1,甲,10\n".encode("gbk"))
    assert read_ledger(gbk).loc[0, "name"] == "甲"


def test_template_columns_cover_every_field_and_round_trip():
    cols = template_columns()
    assert list(cols["column"]) == [f.column for f in FIELDS]
    assert "用地面积（亩）" in set(cols["header_zh"]) and "税收（万元）" in set(cols["header_zh"])
    df = parse_ledger(
        pd.DataFrame([["1"] * len(cols)], columns=list(cols["header_zh"]), dtype=str).assign(
            **{"规模": "规上", "用地方式": "自有", "特殊类型": ""}
        )
    )
    assert set(f.column for f in FIELDS) <= set(df.columns)


@pytest.mark.parametrize(
    "header, answers, column, expected",
    [
        ("是否租赁", ["是", "否", ""], "land_status", ["leased", "owned", "owned"]),
        ("是否规上", ["是", "否", ""], "scale", ["above", "below", ""]),
    ],
)
def test_yes_no_headers_answer_their_own_question(header, answers, column, expected):
    df = parse_ledger(
        raw(
            {
                "credit_code": ["1", "2", "3"],
                "name": ["a", "b", "c"],
                "land_area_mu": ["1", "2", "3"],
                header: answers,
            }
        )
    )
    assert df[column].tolist() == expected


# ----------------------------------------------------------------------------- the synthetic demo ledger
GEODATA = Path(__file__).resolve().parents[3] / "geodata"
DEMO = GEODATA / "examples" / "demo_ledger_synthetic.csv"


def test_demo_ledger_is_labelled_synthetic_and_kept_apart_from_seed_data():
    demo = read_ledger(DEMO)
    assert len(demo) == 80
    assert demo["credit_code"].str.fullmatch(r"SYN\d{6}").all()  # not unified social credit codes
    for column in ("name", "park", "plate"):
        assert demo[column].str.endswith("（虚构）").all(), column
    assert "SYNTHETIC" in (GEODATA / "examples" / "README.md").read_text(encoding="utf-8")
    # never mixed with the seed-derived layers: the catalogue does not list it, no seed file holds its rows
    assert "examples" not in (GEODATA / "catalog.yaml").read_text(encoding="utf-8")
    for path in [*(GEODATA / "attributes").rglob("*"), *(GEODATA / "geometry").rglob("*")]:
        if path.is_file() and path.suffix in (".csv", ".geojson", ".json", ".yaml"):
            text = path.read_text(encoding="utf-8")
            assert "SYN000001" not in text and "（虚构）" not in text, path


def test_demo_ledger_is_reproduced_by_its_script():
    spec = importlib.util.spec_from_file_location(
        "make_demo_ledger", GEODATA.parent / "scripts" / "make_demo_ledger.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    built = script.build(np.random.default_rng(script.SEED))
    shipped = read_ledger(DEMO)
    pd.testing.assert_series_equal(built["tax_wan"], shipped["tax_wan"], check_names=False)
    assert built["credit_code"].tolist() == shipped["credit_code"].tolist()
