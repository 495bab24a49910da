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

from zkq_geo.crs import WGS84, ZONE_REGION, detect_crs_from_xy, in_zone_region, is_old_datum, shift_gdf
from zkq_geo.errors import OptionError
from zkq_geo.i18n.messages import listed, msg

CRS_CHOICES_TEXT = msg("crs_choices")
_SAMPLE = 20_000
# CRSs that explain data landing outside the zone, tried in this order.
_ALTERNATIVES = ("EPSG:4526", "EPSG:4547", "EPSG:4326", "EPSG:4497", "EPSG:4508", "EPSG:3857")
LONLAT_DATUM_NOTE = msg("lonlat_datum_note")


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
        raise OptionError(msg("crs_not_allowed", value=value, choices=CRS_CHOICES_TEXT))
    code = f"EPSG:{match.group(1)}"
    try:
        CRS.from_user_input(code)
    except _PyprojCRSError:
        raise OptionError(msg("crs_unknown_epsg", value=value, code=code, choices=CRS_CHOICES_TEXT)) from None
    return code


def crs_label(crs: CRS | str) -> str:
    crs = CRS.from_user_input(crs)
    code = crs.to_epsg(min_confidence=90)
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def resolve_crs(
    geoms: np.ndarray, declared: CRS | None, declared_how: str, choice: str, *, lonlat_note: bool = False
) -> CRSResolution:
    """Place ``geoms`` (as read) in WGS84 following the rules of this module.

    ``declared`` is the CRS the file states (None if none); ``declared_how`` says where it
    came from ("declared by parcels.prj"). ``lonlat_note`` adds :data:`LONLAT_DATUM_NOTE`
    when lon/lat of unknown origin are taken as WGS84 (CSV/Excel columns).
    """
    choice = check_crs_choice(choice)
    xy = _finite_xy(geoms)
    if not len(xy):
        return CRSResolution(None, None, "", False, (), (msg("no_coordinates"),))
    guess = detect_crs_from_xy(xy[:, 0], xy[:, 1])
    if choice in ("gcj02", "bd09"):
        return _from_offset(geoms, guess, declared, choice)
    if choice != "auto":
        target = CRS.from_user_input(WGS84 if choice == "wgs84" else choice)
        notes = (
            []
            if declared is None or declared == target
            else [
                msg(
                    "crs_overridden", declared=crs_label(declared), how=declared_how, target=crs_label(target)
                )
            ]
        )
        return _place(geoms, target, msg("crs_how_chosen"), guess, notes)
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
        notes.append(
            msg(
                "degrees_declared_metres",
                how=declared_how,
                declared=crs_label(declared),
                magnitude=_magnitude(np.abs(xy).max()),
            )
        )
    if guess.crs is None:
        hint = _fits_hint(xy)
        return CRSResolution(
            None, None, "", False, tuple(notes), (msg("crs_undetermined", reason=guess.reason, hint=hint),)
        )
    target = CRS.from_user_input(guess.crs)
    if target.is_geographic and lonlat_note:
        notes.append(LONLAT_DATUM_NOTE)
    how = msg("crs_how_detected", reason=guess.reason)
    return _place(geoms, target, how, guess, notes, announce_swap=False)


def _magnitude(value: float) -> str:
    return f"{value:,.0f}" if value < 1e12 else f"{value:.3g}"


def _fits_hint(xy: np.ndarray) -> str:
    x, y = np.median(xy[:, 0]), np.median(xy[:, 1])
    for code in _ALTERNATIVES:
        for swapped in (False, True):
            lon, lat = _to_lonlat(code, *((y, x) if swapped else (x, y)))
            if in_zone_region(lon, lat):
                return msg("fits_hint_swapped" if swapped else "fits_hint", crs=crs_label(code))
    return ""


def _place(
    geoms, target: CRS, how: str, guess, notes: list[str], announce_swap: bool = True
) -> CRSResolution:
    swapped = bool(
        guess.crs and guess.swapped and CRS.from_user_input(guess.crs).is_geographic == target.is_geographic
    )
    if swapped:
        geoms = swap_xy(geoms)
        if announce_swap:
            notes = notes + [msg("xy_swapped", reason=guess.reason)]
    if is_old_datum(target):
        notes = notes + [msg("old_datum")]
    out = _to_wgs84(geoms, target)
    problems = _conversion_problems(out, target, geoms)
    return CRSResolution(
        None if problems else out, crs_label(target), how, swapped, tuple(notes), problems, source_crs=target
    )


def _from_offset(geoms, guess, declared, choice: str) -> CRSResolution:
    name = msg(f"offset_{choice}")
    if declared is not None and not declared.is_geographic:
        return CRSResolution(
            None,
            name,
            msg("crs_how_chosen"),
            False,
            (),
            (msg("offset_but_projected", choice=choice, declared=crs_label(declared)),),
        )
    if guess.crs != WGS84:
        return CRSResolution(
            None,
            name,
            msg("crs_how_chosen"),
            False,
            (),
            (msg("offset_but_not_lonlat", choice=choice, reason=guess.reason),),
        )
    swapped = guess.swapped
    geoms = swap_xy(geoms) if swapped else geoms
    frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, crs=WGS84))
    frame.attrs["datum"] = choice
    out = shift_gdf(frame, choice, "wgs84").geometry.to_numpy()
    notes = [msg("xy_swapped", reason=guess.reason)] if swapped else []
    notes.append(msg("offset_converted", name=name))
    return CRSResolution(out, name, msg("crs_how_chosen"), swapped, tuple(notes), (), offset=choice)


def _to_wgs84(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    series = gpd.GeoSeries(np.asarray(geoms, dtype=object), crs=crs)
    return series.to_numpy() if crs.to_epsg() == 4326 else series.to_crs(WGS84).to_numpy()


def _conversion_problems(geoms: np.ndarray, crs: CRS, raw: np.ndarray) -> tuple[str, ...]:
    xy = shapely.get_coordinates(geoms)
    if len(xy) and not np.isfinite(xy).all():
        return (msg("conversion_failed", crs=crs_label(crs), hint=_fits_hint(_finite_xy(raw))),)
    return ()


def swap_xy(geoms) -> np.ndarray:
    """Geometries with their first two coordinates exchanged (Z kept)."""

    def swap(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([coords[:, 1], coords[:, 0], coords[:, 2:]])

    return shapely.transform(np.asarray(geoms, dtype=object), swap, include_z=None)


# ----------------------------------------------------------------------------- region check
def region_warnings(
    wgs84: np.ndarray, raw: np.ndarray, placed: CRSResolution, labels: list[str]
) -> list[str]:
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
    region = msg(
        "zone_region",
        lon_min=ZONE_REGION[0],
        lon_max=ZONE_REGION[2],
        lat_min=ZONE_REGION[1],
        lat_max=ZONE_REGION[3],
    )
    if inside.any():
        outside = [labels[i] for i, ok in zip(np.flatnonzero(present), inside, strict=False) if not ok]
        return [
            msg("some_outside_zone", n=len(outside), total=len(lon), region=region, listed=listed(outside))
        ]
    return [
        msg(
            "all_outside_zone",
            region=region,
            lon=float(np.median(lon)),
            lat=float(np.median(lat)),
            cause=likely_cause(_finite_xy(raw[present]), placed),
        )
    ]


def likely_cause(raw_xy: np.ndarray, placed: CRSResolution) -> str:
    """Name the mix-up that would put coordinates ``raw_xy`` (as read) inside the zone."""
    if not len(raw_xy) or placed.source_crs is None:
        return _NO_CAUSE
    x, y = float(np.median(raw_xy[:, 0])), float(np.median(raw_xy[:, 1]))
    used = placed.source_crs
    used_code = f"EPSG:{used.to_epsg()}" if used.to_epsg() else None
    as_used = (y, x) if placed.swapped else (x, y)
    if in_zone_region(*_to_lonlat(used, *as_used[::-1])):
        return msg("cause_swapped")
    for code in _ALTERNATIVES:
        if code == used_code:
            continue
        for swapped in (placed.swapped, not placed.swapped):
            if in_zone_region(*_to_lonlat(code, *((y, x) if swapped else (x, y)))):
                return _cause_text(code, used, x if not swapped else y, swapped != placed.swapped)
    return _NO_CAUSE


_NO_CAUSE = msg("cause_unknown")


def _cause_text(code: str, used: CRS, east: float, swapped: bool) -> str:
    return msg(
        "cause_fits_swapped" if swapped else "cause_fits",
        why=msg(f"why_{code}"),
        fits=crs_label(code),
        used=crs_label(used),
        code=code,
    )


def _to_lonlat(crs, x: float, y: float) -> tuple[float, float]:
    try:
        transformer = Transformer.from_crs(CRS.from_user_input(crs), WGS84, always_xy=True)
        lon, lat = transformer.transform(x, y, errcheck=False)
    except Exception:  # PROJ refuses some inputs outright; such a candidate simply does not fit
        return float("nan"), float("nan")
    return float(lon), float(lat)
