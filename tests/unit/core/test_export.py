"""Tests for zkq_geo.export: every format round-trips with the same ids, names and values."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPoint, Point, Polygon, box

from zkq_geo.crs import shift_gdf
from zkq_geo.errors import DataSourceError, OptionError, SchemaError
from zkq_geo.export import (
    EXPORT_FORMATS,
    MEDIA_TYPES,
    _dbf_field_names,
    export_bytes,
    suggested_filename,
    write_export,
)

LON, LAT = 113.75, 34.72
GCJ02_LONLAT = [113.756180, 34.718963]  # DOMAIN.md section 3 reference value
XSS = "<img src=x onerror=alert(1)>"
FORMULA = "=1+1"
NAMES = ["郑州国际物流园区", XSS, FORMULA]


def _square(lon: float, lat: float, size_deg: float = 0.002) -> Polygon:
    return box(lon, lat, lon + size_deg, lat + size_deg)


@pytest.fixture
def parks() -> gpd.GeoDataFrame:
    """Three ~200 m squares near the zone with the usual columns, NaNs and hostile names."""
    return gpd.GeoDataFrame(
        {
            "id": ["p1", "p2", "p3"],
            "name": NAMES,
            "layer": ["parks"] * 3,
            "industries": ["auto|logistics", "", "equipment"],
            "investment_yi": [12.5, np.nan, 3.0],
            "investment_qualifier": ["exact", "", "about"],
            "land_area_mu": [300.0, 15.0, np.nan],
            "floor_area_m2": [120000.0, np.nan, 5000.0],
            "invest_intensity_wan_per_mu": [416.6666667, np.nan, np.nan],
            "geometry_quality": ["schematic", "surveyed", "schematic"],
            "has_conflict": [True, False, False],
            "conflicts": ["面积：来源不一致", "", ""],
        },
        geometry=[_square(LON, LAT), _square(LON + 0.01, LAT), _square(LON, LAT + 0.01)],
        crs="EPSG:4326",
    )


@pytest.fixture
def projects() -> gpd.GeoDataFrame:
    """Two points with integer ids and coordinates that need rounding."""
    return gpd.GeoDataFrame(
        {
            "id": [7, 8],
            "name": ["比亚迪项目", "-5 号地块"],
            "investment_yi": [np.nan, 1.25],
        },
        geometry=[Point(LON, LAT), Point(113.123456789, 34.987654321)],
        crs="EPSG:4326",
    )


def _numbers_in(coords) -> list[float]:
    if isinstance(coords, list):
        return [x for c in coords for x in _numbers_in(c)]
    return [coords]


def _gcj02_offsets_m(wgs: gpd.GeoSeries, gcj: gpd.GeoSeries) -> np.ndarray:
    a = wgs.set_crs("EPSG:4326", allow_override=True).to_crs("EPSG:4547")
    b = gcj.set_crs("EPSG:4326", allow_override=True).to_crs("EPSG:4547")
    return a.distance(b, align=False).to_numpy()


# ----------------------------------------------------------------------------- options


def test_unknown_format_lists_choices(parks):
    with pytest.raises(OptionError, match=r"fmt='kml'.*'csv'.*'geojson'.*'gpkg'.*'shp'.*'xlsx'"):
        export_bytes(parks, "kml")


def test_unknown_datum_lists_choices(parks):
    with pytest.raises(OptionError, match=r"datum='bd09'.*'gcj02'.*'wgs84'"):
        export_bytes(parks, "geojson", datum="bd09")


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "xlsx"])
def test_gcj02_refused_for_gis_formats(parks, fmt):
    with pytest.raises(OptionError, match=r"datum='gcj02' is not offered .*geojson, csv"):
        export_bytes(parks, fmt, datum="gcj02")


def test_missing_crs_raises_schema_error(parks):
    with pytest.raises(SchemaError, match="no CRS"):
        export_bytes(parks.set_crs(None, allow_override=True), "geojson")


def test_plain_dataframe_raises_schema_error(parks):
    with pytest.raises(SchemaError, match="GeoDataFrame"):
        export_bytes(pd.DataFrame(parks.drop(columns="geometry")), "csv")


def test_empty_layer_name_raises(parks):
    with pytest.raises(OptionError, match="layer_name"):
        export_bytes(parks, "gpkg", layer_name=" ")


def test_suggested_filenames_and_media_types():
    assert suggested_filename("parks", "geojson") == "parks.geojson"
    assert suggested_filename("parks", "geojson", "gcj02") == "parks_gcj02.geojson"
    assert suggested_filename("parks", "csv", "gcj02") == "parks_gcj02.csv"
    assert suggested_filename("parks", "shp") == "parks_shp.zip"
    assert suggested_filename("parks", "xlsx") == "parks.xlsx"
    assert suggested_filename("园区/a:b", "gpkg") == "园区_a_b.gpkg"
    assert set(MEDIA_TYPES) == set(EXPORT_FORMATS)
    assert MEDIA_TYPES["geojson"] == "application/geo+json"
    assert MEDIA_TYPES["shp"] == "application/zip"


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_input_not_mutated_and_output_deterministic(parks, fmt):
    before = parks.copy()
    first = export_bytes(parks, fmt, layer_name="parks")
    second = export_bytes(parks, fmt, layer_name="parks")
    pd.testing.assert_frame_equal(parks, before)
    if fmt != "gpkg":  # GeoPackage stores its own last-change timestamp
        assert first == second


def test_write_export_creates_parent_dirs(tmp_path, parks):
    path = write_export(parks, "gpkg", tmp_path / "a" / "b" / "parks.gpkg")
    assert path.exists()
    assert pyogrio.list_layers(path)[0][0] == "parks"


@pytest.mark.parametrize("fmt", ["geojson", "shp"])
def test_write_export_to_an_unwritable_path_names_it(tmp_path, parks, fmt):
    with pytest.raises(DataSourceError, match=f"cannot write {re.escape(str(tmp_path))}"):
        write_export(parks, fmt, tmp_path)  # a folder, not a file
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(DataSourceError, match="cannot write .*a_file/parks.shp"):
        write_export(parks, fmt, blocker / "parks.shp")


# ----------------------------------------------------------------------------- GeoJSON


def test_geojson_is_rfc7946(parks):
    data = export_bytes(parks, "geojson")
    doc = json.loads(data.decode("utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc and "bbox" not in doc
    assert "郑州国际物流园区".encode() in data
    assert b"\\u" not in data
    for feature, expected_id in zip(doc["features"], ["p1", "p2", "p3"], strict=False):
        assert feature["id"] == expected_id
        assert "bbox" not in feature
        exterior = feature["geometry"]["coordinates"][0]
        assert shapely.Polygon(exterior).exterior.is_ccw  # right-hand rule


def test_geojson_values(parks):
    props = [f["properties"] for f in json.loads(export_bytes(parks, "geojson"))["features"]]
    assert [p["name"] for p in props] == NAMES
    assert [p["investment_yi"] for p in props] == [12.5, None, 3.0]
    assert [p["has_conflict"] for p in props] == [True, False, False]
    assert props[0]["conflicts"] == "面积：来源不一致"
    assert list(props[0]) == [c for c in parks.columns if c != "geometry"]


def test_geojson_coordinates_rounded_to_7_decimals(projects):
    data = export_bytes(projects, "geojson")
    doc = json.loads(data)
    assert [f["id"] for f in doc["features"]] == [7, 8]
    assert doc["features"][1]["geometry"]["coordinates"] == [113.1234568, 34.9876543]
    text = json.dumps([f["geometry"] for f in doc["features"]])
    decimals = [len(m) for m in re.findall(r"\.(\d+)", text)]
    assert decimals and max(decimals) <= 7


def test_geojson_reads_back_with_geopandas(parks):
    back = gpd.read_file(io.BytesIO(export_bytes(parks, "geojson")))
    assert back.crs.to_epsg() == 4326
    assert list(back["id"]) == ["p1", "p2", "p3"]
    assert list(back["name"]) == NAMES
    assert math.isnan(back["investment_yi"][1])
    assert back.normalize().geom_equals_exact(parks.normalize(), tolerance=1e-7).all()


def test_geojson_gcj02_is_shifted_and_labelled(projects):
    doc = json.loads(export_bytes(projects, "geojson", datum="gcj02"))
    assert doc["coordinate_system"] == "GCJ-02"
    assert "AMap" in doc["note"] and "NOT RFC 7946" in doc["note"]
    gcj = gpd.GeoSeries([shapely.geometry.shape(f["geometry"]) for f in doc["features"]])
    offsets = _gcj02_offsets_m(projects.geometry, gcj)
    assert ((offsets > 500) & (offsets < 600)).all(), offsets
    assert doc["features"][0]["geometry"]["coordinates"] == pytest.approx(GCJ02_LONLAT, abs=1e-6)


def test_gcj02_tagged_frame_exported_as_wgs84_not_shifted_twice(projects):
    gcj = shift_gdf(projects, "wgs84", "gcj02")
    back = json.loads(export_bytes(gcj, "geojson"))
    assert back["features"][0]["geometry"]["coordinates"] == pytest.approx([LON, LAT], abs=1e-6)
    again = json.loads(export_bytes(gcj, "geojson", datum="gcj02"))
    assert again["features"][0]["geometry"]["coordinates"] == pytest.approx(GCJ02_LONLAT, abs=1e-6)


def test_projected_input_exported_as_lonlat(projects):
    projected = projects.to_crs("EPSG:4547")
    doc = json.loads(export_bytes(projected, "geojson"))
    assert doc["features"][0]["geometry"]["coordinates"] == pytest.approx([LON, LAT], abs=1e-7)
    rows = _csv_rows(export_bytes(projected, "csv"))
    assert float(rows[0]["lon"]) == pytest.approx(LON, abs=1e-7)


def test_missing_and_empty_geometry_become_null():
    gdf = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[None, Point()], crs="EPSG:4326")
    doc = json.loads(export_bytes(gdf, "geojson"))
    assert [f["geometry"] for f in doc["features"]] == [None, None]
    rows = list(csv.DictReader(io.StringIO(export_bytes(gdf, "csv").decode("utf-8-sig"))))
    assert [(r["lon"], r["geometry_wkt"]) for r in rows] == [("", ""), ("", "POINT EMPTY")]


# ----------------------------------------------------------------------------- GeoPackage


def test_gpkg_round_trip(tmp_path, parks):
    path = tmp_path / "out.gpkg"
    path.write_bytes(export_bytes(parks, "gpkg", layer_name="园区"))
    assert pyogrio.list_layers(path)[0][0] == "园区"
    back = pyogrio.read_dataframe(path)
    assert back.crs.to_epsg() == 4326
    assert list(back["id"]) == ["p1", "p2", "p3"]
    assert list(back["name"]) == NAMES
    assert list(back["has_conflict"]) == [True, False, False]
    assert math.isnan(back["investment_yi"][1])
    assert back.normalize().geom_equals_exact(parks.normalize(), tolerance=1e-9).all()


# ----------------------------------------------------------------------------- Shapefile


def _unzip(data: bytes, folder):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        archive.extractall(folder)
    return names


def test_shapefile_zip_contents(tmp_path, parks):
    names = _unzip(export_bytes(parks, "shp", layer_name="parks"), tmp_path)
    assert names == ["parks.shp", "parks.shx", "parks.dbf", "parks.prj", "parks.cpg", "fields.csv"]
    assert (tmp_path / "parks.cpg").read_text() == "UTF-8"
    mapping = dict(csv.reader(io.StringIO((tmp_path / "fields.csv").read_text("utf-8-sig"))))
    assert mapping.pop("short_name") == "full_name"
    assert mapping["invest_int"] == "invest_intensity_wan_per_mu"
    assert sorted(mapping.values()) == sorted(c for c in parks.columns if c != "geometry")


def test_shapefile_round_trip_keeps_chinese(tmp_path, parks):
    _unzip(export_bytes(parks, "shp", layer_name="parks"), tmp_path)
    back = pyogrio.read_dataframe(tmp_path / "parks.shp")
    assert back.crs.to_epsg() == 4326
    assert list(back["id"]) == ["p1", "p2", "p3"]
    assert list(back["name"]) == NAMES
    assert back["conflicts"][0] == "面积：来源不一致"
    assert list(back["has_confli"]) == [1, 0, 0]
    assert back["investment"][0] == 12.5 and math.isnan(back["investment"][1])
    assert all(len(c.encode("utf-8")) <= 10 for c in back.columns if c != "geometry")


def test_shapefile_mixed_geometry_types_raise(parks):
    mixed = parks.copy()
    mixed.loc[1, "geometry"] = Point(LON, LAT)
    with pytest.raises(OptionError, match="single geometry type.*GeoJSON or GeoPackage"):
        export_bytes(mixed, "shp")


def test_shapefile_point_and_multipoint_promoted(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"id": ["a", "b"]},
        geometry=[Point(LON, LAT), MultiPoint([(LON, LAT), (LON + 0.01, LAT)])],
        crs="EPSG:4326",
    )
    _unzip(export_bytes(gdf, "shp", layer_name="pts"), tmp_path)
    assert pyogrio.read_info(tmp_path / "pts.shp")["geometry_type"] == "MultiPoint"


def test_shapefile_lines(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"id": ["r1"], "name": ["经开第一大街"]},
        geometry=[LineString([(LON, LAT), (LON + 0.01, LAT)])],
        crs="EPSG:4326",
    )
    _unzip(export_bytes(gdf, "shp", layer_name="roads"), tmp_path)
    assert list(pyogrio.read_dataframe(tmp_path / "roads.shp")["name"]) == ["经开第一大街"]


def test_dbf_field_names_readable_and_unique():
    columns = ["investment_yi", "investment_qualifier", "investment", "land_area_mu"]
    names = _dbf_field_names(columns + ["ID", "id", "中文字段名称"])
    assert names == {
        "investment_yi": "investme_1",
        "investment_qualifier": "investme_2",
        "investment": "investment",
        "land_area_mu": "land_area",
        "ID": "ID",
        "id": "id_1",
        "中文字段名称": "中文字",
    }


@given(st.lists(st.text(min_size=0, max_size=30), unique=True, max_size=25))
def test_dbf_field_names_always_fit(columns):
    short = _dbf_field_names(columns)
    assert list(short) == [str(c) for c in columns]
    values = list(short.values())
    assert all(0 < len(v.encode("utf-8")) <= 10 for v in values)
    assert len({v.casefold() for v in values}) == len(values)
    assert _dbf_field_names(columns) == short


# ----------------------------------------------------------------------------- CSV


def _csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_round_trip(parks):
    rows = _csv_rows(export_bytes(parks, "csv"))
    attributes = [c for c in parks.columns if c != "geometry"]
    assert list(rows[0]) == attributes + ["lon", "lat", "geometry_wkt"]
    assert [r["id"] for r in rows] == ["p1", "p2", "p3"]
    assert [r["name"] for r in rows] == [NAMES[0], XSS, "'" + FORMULA]
    assert [r["investment_yi"] for r in rows] == ["12.5", "", "3.0"]
    for row, polygon in zip(rows, parks.geometry, strict=False):
        assert polygon.contains(Point(float(row["lon"]), float(row["lat"])))
        assert shapely.from_wkt(row["geometry_wkt"]).equals_exact(polygon, 1e-7)


def test_csv_points_and_rounding(projects):
    rows = _csv_rows(export_bytes(projects, "csv"))
    assert (rows[1]["lon"], rows[1]["lat"]) == ("113.1234568", "34.9876543")
    assert rows[1]["geometry_wkt"] == "POINT (113.1234568 34.9876543)"
    assert rows[1]["name"] == "'-5 号地块"
    assert "datum" not in rows[0]


def test_csv_gcj02(projects):
    rows = _csv_rows(export_bytes(projects, "csv", datum="gcj02"))
    assert {r["datum"] for r in rows} == {"GCJ-02"}
    gcj = gpd.GeoSeries([Point(float(r["lon"]), float(r["lat"])) for r in rows])
    offsets = _gcj02_offsets_m(projects.geometry, gcj)
    assert ((offsets > 500) & (offsets < 600)).all(), offsets
    assert shapely.from_wkt(rows[0]["geometry_wkt"]).equals_exact(gcj[0], 1e-7)


# ----------------------------------------------------------------------------- XLSX


def test_xlsx_round_trip(parks):
    wb = openpyxl.load_workbook(io.BytesIO(export_bytes(parks, "xlsx", layer_name="parks")))
    assert wb.sheetnames == ["features", "about"]
    ws = wb["features"]
    header = [c.value for c in ws[1]]
    assert header == [c for c in parks.columns if c != "geometry"] + ["lon", "lat"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    rows = [dict(zip(header, (c.value for c in row), strict=False)) for row in ws.iter_rows(min_row=2)]
    assert [r["id"] for r in rows] == ["p1", "p2", "p3"]
    assert [r["name"] for r in rows] == NAMES
    assert [r["investment_yi"] for r in rows] == [12.5, None, 3.0]
    assert [r["has_conflict"] for r in rows] == [True, False, False]
    assert parks.geometry[0].contains(Point(rows[0]["lon"], rows[0]["lat"]))


def test_xlsx_formula_is_text(parks):
    data = export_bytes(parks, "xlsx")
    cell = openpyxl.load_workbook(io.BytesIO(data))["features"]["B4"]
    assert cell.value == FORMULA and cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_xlsx_about_sheet(parks):
    data = export_bytes(parks, "xlsx", layer_name="园区")
    ws = openpyxl.load_workbook(io.BytesIO(data))["about"]
    about = {row[0].value: row[1].value for row in ws.iter_rows()}
    assert about["layer"] == "园区"
    assert about["feature count"] == 3
    assert about["CRS"] == "EPSG:4326 (WGS84 lon/lat)"
    assert "示意范围，非法定边界" in about["geometry_quality"]


# ----------------------------------------------------------------------------- Chinese workbook
def _sheets(data: bytes) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def test_xlsx_in_chinese_has_chinese_headers_words_and_a_field_sheet(parks):
    from zkq_geo.catalog import load_catalog

    catalog = load_catalog()
    sheets = _sheets(export_bytes(parks.assign(source="002_8e3b18d49bf5da6c.txt 表3-1"), "xlsx", lang="zh"))
    assert list(sheets) == ["要素", "字段说明"]
    header, *rows = sheets["要素"]
    by_header = [dict(zip(header, row, strict=True)) for row in rows]
    assert {
        "编号",
        "名称",
        "投资额（亿元）",
        "投资额性质",
        "用地面积（亩）",
        "几何精度",
        "经度",
        "纬度",
    } <= set(header)
    assert not any(CJK_FREE.fullmatch(h) for h in header if h not in ("id",)), header
    first, second, third = by_header
    assert first["投资额（亿元）"] == 12.5 and first["投资额性质"] == "确数" and first["几何精度"] == "示意"
    assert first["涉及产业"] == "、".join(catalog.industry_label(c, "zh") for c in ("auto", "logistics"))
    assert first["数据有冲突"] == "是" and first["图层"] == catalog.layer("parks").title_zh
    assert second["投资额（亿元）"] is None and second["投资额性质"] is None and second["涉及产业"] is None
    assert third["投资额性质"] == "约数" and third["几何精度"] == "示意"
    assert first["来源（文件 + 章节）"] == "002_8e3b18d49bf5da6c.txt 表3-1"  # the seed file name stays
    assert not any(str(v) in ("None", "nan") for row in rows for v in row if v is not None)
    about = sheets["字段说明"]
    fields = {row[1]: row for row in about if row[1] in header or row[1] in parks.columns}
    assert fields["investment_yi"] == ("投资额（亿元）", "investment_yi", "亿元")
    assert fields["land_area_mu"][0] == "用地面积（亩）" and fields["land_area_mu"][2] == "亩"
    assert set(parks.columns) - {"geometry"} <= set(fields)
    assert about[0][:2] == ("图层", "features") and any("示意范围，非法定边界" in str(r[1]) for r in about)


def test_xlsx_in_english_is_unchanged_and_other_formats_keep_field_names(parks):
    assert export_bytes(parks, "xlsx") == export_bytes(parks, "xlsx", lang="en")
    assert list(_sheets(export_bytes(parks, "xlsx"))) == ["features", "about"]
    for fmt in ("csv", "geojson"):
        assert export_bytes(parks, fmt, lang="zh") == export_bytes(parks, fmt)
    with pytest.raises(OptionError, match="lang='fr' is not allowed"):
        export_bytes(parks, "xlsx", lang="fr")


CJK_FREE = re.compile(r"[^\u4e00-\u9fff]*")
