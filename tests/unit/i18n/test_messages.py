"""zkq_geo.i18n.messages: every message has an English and a Chinese text with the same placeholders;
a message reads as its English text (CLI, tests, the workspace index) and gives the Chinese one
with ``.text("zh")``; real bad inputs produce such messages, in errors and in import reports."""

from __future__ import annotations

import copy
import json
import pickle
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import importdata as d
import pandas as pd
import pytest
from geojsondocs import collection, feature, geometry, point

from zkq_geo.analysis.join import join_attributes
from zkq_geo.crs import OLD_DATUM_WARNING
from zkq_geo.errors import DataSourceError, JoinError, OptionError, SchemaError, ZkqGeoError
from zkq_geo.i18n.messages import MESSAGES, Items, Message, listed, msg, placeholders, text_of
from zkq_geo.importing.reader import inspect_file, read_import
from zkq_geo.workspace import check_layer_name

CJK = re.compile(r"[\u4e00-\u9fff]")


# ----------------------------------------------------------------------------- the table
@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_texts_with_the_same_placeholders(key):
    texts = MESSAGES[key]
    assert set(texts) == {"en", "zh"} and texts["en"].strip() and texts["zh"].strip()
    assert placeholders(texts["en"]) == placeholders(texts["zh"]), key
    assert texts["zh"] != texts["en"]


def test_chinese_texts_are_chinese():
    layout_only = {k for k, t in MESSAGES.items() if not CJK.search(re.sub(r"\{[^}]*\}", "", t["zh"]))}
    assert layout_only == {
        "report_problem",
        "repair_item",
        "enc_how",
    }  # "{source}：{problem}", "{feature}（{reason}）", "{how}：{note}"


def test_the_old_datum_warning_is_the_crs_module_constant():
    assert msg("old_datum") == OLD_DATUM_WARNING
    assert "西安80" in msg("old_datum").text("zh") and "Xi'an" not in msg("old_datum").text("zh")


# ----------------------------------------------------------------------------- Message as a str
def test_a_message_reads_as_english_and_carries_chinese():
    m = msg("file_too_large", file="大.csv", size="3.0 MB", limit="1.0 MB")
    assert (
        isinstance(m, str)
        and m
        == "大.csv is 3.0 MB, over the limit of 1.0 MB; split the data, or raise the "
        "limit with the environment variable ZKQ_MAX_UPLOAD_MB"
    )
    assert (
        m.text("zh")
        == "大.csv 大小为 3.0 MB，超过上限 1.0 MB；请拆分数据，或用环境变量 ZKQ_MAX_UPLOAD_MB 提高上限"
    )
    assert m.text("en") == str(m) and m.text("fr") == str(m)  # unknown languages read English
    assert m.key == "file_too_large" and m.params["file"] == "大.csv"


def test_nested_messages_and_lists_follow_the_language():
    m = msg("features_listed", n=12, listed=listed([msg("label_row", row=i) for i in range(2, 14)]))
    assert (
        m
        == "12 feature(s) (row 2, row 3, row 4, row 5, row 6, row 7, row 8, row 9, row 10, row 11 and 2 more)"
    )
    assert m.text("zh") == (
        "12 个要素（第 2 行、第 3 行、第 4 行、第 5 行、第 6 行、第 7 行、第 8 行、第 9 行、第 10 行、"
        "第 11 行，另有 2 个）"
    )
    assert Items(["a", "b"], sep="; ", zh_sep="；").text("zh") == "a；b"


@dataclass(frozen=True)
class _Report:
    warnings: tuple[str, ...]


def test_messages_survive_pickle_deepcopy_asdict_and_json():
    m = msg("no_imported_layer", name="x", root="/w", known=msg("none_yet"))
    for copied in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m), asdict(_Report((m,)))["warnings"][0]):
        assert isinstance(copied, Message) and copied == m and copied.text("zh") == m.text("zh")
    assert json.loads(json.dumps({"w": [m]}, ensure_ascii=False, indent=1)) == {"w": [str(m)]}


def test_map_text_cleans_parameters_and_keeps_the_key():
    m = msg("cannot_read", file="a.shp", error="'/tmp/zkq_import_1/a.shp' not recognized")
    clean = m.map_text(lambda s: s.replace("/tmp/zkq_import_1/", ""))
    assert (
        clean == "cannot read a.shp: 'a.shp' not recognized"
        and clean.text("zh") == "无法读取 a.shp：'a.shp' not recognized"
    )


def test_unknown_keys_are_refused_and_plain_text_falls_back():
    with pytest.raises(KeyError, match="no message 'nope'"):
        msg("nope")
    assert text_of("plain", "zh") == "plain" and text_of(ValueError("boom"), "zh") == "boom"
    assert ZkqGeoError("plain text").text("zh") == "plain text"


# ----------------------------------------------------------------------------- real bad inputs
def _error(call) -> ZkqGeoError:
    with pytest.raises(ZkqGeoError) as info:
        call()
    return info.value


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _zip_without_shx(tmp: Path) -> Path:
    src, out = d.gbk_shapefile_zip(tmp / "src"), tmp / "noshx.zip"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            if not name.lower().endswith(".shx"):
                zout.writestr(name, zin.read(name))
    return out


def _climbing_zip(tmp: Path) -> Path:
    with zipfile.ZipFile(tmp / "climb.zip", "w") as zf:
        zf.writestr("../../evil.shp", "x")
    return tmp / "climb.zip"


ERRORS = {  # name: (call given tmp_path, error type, English fragment, Chinese fragment)
    "malformed json": (
        lambda t: inspect_file(_write(t / "bad.geojson", '{"type": "FeatureCollection", ')),
        DataSourceError,
        "is not valid JSON",
        "不是有效的 JSON",
    ),
    "empty file": (
        lambda t: inspect_file(_write(t / "empty.csv", b"")),
        DataSourceError,
        "is empty (0 bytes)",
        "是空文件（0 字节）",
    ),
    "zip without .shx": (
        lambda t: inspect_file(_zip_without_shx(t)),
        DataSourceError,
        "has no dikuai.shx beside it",
        "缺少索引文件 dikuai.shx",
    ),
    "zip escaping": (
        lambda t: inspect_file(_climbing_zip(t)),
        DataSourceError,
        "whose path leaves the folder",
        "的路径会跳出解压目录",
    ),
    "zip bomb": (
        lambda t: inspect_file(d.bomb_zip(t / "bomb.zip"), max_bytes=1 << 20),
        DataSourceError,
        "decompresses to 3.0 MB, over the limit of 1.0 MB",
        "解压后为 3.0 MB，超过上限 1.0 MB",
    ),
    "too large": (
        lambda t: inspect_file(
            _write(t / "big.csv", "name,lon,lat\n" + "a,113.7,34.7\n" * 999), max_bytes=1000
        ),
        DataSourceError,
        "over the limit of 0.0 MB",
        "超过上限 0.0 MB",
    ),
    "merged header": (
        lambda t: inspect_file(d.merged_header_xlsx(t / "merged.xlsx")),
        SchemaError,
        "has merged cells",
        "有合并单元格",
    ),
    "table without geometry": (
        lambda t: inspect_file(d.gpkg_table(t / "table.gpkg")),
        DataSourceError,
        "has no geometry: it is a table",
        "没有几何：它是一张属性表",
    ),
    "layer name": (
        lambda t: check_layer_name("My Layer"),
        OptionError,
        "is not allowed: use 1-40 lower-case letters",
        "不可用：请用 1–40 个小写英文字母",
    ),
    "duplicate keys": (
        lambda t: join_attributes(_points(), pd.DataFrame({"id": ["a", "a"], "v": [1, 2]})),
        JoinError,
        "table key 'id' is not unique: a",
        "台账键字段 'id' 的值不唯一：a",
    ),
    "no coordinate columns": (
        lambda t: read_import(_write(t / "nocoords.csv", "名称,地址\n甲,经开区\n")),
        SchemaError,
        "no coordinate columns found among: 名称, 地址",
        "在以下字段中没有找到坐标列：名称、地址",
    ),
}


def _points():
    import geopandas as gpd
    import shapely

    return gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[shapely.Point(113.75, 34.72)] * 2, crs="EPSG:4326")


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_input_errors_are_english_as_before_and_chinese_on_request(tmp_path, case):
    call, error_type, english, chinese = ERRORS[case]
    exc = _error(lambda: call(tmp_path))
    assert isinstance(exc, error_type) and english in str(exc)
    zh = exc.text("zh")
    assert chinese in zh and CJK.search(zh) and "\n" not in zh
    assert isinstance(exc.message, Message) and exc.text("en") == str(exc)


def test_a_damaged_shapefile_names_no_temporary_folder_in_either_language(tmp_path):
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        zf.writestr("a.shp", b"\0" * 200)
        zf.writestr("a.shx", b"\0" * 200)
    exc = _error(lambda: inspect_file(tmp_path / "bad.zip"))
    assert str(exc).startswith("a.shp should be a shapefile") and exc.text("zh").startswith(
        "a.shp 应为 Shapefile"
    )
    assert "zkq_import_" not in str(exc) and "zkq_import_" not in exc.text("zh")


REPORTS = {  # name: (file name, content, options, English start, Chinese fragment, which list)
    "nan/inf": (
        "nan.csv",
        "name,lon,lat\na,inf,34.7\n",
        {},
        "row 2: coordinates that are missing",
        "第 2 行：坐标缺失、不是数字或为无穷大（NaN/inf）",
        "problems",
    ),
    "mixed types": (
        "mixed.geojson",
        json.dumps(
            collection(feature(point()), feature(geometry("LineString", [[113.75, 34.72], [113.76, 34.73]])))
        ),
        {},
        "mixed geometry types (1 LineString, 1 Point)",
        "几何类型混杂（LineString 1 个、Point 1 个）",
        "problems",
    ),
    "unknown encoding": (
        "latin.csv",
        b"name,lon,lat\n\xff\xfe\x80,113.75,34.72\n",
        {},
        "text encoding unknown",
        "无法确定文字编码：latin.csv 未声明编码；文字既不是 UTF-8 也不是 GBK",
        "warnings",
    ),
    "outside the zone": (
        "beijing.csv",
        "name,lon,lat\na,116.40,39.90\n",
        {},
        "the data lies outside the zone's region",
        "数据位于经开区范围",
        "warnings",
    ),
    "swapped columns": (
        "swapped.csv",
        "name,x,y\na,3843000,38477100\nb,3843100,38477200\n",
        {"crs": "EPSG:4526"},
        "X and Y were swapped: ",
        "X 与 Y 已互换：",
        "warnings",
    ),
    "wrong zone number": (
        "gk.csv",
        "name,x,y\na,477100,3843000\n",
        {"crs": "EPSG:4526"},
        "some coordinates cannot be converted from EPSG:4526",
        "坐标系很可能选错了：请选择正确的坐标系（坐标与 EPSG:4547",
        "problems",
    ),
    "lon/lat taken as metres": (
        "deg.csv",
        "name,x,y\na,113.75,34.72\n",
        {"crs": "EPSG:4547"},
        "the data lies outside the zone's region",
        "可能的原因：坐标是经纬度（度）：坐标与 EPSG:4326 (WGS 84) 相符，而不是 EPSG:4547",
        "warnings",
    ),
    "old datum": (
        "xian80.csv",
        "name,x,y\na,38477100,3843000\n",
        {"crs": "EPSG:2362"},
        OLD_DATUM_WARNING,
        "请向测绘单位索取 CGCS2000 坐标",
        "warnings",
    ),
    "repaired": (
        "bowtie.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "p1"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [113.75, 34.72],
                                    [113.76, 34.73],
                                    [113.76, 34.72],
                                    [113.75, 34.73],
                                    [113.75, 34.72],
                                ]
                            ],
                        },
                    }
                ],
            }
        ),
        {},
        "1 invalid geometries repaired with make_valid: feature p1 (Self-intersection",
        "已用 make_valid 修复 1 个无效几何：要素 p1（自相交[",
        "warnings",
    ),
    "notes": (
        "notes.csv",
        "名称,lon,lat\n甲,113.75,34.72\n",
        {},
        "names taken from column '名称'",
        "名称取自字段 '名称'",
        "notes",
    ),
    "no id": (
        "noid.csv",
        "名称,lon,lat\n甲,113.75,34.72\n",
        {},
        "no id column: features numbered f1..f1",
        "没有 id 字段：要素编号为 f1..f1",
        "notes",
    ),
    "two shapefiles": (
        None,
        None,
        {},
        "the zip holds 2 shapefiles (a, b)",
        "压缩包中有 2 个 Shapefile（a、b）",
        "problems",
    ),
}


@pytest.mark.parametrize("case", sorted(REPORTS))
def test_report_problems_and_warnings_carry_chinese(tmp_path, case):
    name, content, options, english, chinese, kind = REPORTS[case]
    path = d.two_shapefiles_zip(tmp_path) if name is None else _write(tmp_path / name, content)
    lines = getattr(inspect_file(path, **options), kind)
    hits = [m for m in lines if m.startswith(english)]
    assert hits, lines
    assert all(isinstance(m, Message) for m in hits)
    assert any(chinese in m.text("zh") for m in hits), [m.text("zh") for m in hits]


def test_a_failed_read_keeps_the_first_problem_in_both_languages(tmp_path):
    exc = _error(lambda: read_import(_write(tmp_path / "nan.csv", "name,lon,lat\na,inf,34.7\n")))
    assert str(exc).startswith("nan.csv: row 2: coordinates that are missing")
    assert exc.text("zh").startswith("nan.csv：第 2 行：坐标缺失")
