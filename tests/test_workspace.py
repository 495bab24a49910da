"""Workspace tests: versions never overwrite, originals kept byte for byte, atomic writes, safe
names, and imported layers in the catalogue beside the shipped ones (show, filter, 亩均, export)."""
from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest
import shapely

import importdata as d
from zkq_geo.catalog import SHIPPED_LAYERS, load_catalog
from zkq_geo.errors import DataSourceError, OptionError, SchemaError
from zkq_geo.export import export_bytes
from zkq_geo.layers import load_layer
from zkq_geo.selection import Selection, apply_selection
from zkq_geo.workspace import Workspace, check_layer_name, default_root, import_into_workspace


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    return Workspace()


def _points(n=2, **cols):
    return gpd.GeoDataFrame({"id": [f"p{i}" for i in range(n)], "name": [f"点{i}" for i in range(n)], **cols},
                            geometry=[shapely.Point(113.75 + i / 100, 34.72) for i in range(n)], crs="EPSG:4326")


def test_default_root_is_the_env_var_or_the_gitignored_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "here"))
    assert default_root() == (tmp_path / "here").resolve()
    monkeypatch.delenv("ZKQ_WORKSPACE")
    assert default_root().name == "workspace" and (default_root().parent / "geodata").is_dir()


@pytest.mark.parametrize("bad", ["../x", "a/b", ".hidden", "Parks", "园区", "", "x" * 41, "1abc", "a.b", "parks"])
def test_layer_names_are_strict(bad):
    with pytest.raises(OptionError, match="not allowed|shipped layer"):
        check_layer_name(bad)


def test_save_versions_never_overwrite_and_say_so(ws, tmp_path):
    original = tmp_path / "pts.csv"
    original.write_bytes(b"raw bytes \xff as given")
    first = ws.save_layer("mine", _points(), title="我的点", source_file="pts.csv", original=original)
    second = ws.save_layer("mine", _points(3), title="我的点", source_file="pts.csv", original=original)
    assert (first.version, second.version) == (1, 2) and second.earlier_versions == (1,)
    assert "already existed: saved as version 2" in second.message and "kept" in second.message
    assert [v.version for v in ws.versions("mine")] == [1, 2]
    assert len(ws.read_layer("mine", 1)) == 2 and len(ws.read_layer("mine")) == 3
    kept = ws.root / ws.versions("mine")[0].original
    assert kept.read_bytes() == original.read_bytes() and kept.is_relative_to(ws.root)
    index = json.loads((ws.root / "index.json").read_text(encoding="utf-8"))
    assert index["layers"]["mine"][1]["file"] == "layers/mine/v2.gpkg"
    with pytest.raises(OptionError, match="has no version 7"):
        ws.read_layer("mine", 7)


def test_a_failed_write_leaves_the_workspace_as_it_was(ws, monkeypatch):
    ws.save_layer("mine", _points())
    before = d.tree(ws.root)
    index = (ws.root / "index.json").read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", broken)
    with pytest.raises(DataSourceError, match="could not save layer 'mine'.*disk full"):
        ws.save_layer("mine", _points())
    with pytest.raises(DataSourceError):
        ws.save_layer("other", _points())
    assert d.tree(ws.root) == before and (ws.root / "index.json").read_bytes() == index


def test_nothing_is_created_until_a_save(ws):
    assert ws.layers() == {} and not ws.root.exists()
    with pytest.raises(SchemaError, match="no features"):
        ws.save_layer("empty", _points(0))
    assert d.tree(ws.root) in ([], [".lock"])


def test_imported_layers_join_the_catalogue_with_filtering_per_mu_and_export(ws, tmp_path):
    saved, report = import_into_workspace(d.gbk_shapefile_zip(tmp_path / "in"), "dikuai", title="地块（GBK）")
    assert saved.version == 1 and report.encoding == "gb18030"
    cat = load_catalog()
    assert tuple(cat.layers)[:5] == SHIPPED_LAYERS and cat.layer("dikuai").origin == "workspace"
    assert cat.layer("dikuai").title("zh") == "地块（GBK）"
    gdf = load_layer("dikuai", cat).gdf
    assert gdf["name"].tolist() == [p[0] for p in d.PARCELS] and set(gdf["layer"]) == {"dikuai"}
    assert {"invest_intensity_wan_per_mu", "industries", "has_conflict"} <= set(gdf.columns)
    found = apply_selection(gdf, Selection(search="中兴"), cat)
    assert found["name"].tolist() == ["中兴产业园"]
    data = json.loads(export_bytes(found, "geojson"))
    assert data["features"][0]["properties"]["名称"] == "中兴产业园"
    assert (ws.root / "originals" / "dikuai" / "v1" / "dikuai.zip").is_file()


def test_a_broken_index_does_not_break_the_shipped_layers(ws):
    ws.root.mkdir(parents=True)
    (ws.root / "index.json").write_text("{not json", encoding="utf-8")
    cat = load_catalog()
    assert tuple(cat.layers) == SHIPPED_LAYERS and "unreadable" in cat.extra["workspace_problem"]


def test_index_entries_cannot_point_outside(ws):
    ws.root.mkdir(parents=True)
    doc = {"version": 1, "layers": {"evil": [{"version": 1, "file": "../../etc/passwd", "title": "x", "kind": "import",
                                              "created": "", "source_file": "", "original": None,
                                              "feature_count": 1, "geometry_type": "Point", "report": {}}]}}
    (ws.root / "index.json").write_text(json.dumps(doc), encoding="utf-8")
    cat = load_catalog()
    assert "evil" not in cat.layers and "outside the workspace" in cat.extra["workspace_problem"]


def test_validate_checks_the_shipped_layers_only(ws, tmp_path):
    import_into_workspace(d.gbk_shapefile_zip(tmp_path / "in"), "dikuai")
    from zkq_geo.validate import validate_geodata
    assert not any("dikuai" in c.name for c in validate_geodata())


def test_a_layer_title_carrying_a_script_payload_is_escaped_in_the_map(ws, tmp_path):
    from zkq_geo.render import build_map
    payload = d.PAYLOADS[0]
    import_into_workspace(d.hostile_geojson(tmp_path / "h.geojson"), "hostile", title=payload)
    cat = load_catalog()
    assert cat.layer("hostile").title("zh") == payload  # kept as given ...
    html = build_map({"hostile": load_layer("hostile", cat).gdf}, catalog=cat).get_root().render()
    # ... and the layer control gets it HTML-escaped (Leaflet sets names as innerHTML), so it shows as text
    assert payload not in html and "lt;img src=x onerror=alert(1)" in html
