"""Vector tiles of big layers: built by tippecanoe, every feature kept at the deepest zoom, small
low-zoom tiles, a broken cache rebuilt, tile paths from integers only."""

import base64
import json
import math

import numpy as np
import pytest
from tiledecode import tile_features

from zkq_geo.bench import make_parcels
from zkq_geo.render import tiles


@pytest.fixture(scope="module")
def parcels():
    return make_parcels(3000)


@pytest.fixture(scope="module")
def built(parcels, tmp_path_factory):
    out = tmp_path_factory.mktemp("tiles") / "parcels_v1"
    return out, tiles.build_tiles(parcels, out)


def _decode(path):
    return tile_features(path)


def test_the_tileset_records_what_was_built(built, parcels):
    out, tileset = built
    assert tiles.read_tileset(out) == tileset
    assert tileset.features == len(parcels)
    assert (tileset.minzoom, tileset.maxzoom) == (tiles.MIN_ZOOM, tiles.MAX_ZOOM)
    assert tileset.tiles == len(list(out.rglob("*.pbf"))) > 0
    west, south, east, north = tileset.bounds
    assert np.allclose([west, south, east, north], parcels.total_bounds)
    assert not (out / "metadata.json").exists()


def test_every_feature_is_in_the_deepest_zoom_with_its_row_and_tooltip_properties(built, parcels):
    out, tileset = built
    seen = {}
    for path in (out / str(tileset.maxzoom)).rglob("*.pbf"):
        for f in _decode(path):
            seen[f["properties"]["fid"]] = f["properties"]
    assert set(seen) == set(range(len(parcels)))
    for row in (0, 1234, len(parcels) - 1):
        props = seen[row]
        assert props["id"] == parcels["id"].iat[row]
        assert props["name"] == parcels["name"].iat[row]
        assert props["industry"] == parcels["industry"].iat[row]
    assert set().union(*(p.keys() for p in seen.values())) <= {"fid", *tiles.TILE_PROPERTIES}
    assert all(p["fid"] == row for row, p in seen.items())


def test_low_zoom_tiles_stay_small(built):
    out, tileset = built
    for path in (out / str(tileset.minzoom)).rglob("*.pbf"):
        assert path.stat().st_size <= tiles.MAX_TILE_BYTES  # what the browser receives


def test_blanks_are_left_out_and_numbers_rounded(parcels):
    gdf = parcels.head(3).copy()
    gdf["invest_intensity_wan_per_mu"] = [np.nan, 123.456, 7.0]
    gdf.loc[gdf.index[1], "name"] = ""
    lines = [json.loads(line) for line in tiles.feature_lines(gdf.to_crs(4547))]
    assert [f["properties"]["fid"] for f in lines] == [0, 1, 2]
    assert "invest_intensity_wan_per_mu" not in lines[0]["properties"]
    assert lines[1]["properties"]["invest_intensity_wan_per_mu"] == 123.46
    assert "name" not in lines[1]["properties"]
    lon = lines[0]["geometry"]["coordinates"][0][0][0]
    assert 113 < lon < 115  # back in EPSG:4326


@pytest.mark.parametrize("damage", ["delete", "garble", "wrong_schema", "no_tiles"])
def test_a_broken_cache_is_rebuilt(parcels, tmp_path, damage):
    small = parcels.head(300)
    out = tmp_path / "t"
    tiles.build_tiles(small, out)
    assert tiles.ensure_tiles(small, out)[1] is False  # a good cache is used as it is
    meta = out / tiles.TILESET_FILE
    if damage == "delete":
        meta.unlink()
    elif damage == "garble":
        meta.write_text("{not json", encoding="utf-8")
    elif damage == "wrong_schema":
        meta.write_text(meta.read_text().replace('"schema": 1', '"schema": 0'), encoding="utf-8")
    else:
        for p in (out / str(tiles.MIN_ZOOM)).rglob("*.pbf"):
            p.unlink()
    assert tiles.read_tileset(out) is None
    tileset, rebuilt = tiles.ensure_tiles(small, out)
    assert rebuilt and tiles.read_tileset(out) == tileset


def test_a_different_layer_size_rebuilds(parcels, tmp_path):
    out = tmp_path / "t"
    tiles.build_tiles(parcels.head(200), out)
    tileset, rebuilt = tiles.ensure_tiles(parcels.head(250), out)
    assert rebuilt and tileset.features == 250


def test_tile_paths_come_from_integers_in_the_pyramid(built):
    out, tileset = built
    some = next((out / str(tileset.maxzoom)).rglob("*.pbf"))
    z, x, y = int(some.parts[-3]), int(some.parts[-2]), int(some.stem)
    assert tiles.tile_file(out, z, x, y) == some
    assert tiles.tile_file(out, str(z), str(x), str(y)) == some
    assert tiles.tile_file(out, z, x, 2**z) is None
    assert tiles.tile_file(out, -1, 0, 0) is None
    assert tiles.tile_file(out, 5, 0, 0) is None  # in the pyramid's range, not written
    with pytest.raises(ValueError):
        tiles.tile_file(out, "../../etc", 0, 0)


@pytest.mark.parametrize(
    "script, said",
    [("echo bad input >&2; exit 3", "could not be made: bad input"), ("sleep 5", "took longer than 1 s")],
)
def test_a_failing_or_endless_build_raises_and_leaves_nothing(parcels, tmp_path, monkeypatch, script, said):
    fake = tmp_path / "fake_tippecanoe"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setattr(tiles, "tippecanoe_binary", lambda: fake)
    out = tmp_path / "layers" / "t"
    with pytest.raises(tiles.DataSourceError, match=said):
        tiles.build_tiles(parcels.head(50), out, seconds=1)
    assert list((tmp_path / "layers").iterdir()) == []


def test_the_threshold_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("ZKQ_TILE_THRESHOLD", raising=False)
    assert tiles.tile_threshold() == 2000
    monkeypatch.setenv("ZKQ_TILE_THRESHOLD", "10")
    assert tiles.needs_tiles(range(11)) and not tiles.needs_tiles(range(10))
    assert math.isfinite(tiles.tile_threshold())


def test_embedded_tiles_keep_whole_levels_within_the_budget(built):
    out, tileset = built
    everything, deepest = tiles.embedded_tiles(out, budget=10**12)
    assert deepest == tileset.maxzoom and len(everything) == tileset.tiles
    by_zoom = {}
    for p in out.rglob("*.pbf"):
        by_zoom[int(p.parts[-3])] = by_zoom.get(int(p.parts[-3]), 0) + p.stat().st_size
    budget = sum(v for z, v in by_zoom.items() if z <= tileset.minzoom + 2)
    kept, deepest = tiles.embedded_tiles(out, budget=budget)
    assert deepest == tileset.minzoom + 2
    assert {int(k.split("/")[0]) for k in kept} == set(range(tileset.minzoom, deepest + 1))
    some = next(k for k in kept if k.startswith(f"{deepest}/"))
    assert base64.b64decode(kept[some]) == (out / f"{some}.pbf").read_bytes()
    assert tiles.embedded_tiles(out, budget=1)[1] == tileset.minzoom  # the lowest level always
