"""Export layers as GeoJSON, GeoPackage, zipped Shapefile, CSV and XLSX bytes.

Exporters write whatever columns they are given; filtering and computing happen elsewhere.
Every export is in WGS84 lon/lat (EPSG:4326). GeoJSON and CSV can instead carry GCJ-02
coordinates for AMap/Gaode tools (``datum="gcj02"``); the other formats are read by GIS software
that has no code for GCJ-02, so they refuse it.

Spreadsheet formula injection: a text cell that starts with ``= + - @`` (or a tab or carriage
return) could run as a formula when a CSV or XLSX file is opened in Excel/WPS. CSV cells like that
are prefixed with a single quote (``=1+1`` is written ``'=1+1``); XLSX cells keep their text but
are stored as string cells with Excel's quote prefix, so they are never formulas.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from zkq_geo.catalog import Catalog, load_catalog
from zkq_geo.cells import neutralise_frame, plain_value, set_cell
from zkq_geo.crs import shift_gdf
from zkq_geo.errors import DataSourceError, OptionError, SchemaError, check_choice
from zkq_geo.i18n.format import field_label, is_blank, value_text
from zkq_geo.i18n.messages import msg
from zkq_geo.importing.geomcheck import FAMILIES as GEOMETRY_FAMILIES  # shapefiles hold one family
from zkq_geo.units import unit_of

ExportFormat = Literal["geojson", "gpkg", "shp", "csv", "xlsx"]
ExportDatum = Literal["wgs84", "gcj02"]
ExportLang = Literal["en", "zh"]

EXPORT_FORMATS: tuple[str, ...] = ("geojson", "gpkg", "shp", "csv", "xlsx")
EXPORT_DATUMS: tuple[str, ...] = ("wgs84", "gcj02")
EXPORT_LANGS: tuple[str, ...] = ("en", "zh")
GCJ02_FORMATS: tuple[str, ...] = ("geojson", "csv")

MEDIA_TYPES: dict[str, str] = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "shp": "application/zip",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

COORD_DECIMALS = 7
EXPORT_CRS = "EPSG:4326"
CRS_LABEL = str(msg("export_about_crs_value"))  # "EPSG:4326 (WGS84 lon/lat)"
GCJ02_NOTE = (
    "Coordinates are GCJ-02 (火星坐标), for AMap/Gaode tools only. This file is NOT RFC 7946 "
    "GeoJSON in WGS84: in other GIS software it sits about 570 m off near Zhengzhou."
)
SCHEMATIC_NOTE = str(msg("export_about_schematic"))
COMPUTED_COLUMNS = ("lon", "lat", "geometry_wkt", "datum")
#: Columns written as they are in every workbook: the seed file names stay looked-up-able.
RAW_COLUMNS = ("id", "source", "area_source", "lon", "lat", "datum")

_DBF_NAME_BYTES = 10
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_FIXED_TIME = datetime.datetime(1980, 1, 1)
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


# ----------------------------------------------------------------------------- public API


def export_bytes(
    gdf: gpd.GeoDataFrame,
    fmt: ExportFormat,
    *,
    datum: ExportDatum = "wgs84",
    layer_name: str = "features",
    lang: ExportLang = "en",
    catalog: Catalog | None = None,
) -> bytes:
    """Serialise a layer to one export format and return the file's bytes.

    Parameters
    ----------
    gdf : GeoDataFrame
        The features, in any CRS (reprojected to EPSG:4326 first). A frame whose
        ``attrs["datum"]`` is ``"gcj02"``/``"bd09"`` (see :func:`zkq_geo.crs.shift_gdf`) is
        shifted back to WGS84 or on to GCJ-02 as ``datum`` asks. All columns are written.
    fmt : {"geojson", "gpkg", "shp", "csv", "xlsx"}
        ``"shp"`` gives a zip of .shp/.shx/.dbf/.prj/.cpg plus ``fields.csv``.
    datum : {"wgs84", "gcj02"}
        ``"gcj02"`` only for geojson and csv, the formats AMap/Gaode tools import.
    layer_name : str
        GeoPackage layer, names of the files inside the shapefile zip, XLSX "about" sheet.
    lang : {"en", "zh"}
        Language of the XLSX workbook: "zh" gives Chinese headers (label and unit, e.g.
        投资额（亿元）), codes as words (规划, 下限（超过）, industry names), blanks empty, and a
        "字段说明" sheet listing each header beside its English field name and unit. The
        ``source`` column keeps the seed file names. CSV, GeoJSON, GeoPackage and Shapefile
        keep the English field names whatever ``lang`` is (the data contract).
    catalog : Catalog, optional
        Industry and layer labels of a "zh" workbook; default: the shipped catalogue.

    Returns
    -------
    bytes
        UTF-8 text for geojson and csv (csv with a BOM), binary for the rest.

    Raises
    ------
    OptionError
        Unknown ``fmt``/``datum``, GCJ-02 for a format that cannot carry it, or mixed geometry
        types for a shapefile.
    SchemaError
        ``gdf`` is not a GeoDataFrame or has no CRS.

    Examples
    --------
    >>> data = export_bytes(parks, "geojson")                     # doctest: +SKIP
    >>> data = export_bytes(parks, "csv", datum="gcj02")         # doctest: +SKIP
    """
    _check_options(fmt, datum)
    check_choice("lang", lang, EXPORT_LANGS)
    if not isinstance(layer_name, str) or not layer_name.strip():
        raise OptionError(f"layer_name={layer_name!r} must be a non-empty string, e.g. 'parks'")
    out = _to_export_frame(gdf, datum)
    if fmt == "xlsx":
        return _write_xlsx(out, layer_name, datum, lang=lang, catalog=catalog)
    return _WRITERS[fmt](out, layer_name, datum)


def suggested_filename(layer_name: str, fmt: ExportFormat, datum: ExportDatum = "wgs84") -> str:
    """File name for a download of ``layer_name`` in ``fmt``.

    >>> suggested_filename("parks", "geojson", "gcj02")
    'parks_gcj02.geojson'
    >>> suggested_filename("parks", "shp")
    'parks_shp.zip'
    """
    _check_options(fmt, datum)
    stem = _safe_stem(layer_name) + ("_gcj02" if datum == "gcj02" else "")
    return f"{stem}_shp.zip" if fmt == "shp" else f"{stem}.{fmt}"


def write_export(
    gdf: gpd.GeoDataFrame,
    fmt: ExportFormat,
    path: str | Path,
    *,
    datum: ExportDatum = "wgs84",
    layer_name: str | None = None,
    lang: ExportLang = "en",
    catalog: Catalog | None = None,
) -> Path:
    """Write :func:`export_bytes` to ``path`` (parent folders are created) and return the path.

    ``layer_name`` defaults to the file's stem without a ``_shp`` suffix (``parks_shp.zip`` ->
    ``parks``). For ``fmt="shp"`` a path ending in ``.shp`` gets the unzipped shapefile parts
    (``.shp .shx .dbf .prj .cpg`` named after the path's stem) beside it, as QGIS users expect;
    any other path gets the zip. ``lang`` and ``catalog`` as in :func:`export_bytes` (XLSX only).

    Raises :class:`DataSourceError` naming the path when it cannot be written (a folder, a file
    where a folder should be, no permission, disk full).
    """
    path = Path(path)
    if layer_name is None:
        layer_name = path.stem.removesuffix("_shp") if fmt == "shp" else path.stem
    data = export_bytes(
        gdf, fmt, datum=datum, layer_name=layer_name or "features", lang=lang, catalog=catalog
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "shp" and path.suffix.lower() == ".shp":
            _unzip_shapefile(data, path)
        else:
            path.write_bytes(data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DataSourceError(msg("cannot_write", path=str(path), error=reason)) from exc
    return path


def _unzip_shapefile(data: bytes, path: Path) -> None:
    """Write the parts of a zipped shapefile beside ``path`` under its stem."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            part = Path(name)
            target = (
                path.with_suffix(part.suffix)
                if part.suffix in _SHAPEFILE_PARTS
                else path.with_name(f"{path.stem}_{part.name}")
            )
            target.write_bytes(zf.read(name))


# ----------------------------------------------------------------------------- input checks


def _check_options(fmt: str, datum: str) -> None:
    check_choice("fmt", fmt, EXPORT_FORMATS)
    check_choice("datum", datum, EXPORT_DATUMS)
    if datum == "gcj02" and fmt not in GCJ02_FORMATS:
        raise OptionError(
            f"datum='gcj02' is not offered for fmt={fmt!r}: GCJ-02 is only for the formats "
            f"AMap/Gaode tools import ({', '.join(GCJ02_FORMATS)}). GIS software reading {fmt} "
            "assumes WGS84 (EPSG:4326) and would place GCJ-02 coordinates about 570 m off. "
            f"Export {fmt} with datum='wgs84', or choose geojson or csv for GCJ-02."
        )


def _to_export_frame(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """A copy in EPSG:4326 with the requested datum and a fresh 0..n-1 index."""
    if not isinstance(gdf, gpd.GeoDataFrame) or not _has_geometry(gdf):
        raise SchemaError(
            f"expected a GeoDataFrame with an active geometry column, got {type(gdf).__name__}; "
            "build one with geopandas.GeoDataFrame(df, geometry=..., crs=...)"
        )
    if gdf.crs is None:
        raise SchemaError(
            "the layer has no CRS, so its coordinates cannot be exported safely; set the one it "
            "is in, e.g. gdf.set_crs('EPSG:4326') for lon/lat or 'EPSG:4547' for CGCS2000 GK 114E"
        )
    source_datum = gdf.attrs.get("datum", "wgs84")
    out = gdf if gdf.crs.to_epsg() == 4326 else gdf.to_crs(EXPORT_CRS)
    if source_datum != datum:
        out = shift_gdf(out, source_datum, datum)
    return out.reset_index(drop=True)


def _has_geometry(gdf: gpd.GeoDataFrame) -> bool:
    try:
        _ = gdf.geometry
    except AttributeError:
        return False
    return True


def _attribute_columns(gdf: gpd.GeoDataFrame) -> list:
    return [c for c in gdf.columns if c != gdf.geometry.name]


# ----------------------------------------------------------------------------- plain values


# ----------------------------------------------------------------------------- GeoJSON


def _round_coords(coords):
    if isinstance(coords, (list, tuple)):
        return [_round_coords(c) for c in coords]
    return round(float(coords), COORD_DECIMALS)


def _geometry_json(geom) -> dict | None:
    """RFC 7946 geometry dict with rounded coordinates; None for missing or empty."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "GeometryCollection":
        parts = [_geometry_json(part) for part in geom.geoms]
        return {"type": "GeometryCollection", "geometries": [p for p in parts if p]}
    geo = geom.__geo_interface__
    return {"type": geo["type"], "coordinates": _round_coords(geo["coordinates"])}


def _feature_json(properties: dict, geom) -> dict:
    feature: dict = {"type": "Feature"}
    fid = plain_value(properties.get("id"))
    if isinstance(fid, (int, float, str)) and not isinstance(fid, bool):
        feature["id"] = fid
    feature["properties"] = {str(k): plain_value(v) for k, v in properties.items()}
    feature["geometry"] = _geometry_json(geom)
    return feature


def _write_geojson(gdf: gpd.GeoDataFrame, layer_name: str, datum: str) -> bytes:
    # RFC 7946 section 3.1.6: exterior rings counterclockwise, holes clockwise.
    geoms = shapely.orient_polygons(np.asarray(gdf.geometry.values), exterior_cw=False)
    records = pd.DataFrame(gdf[_attribute_columns(gdf)]).to_dict("records")
    collection: dict = {"type": "FeatureCollection"}
    if datum == "gcj02":
        collection["coordinate_system"] = "GCJ-02"
        collection["note"] = GCJ02_NOTE
    collection["features"] = [_feature_json(p, g) for p, g in zip(records, geoms, strict=False)]
    text = json.dumps(collection, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


# ----------------------------------------------------------------------------- GeoPackage


def _write_gpkg(gdf: gpd.GeoDataFrame, layer_name: str, datum: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="zkq_export_") as tmp:
        path = Path(tmp) / "export.gpkg"
        pyogrio.write_dataframe(gdf, path, layer=layer_name, driver="GPKG")
        return path.read_bytes()


# ----------------------------------------------------------------------------- Shapefile


def _truncate_utf8(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes of ``text``, never splitting a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _dbf_field_names(columns: list) -> dict[str, str]:
    """Map each column name to a unique DBF field name of at most 10 UTF-8 bytes.

    Names that already fit are kept (first come, case-insensitively); the others are
    truncated, with ``_1``, ``_2``, ... on a collision.
    """
    names = [str(c) for c in columns]
    short: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        if len(name.encode("utf-8")) <= _DBF_NAME_BYTES and name and name.casefold() not in used:
            short[name] = name
            used.add(name.casefold())
    for name in names:
        if name in short:
            continue
        candidate, n = _truncate_utf8(name, _DBF_NAME_BYTES).rstrip("_") or "field", 0
        while candidate.casefold() in used:
            n += 1
            suffix = f"_{n}"
            candidate = _truncate_utf8(name, _DBF_NAME_BYTES - len(suffix)).rstrip("_") + suffix
        short[name] = candidate
        used.add(candidate.casefold())
    return {name: short[name] for name in names}


def _is_boolean(series: pd.Series) -> bool:
    """True for bool dtypes and for object columns holding only True/False/None."""
    if pd.api.types.is_bool_dtype(series):
        return True
    values = series.dropna()
    return series.dtype == object and len(values) > 0 and all(isinstance(v, (bool, np.bool_)) for v in values)


def _bool_as_int(series: pd.Series) -> pd.Series:
    """Boolean columns as 1/0 (nullable Int64, nulls kept); other columns unchanged."""
    if not _is_boolean(series):
        return series
    return pd.Series(
        [None if pd.isna(v) else int(bool(v)) for v in series], index=series.index, dtype="Int64"
    )


def _shapefile_geometry_types(gdf: gpd.GeoDataFrame) -> set[str]:
    """The geometry types present; OptionError unless they fit one shapefile type."""
    geoms = gdf.geometry
    types = set(geoms[geoms.notna() & ~geoms.is_empty].geom_type)
    families = {GEOMETRY_FAMILIES.get(t, t) for t in types}
    if len(families) > 1 or "collection" in families:
        raise OptionError(
            f"a shapefile holds a single geometry type, but this layer has {sorted(types)}; "
            "export it as GeoJSON or GeoPackage instead (they take mixed types), or filter it to "
            "one geometry type first"
        )
    return types


def _fields_csv(field_names: dict[str, str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["short_name", "full_name"])
    writer.writerows((short, full) for full, short in field_names.items())
    return buf.getvalue().encode("utf-8-sig")


def _write_shp(gdf: gpd.GeoDataFrame, layer_name: str, datum: str) -> bytes:
    """Zip of a UTF-8 shapefile; booleans become 1/0; text over 254 bytes is cut by GDAL."""
    types = _shapefile_geometry_types(gdf)
    columns = _attribute_columns(gdf)
    field_names = _dbf_field_names(columns)
    table = gdf.copy()
    for column in columns:
        table[column] = _bool_as_int(table[column])
    table = table.rename(columns={c: field_names[str(c)] for c in columns})
    stem = _safe_stem(layer_name)
    with tempfile.TemporaryDirectory(prefix="zkq_export_") as tmp:
        path = Path(tmp) / "export.shp"
        promote = any(t.startswith("Multi") for t in types)
        pyogrio.write_dataframe(
            table, path, driver="ESRI Shapefile", encoding="UTF-8", promote_to_multi=promote
        )
        parts = {ext: path.with_suffix(ext) for ext in _SHAPEFILE_PARTS}
        entries = [(stem + ext, p.read_bytes()) for ext, p in parts.items() if p.exists()]
    if not any(name.endswith(".cpg") for name, _ in entries):
        entries.append((stem + ".cpg", b"UTF-8"))
    entries.append(("fields.csv", _fields_csv(field_names)))
    return _zip_bytes(entries)


# ----------------------------------------------------------------------------- CSV and XLSX


def _representative_lonlat(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Point itself for points, point_on_surface otherwise; NaN for missing/empty geometry."""
    points = shapely.point_on_surface(np.asarray(gdf.geometry.values))
    ok = ~(shapely.is_missing(points) | shapely.is_empty(points))
    lon = np.full(len(points), np.nan)
    lat = np.full(len(points), np.nan)
    lon[ok] = shapely.get_x(points[ok])
    lat[ok] = shapely.get_y(points[ok])
    return np.round(lon, COORD_DECIMALS), np.round(lat, COORD_DECIMALS)


def _table(gdf: gpd.GeoDataFrame, *, with_wkt: bool, datum: str) -> pd.DataFrame:
    """Attributes plus lon/lat (and WKT, datum); those computed columns replace same-named ones."""
    table = pd.DataFrame(gdf[_attribute_columns(gdf)])
    table.columns = [str(c) for c in table.columns]
    table = table.drop(columns=[c for c in COMPUTED_COLUMNS if c in table.columns])
    table["lon"], table["lat"] = _representative_lonlat(gdf)
    if with_wkt:
        geoms = np.asarray(gdf.geometry.values)
        table["geometry_wkt"] = shapely.to_wkt(geoms, rounding_precision=COORD_DECIMALS, trim=True)
    if datum == "gcj02":
        table["datum"] = "GCJ-02"
    return table


def _write_csv(gdf: gpd.GeoDataFrame, layer_name: str, datum: str) -> bytes:
    table = _table(gdf, with_wkt=True, datum=datum)
    table = neutralise_frame(table)
    text = table.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _fill_features_sheet(ws, table: pd.DataFrame, headers: list[str]) -> None:
    bold = Font(bold=True)
    for j, name in enumerate(headers, start=1):
        set_cell(ws, 1, j, name).font = bold
    for i, row in enumerate(table.itertuples(index=False, name=None), start=2):
        for j, value in enumerate(row, start=1):
            set_cell(ws, i, j, value)
    ws.freeze_panes = "A2"


def _fill_about_sheet(ws, layer_name: str, count: int, lang: str, columns: list[str]) -> None:
    rows = [
        ("export_about_layer", layer_name),
        ("export_about_count", count),
        ("export_about_crs", msg("export_about_crs_value").text(lang)),
        ("export_about_coordinates", msg("export_about_coordinates_value").text(lang)),
        ("export_about_quality", msg("export_about_schematic").text(lang)),
    ]
    for i, (key, value) in enumerate(rows, start=1):
        set_cell(ws, i, 1, msg(key).text(lang)).font = Font(bold=True)
        set_cell(ws, i, 2, value)
    if lang == "en":  # the English workbook's headers are the field names: nothing to list
        return
    first = len(rows) + 2
    for j, key in enumerate(("export_about_header", "export_about_field", "export_about_unit"), start=1):
        set_cell(ws, first, j, msg(key).text(lang)).font = Font(bold=True)
    for i, col in enumerate(columns, start=first + 1):
        for j, value in enumerate((field_label(col, lang), col, unit_of(col)), start=1):
            set_cell(ws, i, j, value)


def _worded_table(table: pd.DataFrame, lang: str, catalog: Catalog | None) -> pd.DataFrame:
    """Cells of a Chinese workbook: codes as words, blanks empty; numbers stay numbers."""
    catalog = catalog if catalog is not None else load_catalog()
    titles = catalog.source_titles()
    out = table.copy()
    for col in out.columns:
        numeric = pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col])
        if col in RAW_COLUMNS or numeric:
            out[col] = [None if is_blank(v) else v for v in out[col]]
        else:
            out[col] = [
                None if is_blank(v) else value_text(col, v, lang, catalog=catalog, titles=titles)
                for v in out[col]
            ]
    return out


def _write_xlsx(
    gdf: gpd.GeoDataFrame, layer_name: str, datum: str, *, lang: str = "en", catalog: Catalog | None = None
) -> bytes:
    table = _table(gdf, with_wkt=False, datum=datum)
    columns = list(table.columns)
    if lang == "zh":
        table = _worded_table(table, lang, catalog)
    wb = Workbook()
    features = wb.active
    features.title = "features" if lang == "en" else "要素"
    _fill_features_sheet(features, table, [c if lang == "en" else field_label(c, lang) for c in columns])
    about = wb.create_sheet(msg("export_about_sheet").text(lang))
    _fill_about_sheet(about, layer_name, len(gdf), lang, columns)
    # Fixed document times and zip times keep the bytes deterministic.
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as archive:
        return _zip_bytes([(name, archive.read(name)) for name in archive.namelist()])


# ----------------------------------------------------------------------------- helpers


def _zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    """A deflated zip of plain-named entries with fixed timestamps (deterministic bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buf.getvalue()


def _safe_stem(layer_name: str) -> str:
    """``layer_name`` usable as a file name on Windows, macOS and Linux."""
    return _UNSAFE_FILENAME.sub("_", str(layer_name)).strip(" .") or "features"


_WRITERS = {
    "geojson": _write_geojson,
    "gpkg": _write_gpkg,
    "shp": _write_shp,
    "csv": _write_csv,
    "xlsx": _write_xlsx,
}
