"""Vector tiles of a PostGIS layer made by the database (ST_AsMVT) on request: the same layer,
``fid`` and properties as the tippecanoe tiles of the same layer, and the tile route's answers."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
import shapely
from tiledecode import decode_tile

from zkq_geo.layers import load_layer
from zkq_geo.office.postgis import PostgisWorkspace
from zkq_geo.render.tiles import TILE_LAYER, build_tiles, database_tile_reply, tile_file
from zkq_geo.workspace import full_catalog

Z = 14


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _parcels() -> gpd.GeoDataFrame:
    """Three 100 m x 100 m parcels (EPSG:4547) near 113.74E 34.72N; the second has no industry."""
    base = gpd.GeoSeries([shapely.Point(113.74, 34.72)], crs="EPSG:4326").to_crs("EPSG:4547")[0]
    boxes = [shapely.box(base.x + i * 150, base.y, base.x + i * 150 + 100, base.y + 100) for i in range(3)]
    return gpd.GeoDataFrame(
        {
            "id": ["d1", "d2", "d3"],
            "name": ["甲地块", "乙地块", "丙地块"],
            "industry": ["auto", "", "biomed"],
            "investment_yi": [3.0, 1.0, None],
            "land_area_mu": [15.0, 30.0, 10.0],
        },
        geometry=boxes,
        crs="EPSG:4547",
    )


@pytest.fixture
def db(pg_url, tmp_path):
    ws = PostgisWorkspace(pg_url, tmp_path / "cache")
    ws.save_layer("dikuai", _parcels(), title="地块")
    return ws


def _props(features):
    return sorted((f["properties"] for f in features), key=lambda p: p["fid"])


def test_the_database_tile_holds_every_feature_with_fid_and_properties(db):
    x, y = _tile_of(113.741, 34.7205, Z)
    reply = database_tile_reply(db, "dikuai", 1, Z, x, y)
    assert reply.status == 200 and reply.path is None
    assert reply.headers["Content-Encoding"] == "gzip" and reply.body[:2] == b"\x1f\x8b"
    assert reply.headers["Content-Length"] == str(len(reply.body))
    [(layer, features)] = decode_tile(reply.body, Z, x, y).items()
    assert layer == TILE_LAYER
    assert _props(features) == [
        {"fid": 0, "id": "d1", "name": "甲地块", "industry": "auto", "invest_intensity_wan_per_mu": 2000.0},
        {"fid": 1, "id": "d2", "name": "乙地块", "invest_intensity_wan_per_mu": 333.33},
        {"fid": 2, "id": "d3", "name": "丙地块", "industry": "biomed"},
    ]
    stored = db.read_layer("dikuai")
    for feature in features:
        got = shapely.geometry.shape(feature["geometry"])
        want = stored.geometry[feature["properties"]["fid"]]
        assert got.centroid.distance(want.centroid) < 1e-5 and abs(got.area / want.area - 1) < 0.02


def test_the_database_tile_says_what_the_tippecanoe_tile_says(db, tmp_path):
    loaded = load_layer("dikuai", full_catalog(workspace=db)).gdf
    build_tiles(loaded, tmp_path / "tiles")
    x, y = _tile_of(113.741, 34.7205, Z)
    from_file = decode_tile(tile_file(tmp_path / "tiles", Z, x, y), Z, x, y)
    from_db = decode_tile(database_tile_reply(db, "dikuai", 1, Z, x, y).body, Z, x, y)
    assert list(from_db) == list(from_file)
    assert _props(from_db[TILE_LAYER]) == _props(from_file[TILE_LAYER])


def test_the_route_answers_empty_unknown_and_unchanged_tiles(db):
    x, y = _tile_of(113.741, 34.7205, Z)
    assert database_tile_reply(db, "dikuai", 1, Z, x + 5, y).status == 204  # in the pyramid, empty
    assert database_tile_reply(db, "dikuai", 2, Z, x, y).status == 404  # no such version
    assert database_tile_reply(db, "nope", 1, Z, x, y).status == 404
    assert database_tile_reply(db, "../x", 1, Z, x, y).status == 404
    assert database_tile_reply(db, "dikuai", 1, 3, 0, 0).status == 404  # below the pyramid's zooms
    assert database_tile_reply(db, "dikuai", 1, Z, 2**Z, y).status == 404
    first = database_tile_reply(db, "dikuai", 1, Z, x, y)
    again = database_tile_reply(db, "dikuai", 1, Z, x, y, if_none_match=first.headers["ETag"])
    assert again.status == 304 and again.body is None
    db.save_layer("dikuai", _parcels().iloc[:1])
    newer = database_tile_reply(db, "dikuai", 2, Z, x, y)
    assert len(decode_tile(newer.body, Z, x, y)[TILE_LAYER]) == 1
    assert newer.headers["ETag"] != first.headers["ETag"]
    db.delete_layer("dikuai")
    assert database_tile_reply(db, "dikuai", 1, Z, x, y).status == 404
