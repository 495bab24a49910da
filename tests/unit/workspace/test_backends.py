"""The contract of a layer store, on both backends: the GeoPackage folder (Workspace) and
PostgreSQL + PostGIS (PostgisWorkspace). Whatever one does, the other does the same."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import importdata as d
import numpy as np
import pandas as pd
import pytest
import shapely

from zkq_geo.errors import OptionError, SchemaError
from zkq_geo.layers import load_layer
from zkq_geo.office.backends import open_office, open_workspace
from zkq_geo.office.postgis import PostgisWorkspace
from zkq_geo.workspace import Workspace, full_catalog, import_into_workspace

GK = "EPSG:4547"


@pytest.fixture(params=["gpkg", "postgis"])
def ws(request, tmp_path):
    if request.param == "gpkg":
        return Workspace(tmp_path / "ws")
    return PostgisWorkspace(request.getfixturevalue("pg_url"), tmp_path / "cache")


def _squares() -> gpd.GeoDataFrame:
    """Two squares in EPSG:4547: 100 m x 100 m (10,000 m2 = 15 mu) and 200 m x 50 m."""
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b"],
            "name": ["甲地块", '乙 "地块"'],
            "investment_wan": [1200.5, np.nan],
            "workers": [10, 20],
            "listed": [True, False],
            "note": ["", None],
        },
        geometry=[
            shapely.box(500_000, 3_840_000, 500_100, 3_840_100),
            shapely.box(500_300, 3_840_000, 500_500, 3_840_050),
        ],
        crs=GK,
    )


def _points(n=3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(n)], "name": [f"点{i}" for i in range(n)]},
        geometry=[shapely.Point(113.75 + i / 100, 34.72) for i in range(n)],
        crs="EPSG:4326",
    )


def test_save_and_read_back_the_same_geometry_and_attributes(ws):
    saved = ws.save_layer("parcels", _squares(), title="地块", source_file="x.gpkg")
    assert (saved.name, saved.version, saved.earlier_versions) == ("parcels", 1, ())
    back = ws.read_layer("parcels")
    expected = _squares().to_crs("EPSG:4326")
    assert list(back.columns) == list(expected.columns)
    assert back.crs.to_epsg() == 4326
    assert list(back["name"]) == ["甲地块", '乙 "地块"']
    assert list(back["workers"]) == [10, 20] and back["workers"].dtype == np.int64
    assert list(back["listed"]) == [True, False]
    assert back["investment_wan"].iloc[0] == 1200.5 and np.isnan(back["investment_wan"].iloc[1])
    assert back["note"].iloc[0] == "" and pd.isna(back["note"].iloc[1])
    for got, want in zip(back.geometry, expected.geometry, strict=True):
        assert got.equals_exact(want, tolerance=1e-9)
    [version] = ws.versions("parcels")
    assert (version.title, version.kind, version.source_file) == ("地块", "import", "x.gpkg")
    assert (version.feature_count, version.geometry_type) == (2, "Polygon")
    assert ws.latest("parcels") == version and ws.names() == ["parcels"]


def test_versions_are_never_overwritten_and_restore_adds_a_copy(ws):
    ws.save_layer("pts", _points(2))
    second = ws.save_layer("pts", _points(3))
    assert (second.version, second.earlier_versions) == (2, (1,))
    assert len(ws.read_layer("pts")) == 3 and len(ws.read_layer("pts", 1)) == 2
    restored = ws.restore_version("pts")
    assert (restored.version, restored.restored_from) == (3, 1)
    assert [v.version for v in ws.versions("pts")] == [1, 2, 3]
    assert ws.latest("pts").report["restored_from"] == 1
    pd.testing.assert_frame_equal(ws.read_layer("pts", 3), ws.read_layer("pts", 1))
    with pytest.raises(OptionError, match="already the current version"):
        ws.restore_version("pts", 3)
    with pytest.raises(OptionError, match="has no version 9"):
        ws.read_layer("pts", 9)
    with pytest.raises(OptionError, match="no imported layer 'nope'"):
        ws.latest("nope")


def test_saving_checks_the_frame_and_writes_nothing_when_it_fails(ws):
    with pytest.raises(SchemaError):
        ws.save_layer("empty", _points(0))
    with pytest.raises(OptionError, match="not allowed"):
        ws.save_layer("Bad Name", _points())
    assert ws.names() == [] and ws.layers() == {}


def test_delete_goes_to_the_trash_and_undelete_brings_every_version_back(ws):
    ws.save_layer("pts", _points(2))
    ws.save_layer("pts", _points(3))
    message = ws.delete_layer("pts")
    assert "pts" in str(message) and ws.names() == [] and ws.versions("pts") == []
    [item] = ws.trash()
    assert (item.name, item.versions) == ("pts", 2)
    ws.save_layer("pts", _points(1))  # the name is free again: a new layer, version 1
    assert [v.version for v in ws.versions("pts")] == [1]
    with pytest.raises(OptionError, match="exists now"):
        ws.undelete(item.id)
    ws.delete_layer("pts")
    assert len(ws.trash()) == 2
    ws.undelete(item.id)
    assert [v.version for v in ws.versions("pts")] == [1, 2] and len(ws.read_layer("pts")) == 3
    assert [t.id for t in ws.trash()] != [item.id] and item.id not in [t.id for t in ws.trash()]
    with pytest.raises(OptionError, match="no deleted layer"):
        ws.undelete(item.id)
    with pytest.raises(OptionError, match="no deleted layer"):
        ws.undelete("../etc")
    assert ws.clean_orphans() == []


def test_import_a_csv_and_a_shapefile_and_the_catalogue_sees_them(ws, tmp_path):
    csv = tmp_path / "点位.csv"
    csv.write_text("name,lon,lat\n甲,113.75,34.72\n乙,113.76,34.73\n", encoding="utf-8")
    saved, report = import_into_workspace(csv, "spots", workspace=ws)
    assert saved.version == 1 and report.feature_count == 2
    zipped = d.gbk_shapefile_zip(tmp_path / "in")
    saved, report = import_into_workspace(zipped, "dikuai", title="地块", workspace=ws)
    assert report.feature_count == 3
    parcels = ws.read_layer("dikuai")
    assert sorted(parcels["name"]) == sorted(p[0] for p in d.PARCELS)
    for got, corners in zip(parcels.geometry, d.expected_wgs84_corners(), strict=True):
        assert shapely.Polygon(corners).equals_exact(got.normalize(), 1e-7) or got.equals(
            shapely.Polygon(corners)
        )
    catalog = full_catalog(workspace=ws)
    assert {"spots", "dikuai"} <= set(catalog.layers) and "zone" in catalog.layers
    spec = catalog.layer("dikuai")
    assert (spec.origin, spec.title_zh) == ("workspace", "地块")
    loaded = load_layer("dikuai", catalog).gdf
    assert len(loaded) == 3 and (loaded["layer"] == "dikuai").all()
    assert ws.versions("dikuai")[0].original is not None


def test_measured_area_is_in_cgcs2000_gk(ws):
    ws.save_layer("parcels", _squares())
    back = ws.read_layer("parcels").to_crs(GK)
    assert back.area.round(1).tolist() == [10_000.0, 10_000.0]
    if isinstance(ws, PostgisWorkspace):  # the database keeps each polygon's area beside it
        assert ws.measured_areas("parcels").round(1).tolist() == [10_000.0, 10_000.0]
        ws.save_layer("pts", _points())
        assert ws.measured_areas("pts").isna().all()


def test_postgis_keeps_the_original_bytes_and_their_sha256(pg_url, tmp_path):
    ws = PostgisWorkspace(pg_url, tmp_path)
    csv = tmp_path / "地块.csv"
    csv.write_bytes("name,lon,lat\n甲,113.75,34.72\n".encode())
    import_into_workspace(csv, "spots", workspace=ws)
    file_name, data = ws.original("spots")
    assert (file_name, data) == ("地块.csv", csv.read_bytes())
    with ws.engine.connect() as conn:
        digest = conn.exec_driver_sql("SELECT sha256 FROM layer_originals").scalar_one()
    assert digest == hashlib.sha256(csv.read_bytes()).hexdigest()


def test_open_workspace_picks_the_backend_by_url(pg_url, tmp_path, monkeypatch):
    monkeypatch.delenv("ZKQ_DATABASE_URL", raising=False)
    assert isinstance(open_workspace(tmp_path), Workspace)
    assert isinstance(open_workspace(tmp_path, pg_url), PostgisWorkspace)
    with pytest.raises(OptionError, match="PostgreSQL URL"):
        open_workspace(tmp_path, "mysql://u:secret@h/db")
    monkeypatch.setenv("ZKQ_DATABASE_URL", pg_url)
    workspace, store = open_office(tmp_path)
    assert isinstance(workspace, PostgisWorkspace) and store.url == pg_url


def test_both_backends_read_back_the_same_frame(pg_url, tmp_path):
    folder, database = Workspace(tmp_path / "ws"), PostgisWorkspace(pg_url, tmp_path / "cache")
    for ws in (folder, database):
        ws.save_layer("parcels", _squares())
        import_into_workspace(d.gbk_shapefile_zip(tmp_path / "in"), "dikuai", workspace=ws)
    for name in ("parcels", "dikuai"):
        pd.testing.assert_frame_equal(database.read_layer(name), folder.read_layer(name))
