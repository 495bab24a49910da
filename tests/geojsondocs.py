"""GeoJSON documents built in code for the tests: features, collections, and writing them out.

Standard library only, so that ``hostile_cases`` (and the hostile harness, which measures memory)
can use it without loading geopandas. Members given as keywords keep GeoJSON's usual key order:
``type`` first, then the extra members (``id``, ``crs``, ``name``...), then the content.
"""

from __future__ import annotations

import json
from pathlib import Path

# A point in the zone (lon, lat in degrees), the one most tests use.
LON, LAT = 113.75, 34.72


def geometry(kind: str, coordinates, **members) -> dict:
    return {"type": kind, "coordinates": coordinates, **members}


def point(lon: float = LON, lat: float = LAT, **members) -> dict:
    return geometry("Point", [lon, lat], **members)


def feature(geom: dict, properties: dict | None = None, **members) -> dict:
    properties = {} if properties is None else properties
    return {"type": "Feature", **members, "properties": properties, "geometry": geom}


def collection(*features: dict, **members) -> dict:
    return {"type": "FeatureCollection", **members, "features": list(features)}


def write_geojson(path: Path, doc: dict, encoding: str = "utf-8") -> Path:
    """``doc`` as JSON in ``encoding``, with non-ASCII text written as such (not ``\\u`` escapes)."""
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode(encoding))
    return path
