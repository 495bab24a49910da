"""zkq_geo.importing.crs_detect: CGCS2000 Gauss-Krueger with and without the zone prefix, swapped
X/Y, lon/lat, GCJ-02, a declared CRS, and warnings for data far from the zone."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer

from zkq_geo.errors import OptionError
from zkq_geo.importing.crs_detect import check_crs_choice, resolve_crs

LON, LAT = 113.75, 34.72


def _gk(zone_prefix: bool) -> np.ndarray:
    epsg = 4526 if zone_prefix else 4547  # zone 38 with the 38 prefix / CM 114E without it
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(LON, LAT)
    return np.array([shapely.Point(x, y)])


@pytest.mark.parametrize("zone_prefix, epsg", [(True, "4526"), (False, "4547")])
def test_gauss_krueger_is_detected_with_and_without_the_zone_number(zone_prefix, epsg):
    placed = resolve_crs(_gk(zone_prefix), None, "", "auto")
    assert epsg in placed.crs and not placed.problems
    assert placed.geoms[0].x == pytest.approx(LON, abs=1e-7) and placed.geoms[0].y == pytest.approx(
        LAT, abs=1e-7
    )


def test_swapped_x_and_y_are_noticed():
    g = _gk(True)[0]
    placed = resolve_crs(np.array([shapely.Point(g.y, g.x)]), None, "", "auto")
    assert placed.swapped and placed.geoms[0].x == pytest.approx(LON, abs=1e-7)


def test_lon_lat_and_a_declared_crs():
    placed = resolve_crs(np.array([shapely.Point(LON, LAT)]), None, "", "auto", lonlat_note=True)
    assert placed.geoms[0].x == pytest.approx(LON) and placed.warnings
    declared = resolve_crs(_gk(False), CRS.from_epsg(4547), "declared by a.prj", "auto")
    assert declared.geoms[0].x == pytest.approx(LON, abs=1e-7)


def test_gcj02_is_shifted_back_to_wgs84():
    placed = resolve_crs(np.array([shapely.Point(LON + 0.006, LAT - 0.0013)]), None, "", "gcj02")
    assert abs(placed.geoms[0].x - LON) < 0.001


def test_a_bad_choice_names_the_allowed_ones():
    with pytest.raises(OptionError):
        check_crs_choice("mars2000")
