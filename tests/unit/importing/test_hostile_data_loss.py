"""Nothing is lost silently: damaged or mismatched shapefile parts, duplicate zip entries, GBK
names in zips, .cpg files naming a codec that is not a text encoding or not ASCII-compatible,
text in numeric .dbf fields, CRS declarations GDAL cannot read, and data files a zip holds
besides its shapefile. Every file is built in code (pyogrio writes the shapefile or GeoPackage,
the bytes are then damaged with Python or SQLite)."""

from __future__ import annotations

import sqlite3
import struct
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import importdata as d
import pyogrio
import pytest
import shapely
from zkqcli import run

from zkq_geo.errors import DataSourceError, SchemaError
from zkq_geo.importing.encodings import is_ascii_compatible
from zkq_geo.importing.reader import inspect_file, read_import
from zkq_geo.importing.shapefile_check import (
    DbfField,
    DbfHeader,
    NumericText,
    Part,
    check_headers,
    check_shapefile_files,
    parse_dbf_header,
    scan_records,
)
from zkq_geo.safety.safe_input import check_zip, extract_zip

NAMES = ("甲厂", "乙厂", "丙厂")


@pytest.fixture(autouse=True)
def own_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))


def pts_parts(folder: Path, *, cpg: bool = True) -> dict[str, bytes]:
    """Three WGS84 points with a name and a land column: the bytes of pts.shp/.shx/.dbf/.prj(/.cpg)."""
    folder.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame(
        {"name": list(NAMES), "land_mu": [10.0, 20.0, 30.0]},
        geometry=[shapely.Point(113.70 + i / 100, 34.70) for i in range(3)],
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(gdf, folder / "pts.shp", encoding="UTF-8")
    parts = {p.name: p.read_bytes() for p in sorted(folder.glob("pts.*"))}
    if not cpg:
        parts.pop("pts.cpg", None)
    return parts


def zip_of(path: Path, entries) -> Path:
    """A zip of (name, bytes) entries, duplicates allowed (zipfile's warning about them is silenced)."""
    with zipfile.ZipFile(path, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for name, data in entries:
            zf.writestr(name, data)
    return path


def damaged(parts: dict[str, bytes], suffix: str, fix) -> list[tuple[str, bytes]]:
    """The parts with the one ending in ``suffix`` replaced by ``fix(bytearray)``."""
    out = []
    for name, data in parts.items():
        if name.endswith(suffix):
            data = bytes(fix(bytearray(data)))
        out.append((name, data))
    return out


def set_bytes(at: int, value: bytes):
    def fix(data: bytearray) -> bytearray:
        data[at : at + len(value)] = value
        return data

    return fix


# ----------------------------------------------------------------------------- A1: corrupt .dbf
@pytest.mark.parametrize(
    "fix, why",
    [
        (set_bytes(8, struct.pack("<H", 5)), "header length 5 bytes, below the minimum of 33"),
        (set_bytes(0, b"\x99"), "version byte 0x99 is not a dBASE version"),
        (set_bytes(96, b"A"), "field descriptors do not end with 0x0D within the 97-byte header"),
        (lambda b: b[:40], "header length 97 bytes, beyond the end of the 40-byte file"),
        (lambda b: b[:20], "20 bytes, less than the 32-byte header"),
        (lambda b: bytearray(b"GARBAGE!" * 40), "not a dBASE version"),
        (set_bytes(32 + 11, b"\x01"), "field descriptor #1 is not valid"),
        (set_bytes(10, struct.pack("<H", 3)), "records of 3 bytes, but the fields need"),
    ],
)
def test_a_corrupt_dbf_is_a_problem_not_features_without_attributes(tmp_path, fix, why):
    zipped = zip_of(tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", fix))
    report = inspect_file(zipped)
    assert not report.ok and len(report.problems) == 1
    problem = report.problems[0]
    assert problem.startswith("pts.dbf (the attribute table) has a damaged header (") and why in problem
    assert problem.endswith("export the layer again")
    assert "属性表" in problem.text("zh") and "请重新导出该图层" in problem.text("zh")
    with pytest.raises(SchemaError, match="damaged header"):
        read_import(zipped)


def test_an_intact_shapefile_still_imports_with_every_attribute(tmp_path):
    gdf, report = read_import(zip_of(tmp_path / "pts.zip", pts_parts(tmp_path / "src").items()))
    assert report.ok and gdf["name"].tolist() == list(NAMES) and gdf["land_mu"].tolist() == [10.0, 20.0, 30.0]
    assert not any("deleted" in w or "not a text encoding" in w for w in report.warnings)


# ----------------------------------------------------------------------------- A3: record counts
def test_fewer_records_than_shapes_is_a_problem_with_both_counts(tmp_path):
    zipped = zip_of(
        tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", set_bytes(4, struct.pack("<I", 1)))
    )
    report = inspect_file(zipped)
    assert report.problems == (
        "3 shape(s) in pts.shp, 1 attribute row(s) in pts.dbf: 2 feature(s) would be dropped "
        "or lose their attributes; export the layer again so both files hold every feature",
    )
    assert (
        report.problems[0]
        .text("zh")
        .startswith("pts.shp 有 3 个图形，pts.dbf 只有 1 行属性：2 个要素会丢失或失去属性")
    )
    with pytest.raises(SchemaError, match="3 shape\\(s\\) in pts.shp, 1 attribute row"):
        read_import(zipped)


def test_more_records_than_shapes_is_a_problem(tmp_path):
    def one_more(data: bytearray) -> bytearray:
        header_bytes, record_bytes = struct.unpack("<HH", data[8:12])
        data[4:8] = struct.pack("<I", 4)
        return data[:-1] + data[header_bytes : header_bytes + record_bytes] + b"\x1a"

    report = inspect_file(
        zip_of(tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", one_more))
    )
    assert report.problems == (
        "3 shape(s) in pts.shp, 4 attribute row(s) in pts.dbf: 1 attribute row(s) have no "
        "shape and would be dropped; export the layer again so both files hold every feature",
    )


def test_a_dbf_cut_short_is_a_problem(tmp_path):
    report = inspect_file(
        zip_of(tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", lambda b: b[:-40]))
    )
    assert report.problems[0].startswith(
        "pts.dbf (the attribute table) is cut short: it declares 3 record(s) but holds 2 complete one(s)"
    )


def test_records_marked_deleted_are_a_warning_with_the_count(tmp_path):
    def delete_first(data: bytearray) -> bytearray:
        data[struct.unpack("<H", data[8:10])[0]] = ord("*")
        return data

    gdf, report = read_import(
        zip_of(tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", delete_first))
    )
    assert gdf["name"].tolist() == list(NAMES[1:])
    warning = next(w for w in report.warnings if "deleted" in w)
    assert (
        warning
        == "1 of the 3 record(s) in pts.dbf are marked deleted (the GIS did not pack the table): those "
        "features are not imported"
    )
    assert "有 1 条标记为已删除" in warning.text("zh")


@pytest.mark.parametrize(
    "suffix, fix, message",
    [
        (".shp", lambda b: b[:-10], "pts.shp is cut short: it holds 174 bytes, its header says 184"),
        (".shx", lambda b: b[:-8], "pts.shx (the shape index) holds 116 bytes, its header says 124"),
        (".shx", set_bytes(116, struct.pack(">ii", 500, 10)), "pts.shx indexes 3 shape(s) up to byte 1028"),
    ],
)
def test_damaged_shp_and_shx_are_problems(tmp_path, suffix, fix, message):
    parts = pts_parts(tmp_path / "src")
    assert len(parts["pts.shp"]) == 184 and len(parts["pts.shx"]) == 124  # 100-byte headers, 3 points
    report = inspect_file(zip_of(tmp_path / "pts.zip", damaged(parts, suffix, fix)))
    assert report.problems and report.problems[0].startswith(message)


def test_the_pure_checks_agree_with_the_files(tmp_path):
    parts = pts_parts(tmp_path / "src")
    folder = tmp_path / "src"
    check = check_shapefile_files(folder / "pts.shp", folder / "pts.shx", folder / "pts.dbf")
    assert (check.shapes, check.records, check.problems, check.warnings) == (3, 3, (), ())
    header = parse_dbf_header(Part("pts.dbf", parts["pts.dbf"], len(parts["pts.dbf"])))
    assert [(f.name, f.type) for f in header.fields] == [("name", "C"), ("land_mu", "N")]
    shp = Part("pts.shp", parts["pts.shp"][:100], 184)
    shx = Part("pts.shx", parts["pts.shx"][:100], 124, parts["pts.shx"][-8:])
    assert check_headers(shp, shx).shapes == 3 and check_headers(shp, shx).records is None
    bad_code = Part("pts.shx", struct.pack(">i", 1234) + shx.head[4:], 124, shx.tail)
    assert check_headers(shp, bad_code).problems == (
        "pts.shx does not start with the shapefile file code 9994 (found 1234): the file is damaged or not a "
        "shapefile part; export the layer again",
    )
    assert (
        check_headers(Part("pts.shp", b"", 0), shx).problems[0].startswith("pts.shp holds 0 bytes, less than")
    )


# ----------------------------------------------------------------------------- A2: duplicate entries
@pytest.mark.parametrize(
    "extra, message",
    [
        ("pts.dbf", "holds 'pts.dbf' and 'pts.dbf': two entries for the same file"),
        ("PTS.DBF", "holds 'pts.dbf' and 'PTS.DBF': two entries for the same file"),
        ("sub/pts.dbf", "holds 'pts.dbf' and 'sub/pts.dbf': two shapefile parts of one name"),
    ],
)
def test_two_entries_for_one_dbf_are_refused(tmp_path, extra, message):
    parts = pts_parts(tmp_path / "src")
    zipped = zip_of(tmp_path / "pts.zip", [*parts.items(), (extra, b"not the table")])
    with pytest.raises(DataSourceError, match=message) as caught:
        inspect_file(zipped)
    assert "解压时一个会覆盖另一个" in caught.value.text(
        "zh"
    ) or "无法确定哪个属于该图层" in caught.value.text("zh")


def test_backslash_and_slash_paths_are_one_file(tmp_path):
    parts = pts_parts(tmp_path / "src")
    entries = [(f"a/{n}", b) for n, b in parts.items()] + [("a\\pts.dbf", b"not the table")]
    with pytest.raises(
        DataSourceError, match="'a/pts.dbf' and 'a\\\\\\\\pts.dbf': two entries for the same file"
    ):
        check_zip(zip_of(tmp_path / "x.zip", entries))


def test_two_shapefiles_of_one_name_in_different_folders_are_refused(tmp_path):
    parts = pts_parts(tmp_path / "src")
    entries = [(f"{folder}/{n}", b) for folder in ("2020", "2021") for n, b in parts.items()]
    zipped = zip_of(tmp_path / "years.zip", entries)
    for layer in (None, "pts"):  # before: "2 shapefiles: pts, pts", then --layer pts took the first silently
        with pytest.raises(
            DataSourceError, match=r"'2020/pts\.\w+' and '2021/pts\.\w+': two shapefile parts of one"
        ):
            inspect_file(zipped, layer=layer)


def test_same_named_files_of_other_kinds_stay_allowed(tmp_path):
    parts = pts_parts(tmp_path / "src")
    zipped = zip_of(tmp_path / "pts.zip", [*parts.items(), ("a/readme.txt", b"a"), ("b/readme.txt", b"b")])
    assert len(check_zip(zipped)) == len(parts) + 2


# ----------------------------------------------------------------------------- C: zip names
def _unflagged_name_zip(path: Path, entries: dict[bytes, bytes]) -> Path:
    """A zip whose entry names are the given raw bytes, without the UTF-8 flag (as WinRAR or
    Windows' own zip write GBK names): written under ASCII stand-ins, then the name bytes swapped."""
    stand_ins = {raw: f"N{i:0{len(raw) - 1}d}".encode() for i, raw in enumerate(entries)}
    assert all(len(s) == len(r) for r, s in stand_ins.items())
    with zipfile.ZipFile(path, "w") as zf:
        for raw, data in entries.items():
            zf.writestr(stand_ins[raw].decode(), data)
    blob = path.read_bytes()
    for raw, stand_in in stand_ins.items():
        assert blob.count(stand_in) == 2  # local header and central directory
        blob = blob.replace(stand_in, raw)
    path.write_bytes(blob)
    return path


def test_gbk_names_are_recovered_when_listed_extracted_and_reported(tmp_path):
    parts = pts_parts(tmp_path / "src")
    entries = {f"地块{n[3:]}".encode("gbk"): data for n, data in parts.items()}
    zipped = _unflagged_name_zip(tmp_path / "gbk.zip", entries)
    with zipfile.ZipFile(zipped) as zf:
        assert zf.namelist()[0].startswith("╡╪┐Θ")  # what Python shows: GBK bytes read as cp437
    assert {m.name for m in check_zip(zipped)} == {f"地块{n[3:]}" for n in parts}
    assert {p.name for p in extract_zip(zipped, tmp_path / "out")} == {f"地块{n[3:]}" for n in parts}
    gdf, report = read_import(zipped)
    assert report.layer == "地块" and report.layers == ("地块",) and gdf["name"].tolist() == list(NAMES)


def test_unflagged_utf8_names_and_names_in_messages(tmp_path):
    zipped = _unflagged_name_zip(
        tmp_path / "u.zip", {"园区.dbf".encode(): b"x", "说明.txt".encode("gbk"): b"y"}
    )
    assert sorted(m.name for m in check_zip(zipped)) == ["园区.dbf", "说明.txt"]
    with pytest.raises(DataSourceError, match="holds no .shp.*园区.dbf") as caught:
        inspect_file(zipped)
    assert "╡" not in str(caught.value) and "Φ" not in str(caught.value)


def test_flagged_and_ascii_names_are_left_alone(tmp_path):
    zipped = zip_of(tmp_path / "f.zip", [("地块.shp", b"x"), ("plain.txt", b"y")])  # zipfile sets the flag
    assert [m.name for m in check_zip(zipped)] == ["地块.shp", "plain.txt"]


# ----------------------------------------------------------------------------- C: .cpg codecs
@pytest.mark.parametrize("codec", ["base64", "rot13", "hex", "zlib", "bz2", "uu"])
def test_a_cpg_naming_a_codec_that_is_not_text_is_ignored_with_a_warning(tmp_path, codec):
    parts = pts_parts(tmp_path / "src")
    parts["pts.cpg"] = codec.encode()
    report = inspect_file(zip_of(tmp_path / "pts.zip", parts.items()))
    assert report.encoding == "utf-8" and report.encoding_how.startswith("detected")
    warning = next(w for w in report.warnings if "not a text encoding" in w)
    assert warning.startswith(f"pts.cpg names {codec!r}, which is not a text encoding: the .cpg was ignored")
    assert f"pts.cpg 声明的 {codec!r} 不是文字编码" in warning.text("zh")


def test_a_cpg_naming_a_real_text_encoding_is_still_used(tmp_path):
    zipped = d.gbk_shapefile_zip(tmp_path / "in", cpg=True)
    report = inspect_file(zipped)
    assert report.encoding_how.startswith("declared") and not any(
        "not a text encoding" in w for w in report.warnings
    )


# ----------------------------------------------------------------------------- text in numeric fields
def set_field(field: str, values):
    """A fix that writes ``values`` (bytes, right-aligned) into ``field`` of the first records of a .dbf."""

    def fix(data: bytearray) -> bytearray:
        header = parse_dbf_header(Part("x.dbf", bytes(data), len(data)))
        offset = 1 + sum(f.length for f in header.fields[: [f.name for f in header.fields].index(field)])
        length = next(f.length for f in header.fields if f.name == field)
        for record, value in enumerate(values):
            at = header.header_bytes + record * header.record_bytes + offset
            data[at : at + length] = value.rjust(length)[:length]
        return data

    return fix


def test_text_in_a_numeric_field_is_a_warning_with_the_count_and_examples(tmp_path):
    parts = pts_parts(tmp_path / "src")
    zipped = zip_of(
        tmp_path / "pts.zip", damaged(parts, ".dbf", set_field("land_mu", [b"1,234.5", b"abc", b""]))
    )
    gdf, report = read_import(zipped)
    assert gdf["land_mu"].tolist()[:2] == [1.0, 0.0]  # what GDAL makes of them: the reason for the warning
    warning = next(w for w in report.warnings if "numeric field" in w)
    assert warning == (
        "2 value(s) of the numeric field 'land_mu' in pts.dbf are not numbers (record 1: '1,234.5', "
        "record 2: 'abc'): they were read as numbers that may be wrong (GDAL reads '1,234.5' as 1, "
        "'abc' as 0); check these features and correct the values in the source data"
    )
    assert warning.text("zh").startswith(
        "pts.dbf 的数值字段 'land_mu' 中有 2 个值不是数字（第 1 条记录：'1,234.5'、"
        "第 2 条记录：'abc'）：读取结果可能是错误的数值"
    )


@pytest.mark.parametrize(
    "values",
    [
        [b"", b"*" * 24, b"\0" * 24],  # blank, dBASE null, NUL-filled: empty values
        [b"-.5", b"1e3", b"+5"],  # numbers GDAL reads exactly
        [b"  12.5  ", b"-0", b"7."],
    ],
)
def test_empty_and_well_formed_numeric_values_are_not_faults(tmp_path, values):
    zipped = zip_of(
        tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", set_field("land_mu", values))
    )
    assert not any("numeric field" in w for w in inspect_file(zipped).warnings)


def test_an_integer_field_takes_no_fraction_or_exponent(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    gdf = gpd.GeoDataFrame({"n": [1, 2, 3, 4]}, geometry=[shapely.Point(113.7, 34.7)] * 4, crs="EPSG:4326")
    pyogrio.write_dataframe(gdf, folder / "pts.shp")
    parts = {p.name: p.read_bytes() for p in folder.glob("pts.*")}
    fix = set_field("n", [b"1.5", b"1e3", b"7.00", b"-12"])
    gdf, report = read_import(zip_of(tmp_path / "pts.zip", damaged(parts, ".dbf", fix)))
    assert gdf["n"].tolist() == [1, 1, 7, -12]
    assert next(w for w in report.warnings if "numeric field" in w).startswith(
        "2 value(s) of the numeric field 'n' in pts.dbf are not numbers (record 1: '1.5', record 2: '1e3')"
    )


def test_the_scan_counts_every_fault_shows_five_and_skips_deleted_records():
    header = DbfHeader(3, 9, 65, 4, (DbfField("v", "N", 3, 1),))
    block = b" 1.5" + b"*bad" + b"".join(b"  x%d" % i for i in range(7))  # records 11, 12 (deleted), 13...
    deleted, found = scan_records(header, block, first=11)
    assert deleted == 1 and found == (
        NumericText("v", 7, ((13, "x0"), (14, "x1"), (15, "x2"), (16, "x3"), (17, "x4"))),
    )
    shp = Part("pts.shp", struct.pack(">7i", 9994, 0, 0, 0, 0, 0, 50) + b"\0" * 72, 100)
    shx = Part("pts.shx", shp.head, 100)
    check = check_headers(shp, shx, numeric=found)
    assert check.warnings == () and check.records is None  # no .dbf: nothing to say
    dbf = Part(
        "pts.dbf",
        struct.pack("<BBBBIHH", 3, 1, 1, 1, 0, 65, 4)
        + b"\0" * 20
        + b"v".ljust(11, b"\0")
        + b"N"
        + b"\0" * 4
        + bytes([3, 1])
        + b"\0" * 14
        + b"\r",
        65,
    )
    warning = check_headers(shp, shx, dbf, numeric=found).warnings[0]
    assert (
        "(record 13: 'x0', record 14: 'x1', record 15: 'x2', record 16: 'x3', record 17: 'x4' and 2 more)"
        in warning
    )
    assert "另有 2 个" in warning.text("zh")


def test_faults_far_apart_in_a_big_table_are_all_counted(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    n = 10_000  # more records than one block of the scan
    gdf = gpd.GeoDataFrame({"v": [1.0] * n}, geometry=[shapely.Point(113.7, 34.7)] * n, crs="EPSG:4326")
    pyogrio.write_dataframe(gdf, folder / "pts.shp")
    data = bytearray((folder / "pts.dbf").read_bytes())
    header = parse_dbf_header(Part("pts.dbf", bytes(data), len(data)))
    length = header.fields[0].length
    for record in (0, 9_000):
        at = header.header_bytes + record * header.record_bytes + 1
        data[at : at + length] = b"1,5".rjust(length)
    (folder / "pts.dbf").write_bytes(bytes(data))
    check = check_shapefile_files(folder / "pts.shp", folder / "pts.shx", folder / "pts.dbf")
    assert check.warnings[0].startswith(
        "2 value(s) of the numeric field 'v' in pts.dbf are not numbers (record 1: '1,5', record 9001: '1,5')"
    )


# ----------------------------------------------------------------------------- .cpg not ASCII-compatible
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "UTF-16BE", "utf-32", "utf-7"])
def test_a_cpg_naming_an_encoding_that_is_not_ascii_compatible_is_ignored_with_a_warning(tmp_path, codec):
    """A .dbf keeps names, numbers and padding in ASCII: UTF-16/32 read two or four bytes a
    character, and UTF-7 reads "+" as the start of a base64 run ("+5" is garbled)."""
    parts = pts_parts(tmp_path / "src")
    parts["pts.cpg"] = codec.encode()
    gdf, report = read_import(zip_of(tmp_path / "pts.zip", parts.items()))
    assert gdf["name"].tolist() == list(NAMES) and gdf["land_mu"].tolist() == [10.0, 20.0, 30.0]
    assert report.encoding == "utf-8" and report.encoding_how.startswith("detected")
    warning = next(w for w in report.warnings if "cannot use" in w)
    assert warning.startswith(
        f"pts.cpg names {codec.lower()!r}, an encoding a .dbf cannot use (it does not keep "
        "ASCII bytes as ASCII"
    )
    assert f"pts.cpg 声明的 {codec.lower()!r} 不能用于 .dbf" in warning.text("zh")


@pytest.mark.parametrize(
    "codec, ok",
    [
        ("utf-8", True),
        ("gbk", True),
        ("gb18030", True),
        ("cp65001", True),
        ("big5", True),
        ("cp1252", True),
        ("utf-16", False),
        ("utf_32_be", False),
        ("utf-7", False),
        ("cp037", False),
        ("hz", False),
        ("idna", False),
        ("unicode_escape", False),
        ("raw_unicode_escape", False),
    ],
)
def test_ascii_compatible_encodings(codec, ok):
    assert is_ascii_compatible(codec) is ok


# ------------------------------------------------------------------- CRS declarations GDAL cannot read
UNREADABLE = [
    "http://127.0.0.1:9/prj",
    "/etc/passwd",
    "/vsicurl/http://127.0.0.1:9/x",
    "+proj=longlat +init=/etc/passwd:1",
    "hello world",
    'LOCAL_CS["Undefined Cartesian SRS",UNIT["Meter",1]]',
]  # read, but places nothing on the earth


@pytest.mark.parametrize("definition", UNREADABLE)
def test_a_prj_that_cannot_be_read_is_a_warning_naming_it(tmp_path, definition):
    parts = pts_parts(tmp_path / "src")
    parts["pts.prj"] = definition.encode()
    report = inspect_file(zip_of(tmp_path / "pts.zip", parts.items()))
    assert report.ok and report.crs.startswith("EPSG:4326") and report.crs_how.startswith("detected")
    warning = next(w for w in report.warnings if "could not be read" in w)
    assert warning == (
        f"the .prj of pts could not be read ({definition!r}): the CRS was detected from the "
        "coordinates instead; check it"
    )
    assert warning.text("zh") == f"pts 的 .prj 无法读取（{definition!r}）：坐标系改为根据坐标判断；请核对"


def test_an_unreadable_prj_with_a_chosen_crs_says_the_choice_was_used(tmp_path):
    parts = pts_parts(tmp_path / "src")
    parts["pts.prj"] = b"x" * 500
    report = inspect_file(zip_of(tmp_path / "pts.zip", parts.items()), crs="EPSG:4490")
    warning = next(w for w in report.warnings if "could not be read" in w)
    assert warning == (
        f"the .prj of pts could not be read ({'x' * 80 + '…'!r}): the CRS you chose (EPSG:4490) was "
        "used; check it"
    )


def test_a_readable_prj_gives_no_such_warning(tmp_path):
    report = inspect_file(zip_of(tmp_path / "pts.zip", pts_parts(tmp_path / "src").items()))
    assert report.crs_how == "declared by pts.prj" and not any(
        "could not be read" in w for w in report.warnings
    )


def gpkg_with_srs(folder: Path, definition: str | None, srs_id: int = 99999) -> Path:
    """A GeoPackage of three points whose layer names ``srs_id``, defined by ``definition``
    (None: not defined)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pts.gpkg"
    gdf = gpd.GeoDataFrame(
        {"name": list(NAMES)},
        geometry=[shapely.Point(113.70 + i / 100, 34.70) for i in range(3)],
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(gdf, path, layer="pts", driver="GPKG")
    with sqlite3.connect(path) as db:
        if definition is not None:
            db.execute(
                "INSERT INTO gpkg_spatial_ref_sys VALUES ('evil', ?, 'NONE', ?, ?, 'x')",
                (srs_id, srs_id, definition),
            )
        db.execute("UPDATE gpkg_contents SET srs_id = ?", (srs_id,))
        db.execute("UPDATE gpkg_geometry_columns SET srs_id = ?", (srs_id,))
    return path


@pytest.mark.parametrize(
    "definition",
    [*UNREADABLE, "+proj=longlat +init=/etc/passwd:1 +type=crs", 'GEOGCS["x",' * 20000 + "]" * 20000],
)
def test_a_geopackage_crs_that_cannot_be_read_is_a_warning_naming_it(tmp_path, definition):
    report = inspect_file(gpkg_with_srs(tmp_path, definition))
    assert report.ok and report.crs_how.startswith("detected")
    warning = next(w for w in report.warnings if "could not be read" in w)
    shown = definition if len(definition) <= 80 else definition[:80] + "…"
    assert warning == (
        f"the CRS of layer pts in pts.gpkg (srs_id 99999: {shown!r}) could not be read: the CRS was "
        "detected from the coordinates instead; check it"
    )
    assert warning.text("zh").startswith("pts.gpkg 中图层 pts 的坐标系（srs_id 99999：")


def test_a_geopackage_srs_id_without_a_definition_is_named(tmp_path):
    report = inspect_file(gpkg_with_srs(tmp_path, None, srs_id=88888))
    assert any(
        w.startswith(
            "the CRS of layer pts in pts.gpkg (srs_id 88888: not in gpkg_spatial_ref_sys) could not be read"
        )
        for w in report.warnings
    )


@pytest.mark.parametrize("srs_id", [0, -1, 4326])
def test_undefined_and_readable_geopackage_crs_give_no_such_warning(tmp_path, srs_id):
    report = inspect_file(gpkg_with_srs(tmp_path, None, srs_id=srs_id))
    assert not any("could not be read" in w for w in report.warnings)


# ----------------------------------------------------------------------------- other data files in the zip
def test_other_data_files_beside_the_shapefile_are_named(tmp_path):
    parts = pts_parts(tmp_path / "src")
    extra = [
        ("extra.kml", b"<kml/>"),
        ("data.csv", b"a,b\n1,2\n"),
        ("sub/b.geojson", b"{}"),
        ("readme.txt", b"hi"),
    ]
    gdf, report = read_import(zip_of(tmp_path / "pts.zip", [*parts.items(), *extra]))
    assert len(gdf) == 3
    warning = next(w for w in report.warnings if "not read" in w)
    assert warning == (
        "pts.zip also holds 3 other data file(s) that were not read: b.geojson, data.csv, extra.kml; "
        "only pts.shp was imported: import each of them as its own file"
    )
    assert warning.text("zh") == (
        "pts.zip 还含有 3 个未读取的数据文件：b.geojson、data.csv、extra.kml；只导入了 pts.shp："
        "请将它们分别作为单独的文件导入"
    )


def test_a_zipped_kml_with_other_data_files_names_them(tmp_path):
    kml = (
        b'<?xml version="1.0"?><kml xmlns="http:'
        b'//www.opengis.net/kml/2.2"><Document><Placemark><name>k</name>'
        b"<Point><coordinates>113.7,34.7</coordinates></Point></Placemark></Document></kml>"
    )
    report = inspect_file(
        zip_of(tmp_path / "k.zip", [("doc.kml", kml), ("more.gpkg", b"x"), ("a.zip", b"y")])
    )
    assert (
        "k.zip also holds 2 other data file(s) that were not read: a.zip, more.gpkg; only doc.kml was "
        "imported" in " ".join(report.warnings)
    )


def test_a_shapefile_alone_gives_no_such_warning(tmp_path):
    parts = pts_parts(tmp_path / "src")
    report = inspect_file(zip_of(tmp_path / "pts.zip", [*parts.items(), ("readme.txt", b"hi")]))
    assert not any("not read" in w for w in report.warnings)


# ----------------------------------------------------------------------------- the real command


def test_cli_refuses_the_dbf_with_fewer_records_exit_1_nothing_written(tmp_path):
    parts = pts_parts(tmp_path / "src")
    zipped = zip_of(tmp_path / "pts.zip", damaged(parts, ".dbf", set_bytes(4, struct.pack("<I", 1))))
    ws = tmp_path / "ws"
    for args in (("inspect", zipped), ("import", zipped, "--as", "pts")):
        r = run(ws, *args)
        assert r.returncode == 1, (r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in r.stderr
        assert (
            "3 shape(s) in pts.shp, 1 attribute row(s) in pts.dbf: 2 feature(s) would be dropped" in lines[0]
        )
    assert d.tree(ws) == []
