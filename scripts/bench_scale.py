"""Beyond one server, measured on one: zones x parcels in a PostGIS table partitioned by zone.

    .venv/bin/python scripts/bench_scale.py [--zones 10] [--parcels-per-zone 100000] [--runs 5]
                                            [--url postgresql://...] [--json [PATH]] [--keep]

Without ``--url`` it starts a throwaway PostgreSQL + PostGIS cluster (``bash scripts/pg_cluster.sh
start DIR``, which installs the Debian packages when missing) and removes it at the end. It then

1. generates ``--zones`` x ``--parcels-per-zone`` synthetic parcels (8-vertex polygons about 50 m
   a side in EPSG:4326, on a grid around a distinct centre per zone; land_area_mu from the
   polygon's area in metres, investment_wan, output_wan, tax_wan, an industry code of the
   catalogue), deterministic for a given size;
2. loads them with COPY (psycopg 3) into ``bench_scale.parcels``, LIST-partitioned by zone_id,
   and builds a GIST index on the geometry and a primary key (zone_id, parcel_id) on every
   partition, then ANALYZE;
3. times, warm (one untimed run first), the median of ``--runs`` runs of each query, once with the
   zone key (for every zone) and once without it:

   - 亩均 by industry: sums of land, investment, output and tax and the per-mu ratios of one zone,
     and the same over all zones;
   - the parcels in a tile-sized box (the zoom-14 tile at the zone's centre), with the zone key
     and without it (every partition's index is probed);
   - an ST_AsMVT vector tile of the same tile, with and without the zone key;

4. prints the table (query, one zone ms, all zones ms, ratio, rows), the sizes (table and index
   MB, load seconds), which partitions the one-zone plan touches, what a partition without a
   matching row costs a query without the zone key (EXPLAIN ANALYZE), and an extrapolation to
   ``--target-zones`` zones and ``--target-parcels`` parcels with its assumptions.

``--json`` prints the figures as JSON instead of the table; ``--json PATH`` writes them to PATH
and prints the table. With ``--url`` the schema ``bench_scale`` of that database is dropped and
made again (anything in it is lost); ``--keep`` leaves it there at the end (otherwise it is
dropped). Nothing here is asserted: it is a command that prints figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from zkq_geo.catalog import load_catalog  # noqa: E402
from zkq_geo.units import M2_PER_MU  # noqa: E402

SCHEMA = "bench_scale"
TABLE = f"{SCHEMA}.parcels"
COLUMNS = ("zone_id", "parcel_id", "land_area_mu", "investment_wan", "output_wan", "tax_wan", "industry")
SEED = 20260
CELL_M = 60.0  # one parcel per 60 m x 60 m grid cell: ~3.75 亩 a parcel, 100k parcels ~19 km x 19 km
M_PER_DEG_LAT = 111_320.0
TILE_ZOOM = 14
WGS84_SRID = 4326
CLUSTER_SCRIPT = REPO / "scripts" / "pg_cluster.sh"


# --- synthetic parcels -------------------------------------------------------------------------


def zone_centre(zone_id: int) -> tuple[float, float]:
    """(lon, lat) of a zone: a 1-degree lattice over eastern China, 20 zones a row from 104E 23N."""
    row, col = divmod(zone_id - 1, 20)
    return 104.0 + col * 1.0 + 0.5, 23.0 + row * 1.0 + 0.5


def parcel_rings_m(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` closed 8-vertex rings (n, 9, 2) in metres, one per 60 m grid cell, centred on (0, 0).

    Corners are pulled inwards 2-8 m and edge midpoints moved +-3 m, so the rings are simple and
    no two parcels touch.
    """
    side = math.ceil(math.sqrt(n))
    idx = np.arange(n)
    x0 = (idx % side - side / 2) * CELL_M
    y0 = (idx // side - side / 2) * CELL_M
    lo, hi, mid = rng.uniform(2, 8, (n, 4, 2)), CELL_M, CELL_M / 2
    corners = np.stack(
        [
            np.stack([lo[:, 0, 0], lo[:, 0, 1]], axis=1),
            np.stack([hi - lo[:, 1, 0], lo[:, 1, 1]], axis=1),
            np.stack([hi - lo[:, 2, 0], hi - lo[:, 2, 1]], axis=1),
            np.stack([lo[:, 3, 0], hi - lo[:, 3, 1]], axis=1),
        ],
        axis=1,
    )
    shift = rng.uniform(-3, 3, (n, 4))
    mids = np.stack(
        [
            np.stack([np.full(n, mid), shift[:, 0] + 5], axis=1),
            np.stack([hi - 5 + shift[:, 1], np.full(n, mid)], axis=1),
            np.stack([np.full(n, mid), hi - 5 + shift[:, 2]], axis=1),
            np.stack([shift[:, 3] + 5, np.full(n, mid)], axis=1),
        ],
        axis=1,
    )
    ring = np.empty((n, 9, 2))
    ring[:, 0:8:2], ring[:, 1:8:2], ring[:, 8] = corners, mids, corners[:, 0]
    ring[:, :, 0] += x0[:, None]
    ring[:, :, 1] += y0[:, None]
    return ring


def ring_area_m2(ring: np.ndarray) -> np.ndarray:
    """Shoelace area (m2) of closed rings (n, k, 2) in metres."""
    x, y = ring[:, :, 0], ring[:, :, 1]
    return np.abs(np.sum(x[:, :-1] * y[:, 1:] - x[:, 1:] * y[:, :-1], axis=1)) / 2


def make_zone(zone_id: int, n: int, industries: list[str]) -> pd.DataFrame:
    """The ``n`` parcels of one zone: the attribute columns and ``geometry`` as hex EWKB (SRID 4326)."""
    rng = np.random.default_rng([SEED, zone_id])
    ring = parcel_rings_m(n, rng)
    land_mu = ring_area_m2(ring) / M2_PER_MU
    lon0, lat0 = zone_centre(zone_id)
    lonlat = np.empty_like(ring)
    lonlat[:, :, 1] = lat0 + ring[:, :, 1] / M_PER_DEG_LAT
    lonlat[:, :, 0] = lon0 + ring[:, :, 0] / (M_PER_DEG_LAT * np.cos(np.radians(lonlat[:, :, 1])))
    polygons = shapely.set_srid(shapely.polygons(lonlat), WGS84_SRID)
    invest_per_mu = np.exp(rng.normal(math.log(300), 0.6, n))  # 万元/亩
    output = land_mu * invest_per_mu * rng.uniform(0.6, 2.0, n)
    return pd.DataFrame(
        {
            "zone_id": zone_id,
            "parcel_id": np.arange(1, n + 1, dtype=np.int64),
            "land_area_mu": np.round(land_mu, 2),
            "investment_wan": np.round(land_mu * invest_per_mu, 1),
            "output_wan": np.round(output, 1),
            "tax_wan": np.round(output * rng.uniform(0.02, 0.08, n), 1),
            "industry": rng.choice(industries, n),
            "geometry": shapely.to_wkb(polygons, hex=True, include_srid=True),
        }
    )


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int, int]:
    """The web-mercator tile (z, x, y) holding (lon, lat)."""
    scale = 2**zoom
    x = int((lon + 180.0) / 360.0 * scale)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * scale)
    return zoom, x, y


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of the web-mercator tile (z, x, y)."""
    scale = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / scale))))

    return x / scale * 360.0 - 180.0, lat(y + 1), (x + 1) / scale * 360.0 - 180.0, lat(y)


# --- the database ------------------------------------------------------------------------------


@contextmanager
def database(url: str | None, echo: Callable[[str], None]) -> Iterator[str]:
    """``url``, or the URL of a throwaway cluster started with scripts/pg_cluster.sh (stopped after)."""
    if url:
        yield url.replace("postgresql+psycopg://", "postgresql://", 1)
        return
    folder = tempfile.mkdtemp(prefix="zkq-scale-")
    echo(f"starting a throwaway PostgreSQL + PostGIS cluster in {folder}")
    try:
        done = subprocess.run(
            ["bash", str(CLUSTER_SCRIPT), "start", folder], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"bench_scale: pg_cluster.sh failed:\n{done.stderr.strip()[-1000:]}")
        yield done.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", folder], capture_output=True, check=False)


def create_table(conn, zones: int) -> None:
    """(Re)create the ``bench_scale`` schema and its parcels table with one partition a zone."""
    if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        raise SystemExit("bench_scale: the database has no PostGIS; run CREATE EXTENSION postgis in it first")
    conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    conn.execute(f"CREATE SCHEMA {SCHEMA}")
    conn.execute(
        f"""CREATE TABLE {TABLE} (
            zone_id integer NOT NULL,
            parcel_id bigint NOT NULL,
            land_area_mu double precision,
            investment_wan double precision,
            output_wan double precision,
            tax_wan double precision,
            industry text,
            geometry geometry(Polygon, {WGS84_SRID}) NOT NULL
        ) PARTITION BY LIST (zone_id)"""
    )
    for zone in range(1, zones + 1):
        conn.execute(f"CREATE TABLE {SCHEMA}.parcels_z{zone:03d} PARTITION OF {TABLE} FOR VALUES IN ({zone})")


def load(conn, zones: int, per_zone: int, echo: Callable[[str], None]) -> dict:
    """Generate and COPY every zone, then index and analyse; seconds of each step."""
    industries = sorted(load_catalog().industries)
    seconds = {"generate": 0.0, "copy": 0.0}
    for zone in range(1, zones + 1):
        t0 = time.perf_counter()
        frame = make_zone(zone, per_zone, industries)
        text = frame.to_csv(sep="\t", header=False, index=False, lineterminator="\n")
        t1 = time.perf_counter()
        with conn.cursor().copy(f"COPY {TABLE} ({', '.join(COLUMNS)}, geometry) FROM STDIN") as copy:
            copy.write(text.encode())
        conn.commit()
        seconds["generate"] += t1 - t0
        seconds["copy"] += time.perf_counter() - t1
        echo(f"zone {zone}/{zones}: {per_zone} parcels loaded")
    t0 = time.perf_counter()
    conn.execute(f"CREATE INDEX parcels_geometry_gist ON {TABLE} USING gist (geometry)")
    conn.execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (zone_id, parcel_id)")
    conn.commit()
    seconds["index"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute(f"ANALYZE {TABLE}")
    conn.commit()
    seconds["analyze"] = time.perf_counter() - t0
    return seconds


def sizes(conn) -> dict:
    """Heap (with TOAST) and index sizes in MB over the partitions, and their number."""
    table_b, index_b, parts = conn.execute(
        f"""SELECT sum(pg_table_size(relid)), sum(pg_indexes_size(relid)), count(*)
            FROM pg_partition_tree('{TABLE}') WHERE isleaf"""
    ).fetchone()
    return {"table_mb": int(table_b) / 2**20, "index_mb": int(index_b) / 2**20, "partitions": int(parts)}


def server_facts(conn) -> dict:
    names = ("server_version", "shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")
    facts = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in names}
    facts["postgis"] = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
    facts["cpus"] = os.cpu_count()
    facts["load_average_1min"] = round(os.getloadavg()[0], 2)
    return facts


# --- the queries -------------------------------------------------------------------------------

_EFFICIENCY = """SELECT industry, count(*) AS parcels, sum(land_area_mu) AS land_area_mu,
    sum(investment_wan) AS investment_wan, sum(output_wan) AS output_wan, sum(tax_wan) AS tax_wan,
    sum(investment_wan) / nullif(sum(land_area_mu), 0) AS investment_wan_per_mu,
    sum(output_wan) / nullif(sum(land_area_mu), 0) AS output_wan_per_mu,
    sum(tax_wan) / nullif(sum(land_area_mu), 0) AS tax_wan_per_mu
FROM {table} {where} GROUP BY industry ORDER BY industry"""

_BBOX = """SELECT parcel_id, industry, land_area_mu, tax_wan, ST_AsBinary(geometry)
FROM {table} WHERE geometry && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326) {zone}"""

_MVT = """WITH features AS (
    SELECT ST_AsMVTGeom(ST_Transform(geometry, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s)) AS geom,
           parcel_id, industry, land_area_mu, tax_wan
    FROM {table}
    WHERE geometry && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 0.015625), 4326) {zone})
SELECT ST_AsMVT(features.*, 'parcels', 4096, 'geom'), count(*) FROM features"""

QUERIES = {
    "efficiency_by_industry": "亩均 by industry (sums, per-mu ratios)",
    "bbox_tile": f"parcels in a zoom-{TILE_ZOOM} tile box",
    "mvt_tile": f"ST_AsMVT tile z{TILE_ZOOM}",
}


def query_sql(name: str, with_zone: bool) -> str:
    """The SQL of one query, with the zone key (``%(zone)s``) or without it."""
    if name == "efficiency_by_industry":
        return _EFFICIENCY.format(table=TABLE, where="WHERE zone_id = %(zone)s" if with_zone else "")
    template = _BBOX if name == "bbox_tile" else _MVT
    return template.format(table=TABLE, zone="AND zone_id = %(zone)s" if with_zone else "")


def params_for(zone: int) -> dict:
    z, x, y = tile_of(*zone_centre(zone), TILE_ZOOM)
    w, s, e, n = tile_bounds(z, x, y)
    return {"zone": zone, "z": z, "x": x, "y": y, "w": w, "s": s, "e": e, "n": n}


def run_once(conn, name: str, sql: str, params: dict) -> tuple[float, int, int]:
    """(ms, rows covered, bytes of the tile) of one execution, every row fetched."""
    t0 = time.perf_counter()
    rows = conn.execute(sql, params).fetchall()
    ms = (time.perf_counter() - t0) * 1000
    if name == "efficiency_by_industry":
        return ms, int(sum(row[1] for row in rows)), 0
    if name == "mvt_tile":
        return ms, int(rows[0][1]), len(rows[0][0] or b"")
    return ms, len(rows), 0


def time_query(conn, name: str, zones: int, runs: int) -> dict:
    """Medians over ``runs`` warm runs (one untimed run first) with the zone key and without it.

    The aggregate runs for every zone with its key, then once over all zones without it. A tile
    query runs each zone's tile with the key and, right after, the same tile without it (the
    planner cannot prune then, so every partition's index is probed); the rows are the same.
    """
    keyed, unkeyed = query_sql(name, True), query_sql(name, False)
    aggregate = name == "efficiency_by_industry"
    one_ms, all_ms, zone_rows, unkeyed_rows, zone_bytes = [], [], {}, {}, {}
    for run in range(runs + 1):
        for zone in range(1, zones + 1):
            ms, zone_rows[zone], zone_bytes[zone] = run_once(conn, name, keyed, params_for(zone))
            one_ms += [ms] if run else []
            if not aggregate:
                ms, unkeyed_rows[zone], _ = run_once(conn, name, unkeyed, params_for(zone))
                all_ms += [ms] if run else []
        if aggregate:
            ms, unkeyed_rows[0], _ = run_once(conn, name, unkeyed, {})
            all_ms += [ms] if run else []
    result = {
        "query": QUERIES[name],
        "one_zone_ms": statistics.median(one_ms),
        "all_zones_ms": statistics.median(all_ms),
        "one_zone_rows": statistics.median(zone_rows.values()),
        "all_zones_rows": unkeyed_rows[0] if aggregate else statistics.median(unkeyed_rows.values()),
        "rows_by_zone": {str(zone): rows for zone, rows in zone_rows.items()},
        "rows_without_zone_key_by_zone": None
        if aggregate
        else {str(zone): rows for zone, rows in unkeyed_rows.items()},
    }
    result["ratio"] = result["all_zones_ms"] / result["one_zone_ms"]
    if name == "mvt_tile":
        result["tile_bytes_median"] = statistics.median(zone_bytes.values())
    return result


def plan_nodes(node: dict) -> Iterator[dict]:
    """Every node of an EXPLAIN (FORMAT JSON) plan, depth first."""
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def partitions_in_plan(conn, name: str, params: dict, with_zone: bool) -> list[str]:
    """The partitions the planner's plan scans (EXPLAIN, parameters inlined as literals)."""
    plan = conn.execute(f"EXPLAIN (FORMAT JSON) {inline(conn, name, params, with_zone)}").fetchone()[0]
    names = {node.get("Relation Name", "") for node in plan_nodes(plan[0]["Plan"])}
    return sorted(n for n in names if n.startswith("parcels_z"))


def unkeyed_probe_cost(conn, runs: int) -> dict:
    """What the tile box without the zone key spends on the partitions that hold none of it.

    EXPLAIN ANALYZE of zone 1's box without the key, serial (no parallel workers, so each
    partition's scan is timed on its own), the median over ``runs`` runs of: the mean time of a
    scan that returned no row, and the planning time with and without the key.
    """
    sql = {keyed: inline(conn, "bbox_tile", params_for(1), keyed) for keyed in (True, False)}
    empty_ms, planning = [], {True: [], False: []}
    with conn.transaction():
        conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        for _ in range(runs + 1):
            for keyed in (True, False):
                plan = conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql[keyed]}").fetchone()[0][0]
                planning[keyed].append(plan["Planning Time"])
                if not keyed:
                    empty_ms.append(empty_scan_ms(plan["Plan"]))
    return {
        "empty_partition_ms": statistics.median(empty_ms[1:]),
        "planning_ms_with_zone_key": statistics.median(planning[True][1:]),
        "planning_ms_without_zone_key": statistics.median(planning[False][1:]),
    }


def empty_scan_ms(plan: dict) -> float:
    """Mean milliseconds of the plan's table scans that returned no row (0 when there is none)."""
    empty = [
        node["Actual Total Time"] * node["Actual Loops"]
        for node in plan_nodes(plan)
        if "Relation Name" in node and node["Actual Rows"] == 0
    ]
    return statistics.mean(empty) if empty else 0.0


def inline(conn, name: str, params: dict, with_zone: bool) -> str:
    """The query's SQL with its parameters inlined as literals (for EXPLAIN)."""
    from psycopg import ClientCursor

    return ClientCursor(conn).mogrify(query_sql(name, with_zone), params)


# --- the extrapolation -------------------------------------------------------------------------


def extrapolate(results: dict, zones: int, per_zone: int, args) -> dict:
    """Figures at ``args.target_zones`` x (``args.target_parcels`` / zones), with the assumptions."""
    target_per_zone = args.target_parcels / args.target_zones
    zone_factor = target_per_zone / per_zone
    total_factor = args.target_parcels / (zones * per_zone)
    single = {name: r["one_zone_ms"] * zone_factor for name, r in results["queries"].items()}
    agg = results["queries"]["efficiency_by_industry"]["all_zones_ms"] * total_factor
    bbox = results["queries"]["bbox_tile"]
    probe = results["unkeyed_probe"]
    per_partition_ms = probe["empty_partition_ms"]
    planning_per_partition = max(
        probe["planning_ms_without_zone_key"] - probe["planning_ms_with_zone_key"], 0.0
    ) / max(zones - 1, 1)
    size = results["sizes"]
    return {
        "target_zones": args.target_zones,
        "target_parcels": args.target_parcels,
        "target_parcels_per_zone": round(target_per_zone),
        "zone_factor": zone_factor,
        "total_factor": total_factor,
        "single_shard_ms": single,
        "all_zones_efficiency_ms_by_workers": {str(w): agg / w for w in args.workers},
        "unkeyed_tile_probe_ms_per_partition": per_partition_ms,
        "unkeyed_tile_planning_ms_per_partition": planning_per_partition,
        "unkeyed_tile_ms_at_target": bbox["one_zone_ms"]
        + (per_partition_ms + planning_per_partition) * (args.target_zones - 1),
        "table_gb": size["table_mb"] * total_factor / 1024,
        "index_gb": size["index_mb"] * total_factor / 1024,
        "load_minutes_one_node": results["load_seconds_total"] * total_factor / 60,
    }


# --- output ------------------------------------------------------------------------------------


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - shown, 0)


def format_report(results: dict) -> str:
    """The figures as text: the header, the query table, sizes and load, the extrapolation."""
    return "\n".join(_header_lines(results) + _table_lines(results) + _extrapolation_lines(results))


def _header_lines(r: dict) -> list[str]:
    facts = r["server"]
    return [
        f"bench_scale {r['date']}: {r['zones']} zones x {r['parcels_per_zone']} parcels "
        f"= {r['parcels_total']} rows, median of {r['runs']} warm runs",
        f"PostgreSQL {facts['server_version']}, PostGIS {facts['postgis']}, {facts['cpus']} CPUs, "
        f"shared_buffers {facts['shared_buffers']}, work_mem {facts['work_mem']}, "
        f"max_parallel_workers_per_gather {facts['max_parallel_workers_per_gather']}, jit {facts['jit']}, "
        f"load average {facts['load_average_1min']} before the timings, "
        f"{facts['load_average_1min_after']} after",
        "",
    ]


def _table_lines(r: dict) -> list[str]:
    lines = [
        f"| {'query':<40} | one zone ms | all zones ms | ratio | rows one zone | rows all zones |",
        f"|{'-' * 42}|------------:|-------------:|------:|--------------:|---------------:|",
    ]
    for q in r["queries"].values():
        lines.append(
            f"| {pad(q['query'], 40)} | {q['one_zone_ms']:11.1f} | {q['all_zones_ms']:12.1f} | "
            f"{q['ratio']:5.1f} | {q['one_zone_rows']:13,.0f} | {q['all_zones_rows']:14,.0f} |"
        )
    mvt, s, load, probe = r["queries"]["mvt_tile"], r["sizes"], r["load_seconds"], r["unkeyed_probe"]
    copy_rate = r["parcels_total"] / max(load["copy"], 1e-9)
    return lines + [
        "",
        "All zones: the aggregate covers every zone; the tile rows run each zone's tile without the "
        "zone key (no pruning).",
        f"MVT tile: median {mvt['tile_bytes_median'] / 1024:.0f} kB uncompressed.",
        f"Without the zone key (EXPLAIN ANALYZE of a tile box, serial): a partition without a "
        f"matching row costs {probe['empty_partition_ms']:.3f} ms; planning "
        f"{probe['planning_ms_with_zone_key']:.2f} ms with the key, "
        f"{probe['planning_ms_without_zone_key']:.2f} ms without.",
        f"Partitions in the plan: one zone {len(r['plan_one_zone'])} ({', '.join(r['plan_one_zone'])}), "
        f"all zones {len(r['plan_all_zones'])} of {s['partitions']}.",
        f"Sizes: table {s['table_mb']:.1f} MB, indexes {s['index_mb']:.1f} MB (GIST + primary key) "
        f"over {s['partitions']} partitions.",
        f"Load: generate {load['generate']:.1f} s, COPY {load['copy']:.1f} s ({copy_rate:,.0f} rows/s), "
        f"index {load['index']:.1f} s, ANALYZE {load['analyze']:.1f} s; "
        f"load (COPY + index + ANALYZE) {r['load_seconds_total']:.1f} s.",
        "",
    ]


def _extrapolation_lines(r: dict) -> list[str]:
    ex = r["extrapolation"]
    single = ", ".join(f"{QUERIES[n]} {ms:.0f} ms" for n, ms in ex["single_shard_ms"].items())
    by_workers = ", ".join(
        f"{w} worker(s) {ms / 1000:.1f} s" for w, ms in ex["all_zones_efficiency_ms_by_workers"].items()
    )
    probe, at_target = ex["unkeyed_tile_probe_ms_per_partition"], ex["unkeyed_tile_ms_at_target"]
    planning = ex["unkeyed_tile_planning_ms_per_partition"]
    return [
        f"Extrapolation to {ex['target_zones']} zones x {ex['target_parcels_per_zone']:,} parcels "
        f"= {ex['target_parcels']:,.0f} (not measured):",
        f"- single-shard queries scale with the zone's size (x{ex['zone_factor']:.2f}; an upper bound "
        f"for the tiles, which hold the same parcels if the density stays): {single}",
        f"- all-zone 亩均 scales with total rows / workers (x{ex['total_factor']:.0f} rows; a worker = "
        f"this machine): {by_workers}; plus the coordinator's merge of zones x industries groups "
        "(small) and the network (not measured)",
        f"- a tile query without the zone key probes every partition: {probe:.3f} ms a scan and "
        f"{planning:.3f} ms of planning per extra partition (measured), ~{at_target:.0f} ms at "
        f"{ex['target_zones']} partitions on one server; on a distributed engine a task on every shard "
        "(network not measured)",
        f"- storage scales with rows: table {ex['table_gb']:.1f} GB, indexes {ex['index_gb']:.1f} GB; "
        f"load {ex['load_minutes_one_node']:.0f} min on one node like this one (COPY runs per shard "
        "in parallel on a cluster)",
    ]


def run(args, echo: Callable[[str], None]) -> dict:
    import psycopg

    with database(args.url, echo) as url, psycopg.connect(url) as conn:
        create_table(conn, args.zones)
        conn.commit()
        load_seconds = load(conn, args.zones, args.parcels_per_zone, echo)
        conn.autocommit = True
        results = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "zones": args.zones,
            "parcels_per_zone": args.parcels_per_zone,
            "parcels_total": args.zones * args.parcels_per_zone,
            "runs": args.runs,
            "server": server_facts(conn),
            "load_seconds": load_seconds,
            "load_seconds_total": load_seconds["copy"] + load_seconds["index"] + load_seconds["analyze"],
            "sizes": sizes(conn),
            "queries": {},
        }
        for name in QUERIES:
            echo(f"timing {QUERIES[name]}")
            results["queries"][name] = time_query(conn, name, args.zones, args.runs)
        results["server"]["load_average_1min_after"] = round(os.getloadavg()[0], 2)
        results["unkeyed_probe"] = unkeyed_probe_cost(conn, args.runs)
        results["plan_one_zone"] = partitions_in_plan(conn, "efficiency_by_industry", params_for(1), True)
        results["plan_all_zones"] = partitions_in_plan(conn, "efficiency_by_industry", {}, False)
        results["plan_one_zone_tile"] = partitions_in_plan(conn, "mvt_tile", params_for(1), True)
        results["extrapolation"] = extrapolate(results, args.zones, args.parcels_per_zone, args)
        if not args.keep:
            conn.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zones", type=int, default=10, help="number of zones (default 10)")
    parser.add_argument("--parcels-per-zone", type=int, default=100_000, help="default 100000")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query and zone (default 5)")
    parser.add_argument("--url", help="an existing PostGIS database (default: a throwaway cluster)")
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="figures as JSON: on stdout, or written to PATH"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench_scale schema (with --url)")
    parser.add_argument("--target-zones", type=int, default=230, help="extrapolate to (default 230)")
    parser.add_argument("--target-parcels", type=float, default=1e8, help="extrapolate to (default 1e8)")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 8, 32], help="workers for the all-zone estimate"
    )
    args = parser.parse_args(argv)
    for name in ("zones", "parcels_per_zone", "runs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} {getattr(args, name)}: give at least 1")
    if args.zones > 999:
        parser.error(f"--zones {args.zones}: at most 999 (partitions are named parcels_z001..z999)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the throwaway cluster on TERM too
    results = run(args, echo=lambda line: print(f"[bench_scale] {line}", file=sys.stderr, flush=True))
    if args.json == "-":
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(format_report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
