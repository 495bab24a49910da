"""AppTest tests of a workspace that degrades per layer: a broken imported layer is said (in the
UI language, with what to do) while the map keeps every other layer; the import page never shows
the server's workspace path; leftovers of killed imports are cleaned at the app's start; an
admin deletes a layer (admin page) and restores a version (import page); an editor restores only
the layers they may version."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from zkq_geo.office.backends import open_workspace
from zkq_geo.workspace import Workspace

APP = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")
HEX = "0123456789abcdef" * 2
SHIPPED_ROWS = 10 + 36  # parks and projects in the map page's table


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch, fresh_caches) -> Workspace:
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.delenv("ZKQ_ADMIN_PASSWORD", raising=False)
    return open_workspace()  # the folder, or the PostGIS pass's database (tests/conftest.py)


def _points(n: int, prefix: str = "p") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"{prefix}{i}" for i in range(n)], "name": [f"点{i}" for i in range(n)]},
        geometry=[shapely.Point(113.75 + i / 100, 34.72) for i in range(n)],
        crs="EPSG:4326",
    )


def shown(elements) -> list[str]:
    """The texts of ``elements`` without markdown escapes (md_text escapes . _ and the like)."""
    return [e.value.replace("\\", "") for e in elements]


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def app(page: str | None = None, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    run(at)
    if page:
        at.switch_page(page)
        run(at)
    if lang != "zh":
        at.radio(key="lang").set_value(lang)
        run(at)
    return at


def _broken_workspace(workspace: Workspace) -> None:
    """good (2 features) loads; unreadable fails when read; odd has an extra key in the index."""
    workspace.save_layer("good", _points(2, "g"))
    workspace.save_layer("unreadable", _points(1, "u"))
    workspace.save_layer("odd", _points(1, "o"))
    (workspace.root / "layers" / "unreadable" / "v1.gpkg").write_bytes(
        b"SQLite format 3\x00" + os.urandom(4096)
    )
    path = workspace.root / "index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    index["layers"]["odd"][0]["colour"] = "red"
    path.write_text(json.dumps(index), encoding="utf-8")


@pytest.mark.folder_workspace  # breaks a GeoPackage and the index.json of the folder
@pytest.mark.parametrize("lang, said", [("zh", "暂不显示"), ("en", "is not shown")])
def test_the_map_keeps_every_other_layer_and_says_which_one_is_broken(workspace, lang, said):
    _broken_workspace(workspace)
    at = app(lang=lang)
    warnings = [w for w in shown(at.warning) if said in w]
    assert len(warnings) == 2, [w.value for w in at.warning]
    assert any("odd" in w and "colour" in w for w in warnings)
    assert any("unreadable" in w and "v1.gpkg" in w for w in warnings)
    assert all("zkq-geo layer delete" in w for w in warnings) and str(workspace.root) not in " ".join(
        warnings
    )
    assert set(at.multiselect(key="shown_layers").value) == {
        "zone",
        "boards",
        "plates",
        "parks",
        "projects",
        "good",
    }
    assert len(at.dataframe[0].value) == SHIPPED_ROWS + 2  # the shipped layers and the good one
    assert at.metric[0].value == "10"


@pytest.mark.folder_workspace  # removes a GeoPackage from the folder
def test_a_deleted_geopackage_is_said_on_the_map_page(workspace):
    workspace.save_layer("gone", _points(1))
    (workspace.root / "layers" / "gone" / "v1.gpkg").unlink()
    at = app()
    assert any("'gone'" in w and "layers/gone/v1.gpkg" in w for w in shown(at.warning))
    assert len(at.dataframe[0].value) == SHIPPED_ROWS


@pytest.mark.folder_workspace  # breaks a GeoPackage and the index.json of the folder
def test_the_import_page_lists_broken_layers_and_never_shows_the_workspace_path(workspace):
    _broken_workspace(workspace)
    at = app("app_pages/import_page.py")
    page_text = " ".join(
        text for kind in (at.caption, at.markdown, at.info, at.warning, at.error) for text in shown(kind)
    )
    assert str(workspace.root) not in page_text and str(workspace.root.parent) not in page_text
    assert any("服务器上的工作区" in c.value for c in at.caption)
    assert sum("暂不显示" in w.value for w in at.warning) == 2


@pytest.mark.folder_workspace  # a killed import's leftovers are temporary files in the folder
def test_leftovers_of_a_killed_import_are_cleaned_when_the_app_starts(workspace):
    workspace.save_layer("good", _points(2))
    old = [
        workspace.root / "layers" / "good" / f".v2-{HEX}.tmp.gpkg",
        workspace.root / "layers" / "good" / "v2.gpkg",
    ]
    fresh = workspace.root / "layers" / "good" / f".v3-{HEX}.tmp.gpkg"
    for path in (*old, fresh):
        path.write_bytes(b"x" * 1000)
    for path in old:
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    app()
    assert not any(p.exists() for p in old) and fresh.exists()


def test_only_an_admin_deletes_and_an_editor_restores_only_what_they_may_version(workspace, signed_in):
    workspace.save_layer("mine", _points(1))  # from before accounts: no owner, only an admin versions it
    workspace.save_layer("mine", _points(2))
    signed_in.add("bianji", "editor")
    signed_in.sign_in_app("bianji")
    at = app("app_pages/import_page.py")
    assert not [b for b in at.button if b.key in ("adm_delete", "adm_restore")]
    assert not [w for w in at.selectbox if w.key == "adm_layer"]
    signed_in.sign_in_app("guanli")
    at = app("app_pages/import_page.py")
    assert at.selectbox(key="adm_layer").value == "mine" and at.button(key="adm_restore")
    assert not [b for b in at.button if b.key == "adm_delete"]  # deleting is on the admin page


def _admin(page: str = "app_pages/import_page.py") -> AppTest:
    """The page as the signed-in admin (tests/app/conftest.py) sees it."""
    return app(page)


def test_admin_restores_a_version_and_the_map_shows_it(workspace):
    for n in (1, 2, 3):
        workspace.save_layer("mine", _points(n))
    at = _admin()
    assert at.selectbox(key="adm_layer").value == "mine"
    created = [v.created for v in workspace.versions("mine")]
    assert at.selectbox(key="adm_version").options == [
        f"版本 2（{created[1]}，mine）",
        f"版本 1（{created[0]}，mine）",
    ]
    at.button(key="adm_restore").click()
    run(at)
    assert any("已将图层 'mine' 的版本 2 恢复为版本 4" in s for s in shown(at.success))
    assert [v.version for v in workspace.versions("mine")] == [1, 2, 3, 4]
    at.switch_page("app_pages/map_page.py")
    run(at)
    assert len(at.dataframe[0].value) == SHIPPED_ROWS + 2  # the cached catalogue was refreshed


def test_admin_deletes_a_layer_only_once_confirmed(workspace):
    workspace.save_layer("mine", _points(1))
    workspace.save_layer("keep", _points(2, "k"))
    at = app()
    assert len(at.dataframe[0].value) == SHIPPED_ROWS + 3
    at = _admin("app_pages/admin_page.py")
    at.selectbox(key="adm_layer_all").set_value("mine")
    run(at)
    assert at.button(key="adm_delete").disabled
    at.checkbox(key="adm_confirm_mine").check()
    run(at)
    at.button(key="adm_delete").click()
    run(at)
    assert any("已删除图层 'mine'" in s and "mine-" in s for s in shown(at.success))
    assert list(workspace.layers()) == ["keep"] and [t.name for t in workspace.trash()] == ["mine"]
    if isinstance(workspace, Workspace):  # the folder keeps the files in trash/
        assert any("trash/mine-" in s for s in shown(at.success)) and (workspace.root / "trash").is_dir()
    at.switch_page("app_pages/map_page.py")
    run(at)
    assert "mine" not in at.multiselect(key="shown_layers").options
    assert len(at.dataframe[0].value) == SHIPPED_ROWS + 2


@pytest.mark.folder_workspace  # breaks a GeoPackage and the index.json of the folder
def test_admin_deletes_a_broken_layer(workspace):
    _broken_workspace(workspace)
    at = _admin()
    at.selectbox(key="adm_layer").set_value("odd")
    run(at)
    assert any("索引记录已损坏" in i.value for i in at.info)  # no version can be restored
    at = _admin("app_pages/admin_page.py")
    at.selectbox(key="adm_layer_all").set_value("odd")
    run(at)
    at.checkbox(key="adm_confirm_odd").check()
    run(at).button(key="adm_delete").click()
    run(at)
    assert "odd" not in workspace.names()
    at.switch_page("app_pages/map_page.py")
    run(at)
    assert not any("'odd'" in w for w in shown(at.warning)) and any(
        "'unreadable'" in w for w in shown(at.warning)
    )
