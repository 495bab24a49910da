"""Checks that the shipped geodata is faithful to the seeds and geometrically sound.

Each check returns a :class:`Check`; ``zkq-geo validate`` prints them and fails on any failure.
Areas are measured in CGCS2000 / 3-degree GK CM 114E (EPSG:4547).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zkq_geo.catalog import Catalog, load_catalog
from zkq_geo.columns import EFFICIENCY_LAYERS
from zkq_geo.crs import measure_area_m2
from zkq_geo.layers import LayerData, load_layers
from zkq_geo.units import M2_PER_KM2, M2_PER_MU

AREA_TOLERANCE = 0.05  # documented vs measured schematic area
REGION = (113.70, 34.60, 113.90, 34.78)  # lon_min, lat_min, lon_max, lat_max of the shipped data
QUALIFIERS = {"", "exact", "at_least", "about"}
GEOMETRY_QUALITIES = {"schematic", "surveyed", "digitised", "user"}
CONTAIN_TOLERANCE_M = 1.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def validate_geodata(catalog: Catalog | None = None) -> list[Check]:
    """Run every check on the catalogue's layers; never raises for a failed check."""
    catalog = catalog or load_catalog()
    data = load_layers([n for n, s in catalog.layers.items() if s.origin == "shipped"], catalog=catalog)
    checks = [_check_join(d) for d in data.values()]
    checks += [_check_records(d, catalog) for d in data.values()]
    checks += [_check_geometry(d) for d in data.values()]
    checks.append(_check_region(data))
    checks.append(_check_inside_zone(data))
    checks += _check_areas(data)
    checks.append(_check_plates_contain_boards(data))
    checks.append(_check_placement(data))
    checks.append(_check_alt_figures(data, catalog))
    return checks


def _check_join(d: LayerData) -> Check:
    return Check(f"{d.name}: attributes join", d.report.clean, d.report.summary())


def _check_records(d: LayerData, catalog: Catalog) -> Check:
    gdf, problems = d.gdf, []
    if gdf["id"].duplicated().any():
        problems.append(f"duplicate ids {sorted(gdf.loc[gdf['id'].duplicated(), 'id'])}")
    if "source" in gdf and (gdf["source"].str.strip() == "").any():
        problems.append(f"no source: {list(gdf.loc[gdf['source'].str.strip() == '', 'id'])}")
    bad_q = ~gdf["geometry_quality"].isin(GEOMETRY_QUALITIES)
    if bad_q.any():
        problems.append(f"geometry_quality not in {sorted(GEOMETRY_QUALITIES)}: {list(gdf.loc[bad_q, 'id'])}")
    if d.name in EFFICIENCY_LAYERS:
        problems += _feature_field_problems(gdf, catalog)
    return Check(
        f"{d.name}: records",
        not problems,
        "; ".join(problems) or f"{len(gdf)} records, ids unique, all sourced",
    )


def _feature_field_problems(gdf, catalog: Catalog) -> list[str]:
    problems = []
    codes = set(catalog.industries)
    bad = ~gdf["industry"].isin(codes)
    if bad.any():
        problems.append(f"industry not in vocabulary: {list(gdf.loc[bad, 'id'])}")
    lists = gdf["industries"].str.split("|")
    bad = [
        i
        for i, ind, lst in zip(gdf["id"], gdf["industry"], lists, strict=False)
        if ind not in lst or not set(lst) <= codes
    ]
    if bad:
        problems.append(f"industries must list known codes incl. the primary: {bad}")
    for col in ("investment_qualifier", "land_area_qualifier", "floor_area_qualifier"):
        bad = ~gdf[col].isin(QUALIFIERS)
        if bad.any():
            problems.append(f"{col} not in {sorted(QUALIFIERS)}: {list(gdf.loc[bad, 'id'])}")
    for num, qual in (
        ("investment_yi", "investment_qualifier"),
        ("land_area_mu", "land_area_qualifier"),
        ("floor_area_m2", "floor_area_qualifier"),
    ):
        mismatch = gdf[num].notna() != (gdf[qual] != "")
        if mismatch.any():
            problems.append(
                f"{num} and {qual} must be both set or both empty: {list(gdf.loc[mismatch, 'id'])}"
            )
        if (gdf[num] <= 0).any():
            problems.append(f"{num} must be positive: {list(gdf.loc[gdf[num] <= 0, 'id'])}")
    return problems


def _check_geometry(d: LayerData) -> Check:
    geoms = d.gdf.geometry
    bad = d.gdf.loc[geoms.isna() | geoms.is_empty | ~geoms.is_valid, "id"].tolist()
    return Check(
        f"{d.name}: geometry valid",
        not bad,
        f"invalid or empty: {bad}" if bad else f"{len(geoms)} valid geometries",
    )


def _check_region(data: dict[str, LayerData]) -> Check:
    outside = []
    for d in data.values():
        b = d.gdf.geometry.bounds
        off = (b.minx < REGION[0]) | (b.miny < REGION[1]) | (b.maxx > REGION[2]) | (b.maxy > REGION[3])
        outside += [f"{d.name}:{i}" for i in d.gdf.loc[off, "id"]]
    return Check("all features within 113.70-113.90E, 34.60-34.78N", not outside, ", ".join(outside) or "yes")


def _check_inside_zone(data: dict[str, LayerData]) -> Check:
    zone = data["zone"].gdf.to_crs("EPSG:4547").geometry.union_all().buffer(CONTAIN_TOLERANCE_M)
    outside = []
    for name, d in data.items():
        if name != "zone":
            inside = d.gdf.to_crs("EPSG:4547").within(zone)
            outside += [f"{name}:{i}" for i in d.gdf.loc[~inside.to_numpy(), "id"]]
    return Check("every feature inside the zone", not outside, ", ".join(outside) or "yes")


def _area_check(name: str, gdf, documented_m2: pd.Series) -> Check:
    measured = measure_area_m2(gdf)
    has_doc = documented_m2.notna().to_numpy()
    rel = (measured.to_numpy() - documented_m2.to_numpy()) / documented_m2.to_numpy()
    bad = [
        f"{i} ({r:+.1%})"
        for i, r, h in zip(gdf["id"], rel, has_doc, strict=False)
        if h and abs(r) > AREA_TOLERANCE
    ]
    n = int(has_doc.sum())
    worst = float(np.nanmax(np.abs(rel[has_doc]))) if n else 0.0
    return Check(
        f"{name}: measured area within 5% of documented (EPSG:4547)",
        not bad,
        ", ".join(bad) or f"{n} features, worst deviation {worst:.2%}",
    )


def _check_areas(data: dict[str, LayerData]) -> list[Check]:
    zone = data["zone"].gdf
    boards = data["boards"].gdf
    parks = data["parks"].gdf
    return [
        _area_check("zone", zone, zone["planned_area_km2"] * M2_PER_KM2),
        _area_check("boards", boards, boards["area_km2"] * M2_PER_KM2),
        _area_check("parks", parks, parks["land_area_mu"] * M2_PER_MU),
    ]


def _check_plates_contain_boards(data: dict[str, LayerData]) -> Check:
    plates = data["plates"].gdf.to_crs("EPSG:4547").set_index("id")
    boards = data["boards"].gdf.to_crs("EPSG:4547").set_index("id")
    bad = [
        f"{pid} !⊇ {bid}"
        for pid, bid in plates["board_id"].items()
        if bid and not plates.geometry[pid].buffer(CONTAIN_TOLERANCE_M).contains(boards.geometry[bid])
    ]
    linked = int((plates["board_id"] != "").sum())
    return Check(
        "plates contain their boards",
        not bad and linked == len(boards),
        ", ".join(bad) or f"{linked} plate-board links hold",
    )


def _check_placement(data: dict[str, LayerData]) -> Check:
    """Parks and projects lie inside their plate (and projects inside their park) where assigned."""
    hosts = {**_host_shapes(data["plates"]), **_host_shapes(data["parks"])}
    bad = []
    for name in ("parks", "projects"):
        gdf = data[name].gdf.to_crs("EPSG:4547")
        for col in ("plate_id", "park_id"):
            if col not in gdf:
                continue
            for fid, host, geom in zip(gdf["id"], gdf[col], gdf.geometry, strict=False):
                if host and (host not in hosts or not hosts[host].contains(geom)):
                    bad.append(f"{fid} not inside {host}")
    return Check("parks and projects inside their assigned plate/park", not bad, ", ".join(bad) or "yes")


def _host_shapes(d: LayerData) -> dict:
    gdf = d.gdf.to_crs("EPSG:4547")
    return {i: g.buffer(CONTAIN_TOLERANCE_M) for i, g in zip(gdf["id"], gdf.geometry, strict=False)}


def _check_alt_figures(data: dict[str, LayerData], catalog: Catalog) -> Check:
    if catalog.alt_figures is None:
        return Check("alternative figures refer to existing records", True, "no table")
    from zkq_geo.io import read_table

    alt = read_table(catalog.alt_figures)
    known = {(n, i) for n in EFFICIENCY_LAYERS for i in data[n].gdf["id"]}
    bad = [f"{r.layer}:{r.id}" for r in alt.itertuples() if (r.layer, r.id) not in known or not r.source]
    return Check(
        "alternative figures refer to existing records", not bad, ", ".join(bad) or f"{len(alt)} figures"
    )
