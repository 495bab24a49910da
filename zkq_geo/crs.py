"""Coordinate reference systems of the zone: constants, datum offsets, area CRS, detection.

Storage is WGS84 (EPSG:4326) or CGCS2000 (EPSG:4490) lon/lat in degrees; the two agree to well
under a metre. Areas and distances are measured in CGCS2000 / 3-degree Gauss-Krueger CM 114E
(EPSG:4547, metres). GCJ-02 (AMap, Tencent) and BD-09 (Baidu) are lon/lat in degrees with a
published obfuscating offset; they have no EPSG code, so frames holding them keep EPSG:4326 and
say which offset they carry in ``gdf.attrs["datum"]``.

Nothing here guesses silently: functions raise :class:`~zkq_geo.errors.CRSError` when a CRS is
missing or wrong for the job, and :func:`detect_crs_from_xy` explains every guess it makes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as _PyprojCRSError

from zkq_geo.errors import CRSError, check_choice
from zkq_geo.i18n.messages import Message, msg

WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"
AREA_CRS = "EPSG:4547"  # CGCS2000 / 3-degree GK CM 114E, false easting 500000
GK38_ZONED = "EPSG:4526"  # CGCS2000 / 3-degree GK zone 38, false easting 38500000
XIAN80_CM114 = "EPSG:2383"
XIAN80_ZONE38 = "EPSG:2362"
BEIJING54_CM114 = "EPSG:2435"
BEIJING54_ZONE38 = "EPSG:2414"

ZONE_REGION = (113.55, 34.50, 114.05, 34.90)  # lon_min, lat_min, lon_max, lat_max (WGS84 deg)

Datum = Literal["wgs84", "gcj02", "bd09"]
_DATUMS = get_args(Datum)

OLD_DATUM_WARNING = (
    "西安80/北京54坐标：PROJ 没有河南地区到 CGCS2000 的精确基准转换，位置可能偏差数十米或更多。"
    " Xi'an 1980 / Beijing 1954 coordinates: PROJ has no accurate datum shift to CGCS2000 for"
    " Henan, so positions may be off by tens of metres or more. Ask the surveyor for CGCS2000"
    " coordinates or for local transformation parameters."
)

# GCJ-02: Krasovsky ellipsoid and China's bounding box (lon/lat degrees).
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_E2 = 0.00669342162296594323
_CHINA_BBOX = (72.004, 0.8293, 137.8347, 55.8271)
# BD-09 works on GCJ-02 degrees scaled by this factor.
_BD_X_PI = np.pi * 3000.0 / 180.0
_INVERSE_TOL_DEG = 1e-9  # about 0.1 mm
_INVERSE_MAX_ITER = 30


# --------------------------------------------------------------------- datum offsets (numpy)
def wgs84_to_gcj02(lon, lat):
    """Convert WGS84 lon/lat (degrees) to GCJ-02 (AMap/Tencent) lon/lat (degrees).

    Points outside China's bounding box are returned unchanged. A pair with a NaN or inf in
    either value is returned as given (no warning).

    Parameters
    ----------
    lon, lat : float or array-like
        WGS84 (EPSG:4326) longitude and latitude in degrees.

    Returns
    -------
    (lon, lat)
        GCJ-02 degrees: floats for scalar input, ndarrays of the broadcast shape otherwise.

    Examples
    --------
    >>> [round(v, 6) for v in wgs84_to_gcj02(113.75, 34.72)]
    [113.75618, 34.718963]
    """
    return _apply(_wgs84_to_gcj02, lon, lat)


def gcj02_to_wgs84(lon, lat):
    """Convert GCJ-02 lon/lat (degrees) back to WGS84 lon/lat (degrees).

    Inverts :func:`wgs84_to_gcj02` by fixed-point iteration to 1e-9 degrees (sub-millimetre).
    Same input and output shapes as :func:`wgs84_to_gcj02`.
    """
    return _apply(_gcj02_to_wgs84, lon, lat)


def gcj02_to_bd09(lon, lat):
    """Convert GCJ-02 lon/lat (degrees) to BD-09 (Baidu) lon/lat (degrees).

    BD-09 is defined on GCJ-02 and is applied everywhere (it has no bounding box).
    Same input and output shapes as :func:`wgs84_to_gcj02`.
    """
    return _apply(_gcj02_to_bd09, lon, lat)


def bd09_to_gcj02(lon, lat):
    """Convert BD-09 lon/lat (degrees) to GCJ-02 lon/lat (degrees), iterating to 1e-9 degrees."""
    return _apply(_bd09_to_gcj02, lon, lat)


def wgs84_to_bd09(lon, lat):
    """Convert WGS84 lon/lat (degrees) to BD-09 lon/lat (degrees), through GCJ-02.

    >>> [round(v, 6) for v in wgs84_to_bd09(113.75, 34.72)]
    [113.762595, 34.725303]
    """
    return _apply(lambda x, y: _gcj02_to_bd09(*_wgs84_to_gcj02(x, y)), lon, lat)


def bd09_to_wgs84(lon, lat):
    """Convert BD-09 lon/lat (degrees) to WGS84 lon/lat (degrees), through GCJ-02."""
    return _apply(lambda x, y: _gcj02_to_wgs84(*_bd09_to_gcj02(x, y)), lon, lat)


def convert_datum(lon, lat, from_: Datum, to: Datum):
    """Convert lon/lat degrees between WGS84, GCJ-02 and BD-09.

    Parameters
    ----------
    lon, lat : float or array-like
        Longitude and latitude in degrees, in the ``from_`` datum.
    from_, to : {"wgs84", "gcj02", "bd09"}
        Source and target datum. ``"wgs84"`` also stands for CGCS2000 (under a metre apart).

    Returns
    -------
    (lon, lat)
        Degrees in the ``to`` datum; floats for scalars, ndarrays otherwise.
    """
    check_choice("from_", from_, _DATUMS)
    check_choice("to", to, _DATUMS)
    if from_ == to:
        return _apply(lambda x, y: (x, y), lon, lat)
    return _CONVERTERS[(from_, to)](lon, lat)


_CONVERTERS: dict[tuple[str, str], Callable] = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
}


def _apply(core: Callable, lon, lat):
    """Run ``core`` on the pairs where lon and lat are both finite; other pairs pass unchanged."""
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    shape = x.shape
    x, y = x.ravel().copy(), y.ravel().copy()
    ok = np.isfinite(x) & np.isfinite(y)
    x[ok], y[ok] = core(x[ok], y[ok])
    if not shape:
        return float(x[0]), float(y[0])
    return x.reshape(shape), y.reshape(shape)


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon_min, lat_min, lon_max, lat_max = _CHINA_BBOX
    return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)


def _gcj02_raw(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The published GCJ-02 polynomials in pseudo-metres, with x = lon - 105, y = lat - 35."""
    pi = np.pi
    waves_x = (20.0 * np.sin(6.0 * pi * x) + 20.0 * np.sin(2.0 * pi * x)) * 2.0 / 3.0
    east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    east += waves_x + (20.0 * np.sin(pi * x) + 40.0 * np.sin(pi * x / 3.0)) * 2.0 / 3.0
    east += (150.0 * np.sin(pi * x / 12.0) + 300.0 * np.sin(pi * x / 30.0)) * 2.0 / 3.0
    north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    north += waves_x + (20.0 * np.sin(pi * y) + 40.0 * np.sin(pi * y / 3.0)) * 2.0 / 3.0
    north += (160.0 * np.sin(pi * y / 12.0) + 320.0 * np.sin(pi * y / 30.0)) * 2.0 / 3.0
    return east, north


def _wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 forward on finite 1-D arrays; no offset outside China's bounding box."""
    inside = _in_china(lon, lat)
    dlon, dlat = np.zeros_like(lon), np.zeros_like(lat)
    dlon[inside], dlat[inside] = _gcj02_offset_deg(lon[inside], lat[inside])
    return lon + dlon, lat + dlat


def _gcj02_offset_deg(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The offset in degrees: pseudo-metres over the Krasovsky radii of curvature."""
    east, north = _gcj02_raw(lon - 105.0, lat - 35.0)
    phi = np.radians(lat)
    w = 1.0 - _KRASOVSKY_E2 * np.sin(phi) ** 2
    meridian_radius = _KRASOVSKY_A * (1.0 - _KRASOVSKY_E2) / (w * np.sqrt(w))
    parallel_radius = _KRASOVSKY_A / np.sqrt(w) * np.cos(phi)
    return np.degrees(east / parallel_radius), np.degrees(north / meridian_radius)


def _gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    radius = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_X_PI)
    return radius * np.cos(theta) + 0.0065, radius * np.sin(theta) + 0.006


def _gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _invert(_wgs84_to_gcj02, lon, lat)


def _bd09_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _invert(_gcj02_to_bd09, lon, lat)


def _invert(forward: Callable, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve forward(x, y) = (lon, lat) by fixed-point iteration (the offsets vary slowly)."""
    x, y = lon, lat
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = forward(x, y)
        err_x, err_y = fx - lon, fy - lat
        x, y = x - err_x, y - err_y
        worst = max(np.max(np.abs(err_x), initial=0.0), np.max(np.abs(err_y), initial=0.0))
        if worst < _INVERSE_TOL_DEG:
            break
    return x, y


def in_zone_region(lon, lat) -> np.ndarray:
    """Return a bool array: which WGS84 lon/lat points (degrees) fall inside ``ZONE_REGION``.

    ``ZONE_REGION`` is a generous bounding box around the Zhengzhou ETDZ, not its boundary.
    Scalars give a 0-d array; NaN gives False.
    """
    lon_min, lat_min, lon_max, lat_max = ZONE_REGION
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (x >= lon_min) & (x <= lon_max) & (y >= lat_min) & (y <= lat_max)


# --------------------------------------------------------------------- GeoDataFrames
def shift_gdf(gdf: gpd.GeoDataFrame, from_: Datum, to: Datum) -> gpd.GeoDataFrame:
    """Return a new GeoDataFrame with every coordinate moved from one datum offset to another.

    Parameters
    ----------
    gdf : GeoDataFrame
        Lon/lat degrees with CRS EPSG:4326 or EPSG:4490 (CGCS2000 is treated as WGS84). If
        ``gdf.attrs["datum"]`` is set it must equal ``from_`` (guards against double shifts).
    from_, to : {"wgs84", "gcj02", "bd09"}
        The offset the coordinates carry now and the one wanted.

    Returns
    -------
    GeoDataFrame
        A copy with CRS EPSG:4326 and ``attrs["datum"] = to``; the input is not modified.
        Points, lines, polygons and multi-geometries keep their shape and any Z values.
    """
    check_choice("from_", from_, _DATUMS)
    check_choice("to", to, _DATUMS)
    _check_lonlat_crs(gdf.crs)
    _check_datum_tag(gdf, from_)

    def move(coords: np.ndarray) -> np.ndarray:
        lon, lat = convert_datum(coords[:, 0], coords[:, 1], from_, to)
        return np.column_stack([lon, lat, coords[:, 2:]])

    geoms = shapely.transform(gdf.geometry.to_numpy(), move, include_z=True)
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=WGS84)
    out.attrs["datum"] = to
    return out


def to_area_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to ``AREA_CRS`` (EPSG:4547, CGCS2000 / 3-degree GK CM 114E, metres).

    Raises :class:`CRSError` when ``gdf.crs`` is None or the coordinates carry a GCJ-02/BD-09
    offset; warns with :data:`OLD_DATUM_WARNING` for Xi'an 1980 and Beijing 1954 input.
    """
    crs = _require_crs(gdf, "reproject to EPSG:4547")
    tag = gdf.attrs.get("datum", "wgs84")
    if tag != "wgs84":
        raise CRSError(
            f"gdf.attrs['datum'] is {tag!r}: its lon/lat carry a map offset of 0.5-1.3 km. "
            f"Shift it back first: shift_gdf(gdf, {tag!r}, 'wgs84')."
        )
    if is_old_datum(crs):
        warnings.warn(OLD_DATUM_WARNING, UserWarning, stacklevel=2)
    return gdf.to_crs(AREA_CRS)


def measure_area_m2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Return each geometry's area in m2, measured in a Gauss-Krueger CRS on CM 114E.

    Frames already in a Transverse Mercator CRS on CM 114E (EPSG:4547, 4526, 2383, ...) are
    measured as they are; everything else (EPSG:4326, 4490, 3857, ...) is first reprojected
    to ``AREA_CRS`` (EPSG:4547). The result keeps ``gdf.index`` and is named ``area_m2``.

    >>> import shapely
    >>> square = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)], crs=AREA_CRS)
    >>> float(measure_area_m2(square.to_crs(3857)).iloc[0].round(3))
    10000.0
    """
    crs = _require_crs(gdf, "measure areas")
    measured = gdf if _is_cm114_tm(crs) else to_area_crs(gdf)
    check_area_crs(measured.crs)
    return pd.Series(measured.geometry.area.to_numpy(), index=gdf.index, name="area_m2")


def check_area_crs(crs) -> None:
    """Raise :class:`CRSError` unless ``crs`` is a projected CRS fit for measuring areas.

    Geographic CRSs (degrees) and Mercator CRSs such as EPSG:3857 are refused.
    """
    crs = _as_crs(crs)
    label = _crs_label(crs)
    if crs.is_geographic:
        raise CRSError(
            f"cannot measure areas in the geographic CRS {label}: its units are degrees. "
            f"Reproject to {AREA_CRS} (CGCS2000 / 3-degree Gauss-Krueger CM 114E) first."
        )
    method = crs.coordinate_operation.method_name.lower() if crs.coordinate_operation else ""
    if "mercator" in method and "transverse" not in method:
        raise CRSError(
            f"cannot measure areas in {label}: Mercator inflates areas by 1/cos^2(latitude), about"
            f" 48% at Zhengzhou (34.7N). Use {AREA_CRS} (CGCS2000 / 3-degree GK CM 114E) instead."
        )
    if not crs.is_projected:
        raise CRSError(f"cannot measure areas in {label}: it is not projected; use {AREA_CRS}.")


def is_old_datum(crs) -> bool:
    """True when ``crs`` is on the Xi'an 1980 or Beijing 1954 datum (e.g. EPSG:2383, 2414).

    See :data:`OLD_DATUM_WARNING` for why these need care. ``None`` gives False.
    """
    if crs is None:
        return False
    datum = _as_crs(crs).datum
    name = datum.name if datum is not None else ""
    return any(old in name for old in ("Xian 1980", "Beijing 1954", "New Beijing"))


def _as_crs(crs) -> CRS:
    if crs is None:
        raise CRSError(f"no CRS given; pass one such as {AREA_CRS!r}")
    try:
        return CRS.from_user_input(crs)
    except _PyprojCRSError as exc:
        raise CRSError(f"{crs!r} is not a CRS pyproj understands: {exc}") from exc


def _crs_label(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else repr(crs.name)


def _require_crs(gdf: gpd.GeoDataFrame, action: str) -> CRS:
    if gdf.crs is None:
        raise CRSError(
            f"cannot {action}: the GeoDataFrame has no CRS. Set the CRS its coordinates are in, "
            f"e.g. gdf.set_crs('EPSG:4490') for CGCS2000 lon/lat or gdf.set_crs('EPSG:4547') "
            f"for Gauss-Krueger metres on CM 114E."
        )
    return gdf.crs


def _check_lonlat_crs(crs) -> None:
    allowed = f"{WGS84} (WGS84) or {CGCS2000} (CGCS2000) lon/lat"
    if crs is None:
        raise CRSError(f"the GeoDataFrame has no CRS; shift_gdf needs {allowed}: set it first.")
    if crs.to_epsg() not in (4326, 4490):
        raise CRSError(
            f"shift_gdf got {_crs_label(crs)}; it needs {allowed}. Reproject first: gdf.to_crs('{WGS84}')."
        )


def _check_datum_tag(gdf: gpd.GeoDataFrame, from_: str) -> None:
    tag = gdf.attrs.get("datum")
    if tag is not None and tag != from_:
        raise CRSError(
            f"shift_gdf(from_={from_!r}) but gdf.attrs['datum'] is {tag!r}; shifting would apply"
            f" the wrong offset. Pass from_={tag!r}."
        )


def _is_cm114_tm(crs: CRS) -> bool:
    """True for a metre Transverse Mercator on CM 114E with scale 1 (any false easting)."""
    op = crs.coordinate_operation if crs.is_projected else None
    if op is None or op.method_name != "Transverse Mercator":
        return False
    params = {p.name: p.value for p in op.params}
    metres = all(axis.unit_name == "metre" for axis in crs.axis_info)
    return (
        metres
        and params.get("Longitude of natural origin") == 114.0
        and params.get("Scale factor at natural origin") == 1.0
    )


# --------------------------------------------------------------------- detection
@dataclass(frozen=True)
class CRSGuess:
    """What :func:`detect_crs_from_xy` makes of a pair of coordinate columns.

    Attributes
    ----------
    crs : str or None
        ``"EPSG:nnnn"``, or None when no CRS fits.
    swapped : bool
        True when the first column is the northing (or latitude) and the second the easting.
    zone : int or None
        Gauss-Krueger zone number read from an 8-digit easting, else None.
    reason : Message
        The explanation, including every assumption made: reads as English, ``reason.text("zh")``
        in Chinese.
    """

    crs: str | None
    swapped: bool
    zone: int | None
    reason: Message


_LON_DEG = (73.0, 136.0)
_LAT_DEG = (3.0, 54.0)
_NORTHING_M = (1.0e6, 6.2e6)  # 7 digits: about 9N to 56N
_EASTING_3DEG_M = (3.0e5, 7.0e5)  # within a 3-degree zone, false easting 500000
_EASTING_6DEG_M = (1.5e5, 8.5e5)  # within a 6-degree zone
_ZONES_3DEG = (25, 45)  # EPSG:4513..4533, CM = 3 * zone
_ZONES_6DEG = (13, 23)  # EPSG:4491..4501, CM = 6 * zone - 3


def detect_crs_from_xy(x, y) -> CRSGuess:
    """Guess the CRS of surveyed or copied coordinates from their magnitudes.

    Parameters
    ----------
    x, y : array-like or float
        The first and second coordinate column as given (NaN and inf are ignored).

    Returns
    -------
    CRSGuess
        Decided on the median of each column; every finite row must fit the same CRS.
        Lon/lat in China -> EPSG:4326; 8-digit easting -> the CGCS2000 zone it names;
        6-digit easting + 7-digit northing -> EPSG:4547 with CM 114E *assumed*.
        The datum of projected coordinates is assumed to be CGCS2000.
    """
    xs, ys = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    if xs.size == 0:
        return CRSGuess(None, False, None, msg("det_none"))
    mx, my = float(np.median(xs)), float(np.median(ys))
    for swapped, first, second in ((False, xs, ys), (True, ys, xs)):
        code = int(_epsg_codes(np.median(first), np.median(second)))
        if code:
            return _confirm(code, swapped, _epsg_codes(first, second), float(np.median(first)))
    return CRSGuess(None, False, None, msg("det_no_pattern", mx=f"{mx:.10g}", my=f"{my:.10g}"))


def _epsg_codes(east, north) -> np.ndarray:
    """Vectorised: the EPSG code each (east, north) pair fits, 0 where none fits."""
    e, n = np.asarray(east, dtype=float), np.asarray(north, dtype=float)
    zone = np.floor(np.clip(e, 0.0, 1e8) / 1e6)  # clip: huge values would overflow the cast
    local = e - zone * 1e6
    northing = _between(n, _NORTHING_M)
    codes = np.zeros(e.shape, dtype=int)
    codes = np.where(_between(e, _LON_DEG) & _between(n, _LAT_DEG), 4326, codes)
    codes = np.where(northing & _between(e, _EASTING_3DEG_M), 4547, codes)
    zoned3 = northing & _between(zone, _ZONES_3DEG) & _between(local, _EASTING_3DEG_M)
    codes = np.where(zoned3, 4513 + zone.astype(int) - 25, codes)
    zoned6 = northing & _between(zone, _ZONES_6DEG) & _between(local, _EASTING_6DEG_M)
    return np.where(zoned6, 4491 + zone.astype(int) - 13, codes)


def _between(values, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


def _confirm(code: int, swapped: bool, row_codes: np.ndarray, east: float) -> CRSGuess:
    zone = _zone_of(code)
    what = _describe(code, zone, swapped, east)
    misfits = int(np.count_nonzero(row_codes != code))
    if misfits:
        return CRSGuess(
            None, swapped, zone, msg("det_mixed", what=what, misfits=misfits, rows=row_codes.size)
        )
    return CRSGuess(f"EPSG:{code}", swapped, zone, what)


def _zone_of(code: int) -> int | None:
    if 4513 <= code <= 4533:
        return code - 4513 + 25
    if 4491 <= code <= 4501:
        return code - 4491 + 13
    return None


def _describe(code: int, zone: int | None, swapped: bool, east: float) -> Message:
    note = _crs_note(code, zone, east)
    return msg("det_swap_lonlat" if code == 4326 else "det_swap_xy", note=note) if swapped else note


def _crs_note(code: int, zone: int | None, east: float) -> Message:
    if code == 4326:
        return msg("det_lonlat")
    if code == 4547:
        return msg("det_gk_no_zone", east=f"{east:.0f}", datum=msg("det_old_datum"))
    width, cm = (3, 3 * zone) if code >= 4513 else (6, 6 * zone - 3)
    return msg(
        "det_gk_zone",
        east=f"{east:.0f}",
        zone=zone,
        code=code,
        width=width,
        cm=cm,
        datum=msg("det_old_datum"),
    )
