"""The shared office in the app: each role sees its pages (the admin page only for admins; the
import controls only for editors and admins), a private layer stays with its owner (map, table,
export, data page, 亩均), a team layer with its team, and the admin page's actions (add a user,
delete and put back a layer, the audit trail with the file's SHA-256) work and are recorded."""

from __future__ import annotations

import hashlib
import io
import json

import geopandas as gpd
import importdata as d
import openpyxl
import pandas as pd
import pytest
import shapely
from apppages import APP
from streamlit.testing.v1 import AppTest

from zkq_geo.office.backends import open_workspace  # the folder, or the PostGIS pass's database

pytestmark = pytest.mark.usefixtures("fresh_caches")
ADMIN_PAGE, IMPORT_PAGE = "app_pages/admin_page.py", "app_pages/import_page.py"


def points(n: int, prefix: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"{prefix}{i}" for i in range(n)], "name": [f"{prefix}点{i}" for i in range(n)]},
        geometry=[shapely.Point(113.75 + i / 100, 34.72) for i in range(n)],
        crs="EPSG:4326",
    )


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return run(at)


def app(page: str | None = None) -> AppTest:
    at = run(AppTest.from_file(APP, default_timeout=120))
    if page:
        at.switch_page(page)
        run(at)
    return at


@pytest.fixture
def office(signed_in):
    """Editor bianji (team guihua) owns private "siyou" (3 points) and "keshi" (2 points, shared
    with guihua); tongshi is a viewer in guihua; chakan a viewer in no team."""
    signed_in.add("bianji", "editor", teams=("guihua",), display_name="编辑小李")
    signed_in.add("tongshi", "viewer", teams=("guihua",))
    signed_in.add("chakan", "viewer", display_name="查看小张")
    ws = open_workspace(signed_in.root)
    ws.save_layer("siyou", points(3, "s"), title="私有地块")
    ws.save_layer("keshi", points(2, "k"), title="科室地块")
    signed_in.store.claim_layer("siyou", "bianji", None, "private")
    signed_in.store.claim_layer("keshi", "bianji", "guihua", "team")
    return signed_in


def table_ids(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value.index)


@pytest.mark.parametrize(
    "who, layers",
    [
        ("bianji", {"siyou", "keshi"}),
        ("guanli", {"siyou", "keshi"}),
        ("tongshi", {"keshi"}),
        ("chakan", set()),
    ],
)
def test_each_user_sees_only_the_layers_they_may_on_map_table_and_export(office, who, layers, media_files):
    office.sign_in_app(who)
    at = app()
    shown = at.multiselect(key="shown_layers")
    imported = {n for n in shown.options if n in ("siyou", "keshi", "私有地块", "科室地块")}
    assert imported == {"私有地块" if n == "siyou" else "科室地块" for n in layers}
    ids = table_ids(at)
    assert {i for i in ids if i[0] in "sk" and i[1:].isdigit()} == {
        f"{n[0]}{i}" for n in layers for i in range(3 if n == "siyou" else 2)
    }
    export = at.selectbox(key="export_layer")
    assert set(export.options) & {"私有地块", "科室地块"} == {
        "私有地块" if n == "siyou" else "科室地块" for n in layers
    }
    for name in layers:  # what may be seen exports in full
        at.selectbox(key="export_layer").set_value(name).run()
        button = at.get("download_button")[0]
        features = json.loads(media_files[button.proto.url])["features"]
        assert len(features) == (3 if name == "siyou" else 2)
    data_page = app("app_pages/data_page.py")
    text = " ".join(str(e.value) for e in data_page.markdown) + " ".join(
        data_page.dataframe[i].value.to_string() for i in range(len(data_page.dataframe))
    )
    for hidden in {"siyou", "keshi"} - layers:
        assert hidden not in text and ("私有地块" if hidden == "siyou" else "科室地块") not in text


def test_a_hidden_layer_never_reaches_the_map(office):
    """The rendered map (everything the page sends the browser) holds the owner's points only."""
    office.sign_in_app("bianji")
    assert "s点0" in str(app()._tree)  # the map's popups name the points
    office.sign_in_app("chakan")
    sent = str(app()._tree)
    assert "s点0" not in sent and "私有地块" not in sent and "科室地块" not in sent


def test_pages_follow_the_role(office):
    for who in ("chakan", "bianji"):
        office.sign_in_app(who)
        at = app()
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(ADMIN_PAGE)
    office.sign_in_app("guanli")
    at = app(ADMIN_PAGE)
    assert [x.value for x in at.title] == ["管理"] and len(at.tabs) == 5


def test_a_viewer_reads_who_may_import_and_gets_no_import_controls(office):
    office.sign_in_app("chakan")
    at = app(IMPORT_PAGE)
    assert not at.get("file_uploader") and not at.button
    (info,) = [i.value for i in at.info]
    assert "您的角色是查看者" in info and "编辑者或管理员" in info


def test_an_editor_imports_privately_by_default_and_the_audit_has_the_file(office, tmp_path):
    office.sign_in_app("bianji")
    at = app(IMPORT_PAGE)
    path = d.gbk_shapefile_zip(tmp_path / "in")
    at.file_uploader(key="imp_file").set_value((path.name, path.read_bytes(), "application/zip"))
    run(at)
    assert at.radio(key="imp_visibility").value == "private"
    assert at.radio(key="imp_visibility").options == ["仅自己", "本科室", "所有人"]
    click(at, "imp_go")
    assert "已保存图层 'dikuai'（版本 1）" in at.success[0].value
    access = office.store.access("dikuai")
    assert (access.owner, access.visibility, access.team) == ("bianji", "private", None)
    (event,) = [e for e in office.store.events() if e.action == "import"]
    assert (event.actor, event.target, event.file_name) == ("bianji", "dikuai", path.name)
    assert event.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    office.sign_in_app("tongshi")  # the same team, but the layer is private
    assert "dikuai" not in app().multiselect(key="shown_layers").value
    office.sign_in_app("bianji")
    assert "dikuai" in app().multiselect(key="shown_layers").value


def test_an_editor_may_not_version_a_layer_of_someone_else(office, tmp_path):
    office.add("bianji2", "editor")
    office.sign_in_app("bianji2")
    at = app(IMPORT_PAGE)
    path = d.gbk_shapefile_zip(tmp_path / "in")
    at.file_uploader(key="imp_file").set_value((path.name, path.read_bytes(), "application/zip"))
    run(at)
    at.text_input(key="imp_name").set_value("siyou")  # private to bianji: hidden, so "taken"
    run(at)
    assert at.button(key="imp_go").disabled
    assert any("已被一个您无权查看的图层使用" in e.value for e in at.error)
    office.store.set_access("guanli", "siyou", "bianji", None, "everyone")  # seen, but not theirs
    at.text_input(key="imp_name").set_value("siyou").run()
    assert at.button(key="imp_go").disabled
    assert any("不能为图层「siyou」添加版本" in e.value for e in at.error)
    assert len(open_workspace(office.root).versions("siyou")) == 1


def test_the_admin_adds_a_user_with_a_password_typed_twice(office):
    at = app(ADMIN_PAGE)
    at.text_input(key="adm_new_name").set_value("xinren")
    at.text_input(key="adm_new_display").set_value("新人")
    at.selectbox(key="adm_new_role").set_value("editor")
    at.text_input(key="adm_new_password").set_value("Spring-Rain-88")
    at.text_input(key="adm_new_password_again").set_value("Spring-Rain-89")
    click(at, "FormSubmitter:adm_add_form-添加用户")
    assert any("两次输入的密码不一致" in e.value for e in at.error) and office.store.user("xinren") is None
    at.text_input(key="adm_new_password_again").set_value("Spring-Rain-88")
    click(at, "FormSubmitter:adm_add_form-添加用户")
    user = office.store.user("xinren")
    assert (user.role, user.display_name) == ("editor", "新人")
    assert office.store.sign_in("xinren", "Spring-Rain-88")[0].name == "xinren"
    assert [e.actor for e in office.store.events() if e.action == "user_add" and e.target == "xinren"] == [
        "guanli"
    ]
    at = app(ADMIN_PAGE)
    users = at.dataframe[0].value
    assert list(users.columns) == ["用户名", "显示名", "角色", "科室", "已停用", "已锁定"]
    assert users.set_index("用户名").loc["xinren", "角色"] == "编辑者"
    assert users.set_index("用户名").loc["tongshi", "科室"] == "guihua"


def test_the_admin_sees_a_locked_user_and_a_new_password_unlocks(office):
    for _ in range(5):
        with pytest.raises(Exception, match="."):
            office.store.sign_in("chakan", "wrong-password-x")
    at = app(ADMIN_PAGE)
    assert at.dataframe[0].value.set_index("用户名").loc["chakan", "已锁定"] == "是"
    at.selectbox(key="adm_user").set_value("chakan")
    run(at)
    at.text_input(key="adm_passwd").set_value("Autumn-Leaf-77")
    at.text_input(key="adm_passwd_again").set_value("Autumn-Leaf-77")
    click(at, "FormSubmitter:adm_passwd_form-重设密码（同时解锁）")
    assert office.store.sign_in("chakan", "Autumn-Leaf-77")[0].name == "chakan"
    assert app(ADMIN_PAGE).dataframe[0].value.set_index("用户名").loc["chakan", "已锁定"] == "否"


def test_the_admin_deletes_a_layer_and_puts_it_back_from_the_trash(office):
    at = app(ADMIN_PAGE)
    (layers,) = [f.value for f in at.dataframe if "图层名" in f.value.columns]  # users, teams, layers
    layers = layers.set_index("图层名")
    assert layers.loc["siyou", "所有者"] == "bianji" and layers.loc["siyou", "可见范围"] == "仅自己"
    at.selectbox(key="adm_layer_all").set_value("siyou")
    run(at)
    at.checkbox(key="adm_confirm_siyou").check()
    run(at)
    click(at, "adm_delete")
    assert "siyou" not in open_workspace(office.root).names()
    office.sign_in_app("bianji")
    assert "siyou" not in app().multiselect(key="shown_layers").value
    office.sign_in_app("guanli")
    at = app(ADMIN_PAGE)
    (trashed,) = open_workspace(office.root).trash()
    assert at.selectbox(key="adm_trash").value == trashed.id
    click(at, "adm_undelete")
    workspace = open_workspace(office.root)
    assert sorted(workspace.names()) == ["keshi", "siyou"] and not workspace.trash()
    assert office.store.access("siyou").owner == "bianji"  # owner and visibility as before
    actions = [(e.action, e.target) for e in office.store.events() if e.actor == "guanli"]
    assert ("delete", "siyou") in actions and ("undelete", "siyou") in actions
    office.sign_in_app("bianji")
    assert "siyou" in app().multiselect(key="shown_layers").value


def test_the_admin_shares_a_layer_with_everyone(office):
    at = app(ADMIN_PAGE)
    at.selectbox(key="adm_layer_all").set_value("siyou")
    run(at)
    at.selectbox(key="adm_vis_siyou").set_value("everyone")
    click(at, "adm_share")
    assert office.store.access("siyou").visibility == "everyone"
    office.sign_in_app("chakan")
    assert "siyou" in app().multiselect(key="shown_layers").value


def test_the_audit_trail_downloads_with_the_file_sha256(office, tmp_path, media_files):
    office.sign_in_app("bianji")
    at = app(IMPORT_PAGE)
    path = d.gbk_shapefile_zip(tmp_path / "in")
    at.file_uploader(key="imp_file").set_value((path.name, path.read_bytes(), "application/zip"))
    click(run(at), "imp_go")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    office.sign_in_app("guanli")
    at = app(ADMIN_PAGE)
    at.selectbox(key="adm_who").set_value("bianji")
    run(at)
    table = at.dataframe[-1].value
    assert "文件 SHA-256" in " ".join(table.columns) or any("SHA-256" in c for c in table.columns)
    assert set(table.iloc[:, 2]) == {"bianji"}  # the actor column
    csv_button, xlsx_button = at.get("download_button")
    csv = pd.read_csv(io.BytesIO(media_files[csv_button.proto.url]), encoding="utf-8-sig", dtype=str)
    assert digest in set(csv.iloc[:, 6]) and path.name in set(csv.iloc[:, 5])
    book = openpyxl.load_workbook(io.BytesIO(media_files[xlsx_button.proto.url]))
    cells = {c.value for row in book.active.iter_rows() for c in row}
    assert digest in cells and "bianji" in cells
