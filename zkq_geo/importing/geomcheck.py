"""Checks of user geometries: missing, non-finite, invalid (repaired) and mixed types.

Pure functions over arrays of shapely geometries; each problem names the features it
concerns with the labels the caller passes (an id, or a row number the user can find).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely

from zkq_geo.i18n.messages import Items, listed, msg

FAMILIES = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "LinearRing": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
    "GeometryCollection": "collection",
}
_LIST_AT_MOST = 10


@dataclass(frozen=True)
class GeometryRepair:
    """One invalid geometry repaired with ``shapely.make_valid``."""

    feature: str
    reason: str  # GEOS's reason: a Message (English str, ``.text("zh")``) when GEOS's wording is known
    result: str


@dataclass(frozen=True)
class GeometryReport:
    """What :func:`check_geometries` found. ``problems`` block an import; ``warnings`` do not."""

    family: str | None
    type_counts: tuple[tuple[str, int], ...]
    repairs: tuple[GeometryRepair, ...]
    missing: tuple[str, ...]
    problems: tuple[str, ...]
    warnings: tuple[str, ...]


def check_geometries(geoms, labels: list[str]) -> tuple[np.ndarray, GeometryReport]:
    """Check and repair an array of geometries.

    Parameters
    ----------
    geoms : array-like of shapely geometries (None allowed), any CRS.
    labels : how to name each feature in messages ("feature p1", "row 7").

    Returns
    -------
    (ndarray of geometries, GeometryReport)
        Invalid geometries are replaced by ``make_valid`` (polygons stay polygonal); null
        and empty geometries are kept and reported. Non-finite coordinates, geometry
        collections and a mix of points, lines and polygons are problems.
    """
    arr = np.asarray(geoms, dtype=object).copy()
    missing_mask = shapely.is_missing(arr) | shapely.is_empty(arr)
    nonfinite = _nonfinite(arr)
    types = [g.geom_type for g in arr[~missing_mask]]
    counts = Counter(types)
    families = sorted({FAMILIES.get(t, t) for t in types})
    fixable = ~missing_mask & ~nonfinite
    arr, repairs = _repair(arr, fixable, labels, families)
    missing = tuple(labels[i] for i in np.flatnonzero(missing_mask))
    problems = _problems(nonfinite, families, counts, labels)
    warnings = _warnings(missing, repairs)
    family = families[0] if len(families) == 1 else None
    return arr, GeometryReport(
        family, tuple(sorted(counts.items())), repairs, missing, tuple(problems), tuple(warnings)
    )


def _nonfinite(arr: np.ndarray) -> np.ndarray:
    coords, index = shapely.get_coordinates(arr, include_z=True, return_index=True)
    bad = np.zeros(len(arr), dtype=bool)
    if len(coords):
        finite = np.isfinite(coords[:, :2]).all(axis=1)
        bad[np.unique(index[~finite])] = True
    return bad


def _repair(arr: np.ndarray, fixable: np.ndarray, labels: list[str], families: list[str]):
    valid = np.ones(len(arr), dtype=bool)
    valid[fixable] = shapely.is_valid(arr[fixable])
    repairs = []
    for i in np.flatnonzero(~valid):
        geom = arr[i]
        reason = geos_reason(shapely.is_valid_reason(geom))
        if FAMILIES.get(geom.geom_type) == "polygon":
            fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        else:
            fixed = shapely.make_valid(geom)
        arr[i] = fixed
        repairs.append(GeometryRepair(labels[i], reason, "empty" if fixed.is_empty else fixed.geom_type))
    return arr, tuple(repairs)


_GEOS_REASONS = {  # GEOS's wording -> message key
    "Self-intersection": "geos_self_intersection",
    "Ring Self-intersection": "geos_ring_self_intersection",
    "Too few points in geometry component": "geos_too_few_points",
    "Hole lies outside shell": "geos_hole_outside_shell",
    "Holes are nested": "geos_nested_holes",
    "Interior is disconnected": "geos_interior_disconnected",
    "Nested shells": "geos_nested_shells",
    "Duplicate Rings": "geos_duplicate_rings",
    "Invalid Coordinate": "geos_invalid_coordinate",
    "Ring is not closed": "geos_ring_not_closed",
}


def geos_reason(reason: str) -> str:
    """GEOS's reason for an invalid geometry as a bilingual message (same English text), or as
    given when the wording is unknown: ``"Self-intersection[1 2]"`` -> 自相交[1 2] in Chinese."""
    what, bracket, rest = reason.partition("[")
    key = _GEOS_REASONS.get(what.strip())
    return msg(key, at=bracket + rest) if key else reason


def _problems(nonfinite: np.ndarray, families: list[str], counts: Counter, labels: list[str]) -> list[str]:
    problems = []
    if nonfinite.any():
        problems.append(
            msg("coords_not_finite", features=_listing([labels[i] for i in np.flatnonzero(nonfinite)]))
        )
    if "collection" in families:
        problems.append(msg("geometry_collections"))
    elif len(families) > 1:
        found = Items(msg("type_count", n=n, type=t) for t, n in sorted(counts.items()))
        problems.append(msg("mixed_geometry_types", found=found))
    return problems


def _warnings(missing: tuple[str, ...], repairs: tuple[GeometryRepair, ...]) -> list[str]:
    warnings = []
    if missing:
        warnings.append(msg("no_geometry", features=_listing(list(missing))))
    if repairs:
        shown = listed(
            [msg("repair_item", feature=r.feature, reason=r.reason) for r in repairs],
            _LIST_AT_MOST,
            sep="; ",
            zh_sep="；",
        )
        warnings.append(msg("geometries_repaired", n=len(repairs), listed=shown))
        collapsed = [r.feature for r in repairs if r.result == "empty"]
        if collapsed:
            warnings.append(msg("repair_left_nothing", features=_listing(collapsed)))
    return warnings


def _listing(labels: list[str]):
    """One label as it is; several as "3 feature(s) (a, b, c)"."""
    if len(labels) == 1:
        return labels[0]
    return msg("features_listed", n=len(labels), listed=listed(labels, _LIST_AT_MOST))
