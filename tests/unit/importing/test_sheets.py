"""zkq_geo.importing.sheets: header rows, text cells, delimiters, coordinate columns, Excel limits."""

from __future__ import annotations

import openpyxl
import pytest

from zkq_geo.errors import DataSourceError, SchemaError
from zkq_geo.importing.sheets import (
    find_coordinate_columns,
    guess_delimiter,
    normalise_column,
    parse_coordinates,
    read_sheet,
    read_sheet_here,
)


def test_cells_stay_text_and_the_title_row_is_skipped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("2023年企业亩均效益台账\n编号,名称,经度,纬度\n0012,甲,113.7,34.7\n", encoding="utf-8")
    table = read_sheet(path)
    assert table.header_row == 2 and table.frame.loc[0, "编号"] == "0012"
    assert any("row 1" in w for w in table.warnings)


@pytest.mark.parametrize(
    "text, delimiter",
    [
        ("a;b;c\n1;2;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ("a,b\n1,2\n", ","),
        ("only\n1\n", ","),
    ],
)
def test_guess_delimiter(text, delimiter):
    assert guess_delimiter(text) == delimiter


def test_coordinate_columns_by_name():
    assert find_coordinate_columns(["名称", "经度", "纬度"]) == ("经度", "纬度", "lonlat")
    assert find_coordinate_columns(["X坐标（m）", "Y坐标（m）"]) == ("X坐标（m）", "Y坐标（m）", "xy")
    assert find_coordinate_columns(["名称", "面积"]) is None
    assert normalise_column("X坐标（m）") == "x坐标"


def test_parse_coordinates_turns_bad_cells_into_nan(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("lon,lat\n113.7,34.7\nabc,34.8\n", encoding="utf-8")
    table = read_sheet_here(path)
    xs, ys = parse_coordinates(table, "lon", "lat")
    assert xs[0] == 113.7 and xs[1] != xs[1] and ys[1] == 34.8
    with pytest.raises(SchemaError, match="no column 'x'"):
        parse_coordinates(table, "x", "lat")


def test_excel_over_the_cell_limit_is_refused(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    for i in range(30):
        book.active.append([f"r{i}", i, i * 2])
    path = tmp_path / "t.xlsx"
    book.save(path)
    monkeypatch.setenv("ZKQ_MAX_CELLS", "50")
    with pytest.raises(DataSourceError, match="more than 50 cells"):
        read_sheet(path)


def test_a_merged_two_row_header_is_refused_with_the_fix(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["名称", "用地", None])
    ws.append([None, "面积", "亩"])
    ws.append(["甲", 1, 2])
    ws.merge_cells("B1:C1")
    path = tmp_path / "m.xlsx"
    book.save(path)
    with pytest.raises(SchemaError, match="merged"):
        read_sheet(path)
