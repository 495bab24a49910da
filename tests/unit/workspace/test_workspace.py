"""Workspace tests: versions never overwrite, originals kept byte for byte, atomic writes, safe
names, and imported layers in the catalogue beside the shipped ones (show, filter, 亩均, export)."""

from __future__ import annotations

import errno
import json
import os
import time

import geopandas as gpd
import importdata as d
import pyogrio
import pytest
import shapely

from zkq_geo.analysis.selection import Selection, apply_selection
from zkq_geo.catalog import SHIPPED_LAYERS
from zkq_geo.errors import DataSourceError, OptionError, SchemaError
from zkq_geo.export import export_bytes
from zkq_geo.layers import load_catalog_layers, load_layer
from zkq_geo.workspace import (
    RECORD_KEYS,
    Workspace,
    check_layer_name,
    default_root,
    full_catalog,
    import_into_workspace,
)


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    return Workspace()


def _points(n=2, **cols):
    return gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(n)], "name": [f"点{i}" for i in range(n)], **cols},
        geometry=[shapely.Point(113.75 + i / 100, 34.72) for i in range(n)],
        crs="EPSG:4326",
    )


def test_default_root_is_the_env_var_or_the_gitignored_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "here"))
    assert default_root() == (tmp_path / "here").resolve()
    monkeypatch.delenv("ZKQ_WORKSPACE")
    assert default_root().name == "workspace" and (default_root().parent / "geodata").is_dir()


@pytest.mark.parametrize(
    "bad", ["../x", "a/b", ".hidden", "Parks", "园区", "", "x" * 41, "1abc", "a.b", "parks"]
)
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
    cat = full_catalog()
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
    cat = full_catalog()
    assert tuple(cat.layers) == SHIPPED_LAYERS and "unreadable" in cat.extra["workspace_problem"]


def test_index_entries_cannot_point_outside(ws, tmp_path):
    ws.root.mkdir(parents=True)
    doc = {
        "version": 1,
        "layers": {
            "evil": [
                {
                    "version": 1,
                    "file": "../../etc/passwd",
                    "title": "x",
                    "kind": "import",
                    "created": "",
                    "source_file": "",
                    "original": None,
                    "feature_count": 1,
                    "geometry_type": "Point",
                    "report": {},
                }
            ]
        },
    }
    (ws.root / "index.json").write_text(json.dumps(doc), encoding="utf-8")
    cat = full_catalog()
    assert (
        "evil" not in cat.layers
        and tuple(cat.layers) == SHIPPED_LAYERS
        and "workspace_problem" not in cat.extra
    )
    assert "should be the path layers/evil/v1.gpkg" in cat.broken["evil"]
    doc["layers"]["evil"][0]["file"] = "layers/evil/v1.gpkg"  # the right name, but a link leading outside
    (ws.root / "index.json").write_text(json.dumps(doc), encoding="utf-8")
    (ws.root / "layers" / "evil").mkdir(parents=True)
    (ws.root / "layers" / "evil" / "v1.gpkg").symlink_to(_gpkg(tmp_path / "outside.gpkg"))
    assert "leads outside the workspace" in full_catalog().broken["evil"]


def test_validate_checks_the_shipped_layers_only(ws, tmp_path):
    import_into_workspace(d.gbk_shapefile_zip(tmp_path / "in"), "dikuai")
    from zkq_geo.validate import validate_geodata

    assert not any("dikuai" in c.name for c in validate_geodata())


def test_a_layer_title_carrying_a_script_payload_is_escaped_in_the_map(ws, tmp_path):
    from zkq_geo.render.builder import build_map

    payload = d.PAYLOADS[0]
    import_into_workspace(d.hostile_geojson(tmp_path / "h.geojson"), "hostile", title=payload)
    cat = full_catalog()
    assert cat.layer("hostile").title("zh") == payload  # kept as given ...
    html = build_map({"hostile": load_layer("hostile", cat).gdf}, catalog=cat).get_root().render()
    # ... and the layer control gets it HTML-escaped (Leaflet sets names as innerHTML), so it shows as text
    assert payload not in html and "lt;img src=x onerror=alert(1)" in html


# ----------------------------------------------------------------------------- a workspace degrades per layer
def _gpkg(path):
    pyogrio.write_dataframe(_points(), path, layer="x", driver="GPKG")
    return path


def _two_layers(ws):
    """Layers "good" (one version) and "bad" (two versions: 2 and 3 points), both fine so far."""
    ws.save_layer("good", _points())
    ws.save_layer("bad", _points(2))
    ws.save_layer("bad", _points(3))
    return ws


def _edit_index(ws, change):
    path = ws.root / "index.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def _assert_only_bad_is_broken(ws, said):
    assert list(ws.layers()) == ["good"] and [b.name for b in ws.broken()] == ["bad"]
    message = ws.broken()[0].message
    assert said in message, message
    assert "zkq-geo layer delete bad" in message and "删除" in message.text("zh")
    loaded, cat = load_catalog_layers()
    assert tuple(cat.layers) == (*SHIPPED_LAYERS, "good") and set(loaded) == set(cat.layers)
    assert list(cat.broken) == ["bad"] and "workspace_problem" not in cat.extra
    with pytest.raises(DataSourceError, match="imported layer 'bad' is not shown"):
        load_layer("bad", cat)
    return message


def _set(key, value, record=-1):
    return lambda doc: doc["layers"]["bad"][record].__setitem__(key, value)


@pytest.mark.parametrize(
    "change, said",
    [
        (_set("colour", "red"), "version record #2 has unknown keys 'colour'"),
        (lambda doc: doc["layers"]["bad"][1].pop("title"), "version record #2 lacks title"),
        (_set("feature_count", "3"), "feature_count is '3', but should be a whole number, 0 or more"),
        (_set("version", True), "version is True, but should be a whole number above 0"),
        (_set("version", 0, record=0), "version is 0, but should be a whole number above 0"),
        (_set("kind", "magic"), "kind is 'magic', but should be 'import' or 'join'"),
        (_set("report", []), "report is [], but should be an object"),
        (
            _set("original", "originals/bad/v1/../../../x"),
            "original is 'originals/bad/v1/../../../x', but should be",
        ),
        (_set("file", "layers/good/v1.gpkg"), "should be the path layers/bad/v2.gpkg"),
        (lambda doc: doc["layers"].__setitem__("bad", {"version": 1}), "it is not a list of versions"),
        (lambda doc: doc["layers"].__setitem__("bad", []), "it lists no version"),
        (lambda doc: doc["layers"]["bad"].__setitem__(1, "v2"), "version record #2 is not an object"),
        (lambda doc: doc["layers"]["bad"].reverse(), "version numbers 2, 1 do not increase"),
    ],
)
def test_a_bad_index_entry_breaks_only_its_layer(ws, change, said):
    _edit_index(_two_layers(ws), change)
    message = _assert_only_bad_is_broken(ws, said)
    assert "index is damaged" in message and "trash/" in message
    assert ws.versions("bad") == [] and len(ws.read_layer("good")) == 2
    assert "已损坏" in ws.broken()[0].message.text("zh")
    if said == "it lists no version":  # nothing to trust or lose: a new import mends it
        assert ws.save_layer("bad", _points()).version == 3 and ws.broken() == []
        return
    with pytest.raises(DataSourceError, match="cannot get a new version.*delete the layer first"):
        ws.save_layer("bad", _points())  # the version numbers of a damaged entry cannot be trusted


def test_the_record_keys_are_exactly_those_the_workspace_writes(ws):
    ws.save_layer("good", _points())
    record = json.loads((ws.root / "index.json").read_text(encoding="utf-8"))["layers"]["good"][0]
    assert tuple(record) == RECORD_KEYS


def test_a_layer_name_the_workspace_cannot_hold_is_broken_and_the_shipped_layer_stays(ws):
    _two_layers(ws)
    _edit_index(ws, lambda doc: doc["layers"].update({"parks": doc["layers"]["good"], "../x": []}))
    names = [b.name for b in ws.broken()]
    assert names == ["parks", "../x"] and "remove that entry from index.json" in ws.broken()[0].message
    cat = full_catalog()
    assert cat.layer("parks").origin == "shipped" and len(load_layer("parks", cat).gdf) == 10


def test_a_corrupted_geopackage_breaks_only_its_layer(ws):
    _two_layers(ws)
    (ws.root / "layers" / "bad" / "v2.gpkg").write_bytes(os.urandom(4096))
    _assert_only_bad_is_broken(ws, "its file layers/bad/v2.gpkg is not a GeoPackage (damaged or replaced)")


def test_a_geopackage_that_fails_only_when_read_breaks_only_its_layer(ws):
    _two_layers(ws)
    (ws.root / "layers" / "bad" / "v2.gpkg").write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    assert list(ws.layers()) == ["good", "bad"]  # the cheap check passes: the header is right
    loaded, cat = load_catalog_layers()
    assert tuple(cat.layers) == (*SHIPPED_LAYERS, "good") and set(loaded) == set(cat.layers)
    assert "its file layers/bad/v2.gpkg cannot be read" in cat.broken["bad"]
    assert str(ws.root) not in cat.broken["bad"]  # never the server's path
    with pytest.raises(DataSourceError, match="imported layer 'bad' is not shown"):
        load_layer("bad", full_catalog())


def test_a_deleted_geopackage_is_said_and_restoring_mends_it(ws):
    _two_layers(ws)
    (ws.root / "layers" / "bad" / "v2.gpkg").unlink()
    _assert_only_bad_is_broken(ws, "its file layers/bad/v2.gpkg is missing")
    assert [v.version for v in ws.versions("bad")] == [
        1,
        2,
    ]  # the entry is fine: an earlier version can come back
    saved = ws.restore_version("bad")
    assert saved.version == 3 and "restored version 1 of layer 'bad' as version 3" in saved.message
    assert ws.broken() == [] and len(ws.read_layer("bad")) == 2


def test_a_whole_index_that_is_no_object_hides_the_imported_layers_only(ws):
    _two_layers(ws)
    (ws.root / "index.json").write_text("[1, 2]", encoding="utf-8")
    cat = full_catalog()
    assert tuple(cat.layers) == SHIPPED_LAYERS and "not a zkq-geo index" in cat.extra["workspace_problem"]


# ----------------------------------------------------------------------------- orphans of interrupted imports
HEX = "0123456789abcdef" * 2


def _old(*paths, age_s=3600):
    for path in paths:
        os.utime(path, (time.time() - age_s, time.time() - age_s))
    return paths


def test_clean_orphans_removes_what_a_killed_import_left_and_nothing_else(ws):
    _two_layers(ws)
    layers, originals = ws.root / "layers", ws.root / "originals"
    (originals / "bad").mkdir(parents=True)
    made = {
        "tmp_gpkg": layers / "bad" / f".v4-{HEX}.tmp.gpkg",
        "journal": layers / "bad" / f".v4-{HEX}.tmp.gpkg-journal",
        "unlisted": layers / "bad" / "v4.gpkg",
        "ghost": layers / "ghost" / "v1.gpkg",
        "tmp_index": ws.root / f".index.json.{HEX}.tmp",
        "staging": originals / "bad" / f".v4-{HEX}.tmp",
        "unlisted_original": originals / "bad" / "v4",
    }
    (layers / "ghost").mkdir()
    for key, path in made.items():
        if key in ("staging", "unlisted_original"):
            path.mkdir()
            (path / "big.zip").write_bytes(b"x" * 100)
        else:
            path.write_bytes(b"x" * 100)
    kept = [
        layers / "bad" / "notes.txt",
        layers / "bad" / "v4.gpkg.bak",
        ws.root / "trash" / "v1.gpkg",
        layers / "bad" / f".v5-{HEX}.tmp.gpkg",
    ]
    for path in kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"mine")
    _old(*made.values(), *kept[:3])  # the last one is fresh: a save in progress elsewhere may be writing it
    before = json.loads((ws.root / "index.json").read_text(encoding="utf-8"))
    removed = ws.clean_orphans()
    assert removed == sorted(p.relative_to(ws.root).as_posix() for p in made.values())
    assert not any(p.exists() for p in made.values()) and all(p.exists() for p in kept)
    assert not (layers / "ghost").exists()  # the empty folder of a layer the index does not list
    assert json.loads((ws.root / "index.json").read_text(encoding="utf-8")) == before
    assert [v.version for v in ws.versions("bad")] == [1, 2] and len(ws.read_layer("good")) == 2
    assert ws.clean_orphans() == []
    assert ws.save_layer("bad", _points()).version == 3


def test_clean_orphans_keeps_young_files_and_unlisted_versions_it_cannot_judge(ws):
    _two_layers(ws)
    young = ws.root / "layers" / "bad" / "v7.gpkg"
    young.write_bytes(b"x")
    assert ws.clean_orphans() == [] and young.exists()  # younger than 10 minutes: maybe a save in progress
    _old(young)
    assert ws.save_layer("bad", _points()).version == 8  # never overwritten while it waits
    _edit_index(ws, _set("colour", "red"))  # entry damaged: which versions it lists is unknown
    tmp = ws.root / "layers" / "bad" / f".v9-{HEX}.tmp.gpkg"
    tmp.write_bytes(b"x")
    _old(tmp)
    assert ws.clean_orphans() == [f"layers/bad/.v9-{HEX}.tmp.gpkg"] and young.exists()
    (ws.root / "index.json").write_text("{not json", encoding="utf-8")
    assert ws.clean_orphans() == [] and young.exists() and (ws.root / "layers" / "good" / "v1.gpkg").exists()


def test_clean_orphans_of_a_workspace_not_yet_made_creates_nothing(ws):
    assert ws.clean_orphans() == [] and not ws.root.exists()


# ------------------------------------------------------------------------ a workspace that is not writable
@pytest.fixture
def unwritable(tmp_path, monkeypatch):
    """A workspace whose folder cannot be made: its parent is a regular file (fails as root too)."""
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "file" / "ws"))
    return Workspace()


def test_a_workspace_that_cannot_be_made_says_so_in_both_languages(unwritable):
    for action in (
        lambda: unwritable.save_layer("mine", _points()),
        lambda: unwritable.delete_layer("mine"),
        lambda: import_into_workspace(d.hostile_geojson(unwritable.root.parents[1] / "h.geojson"), "h"),
    ):
        with pytest.raises(
            DataSourceError,
            match=r"^the workspace folder is not writable \(Not a directory\); .*"
            "ZKQ_WORKSPACE",
        ) as caught:
            action()
        assert "工作区文件夹不可写" in caught.value.text("zh")
        assert str(unwritable.root) not in str(caught.value)
    assert unwritable.layers() == {} and unwritable.clean_orphans() == []
    assert tuple(full_catalog().layers) == SHIPPED_LAYERS


def test_a_write_refused_by_the_system_says_the_folder_is_not_writable(ws, monkeypatch):
    ws.save_layer("mine", _points())
    ws.save_layer("mine", _points(3))
    before = d.tree(ws.root)

    def refused(*args):
        raise PermissionError(errno.EACCES, "Permission denied", str(args[0]))

    monkeypatch.setattr(os, "replace", refused)
    for action in (
        lambda: ws.save_layer("mine", _points()),
        lambda: ws.restore_version("mine", 1),
        lambda: ws.delete_layer("mine"),
    ):
        with pytest.raises(DataSourceError, match=r"not writable \(Permission denied\)"):
            action()
    monkeypatch.undo()
    assert d.tree(ws.root) == before and [v.version for v in ws.versions("mine")] == [1, 2]


def test_a_lock_that_cannot_be_opened_says_the_folder_is_not_writable(ws, monkeypatch):
    ws.root.mkdir(parents=True)
    real_open = open

    def no_lock(path, *args, **kwargs):
        if str(path).endswith(".lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_lock)
    with pytest.raises(DataSourceError, match="not writable"):
        ws.save_layer("mine", _points())
    with pytest.raises(DataSourceError, match="not writable"):
        ws.clean_orphans()


# ----------------------------------------------------------------------------- delete and restore
def test_delete_moves_the_layer_to_trash_and_the_catalogue_forgets_it(ws, tmp_path):
    original = tmp_path / "pts.csv"
    original.write_bytes(b"as given")
    ws.save_layer("good", _points())
    ws.save_layer("gone", _points(), original=original)
    ws.save_layer("gone", _points(3), original=original)
    message = ws.delete_layer("gone")
    assert message.startswith(
        "deleted layer 'gone' (2 version(s)); its files and index entry are kept in trash/gone-"
    )
    assert "已删除图层" in message.text("zh")
    trash = next((ws.root / "trash").iterdir())
    assert sorted(p.name for p in (trash / "layers").iterdir()) == ["v1.gpkg", "v2.gpkg"]
    assert (trash / "originals" / "v2" / "pts.csv").read_bytes() == b"as given"
    assert [r["version"] for r in json.loads((trash / "entry.json").read_text(encoding="utf-8"))["gone"]] == [
        1,
        2,
    ]
    assert not (ws.root / "layers" / "gone").exists() and not (ws.root / "originals" / "gone").exists()
    assert list(ws.layers()) == ["good"] and "gone" not in full_catalog().layers
    with pytest.raises(OptionError, match="no imported layer 'gone'.*imported layers: good"):
        ws.delete_layer("gone")
    assert ws.save_layer("gone", _points()).version == 1  # the name is free again


def test_a_deleted_layer_is_listed_in_trash_and_comes_back_with_every_version(ws, tmp_path):
    original = tmp_path / "pts.csv"
    original.write_bytes(b"as given")
    ws.save_layer("gone", _points(), original=original)
    ws.save_layer("gone", _points(3), original=original)
    ws.delete_layer("gone")
    (ws.root / "trash" / "not-a-delete").mkdir()
    [item] = ws.trash()
    assert item.name == "gone" and item.versions == 2 and item.deleted_at.endswith("+00:00")
    ws.save_layer("gone", _points())  # the name is taken again: undelete refuses
    with pytest.raises(OptionError, match="a layer named 'gone' exists now"):
        ws.undelete(item.id)
    ws.delete_layer("gone")
    older = [t for t in ws.trash() if t.id == item.id]
    assert len(ws.trash()) == 2 and older
    message = ws.undelete(item.id)
    assert "restored deleted layer 'gone' with its 2 version(s)" == str(message)
    assert [v.version for v in ws.versions("gone")] == [1, 2]
    assert len(ws.read_layer("gone")) == 3 and len(ws.read_layer("gone", 1)) == 2
    assert (ws.root / ws.latest("gone").original).read_bytes() == b"as given"
    assert [t.id for t in ws.trash()] != [item.id] and len(ws.trash()) == 1


@pytest.mark.parametrize("bad", ["../x", "gone-20260101T000000Z-zzzzzzzz", "", None, "a" * 200])
def test_undelete_refuses_ids_that_are_not_in_the_trash(ws, bad):
    ws.save_layer("gone", _points())
    ws.delete_layer("gone")
    with pytest.raises(OptionError, match="no deleted layer"):
        ws.undelete(bad)
    assert len(ws.trash()) == 1


def test_a_broken_layer_can_be_deleted(ws):
    _edit_index(_two_layers(ws), _set("colour", "red"))
    ws.delete_layer("bad")
    assert ws.broken() == [] and list(ws.layers()) == ["good"]


@pytest.mark.parametrize("bad", ["../good", "parks"])
def test_delete_and_restore_take_layer_names_only(ws, bad):
    ws.save_layer("good", _points())
    for action in (ws.delete_layer, ws.restore_version):
        with pytest.raises(OptionError, match="not allowed|shipped layer"):
            action(bad)
    assert list(ws.layers()) == ["good"]


def test_restore_adds_a_copy_of_an_earlier_version_and_keeps_history(ws):
    for n in (1, 2, 3):
        ws.save_layer("mine", _points(n), title=f"标题{n}")
    saved = ws.restore_version("mine")  # default: the one before the latest
    assert (saved.version, saved.restored_from, saved.earlier_versions) == (4, 2, (1, 2, 3))
    assert "version 4, which is now shown" in saved.message and "已将图层" in saved.message.text("zh")
    versions = ws.versions("mine")
    assert [v.version for v in versions] == [1, 2, 3, 4] and versions[-1].title == "标题2"
    assert versions[-1].report == {"restored_from": 2} and versions[-1].feature_count == 2
    assert len(ws.read_layer("mine")) == 2 and len(ws.read_layer("mine", 3)) == 3  # nothing rewritten
    folder = ws.root / "layers" / "mine"
    assert (folder / "v4.gpkg").read_bytes() == (folder / "v2.gpkg").read_bytes()
    assert ws.restore_version("mine", 1).version == 5 and len(load_layer("mine", full_catalog()).gdf) == 1


def test_restore_says_what_cannot_be_restored(ws):
    ws.save_layer("one", _points())
    for version in (None, 1):
        with pytest.raises(OptionError, match="layer 'one' has only version 1; there is no earlier version"):
            ws.restore_version("one", version)
    ws.save_layer("one", _points(3))
    with pytest.raises(OptionError, match="version 2 is already the current version of layer 'one'; .*: 1$"):
        ws.restore_version("one", 2)
    with pytest.raises(OptionError, match="layer 'one' has no version 9; it has 1, 2"):
        ws.restore_version("one", 9)
    with pytest.raises(OptionError, match="no imported layer 'nope'"):
        ws.restore_version("nope")
    (ws.root / "layers" / "one" / "v1.gpkg").write_bytes(b"garbage")
    with pytest.raises(
        DataSourceError, match="version 1 of layer 'one' cannot be restored: .* not a GeoPackage"
    ):
        ws.restore_version("one", 1)
    assert [v.version for v in ws.versions("one")] == [1, 2] and sorted(d.tree(ws.root / "layers")) == [
        "one",
        "one/v1.gpkg",
        "one/v2.gpkg",
    ]


# ----------------------------------------------------------------------------- map tiles (a cache)
def _fake_tiles(folder, *, old=True):
    """A stand-in tile set: one tile and a tileset.json (the workspace never reads them)."""
    (folder / "8" / "1").mkdir(parents=True)
    (folder / "8" / "1" / "2.pbf").write_bytes(b"tile")
    (folder / "tileset.json").write_text("{}", encoding="utf-8")
    if old:
        _old(folder, *folder.rglob("*"))
    return folder


def test_tiles_dir_is_a_folder_per_layer_version_under_tiles(ws):
    ws.save_layer("mine", _points())
    ws.save_layer("mine", _points(3))
    first, second = ws.versions("mine")
    assert ws.tiles_dir(first) == ws.root / "tiles" / "mine" / "v1"
    assert ws.tiles_dir(second) == ws.root / "tiles" / "mine" / "v2"
    assert not (ws.root / "tiles").exists()  # named, not created


def test_tiles_dir_stays_inside_the_workspace(ws, tmp_path):
    ws.save_layer("mine", _points())
    (tmp_path / "elsewhere").mkdir()
    (ws.root / "tiles").mkdir()
    (ws.root / "tiles" / "mine").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(DataSourceError, match="outside"):
        ws.tiles_dir(ws.latest("mine"))


def test_delete_removes_the_layers_tiles_and_keeps_its_data_in_trash(ws):
    ws.save_layer("good", _points())
    ws.save_layer("gone", _points())
    kept = _fake_tiles(ws.tiles_dir(ws.latest("good")))
    _fake_tiles(ws.tiles_dir(ws.latest("gone")))
    ws.delete_layer("gone")
    assert not (ws.root / "tiles" / "gone").exists()
    trash = next((ws.root / "trash").iterdir())
    assert sorted(p.name for p in trash.iterdir()) == ["entry.json", "layers"]  # no tiles in trash
    assert (kept / "8" / "1" / "2.pbf").read_bytes() == b"tile"
    assert ws.save_layer("gone", _points()).version == 1  # the name is free again, no stale tiles


def test_a_new_version_never_takes_the_number_of_tiles_left_on_disk(ws):
    ws.save_layer("mine", _points())
    _fake_tiles(ws.root / "tiles" / "mine" / "v2")  # e.g. a build that finished after a delete
    assert ws.save_layer("mine", _points()).version == 3


def test_clean_orphans_removes_tiles_of_unlisted_layers_and_build_leftovers_only(ws):
    _two_layers(ws)
    tiles = ws.root / "tiles"
    listed = [_fake_tiles(tiles / "good" / "v1"), _fake_tiles(tiles / "bad" / "v3")]
    unlisted_version = _fake_tiles(tiles / "bad" / "v9")  # its layer is listed: left alone
    ghost = _fake_tiles(tiles / "ghost" / "v1")  # a layer no longer in the index
    leftover = tiles / "good" / ".tiles_k3j_x9a2"
    (leftover / "tiles").mkdir(parents=True)
    (leftover / "features.geojsonl").write_text("{}\n", encoding="utf-8")
    young = tiles / "bad" / ".tiles_abc123"  # a build in progress
    young.mkdir()
    foreign = [tiles / "Notes", tiles / "good" / "readme.txt", tiles / "good" / ".tiles_x.txt"]
    foreign[0].mkdir()
    for path in foreign[1:]:
        path.write_text("mine", encoding="utf-8")
    _old(ghost.parent, leftover, *foreign)
    assert ws.clean_orphans() == ["tiles/ghost", "tiles/good/.tiles_k3j_x9a2"]
    assert not ghost.parent.exists() and not leftover.exists()
    assert all(p.exists() for p in [*listed, unlisted_version, young, *foreign])
    assert ws.clean_orphans() == []


def test_clean_orphans_keeps_young_tiles_and_all_tiles_when_the_index_is_unreadable(ws):
    _two_layers(ws)
    fresh = _fake_tiles(ws.root / "tiles" / "ghost" / "v1", old=False)  # a build racing a delete
    assert ws.clean_orphans() == [] and fresh.exists()
    _old(fresh.parent)
    (ws.root / "index.json").write_text("{not json", encoding="utf-8")
    leftover = ws.root / "tiles" / "ghost" / ".tiles_abcdefgh"
    leftover.mkdir()
    _old(leftover)
    assert ws.clean_orphans() == ["tiles/ghost/.tiles_abcdefgh"] and fresh.exists()


def test_a_tile_build_is_left_alone_as_long_as_a_build_may_run(ws, monkeypatch):
    _two_layers(ws)
    build = ws.root / "tiles" / "good" / ".tiles_longbuild"
    build.mkdir(parents=True)
    _old(build, age_s=1200)  # older than the 10 minutes of other leftovers, younger than a build may run
    assert ws.clean_orphans() == [] and build.exists()
    monkeypatch.setenv("ZKQ_TILE_BUILD_SECONDS", "300")
    assert ws.clean_orphans() == ["tiles/good/.tiles_longbuild"]
