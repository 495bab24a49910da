"""Nothing is lost silently: damaged or mismatched shapefile parts, duplicate zip entries, GBK
names in zips and .cpg files naming a codec that is not a text encoding. Every file is built in
code (pyogrio writes the shapefile, the bytes are then damaged with Python)."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

import importdata as d
from zkq_geo.errors import DataSourceError, SchemaError
from zkq_geo.importer import inspect_file, read_import
from zkq_geo.safe_input import check_zip, extract_zip
from zkq_geo.shapefile_check import Part, check_headers, check_shapefile_files, parse_dbf_header

NAMES = ("甲厂", "乙厂", "丙厂")


@pytest.fixture(autouse=True)
def own_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))


def pts_parts(folder: Path, *, cpg: bool = True) -> dict[str, bytes]:
    """Three WGS84 points with a name and a land column: the bytes of pts.shp/.shx/.dbf/.prj(/.cpg)."""
    folder.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame({"name": list(NAMES), "land_mu": [10.0, 20.0, 30.0]},
                           geometry=[shapely.Point(113.70 + i / 100, 34.70) for i in range(3)], crs="EPSG:4326")
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
        data[at:at + len(value)] = value
        return data
    return fix


# ----------------------------------------------------------------------------- A1: corrupt .dbf
@pytest.mark.parametrize("fix, why", [
    (set_bytes(8, struct.pack("<H", 5)), "header length 5 bytes, below the minimum of 33"),
    (set_bytes(0, b"\x99"), "version byte 0x99 is not a dBASE version"),
    (set_bytes(96, b"A"), "field descriptors do not end with 0x0D within the 97-byte header"),
    (lambda b: b[:40], "header length 97 bytes, beyond the end of the 40-byte file"),
    (lambda b: b[:20], "20 bytes, less than the 32-byte header"),
    (lambda b: bytearray(b"GARBAGE!" * 40), "not a dBASE version"),
    (set_bytes(32 + 11, b"\x01"), "field descriptor #1 is not valid"),
    (set_bytes(10, struct.pack("<H", 3)), "records of 3 bytes, but the fields need"),
])
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
    zipped = zip_of(tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", set_bytes(4, struct.pack("<I", 1))))
    report = inspect_file(zipped)
    assert report.problems == ("3 shape(s) in pts.shp, 1 attribute row(s) in pts.dbf: 2 feature(s) would be dropped "
                               "or lose their attributes; export the layer again so both files hold every feature",)
    assert report.problems[0].text("zh").startswith("pts.shp 有 3 个图形，pts.dbf 只有 1 行属性：2 个要素会丢失或失去属性")
    with pytest.raises(SchemaError, match="3 shape\\(s\\) in pts.shp, 1 attribute row"):
        read_import(zipped)


def test_more_records_than_shapes_is_a_problem(tmp_path):
    def one_more(data: bytearray) -> bytearray:
        header_bytes, record_bytes = struct.unpack("<HH", data[8:12])
        data[4:8] = struct.pack("<I", 4)
        return data[:-1] + data[header_bytes:header_bytes + record_bytes] + b"\x1a"
    report = inspect_file(zip_of(tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", one_more)))
    assert report.problems == ("3 shape(s) in pts.shp, 4 attribute row(s) in pts.dbf: 1 attribute row(s) have no "
                               "shape and would be dropped; export the layer again so both files hold every feature",)


def test_a_dbf_cut_short_is_a_problem(tmp_path):
    report = inspect_file(zip_of(tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", lambda b: b[:-40])))
    assert report.problems[0].startswith("pts.dbf (the attribute table) is cut short: it declares 3 record(s) but "
                                         "holds 2 complete one(s)")


def test_records_marked_deleted_are_a_warning_with_the_count(tmp_path):
    def delete_first(data: bytearray) -> bytearray:
        data[struct.unpack("<H", data[8:10])[0]] = ord("*")
        return data
    gdf, report = read_import(zip_of(tmp_path / "pts.zip", damaged(pts_parts(tmp_path / "src"), ".dbf", delete_first)))
    assert gdf["name"].tolist() == list(NAMES[1:])
    warning = next(w for w in report.warnings if "deleted" in w)
    assert warning == "1 of the 3 record(s) in pts.dbf are marked deleted (the GIS did not pack the table): those " \
                      "features are not imported"
    assert "有 1 条标记为已删除" in warning.text("zh")


@pytest.mark.parametrize("suffix, fix, message", [
    (".shp", lambda b: b[:-10], "pts.shp is cut short: it holds 174 bytes, its header says 184"),
    (".shx", lambda b: b[:-8], "pts.shx (the shape index) holds 116 bytes, its header says 124"),
    (".shx", set_bytes(116, struct.pack(">ii", 500, 10)), "pts.shx indexes 3 shape(s) up to byte 1028"),
])
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
    assert [(name, kind) for name, kind, _ in header.fields] == [("name", "C"), ("land_mu", "N")]
    shp = Part("pts.shp", parts["pts.shp"][:100], 184)
    shx = Part("pts.shx", parts["pts.shx"][:100], 124, parts["pts.shx"][-8:])
    assert check_headers(shp, shx).shapes == 3 and check_headers(shp, shx).records is None
    bad_code = Part("pts.shx", struct.pack(">i", 1234) + shx.head[4:], 124, shx.tail)
    assert check_headers(shp, bad_code).problems == (
        "pts.shx does not start with the shapefile file code 9994 (found 1234): the file is damaged or not a "
        "shapefile part; export the layer again",)
    assert check_headers(Part("pts.shp", b"", 0), shx).problems[0].startswith("pts.shp holds 0 bytes, less than")


# ----------------------------------------------------------------------------- A2: duplicate entries
@pytest.mark.parametrize("extra, message", [
    ("pts.dbf", "holds 'pts.dbf' and 'pts.dbf': two entries for the same file"),
    ("PTS.DBF", "holds 'pts.dbf' and 'PTS.DBF': two entries for the same file"),
    ("sub/pts.dbf", "holds 'pts.dbf' and 'sub/pts.dbf': two shapefile parts of one name"),
])
def test_two_entries_for_one_dbf_are_refused(tmp_path, extra, message):
    parts = pts_parts(tmp_path / "src")
    zipped = zip_of(tmp_path / "pts.zip", [*parts.items(), (extra, b"not the table")])
    with pytest.raises(DataSourceError, match=message) as caught:
        inspect_file(zipped)
    assert "解压时一个会覆盖另一个" in caught.value.text("zh") or "无法确定哪个属于该图层" in caught.value.text("zh")


def test_backslash_and_slash_paths_are_one_file(tmp_path):
    parts = pts_parts(tmp_path / "src")
    entries = [(f"a/{n}", b) for n, b in parts.items()] + [("a\\pts.dbf", b"not the table")]
    with pytest.raises(DataSourceError, match="'a/pts.dbf' and 'a\\\\\\\\pts.dbf': two entries for the same file"):
        check_zip(zip_of(tmp_path / "x.zip", entries))


def test_two_shapefiles_of_one_name_in_different_folders_are_refused(tmp_path):
    parts = pts_parts(tmp_path / "src")
    entries = [(f"{folder}/{n}", b) for folder in ("2020", "2021") for n, b in parts.items()]
    zipped = zip_of(tmp_path / "years.zip", entries)
    for layer in (None, "pts"):  # before: "2 shapefiles: pts, pts", then --layer pts took the first silently
        with pytest.raises(DataSourceError, match=r"'2020/pts\.\w+' and '2021/pts\.\w+': two shapefile parts of one"):
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
    zipped = _unflagged_name_zip(tmp_path / "u.zip", {"园区.dbf".encode("utf-8"): b"x", "说明.txt".encode("gbk"): b"y"})
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
    assert report.encoding_how.startswith("declared") and not any("not a text encoding" in w for w in report.warnings)


# ----------------------------------------------------------------------------- the real command
ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent))


def run(ws: Path, *args):
    assert ZKQ, "zkq-geo console script not installed in the venv (pip install -e .)"
    env = {**os.environ, "ZKQ_WORKSPACE": str(ws)}
    env.pop("ZKQ_DEBUG", None)
    return subprocess.run([ZKQ, *map(str, args)], capture_output=True, text=True, timeout=180, env=env)


def test_cli_refuses_the_dbf_with_fewer_records_exit_1_nothing_written(tmp_path):
    parts = pts_parts(tmp_path / "src")
    zipped = zip_of(tmp_path / "pts.zip", damaged(parts, ".dbf", set_bytes(4, struct.pack("<I", 1))))
    ws = tmp_path / "ws"
    for args in (("inspect", zipped), ("import", zipped, "--as", "pts")):
        r = run(ws, *args)
        assert r.returncode == 1, (r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in r.stderr
        assert "3 shape(s) in pts.shp, 1 attribute row(s) in pts.dbf: 2 feature(s) would be dropped" in lines[0]
    assert d.tree(ws) == []
