"""AppTest tests of the import page: the report is shown before anything is written; import and
join write versioned workspace layers that the map and 亩均 pages then show; hostile uploads give
one line and leave the workspace empty while the app keeps working."""

from __future__ import annotations

from pathlib import Path

import importdata as d
import pytest
from apppages import APP, open_page
from geojsondocs import collection, feature, point, write_geojson
from streamlit.testing.v1 import AppTest

from zkq_geo.layers import load_layer
from zkq_geo.office.backends import open_workspace
from zkq_geo.workspace import full_catalog


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch, fresh_caches) -> Path:
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


def import_page() -> AppTest:
    return open_page("app_pages/import_page.py")


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def facts(at: AppTest) -> dict[str, str]:
    return dict(zip(at.dataframe[0].value.index, at.dataframe[0].value.iloc[:, 0], strict=False))


def nothing_saved(workspace: Path) -> bool:
    """No layer, and in the folder nothing but the office database (the signed-in user's
    account) and the lock file."""
    leftovers = [p for p in d.tree(workspace) if not p.startswith(("office.sqlite", ".lock"))]
    return leftovers == [] and open_workspace(workspace).names() == []


def upload(at: AppTest, key: str, path: Path) -> AppTest:
    at.file_uploader(key=key).set_value((path.name, path.read_bytes(), "application/octet-stream"))
    return run(at)


def test_report_first_then_import_shows_the_layer_on_the_map(tmp_path, workspace):
    at = upload(import_page(), "imp_file", d.gbk_shapefile_zip(tmp_path / "in"))
    report = facts(at)
    assert report["格式"] == "Shapefile" and report["要素数"] == "3"
    assert (
        report["编码"]
        == "gb18030 (自动识别：dikuai.dbf 没有 .cpg 文件；文字不是 UTF-8，而是有效的 GB18030/GBK（中文 "
        "Windows 常用）)"
    )
    assert report["坐标系"].startswith("EPSG:4526")
    assert nothing_saved(workspace)  # nothing applied yet
    assert at.text_input(key="imp_name").value == "dikuai"
    at.text_input(key="imp_title").set_value("地块（测试）")
    run(at).button(key="imp_go").click()
    run(at)
    assert "已保存图层 'dikuai'（版本 1）" in at.success[0].value
    assert [v.version for v in open_workspace(workspace).versions("dikuai")] == [1]
    at.switch_page("app_pages/map_page.py")
    run(at)
    shown = at.multiselect(key="shown_layers")
    assert "地块（测试）" in shown.options and "dikuai" in shown.value
    table = at.dataframe[0].value
    assert {p[0] for p in d.PARCELS} <= set(table.iloc[:, 0])


def test_reimport_warns_of_a_new_version(tmp_path, workspace):
    at = upload(import_page(), "imp_file", d.gbk_shapefile_zip(tmp_path / "in"))
    at.button(key="imp_go").click()
    run(at)
    at.file_uploader(key="imp_file").set_value(None)
    run(at)
    upload(at, "imp_file", d.gbk_shapefile_zip(tmp_path / "again"))
    assert any("已存在（版本 1）" in w.value and "版本 2" in w.value for w in at.warning)
    at.button(key="imp_go").click()
    run(at)
    assert "已保存为版本 2" in at.success[0].value


def test_choices_change_the_report(tmp_path):
    path = tmp_path / "amap.csv"
    path.write_text("名称,P1,P2\n甲,113.756180,34.718963\n", encoding="utf-8")
    at = upload(import_page(), "imp_file", path)
    assert any("没有找到坐标列" in e.value for e in at.error)
    assert at.button(key="imp_go").disabled
    at.selectbox(key="imp_x").set_value("P1")
    at.selectbox(key="imp_y").set_value("P2")
    at.selectbox(key="imp_crs").set_value("gcj02")
    run(at)
    report = facts(at)
    assert report["坐标系"].startswith("GCJ-02") and report["范围（WGS84）"].startswith(
        "113.750000, 34.720000"
    )
    assert not at.button(key="imp_go").disabled


def test_join_by_name_report_then_apply(tmp_path, workspace):
    at = upload(import_page(), "imp_file", d.gbk_shapefile_zip(tmp_path / "in"))
    at.button(key="imp_go").click()
    run(at)
    at.selectbox(key="join_layer").set_value("dikuai")
    upload(run(at), "join_file", d.ledger_xlsx(tmp_path / "台账.xlsx"))
    # the land and investment columns and their units are read from the ledger's headers
    assert (
        at.selectbox(key="join_land").value == "用地面积（亩）"
        and at.selectbox(key="join_land_unit").value == "mu"
    )
    assert (
        at.selectbox(key="join_investment").value == "总投资（万元）"
        and at.selectbox(key="join_money_unit").value == "wan"
    )
    at.radio(key="join_match").set_value("name")
    run(at)  # matching by name preselects the name columns
    assert (
        at.selectbox(key="join_key").value == "name"
        and at.selectbox(key="join_table_key").value == "企业名称"
    )
    text = " ".join(m.value for m in at.markdown)
    assert "已匹配 3 / 3 个要素；台账 4 行" in text and "图上没有的台账行" in text
    assert any("表头在第 2 行" in i.value for i in at.info)
    lists = [df.value for df in at.dataframe]
    assert any("台账里多出的企业" in df.iloc[:, 0].tolist() for df in lists)
    preview = lists[-1].set_index("名称")
    assert not (workspace / "layers" / "dikuai_ledger").exists()
    at.text_input(key="join_name").set_value("dikuai_ledger")
    run(at).button(key="join_go").click()
    run(at)
    assert any("已保存图层 'dikuai\\_ledger'" in s.value for s in at.success)
    joined = load_layer("dikuai_ledger", full_catalog(workspace=open_workspace())).gdf
    assert dict(zip(joined["name"], joined["invest_intensity_wan_per_mu"], strict=False)) == pytest.approx(
        d.EXPECTED_INTENSITY
    )
    assert preview.loc["中兴产业园", "用地面积（亩）"] == 120
    at.switch_page("app_pages/efficiency_page.py")
    run(at)
    assert any(
        "dikuai_ledger" in str(df.value.to_dict()) or "郑州汽车电子产业园" in str(df.value.to_dict())
        for df in at.dataframe
    )


@pytest.mark.parametrize(
    "name, content, message",
    [
        *((name, content, zh) for name, content, _, zh in d.BAD_FILES),
        ("noshp.zip", None, "中没有 .shp 文件"),
        ("climb.zip", None, "跳出解压目录"),
        ("gbk.geojson", None, "应为 UTF-8"),
    ],
)
def test_hostile_uploads_one_line_nothing_written_app_keeps_working(
    tmp_path, workspace, name, content, message
):
    import zipfile

    path = tmp_path / name
    if name == "noshp.zip":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("readme.txt", "x")
    elif name == "climb.zip":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("../../evil.shp", "x")
    elif name == "gbk.geojson":
        write_geojson(path, collection(feature(point(), {"名称": "甲"})), encoding="gbk")
    else:
        path.write_bytes(content)
    at = upload(import_page(), "imp_file", path)
    shown = [m.value.replace("\\", "") for m in (*at.error, *at.warning)]  # markdown escapes removed
    hits = [m for m in shown if message in m]
    assert hits and all("\n" not in m for m in hits), shown
    assert nothing_saved(workspace)
    at.switch_page("app_pages/map_page.py")
    run(at)
    assert at.metric[0].value == "10"


def test_bad_input_messages_follow_the_ui_language(tmp_path, workspace):
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(b'{"type": "FeatureCollection", "features": [')
    at = upload(import_page(), "imp_file", bad)
    assert [e.value.replace("\\", "") for e in at.error] == [
        "出错了：bad.geojson 不是有效的 JSON：Expecting value（第 1 行第 44 列）；请修正文件或重新导出"
    ]
    at.radio(key="lang").set_value("en")
    run(at)
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Error: bad.geojson is not valid JSON: Expecting value (line 1, column 44); fix the file or export "
        "it again"
    ]
    beijing = tmp_path / "beijing.csv"  # lon/lat of Beijing: imported, with a warning naming no likely cause
    beijing.write_text("name,lon,lat\na,116.40,39.90\n", encoding="utf-8")
    at = upload(import_page(), "imp_file", beijing)
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any(
        w.startswith("数据位于经开区范围（东经 113.55–114.05°、北纬 34.5–34.9°）之外")
        and "可能的原因：常见的几种错误" in w
        for w in warnings
    ), warnings
    at.radio(key="lang").set_value("en")
    run(at)
    assert any(w.value.startswith("the data lies outside the zone") for w in at.warning)
    assert nothing_saved(workspace)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda tmp: d.bomb_zip(tmp / "bomb.zip"), "解压后为"),
        (lambda tmp: _big_csv(tmp / "big.csv"), "超过上限 1.0 MB"),
        (lambda tmp: d.two_shapefiles_zip(tmp), "有 2 个 Shapefile"),
        (lambda tmp: d.merged_header_xlsx(tmp / "merged.xlsx"), "有合并单元格"),
        (lambda tmp: d.gpkg_table(tmp / "table.gpkg"), "没有几何：它是一张属性表"),
    ],
)
def test_more_bad_uploads_one_line_nothing_written(tmp_path, workspace, monkeypatch, build, message):
    monkeypatch.setenv("ZKQ_MAX_UPLOAD_MB", "1")
    at = upload(import_page(), "imp_file", build(tmp_path))
    shown = [m.value.replace("\\", "") for m in (*at.error, *at.warning)]
    hits = [m for m in shown if message in m]
    assert hits and all("\n" not in m for m in hits), shown
    assert [b for b in at.button if b.key == "imp_go" and not b.disabled] == []
    assert nothing_saved(workspace)


def _big_csv(path: Path) -> Path:
    path.write_text("name,lon,lat\n" + "a,113.75,34.72\n" * 80_000, encoding="utf-8")
    return path


def test_an_unforeseen_failure_is_still_one_line_and_the_app_keeps_working(tmp_path, workspace, monkeypatch):
    from zkq_geo.importing import reader as importer

    def broken(*args):
        raise RuntimeError("a reader bug\nover two lines")

    monkeypatch.setitem(importer._READERS, "csv", broken)
    # the reader runs here, not in the bounded worker (its own bug path: tests/unit/safety/test_sandbox.py)
    monkeypatch.setattr(
        importer, "run_bounded", lambda target, *args, file="", **kw: importer.run_import(*args)
    )
    path = tmp_path / "p.csv"
    path.write_text("name,lon,lat\na,113.75,34.72\n", encoding="utf-8")
    at = upload(import_page(), "imp_file", path)  # run() asserts no exception reached Streamlit
    assert [e.value for e in at.error] == ["出错了：RuntimeError: a reader bug over two lines"]
    assert at.header[1].value == "连接台账"  # the join section still works
    assert nothing_saved(workspace)


def test_encoding_can_be_overridden(tmp_path, workspace):
    at = upload(import_page(), "imp_file", d.gbk_shapefile_zip(tmp_path / "in"))
    assert facts(at)["编码"].startswith("gb18030 (自动识别：")
    at.selectbox(key="imp_encoding").set_value("gbk")
    run(at)
    assert facts(at)["编码"] == "gbk (用户指定：由用户选择)"
    at.selectbox(key="imp_encoding").set_value("utf-8")  # GBK bytes read as UTF-8: one line, not garbage
    run(at)
    assert any("无法读取 dikuai.shp" in e.value.replace("\\", "") for e in at.error)
    assert nothing_saved(workspace)


def test_bad_layer_names_are_explained_and_block_the_button(tmp_path, workspace):
    at = upload(import_page(), "imp_file", d.gbk_shapefile_zip(tmp_path / "in"))
    for bad in ("../evil", "parks", "My Layer"):
        at.text_input(key="imp_name").set_value(bad)
        run(at)
        assert any("不可用" in e.value or "系统自带图层" in e.value for e in at.error), bad
        assert at.button(key="imp_go").disabled
    assert nothing_saved(workspace)


from test_app import _export_bytes  # noqa: E402 - reads a download button through the media_files fixture


def test_imported_layer_is_filtered_and_exported_on_the_map_page(tmp_path, workspace, media_files):
    import json

    at = upload(import_page(), "imp_file", d.gbk_shapefile_zip(tmp_path / "in"))
    at.button(key="imp_go").click()
    run(at)
    at.switch_page("app_pages/map_page.py")
    run(at)
    at.text_input(key="f_search").set_value("中兴")
    run(at)
    at.selectbox(key="export_layer").set_value("dikuai")
    run(at)
    assert "dikuai_2" in list(at.dataframe[0].value.index)  # the table beside the map, filtered
    assert not {"dikuai_1", "dikuai_3"} & set(at.dataframe[0].value.index)
    doc = json.loads(_export_bytes(at, media_files))
    assert [f["properties"]["名称"] for f in doc["features"]] == ["中兴产业园"]
    assert any("将导出 1 个要素" in c.value for c in at.caption)


def test_join_report_lists_type_mismatches_and_refuses_duplicate_keys(tmp_path, workspace):
    import openpyxl

    at = upload(import_page(), "imp_file", d.gbk_shapefile_zip(tmp_path / "in"))
    at.button(key="imp_go").click()
    run(at)
    wb = openpyxl.Workbook()
    wb.active.append(["编号", "税收（万元）"])
    for code, tax in ((12, 1), ("0013", 2), ("0013", 3)):  # 12 is a number in Excel: not "0012"
        wb.active.append([code, tax])
    wb.save(tmp_path / "codes.xlsx")
    at.selectbox(key="join_layer").set_value("dikuai")
    upload(run(at), "join_file", tmp_path / "codes.xlsx")
    at.selectbox(key="join_key").set_value("编号")
    at.selectbox(key="join_table_key").set_value("编号")
    run(at)
    text = " ".join(m.value for m in at.markdown)
    assert "类型不一致、未连接" in text and "台账中重复的键" in text
    cells = [v for df in at.dataframe for v in df.value.iloc[:, 0].astype(str)]
    assert "0012 ≠ 12" in cells and "0013" in cells
    assert any("的值不唯一：0013" in e.value for e in at.error)
    assert [b for b in at.button if b.key == "join_go"] == []  # nothing can be applied
    assert not (workspace / "layers" / "codes").exists()


def test_the_user_chooses_left_or_inner_join(tmp_path, workspace):
    at = import_page()
    at.selectbox(key="join_layer").set_value("parks")
    upload(run(at), "join_file", d.ledger_xlsx(tmp_path / "one.xlsx", rows=[("中兴产业园", 1000, 10)]))
    at.radio(key="join_match").set_value("name")
    run(at)
    assert at.dataframe[-1].value.shape[0] == 10  # left join (the default): every park
    at.radio(key="join_how").set_value("inner")
    run(at)
    preview = at.dataframe[-1].value
    assert preview["名称"].tolist() == ["中兴产业园"] and preview["亩均投资（万元/亩）"].tolist() == [100.0]


@pytest.mark.folder_workspace  # breaks the folder's index.json
def test_a_broken_workspace_index_is_said_on_the_map_page_and_the_shipped_layers_stay(workspace):
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "index.json").write_text("{not json", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=120)
    run(at)
    said = [w.value for w in at.warning if "导入的图层暂不显示" in w.value]
    assert len(said) == 1 and "工作区索引" in said[0] and "无法读取" in said[0], [w.value for w in at.warning]
    assert len(at.dataframe[0].value) == 10 + 36  # parks and projects still listed


def test_the_upload_limit_is_said_in_chinese_and_follows_zkq_max_upload_mb(workspace, monkeypatch):
    monkeypatch.setenv("ZKQ_MAX_UPLOAD_MB", "5")
    at = import_page()
    captions = [c.value for c in at.caption]
    assert sum("单个文件不超过 5 MB" in c for c in captions) == 2, (
        captions
    )  # the import and the ledger uploaders
    assert at.file_uploader(key="imp_file").proto.max_upload_size_mb == 5


def test_a_vrt_upload_is_refused_in_chinese_and_the_map_still_works(tmp_path, workspace):
    path = tmp_path / "x.gpkg"
    path.write_bytes(
        b'<OGRVRTDataSource><OGRVRTLayer name="p"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
        b"</OGRVRTLayer></OGRVRTDataSource>"
    )
    at = upload(import_page(), "imp_file", path)
    errors = [e.value for e in at.error]
    assert any("GDAL 文档" in e and "已拒绝" in e for e in errors), errors
    assert not any("root:" in e for e in errors)
    at.switch_page("app_pages/map_page.py")
    run(at)
    assert {m.label: m.value for m in at.metric}["小微企业园"] == "10"
