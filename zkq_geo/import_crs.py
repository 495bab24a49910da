"""The CRS of imported data: honour what the file declares, detect what it does not, convert
to WGS84, and say plainly when the result lands outside the zone and why it probably did.

The rules, in order:

1. ``gcj02`` / ``bd09`` given by the user: lon/lat copied from AMap/Baidu, shifted back to WGS84.
2. ``EPSG:n`` (or ``wgs84``) given by the user: used, even over a declared CRS (a warning says so).
3. ``auto`` with a declared CRS (.prj, GeoPackage metadata, a GeoJSON ``crs`` member): used,
   unless the coordinates cannot be in it (degrees declared, metres found), then 4.
4. ``auto`` without one: :func:`zkq_geo.crs.detect_crs_from_xy` (CGCS2000 Gauss-Krueger with
   or without the zone number, swapped X/Y, lon/lat), with its reasoning reported.

Xi'an 1980 and Beijing 1954 are converted with :data:`zkq_geo.crs.OLD_DATUM_WARNING`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as _PyprojCRSError

from zkq_geo.crs import (OLD_DATUM_WARNING, WGS84, ZONE_REGION, detect_crs_from_xy, in_zone_region,
                         is_old_datum, shift_gdf)
from zkq_geo.errors import OptionError

CRS_CHOICES_TEXT = "auto, wgs84, gcj02 (AMap/高德), bd09 (Baidu/百度) or EPSG:<code> such as EPSG:4526"
_SAMPLE = 20_000
# CRSs that explain data landing outside the zone, tried in this order.
_ALTERNATIVES = ("EPSG:4526", "EPSG:4547", "EPSG:4326", "EPSG:4497", "EPSG:4508", "EPSG:3857")
LONLAT_DATUM_NOTE = (
    "lon/lat are taken as WGS84 (GPS, Tianditu, OSM). If they were picked on AMap/高德 or Tencent choose "
    "gcj02, on Baidu choose bd09: otherwise everything sits 0.5-1.3 km off")


@dataclass(frozen=True)
class CRSResolution:
    """How the coordinates were placed: the source CRS, how it was found, the result in WGS84."""

    geoms: np.ndarray | None
    crs: str | None
    how: str
    swapped: bool
    warnings: tuple[str, ...]
    problems: tuple[str, ...]
    source_crs: CRS | None = None
    offset: str | None = None


def check_crs_choice(value: str | None) -> str:
    """Validate a CRS choice; returns "auto", "wgs84", "gcj02", "bd09" or "EPSG:<n>"."""
    text = str(value if value is not None else "auto").strip()
    if text.lower() in ("auto", "wgs84", "gcj02", "bd09"):
        return text.lower()
    match = re.fullmatch(r"(?i)epsg:(\d{4,6})", text)
    if not match:
        raise OptionError(f"crs={value!r} is not allowed; choose one of: {CRS_CHOICES_TEXT}")
    code = f"EPSG:{match.group(1)}"
    try:
        CRS.from_user_input(code)
    except _PyprojCRSError:
        raise OptionError(f"crs={value!r}: PROJ knows no {code}; choose one of: {CRS_CHOICES_TEXT}") from None
    return code


def crs_label(crs: CRS | str) -> str:
    crs = CRS.from_user_input(crs)
    code = crs.to_epsg(min_confidence=90)
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def resolve_crs(geoms: np.ndarray, declared: CRS | None, declared_how: str, choice: str, *,
                lonlat_note: bool = False) -> CRSResolution:
    """Place ``geoms`` (as read) in WGS84 following the rules of this module.

    ``declared`` is the CRS the file states (None if none); ``declared_how`` says where it
    came from ("declared by parcels.prj"). ``lonlat_note`` adds :data:`LONLAT_DATUM_NOTE`
    when lon/lat of unknown origin are taken as WGS84 (CSV/Excel columns).
    """
    choice = check_crs_choice(choice)
    xy = _finite_xy(geoms)
    if not len(xy):
        return CRSResolution(None, None, "", False, (), ("no feature has coordinates to place on the map",))
    guess = detect_crs_from_xy(xy[:, 0], xy[:, 1])
    if choice in ("gcj02", "bd09"):
        return _from_offset(geoms, guess, declared, choice)
    if choice != "auto":
        target = CRS.from_user_input(WGS84 if choice == "wgs84" else choice)
        notes = [] if declared is None or declared == target else [
            f"the file declares {crs_label(declared)} ({declared_how}); using {crs_label(target)} as chosen"]
        return _place(geoms, target, "chosen by the user", guess, notes)
    if declared is not None and (not _impossible(declared, xy) or guess.crs == WGS84):
        notes = [LONLAT_DATUM_NOTE] if lonlat_note and declared.is_geographic else []
        return _place(geoms, declared, declared_how, guess, notes)
    return _from_detection(geoms, guess, declared, declared_how, xy, lonlat_note)


def _finite_xy(geoms: np.ndarray) -> np.ndarray:
    xy = shapely.get_coordinates(np.asarray(geoms, dtype=object))
    xy = xy[np.isfinite(xy).all(axis=1)]
    step = max(1, len(xy) // _SAMPLE)
    return xy[::step]


def _impossible(declared: CRS, xy: np.ndarray) -> bool:
    """Degrees declared but coordinates beyond +-180/+-90: the declaration is wrong."""
    return declared.is_geographic and bool((np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any())


def _from_detection(geoms, guess, declared, declared_how, xy, lonlat_note) -> CRSResolution:
    notes = []
    if declared is not None:
        notes.append(f"the file's CRS ({declared_how}) is {crs_label(declared)} in degrees, but the coordinates "
                     f"reach {_magnitude(np.abs(xy).max())}: they are metres, so that CRS is ignored")
    if guess.crs is None:
        hint = _fits_hint(xy)
        return CRSResolution(None, None, "", False, tuple(notes), (
            f"cannot tell the coordinate system: {guess.reason}{hint} Choose it (CLI: --crs EPSG:<code>; "
            "gcj02/bd09 for AMap/Baidu lon/lat)",))
    target = CRS.from_user_input(guess.crs)
    if target.is_geographic and lonlat_note:
        notes.append(LONLAT_DATUM_NOTE)
    how = f"detected from the coordinates: {guess.reason}"
    return _place(geoms, target, how, guess, notes, announce_swap=False)


def _magnitude(value: float) -> str:
    return f"{value:,.0f}" if value < 1e12 else f"{value:.3g}"


def _fits_hint(xy: np.ndarray) -> str:
    x, y = np.median(xy[:, 0]), np.median(xy[:, 1])
    for code in _ALTERNATIVES:
        for swapped in (False, True):
            lon, lat = _to_lonlat(code, *((y, x) if swapped else (x, y)))
            if in_zone_region(lon, lat):
                return f" (they would fit {crs_label(code)}{' with X and Y swapped' if swapped else ''}.)"
    return ""


def _place(geoms, target: CRS, how: str, guess, notes: list[str], announce_swap: bool = True) -> CRSResolution:
    swapped = bool(guess.crs and guess.swapped and CRS.from_user_input(guess.crs).is_geographic
                   == target.is_geographic)
    if swapped:
        geoms = swap_xy(geoms)
        if announce_swap:
            notes = notes + [f"X and Y were swapped: {guess.reason}"]
    if is_old_datum(target):
        notes = notes + [OLD_DATUM_WARNING]
    out = _to_wgs84(geoms, target)
    problems = _conversion_problems(out, target, geoms)
    return CRSResolution(None if problems else out, crs_label(target), how, swapped, tuple(notes),
                         problems, source_crs=target)


def _from_offset(geoms, guess, declared, choice: str) -> CRSResolution:
    name = {"gcj02": "GCJ-02 (AMap/高德, Tencent)", "bd09": "BD-09 (Baidu/百度)"}[choice]
    if declared is not None and not declared.is_geographic:
        return CRSResolution(None, name, "chosen by the user", False, (), (
            f"{choice} means lon/lat degrees from AMap/Baidu, but the file declares {crs_label(declared)} "
            "(projected metres); choose auto or the file's EPSG code",))
    if guess.crs != WGS84:
        return CRSResolution(None, name, "chosen by the user", False, (), (
            f"{choice} means lon/lat degrees from AMap/Baidu, but these coordinates are not lon/lat in China: "
            f"{guess.reason}",))
    swapped = guess.swapped
    geoms = swap_xy(geoms) if swapped else geoms
    frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, crs=WGS84))
    frame.attrs["datum"] = choice
    out = shift_gdf(frame, choice, "wgs84").geometry.to_numpy()
    notes = [f"X and Y were swapped: {guess.reason}"] if swapped else []
    notes.append(f"converted from {name} to WGS84 (a shift of about 0.6 km near Zhengzhou for GCJ-02, "
                 "1.3 km for BD-09)")
    return CRSResolution(out, name, "chosen by the user", swapped, tuple(notes), (), offset=choice)


def _to_wgs84(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    series = gpd.GeoSeries(np.asarray(geoms, dtype=object), crs=crs)
    return series.to_numpy() if crs.to_epsg() == 4326 else series.to_crs(WGS84).to_numpy()


def _conversion_problems(geoms: np.ndarray, crs: CRS, raw: np.ndarray) -> tuple[str, ...]:
    xy = shapely.get_coordinates(geoms)
    if len(xy) and not np.isfinite(xy).all():
        return (f"some coordinates cannot be converted from {crs_label(crs)} to WGS84 (outside the area "
                f"that CRS covers); the CRS is probably wrong: choose the right one{_fits_hint(_finite_xy(raw))}",)
    return ()


def swap_xy(geoms) -> np.ndarray:
    """Geometries with their first two coordinates exchanged (Z kept)."""
    def swap(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([coords[:, 1], coords[:, 0], coords[:, 2:]])

    return shapely.transform(np.asarray(geoms, dtype=object), swap, include_z=None)


# ----------------------------------------------------------------------------- region check
def region_warnings(wgs84: np.ndarray, raw: np.ndarray, placed: CRSResolution, labels: list[str]) -> list[str]:
    """Warnings for features outside ``ZONE_REGION``, naming the likely cause when all are.

    ``raw`` holds the geometries as read (before any swap or conversion).
    """
    present = ~(shapely.is_missing(wgs84) | shapely.is_empty(wgs84))
    if not present.any():
        return []
    points = shapely.point_on_surface(wgs84[present])
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    inside = in_zone_region(lon, lat)
    if inside.all():
        return []
    region = (f"{ZONE_REGION[0]}-{ZONE_REGION[2]}E, {ZONE_REGION[1]}-{ZONE_REGION[3]}N")
    if inside.any():
        outside = [labels[i] for i, ok in zip(np.flatnonzero(present), inside) if not ok]
        shown = ", ".join(outside[:10]) + (f" and {len(outside) - 10} more" if len(outside) > 10 else "")
        return [f"{len(outside)} of {len(lon)} features lie outside the zone's region ({region}): {shown}; "
                "check their coordinates for typos"]
    where = f"around {np.median(lon):.4f}E {np.median(lat):.4f}N"
    return [f"the data lies outside the zone's region ({region}), {where}. Likely cause: "
            f"{likely_cause(_finite_xy(raw[present]), placed)}"]


def likely_cause(raw_xy: np.ndarray, placed: CRSResolution) -> str:
    """Name the mix-up that would put coordinates ``raw_xy`` (as read) inside the zone."""
    if not len(raw_xy) or placed.source_crs is None:
        return _NO_CAUSE
    x, y = float(np.median(raw_xy[:, 0])), float(np.median(raw_xy[:, 1]))
    used = placed.source_crs
    used_code = f"EPSG:{used.to_epsg()}" if used.to_epsg() else None
    as_used = (y, x) if placed.swapped else (x, y)
    if in_zone_region(*_to_lonlat(used, *as_used[::-1])):
        return "X and Y are swapped (the first column holds northings or latitudes); swap them or choose the columns"
    for code in _ALTERNATIVES:
        if code == used_code:
            continue
        for swapped in (placed.swapped, not placed.swapped):
            if in_zone_region(*_to_lonlat(code, *((y, x) if swapped else (x, y)))):
                return _cause_text(code, used, x if not swapped else y, swapped != placed.swapped)
    return _NO_CAUSE


_NO_CAUSE = ("none of the usual mix-ups (swapped X/Y, the zone number in the easting, a wrong central meridian, "
             "lon/lat taken as metres) puts it in the zone: check which CRS the data was made in, or whether "
             "it covers another area")


def _cause_text(code: str, used: CRS, east: float, swapped: bool) -> str:
    swap = " with X and Y swapped" if swapped else ""
    fit = f"the coordinates fit {crs_label(code)}{swap}, not {crs_label(used)}"
    why = {
        "EPSG:4526": "the eastings carry the zone number 38 (8 digits)",
        "EPSG:4547": "the eastings have no zone number (6 digits) on central meridian 114E",
        "EPSG:4326": "they are lon/lat degrees",
        "EPSG:4497": "they are in a 6-degree zone (zone 19) with the zone number",
        "EPSG:4508": "they are in a 6-degree zone on central meridian 111E",
        "EPSG:3857": "they are Web Mercator metres from a web map",
    }[code]
    return f"{why}: {fit}; choose {code}"


def _to_lonlat(crs, x: float, y: float) -> tuple[float, float]:
    try:
        transformer = Transformer.from_crs(CRS.from_user_input(crs), WGS84, always_xy=True)
        lon, lat = transformer.transform(x, y, errcheck=False)
    except Exception:  # PROJ refuses some inputs outright; such a candidate simply does not fit
        return float("nan"), float("nan")
    return float(lon), float(lat)
