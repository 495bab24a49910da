"""The hostile-input catalogue: files that try to read server files, fetch URLs, spin, or eat
memory, and files that would lose data silently. Each case builds its file in a folder (big
and amplified files are generated, never committed) and says what the CLI must do with it.

Used by tests/hostile/test_hostile.py (pytest, every case through the real ``zkq-geo`` command) and by
scripts/hostile_harness.py (the same cases under a memory cap, printing time and peak RSS).

A case's ``expect`` is ``"refused"`` (exit 1, one line on stderr matching ``pattern``) or
``"ok"`` (exit 0; ``pattern``, if any, must appear in stdout + stderr). ``canary`` is the URL
of a local server that counts requests: no case may make it count one.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geojsondocs import collection, feature, geometry, point

GEODATA = Path(__file__).resolve().parents[1] / "geodata"
POINT_GEOJSON = collection(feature(point(), {"name": "甲"}))


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path, str], Path]  # (folder, canary url) -> the file
    expect: str  # "refused" or "ok"
    pattern: str = ""  # regex on the error line (refused) or text in the output (ok)
    args: tuple[str, ...] = ()  # extra CLI arguments after the path
    command: tuple[str, ...] = ("inspect", "{file}")  # the CLI call; {file} is the built file
    env: dict = field(default_factory=dict)
    big: bool = False  # generates a file of 100+ MB

    def argv(self, path: Path) -> list[str]:
        """The command line: ``{file}`` is the built file, ``{folder}`` its folder."""
        return [
            a.replace("{file}", str(path)).replace("{folder}", str(path.parent)) for a in self.command
        ] + [*self.args]

    @property
    def imports(self) -> bool:
        """An accepted file of an ``inspect`` case is imported too."""
        return self.expect == "ok" and self.command[0] == "inspect"


def vrt(source: str) -> bytes:
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="stolen"><SrcDataSource>{source}</SrcDataSource>'
        "<GeometryType>wkbNone</GeometryType></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _zip(folder: Path, name: str, members: dict[str, bytes]) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


def _shp_header(length_words: int = 50) -> bytes:
    head = struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack("<2i", 1000, 1) + b"\0" * 64
    return head


def endless_view_gpkg(folder: Path, canary: str) -> Path:
    import geopandas as gpd
    import pyogrio
    import shapely

    path = folder / "endless.gpkg"
    pyogrio.write_dataframe(
        gpd.GeoDataFrame({"name": ["甲"]}, geometry=[shapely.Point(113.75, 34.72)], crs="EPSG:4326"),
        path,
        layer="parcels",
        driver="GPKG",
    )
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE VIEW spin AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) "
            "SELECT i AS fid, NULL AS geom FROM r"
        )
        db.execute(
            "INSERT INTO gpkg_contents(table_name, data_type, identifier, srs_id) "
            "VALUES ('spin', 'features', 'spin', 4326)"
        )
        db.execute("INSERT INTO gpkg_geometry_columns VALUES ('spin', 'geom', 'POINT', 4326, 0, 0)")
    return path


def amplified_xlsx(folder: Path, canary: str, rows: int = 400_000, cols: int = 24) -> Path:
    """A small .xlsx whose one sheet declares rows x cols empty cells (9.6 million by default)."""
    cell = "".join(f'<c r="{_col(c)}{{r}}"/>' for c in range(cols))
    body = "".join(f'<row r="{r}">{cell.format(r=r)}</row>' for r in range(1, rows + 1))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><dimension ref="A1:{_col(cols - 1)}{rows}"/><sheetData>{body}'
        "</sheetData></worksheet>"
    )
    return _zip(folder, "cells.xlsx", {**_XLSX_PARTS, "xl/worksheets/sheet1.xml": sheet.encode()})


def _col(i: int) -> str:
    s, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


_XLSX_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http:'
    b"//schemas.openxmlformats.org/"
    b'package/2006/content-types"><Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main'
    b'+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http:'
    b"//schemas.openxmlformats.org/"
    b'package/2006/relationships"><Relationship Id="rId1" Type="http:'
    b"//schemas.openxmlformats.org/officeDocument/"
    b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http:'
    b"//schemas.openxmlformats.org/"
    b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http:'
    b"//schemas."
    b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
    b"//schemas.openxmlformats."
    b'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def big_csv(folder: Path, canary: str, rows: int = 3_300_000) -> Path:
    """About 150 MB of points: more rows than ZKQ_MAX_FEATURES allows by default."""
    path = folder / "big.csv"
    line = "{i},P{i:07d},113.7512345,34.7212345\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,name,lon,lat\n")
        for start in range(0, rows, 100_000):
            f.write("".join(line.format(i=i) for i in range(start, min(rows, start + 100_000))))
    return path


def _geojson_with(crs: dict) -> bytes:
    return json.dumps({**POINT_GEOJSON, "crs": crs}, ensure_ascii=False).encode()


def many_features_geojson(folder: Path, canary: str) -> Path:
    features = [feature(point(113.7 + i * 1e-5, 34.7), {"n": i}) for i in range(300)]
    return _write(folder, "many.geojson", json.dumps(collection(*features)).encode())


def many_vertices_geojson(folder: Path, canary: str) -> Path:
    ring = [[113.7 + 0.01 * (i / 5000), 34.7 + 0.001 * (i % 2)] for i in range(5000)]
    ring += [[113.71, 34.71], [113.7, 34.71], ring[0]]
    doc = collection(feature(geometry("Polygon", [ring])))
    return _write(folder, "vertices.geojson", json.dumps(doc).encode())


CASES: list[Case] = [
    # 1. reading server files: a GDAL VRT under another name
    Case(
        "vrt_as_gpkg", lambda f, c: _write(f, "x.gpkg", vrt("CSV:/etc/passwd")), "refused", r"GDAL document"
    ),
    Case("vrt_as_kml", lambda f, c: _write(f, "x.kml", vrt("CSV:/etc/passwd")), "refused", r"GDAL document"),
    Case(
        "vrt_as_geojson",
        lambda f, c: _write(f, "x.geojson", vrt("CSV:/etc/passwd")),
        "refused",
        r"GDAL document",
    ),
    Case(
        "vrt_as_shp_in_zip",
        lambda f, c: _zip(f, "x.zip", {"a.shp": vrt("CSV:/etc/passwd"), "a.shx": b"x", "a.dbf": b"x"}),
        "refused",
        r"GDAL document",
    ),
    Case(
        "vrt_config_toml",
        lambda f, c: _write(f, "cfg.gpkg", vrt("CSV:.streamlit/config.toml")),
        "refused",
        r"GDAL document",
    ),
    Case(
        "vrt_in_kmz",
        lambda f, c: _zip(f, "x.kmz", {"doc.kml": vrt("CSV:/etc/passwd")}),
        "refused",
        r"GDAL document",
    ),
    Case(
        "vrt_padded_comment",
        lambda f, c: _write(f, "pad.kml", b"<!--" + b" " * 5000 + b"-->" + vrt("CSV:/etc/passwd")),
        "refused",
        r"should be a KML",
    ),
    Case("vrt_as_csv", lambda f, c: _write(f, "x.csv", vrt("CSV:/etc/passwd")), "refused", r"GDAL document"),
    Case(
        "gpkg_as_csv", lambda f, c: _write(f, "x.csv", _plain_sqlite(f)), "refused", r"should be a text table"
    ),
    Case(
        "sqlite_not_gpkg",
        lambda f, c: _write(f, "plain.gpkg", _plain_sqlite(f)),
        "refused",
        r"not a GeoPackage",
    ),
    # 2. fetching URLs
    Case(
        "geojson_crs_link",
        lambda f, c: _write(
            f,
            "link.geojson",
            _geojson_with({"type": "link", "properties": {"href": f"{c}/crs.proj4", "type": "proj4"}}),
        ),
        "ok",
        "was ignored",
    ),
    Case(
        "geojson_crs_url_name",
        lambda f, c: _write(
            f, "url.geojson", _geojson_with({"type": "name", "properties": {"name": f"{c}/epsg/4326"}})
        ),
        "ok",
        "was ignored",
    ),
    Case(
        "geojson_crs_epsg_kept",
        lambda f, c: _write(
            f,
            "epsg.geojson",
            _geojson_with({"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}),
        ),
        "ok",
        "crs member",
    ),
    Case(
        "vrt_vsicurl",
        lambda f, c: _write(f, "curl.gpkg", vrt(f"/vsicurl/{c}/a.csv")),
        "refused",
        r"GDAL document",
    ),
    Case(
        "kml_network_link",
        lambda f, c: _write(
            f,
            "net.kml",
            (
                '<?xml version="1.0"?><kml xmlns="http:'
                '//www.opengis.net/kml/2.2"><Document><NetworkLink><Link>'
                f"<href>{c}/more.kml</href></Link></NetworkLink><Placemark><name>甲</name><Point><coordinates>"
                "113.75,34.72</coordinates></Point></Placemark></Document></kml>"
            ).encode(),
        ),
        "ok",
        "features: 1",
    ),
    Case(
        "gpx_named_geojson",
        lambda f, c: _write(
            f,
            "x.geojson",
            (
                '<?xml version="1.0"?><gpx version="1.1"><wpt lat="34.7" lon="113.7"><link '
                f'href="{c}/x"/></wpt>'
                "</gpx>"
            ).encode(),
        ),
        "refused",
        r"should be a GeoJSON",
    ),
    # 3. endless queries
    Case("gpkg_endless_view", endless_view_gpkg, "ok", "views are not read"),
    Case(
        "gpkg_endless_view_chosen",
        endless_view_gpkg,
        "refused",
        r"CPU time|longer than",
        args=("--layer", "spin"),
    ),
    # (default limits: stopped after ZKQ_PARSE_CPU_SECONDS = 25 s of CPU)
    # 4. memory: amplified cells, huge tables, many features and vertices
    Case("xlsx_9_6m_cells", amplified_xlsx, "refused", r"more than 2,000,000 cells"),
    Case("csv_150mb", big_csv, "refused", r"more than the limit of 1,000,000 features", big=True),
    Case(
        "features_over_limit",
        many_features_geojson,
        "refused",
        r"300 features, more than the limit of 100",
        env={"ZKQ_MAX_FEATURES": "100"},
    ),
    Case(
        "gpkg_features_over_limit",
        lambda f, c: _points_gpkg(f, 300),
        "refused",
        r"300 features, more than the limit of 100",
        env={"ZKQ_MAX_FEATURES": "100"},
    ),
    Case(
        "vertices_over_limit",
        many_vertices_geojson,
        "refused",
        r"coordinates, more than the limit of 1,000",
        env={"ZKQ_MAX_VERTICES": "1000"},
    ),
    Case(
        "memory_limit",
        lambda f, c: big_csv(f, c, rows=400_000),
        "refused",
        r"memory|stopped unexpectedly",
        env={"ZKQ_PARSE_MEMORY_MB": "700"},
    ),
    # 5. mangled shapefiles, data that would be lost silently, odd encodings
    Case(
        "shp_garbage",
        lambda f, c: _zip(f, "g.zip", {"a.shp": b"\0" * 200, "a.shx": b"\0" * 200}),
        "refused",
        r"should be a shapefile",
    ),
    Case(
        "dbf_fewer_records",
        lambda f, c: _zip(f, "few.zip", _shapefile_parts(f, dbf_records=1)),
        "refused",
        r"3 shape\(s\) in pts.shp, 1 attribute row\(s\) in pts.dbf: 2 feature\(s\)",
    ),
    Case(
        "dbf_corrupt_header",
        lambda f, c: _zip(f, "bad.zip", _shapefile_parts(f, dbf_header=b"\x00" * 32)),
        "refused",
        r"pts.dbf",
    ),
    Case(
        "zip_two_dbf",
        lambda f, c: _zip_entries(f, "two.zip", [*_shapefile_parts(f).items(), ("sub/PTS.dbf", b"x" * 64)]),
        "refused",
        r"pts.dbf",
    ),
    Case(
        "cpg_base64",
        lambda f, c: _zip(f, "cpg.zip", {**_shapefile_parts(f), "pts.cpg": b"base64"}),
        "ok",
        "base64",
    ),
    Case("zip_gbk_names", lambda f, c: _gbk_named_zip(f), "ok", "地块"),
    Case(
        "dbf_numeric_text",
        lambda f, c: _zip(f, "num.zip", _numeric_text_parts(f)),
        "ok",
        "2 value(s) of the numeric field 'v' in pts.dbf are not numbers (record 1: '1,234.5', record 2: "
        "'abc')",
    ),
    Case(
        "cpg_utf16",
        lambda f, c: _zip(f, "u16.zip", {**_shapefile_parts(f), "pts.cpg": b"utf-16"}),
        "ok",
        "pts.cpg names 'utf-16', an encoding a .dbf cannot use",
    ),
    Case(
        "prj_url",
        lambda f, c: _zip(f, "prj.zip", {**_shapefile_parts(f), "pts.prj": f"{c}/prj".encode()}),
        "ok",
        "the .prj of pts could not be read ('http://127.0.0.1:",
    ),
    Case(
        "gpkg_srs_url",
        lambda f, c: _srs_gpkg(f, f"{c}/srs"),
        "ok",
        "the CRS of layer points in points.gpkg (srs_id 99999: 'http://127.0.0.1:",
    ),
    Case(
        "zip_shp_and_kml",
        lambda f, c: _zip(
            f,
            "both.zip",
            {
                **_shapefile_parts(f),
                "extra.kml": (
                    b'<?xml version="1.0"?><kml xmlns="http:'
                    b'//www.opengis.net/kml/2.2"><Document><Placemark><name>k</name><Point>'
                    b"<coordinates>113.7,34.7</coordinates></Point></Placemark></Document></kml>"
                ),
            },
        ),
        "ok",
        "both.zip also holds 1 other data file(s) that were not read: extra.kml",
    ),
    # 7. found by the red team (each once reproduced on main)
    Case(
        "geojson_geometry_crs_link_no_proxy",
        lambda f, c: _write(
            f,
            "g.geojson",
            json.dumps(collection(feature(point(crs=_link(c)), {"名称": "甲"}))).encode(),
        ),
        "ok",
        "crs member(s) inside features or geometries were removed",
        env={"NO_PROXY": "*", "no_proxy": "*"},
    ),
    Case(
        "geojson_feature_doc_crs_no_proxy",
        lambda f, c: _write(
            f,
            "f.geojson",
            json.dumps(feature(point(crs=_link(c)), {"a": 1}, crs=_link(c))).encode(),
        ),
        "ok",
        "was ignored",
        env={"NO_PROXY": "*", "no_proxy": "*"},
    ),
    Case(
        "geojson_as_kml_in_zip",
        lambda f, c: _zip(f, "gk.zip", {"a.kml": _geojson_with(_link(c))}),
        "refused",
        r"a.kml should be a KML document but its content is JSON",
    ),
    Case(
        "gpkg_as_kml_in_zip",
        lambda f, c: _zip(f, "pk.zip", {"a.kml": endless_view_gpkg(f, c).read_bytes()}),
        "refused",
        r"a.kml should be a KML document but its content is an SQLite database",
    ),
    Case(
        "geojson_5000_digit_number",
        lambda f, c: _write(
            f,
            "n.geojson",
            (
                '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":'
                + "9" * 5000
                + '},"geometry":{"type":"Point","coordinates":[113.7,34.7]}}]}'
            ).encode(),
        ),
        "refused",
        r"number too long",
    ),
    Case(
        "geojson_lone_surrogate",
        lambda f, c: _write(
            f,
            "s.geojson",
            (
                b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"s":"\\ud800x"},'
                b'"geometry":{"type":"Point","coordinates":[113.7,34.7]}}]}'
            ),
        ),
        "ok",
        "features: 1",
    ),
    Case(
        "geojson_integer_ids_kept",
        lambda f, c: _write(
            f,
            "ids.geojson",
            json.dumps(
                collection(feature(point(), {"名称": "甲"}, id=101), feature(point(), {"名称": "乙"}, id=205))
            ).encode(),
        ),
        "ok",
        "id (int",
    ),
    Case(
        "xlsx_sheet_target_outside",
        lambda f, c: _zip(
            f,
            "abs.xlsx",
            {
                **_XLSX_PARTS,
                "xl/_rels/workbook.xml.rels": _XLSX_PARTS["xl/_rels/workbook.xml.rels"].replace(
                    b'Target="worksheets/sheet1.xml"', b'Target="/etc/passwd"'
                ),
            },
        ),
        "refused",
        r"names no worksheet that can be opened",
    ),
    Case(
        "xlsx_formulas_without_values",
        lambda f, c: _formula_ledger(f),
        "refused",
        r"formula cell\(s\) without a stored value",
    ),
    Case(
        "csv_sniffer_backtracking",
        lambda f, c: _write(f, "r.csv", ("lon,lat\n" + "'" + ",'a" * 30000 + "\n113.7,34.7\n").encode()),
        "refused",
        r"no coordinate columns found among: .* and 29\d\d\d more",
    ),
    Case(
        "gpkg_2000_layers",
        lambda f, c: _many_layer_gpkg(f, 2000),
        "refused",
        r"holds 2000 layers .* and 1950 more",
    ),
    Case(
        "kml_extended_data_and_tracks",
        lambda f, c: _write(
            f,
            "loss.kml",
            (
                '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http:'
                '//www.google.com/kml/ext/2.2">'
                "<Document><Placemark><name>甲</name><ExtendedData><Data "
                'name="税收"><value>5</value></Data></ExtendedData>'
                "<Point><coordinates>113.75,"
                "34.72</coordinates></Point></Placemark><Placemark><name>乙</name></Placemark>"
                "<Placemark><name>丙</name><gx:Track><gx:coord>113.7 34.7 0</gx:coord></gx:Track></Placemark>"
                "</Document></kml>"
            ).encode(),
        ),
        "ok",
        "3 placemarks, 1 were read",
    ),
    # 6. impossible ledger numbers (join refuses them, naming each row)
    Case(
        "ledger_impossible_numbers",
        lambda f, c: _write(
            f,
            "台账.csv",
            (
                "企业名称,总投资（万元）,用地面积（亩）\n上汽乘用车基地项目,100,0\n"
                "上汽郑州产业基地高效节能发动机二期项目,1e309,-5\n"
            ).encode(),
        ),
        "refused",
        r"impossible figures",
        command=(
            "join",
            "projects",
            "{file}",
            "--key",
            "name",
            "--table-key",
            "企业名称",
            "--land",
            "用地面积（亩）",
            "--investment",
            "总投资（万元）",
        ),
    ),
    Case(
        "evaluate_parcels_vrt",
        lambda f, c: _write(f, "parcels.geojson", vrt("CSV:/etc/passwd")),
        "refused",
        r"GDAL document",
        command=(
            "evaluate",
            str(GEODATA / "examples" / "demo_ledger_synthetic.csv"),
            "--scheme",
            "huaian",
            "--parcels",
            "{file}",
            "-o",
            "{folder}/r.html",
        ),
    ),
    Case(
        "ledger_xlsx_9_6m_cells",
        amplified_xlsx,
        "refused",
        r"more than 2,000,000 cells",
        command=("join", "projects", "{file}", "--key", "name"),
    ),
]


def _shapefile_parts(folder: Path, dbf_records: int | None = None, dbf_header: bytes | None = None) -> dict:
    """pts.shp/.shx/.dbf/.prj/.cpg of three points, optionally with a .dbf that lies about its
    record count or has a damaged header."""
    import geopandas as gpd
    import pyogrio
    import shapely

    out = folder / "_shp"
    out.mkdir(exist_ok=True)
    gdf = gpd.GeoDataFrame(
        {"name": ["甲", "乙", "丙"]},
        geometry=[shapely.Point(113.7 + i / 100, 34.7) for i in range(3)],
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(gdf, out / "pts.shp", encoding="UTF-8")
    parts = {p.name: p.read_bytes() for p in sorted(out.glob("pts.*"))}
    dbf = bytearray(parts["pts.dbf"])
    if dbf_records is not None:
        dbf[4:8] = struct.pack("<I", dbf_records)
    if dbf_header is not None:
        dbf[: len(dbf_header)] = dbf_header
    parts["pts.dbf"] = bytes(dbf)
    return parts


def _zip_entries(folder: Path, name: str, entries: list[tuple[str, bytes]]) -> Path:
    import warnings

    path = folder / name
    with zipfile.ZipFile(path, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are the point
        for member, data in entries:
            zf.writestr(member, data)
    return path


def _gbk_named_zip(folder: Path) -> Path:
    """A zipped shapefile whose entry names are GBK bytes without the UTF-8 flag (as Windows
    writes them): 地块.shp..."""
    parts = _shapefile_parts(folder)
    stem = "地块".encode("gbk")  # 4 bytes: stand-in "N000"
    path = _zip(folder, "gbk.zip", {f"N000{n[3:]}": data for n, data in parts.items()})
    blob = path.read_bytes().replace(b"N000", stem)
    path.write_bytes(blob)
    return path


def _link(canary: str) -> dict:
    return {"type": "link", "properties": {"href": f"{canary}/crs.proj4", "type": "proj4"}}


def _formula_ledger(folder: Path) -> Path:
    """An .xlsx written by a program: 税收 as formulas with no stored value (Excel would store one)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["企业名称", "经度", "纬度", "税收（万元）"])
    for i in range(3):
        sheet.append([f"企业{i}", 113.7 + i / 100, 34.7, f"={100 + i}*1"])
    path = folder / "formulas.xlsx"
    book.save(path)
    return path


def _many_layer_gpkg(folder: Path, n: int) -> Path:
    path = _points_gpkg(folder, 1)
    with sqlite3.connect(path) as db:
        for i in range(n - 1):
            db.execute(f"CREATE TABLE t{i} (fid INTEGER PRIMARY KEY, geom BLOB)")
            db.execute(
                "INSERT INTO gpkg_contents(table_name, data_type, identifier, srs_id) VALUES (?, 'features',"
                " ?, "
                "4326)",
                (f"t{i}", f"t{i}"),
            )
            db.execute(
                "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POINT', 4326, 0, 0)", (f"t{i}",)
            )
    return path


def _numeric_text_parts(folder: Path) -> dict:
    """pts.* of three points with one numeric field ``v`` holding "1,234.5", "abc" and 3 (GDAL
    reads 1, 0, 3)."""
    import geopandas as gpd
    import pyogrio
    import shapely

    out = folder / "_num"
    out.mkdir(exist_ok=True)
    gdf = gpd.GeoDataFrame(
        {"v": [1.0, 2.0, 3.0]},
        geometry=[shapely.Point(113.7 + i / 100, 34.7) for i in range(3)],
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(gdf, out / "pts.shp")
    parts = {p.name: p.read_bytes() for p in sorted(out.glob("pts.*"))}
    dbf = bytearray(parts["pts.dbf"])
    header_bytes, record_bytes = struct.unpack("<HH", dbf[8:12])
    length = dbf[32 + 16]  # the one field: its values start at byte 1 of each record
    for record, text in enumerate((b"1,234.5", b"abc")):
        at = header_bytes + record * record_bytes + 1
        dbf[at : at + length] = text.rjust(length)
    parts["pts.dbf"] = bytes(dbf)
    return parts


def _srs_gpkg(folder: Path, definition: str) -> Path:
    """points.gpkg whose layer's CRS (srs_id 99999) is defined by ``definition``."""
    path = _points_gpkg(folder, 3)
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES ('evil', 99999, 'NONE', 99999, ?, 'x')", (definition,)
        )
        db.execute("UPDATE gpkg_contents SET srs_id = 99999")
        db.execute("UPDATE gpkg_geometry_columns SET srs_id = 99999")
    return path


def _points_gpkg(folder: Path, n: int) -> Path:
    import geopandas as gpd
    import pyogrio
    import shapely

    path = folder / "points.gpkg"
    gdf = gpd.GeoDataFrame(
        {"n": range(n)}, geometry=[shapely.Point(113.7 + i * 1e-5, 34.7) for i in range(n)], crs="EPSG:4326"
    )
    pyogrio.write_dataframe(gdf, path, layer="points", driver="GPKG")
    return path


def _plain_sqlite(folder: Path) -> bytes:
    path = folder / "_plain.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (a)")
    data = path.read_bytes()
    path.unlink()
    return data


def by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)
