"""Importer tests: every format, CRS declared/detected/chosen, encodings, geometry repair, tables,
and the hostile inputs of the issue, each with a one-line message. Files are built in code."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import geopandas as gpd
import importdata as d
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from geojsondocs import collection, feature, geometry, point, write_geojson
from pyproj import Transformer

from zkq_geo.crs import OLD_DATUM_WARNING
from zkq_geo.errors import DataSourceError, OptionError, SchemaError, ZkqGeoError
from zkq_geo.importing.reader import inspect_file, read_import
from zkq_geo.importing.sheets import find_coordinate_columns, normalise_column


@pytest.fixture(autouse=True)
def own_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))


def _gdf(geoms, crs="EPSG:4326", **cols):
    return gpd.GeoDataFrame(cols or {"name": [f"f{i}" for i in range(len(geoms))]}, geometry=geoms, crs=crs)


_TO_GK = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)


def _metres_apart(lonlat_a, lonlat_b) -> float:
    (xa, ya), (xb, yb) = _TO_GK.transform(*lonlat_a), _TO_GK.transform(*lonlat_b)
    return float(np.hypot(xa - xb, ya - yb))


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# ----------------------------------------------------------------------------- the acceptance file
def test_gbk_shapefile_in_zone38_with_prefix_imports_with_chinese_names_and_exact_positions(tmp_path):
    gdf, report = read_import(d.gbk_shapefile_zip(tmp_path))
    assert report.format == "shapefile" and report.feature_count == 3
    assert report.encoding == "gb18030" and report.encoding_how.startswith("detected")
    assert report.encoding_how.text("zh").startswith(
        "自动识别：dikuai.dbf 没有 .cpg 文件"
    )  # the app's Chinese
    assert report.crs.startswith("EPSG:4526") and "prj" in report.crs_how
    assert [f for f, _ in report.fields] == ["名称", "用地亩", "编号"]
    assert gdf["名称"].tolist() == [p[0] for p in d.PARCELS] and gdf["name"].tolist() == gdf["名称"].tolist()
    assert gdf["编号"].tolist() == ["0012", "0013", "0014"]  # text stays text
    assert (
        gdf.crs.to_epsg() == 4326 and not report.problems and not any("outside" in w for w in report.warnings)
    )
    for geom, corners in zip(gdf.geometry, d.expected_wgs84_corners(), strict=False):
        got = shapely.get_coordinates(geom)
        assert len(got) == len(corners)
        # every built corner is within 1 m of an imported vertex
        assert all(min(_metres_apart(c, v) for v in got) < 1.0 for c in corners)
    lo = np.min([np.min(c, axis=0) for c in d.expected_wgs84_corners()], axis=0)
    assert report.bounds[0] == pytest.approx(lo[0], abs=1e-6) and report.bounds[1] == pytest.approx(
        lo[1], abs=1e-6
    )


def test_shapefile_without_dbf_is_read_without_attributes_and_says_so(tmp_path):
    zipped = d.gbk_shapefile_zip(tmp_path / "in")
    slim = tmp_path / "slim.zip"
    with zipfile.ZipFile(zipped) as src, zipfile.ZipFile(slim, "w") as zf:
        for n in src.namelist():
            if not n.endswith(".dbf"):
                zf.writestr(n, src.read(n))
    gdf, report = read_import(slim)
    assert len(gdf) == 3 and any("has no .dbf" in w for w in report.warnings)


def test_shapefile_without_prj_is_detected_from_the_8_digit_eastings(tmp_path):
    gdf, report = read_import(d.gbk_shapefile_zip(tmp_path, prj=False))
    assert report.crs.startswith("EPSG:4526") and report.crs_how.startswith("detected")
    assert "zone number 38" in report.crs_how
    assert any("no .prj" in w for w in report.warnings)
    assert all(
        min(_metres_apart(c, v) for v in shapely.get_coordinates(g)) < 1.0
        for g, cs in zip(gdf.geometry, d.expected_wgs84_corners(), strict=False)
        for c in cs
    )


def test_encoding_override_and_cpg(tmp_path):
    zipped = d.gbk_shapefile_zip(tmp_path / "a")
    assert inspect_file(zipped, encoding="gbk").encoding == "gbk"
    with pytest.raises(DataSourceError, match="cannot read dikuai.shp") as exc:
        inspect_file(zipped, encoding="utf-8")  # GBK bytes are not UTF-8: a message, not garbage
    _one_line(exc)
    with_cpg = d.gbk_shapefile_zip(tmp_path / "b", cpg=True)
    report = inspect_file(with_cpg)
    assert report.encoding_how.startswith("declared") and "cpg" in report.encoding_how
    with pytest.raises(OptionError, match="encoding='latin9'"):
        inspect_file(zipped, encoding="latin9")


def test_zip_with_several_shapefiles_needs_a_layer(tmp_path):
    a, b = d.gbk_shapefile_zip(tmp_path / "a", "one"), d.gbk_shapefile_zip(tmp_path / "b", "two")
    both = tmp_path / "both.zip"
    with zipfile.ZipFile(both, "w") as zf:
        for z in (a, b):
            with zipfile.ZipFile(z) as src:
                for n in src.namelist():
                    zf.writestr(n, src.read(n))
    report = inspect_file(both)
    assert report.layers == ("one", "two") and "choose one" in report.problems[0]
    with pytest.raises(SchemaError, match="2 shapefiles"):
        read_import(both)
    gdf, report = read_import(both, layer="two")
    assert report.layer == "two" and len(gdf) == 3
    with pytest.raises(OptionError, match="choose one of: one, two"):
        inspect_file(both, layer="three")


# ----------------------------------------------------------------------------- other vector formats
def test_geopackage_layers_and_declared_crs(tmp_path):
    path = tmp_path / "two.gpkg"
    _gdf([shapely.Point(477100, 3843560)], crs="EPSG:4547").to_file(path, layer="pts", engine="pyogrio")
    _gdf([shapely.box(477000, 3843000, 477100, 3843100)], crs="EPSG:4547").to_file(
        path, layer="polys", engine="pyogrio"
    )
    report = inspect_file(path)
    assert set(report.layers) == {"pts", "polys"} and "choose one" in report.problems[0]
    gdf, report = read_import(path, layer="polys")
    assert report.crs.startswith("EPSG:4547") and "GeoPackage" in report.crs_how
    assert gdf.geometry.iloc[0].geom_type == "Polygon"


def test_geojson_kml_and_lat_lon_order(tmp_path):
    _gdf([shapely.Point(113.75, 34.72)]).to_file(tmp_path / "p.kml", driver="KML", engine="pyogrio")
    gdf, report = read_import(tmp_path / "p.kml")
    assert report.format == "kml" and gdf.geometry.iloc[0].equals_exact(shapely.Point(113.75, 34.72), 1e-9)
    _gdf([shapely.Point(34.72, 113.75)]).to_file(tmp_path / "latlon.geojson", engine="pyogrio")
    gdf, report = read_import(tmp_path / "latlon.geojson")
    assert any("swapped" in w for w in report.warnings)
    assert gdf.geometry.iloc[0].equals_exact(shapely.Point(113.75, 34.72), 1e-9)


def test_geojson_holding_metres_is_detected_not_taken_as_degrees(tmp_path):
    doc = collection(feature(point(477100, 3843560), {"name": "a"}))
    path = tmp_path / "m.geojson"
    path.write_text(json.dumps(doc))
    gdf, report = read_import(path)
    assert report.crs.startswith("EPSG:4547") and any("they are metres" in w for w in report.warnings)
    assert in_region(gdf)


def in_region(gdf) -> bool:
    from zkq_geo.crs import in_zone_region

    return bool(in_zone_region(gdf.geometry.x, gdf.geometry.y).all())


def test_non_utf8_geojson_is_read_as_gb18030_with_a_warning(tmp_path):
    path = tmp_path / "gbk.geojson"
    write_geojson(path, collection(feature(point(), {"名称": "园区甲"})), encoding="gbk")
    gdf, report = read_import(path)
    assert gdf["名称"].tolist() == ["园区甲"] and report.encoding == "gb18030"
    assert any("should be UTF-8" in w for w in report.warnings)


# ----------------------------------------------------------------------------- CRS choices
def test_gcj02_and_bd09_are_converted_to_wgs84(tmp_path):
    path = tmp_path / "amap.csv"
    path.write_text("名称,lng,lat\n甲,113.756180,34.718963\n", encoding="utf-8")
    gdf, report = read_import(path, crs="gcj02")
    assert report.crs.startswith("GCJ-02")
    assert _metres_apart(gdf.geometry.iloc[0].coords[0], (113.75, 34.72)) < 1.0
    path.write_text("名称,lng,lat\n甲,113.762595,34.725303\n", encoding="utf-8")
    gdf, _ = read_import(path, crs="bd09")
    assert _metres_apart(gdf.geometry.iloc[0].coords[0], (113.75, 34.72)) < 1.0
    raw, _ = read_import(path, crs="auto")  # the same numbers taken as WGS84 sit ~1.3 km off
    assert _metres_apart(raw.geometry.iloc[0].coords[0], (113.75, 34.72)) > 1000


def test_gcj02_refused_for_projected_coordinates(tmp_path):
    path = tmp_path / "xy.csv"
    path.write_text("X,Y\n3843560,38477100\n", encoding="utf-8")
    report = inspect_file(path, crs="gcj02")
    assert "not lon/lat" in report.problems[0]


def test_old_datum_is_converted_with_the_warning(tmp_path):
    path = tmp_path / "xian80.csv"
    path.write_text("点号,X,Y\n1,3843560,38477100\n", encoding="utf-8")
    gdf, report = read_import(path, crs="EPSG:2362")
    assert OLD_DATUM_WARNING in report.warnings and report.crs.startswith("EPSG:2362")
    assert any("swapped" in w for w in report.warnings)  # surveyors' X is the northing
    assert in_region(gdf)


@pytest.mark.parametrize(
    "crs, x, how",
    [
        ("EPSG:2362", 38477100, "declared"),  # Xi'an 1980, zone number in the easting, in the GeoPackage
        ("EPSG:2435", 477100, "declared"),  # Beijing 1954, CM 114E, in the GeoPackage
        ("EPSG:2414", 38477100, "chosen"),  # Beijing 1954 zone 38, chosen by the user
    ],
)
def test_xian80_and_beijing54_are_converted_with_the_warning(tmp_path, crs, x, how):
    path = tmp_path / "old.gpkg"
    _gdf([shapely.Point(x, 3843560)], crs=crs if how == "declared" else "EPSG:4526").to_file(
        path, engine="pyogrio"
    )
    gdf, report = read_import(path, crs=crs if how == "chosen" else "auto")
    assert report.crs.startswith(crs) and OLD_DATUM_WARNING in report.warnings
    assert in_region(gdf) and not report.problems


def test_chosen_crs_overrides_a_declared_one_with_a_warning(tmp_path):
    path = tmp_path / "p.gpkg"
    _gdf([shapely.Point(477100, 3843560)], crs="EPSG:4547").to_file(path, engine="pyogrio")
    _, report = read_import(path, crs="EPSG:2383")
    assert any("declares EPSG:4547" in w for w in report.warnings)
    with pytest.raises(OptionError, match="EPSG:<code>"):
        inspect_file(path, crs="mars")


@pytest.mark.parametrize(
    "declared, coords, cause",
    [
        ("EPSG:4547", (38477100, 3843560), "EPSG:4526"),  # zone number in the easting, .prj without it
        ("EPSG:4326", (116.4, 39.9), "none of the usual"),  # Beijing: another area
    ],
)
def test_outside_the_zone_names_the_likely_cause(tmp_path, declared, coords, cause):
    path = tmp_path / "p.gpkg"
    _gdf([shapely.Point(*coords)], crs=declared).to_file(path, engine="pyogrio")
    report = inspect_file(path)
    text = " ".join(report.warnings + report.problems)
    assert cause in text


def test_outside_with_swapped_projected_axes_says_swapped(tmp_path):
    path = tmp_path / "p.gpkg"
    _gdf([shapely.Point(3843560, 477100)], crs="EPSG:4547").to_file(path, engine="pyogrio")
    report = inspect_file(path, crs="EPSG:4547")
    assert any("swapped" in w for w in report.warnings)  # detected and swapped back: lands in the zone
    assert not any("outside" in w for w in report.warnings)


def test_some_features_outside_are_listed(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("name,lon,lat\na,113.75,34.72\nb,113.76,34.73\ntypo,123.76,34.73\n", encoding="utf-8")
    report = inspect_file(path)
    assert any("1 of 3 features lie outside" in w and "row 4" in w for w in report.warnings)


def test_undetectable_crs_is_a_problem_with_a_hint(tmp_path):
    path = tmp_path / "web.csv"
    path.write_text("name,x,y\na,12662592.08,4125895.07\n", encoding="utf-8")  # Web Mercator metres
    report = inspect_file(path)
    assert "cannot tell the coordinate system" in report.problems[0] and "EPSG:3857" in report.problems[0]
    gdf, _ = read_import(path, crs="EPSG:3857")
    assert _metres_apart(gdf.geometry.iloc[0].coords[0], (113.75, 34.72)) < 1.0


# ----------------------------------------------------------------------------- geometry
def test_invalid_polygons_are_repaired_and_reported_by_feature(tmp_path):
    bowtie = shapely.Polygon([(113.75, 34.72), (113.76, 34.73), (113.76, 34.72), (113.75, 34.73)])
    gdf = gpd.GeoDataFrame(
        {"id": ["ok", "bad", "none"]},
        geometry=[shapely.box(113.7, 34.7, 113.71, 34.71), bowtie, None],
        crs="EPSG:4326",
    )
    gdf.to_file(tmp_path / "g.geojson", engine="pyogrio")
    out, report = read_import(tmp_path / "g.geojson")
    assert [r.feature for r in report.repairs] == ["feature bad"] and "Self-intersection" in report.repairs[
        0
    ].reason
    assert report.repairs[0].reason.text("zh").startswith("自相交[")  # the Chinese UI's repairs table
    assert any("要素 bad（自相交[" in w.text("zh") for w in report.warnings)
    assert out.geometry.iloc[1].is_valid and out.geometry.iloc[1].geom_type == "MultiPolygon"
    assert out.geometry.iloc[1].area == pytest.approx(0.00005, rel=1e-6) and len(out) == 3  # two triangles
    assert any("feature none: no geometry" in w for w in report.warnings)
    assert out["id"].tolist() == ["ok", "bad", "none"]


@pytest.mark.parametrize(
    "geom, english, chinese",
    [
        (shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), "Self-intersection[", "自相交["),
        (
            shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(5, 5), (6, 5), (6, 6), (5, 6)]]),
            "Hole lies outside shell[",
            "内环位于外环之外[",
        ),
        (
            shapely.MultiPolygon([shapely.box(0, 0, 4, 4), shapely.box(1, 1, 2, 2)]),
            "Nested shells[",
            "外环相互嵌套[",
        ),
    ],
)
def test_geos_reasons_read_in_chinese_with_the_same_english(geom, english, chinese):
    from zkq_geo.importing.geomcheck import geos_reason

    raw = shapely.is_valid_reason(geom)
    reason = geos_reason(raw)
    assert reason == raw and reason.startswith(english)  # English exactly as GEOS wrote it
    assert reason.text("zh").startswith(chinese) and reason.text("zh").endswith(raw[raw.index("[") :])


def test_an_unknown_geos_reason_passes_through():
    from zkq_geo.importing.geomcheck import geos_reason

    assert geos_reason("Something new[1 2]") == "Something new[1 2]"


def test_empty_geometries_are_reported_by_feature(tmp_path):
    doc = collection(feature(point(), {"id": "a"}), feature(geometry("Polygon", []), {"id": "b"}))
    (tmp_path / "e.geojson").write_text(json.dumps(doc))
    gdf, report = read_import(tmp_path / "e.geojson")
    assert any("feature b: no geometry (null or empty)" in w for w in report.warnings)
    assert gdf["id"].tolist() == ["a", "b"] and gdf.geometry.iloc[1].is_empty


def test_mixed_geometry_types_are_refused_with_the_fix(tmp_path):
    doc = collection(feature(point()), feature(geometry("LineString", [[113.75, 34.72], [113.76, 34.72]])))
    (tmp_path / "mixed.geojson").write_text(json.dumps(doc))
    with pytest.raises(SchemaError, match="mixed geometry types .*1 LineString, 1 Point") as exc:
        read_import(tmp_path / "mixed.geojson")
    _one_line(exc)


# ----------------------------------------------------------------------------- tables
def test_csv_coordinate_columns_and_explicit_columns(tmp_path):
    assert find_coordinate_columns(["名称", "经度(°)", "纬度(°)"]) == ("经度(°)", "纬度(°)", "lonlat")
    assert find_coordinate_columns(["东坐标", "北坐标"]) == ("东坐标", "北坐标", "xy")
    assert normalise_column(" Point_X ") == "pointx"
    path = tmp_path / "p.csv"
    path.write_text("名称,E1,N1\n甲,113.75,34.72\n", encoding="utf-8")
    report = inspect_file(path)
    assert "no coordinate columns" in report.problems[0] and report.feature_count == 1
    gdf, report = read_import(path, x="E1", y="N1")
    assert report.coordinate_columns == ("E1", "N1") and gdf["E1"].tolist() == ["113.75"]
    with pytest.raises(OptionError, match="both"):
        inspect_file(path, x="E1")


def test_excel_with_surveyed_xy_and_a_chosen_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["说明"])
    sheet = wb.create_sheet("坐标")
    sheet.append(["宗地名称", "X坐标（m）", "Y坐标（m）"])
    sheet.append(["甲地块", 38477100.5, 3843560.25])
    wb.save(tmp_path / "xy.xlsx")
    gdf, report = read_import(tmp_path / "xy.xlsx", layer="坐标")
    assert report.layers == ("Sheet", "坐标") and report.coordinate_columns == ("X坐标（m）", "Y坐标（m）")
    assert report.crs.startswith("EPSG:4526") and gdf["name"].tolist() == ["甲地块"]
    expect = Transformer.from_crs("EPSG:4526", "EPSG:4326", always_xy=True).transform(38477100.5, 3843560.25)
    assert _metres_apart(gdf.geometry.iloc[0].coords[0], expect) < 0.01


def test_kmz_holding_one_kml(tmp_path):
    _gdf([shapely.Point(113.75, 34.72)], name=["甲"]).to_file(
        tmp_path / "doc.kml", driver="KML", engine="pyogrio"
    )
    with zipfile.ZipFile(tmp_path / "p.kmz", "w") as zf:
        zf.write(tmp_path / "doc.kml", "doc.kml")
    gdf, report = read_import(tmp_path / "p.kmz")
    assert report.format == "kml" and gdf["name"].tolist() == ["甲"] and in_region(gdf)


def test_text_in_no_known_encoding_is_flagged(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,lon,lat\nCaf\xe9 \xff,113.75,34.72\n".encode("latin-1"))
    report = inspect_file(path)
    assert report.encoding == "latin-1" and report.encoding_how.startswith("assumed")
    assert any(w.startswith("text encoding unknown") and "--encoding" in w for w in report.warnings)
    with pytest.raises(DataSourceError, match="cannot be read as utf-8; choose its encoding") as exc:
        read_import(path, encoding="utf-8")
    _one_line(exc)


def test_gbk_csv_with_surveyed_xy_swapped(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes("宗地名称,X,Y\n甲地块,3843560.0,38477100.0\n乙地块,3843660.0,38477200.0\n".encode("gbk"))
    gdf, report = read_import(path)
    assert report.encoding == "gb18030" and gdf["name"].tolist() == ["甲地块", "乙地块"]
    assert report.crs.startswith("EPSG:4526") and "swapped" in report.crs_how
    expect = Transformer.from_crs("EPSG:4526", "EPSG:4326", always_xy=True).transform(38477100.0, 3843560.0)
    assert _metres_apart(gdf.geometry.iloc[0].coords[0], expect) < 0.01


@pytest.mark.parametrize("cell", ["", "abc", "inf", "nan", "-inf"])
def test_nan_inf_and_missing_coordinates_are_refused_naming_the_row(tmp_path, cell):
    path = tmp_path / "bad.csv"
    path.write_text(f"name,lon,lat\na,113.75,34.72\nb,{cell},34.73\n", encoding="utf-8")
    with pytest.raises(
        SchemaError, match="row 3: coordinates that are missing, not numbers, or infinite"
    ) as exc:
        read_import(path)
    _one_line(exc)


def test_excel_title_row_is_skipped_and_reported(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某某台账（2023）"])
    ws.merge_cells("A1:C1")
    ws.append(["名称", "经度", "纬度"])
    ws.append(["甲", 113.75, 34.72])
    ws.append([None, None, None])
    ws.append(["乙", 113.76, 34.73])
    wb.save(tmp_path / "t.xlsx")
    gdf, report = read_import(tmp_path / "t.xlsx")
    assert any("header is row 2" in w for w in report.warnings)
    assert gdf["name"].tolist() == ["甲", "乙"] and report.layers == ("Sheet",)


def test_excel_merged_header_is_refused_with_the_fix(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "用地面积", None, "经度", "纬度"])
    ws.append([None, "亩", "平方米", None, None])
    ws.merge_cells("B1:C1")
    ws.merge_cells("A1:A2")
    ws.append(["甲", 10, 6666.7, 113.75, 34.72])
    wb.save(tmp_path / "two_rows.xlsx")
    with pytest.raises(SchemaError, match="merged cells .*one header row with one name per column") as exc:
        inspect_file(tmp_path / "two_rows.xlsx")
    _one_line(exc)


def test_user_columns_are_kept_and_clashing_ones_renamed(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "id,Name,name,layer,land_area_mu,lon,lat\n7,A,a,mine,约50,113.75,34.72\n7,B,b,x,60,113.75,34.72\n",
        encoding="utf-8",
    )
    gdf, report = read_import(path)
    cols = list(gdf.columns)
    assert gdf["id"].tolist() == ["f1", "f2"] and gdf["id_original"].tolist() == ["7", "7"]
    assert gdf["layer_original"].tolist() == ["mine", "x"] and gdf["land_area_mu_original"].tolist() == [
        "约50",
        "60",
    ]
    assert "Name_2" in cols and gdf["name"].tolist() == ["a", "b"]  # GeoPackage names ignore case
    assert any("not a unique key" in n for n in report.notes)


# ----------------------------------------------------------------------------- hostile inputs
def _zip(path: Path, members: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bad.geojson", b'{"type": "FeatureCollection", "features": [', "not valid JSON"),
        ("list.geojson", b"[1, 2]", "not GeoJSON"),
        ("empty.geojson", b"", "is empty"),
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"\n\n\n", "holds no cells"),
        ("nul.csv", b"a,b\x00c\n1,2\n", "binary data"),
        (
            "bad.gpkg",
            b"SQLite format 3\x00" + b"\x07" * 200,
            "bad.gpkg is an SQLite database but not a GeoPackage",
        ),
        ("bad.xlsx", b"PK\x03\x04 not really", "not a readable zip"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "save it as .xlsx"),
        ("x.dwg", b"AC1027", "cannot be imported"),
        ("noshp.zip", None, "holds no .shp file"),
        ("climb.zip", None, "leaves the folder"),
        ("abs.zip", None, "leaves the folder"),
        ("link.zip", None, "link or special file"),
        ("noshx.zip", None, "has no a.shx beside it"),
        ("table.gpkg", None, "has no geometry: it is a table"),
    ],
)
def test_hostile_inputs_give_one_line_messages(tmp_path, name, content, message):
    path = tmp_path / name
    if name == "noshp.zip":
        _zip(path, {"readme.txt": b"hello", "a.dbf": b"x"})
    elif name == "climb.zip":
        _zip(path, {"../../evil.shp": b"x"})
    elif name == "abs.zip":
        _zip(path, {"/tmp/evil.shp": b"x"})
    elif name == "link.zip":
        _zip(path, {"a.shp": b"x"}, symlink="a.dbf")
    elif name == "noshx.zip":
        _zip(path, {"a.shp": b"x", "a.dbf": b"x"})
    elif name == "table.gpkg":
        pyogrio.write_dataframe(pd.DataFrame({"a": [1, 2]}), path, layer="tbl", driver="GPKG")
    else:
        path.write_bytes(content)
    with pytest.raises(ZkqGeoError, match=message) as exc:
        read_import(path)
    _one_line(exc)
    assert not (tmp_path / "ws").exists()
    assert not Path("/tmp/evil.shp").exists()


def test_zip_bomb_and_size_limits(tmp_path, monkeypatch):
    bomb = _zip(tmp_path / "bomb.zip", {"a.shp": b"\0" * (3 * 1024 * 1024)})
    assert bomb.stat().st_size < 100_000
    with pytest.raises(DataSourceError, match="decompresses to 3.0 MB, over the limit of 2.0 MB"):
        read_import(bomb, max_bytes=2 * 1024 * 1024)
    monkeypatch.setenv("ZKQ_MAX_UPLOAD_MB", "0.001")
    path = tmp_path / "big.csv"
    path.write_text("name,lon,lat\n" + "a,113.75,34.72\n" * 200, encoding="utf-8")
    with pytest.raises(DataSourceError, match="over the limit .* ZKQ_MAX_UPLOAD_MB"):
        inspect_file(path)
    monkeypatch.setenv("ZKQ_MAX_UPLOAD_MB", "lots")
    with pytest.raises(OptionError, match="ZKQ_MAX_UPLOAD_MB='lots'"):
        inspect_file(path)


def test_lying_zip_headers_are_stopped_while_decompressing(tmp_path):
    from zkq_geo.safety.safe_input import extract_zip

    path = _zip(tmp_path / "liar.zip", {"a.shp": b"\0" * 2_000_000})
    data = bytearray(path.read_bytes())
    # rewrite the declared uncompressed size (central directory) to 10 bytes
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(DataSourceError):
        extract_zip(path, tmp_path / "out", max_bytes=1_000_000)
