"""scripts/bench_scale.py: the generator, and a small real run on a fresh PostGIS database.

No timing assertions: the bench reports figures; the suite checks they are there and agree with
each other and with the database the bench filled (``--keep``).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
import shapely

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "bench_scale.py"
ZONES, PER_ZONE = 3, 2000


def load_script():
    spec = importlib.util.spec_from_file_location("bench_scale", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_scale = load_script()


def test_parcels_are_simple_disjoint_and_sized_like_their_land_area():
    ring = bench_scale.parcel_rings_m(400, np.random.default_rng(1))
    polygons = shapely.polygons(ring)
    assert shapely.is_valid(polygons).all() and len(polygons) == 400
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    assert (left == right).all()  # no parcel touches another
    np.testing.assert_allclose(bench_scale.ring_area_m2(ring), shapely.area(polygons))
    m2 = bench_scale.ring_area_m2(ring)
    assert ((m2 >= 44 * 44) & (m2 <= 56 * 56)).all()  # between the 60 m cell inset by 8 m and by 2 m


def test_zones_are_deterministic_and_apart():
    industries = ["auto", "ict"]
    a, b = bench_scale.make_zone(2, 300, industries), bench_scale.make_zone(2, 300, industries)
    assert a.equals(b)
    assert not a.equals(bench_scale.make_zone(3, 300, industries))
    assert list(a.columns) == [*bench_scale.COLUMNS, "geometry"]
    one = shapely.from_wkb(bench_scale.make_zone(1, 300, industries)["geometry"])
    two = shapely.from_wkb(a["geometry"])
    assert shapely.get_srid(one).tolist() == [4326] * 300
    assert not shapely.intersects(shapely.envelope(shapely.union_all(one)), shapely.union_all(two))


def test_tile_of_and_tile_bounds_agree():
    lon, lat = bench_scale.zone_centre(7)
    z, x, y = bench_scale.tile_of(lon, lat, 14)
    w, s, e, n = bench_scale.tile_bounds(z, x, y)
    assert w <= lon < e and s <= lat < n
    assert e - w == pytest.approx(360 / 2**14)


def test_bad_sizes_are_refused_naming_the_option():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--zones", "0"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "--zones 0: give at least 1" in done.stderr


def test_a_database_without_postgis_is_refused_with_the_fix(pg_cluster):
    import pgdb

    url = pgdb.with_database(pg_cluster, "t_no_postgis_" + uuid.uuid4().hex[:8])
    pgdb.admin(pg_cluster, f'CREATE DATABASE "{url.partition("?")[0].rsplit("/", 1)[1]}"')
    try:
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--url", url, "--zones", "1", "--parcels-per-zone", "10"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        pgdb.drop_database(url)
    assert done.returncode == 1 and "CREATE EXTENSION postgis" in done.stderr
    assert "Traceback" not in done.stderr


TABLE_ROW = re.compile(
    r"^\| (?P<query>.+?) +\| +(?P<one>[\d.]+) \| +(?P<all>[\d.]+) \| +(?P<ratio>[\d.]+) \| "
    r"+(?P<r1>[\d,]+) \| +(?P<ra>[\d,]+) \|$"
)


@pytest.fixture
def small_run(pg_url, tmp_path):
    """The bench at 3 zones x 2000 parcels on ``pg_url`` (schema kept): (printed text, JSON figures)."""
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--url", pg_url, "--zones", str(ZONES),
         "--parcels-per-zone", str(PER_ZONE), "--runs", "2", "--json", str(out), "--keep"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, json.loads(out.read_text(encoding="utf-8"))


def test_printed_figures_are_present_and_consistent(small_run):
    text, figures = small_run
    assert figures["parcels_total"] == ZONES * PER_ZONE
    efficiency = figures["queries"]["efficiency_by_industry"]
    assert efficiency["rows_by_zone"] == {str(z): PER_ZONE for z in range(1, ZONES + 1)}
    assert efficiency["all_zones_rows"] == sum(efficiency["rows_by_zone"].values()) == ZONES * PER_ZONE
    for name in ("bbox_tile", "mvt_tile"):  # a tile lies in one zone: the zone key changes no row
        tile = figures["queries"][name]
        assert tile["rows_without_zone_key_by_zone"] == tile["rows_by_zone"]
        assert min(tile["rows_by_zone"].values()) > 0
    assert figures["queries"]["mvt_tile"]["tile_bytes_median"] > 0
    rows = {m["query"]: m for line in text.splitlines() if (m := TABLE_ROW.match(line))}
    assert set(rows) == {q["query"] for q in figures["queries"].values()}
    for q in figures["queries"].values():
        row = rows[q["query"]]
        assert float(row["one"]) == pytest.approx(q["one_zone_ms"], abs=0.051)
        assert float(row["ratio"]) == pytest.approx(q["all_zones_ms"] / q["one_zone_ms"], abs=0.051)
        assert int(row["r1"].replace(",", "")) == q["one_zone_rows"]
        assert int(row["ra"].replace(",", "")) == q["all_zones_rows"]
    assert f"{PER_ZONE:>13,} | {ZONES * PER_ZONE:>14,} |" in text
    assert f"Partitions in the plan: one zone 1 (parcels_z001), all zones {ZONES} of {ZONES}." in text
    assert re.search(r"Sizes: table [\d.]+ MB, indexes [\d.]+ MB", text)
    probe = figures["unkeyed_probe"]
    assert probe["empty_partition_ms"] >= 0 and probe["planning_ms_without_zone_key"] > 0
    assert f"a partition without a matching row costs {probe['empty_partition_ms']:.3f} ms" in text
    assert "Extrapolation to 230 zones x 434,783 parcels = 100,000,000 (not measured)" in text


def test_the_database_holds_what_was_generated_and_prunes_by_zone(small_run, pg_url):
    import psycopg

    _, figures = small_run
    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        placed = conn.execute(
            "SELECT tableoid::regclass::text, zone_id, count(*) FROM bench_scale.parcels GROUP BY 1, 2"
        ).fetchall()
        assert sorted(placed) == [(f"bench_scale.parcels_z{z:03d}", z, PER_ZONE) for z in range(1, ZONES + 1)]
        gist = conn.execute(
            "SELECT tablename FROM pg_indexes"
            " WHERE schemaname = 'bench_scale' AND tablename LIKE 'parcels_z%'"
            " AND indexdef LIKE '%USING gist%'"
        ).fetchall()
        assert sorted(gist) == [(f"parcels_z{z:03d}",) for z in range(1, ZONES + 1)]
        plan = conn.execute(
            "EXPLAIN (FORMAT JSON) SELECT sum(tax_wan) FROM bench_scale.parcels WHERE zone_id = 2"
        ).fetchone()[0]
        scanned = re.findall(r'"Relation Name": "(parcels_z\d+)"', json.dumps(plan))
        assert scanned == ["parcels_z002"]
        area_error = conn.execute(
            "SELECT max(abs(land_area_mu * 10000 / 15 / ST_Area(geometry::geography) - 1)),"
            " bool_and(ST_IsValid(geometry)) FROM bench_scale.parcels"
        ).fetchone()
        assert area_error[0] < 0.015 and area_error[1]
        got = conn.execute(
            "SELECT count(*) FROM bench_scale.parcels WHERE zone_id = 1 AND geometry && "
            "ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)",
            bench_scale.params_for(1),
        ).fetchone()[0]
        assert got == figures["queries"]["bbox_tile"]["rows_by_zone"]["1"]
