"""Import planners' own files: GeoJSON, GeoPackage, zipped Shapefile, KML, CSV and Excel.

:func:`inspect_file` reports what a file holds before anything is applied (format, layers,
fields, feature count, WGS84 bounds, encoding, CRS and how each was found, geometry repairs,
warnings and problems); :func:`read_import` returns the features in EPSG:4326 with that report,
or raises when the report lists a problem. Neither writes anything outside a temporary folder;
:mod:`zkq_geo.workspace` stores the result.

Every user value is kept: attribute columns keep their names and values; columns that would
collide with what the viewer computes are renamed ``*_original`` and reported; an ``id``,
``name``, ``source`` and ``geometry_quality = "user"`` are added when missing.

>>> gdf, report = read_import("parcels.zip", crs="auto")        # doctest: +SKIP
>>> report.crs, report.encoding                                  # doctest: +SKIP
('EPSG:4526 (CGCS2000 / 3-degree Gauss-Kruger zone 38)', 'gb18030')
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from zkq_geo.analysis.metrics import FIGURE_QUALIFIERS, INTENSITY
from zkq_geo.columns import FEATURE_NUMBER_COLUMNS
from zkq_geo.errors import DataSourceError, OptionError, SchemaError, ZkqGeoError
from zkq_geo.i18n.messages import Items, Message, listed, msg
from zkq_geo.importing import geojson_prep
from zkq_geo.importing.crs_detect import check_crs_choice, region_warnings, resolve_crs
from zkq_geo.importing.encodings import EncodingGuess, check_encoding_choice, dbf_encoding, text_encoding
from zkq_geo.importing.geomcheck import GeometryRepair, check_geometries
from zkq_geo.importing.kml_census import census
from zkq_geo.importing.shapefile_check import check_shapefile_files
from zkq_geo.importing.sheets import (
    find_coordinate_columns,
    normalise_column,
    parse_coordinates,
    read_sheet_here,
)
from zkq_geo.limits import limit
from zkq_geo.safety.safe_input import check_file, extract_zip
from zkq_geo.safety.sandbox import run_bounded
from zkq_geo.safety.sniff import check_content

FORMATS = ("geojson", "gpkg", "shapefile", "kml", "csv", "xlsx")
_SUFFIX_FORMAT = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".shp": "shapefile",
    ".zip": "shapefile",
    ".kml": "kml",
    ".kmz": "kml",
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
ACCEPTED_SUFFIXES = tuple(_SUFFIX_FORMAT)
# Columns zkq_geo.layers.load_layer computes for an imported layer (stored layers leave them out).
DERIVED_COLUMNS = (
    "layer",
    "has_conflict",
    "conflicts",
    "land_area_m2",
    INTENSITY,
    "invest_intensity_qualifier",
    "floor_area_ratio",
    "floor_area_ratio_qualifier",
)
# User columns of these names are renamed *_original: the viewer computes or reserves them.
COMPUTED_COLUMNS = (*DERIVED_COLUMNS, "intensity_rank", "fid", "geometry")
QUALIFIER_COLUMNS = ("investment_qualifier", "land_area_qualifier", "floor_area_qualifier")
NAME_COLUMNS = (
    "name",
    "名称",
    "mc",
    "项目名称",
    "企业名称",
    "园区名称",
    "地块名称",
    "单位名称",
    "宗地名称",
    "title",
)


@dataclass(frozen=True)
class ImportReport:
    """What an imported file holds and what importing it would do.

    ``problems`` block the import (each says how to fix it); ``warnings`` do not but need a
    look; ``notes`` record choices made (columns added, names taken from a column).
    ``bounds`` are WGS84 (lon_min, lat_min, lon_max, lat_max) after conversion.
    """

    source: str
    format: str
    layers: tuple[str, ...] = ()
    layer: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    feature_count: int = 0
    geometry_types: tuple[tuple[str, int], ...] = ()
    bounds: tuple[float, float, float, float] | None = None
    encoding: str | None = None
    encoding_how: str = ""
    crs: str | None = None
    crs_how: str = ""
    coordinate_columns: tuple[str, str] | None = None
    repairs: tuple[GeometryRepair, ...] = ()
    warnings: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return asdict(self)

    def error_message(self) -> str:
        """The first problem as one line, saying how many more there are."""
        if not self.problems:
            return ""
        if len(self.problems) == 1:
            return _clean(msg("report_problem", source=self.source, problem=self.problems[0]))
        return _clean(
            msg("report_problems", source=self.source, problem=self.problems[0], more=len(self.problems) - 1)
        )  # user text (a header "a\nb") may hold line breaks

    def lines(self) -> list[str]:
        """The report as plain text lines (CLI ``inspect --format table``)."""
        out = [f"file: {self.source}", f"format: {self.format}"]
        if self.layers:
            out.append(f"layers: {', '.join(self.layers)} (reading: {self.layer})")
        out += [
            f"features: {self.feature_count}",
            f"geometry: {', '.join(f'{t} x{n}' for t, n in self.geometry_types) or '-'}",
            f"fields: {', '.join(f'{n} ({t})' for n, t in self.fields) or '-'}",
        ]
        if self.coordinate_columns:
            out.append(f"coordinate columns: {self.coordinate_columns[0]}, {self.coordinate_columns[1]}")
        out.append(
            f"encoding: {self.encoding or '-'} "
            f"{f'({self.encoding_how})' if self.encoding_how else ''}".rstrip()
        )
        out.append(f"CRS: {self.crs or '-'} {f'({self.crs_how})' if self.crs_how else ''}".rstrip())
        if self.bounds:
            out.append("bounds (WGS84): " + ", ".join(f"{v:.6f}" for v in self.bounds))
        out += [f"note: {n}" for n in self.notes] + [f"warning: {w}" for w in self.warnings]
        out += [f"PROBLEM: {p}" for p in self.problems]
        return out


@dataclass(frozen=True)
class ImportOptions:
    """The user's choices: layer (or sheet), CRS, encoding, coordinate columns, size limit."""

    layer: str | None = None
    crs: str = "auto"
    encoding: str = "auto"
    x: str | None = None
    y: str | None = None
    max_bytes: int | None = None
    id_prefix: str = "f"

    def checked(self) -> ImportOptions:
        if (self.x is None) != (self.y is None):
            raise OptionError(msg("xy_both_or_neither"))
        return ImportOptions(
            self.layer,
            check_crs_choice(self.crs),
            check_encoding_choice(self.encoding),
            self.x,
            self.y,
            self.max_bytes,
            self.id_prefix,
        )


def detect_format(path: str | Path) -> str:
    """The import format of ``path`` from its suffix; ``OptionError`` lists the accepted ones."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise DataSourceError(msg("xls_not_supported", file=Path(path).name))
    if suffix not in _SUFFIX_FORMAT:
        raise DataSourceError(
            msg(
                "suffix_not_accepted",
                file=Path(path).name,
                suffix=suffix or msg("no_suffix"),
                accepted=Items(ACCEPTED_SUFFIXES),
            )
        )
    return _SUFFIX_FORMAT[suffix]


def inspect_file(path: str | Path, **choices) -> ImportReport:
    """Report what importing ``path`` with these choices would give; nothing is written.

    ``choices`` are the fields of :class:`ImportOptions` by keyword (``layer``, ``crs="auto"``,
    ``encoding="auto"``, ``x``/``y``, ``max_bytes``, ``id_prefix="f"``); another keyword is a
    ``TypeError``. Raises :class:`~zkq_geo.errors.ZkqGeoError` subclasses only, and only when the
    file cannot be read at all (missing, empty, too large, damaged, unsafe zip); everything else
    is listed in the report's ``problems`` and ``warnings``. Features without a usable ``id``
    are numbered ``<id_prefix>1``, ``<id_prefix>2``...
    """
    return _run_bounded_import(path, ImportOptions(**choices), with_features=False)[1]


def read_import(path: str | Path, **choices) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read ``path`` as features in EPSG:4326 plus the :class:`ImportReport` (``choices`` as for
    :func:`inspect_file`).

    Raises :class:`~zkq_geo.errors.SchemaError` with the report's first problem when there is one.
    """
    gdf, report = _run_bounded_import(path, ImportOptions(**choices), with_features=True)
    if report.problems or gdf is None:
        raise SchemaError(report.error_message())
    return gdf, report


def _run_bounded_import(path: str | Path, opts: ImportOptions, *, with_features: bool):
    """:func:`run_import` in the bounded worker (CPU, memory, wall clock, no network)."""
    return run_bounded(
        "zkq_geo.importing.reader:run_import",
        Path(path).resolve(),
        opts.checked(),
        with_features,
        file=Path(path).name,
    )


# ----------------------------------------------------------------------------- pipeline
@dataclass
class _Raw:
    """What a format reader found, before CRS and geometry checks."""

    format: str
    layers: tuple[str, ...] = ()
    layer: str | None = None
    frame: pd.DataFrame | None = None
    geoms: np.ndarray | None = None
    labels: list[str] = field(default_factory=list)
    declared: CRS | None = None
    declared_how: str = ""
    encoding: EncodingGuess | None = None
    coordinate_columns: tuple[str, str] | None = None
    lonlat_note: bool = False
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def run_import(
    path: Path, opts: ImportOptions, features: bool = True
) -> tuple[gpd.GeoDataFrame | None, ImportReport]:
    """The import pipeline in this process: :func:`inspect_file` and :func:`read_import` run it in a
    bounded child (:mod:`zkq_geo.safety.sandbox`); call them, not this. ``features=False`` drops the
    features from the result (the report is all an inspection needs)."""
    check_file(path, opts.max_bytes)
    fmt = detect_format(path)
    with (
        tempfile.TemporaryDirectory(prefix="zkq_import_") as tmp,
        warnings.catch_warnings(record=True) as said,
    ):
        warnings.simplefilter("always")  # what GDAL or openpyxl says goes into the report, not to stderr
        try:
            raw = _READERS[fmt](path, opts, Path(tmp))
            _check_vertices(raw, path.name)
        except ZkqGeoError as exc:
            raise type(exc)(_clean(exc.message, tmp, path.parent)) from None
        raw.warnings.extend(_reader_warnings(said, tmp, path.parent))
    gdf, report = _assemble(path.name, raw, opts)
    return (gdf if features else None), report


def _reader_warnings(said, *folders) -> list[str]:
    """The readers' own warnings (GDAL through pyogrio, openpyxl), one line each, without our
    temporary folders, each said once, at most five."""
    texts = dict.fromkeys(_clean(str(w.message), *folders) for w in said)
    return [msg("reader_warning", text=text[:300]) for text in list(texts)[:5]]


def _check_vertices(raw: _Raw, name: str) -> None:
    if raw.geoms is None:
        return
    n = int(shapely.get_num_coordinates(raw.geoms).sum())
    if n > limit("ZKQ_MAX_VERTICES"):
        raise DataSourceError(msg("too_many_vertices", file=name, n=n, limit=limit("ZKQ_MAX_VERTICES")))


def _assemble(source: str, raw: _Raw, opts: ImportOptions) -> tuple[gpd.GeoDataFrame | None, ImportReport]:
    base = dict(
        source=source,
        format=raw.format,
        layers=raw.layers,
        layer=raw.layer,
        encoding=raw.encoding.encoding if raw.encoding else None,
        encoding_how=msg("enc_how", how=msg(f"enc_how_{raw.encoding.how}"), note=raw.encoding.note)
        if raw.encoding
        else "",
        coordinate_columns=raw.coordinate_columns,
    )
    if raw.frame is None or raw.geoms is None:
        described = {} if raw.frame is None else dict(feature_count=len(raw.frame), fields=_fields(raw.frame))
        return None, ImportReport(
            **base,
            **described,
            warnings=(*_encoding_warnings(raw), *raw.warnings),
            problems=tuple(raw.problems),
        )
    if not len(raw.frame):
        raw.problems.append(msg("no_features"))
    geoms, geo = check_geometries(raw.geoms, raw.labels)
    placed = (
        resolve_crs(geoms, raw.declared, raw.declared_how, opts.crs, lonlat_note=raw.lonlat_note)
        if len(raw.frame) and not geo.problems
        else None
    )
    problems = [*raw.problems, *geo.problems, *(placed.problems if placed else ())]
    warnings = [*_encoding_warnings(raw), *raw.warnings, *geo.warnings, *(placed.warnings if placed else ())]
    frame, notes = standardise(raw.frame, source, opts.id_prefix)
    gdf = None
    if placed is not None and placed.geoms is not None:
        warnings += region_warnings(placed.geoms, geoms, placed, raw.labels)
        gdf = gpd.GeoDataFrame(
            frame, geometry=gpd.GeoSeries(placed.geoms, index=frame.index), crs="EPSG:4326"
        )
    report = ImportReport(
        **base,
        fields=_fields(raw.frame),
        feature_count=len(raw.frame),
        geometry_types=geo.type_counts,
        bounds=_bounds(gdf),
        crs=placed.crs if placed else None,
        crs_how=placed.how if placed else "",
        repairs=geo.repairs,
        warnings=tuple(warnings),
        problems=tuple(problems),
        notes=tuple(notes),
    )
    return gdf, report


def _encoding_warnings(raw: _Raw) -> list[str]:
    """Text that is neither UTF-8 nor GBK was read as Latin-1: say so, it may look garbled."""
    if raw.encoding is None or raw.encoding.how != "assumed":
        return []
    return [msg("encoding_unknown", note=raw.encoding.note)]


def _fields(frame: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    return tuple((str(c), str(t)) for c, t in frame.dtypes.items())


def _bounds(gdf: gpd.GeoDataFrame | None) -> tuple[float, float, float, float] | None:
    if gdf is None or gdf.geometry.is_empty.all() or gdf.geometry.isna().all():
        return None
    return tuple(round(float(v), 7) for v in gdf.geometry.total_bounds)


def _clean(message: str, *folders) -> str:
    """One line, without the temporary folders a message may name. A :class:`Message` keeps its
    key: its text parameters are cleaned, so its other languages survive."""
    if isinstance(message, Message):
        return message.map_text(lambda text: _clean(text, *folders))
    for folder in folders:
        message = message.replace(f"{folder}/", "").replace(str(folder), "")
    return " ".join(message.split())


# ----------------------------------------------------------------------------- readers
def _read_shapefile(path: Path, opts: ImportOptions, tmp: Path) -> _Raw:
    if path.suffix.lower() == ".shp":
        return _read_shp(path, [path], opts)
    check_content(path, "zip")
    files = extract_zip(path, tmp, opts.max_bytes)
    shps = sorted(f for f in files if f.suffix.lower() == ".shp")
    if not shps:
        kml = [f for f in files if f.suffix.lower() == ".kml"]
        if len(kml) == 1:
            return _warn_unread(_read_kml(kml[0], opts, tmp), path, files, kml[0])
        held = Items(sorted(f.name for f in files)[:10]) if files else msg("nothing")
        raise DataSourceError(msg("zip_no_shp", file=path.name, listed=held))
    raw = _read_shp(path, shps, opts)
    read = next((s for s in shps if s.stem == raw.layer), None)
    return _warn_unread(raw, path, files, read) if read is not None else raw


_OTHER_DATA = (".geojson", ".json", ".gpkg", ".kml", ".kmz", ".csv", ".xlsx", ".xlsm", ".xls", ".zip")


def _warn_unread(raw: _Raw, zipped: Path, files: list[Path], read: Path) -> _Raw:
    """Say which other data files in the zip were not read (one file is imported)."""
    unread = sorted(f.name for f in files if f.suffix.lower() in _OTHER_DATA and f != read)
    if unread:
        raw.warnings.append(
            msg("zip_files_not_read", file=zipped.name, n=len(unread), names=listed(unread), read=read.name)
        )
    return raw


def _read_shp(source: Path, shps: list[Path], opts: ImportOptions) -> _Raw:
    names = tuple(s.stem for s in shps)
    if len(shps) > 1 and opts.layer is None:
        return _Raw(
            "shapefile", layers=names, problems=[msg("zip_several_shp", n=len(shps), names=Items(names))]
        )
    if opts.layer is not None and opts.layer not in names:
        raise OptionError(msg("layer_not_in_file", layer=opts.layer, file=source.name, choices=Items(names)))
    shp = shps[names.index(opts.layer)] if opts.layer is not None else shps[0]
    if not _sidecar(shp, ".shx"):
        raise DataSourceError(msg("shp_no_shx", shp=shp.name, stem=shp.stem))
    check_content(shp, "shp")
    check_content(_sidecar(shp, ".shx"), "shx")
    checked = check_shapefile_files(
        shp, _sidecar(shp, ".shx"), _sidecar(shp, ".dbf")
    )  # nothing lost silently
    if checked.problems:
        return _Raw("shapefile", layers=names, layer=shp.stem, problems=list(checked.problems))
    dbf = _sidecar(shp, ".dbf") or shp.with_suffix(".dbf")
    guess = dbf_encoding(dbf, opts.encoding)
    raw = _read_ogr(shp, opts, "shapefile", None, encoding=guess)
    raw.warnings += [*checked.warnings, *guess.warnings]
    if not _sidecar(shp, ".prj"):
        raw.warnings.append(msg("shp_no_prj", stem=shp.stem))
    elif raw.declared is None:  # a URL, a path, a +init= string, garbage: GDAL read no CRS from it
        raw.warnings.append(
            msg(
                "prj_unreadable",
                stem=shp.stem,
                definition=_excerpt(_sidecar(shp, ".prj")),
                then=_crs_then(opts),
            )
        )
    if not _sidecar(shp, ".dbf"):
        raw.warnings.append(msg("shp_no_dbf", stem=shp.stem))
    raw.layers, raw.layer = names, shp.stem
    return raw


def _sidecar(shp: Path, suffix: str) -> Path | None:
    """The file beside ``shp`` with ``suffix`` (either case), None if absent."""
    return next((p for p in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())) if p.is_file()), None)


def _excerpt(definition: Path | bytes | str | None, at_most: int = 80) -> str:
    """A CRS definition GDAL could not read, quoted for a message (one line, cut); never parsed."""
    if isinstance(definition, Path):
        with open(definition, "rb") as f:
            definition = f.read(4 * at_most)
    text = definition.decode("utf-8", "replace") if isinstance(definition, bytes) else str(definition or "")
    text = " ".join(text.split())
    return repr(text if len(text) <= at_most else text[:at_most] + "…")


def _crs_then(opts: ImportOptions) -> Message:
    """What was done instead of using a declared CRS that could not be read."""
    return msg("crs_then_detected") if opts.crs == "auto" else msg("crs_then_chosen", crs=opts.crs)


def _read_geojson(path: Path, opts: ImportOptions, tmp: Path) -> _Raw:
    check_content(path, "geojson")
    data = path.read_bytes()
    guess = text_encoding(data, opts.encoding, path.name)
    try:
        text = data.decode(guess.encoding)
        doc = json.loads(text)
    except (UnicodeDecodeError, LookupError):
        raise DataSourceError(
            msg("geojson_wrong_encoding", file=path.name, encoding=guess.encoding)
        ) from None
    except json.JSONDecodeError as exc:
        raise DataSourceError(
            msg("json_invalid", file=path.name, error=exc.msg, line=exc.lineno, column=exc.colno)
        ) from None
    except RecursionError:
        raise DataSourceError(msg("json_too_deep", file=path.name)) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise DataSourceError(msg("json_number_too_long", file=path.name, error=str(exc)[:80])) from None
    if not isinstance(doc, dict) or doc.get("type") not in _GEOJSON_TYPES:
        raise DataSourceError(msg("json_not_geojson", file=path.name))
    clean, declared, said = geojson_prep.prepare(doc)
    target = tmp / f"{path.stem}.geojson"  # without any crs member: GDAL would fetch a linked one
    target.write_text(geojson_prep.dumps(clean), encoding="ascii")
    raw = _read_ogr(target, opts, "geojson", msg("crs_how_geojson_member" if declared else "crs_how_geojson"))
    raw.declared = declared or raw.declared
    raw.encoding = guess
    raw.warnings.extend(said)
    if guess.encoding not in ("utf-8", "utf-8-sig"):
        raw.warnings.append(msg("geojson_not_utf8", encoding=guess.encoding))
    return raw


_GEOJSON_TYPES = (
    "FeatureCollection",
    "Feature",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)


def _read_gpkg(path: Path, opts: ImportOptions, tmp: Path) -> _Raw:
    check_content(path, "gpkg")
    tables, views = gpkg_layers(path)
    chosen = (*tables, *views) if opts.layer in views else tables
    raw = _read_ogr(path, opts, "gpkg", None, names=chosen)
    if views and opts.layer not in views:
        raw.warnings.append(msg("gpkg_views_skipped", file=path.name, names=Items(views)))
    if raw.layer is not None and raw.declared is None:
        raw.warnings += _gpkg_srs_unread(path, raw.layer, opts)
    return raw


def _gpkg_srs_unread(path: Path, layer: str, opts: ImportOptions) -> list[str]:
    """A warning when ``layer`` declares a CRS (an srs_id other than the undefined 0 and -1) that
    GDAL could not read: its definition, read with SQLite, is shown and never parsed."""
    try:
        with _sqlite_read_only(path) as db:
            row = db.execute(
                "SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)", (layer,)
            ).fetchone()
            if row is None or row[0] in (0, -1):
                return []
            found = db.execute(
                "SELECT substr(definition, 1, 320) FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (row[0],)
            ).fetchone()
    except (sqlite3.Error, UnicodeDecodeError):  # damaged: GDAL says what it can
        return []
    definition = _excerpt(found[0]) if found else msg("crs_definition_missing")
    return [
        msg(
            "gpkg_srs_unreadable",
            layer=layer,
            file=path.name,
            srs_id=row[0],
            definition=definition,
            then=_crs_then(opts),
        )
    ]


_GPKG_CORE = ("gpkg_contents", "gpkg_spatial_ref_sys", "gpkg_geometry_columns")


@contextlib.contextmanager
def _sqlite_read_only(path: Path):
    """A read-only, immutable SQLite connection; text that is not UTF-8 is read with replacement
    characters (a damaged file must not raise UnicodeDecodeError)."""
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)) as db:
        db.text_factory = lambda data: data.decode("utf-8", errors="replace")
        yield db


def gpkg_layers(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tables, views) listed in a GeoPackage's ``gpkg_contents``, read with SQLite itself
    (read-only, no query touches a view): a view can hold an endless query, so views are
    only read when the user chooses one."""
    try:
        with _sqlite_read_only(path) as db:
            kinds = dict(db.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')"))
            bad = [t for t in _GPKG_CORE if kinds.get(t) != "table"]
            if bad:
                raise DataSourceError(
                    msg("gpkg_not_geopackage", file=path.name, why=f"{bad[0]}: {kinds.get(bad[0])}")
                )
            names = [str(r[0]) for r in db.execute("SELECT table_name FROM gpkg_contents ORDER BY rowid")]
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # a damaged schema can hold bytes that are not UTF-8
        raise DataSourceError(msg("gpkg_not_geopackage", file=path.name, why=str(exc)[:120])) from None
    return (
        tuple(n for n in names if kinds.get(n) == "table"),
        tuple(n for n in names if kinds.get(n) == "view"),
    )


def _read_kml(path: Path, opts: ImportOptions, tmp: Path) -> _Raw:
    if path.suffix.lower() == ".kmz":
        check_content(path, "zip")
        kml = [f for f in extract_zip(path, tmp, opts.max_bytes) if f.suffix.lower() == ".kml"]
        if len(kml) != 1:
            raise DataSourceError(msg("kmz_kml_count", file=path.name, n=len(kml)))
        path = kml[0]
    check_content(path, "kml")
    raw = _read_ogr(path, opts, "kml", msg("crs_how_kml"))
    raw.warnings.extend(_kml_left_out(path, raw))
    return raw


def _kml_left_out(path: Path, raw: _Raw) -> list[str]:
    """What GDAL's KML reader did not read: ExtendedData fields, placemarks without a geometry it reads."""
    try:
        found = census(path)
    except ElementTree.ParseError:
        return []
    said = [msg("kml_extended_data", fields=Items(found.fields))] if found.fields else []
    read = len(raw.frame) if raw.frame is not None else 0
    if len(raw.layers) == 1 and raw.frame is not None and found.placemarks > read:
        said.append(
            msg("kml_placemarks_left_out", n=found.placemarks, read=read, left=found.placemarks - read)
        )
    return said


def _read_ogr(
    path: Path,
    opts: ImportOptions,
    fmt: str,
    declared_how: str | None,
    encoding: EncodingGuess | None = None,
    names: tuple[str, ...] | None = None,
) -> _Raw:
    """Read one layer with pyogrio; several layers and none chosen is a problem, not an error.

    The driver is fixed by ``fmt`` where GDAL allows it (``GPKG:``/``GeoJSON:`` prefixes), and
    the feature count is checked against ``ZKQ_MAX_FEATURES`` before anything is read.
    ``names`` (GeoPackage) are the layers found without GDAL."""
    source = f"{_DRIVER_PREFIX[fmt]}{path}" if fmt in _DRIVER_PREFIX else path
    layers = (
        names
        if names is not None
        else tuple(str(name) for name in _guard(lambda: pyogrio.list_layers(source)[:, 0], path))
    )
    if not layers:
        raise DataSourceError(msg("no_layers", file=path.name))
    if fmt in ("gpkg", "kml", "geojson") and len(layers) > 1 and opts.layer is None:
        return _Raw(
            fmt,
            layers=layers,
            encoding=encoding,
            problems=[msg("several_layers", n=len(layers), names=Items(layers))],
        )
    layer = opts.layer if fmt in ("gpkg", "kml", "geojson") and opts.layer is not None else layers[0]
    if layer not in layers:
        raise OptionError(msg("layer_not_in_file", layer=layer, file=path.name, choices=Items(layers)))
    kwargs = {"encoding": encoding.encoding} if encoding else {}
    if fmt in _COUNT_IN_HEADER:  # known without reading the features; other formats are counted once read
        _check_feature_count(
            _guard(lambda: pyogrio.read_info(source, layer=layer, **kwargs)["features"], path), path
        )
    gdf = _guard(lambda: pyogrio.read_dataframe(source, layer=layer, **kwargs), path)
    _check_feature_count(len(gdf), path)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataSourceError(msg("layer_is_table", layer=layer, file=path.name))
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    frame = pd.DataFrame(gdf.drop(columns="geometry")).reset_index(drop=True)
    declared = _placeable(gdf.crs)
    how = declared_how or (msg("crs_how_prj", stem=path.stem) if fmt == "shapefile" else msg("crs_how_gpkg"))
    enc = encoding or EncodingGuess("utf-8", "declared", f"{fmt} text is UTF-8")
    return _Raw(
        fmt,
        layers=layers,
        layer=layer,
        frame=frame,
        geoms=gdf.geometry.to_numpy(),
        labels=_feature_labels(frame),
        declared=declared,
        declared_how=how,
        encoding=enc,
    )


def _placeable(crs) -> CRS | None:
    """The CRS a file declares, None if none or one that cannot place data on the earth: an
    engineering CRS such as a GeoPackage's "Undefined Cartesian SRS" (srs_id -1)."""
    crs = CRS.from_user_input(crs) if crs is not None else None
    return crs if crs is not None and (crs.is_geographic or crs.is_projected) else None


_DRIVER_PREFIX = {"gpkg": "GPKG:", "geojson": "GeoJSON:"}
_COUNT_IN_HEADER = ("gpkg", "shapefile")


def _check_feature_count(count: int, path: Path) -> None:
    if count > limit("ZKQ_MAX_FEATURES"):
        raise DataSourceError(
            msg("too_many_features", file=path.name, n=count, limit=limit("ZKQ_MAX_FEATURES"))
        )


def _guard(read, path: Path):
    """Run a pyogrio call; any failure becomes a one-line DataSourceError."""
    try:
        return read()
    except ZkqGeoError:
        raise
    except Exception as exc:  # pyogrio/GDAL raise several types on damaged files
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise DataSourceError(msg("cannot_read", file=path.name, error=message)) from None


def _feature_labels(frame: pd.DataFrame) -> list[str]:
    if "id" in frame.columns:
        ids = frame["id"].astype(str).str.strip()
        if ids.is_unique and (ids != "").all():
            return [msg("label_feature", id=i) for i in ids]
    return [msg("label_feature_n", n=i + 1) for i in range(len(frame))]


def _read_table(path: Path, opts: ImportOptions, tmp: Path) -> _Raw:
    table = read_sheet_here(path, sheet=opts.layer, encoding=opts.encoding, max_bytes=opts.max_bytes)
    fmt = "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv"
    base = dict(
        layers=table.sheets, layer=table.sheet, encoding=table.encoding, warnings=list(table.warnings)
    )
    found = (
        (opts.x, opts.y, "given")
        if opts.x is not None
        else find_coordinate_columns(list(table.frame.columns))
    )
    if found is None:
        columns = Items(map(str, table.frame.columns))
        return _Raw(fmt, frame=table.frame, **base, problems=[msg("no_coordinate_columns", columns=columns)])
    x, y, kind = found
    xs, ys = parse_coordinates(table, x, y)
    return _Raw(
        fmt,
        frame=table.frame.reset_index(drop=True),
        geoms=shapely.points(xs, ys),
        labels=[table.row_label(i) for i in range(len(table.frame))],
        coordinate_columns=(x, y),
        lonlat_note=True,
        **base,
    )


_READERS = {
    "shapefile": _read_shapefile,
    "geojson": _read_geojson,
    "gpkg": _read_gpkg,
    "kml": _read_kml,
    "csv": _read_table,
    "xlsx": _read_table,
}


# ----------------------------------------------------------------------------- standard columns
def standardise(frame: pd.DataFrame, source: str, id_prefix: str = "f") -> tuple[pd.DataFrame, list[str]]:
    """Give an imported attribute table the columns the viewer needs, keeping every user value.

    Returns the new frame and notes saying what was added or renamed.
    """
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    out, notes = _adopt_case_variants(out)
    out, reserved_notes = _rename_reserved(out)
    out, id_notes = _ensure_id(out, id_prefix)
    out, name_notes = _ensure_name(out)
    if "geometry_quality" not in out.columns:
        out["geometry_quality"] = "user"
    if "source" not in out.columns:
        out["source"] = source
        notes.append(msg("note_source_added", source=source))
    return _dedupe_case(out, notes + reserved_notes + id_notes + name_notes)


def _adopt_case_variants(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Use ``ID``/``Name``/``NAME`` as ``id``/``name`` when the lower-case column is absent."""
    mapping, notes = {}, []
    for target in ("id", "name", "source", "geometry_quality"):
        if target in frame.columns:
            continue
        variant = next((c for c in frame.columns if c.lower() == target and c not in mapping), None)
        if variant is not None:
            mapping[variant] = target
            notes.append(msg("note_column_used_as", column=variant, target=target))
    return frame.rename(columns=mapping), notes


def _rename_reserved(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    renames = {c: c for c in frame.columns if c.lower() in COMPUTED_COLUMNS}
    for col in FEATURE_NUMBER_COLUMNS:
        if col in frame.columns and not _numeric_text(frame[col]):
            renames[col] = col
    for col in QUALIFIER_COLUMNS:
        if (
            col in frame.columns
            and not frame[col].fillna("").astype(str).str.strip().isin(FIGURE_QUALIFIERS).all()
        ):
            renames[col] = col
    taken = {c.lower() for c in frame.columns}
    mapping, notes = {}, []
    for col in renames:
        new = _free_name(f"{col}_original", taken)
        taken.add(new.lower())
        mapping[col] = new
        notes.append(msg("note_column_reserved", column=col, new=new))
    return frame.rename(columns=mapping), notes


def _dedupe_case(frame: pd.DataFrame, notes: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """GeoPackage column names are case-insensitive: rename later duplicates like Name/name."""
    seen = {c for c in ("id", "name", "source", "geometry_quality") if c in frame.columns}
    mapping = {}
    for col in frame.columns:
        if col in seen and col.islower():
            continue
        if col.lower() in seen:
            mapping[col] = _free_name(col, seen | {c.lower() for c in frame.columns})
            notes.append(msg("note_column_case", column=col, new=mapping[col]))
        seen.add(mapping.get(col, col).lower())
    return (frame.rename(columns=mapping) if mapping else frame), notes


def _free_name(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def _numeric_text(values: pd.Series) -> bool:
    text = values.astype("string").str.strip().replace("", pd.NA).dropna()
    return bool(pd.to_numeric(text, errors="coerce").notna().all())


def _ensure_id(frame: pd.DataFrame, prefix: str) -> tuple[pd.DataFrame, list[str]]:
    out, notes = frame, []
    if "id" in out.columns:
        ids = out["id"].astype("string").fillna("").str.strip()
        if ids.is_unique and (ids != "").all():
            out = out.assign(id=ids.astype(str).to_numpy())
            return out, notes
        new = _free_name("id_original", {c.lower() for c in out.columns})
        dupes = sorted(set(ids[ids.duplicated()]))[:5]
        shown = Items(map(repr, dupes)) if dupes else msg("note_blanks")
        notes.append(msg("note_id_not_unique", dupes=shown, new=new, prefix=prefix, n=len(out)))
        out = out.rename(columns={"id": new})
    else:
        notes.append(msg("note_no_id", prefix=prefix, n=len(out)))
    out = out.copy()
    out.insert(0, "id", [f"{prefix}{i + 1}" for i in range(len(out))])
    return out, notes


def _ensure_name(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    if "name" in frame.columns:
        return frame.assign(name=frame["name"].astype("string").fillna("").astype(str).to_numpy()), []
    norm = {normalise_column(c): c for c in reversed(list(frame.columns))}
    source = next((norm[n] for n in NAME_COLUMNS if n in norm), None)
    out = frame.copy()
    position = 1 if "id" in out.columns else 0
    if source is None:
        out.insert(position, "name", out["id"].to_numpy())
        return out, [msg("note_no_name")]
    out.insert(position, "name", out[source].astype("string").fillna("").astype(str).to_numpy())
    return out, [msg("note_names_from", column=source)]
