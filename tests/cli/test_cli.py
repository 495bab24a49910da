"""CLI tests drive the real installed command in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent))


def run(*args):
    assert ZKQ, "zkq-geo console script not installed in the venv (pip install -e .)"
    return subprocess.run([ZKQ, *args], capture_output=True, text=True, timeout=120)


def test_layers_lists_five():
    r = run("layers")
    assert r.returncode == 0
    for name in ("zone", "boards", "plates", "parks", "projects"):
        assert name in r.stdout


def test_layers_warns_when_the_workspace_index_is_broken(tmp_path):
    (tmp_path / "index.json").write_text("{not json", encoding="utf-8")
    r = subprocess.run(
        [ZKQ, "layers"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ZKQ_WORKSPACE": str(tmp_path)},
    )
    assert r.returncode == 0 and "projects" in r.stdout  # the shipped layers still listed
    assert r.stderr.startswith("zkq-geo: warning: imported layers not listed: the workspace index")
    assert r.stderr.count("\n") == 1


def test_show_json_filters_by_industry_and_plate_alias():
    r = run("show", "parks", "--industry", "新一代信息技术", "--format", "json")
    rows = json.loads(r.stdout)
    assert r.returncode == 0 and {x["id"] for x in rows} == {
        "park_zte",
        "park_info",
        "park_binhe_digital",
        "park_zhenxing",
        "park_autoelec",
    }
    r = run("show", "parks", "--plate", "滨河国际新城", "--format", "json")
    assert [x["id"] for x in json.loads(r.stdout)] == ["park_binhe_digital"]


def test_show_investment_range_and_search():
    r = run("show", "projects", "--min-investment", "30", "--max-investment", "31", "--format", "csv")
    lines = r.stdout.strip().splitlines()
    assert r.returncode == 0 and lines[0].startswith("id,name,layer")
    ids = {line.split(",")[0] for line in lines[1:]}
    assert {"prj_zmj_park", "prj_jd_asia1", "prj_foxconn_5g", "prj_zte_5g", "prj_dixintong_5g"} <= ids
    assert "prj_biomed_park" not in ids
    r = run("show", "projects", "--search", "富泰华", "--format", "json")
    assert [x["id"] for x in json.loads(r.stdout)] == ["prj_foxconn_5g"]


def test_efficiency_known_answers():
    r = run("efficiency", "parks", "--format", "json")
    rows = {x["id"]: x for x in json.loads(r.stdout)}
    assert round(rows["park_jianye"]["invest_intensity_wan_per_mu"], 2) == 1186.44  # 35亿 / 295亩
    assert rows["park_zhenxing"]["intensity_rank"] == 1  # 44亿 / 180亩 = 2444.44
    r = run("efficiency", "zone", "--format", "json")
    gdp = next(x for x in json.loads(r.stdout) if x["indicator"] == "gdp_wan_per_mu")
    assert round(gdp["value"], 2) == 53.18
    r = run("efficiency", "projects", "--by", "industry", "--format", "csv")
    assert r.returncode == 0 and "biomed" in r.stdout


def test_export_geojson_holds_exactly_the_selection(tmp_path):
    out = tmp_path / "bio.geojson"
    r = run("export", "projects", "--industry", "biomed", "--format", "geojson", "-o", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    ids = {f["properties"]["id"] for f in doc["features"]}
    assert len(ids) == 7 and all(i.startswith("prj_") for i in ids)
    props = doc["features"][0]["properties"]
    for key in (
        "id",
        "name",
        "layer",
        "industry",
        "industries",
        "investment_yi",
        "investment_qualifier",
        "land_area_mu",
        "floor_area_m2",
        "invest_intensity_wan_per_mu",
        "plate_id",
        "source",
        "geometry_quality",
    ):
        assert key in props


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "csv", "xlsx"])
def test_export_other_formats(tmp_path, fmt):
    out = tmp_path / f"parks.{fmt}"
    r = run("export", "parks", "--format", fmt, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 0
    if fmt in ("gpkg", "shp"):
        assert len(gpd.read_file(out)) == 10
        if fmt == "shp":  # a .shp path gets the unzipped parts, with a UTF-8 .cpg
            assert out.with_suffix(".cpg").read_text() == "UTF-8"
            assert "建业之窗" in set(gpd.read_file(out)["name"])


def test_export_xlsx_in_chinese(tmp_path):
    import openpyxl

    out = tmp_path / "projects.xlsx"
    r = run("export", "projects", "--format", "xlsx", "--lang", "zh", "-o", str(out))
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    header = [c.value for c in wb["要素"][1]]
    assert header[:2] == ["编号", "名称"] and "投资额（亿元）" in header and "状态" in header
    statuses = {row[header.index("状态")] for row in wb["要素"].iter_rows(min_row=2, values_only=True)}
    assert statuses <= {"规划", "已签约", "洽谈中", "已建成"}
    fields = {row[1]: row for row in wb["字段说明"].iter_rows(values_only=True)}
    assert fields["investment_yi"] == ("投资额（亿元）", "investment_yi", "亿元")


def test_export_shp_zip(tmp_path):
    out = tmp_path / "parks_shp.zip"
    assert run("export", "parks", "--format", "shp", "-o", str(out)).returncode == 0
    assert len(gpd.read_file(out)) == 10


def test_export_gcj02(tmp_path):
    out = tmp_path / "p.geojson"
    r = run("export", "parks", "--format", "geojson", "--crs", "gcj02", "-o", str(out))
    assert r.returncode == 0 and "put 'gcj02' in the name" in r.stderr  # p.geojson reads like WGS84
    assert json.loads(out.read_text(encoding="utf-8"))["coordinate_system"] == "GCJ-02"
    named = run(
        "export", "parks", "--format", "geojson", "--crs", "gcj02", "-o", str(tmp_path / "p_gcj02.geojson")
    )
    assert named.returncode == 0 and "note:" not in named.stderr


@pytest.mark.parametrize(
    "args, code, text",
    [
        (("show", "parks", "--industry", "steel"), 2, "not in the vocabulary"),
        (("show", "roads"), 2, "unknown layer 'roads'"),
        (("frobnicate",), 2, "invalid choice"),
        (("show", "parks", "--min-investment", "abc"), 2, "invalid float value"),
        (("show", "parks", "--min-investment", "50", "--max-investment", "10"), 2, "greater than"),
        (("export", "parks", "--format", "gpkg", "--crs", "gcj02", "-o", "x.gpkg"), 2, "gcj02"),
        (("efficiency", "boards"), 2, "not for boards"),
        (("efficiency", "zone", "--by", "plate"), 2, "drop --by"),
        (("layers", "extra"), 2, "unrecognized arguments"),
        (("show",), 2, "required: layer"),
        (("show", "parks", "--format", "xml"), 2, "invalid choice"),
        (("export", "parks", "-o", "x.geojson"), 2, "required: --format"),
        (("export", "parks", "--format", "geojson"), 2, "required: -o/--output"),
        (("export", "parks", "--format", "kml", "-o", "x.kml"), 2, "invalid choice"),
        (("efficiency", "parks", "--by", "park"), 2, "invalid choice"),
        (("validate", "extra"), 2, "unrecognized arguments"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args, code, text):
    r = run(*args)
    assert r.returncode == code
    assert text in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def _run_with_geodata(root, *args):
    env = dict(os.environ, ZKQ_GEODATA=str(root))
    return subprocess.run([ZKQ, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "args",
    [
        ("layers",),
        ("show", "parks"),
        ("export", "parks", "--format", "csv", "-o", "out.csv"),
        ("efficiency", "parks"),
        ("validate",),
    ],
)
def test_data_error_exit_1(tmp_path, args):
    r = _run_with_geodata(tmp_path, *args)  # a folder without catalog.yaml
    assert r.returncode == 1 and "catalogue" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_export_to_an_unwritable_path_is_a_data_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for target in (tmp_path, blocker / "parks.geojson"):  # a folder; a file where a folder should be
        r = run("export", "parks", "--format", "geojson", "-o", str(target))
        assert r.returncode == 1, r.stderr
        assert f"cannot write {target}" in r.stderr and "internal error" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_validate_failure_lists_checks_and_exits_1_with_one_line(tmp_path):
    root = tmp_path / "geodata"
    shutil.copytree(Path(__file__).resolve().parents[2] / "geodata", root)
    csv = root / "attributes" / "parks.csv"
    csv.write_bytes(csv.read_bytes().replace(b",35,exact,295,", b",35,exact,400,"))
    r = _run_with_geodata(root, "validate")
    assert r.returncode == 1
    assert "FAIL parks: measured area within 5% of documented (EPSG:4547): park_jianye" in r.stdout
    assert r.stdout.strip().splitlines()[-1].endswith("1 failed")
    assert (
        len(r.stderr.strip().splitlines()) == 1 and "1 of" in r.stderr and "parks: measured area" in r.stderr
    )


def test_validate_command_passes():
    r = run("validate")
    assert r.returncode == 0, r.stdout
    assert r.stdout.strip().splitlines()[-1].endswith("0 failed")


def test_python_dash_m_works():
    r = subprocess.run([sys.executable, "-m", "zkq_geo", "layers"], capture_output=True, text=True)
    assert r.returncode == 0 and "parks" in r.stdout


def test_an_error_naming_user_text_with_line_breaks_is_one_line(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text('"名\n称",x\n甲,1\n', encoding="utf-8")  # a header cell with a line break
    r = run("inspect", str(table))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "名 称" in r.stderr, r.stderr
