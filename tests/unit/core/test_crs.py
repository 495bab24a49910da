"""Tests for zkq_geo.crs: datum offsets, shifting frames, area CRS, CRS detection."""

from __future__ import annotations

import dataclasses
import re
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Transformer

from zkq_geo import crs
from zkq_geo.errors import CRSError, OptionError
from zkq_geo.units import convert_area

ZZ_LON, ZZ_LAT = 113.75, 34.72  # DOMAIN.md reference point
TO_GK = Transformer.from_crs(crs.WGS84, crs.AREA_CRS, always_xy=True)


def metres_apart(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Distance in m between lon/lat points, measured in EPSG:4547."""
    x1, y1 = TO_GK.transform(lon1, lat1)
    x2, y2 = TO_GK.transform(lon2, lat2)
    return np.hypot(np.subtract(x1, x2), np.subtract(y1, y2))


def square_gdf(index=("a",)) -> gpd.GeoDataFrame:
    """A 100 m x 100 m square in EPSG:4547 near Zhengzhou (10,000 m2 = 15 mu)."""
    square = shapely.box(470_000, 3_842_000, 470_100, 3_842_100)
    return gpd.GeoDataFrame({"name": ["plot"]}, geometry=[square], index=list(index), crs=crs.AREA_CRS)


# --------------------------------------------------------------------- constants and pyproj facts
@pytest.mark.parametrize(
    "code, name",
    [
        (crs.AREA_CRS, "CGCS2000 / 3-degree Gauss-Kruger CM 114E"),
        (crs.GK38_ZONED, "CGCS2000 / 3-degree Gauss-Kruger zone 38"),
        (crs.XIAN80_CM114, "Xian 1980 / 3-degree Gauss-Kruger CM 114E"),
        (crs.XIAN80_ZONE38, "Xian 1980 / 3-degree Gauss-Kruger zone 38"),
        (crs.BEIJING54_CM114, "Beijing 1954 / 3-degree Gauss-Kruger CM 114E"),
        (crs.BEIJING54_ZONE38, "Beijing 1954 / 3-degree Gauss-Kruger zone 38"),
    ],
)
def test_constants_name_the_crs_pyproj_knows(code, name):
    assert CRS.from_user_input(code).name == name


def tm_params(code: str) -> dict:
    return {p.name: p.value for p in CRS.from_user_input(code).coordinate_operation.params}


def test_pyproj_epsg_4526_is_zone_38_on_cm_114_with_zone_in_easting():
    params = tm_params("EPSG:4526")
    assert params["Longitude of natural origin"] == 114.0
    assert params["False easting"] == 38_500_000.0
    assert tm_params(crs.AREA_CRS)["False easting"] == 500_000.0


@pytest.mark.parametrize("zone", range(25, 46))
def test_pyproj_3_degree_zone_codes_are_4513_plus_zone_minus_25(zone):
    code = f"EPSG:{4513 + zone - 25}"
    assert CRS.from_user_input(code).name == f"CGCS2000 / 3-degree Gauss-Kruger zone {zone}"
    assert tm_params(code)["Longitude of natural origin"] == 3 * zone
    assert tm_params(code)["False easting"] == zone * 1e6 + 500_000


@pytest.mark.parametrize("zone", range(13, 24))
def test_pyproj_6_degree_zone_codes_are_4491_plus_zone_minus_13(zone):
    code = f"EPSG:{4491 + zone - 13}"
    assert CRS.from_user_input(code).name == f"CGCS2000 / Gauss-Kruger zone {zone}"
    assert tm_params(code)["Longitude of natural origin"] == 6 * zone - 3


# --------------------------------------------------------------------- datum offsets
def test_reference_values_at_zhengzhou():
    assert crs.wgs84_to_gcj02(ZZ_LON, ZZ_LAT) == pytest.approx((113.756180, 34.718963), abs=1e-6)
    assert crs.wgs84_to_bd09(ZZ_LON, ZZ_LAT) == pytest.approx((113.762595, 34.725303), abs=1e-6)
    gcj = crs.wgs84_to_gcj02(ZZ_LON, ZZ_LAT)
    assert crs.gcj02_to_bd09(*gcj) == pytest.approx((113.762595, 34.725303), abs=1e-6)


def test_gcj_shift_at_zhengzhou_is_550_to_580_m():
    assert 550 <= metres_apart(ZZ_LON, ZZ_LAT, *crs.wgs84_to_gcj02(ZZ_LON, ZZ_LAT)) <= 580
    assert 1200 <= metres_apart(ZZ_LON, ZZ_LAT, *crs.wgs84_to_bd09(ZZ_LON, ZZ_LAT)) <= 1400


@settings(max_examples=200, deadline=None)
@given(st.floats(113.5, 114.1), st.floats(34.4, 35.0))
def test_round_trips_within_1_cm_over_the_zone(lon, lat):
    assert metres_apart(lon, lat, *crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))) < 0.01
    assert metres_apart(lon, lat, *crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))) < 0.01
    assert metres_apart(lon, lat, *crs.bd09_to_gcj02(*crs.gcj02_to_bd09(lon, lat))) < 0.01


def test_round_trip_on_a_grid_of_arrays():
    lon, lat = np.meshgrid(np.linspace(113.5, 114.1, 25), np.linspace(34.4, 35.0, 25))
    back_lon, back_lat = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert back_lon.shape == lon.shape
    assert metres_apart(lon, lat, back_lon, back_lat).max() < 0.001


def test_no_gcj_shift_outside_china():
    paris = (2.3522, 48.8566)
    assert crs.wgs84_to_gcj02(*paris) == paris
    assert crs.gcj02_to_wgs84(*paris) == paris


def test_scalars_give_floats_and_arrays_keep_their_shape():
    lon, lat = crs.wgs84_to_gcj02(ZZ_LON, ZZ_LAT)
    assert type(lon) is float and type(lat) is float
    grid_lon = np.full((2, 3), ZZ_LON)
    out_lon, out_lat = crs.wgs84_to_bd09(grid_lon, ZZ_LAT)  # lat broadcasts
    assert isinstance(out_lon, np.ndarray) and out_lon.shape == (2, 3) == out_lat.shape
    list_lon, _ = crs.gcj02_to_wgs84([ZZ_LON, ZZ_LON + 0.1], [ZZ_LAT, ZZ_LAT])
    assert list_lon.shape == (2,)


def test_input_arrays_are_not_modified():
    lon, lat = np.array([ZZ_LON, 114.0]), np.array([ZZ_LAT, 34.8])
    crs.bd09_to_wgs84(lon, lat)
    np.testing.assert_array_equal(lon, [ZZ_LON, 114.0])


def test_nan_and_inf_pass_through_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lon, lat = crs.wgs84_to_bd09([ZZ_LON, np.nan, np.inf], [ZZ_LAT, ZZ_LAT, np.nan])
        back_lon, _ = crs.bd09_to_wgs84(np.nan, ZZ_LAT)
    assert np.isnan(lon[1]) and lon[2] == np.inf and np.isnan(lat[2])
    assert lat[1] == ZZ_LAT  # the offset needs both values: a half-missing pair is kept as given
    assert np.isnan(back_lon)


def test_convert_datum_dispatches_and_checks_options():
    assert crs.convert_datum(ZZ_LON, ZZ_LAT, "wgs84", "bd09") == crs.wgs84_to_bd09(ZZ_LON, ZZ_LAT)
    assert crs.convert_datum(ZZ_LON, ZZ_LAT, "gcj02", "gcj02") == (ZZ_LON, ZZ_LAT)
    with pytest.raises(OptionError, match="'gcj'.*'bd09', 'gcj02', 'wgs84'"):
        crs.convert_datum(ZZ_LON, ZZ_LAT, "wgs84", "gcj")


# --------------------------------------------------------------------- shift_gdf
GEOMETRIES = {
    "point": shapely.Point(ZZ_LON, ZZ_LAT),
    "line": shapely.LineString([(113.70, 34.70), (113.80, 34.75)]),
    "polygon": shapely.box(113.70, 34.70, 113.71, 34.71),
    "multipolygon": shapely.MultiPolygon(
        [shapely.box(113.7, 34.7, 113.71, 34.71), shapely.box(113.8, 34.8, 113.81, 34.81)]
    ),
}


def point_gdf() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[GEOMETRIES["point"]], crs=crs.WGS84)


@pytest.mark.parametrize("kind", GEOMETRIES)
def test_shift_gdf_moves_every_vertex_and_leaves_input_alone(kind):
    gdf = gpd.GeoDataFrame({"name": [kind]}, geometry=[GEOMETRIES[kind]], crs=crs.CGCS2000)
    before = gdf.copy()
    out = crs.shift_gdf(gdf, "wgs84", "gcj02")
    assert gdf.equals(before) and gdf.crs == crs.CGCS2000 and gdf.attrs == {}
    assert out.crs == crs.WGS84 and out.attrs["datum"] == "gcj02"
    assert out.geometry.iloc[0].geom_type == GEOMETRIES[kind].geom_type
    coords = shapely.get_coordinates(gdf.geometry)
    expected = np.column_stack(crs.wgs84_to_gcj02(coords[:, 0], coords[:, 1]))
    np.testing.assert_allclose(shapely.get_coordinates(out.geometry), expected, rtol=0, atol=1e-12)
    back = crs.shift_gdf(out, "gcj02", "wgs84")
    np.testing.assert_allclose(shapely.get_coordinates(back.geometry), coords, rtol=0, atol=1e-8)


def test_shift_gdf_keeps_z_and_other_columns():
    point_z = shapely.Point(ZZ_LON, ZZ_LAT, 99.0)
    gdf = gpd.GeoDataFrame({"v": [7]}, geometry=[point_z], crs=crs.WGS84)
    out = crs.shift_gdf(gdf, "wgs84", "bd09")
    assert out.geometry.iloc[0].z == 99.0 and out["v"].tolist() == [7]


def test_shift_gdf_refuses_projected_input():
    with pytest.raises(CRSError, match="EPSG:4547.*EPSG:4326 .*EPSG:4490"):
        crs.shift_gdf(square_gdf(), "wgs84", "gcj02")


def test_shift_gdf_refuses_missing_crs_and_a_second_shift():
    with pytest.raises(CRSError, match="no CRS"):
        crs.shift_gdf(gpd.GeoDataFrame(geometry=[GEOMETRIES["point"]]), "wgs84", "gcj02")
    gcj = crs.shift_gdf(point_gdf(), "wgs84", "gcj02")
    with pytest.raises(CRSError, match="attrs\\['datum'\\] is 'gcj02'"):
        crs.shift_gdf(gcj, "wgs84", "gcj02")


# --------------------------------------------------------------------- areas
def test_square_is_10000_m2_and_15_mu():
    area = crs.measure_area_m2(square_gdf())
    assert area.loc["a"] == pytest.approx(10_000, abs=1e-6)
    assert convert_area(area.loc["a"], "m2", "mu") == pytest.approx(15)


@pytest.mark.parametrize("target", [crs.WGS84, crs.CGCS2000, "EPSG:3857", crs.GK38_ZONED])
def test_square_measures_10000_m2_from_any_crs(target):
    moved = square_gdf(index=("p7",)).to_crs(target)
    area = crs.measure_area_m2(moved)
    assert area.index.tolist() == ["p7"] and area.name == "area_m2"
    assert area.iloc[0] == pytest.approx(10_000, abs=1e-3)


def test_web_mercator_would_inflate_the_square_by_about_48_percent():
    inflated = square_gdf().to_crs("EPSG:3857").area.iloc[0] / 10_000
    assert 1.46 < inflated < 1.50


def test_measure_area_m2_raises_without_crs():
    bare = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)])
    with pytest.raises(CRSError, match=r"no CRS.*gdf\.set_crs\('EPSG:4490'\)"):
        crs.measure_area_m2(bare)


@pytest.mark.parametrize(
    "bad, match",
    [
        ("EPSG:4326", "geographic"),
        ("EPSG:4490", "geographic"),
        ("EPSG:3857", "48%.*EPSG:4547"),
        (None, "no CRS"),
        ("not a crs", "not a CRS"),
    ],
)
def test_check_area_crs_refuses_degrees_and_mercator(bad, match):
    with pytest.raises(CRSError, match=match):
        crs.check_area_crs(bad)


@pytest.mark.parametrize("good", [crs.AREA_CRS, crs.GK38_ZONED, 4547])
def test_check_area_crs_accepts_gauss_krueger(good):
    crs.check_area_crs(good)


def test_to_area_crs_refuses_missing_crs_and_map_offsets():
    with pytest.raises(CRSError, match="set_crs"):
        crs.to_area_crs(gpd.GeoDataFrame(geometry=[GEOMETRIES["point"]]))
    gcj = crs.shift_gdf(point_gdf(), "wgs84", "gcj02")
    with pytest.raises(CRSError, match="shift_gdf\\(gdf, 'gcj02', 'wgs84'\\)"):
        crs.to_area_crs(gcj)


def test_to_area_crs_warns_on_old_datums():
    old = square_gdf().set_crs(crs.XIAN80_CM114, allow_override=True)
    with pytest.warns(UserWarning, match="Xi'an 1980"):
        out = crs.to_area_crs(old)
    assert out.crs == crs.AREA_CRS


def test_measure_area_m2_of_an_old_datum_gk_frame_needs_no_datum_shift():
    old = square_gdf().set_crs(crs.XIAN80_CM114, allow_override=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert crs.measure_area_m2(old).iloc[0] == pytest.approx(10_000)


# --------------------------------------------------------------------- detection
def zz_projected(code: str, n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A few Zhengzhou points projected to ``code`` (x = easting, y = northing)."""
    lon, lat = np.linspace(113.6, 113.9, n), np.linspace(34.6, 34.8, n)
    return Transformer.from_crs(crs.WGS84, code, always_xy=True).transform(lon, lat)


def test_detects_zoned_8_digit_easting():
    guess = crs.detect_crs_from_xy(*zz_projected(crs.GK38_ZONED))
    assert (guess.crs, guess.zone, guess.swapped) == ("EPSG:4526", 38, False)
    assert "zone number 38" in guess.reason


def test_detects_6_digit_easting_and_says_cm_114_is_assumed():
    guess = crs.detect_crs_from_xy(*zz_projected(crs.AREA_CRS))
    assert (guess.crs, guess.swapped) == ("EPSG:4547", False)
    assert "ASSUMED" in guess.reason and "114E" in guess.reason and "Override" in guess.reason


@pytest.mark.parametrize("code", [crs.AREA_CRS, crs.GK38_ZONED])
def test_detects_swapped_columns(code):
    east, north = zz_projected(code)
    guess = crs.detect_crs_from_xy(north, east)
    assert guess.crs == code and guess.swapped
    assert "swapped" in guess.reason


def test_detects_other_zones():
    x, y = Transformer.from_crs(crs.WGS84, "EPSG:4528", always_xy=True).transform(120.3, 36.1)
    guess = crs.detect_crs_from_xy(x, y)
    assert (guess.crs, guess.zone) == ("EPSG:4528", 40)
    x, y = Transformer.from_crs(crs.WGS84, "EPSG:4497", always_xy=True).transform(113.7, 34.7)
    assert crs.detect_crs_from_xy(x, y).crs == "EPSG:4497"  # 6-degree zone 19


def test_detects_lon_lat_either_way_round():
    lon, lat = [113.6, 113.7, 113.8], [34.6, 34.7, 34.8]
    guess = crs.detect_crs_from_xy(lon, lat)
    assert (guess.crs, guess.swapped, guess.zone) == ("EPSG:4326", False, None)
    swapped = crs.detect_crs_from_xy(lat, lon)
    assert swapped.crs == "EPSG:4326" and swapped.swapped


def test_detection_ignores_nan_and_inf():
    east, north = zz_projected(crs.GK38_ZONED)
    east, north = np.append(east, [np.nan, np.inf]), np.append(north, [1.0, np.nan])
    guess = crs.detect_crs_from_xy(east, north)
    assert guess.crs == "EPSG:4526"


@pytest.mark.parametrize("x, y", [([1, 2, 3], [4, 5, 6]), ([9e8], [9e8]), ([np.nan], [np.nan]), ([], [])])
def test_garbage_gives_no_crs_and_a_reason(x, y):
    guess = crs.detect_crs_from_xy(x, y)
    assert guess.crs is None and guess.reason


def test_mixed_rows_give_no_crs():
    east, north = zz_projected(crs.GK38_ZONED)
    guess = crs.detect_crs_from_xy(np.append(east, 473_000.0), np.append(north, 3_843_000.0))
    assert guess.crs is None and "1 of 4 rows" in guess.reason


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "x, y, english, chinese",
    [
        (*zz_projected(crs.GK38_ZONED), "carries zone number 38", "含带号 38"),
        (*zz_projected(crs.AREA_CRS), "ASSUMED to be 114E", "【假定】中央经线为 114°E"),
        (*zz_projected(crs.AREA_CRS)[::-1], "the columns are swapped", "两列顺序颠倒"),
        ([34.6, 34.7], [113.6, 113.7], "latitudes and the second longitudes", "第一列是纬度"),
        ([113.6, 113.7], [34.6, 34.7], "longitude/latitude degrees", "中国境内的经纬度"),
        ([1, 2, 3], [4, 5, 6], "fit no known pattern", "不符合任何已知形式"),
        ([np.nan], [np.nan], "No finite coordinate pairs", "没有有效的坐标对"),
    ],
)
def test_detection_reasons_read_in_english_and_in_chinese(x, y, english, chinese):
    reason = crs.detect_crs_from_xy(x, y).reason
    assert english in reason and not CJK.search(reason)  # str(): the CLI's and the stored reports' English
    zh = reason.text("zh")
    assert chinese in zh and not re.search(r"\b(the|is|are|and)\b", zh)  # no English sentence left in it


def test_mixed_rows_reason_in_chinese_names_the_count():
    east, north = zz_projected(crs.GK38_ZONED)
    reason = crs.detect_crs_from_xy(np.append(east, 473_000.0), np.append(north, 3_843_000.0)).reason
    assert "4 行中有 1 行不符合同一坐标系" in reason.text("zh") and "含带号 38" in reason.text("zh")


def test_crs_guess_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        crs.detect_crs_from_xy(1, 2).crs = "EPSG:4326"


# --------------------------------------------------------------------- old datums and region
@pytest.mark.parametrize(
    "code, old",
    [
        ("EPSG:2383", True),
        ("EPSG:2414", True),
        ("EPSG:2362", True),
        ("EPSG:2435", True),
        ("EPSG:4610", True),
        ("EPSG:4547", False),
        ("EPSG:4326", False),
        (None, False),
    ],
)
def test_is_old_datum(code, old):
    assert crs.is_old_datum(code) is old


def test_old_datum_warning_is_bilingual():
    assert "西安80" in crs.OLD_DATUM_WARNING and "tens of metres" in crs.OLD_DATUM_WARNING


def test_in_zone_region():
    inside = crs.in_zone_region([113.75, 113.0, np.nan], [34.72, 34.72, 34.72])
    assert inside.tolist() == [True, False, False]
    assert crs.ZONE_REGION == (113.55, 34.50, 114.05, 34.90)
