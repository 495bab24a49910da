"""The office's imported layers in PostgreSQL + PostGIS: the same public interface as the GeoPackage
:class:`~zkq_geo.workspace.Workspace`, for a server whose ``ZKQ_DATABASE_URL`` is a PostgreSQL URL.

Tables (made on first use, one creator at a time)::

    layer_versions   one row per version: name, version, title, kind, created, source_file,
                     feature_count, geometry_type, report (JSONB), columns (JSONB: the frame's
                     column names and dtypes), original_id, trash_id / deleted_at (soft delete)
    layer_originals  the file the user gave, byte for byte (bytea), its name, size and SHA-256
    layer_features   version_id, fid (the row number), attrs (JSONB), geom geometry(Geometry,4326)
                     with a GIST index, area_m2_measured (polygons: m2 in EPSG:4547),
                     invest_intensity_wan_per_mu (亩均投资 as the map colours it; vector tiles)

Attributes are one JSONB object per feature rather than a table of columns per layer: planners'
files bring any column names (Chinese, spaces, names PostgreSQL reserves), and versions of one
layer may differ in columns. One features table keyed by version needs no DDL per import, never
turns user text into an SQL identifier, and copies a version with one INSERT ... SELECT; the
dtype of every column is kept in ``layer_versions.columns``, so a read gives back the frame that
was saved.

Versions are never overwritten: a save is ONE transaction that takes a transaction-scoped
advisory lock on the layer's name, allocates the next number, writes the version, its original
and its features; a unique index on (name, version) of the live rows backs the lock. A delete
moves every version into the trash (``trash_id`` set), from where :meth:`undelete` puts them back.
"""

from __future__ import annotations

import datetime
import functools
import gzip
import hashlib
import json
import math
import re
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BYTEA, JSONB

from zkq_geo.analysis.metrics import INTENSITY, add_efficiency
from zkq_geo.catalog import LayerSpec
from zkq_geo.columns import FEATURE_NUMBER_COLUMNS, FEATURE_TEXT_COLUMNS
from zkq_geo.crs import measure_area_m2
from zkq_geo.errors import DataSourceError, OptionError, ZkqGeoError
from zkq_geo.i18n.messages import Items, Message, msg
from zkq_geo.office.db import engine_for, redacted
from zkq_geo.safety.safe_input import safe_filename
from zkq_geo.workspace import (
    NAME_PATTERN,
    RESTORED_FROM,
    BrokenLayer,
    LayerVersion,
    SavedLayer,
    TrashedLayer,
    check_layer_name,
    default_root,
    writable_frame,
)

FEATURES_CRS = "EPSG:4326"
POLYGON_TYPES = ("Polygon", "MultiPolygon")
TILE_CACHE_DIR = "postgis-tiles"  # under PostgisWorkspace.root; not the folder workspace's tiles/
TRASH_ID = re.compile(r"([a-z][a-z0-9_]{0,39})-(\d{8}T\d{6}Z)-[0-9a-f]{8}")  # as the folder workspace's
_CREATE_LOCK = 74210002  # pg_advisory_xact_lock key: one schema creator at a time
_COPIED_ON_RESTORE = (
    "title",
    "kind",
    "source_file",
    "original_id",
    "feature_count",
    "geometry_type",
    "columns",
)
_NAME_LOCK = "zkq_layer:"  # + name: hashed into the advisory lock that orders the saves of one layer


class _Geometry(sa.types.UserDefinedType):
    """PostGIS ``geometry(Geometry,4326)``; values go in as hex EWKB and come out as WKB."""

    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return "geometry(Geometry,4326)"


metadata = sa.MetaData()
layer_originals = sa.Table(
    "layer_originals",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("data", BYTEA, nullable=False),
)
layer_versions = sa.Table(
    "layer_versions",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("created", sa.String(32), nullable=False),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("original_id", sa.BigInteger, sa.ForeignKey("layer_originals.id")),
    sa.Column("feature_count", sa.Integer, nullable=False),
    sa.Column("geometry_type", sa.Text, nullable=False),
    sa.Column("report", JSONB, nullable=False),
    sa.Column("columns", JSONB, nullable=False),
    sa.Column("trash_id", sa.String(80)),
    sa.Column("deleted_at", sa.String(32)),
    sa.CheckConstraint("version > 0", name="layer_versions_positive"),
    sa.CheckConstraint("kind IN ('import', 'join')", name="layer_versions_kind"),
    sa.Index(
        "layer_versions_live",
        "name",
        "version",
        unique=True,
        postgresql_where=sa.text("trash_id IS NULL"),
    ),
    sa.Index("layer_versions_trash", "trash_id", "version", unique=True),
)
layer_features = sa.Table(
    "layer_features",
    metadata,
    sa.Column(
        "version_id",
        sa.BigInteger,
        sa.ForeignKey("layer_versions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("fid", sa.Integer, primary_key=True),
    sa.Column("attrs", JSONB, nullable=False),
    sa.Column("geom", _Geometry),
    sa.Column("area_m2_measured", sa.Float),
    sa.Column(INTENSITY, sa.Float),
    sa.Index("layer_features_geom", "geom", postgresql_using="gist"),
)
LAYER_TABLES = (layer_originals, layer_versions, layer_features)


@functools.cache
def create_layer_tables(url: str) -> sa.Engine:
    """The engine of ``url`` with the layer tables made (PostGIS must be installable there); once
    per URL and process."""
    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CREATE_LOCK})
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        metadata.create_all(conn, checkfirst=True)
    return engine


class PostgisWorkspace:
    """The imported layers in the PostgreSQL + PostGIS database of ``url``.

    ``root`` is a local folder for caches only (the map tiles a tippecanoe build makes; default
    :func:`zkq_geo.workspace.default_root`); the layers, their versions, originals and trash
    live in the database.
    """

    def __init__(self, url: str, root: str | Path | None = None):
        self.url = url
        self.engine = create_layer_tables(url)
        self.root = Path(root).expanduser().resolve() if root is not None else default_root()

    def __repr__(self) -> str:
        return f"PostgisWorkspace({redacted(self.url)!r})"

    # ------------------------------------------------------------------ reading
    def layers(self) -> dict[str, list[LayerVersion]]:
        """Every imported layer with its versions, oldest first (in first-import order)."""
        return self.status()[0]

    def broken(self) -> list[BrokenLayer]:
        """Always empty: a version is written in one transaction, so none is half there."""
        return self.status()[1]

    def status(self) -> tuple[dict[str, list[LayerVersion]], list[BrokenLayer]]:
        query = _live().order_by(layer_versions.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        out: dict[str, list[LayerVersion]] = {}
        for row in rows:
            out.setdefault(row.name, []).append(_layer_version(row))
        return {n: sorted(v, key=lambda e: e.version) for n, v in out.items()}, []

    def names(self) -> list[str]:
        return list(self.layers())

    def versions(self, name: str) -> list[LayerVersion]:
        """The versions of ``name``, oldest first; ``[]`` when there is no such layer."""
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            return []
        query = _live().where(layer_versions.c.name == name).order_by(layer_versions.c.version)
        with self.engine.connect() as conn:
            return [_layer_version(r) for r in conn.execute(query)]

    def latest(self, name: str) -> LayerVersion:
        versions = self.versions(name)
        if not versions:
            raise self._unknown(name)
        return versions[-1]

    def tiles_dir(self, version: LayerVersion) -> Path:
        """The local cache folder of the map tiles of ``version``:
        ``postgis-tiles/<name>/v<N>-<row>/`` under :attr:`root` (the row id makes a layer imported
        again after a delete never meet the old tiles; the folder is apart from the folder
        workspace's ``tiles/``, which its clean_orphans tidies by its own index)."""
        name = check_layer_name(version.name)
        return self.root / TILE_CACHE_DIR / name / f"v{int(version.version)}-{_row_id(version)}"

    def read_layer(self, name: str, version: int | None = None) -> gpd.GeoDataFrame:
        """A stored version (default: the latest) as a GeoDataFrame in EPSG:4326, the rows in
        the order they were saved."""
        entry = self._entry(name, version)
        query = (
            sa.select(layer_features.c.attrs, sa.func.ST_AsBinary(layer_features.c.geom))
            .where(layer_features.c.version_id == _row_id(entry))
            .order_by(layer_features.c.fid)
        )
        with self.engine.connect() as conn:
            columns = conn.execute(
                sa.select(layer_versions.c.columns).where(layer_versions.c.id == _row_id(entry))
            ).scalar_one()
            rows = conn.execute(query).all()
        return _frame(columns, rows)

    def measured_areas(self, name: str, version: int | None = None) -> pd.Series:
        """``area_m2_measured`` of each feature (m2, EPSG:4547; NaN for points and lines), by fid."""
        entry = self._entry(name, version)
        query = (
            sa.select(layer_features.c.fid, layer_features.c.area_m2_measured)
            .where(layer_features.c.version_id == _row_id(entry))
            .order_by(layer_features.c.fid)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return pd.Series(
            [np.nan if a is None else a for _, a in rows],
            index=[f for f, _ in rows],
            name="area_m2_measured",
            dtype=float,
        )

    def original(self, name: str, version: int | None = None) -> tuple[str, bytes] | None:
        """The file the user gave for a version: its name and bytes; None when there was none."""
        entry = self._entry(name, version)
        query = (
            sa.select(layer_originals.c.file_name, layer_originals.c.data)
            .join(layer_versions, layer_versions.c.original_id == layer_originals.c.id)
            .where(layer_versions.c.id == _row_id(entry))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (row.file_name, bytes(row.data)) if row else None

    def layer_specs(self) -> dict[str, LayerSpec]:
        return {name: self.spec_of(versions[-1]) for name, versions in self.layers().items()}

    def spec_of(self, latest: LayerVersion) -> LayerSpec:
        """The catalogue entry of a version; :func:`zkq_geo.layers.load_layer` reads it through
        ``spec.read`` (``geometry`` names it for messages; no such file exists)."""
        return LayerSpec(
            name=latest.name,
            title_zh=latest.title,
            title_en=latest.title,
            geometry=Path("postgis") / latest.name / f"v{latest.version}",
            attributes=None,
            key="id",
            geometry_type=latest.geometry_type,
            crs=FEATURES_CRS,
            origin="workspace",
            read=lambda: self.read_layer(latest.name, latest.version),
        )

    # ------------------------------------------------------------------ writing
    def save_layer(
        self,
        name: str,
        gdf: gpd.GeoDataFrame,
        *,
        title: str | None = None,
        kind: str = "import",
        source_file: str = "",
        original: str | Path | None = None,
        report: dict | None = None,
    ) -> SavedLayer:
        """Store ``gdf`` as the next version of ``name`` in one transaction; never overwrites."""
        check_layer_name(name)
        frame = writable_frame(gdf)
        kept = _read_original(original) if original else None

        def write(conn, version: int) -> dict:
            original_id = _insert_original(conn, *kept) if kept else None
            values = {
                "title": title or name,
                "kind": kind,
                "source_file": source_file,
                "original_id": original_id,
                "feature_count": len(frame),
                "geometry_type": geometry_type(frame),
                "report": jsonable(report or {}),
                "columns": column_types(frame),
            }
            row_id = _insert_version(conn, name, version, values)
            copy_features(conn, row_id, frame)
            return values

        return self._add_version(name, write)

    def restore_version(self, name: str, version: int | None = None) -> SavedLayer:
        """Add an earlier version of ``name`` again as the newest (its report says
        ``restored_from``); history is never rewritten."""
        check_layer_name(name)

        def write(conn, new: int) -> dict:
            source = self._restore_source(conn, name, version)
            keep = (
                "title",
                "kind",
                "source_file",
                "original_id",
                "feature_count",
                "geometry_type",
                "columns",
            )
            values = {k: getattr(source, k) for k in keep}
            values["report"] = {**source.report, RESTORED_FROM: source.version}
            row_id = _insert_version(conn, name, new, values)
            copied = sa.select(
                sa.literal(row_id, sa.BigInteger),
                layer_features.c.fid,
                layer_features.c.attrs,
                layer_features.c.geom,
                layer_features.c.area_m2_measured,
                layer_features.c[INTENSITY],
            ).where(layer_features.c.version_id == source.id)
            conn.execute(layer_features.insert().from_select([c.name for c in layer_features.c], copied))
            return values

        return self._add_version(name, write, must_exist=True)

    def delete_layer(self, name: str) -> Message:
        """Move every version of ``name`` into the trash (nothing is erased; :meth:`undelete`
        puts it back). Its local tile cache is left to :meth:`clean_orphans`."""
        check_layer_name(name)
        stamp = datetime.datetime.now(datetime.UTC)
        trash_id = f"{name}-{stamp:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        with self.engine.begin() as conn:
            _lock_name(conn, name)
            done = conn.execute(
                layer_versions.update()
                .where((layer_versions.c.name == name) & layer_versions.c.trash_id.is_(None))
                .values(trash_id=trash_id, deleted_at=stamp.isoformat(timespec="seconds"))
            )
            if done.rowcount == 0:
                raise self._unknown(name)
        return msg("db_layer_deleted", name=name, n=done.rowcount, trash=trash_id)

    def trash(self) -> list[TrashedLayer]:
        """The deleted layers, newest first."""
        query = (
            sa.select(
                layer_versions.c.trash_id,
                layer_versions.c.name,
                sa.func.min(layer_versions.c.deleted_at),
                sa.func.count(),
            )
            .where(layer_versions.c.trash_id.is_not(None))
            .group_by(layer_versions.c.trash_id, layer_versions.c.name)
        )
        with self.engine.connect() as conn:
            items = [TrashedLayer(t, n, at, count) for t, n, at, count in conn.execute(query)]
        return sorted(items, key=lambda t: (t.deleted_at, t.id), reverse=True)

    def undelete(self, trash_id: str) -> Message:
        """Put the deleted layer ``trash_id`` back with all its versions; refused while a layer
        of the same name exists."""
        match = TRASH_ID.fullmatch(trash_id) if isinstance(trash_id, str) else None
        if match is None:
            raise OptionError(msg("trash_unknown", id=str(trash_id)[:40]))
        name = match[1]
        with self.engine.begin() as conn:
            _lock_name(conn, name)
            trashed = layer_versions.c.trash_id == trash_id
            if not conn.execute(sa.select(layer_versions.c.id).where(trashed).limit(1)).first():
                raise OptionError(msg("trash_unknown", id=trash_id))
            if conn.execute(_live().where(layer_versions.c.name == name).limit(1)).first():
                raise OptionError(msg("undelete_name_taken", name=name))
            done = conn.execute(layer_versions.update().where(trashed).values(trash_id=None, deleted_at=None))
        return msg("layer_undeleted", name=name, n=done.rowcount)

    def clean_orphans(self, min_age_s: float = 0) -> list[str]:
        """Nothing to clean: every save and delete is one transaction, so an interrupted one
        leaves nothing behind. Returns ``[]`` (the folder workspace's interface)."""
        return []

    # ------------------------------------------------------------------ inside
    def _add_version(self, name: str, write: Callable, *, must_exist: bool = False) -> SavedLayer:
        """In one transaction under the layer's advisory lock: the next number, ``write(conn,
        version)``; any failure rolls everything back."""
        try:
            with self.engine.begin() as conn:
                _lock_name(conn, name)
                numbers = _live_numbers(conn, name)
                if must_exist and not numbers:
                    raise self._unknown(name)
                version = max(numbers, default=0) + 1
                values = write(conn, version)
        except ZkqGeoError:
            raise
        except (sa.exc.SQLAlchemyError, psycopg.Error) as exc:
            error = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
            raise DataSourceError(msg("layer_not_saved", name=name, error=error)) from None
        restored = values["report"].get(RESTORED_FROM) if isinstance(values["report"], dict) else None
        path = Path("postgis") / name / f"v{version}"
        return SavedLayer(name, version, path, tuple(numbers), restored_from=restored)

    def _restore_source(self, conn, name: str, version: int | None):
        rows = conn.execute(
            _live().where(layer_versions.c.name == name).order_by(layer_versions.c.version)
        ).all()
        numbers = [r.version for r in rows]
        have = Items(map(str, numbers))
        if version is not None and version not in numbers:
            raise OptionError(msg("no_layer_version", name=name, version=version, have=have))
        if len(numbers) < 2:
            raise OptionError(msg("restore_nothing_earlier", name=name, version=numbers[-1]))
        version = numbers[-2] if version is None else version
        if version == numbers[-1]:
            raise OptionError(
                msg("restore_is_current", name=name, version=version, have=Items(map(str, numbers[:-1])))
            )
        return rows[numbers.index(version)]

    def _entry(self, name: str, version: int | None) -> LayerVersion:
        versions = self.versions(name)
        if not versions:
            raise self._unknown(name)
        if version is None:
            return versions[-1]
        entry = next((v for v in versions if v.version == version), None)
        if entry is None:
            have = Items(str(v.version) for v in versions)
            raise OptionError(msg("no_layer_version", name=name, version=version, have=have))
        return entry

    def _unknown(self, name: str) -> OptionError:
        known = self.names()
        return OptionError(
            msg("no_imported_layer", name=name, known=Items(known) if known else msg("none_yet"))
        )

    # ------------------------------------------------------------------ map tiles
    def mvt_tile(
        self, name: str, version: int, z: int, x: int, y: int, properties: tuple[str, ...]
    ) -> bytes | None:
        """Tile z/x/y of a version as a Mapbox Vector Tile (uncompressed) made by PostGIS
        (ST_TileEnvelope, ST_AsMVTGeom, ST_AsMVT): one layer ``features``, each feature with its
        row number as ``fid`` and those of ``properties`` it has (blank ones left out; 亩均投资
        rounded to 0.01 as the tippecanoe tiles carry it). None when the version does not
        exist; ``b""`` for a tile with nothing in it."""
        entry = next((v for v in self.versions(name) if v.version == int(version)), None)
        if entry is None:
            return None
        pairs = ", ".join(
            f"CAST(:p{i} AS text), round(f.{INTENSITY}::numeric, 2)::float8"
            if p == INTENSITY
            else f"CAST(:p{i} AS text), NULLIF(f.attrs -> CAST(:p{i} AS text), '\"\"'::jsonb)"
            for i, p in enumerate(properties)
        )
        sql = sa.text(
            "WITH bounds AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env), "
            f"mvt AS (SELECT f.fid, jsonb_strip_nulls(jsonb_build_object({pairs})) AS props, "
            "ST_AsMVTGeom(ST_Transform(f.geom, 3857), bounds.env, 4096, 64, true) AS geom "
            "FROM layer_features f, bounds WHERE f.version_id = :vid "
            "AND f.geom && ST_Transform(bounds.env, 4326)) "
            "SELECT ST_AsMVT(mvt.*, 'features', 4096, 'geom') FROM mvt WHERE geom IS NOT NULL"
        )
        params = {"z": int(z), "x": int(x), "y": int(y), "vid": _row_id(entry)}
        params |= {f"p{i}": p for i, p in enumerate(properties)}
        with self.engine.connect() as conn:
            data = conn.execute(sql, params).scalar_one()
        return bytes(data or b"")


# ----------------------------------------------------------------------------- rows and frames
def _live():
    return sa.select(layer_versions).where(layer_versions.c.trash_id.is_(None))


def _lock_name(conn, name: str) -> None:
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": _NAME_LOCK + name})


def _live_numbers(conn, name: str) -> list[int]:
    query = (
        sa.select(layer_versions.c.version)
        .where((layer_versions.c.name == name) & layer_versions.c.trash_id.is_(None))
        .order_by(layer_versions.c.version)
    )
    return list(conn.execute(query).scalars())


def _insert_version(conn, name: str, version: int, values: dict) -> int:
    row = {"name": name, "version": version, "created": now_iso(), **values}
    return conn.execute(layer_versions.insert().values(**row).returning(layer_versions.c.id)).scalar_one()


def _insert_original(conn, file_name: str, data: bytes) -> int:
    return conn.execute(
        layer_originals.insert()
        .values(file_name=file_name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data)
        .returning(layer_originals.c.id)
    ).scalar_one()


def _read_original(path: str | Path) -> tuple[str, bytes]:
    src = Path(path)
    return safe_filename(src.name), src.read_bytes()


def _layer_version(row) -> LayerVersion:
    """The :class:`LayerVersion` of a row; ``file`` names the row (``postgis:<id>``) and
    ``original`` the file as the folder workspace would (``originals/<name>/v<N>/<file>``)."""
    return LayerVersion(
        name=row.name,
        version=row.version,
        file=f"postgis:{row.id}",
        title=row.title,
        kind=row.kind,
        created=row.created,
        source_file=row.source_file,
        original=f"originals/{row.name}/v{row.version}/{row.source_file}" if row.original_id else None,
        feature_count=row.feature_count,
        geometry_type=row.geometry_type,
        report=dict(row.report or {}),
    )


def _row_id(version: LayerVersion) -> int:
    scheme, _, row = version.file.partition(":")
    if scheme != "postgis" or not row.isdigit():
        raise DataSourceError(msg("workspace_path_outside", path=version.file[:60]))
    return int(row)


def geometry_type(frame: gpd.GeoDataFrame) -> str:
    """``Point``, ``Polygon/MultiPolygon``...: the geometry types of ``frame``, sorted (as the
    folder workspace's index says)."""
    return "/".join(sorted(set(frame.geometry.dropna().geom_type))) or "None"


def column_types(frame: gpd.GeoDataFrame) -> list[list[str]]:
    """``[[column, dtype], ...]`` of the attribute columns, in order; the geometry column last as
    ``[name, "geometry"]``."""
    geom = frame.geometry.name
    return [[str(c), "geometry" if c == geom else str(frame[c].dtype)] for c in frame.columns]


def copy_features(conn, row_id: int, frame: gpd.GeoDataFrame) -> None:
    """COPY the features of ``frame`` (EPSG:4326) into layer_features as version row ``row_id``:
    attributes as JSONB, geometry as EWKB, polygons' area measured in EPSG:4547."""
    geoms = shapely.set_srid(frame.geometry.to_numpy(), 4326)
    ewkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
    areas = measured_area(frame)
    intensity = [json_value(v) for v in intensity_of(frame)]
    attrs = [c for c in frame.columns if c != frame.geometry.name]
    values = {c: frame[c].to_numpy(dtype=object) for c in attrs}
    cursor = conn.connection.dbapi_connection.cursor()
    with cursor.copy(
        f"COPY layer_features (version_id, fid, attrs, geom, area_m2_measured, {INTENSITY}) FROM STDIN"
    ) as copy:
        for i in range(len(frame)):
            row = {c: json_value(values[c][i]) for c in attrs}
            doc = json.dumps(row, ensure_ascii=False, allow_nan=False)
            copy.write_row((row_id, i, doc, ewkb[i], areas[i], intensity[i]))


def intensity_of(frame: pd.DataFrame) -> np.ndarray:
    """亩均投资 (万元/亩) of each feature, as :func:`zkq_geo.layers.load_layer` computes it for an
    imported layer (missing feature columns blank); NaN where it cannot be computed."""
    df = pd.DataFrame(index=frame.index)
    for col in FEATURE_TEXT_COLUMNS:
        df[col] = frame[col].fillna("").astype(str) if col in frame.columns else ""
    for col in FEATURE_NUMBER_COLUMNS:
        df[col] = pd.to_numeric(frame[col], errors="coerce") if col in frame.columns else np.nan
    return add_efficiency(df)[INTENSITY].to_numpy(dtype=float)


def measured_area(frame: gpd.GeoDataFrame) -> list[float | None]:
    """Each feature's area in m2 measured in EPSG:4547 (polygons only; None otherwise)."""
    polygon = frame.geometry.geom_type.isin(POLYGON_TYPES).to_numpy()
    if not polygon.any():
        return [None] * len(frame)
    areas = measure_area_m2(frame).to_numpy()
    return [float(a) if p and math.isfinite(a) else None for a, p in zip(areas, polygon, strict=True)]


def json_value(value):
    """One attribute value as JSON: numbers, text, booleans; missing and non-finite as null;
    times as ISO text."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (pd.Timestamp, datetime.datetime, datetime.date, np.datetime64)):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _frame(columns: list[list[str]], rows) -> gpd.GeoDataFrame:
    """The GeoDataFrame of stored rows, with the saved columns and dtypes."""
    geom_name = next((c for c, t in columns if t == "geometry"), "geometry")
    attrs = [(c, t) for c, t in columns if t != "geometry"]
    data = {c: [r[0].get(c) for r in rows] for c, _ in attrs}
    df = pd.DataFrame({c: _typed(data[c], t) for c, t in attrs}, index=pd.RangeIndex(len(rows)))
    geoms = shapely.from_wkb([None if r[1] is None else bytes(r[1]) for r in rows])
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=FEATURES_CRS), crs=FEATURES_CRS)
    gdf = gdf.rename_geometry(geom_name) if geom_name != "geometry" else gdf
    return gdf[[c for c, _ in columns]]


def _typed(values: list, dtype: str) -> pd.Series:
    if dtype.startswith("datetime64"):
        return pd.Series(pd.to_datetime(values), dtype=dtype) if values else pd.Series([], dtype=dtype)
    if dtype in ("object", "str", "string"):  # text (writable_frame left no other objects): as GDAL reads it
        return pd.Series(values, dtype="str")
    try:
        return pd.Series(values).astype(dtype)
    except (TypeError, ValueError):  # e.g. an int column with a null: as floats, like a GeoPackage
        return pd.Series(values, dtype=object)


def jsonable(value):
    """``value`` (a report) as JSONB takes it: containers walked, other values as :func:`json_value`."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return json_value(value)


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def gzip_tile(data: bytes) -> bytes:
    """``data`` gzip-compressed as a tile route sends it (``Content-Encoding: gzip``); mtime 0,
    so a tile's bytes (and its ETag) are the same on every request."""
    return gzip.compress(data, mtime=0)


def tile_etag(data: bytes) -> str:
    return f'"{zlib.crc32(data):08x}-{len(data):x}"'
