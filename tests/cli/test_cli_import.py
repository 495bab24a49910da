"""CLI tests of inspect, import and join: they drive the real installed command."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import importdata as d
import pytest
from zkqcli import ZKQ, one_line_error, run

from zkq_geo.office.backends import open_workspace


@pytest.fixture
def ws(tmp_path) -> Path:
    return tmp_path / "ws"


def nothing_saved(ws: Path) -> bool:
    """Nothing in the workspace folder and no layer (the folder's, or the PostGIS pass's database)."""
    return d.tree(ws) == [] and open_workspace(ws).names() == []


def test_inspect_reports_before_anything_is_applied(tmp_path, ws):
    zipped = d.gbk_shapefile_zip(tmp_path / "in")
    r = run(ws, "inspect", zipped)
    assert r.returncode == 0, r.stderr
    for text in (
        "format: shapefile",
        "features: 3",
        "名称 (str)",
        "encoding: gb18030",
        "EPSG:4526",
        "bounds (WGS84): 113.7",
    ):
        assert text in r.stdout
    doc = json.loads(run(ws, "inspect", zipped, "--format", "json").stdout)
    assert doc["feature_count"] == 3 and doc["encoding"] == "gb18030" and doc["crs"].startswith("EPSG:4526")
    assert not ws.exists() and nothing_saved(ws)


def test_import_then_show_export_efficiency_and_map(tmp_path, ws):
    r = run(ws, "import", d.gbk_shapefile_zip(tmp_path / "in"), "--as", "dikuai", "--title", "地块")
    assert r.returncode == 0 and "saved layer 'dikuai' (version 1)" in r.stderr
    assert "dikuai" in run(ws, "layers").stdout
    rows = json.loads(run(ws, "show", "dikuai", "--format", "json").stdout)
    assert [x["name"] for x in rows] == [p[0] for p in d.PARCELS]
    rows = json.loads(run(ws, "show", "dikuai", "--search", "中兴", "--format", "json").stdout)
    assert [x["名称"] for x in rows] == ["中兴产业园"]
    out = tmp_path / "d.geojson"
    assert run(ws, "export", "dikuai", "--format", "geojson", "-o", out).returncode == 0
    assert {f["properties"]["名称"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]} == {
        p[0] for p in d.PARCELS
    }
    assert run(ws, "efficiency", "dikuai", "--format", "json").returncode == 0
    html = tmp_path / "m.html"
    r = run(ws, "map", "dikuai", "parks", "-o", html)
    assert r.returncode == 0 and "中兴产业园" in html.read_text(encoding="utf-8")
    r = run(ws, "import", d.gbk_shapefile_zip(tmp_path / "again"), "--as", "dikuai")
    assert r.returncode == 0 and "already existed: saved as version 2" in r.stderr
    assert [v.version for v in open_workspace(ws).versions("dikuai")] == [1, 2]


def test_import_choices_crs_xy_and_encoding(tmp_path, ws):
    path = tmp_path / "amap.csv"
    path.write_bytes("名称,E,N\n甲,113.756180,34.718963\n".encode("gbk"))
    r = run(ws, "import", path, "--as", "amap", "--crs", "gcj02", "--x", "E", "--y", "N", "--encoding", "gbk")
    assert r.returncode == 0, r.stderr
    row = json.loads(run(ws, "show", "amap", "--format", "json").stdout)[0]
    assert row["name"] == "甲"
    assert "CRS: GCJ-02" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("--as", "../evil"), "not allowed"),
        (("--as", "parks"), "shipped layer"),
        (("--as", "ok", "--crs", "mars"), "crs='mars'"),
        (("--as", "ok", "--encoding", "ebcdic"), "encoding='ebcdic'"),
        (("--as", "ok", "--x", "E"), "both coordinate columns"),
    ],
)
def test_bad_options_exit_2(tmp_path, ws, args, message):
    path = tmp_path / "p.csv"
    path.write_text("name,lon,lat\na,113.75,34.72\n", encoding="utf-8")
    assert message in one_line_error(run(ws, "import", path, *args), code=2)
    assert nothing_saved(ws)


@pytest.mark.parametrize(
    "name, content, message",
    [
        *((name, content, en) for name, content, en, _ in d.BAD_FILES),
        ("ok.csv", b"name,lon,lat\na,113.75,34.72\n", None),
    ],
)
def test_hostile_files_one_line_exit_1_nothing_written(tmp_path, ws, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    r = run(ws, "import", path, "--as", "x")
    if message is None:
        assert r.returncode == 0
        return
    assert message in one_line_error(r)
    assert nothing_saved(ws)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda tmp: d.bomb_zip(tmp / "bomb.zip"), "decompresses to"),
        (lambda tmp: d.two_shapefiles_zip(tmp), "holds 2 shapefiles (a, b); choose one (CLI: --layer NAME)"),
        (lambda tmp: d.merged_header_xlsx(tmp / "merged.xlsx"), "has merged cells"),
        (lambda tmp: d.gpkg_table(tmp / "table.gpkg"), "has no geometry: it is a table"),
        (
            lambda tmp: d.gbk_shapefile_zip(tmp, "noshp").rename(tmp / "noshp.kmz"),
            "should hold exactly one .kml",
        ),
    ],
)
def test_more_bad_files_one_line_exit_1_nothing_written(tmp_path, ws, build, message):
    path = build(tmp_path)
    r = run(ws, "import", path, "--as", "x", env={"ZKQ_MAX_UPLOAD_MB": "1"})
    assert message in one_line_error(r)
    assert nothing_saved(ws)


def test_non_utf8_text_is_detected_or_refused_when_the_encoding_is_wrong(tmp_path, ws):
    path = tmp_path / "gbk.csv"
    path.write_bytes("名称,经度,纬度\n甲园,113.75,34.72\n".encode("gbk"))
    r = run(ws, "inspect", path)
    assert r.returncode == 0 and "encoding: gb18030 (detected" in r.stdout
    assert "cannot be read as utf-8; choose its encoding" in one_line_error(
        run(ws, "import", path, "--as", "x", "--encoding", "utf-8")
    )
    assert nothing_saved(ws)
    assert run(ws, "import", path, "--as", "x", "--encoding", "gbk").returncode == 0
    assert json.loads(run(ws, "show", "x", "--format", "json").stdout)[0]["name"] == "甲园"


def test_geopackage_layer_is_chosen(tmp_path, ws):
    import geopandas as gpd
    import shapely

    path = tmp_path / "two.gpkg"
    for layer, geom in (
        ("pts", shapely.Point(477100, 3843560)),
        ("polys", shapely.box(477000, 3843000, 477100, 3843100)),
    ):
        gpd.GeoDataFrame({"name": [layer]}, geometry=[geom], crs="EPSG:4547").to_file(
            path, layer=layer, engine="pyogrio"
        )
    r = run(ws, "inspect", path)
    assert "layers: pts, polys" in r.stdout and "choose one (CLI: --layer NAME)" in one_line_error(r)
    r = run(ws, "import", path, "--as", "polys", "--layer", "polys")
    assert r.returncode == 0 and "layers: pts, polys (reading: polys)" in r.stdout and "EPSG:4547" in r.stdout
    assert "choose one of: pts, polys" in one_line_error(
        run(ws, "import", path, "--as", "x", "--layer", "nope"), code=2
    )


def test_oversized_and_unsafe_zip(tmp_path, ws):
    import zipfile

    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../outside.shp", b"x")
    assert "leaves the folder" in one_line_error(run(ws, "import", evil, "--as", "x"))
    big = tmp_path / "big.csv"
    big.write_text("name,lon,lat\n" + "a,113.75,34.72\n" * 2000, encoding="utf-8")
    env_run = subprocess.run(
        [ZKQ, "inspect", str(big)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ZKQ_WORKSPACE": str(ws), "ZKQ_MAX_UPLOAD_MB": "0.01"},
    )
    assert "over the limit" in one_line_error(env_run)
    assert nothing_saved(ws) and not (tmp_path.parent / "outside.shp").exists()


def test_inspect_with_problems_prints_the_report_and_exits_1(tmp_path, ws):
    path = tmp_path / "nocoords.csv"
    path.write_text("名称,地址\n甲,经开区\n", encoding="utf-8")
    r = run(ws, "inspect", path)
    assert "PROBLEM: no coordinate columns" in r.stdout and "fields: 名称 (str), 地址 (str)" in r.stdout
    assert "no coordinate columns" in one_line_error(r)


def test_join_report_apply_and_save(tmp_path, ws):
    assert run(ws, "import", d.gbk_shapefile_zip(tmp_path / "in"), "--as", "dikuai").returncode == 0
    ledger = d.ledger_xlsx(tmp_path / "台账.xlsx")
    base = ("join", "dikuai", ledger, "--key", "name", "--table-key", "企业名称", "--match", "name")
    r = run(ws, *base, "--report-only")
    assert r.returncode == 0, r.stderr
    assert (
        "matched: 3 of 3 features" in r.stdout
        and "table rows without a feature (1): 台账里多出的企业" in r.stdout
    )
    assert "header is row 2" in r.stdout and "joined" not in open_workspace(ws).names()
    units = (
        "--land",
        "用地面积（亩）",
        "--land-unit",
        "mu",
        "--investment",
        "总投资（万元）",
        "--money-unit",
        "wan",
    )
    r = run(ws, *base, *units)
    assert r.returncode == 0 and "500.00" in r.stdout and "411.50" in r.stdout
    part = d.ledger_xlsx(tmp_path / "part.xlsx", rows=d.LEDGER[:2])  # no row for the third parcel
    for how, count in (("left", 3), ("inner", 2)):
        r = run(ws, "join", "dikuai", part, *base[3:], *units, "--how", how, "--format", "json")
        assert r.returncode == 0 and f"({how} join)" in r.stderr and len(json.loads(r.stdout)) == count
    r = run(ws, *base, *units, "--as", "dikuai_ledger")
    assert r.returncode == 0 and "saved layer 'dikuai_ledger'" in r.stderr
    rows = json.loads(run(ws, "efficiency", "dikuai_ledger", "--format", "json").stdout)
    assert {x["name"]: x["invest_intensity_wan_per_mu"] for x in rows} == pytest.approx(d.EXPECTED_INTENSITY)
    entry = open_workspace(ws).latest("dikuai_ledger")
    assert entry.kind == "join" and entry.original.endswith("台账.xlsx")
    assert entry.report["join"]["matched"] == 3


def test_join_errors(tmp_path, ws):
    dup = d.ledger_xlsx(tmp_path / "dup.xlsx", rows=[("中兴产业园", 1, 1), ("中兴产业园", 2, 2)])
    r = run(ws, "join", "parks", dup, "--key", "name", "--table-key", "企业名称")
    assert "not unique: 中兴产业园" in one_line_error(r)
    r = run(ws, "join", "parks", dup, "--key", "nope")
    assert "no column 'nope'" in one_line_error(r)
    r = run(ws, "join", "parks", dup, "--key", "name", "--table-key", "企业名称", "--report-only")
    assert r.returncode == 0 and "duplicate keys in the table (1): 中兴产业园" in r.stdout
    r = run(ws, "join", "nolayer", dup, "--key", "name")
    assert "unknown layer 'nolayer'" in one_line_error(r, code=2)
    assert nothing_saved(ws)
