"""zkq_geo.importing.geomcheck: repairs, empty and missing geometries, mixed families."""

from __future__ import annotations

import numpy as np
import shapely

from zkq_geo.importing.geomcheck import check_geometries, geos_reason

BOWTIE = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])


def test_an_invalid_polygon_is_repaired_and_listed():
    geoms, report = check_geometries(np.array([BOWTIE, shapely.box(0, 0, 1, 1)]), ["feature a", "feature b"])
    assert shapely.is_valid(geoms).all() and [r.feature for r in report.repairs] == ["feature a"]
    assert report.family == "polygon" and not report.problems


def test_missing_geometries_are_kept_and_listed():
    geoms, report = check_geometries(np.array([None, shapely.Point(1, 2)], dtype=object), ["row 2", "row 3"])
    assert geoms[0] is None and report.missing == ("row 2",) and not report.problems


def test_mixed_points_and_polygons_are_a_problem():
    _, report = check_geometries(np.array([shapely.Point(0, 0), shapely.box(0, 0, 1, 1)]), ["a", "b"])
    assert report.problems


def test_geos_reasons_have_chinese_text():
    reason = geos_reason("Self-intersection[5 5]")
    assert "Self-intersection" in reason and reason.text("zh") != str(reason)
