"""CLI tests of a workspace that degrades per layer: `layers` lists the good layers and warns of
each broken one; `layer delete|restore`; leftovers of killed imports are cleaned at the start
of a workspace command; a folder that cannot be written is one line, never an internal error.
They drive the real installed command."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from test_cli_import import one_line_error, run

from zkq_geo.office.backends import open_workspace
from zkq_geo.workspace import Workspace

HEX = "0123456789abcdef" * 2


@pytest.fixture
def ws(tmp_path) -> Path:
    return tmp_path / "ws"


def _points(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(n)], "name": [f"点{i}" for i in range(n)]},
        geometry=[shapely.Point(113.75 + i / 100, 34.72) for i in range(n)],
        crs="EPSG:4326",
    )


def _layers(ws: Path, **counts: tuple[int, ...]):
    """Layers named by the keyword arguments, one version per number of points given."""
    workspace = open_workspace(ws)  # the folder, or the PostGIS pass's database
    for name, versions in counts.items():
        for n in versions:
            workspace.save_layer(name, _points(n))
    return workspace


def _listed(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.strip().splitlines()[1:]]


@pytest.mark.folder_workspace  # damages GeoPackages and the index.json of the folder
def test_layers_lists_the_good_layers_and_warns_of_each_broken_one(ws):
    _layers(ws, good=(2,), damaged=(1,), unreadable=(1,), gone=(1, 2), odd=(1,))
    (ws / "layers" / "damaged" / "v1.gpkg").write_bytes(os.urandom(2048))
    (ws / "layers" / "unreadable" / "v1.gpkg").write_bytes(b"SQLite format 3\x00" + os.urandom(2048))
    (ws / "layers" / "gone" / "v2.gpkg").unlink()
    index = json.loads((ws / "index.json").read_text(encoding="utf-8"))
    index["layers"]["odd"][0]["colour"] = "red"
    (ws / "index.json").write_text(json.dumps(index), encoding="utf-8")
    r = run(ws, "layers")
    assert r.returncode == 0, r.stderr
    assert _listed(r.stdout) == ["zone", "boards", "plates", "parks", "projects", "good"]
    warnings = r.stderr.strip().splitlines()
    assert len(warnings) == 4 and all(w.startswith("zkq-geo: warning: imported layer '") for w in warnings), (
        r.stderr
    )
    said = dict(
        zip(
            ("damaged", "gone", "odd", "unreadable"),
            sorted(warnings, key=lambda w: w.split("'")[1]),
            strict=False,
        )
    )
    assert "layers/damaged/v1.gpkg is not a GeoPackage" in said["damaged"]
    assert "layers/gone/v2.gpkg is missing" in said["gone"] and "zkq-geo layer restore gone" in said["gone"]
    assert "unknown keys 'colour'" in said["odd"] and "zkq-geo layer delete odd" in said["odd"]
    assert "layers/unreadable/v1.gpkg cannot be read" in said["unreadable"] and str(ws) not in r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


@pytest.mark.parametrize(
    "change, said",
    [
        (lambda record: record.update(colour="red"), "unknown keys 'colour'"),
        (lambda record: record.pop("title"), "lacks title"),
        (lambda record: record.update(feature_count=None), "feature_count is None"),
    ],
)
@pytest.mark.folder_workspace  # edits the folder's index.json
def test_show_of_a_layer_with_a_bad_index_entry_is_one_line_and_the_rest_works(ws, change, said):
    _layers(ws, good=(2,), bad=(1,))
    index = json.loads((ws / "index.json").read_text(encoding="utf-8"))
    change(index["layers"]["bad"][0])
    (ws / "index.json").write_text(json.dumps(index), encoding="utf-8")
    line = one_line_error(run(ws, "show", "bad"), code=1)
    assert "imported layer 'bad' is not shown" in line and said in line and "TypeError" not in line
    r = run(ws, "show", "good", "--format", "json")
    assert r.returncode == 0 and [f["id"] for f in json.loads(r.stdout)] == ["p0", "p1"]
    assert run(ws, "layers").returncode == 0


def test_layer_delete_and_restore(ws):
    workspace = _layers(ws, mine=(1, 2, 3), other=(1,))
    r = run(ws, "layer", "restore", "mine")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("restored version 2 of layer 'mine' as version 4, which is now shown")
    r = run(ws, "show", "mine", "--format", "json")
    assert [f["id"] for f in json.loads(r.stdout)] == ["p0", "p1"]
    r = run(ws, "layer", "restore", "mine", "--version", "1")
    assert r.returncode == 0 and "restored version 1 of layer 'mine' as version 5" in r.stderr
    r = run(ws, "layer", "delete", "mine")
    assert r.returncode == 0 and r.stderr.startswith("deleted layer 'mine' (5 version(s))")
    assert _listed(run(ws, "layers").stdout)[-1] == "other" and "mine" not in workspace.names()
    assert [(t.name, t.versions) for t in workspace.trash()] == [("mine", 5)]
    if isinstance(workspace, Workspace):  # the folder keeps the files in trash/
        assert "its files and index entry are kept in trash/mine-" in r.stderr
        assert not (ws / "layers" / "mine").exists() and len(list((ws / "trash").iterdir())) == 1


@pytest.mark.parametrize(
    "args, code, said",
    [
        (("layer",), 2, "the following arguments are required: action"),
        (("layer", "purge", "mine"), 2, "invalid choice: 'purge'"),
        (("layer", "restore", "mine", "--version", "x"), 2, "invalid int value: 'x'"),
        (("layer", "restore", "mine", "--version", "9"), 2, "layer 'mine' has no version 9; it has 1, 2"),
        (("layer", "restore", "mine", "--version", "2"), 2, "version 2 is already the current version"),
        (("layer", "restore", "other"), 2, "layer 'other' has only version 1"),
        (("layer", "delete", "nope"), 2, "no imported layer 'nope'"),
        (("layer", "delete", "parks"), 2, "belongs to a shipped layer"),
        (("layer", "delete", "../mine"), 2, "is not allowed"),
    ],
)
def test_layer_errors_are_one_line_with_the_exit_code(ws, args, code, said):
    _layers(ws, mine=(1, 2), other=(1,))
    line = one_line_error(run(ws, *args), code=code)
    assert said in line
    assert [v.version for v in open_workspace(ws).versions("mine")] == [1, 2]


@pytest.mark.folder_workspace  # damages a GeoPackage of the folder
def test_restoring_a_damaged_version_is_a_data_error(ws):
    _layers(ws, mine=(1, 2))
    (ws / "layers" / "mine" / "v1.gpkg").write_bytes(b"junk")
    line = one_line_error(run(ws, "layer", "restore", "mine"), code=1)
    assert (
        "version 1 of layer 'mine' cannot be restored: its file layers/mine/v1.gpkg is not a GeoPackage"
        in line
    )


@pytest.mark.folder_workspace  # a killed import's leftovers are temporary files in the folder
def test_a_workspace_command_first_removes_what_killed_imports_left(ws, tmp_path):
    _layers(ws, mine=(1, 2))
    leftovers = [
        ws / "layers" / "mine" / f".v3-{HEX}.tmp.gpkg",
        ws / "layers" / "mine" / "v7.gpkg",
        ws / f".index.json.{HEX}.tmp",
    ]
    fresh = ws / "layers" / "mine" / f".v8-{HEX}.tmp.gpkg"
    for path in (*leftovers, fresh):
        path.write_bytes(b"x" * 1000)
    for path in leftovers:
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    r = run(ws, "layers")  # listing never writes
    assert r.returncode == 0 and all(p.exists() for p in leftovers)
    r = run(ws, "layer", "restore", "mine")
    assert r.returncode == 0, r.stderr
    note, done = r.stderr.strip().splitlines()
    assert note == (
        "zkq-geo: note: removed 3 leftover(s) of an interrupted import from the workspace: "
        f".index.json.{HEX}.tmp, layers/mine/.v3-{HEX}.tmp.gpkg, layers/mine/v7.gpkg"
    )
    assert done.startswith("restored version 1 of layer 'mine' as version 3")  # v7 was cleaned first
    assert not any(p.exists() for p in leftovers) and fresh.exists()


@pytest.mark.folder_workspace  # the workspace folder is a file
@pytest.mark.parametrize("args", [("import", "{geojson}", "--as", "mine"), ("layer", "delete", "mine")])
def test_a_workspace_that_cannot_be_written_is_one_line_in_the_cli(tmp_path, args):
    (tmp_path / "file").write_text("a file, not a folder")
    geojson = tmp_path / "p.geojson"
    _points(2).to_file(geojson, engine="pyogrio")
    line = one_line_error(run(tmp_path / "file" / "ws", *(a.format(geojson=geojson) for a in args)), code=1)
    assert line.startswith("zkq-geo: error: the workspace folder is not writable (Not a directory); ")
    assert "ZKQ_WORKSPACE" in line and "internal error" not in line
