"""Files for the import tests, built in code with known answers (no data files).

The acceptance parcels: three rectangles in CGCS2000 / 3-degree GK zone 38 WITH the zone
number in the easting (EPSG:4526), Chinese names in a GBK .dbf without a .cpg, and a ledger
keyed by name (investment in 万元, land in 亩) under a merged title row.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import shapely
from pyproj import Transformer

GK38 = "EPSG:4526"
# name, lower-left easting (with zone 38), northing, width m, height m, land field (亩)
PARCELS = (
    ("郑州汽车电子产业园", 38_477_100.0, 3_843_560.0, 200.0, 100.0, 30.0),
    ("中兴产业园", 38_478_000.0, 3_844_200.0, 300.0, 200.0, 90.0),
    ("生物医药“创新”园", 38_476_500.0, 3_842_900.0, 150.0, 100.0, 22.5),
)
# ledger rows: name as the office writes it, investment 万元, land 亩
LEDGER = (
    ("郑州汽车电子产业园", 50000, 100),
    ("中兴产业园 ", 36000, 120),  # trailing space: matched by name normalisation
    ("生物医药创新园", 12345, 30),  # no quote marks: matched by name normalisation
    ("台账里多出的企业", 999, 9),  # not on the map: reported as unmatched
)
# hand-computed 亩均 investment intensity, 万元/亩 = investment 万元 / land 亩
EXPECTED_INTENSITY = {"郑州汽车电子产业园": 500.0, "中兴产业园": 300.0, "生物医药“创新”园": 411.5}

PAYLOADS = ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "${alert(1)}")
# small bad uploads, each refused in one line: file name, content, English and Chinese message fragment
BAD_FILES = (
    ("bad.geojson", b'{"type": "FeatureCollection", "features": [', "not valid JSON", "不是有效的 JSON"),
    ("empty.csv", b"", "is empty", "是空文件"),
    ("nocoords.csv", "名称,地址\n甲,经开区\n".encode(), "no coordinate columns", "没有找到坐标列"),
    ("nan.csv", b"name,lon,lat\na,nan,34.7\n", "row 2: coordinates that are missing", "第 2 行：坐标缺失"),
    ("inf.csv", b"name,lon,lat\na,inf,34.7\n", "row 2: coordinates that are missing", "第 2 行：坐标缺失"),
)


def parcel_polygons() -> list[shapely.Polygon]:
    return [shapely.box(x, y, x + w, y + h) for _, x, y, w, h, _ in PARCELS]


def expected_wgs84_corners() -> list[list[tuple[float, float]]]:
    """The corners of each parcel transformed from EPSG:4526 to WGS84 lon/lat with pyproj."""
    to_wgs = Transformer.from_crs(GK38, "EPSG:4326", always_xy=True)
    return [[to_wgs.transform(x, y) for x, y in poly.exterior.coords] for poly in parcel_polygons()]


def gbk_shapefile_zip(folder: Path, stem: str = "dikuai", *, cpg: bool = False, prj: bool = True) -> Path:
    """The parcels as a zipped shapefile: GBK .dbf, no .cpg (unless asked), .prj of EPSG:4526."""
    folder.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame(
        {
            "名称": [p[0] for p in PARCELS],
            "用地亩": [p[5] for p in PARCELS],
            "编号": ["0012", "0013", "0014"],
        },
        geometry=parcel_polygons(),
        crs=GK38,
    )
    shp = folder / f"{stem}.shp"
    gdf.to_file(shp, encoding="gbk", engine="pyogrio")
    if not cpg:
        shp.with_suffix(".cpg").unlink(missing_ok=True)
    if not prj:
        shp.with_suffix(".prj").unlink()
    out = folder / f"{stem}.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            part = shp.with_suffix(suffix)
            if part.exists():
                zf.write(part, part.name)
    return out


def ledger_xlsx(path: Path, rows=LEDGER, *, title: bool = True) -> Path:
    """An office ledger: a merged title row, then the header, then one row per enterprise."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    if title:
        ws.append(["2023年经开区企业亩均效益台账"])
        ws.merge_cells("A1:D1")
    ws.append(["企业名称", "总投资（万元）", "用地面积（亩）", "备注"])
    for name, invest, land in rows:
        ws.append([name, invest, land, ""])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def two_shapefiles_zip(folder: Path) -> Path:
    """One zip holding two shapefiles, ``a`` and ``b`` (the import must be told which)."""
    out = folder / "two.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for stem in ("a", "b"):
            with zipfile.ZipFile(gbk_shapefile_zip(folder / stem, stem)) as src:
                for n in src.namelist():
                    zf.writestr(n, src.read(n))
    return out


def bomb_zip(path: Path, megabytes: int = 3) -> Path:
    """A few kB that decompress to ``megabytes`` MB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", b"\0" * (megabytes << 20))
    return path


def merged_header_xlsx(path: Path) -> Path:
    """A ledger whose header spans two rows of merged cells (refused, with the fix)."""
    wb = openpyxl.Workbook()
    wb.active.append(["名称", "用地面积", None, "经度", "纬度"])
    wb.active.append([None, "亩", "平方米", None, None])
    wb.active.merge_cells("B1:C1")
    wb.active.append(["甲", 1, 2, 113.75, 34.72])
    wb.save(path)
    return path


def gpkg_table(path: Path) -> Path:
    """A GeoPackage holding only an attribute table (no geometry column)."""
    import pandas as pd
    import pyogrio

    pyogrio.write_dataframe(pd.DataFrame({"a": [1, 2]}), path, layer="tbl", driver="GPKG")
    return path


def hostile_geojson(path: Path) -> Path:
    """Three points whose text fields carry script payloads."""
    gdf = gpd.GeoDataFrame(
        {"name": list(PAYLOADS), "aliases": [PAYLOADS[1]] * 3, "note": [PAYLOADS[0], PAYLOADS[2], "x"]},
        geometry=[shapely.Point(113.75 + i / 200, 34.72) for i in range(3)],
        crs="EPSG:4326",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def tree(folder: Path) -> list[str]:
    """Every path under ``folder`` (to assert that nothing was written)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []
