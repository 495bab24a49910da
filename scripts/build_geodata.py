"""Build the SCHEMATIC geometry of the shipped layers (geodata/geometry/*.geojson).

The seed documents hold no coordinates, so the shipped geometry is drawn here, by rule, and
every feature is tagged ``geometry_quality = "schematic"`` (示意范围，非法定边界):

- the zone is a chamfered rectangle around 113.79E 34.70N scaled to its documented planned
  area (158.7 km2, seed 000);
- boards are rectangles with exactly their documented planned area (seed 002 第七章); the three
  core plates reuse their board's outline (they are the same places under 2023 names);
- the other three plates have no documented area: their outlines are illustrative only;
- parks are squares of exactly their documented planned land (亩, seed 002 专栏4-2), inside their
  plate where a plate is assigned, elsewhere on free land inside the zone;
- projects are points: inside their park or plate where one is assigned, otherwise on a regular
  grid of free land (away from plates and parks, so that placement implies no membership).

Areas are built in CGCS2000 / 3-degree GK CM 114E (EPSG:4547) and written as WGS84 lon/lat.
The output is deterministic; rerun with ``python scripts/build_geodata.py`` after editing
attributes. ``zkq-geo validate`` checks the result.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import shapely
import shapely.affinity
from pyproj import Transformer
from shapely.geometry import Point, Polygon, box, mapping

ROOT = Path(__file__).resolve().parents[1]
ATTR = ROOT / "geodata" / "attributes"
OUT = ROOT / "geodata" / "geometry"
M2_PER_MU = 10000 / 15
CENTER = (113.79, 34.70)
TO_GK = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
TO_LL = Transformer.from_crs("EPSG:4547", "EPSG:4326", always_xy=True)
CX, CY = TO_GK.transform(*CENTER)

# Offsets of shape centres from the zone centre, in km (east, north). Schematic choices.
BOARD_AT = {"board_qibu": (-3.8, 3.0), "board_binhe": (-1.5, 0.3), "board_logistics": (0.2, -3.6)}
PLATE_OUTLINE_KM = {  # (east, north, width, height) of the plates with no documented area
    "plate_xiangyun": (4.6, 0.4, 3.4, 3.0),
    "plate_putian": (1.8, 4.0, 3.0, 2.0),
    "plate_expansion": (4.4, -3.7, 3.4, 2.4),
}
PARK_AT = {
    "park_jianye": (-5.6, -0.9),
    "park_zte": (-4.0, -1.4),
    "park_info": (-5.3, 1.2),
    "park_smartmfg": (-2.6, -2.3),
    "park_zhenxing": (-1.0, 2.6),
    "park_biomed": (-3.0, -4.0),
    "park_newmat": (-5.6, -3.4),
    "park_zhongyuan": (1.4, 1.0),
    "park_autoelec": (-0.9, -1.6),
}


def km(dx: float, dy: float) -> tuple[float, float]:
    return CX + dx * 1000, CY + dy * 1000


def rect_of_area(center: tuple[float, float], area_m2: float, aspect: float = 1.4) -> Polygon:
    """Axis-aligned rectangle in EPSG:4547 with the given area and width/height ratio."""
    h = math.sqrt(area_m2 / aspect)
    w = area_m2 / h
    x, y = center
    return box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def zone_outline(area_m2: float) -> Polygon:
    """Chamfered rectangle (14 x 11.3 units) scaled so its area is ``area_m2``."""
    w, h, c = 14.0, 11.3, 1.6
    unit = Polygon(
        [
            (-w / 2 + c, -h / 2),
            (w / 2 - c, -h / 2),
            (w / 2, -h / 2 + c),
            (w / 2, h / 2 - c),
            (w / 2 - c, h / 2),
            (-w / 2 + c, h / 2),
            (-w / 2, h / 2 - c),
            (-w / 2, -h / 2 + c),
        ]
    )
    s = math.sqrt(area_m2 / unit.area)
    return shapely.affinity.affine_transform(unit, [s, 0, 0, s, CX, CY])


def to_lonlat(geom):
    return shapely.transform(geom, lambda xy: _ll(xy))


def _ll(xy):
    import numpy as np

    lon, lat = TO_LL.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def write(name: str, rows: list[tuple[str, object]]) -> None:
    feats = []
    for fid, geom in rows:
        g = mapping(to_lonlat(geom))
        feats.append(
            {
                "type": "Feature",
                "id": fid,
                "properties": {"id": fid, "geometry_quality": "schematic"},
                "geometry": _round(g),
            }
        )
    fc = {
        "type": "FeatureCollection",
        "name": name,
        "note": "示意范围，非法定边界 — schematic geometry drawn by scripts/build_geodata.py; the seeds "
        "hold no coordinates",
        "features": feats,
    }
    (OUT / f"{name}.geojson").write_text(
        json.dumps(fc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def _round(obj):
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    return round(obj, 7) if isinstance(obj, float) else obj


def free_grid(blocked, zone, spacing_m=1000.0, clearance_m=350.0) -> list[Point]:
    """Grid points inside the zone, at least ``clearance_m`` from blocked shapes."""
    xmin, ymin, xmax, ymax = zone.buffer(-800).bounds
    pts = []
    y = ymin
    while y <= ymax:
        x = xmin
        while x <= xmax:
            p = Point(x, y)
            if zone.buffer(-800).contains(p) and blocked.distance(p) > clearance_m:
                pts.append(p)
            x += spacing_m
        y += spacing_m
    return pts


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    zone_attr = pd.read_csv(ATTR / "zone.csv")
    boards = pd.read_csv(ATTR / "boards.csv")
    plates = pd.read_csv(ATTR / "plates.csv", keep_default_na=False)
    parks = pd.read_csv(ATTR / "parks.csv", keep_default_na=False)
    projects = pd.read_csv(ATTR / "projects.csv", keep_default_na=False)

    zone = zone_outline(float(zone_attr.planned_area_km2[0]) * 1e6)
    board_geom = {b.id: rect_of_area(km(*BOARD_AT[b.id]), b.area_km2 * 1e6) for b in boards.itertuples()}
    plate_geom = {}
    for p in plates.itertuples():
        if p.board_id:
            plate_geom[p.id] = board_geom[p.board_id]
        else:
            e, n, w, h = PLATE_OUTLINE_KM[p.id]
            x, y = km(e, n)
            plate_geom[p.id] = box(x - w * 500, y - h * 500, x + w * 500, y + h * 500)
    park_geom = {}
    for p in parks.itertuples():
        area = float(p.land_area_mu) * M2_PER_MU
        if p.id in PARK_AT:
            center = km(*PARK_AT[p.id])
        else:  # placed inside its plate, left of the plate's centre
            c = plate_geom[p.plate_id].centroid
            center = (c.x - 250, c.y - 150)
        park_geom[p.id] = rect_of_area(center, area, aspect=1.0)

    blocked = shapely.union_all(list(plate_geom.values()) + list(park_geom.values()))
    grid = free_grid(blocked, zone)
    project_geom, k, used = {}, 0, {}
    stride = max(1, len(grid) // max(1, (projects.park_id.eq("") & projects.plate_id.eq("")).sum()))
    for p in projects.itertuples():
        host = park_geom.get(p.park_id) or plate_geom.get(p.plate_id)
        if host is not None:
            n = used.get(id(host), 0)
            used[id(host)] = n + 1
            c = host.centroid
            pt = Point(c.x + 60 * n, c.y - 40 * n)
        else:
            pt = grid[(k * stride) % len(grid)]
            k += 1
        project_geom[p.id] = pt

    write("zone", [("zone", zone)])
    write("boards", list(board_geom.items()))
    write("plates", list(plate_geom.items()))
    write("parks", list(park_geom.items()))
    write("projects", list(project_geom.items()))
    print(
        f"wrote {OUT}: 1 zone, {len(board_geom)} boards, {len(plate_geom)} plates, "
        f"{len(park_geom)} parks, {len(project_geom)} projects"
    )


if __name__ == "__main__":
    main()
