"""Move an office from the embedded workspace (the GeoPackage folder and ``office.sqlite``) to
PostgreSQL + PostGIS: every layer with every version (same numbers, created times, reports,
originals byte for byte), the trash, and the office's users, teams, memberships, layer access and
the whole audit trail, row for row.

One transaction: the target receives everything or nothing, so a failed migration can simply be
run again. A target that already holds layers or users is refused (nothing is merged). Sign-in
sessions are not moved: everyone signs in again on the new server. The move itself is the last
line of the target's audit trail (actor ``system``, action ``migrate``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import psycopg
import sqlalchemy as sa

from zkq_geo.errors import DataSourceError, OptionError, ZkqGeoError
from zkq_geo.i18n.messages import msg
from zkq_geo.office import store as office_tables
from zkq_geo.office.db import OFFICE_FILE, engine_for, is_postgres, redacted, sqlite_url
from zkq_geo.office.postgis import (
    column_types,
    copy_features,
    create_layer_tables,
    jsonable,
    layer_originals,
    layer_versions,
)
from zkq_geo.office.store import SYSTEM, OfficeStore, now_iso
from zkq_geo.workspace import TRASH_DIR, LayerVersion, Workspace, writable_frame

#: The office tables moved, parents first (sessions are not moved).
OFFICE_TABLES = ("users", "teams", "memberships", "layer_access", "audit")
_MIGRATE_LOCK = 74210003  # pg_advisory_xact_lock key: one migration into a database at a time


@dataclass(frozen=True)
class MigrationReport:
    """What :func:`migrate` moved."""

    layers: int
    versions: int
    trashed_layers: int
    features: int
    originals: int
    users: int
    teams: int
    memberships: int
    layer_access: int
    audit_events: int
    target: str  # the target URL without its password

    def rows(self) -> list[tuple[str, int]]:
        return [(k, v) for k, v in asdict(self).items() if k != "target"]

    @property
    def message(self):
        return msg(
            "migrate_done",
            target=self.target,
            layers=self.layers,
            versions=self.versions,
            users=self.users,
            events=self.audit_events,
        )


def migrate(source_root: str | Path, target_url: str) -> MigrationReport:
    """Copy the workspace folder ``source_root`` and its ``office.sqlite`` into the PostgreSQL +
    PostGIS database of ``target_url``, in one transaction.

    Raises :class:`OptionError` for a target that is not PostgreSQL or already holds layers or
    users, :class:`DataSourceError` when a layer cannot be read (nothing is then written).
    """
    if not is_postgres(target_url):
        raise OptionError(msg("database_url_bad", url=redacted(target_url)))
    source = Workspace(source_root)
    if not source.root.is_dir():
        raise OptionError(msg("migrate_no_source", path=str(source_root)))
    if broken := source.broken():
        raise DataSourceError(msg("migrate_broken_layer", name=broken[0].name, reason=broken[0].message))
    counts: dict[str, int] = {}
    try:
        OfficeStore(target_url)  # the office tables and the audit trigger (empty tables, committed)
        engine = create_layer_tables(target_url)
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
            _refuse_filled(conn, target_url)
            counts |= _copy_office(conn, source.root)
            counts |= _copy_layers(conn, source)
            report = MigrationReport(**counts, target=redacted(target_url))
            _record(conn, source.root, report)
    except ZkqGeoError:
        raise
    except (sa.exc.SQLAlchemyError, psycopg.Error, OSError) as exc:
        error = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
        raise DataSourceError(msg("migrate_failed", target=redacted(target_url), error=error)) from None
    return report


def _refuse_filled(conn, target_url: str) -> None:
    layers = conn.execute(sa.select(sa.func.count()).select_from(layer_versions)).scalar_one()
    users = conn.execute(sa.select(sa.func.count()).select_from(office_tables.users)).scalar_one()
    if layers or users:
        raise OptionError(
            msg("migrate_target_not_empty", target=redacted(target_url), layers=layers, users=users)
        )


# ----------------------------------------------------------------------------- the office
def _copy_office(conn, root: Path) -> dict[str, int]:
    """Every row of the office tables of ``root/office.sqlite`` (none when there is no such file)."""
    counts = {"users": 0, "teams": 0, "memberships": 0, "layer_access": 0, "audit_events": 0}
    if not (root / OFFICE_FILE).is_file():
        return counts
    source = engine_for(sqlite_url(root))
    for name in OFFICE_TABLES:
        table = office_tables.metadata.tables[name]
        with source.connect() as src:
            rows = [dict(r._mapping) for r in src.execute(sa.select(table).order_by(*table.primary_key))]
        if rows:
            conn.execute(table.insert(), rows)
        counts["audit_events" if name == "audit" else name] = len(rows)
    if counts["audit_events"]:  # new events continue after the copied ids
        conn.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('audit', 'id'), (SELECT max(id) FROM audit))")
        )
    return counts


def _record(conn, root: Path, report: MigrationReport) -> None:
    detail = {**dict(report.rows()), "from": root.name}
    conn.execute(
        office_tables.audit.insert().values(
            at=now_iso(),
            actor=SYSTEM,
            action="migrate",
            target=report.target,
            warnings="[]",
            detail=json.dumps(detail, ensure_ascii=False),
        )
    )


# ----------------------------------------------------------------------------- the layers
class _Copier:
    """Copies versions into the target; an original file shared by several versions (a restored
    version keeps its source's) is stored once."""

    def __init__(self, conn, root: Path):
        self.conn, self.root = conn, root
        self.originals: dict[Path, int] = {}
        self.features = 0
        self.versions = 0

    def version(self, entry: LayerVersion, gpkg: Path, original: Path | None, trash=None) -> None:
        frame = writable_frame(_read_gpkg(_inside(self.root, gpkg, entry.name), entry))
        if len(frame) != entry.feature_count:
            raise DataSourceError(
                msg(
                    "migrate_count_differs",
                    name=entry.name,
                    version=entry.version,
                    said=entry.feature_count,
                    held=len(frame),
                )
            )
        original = _inside(self.root, original, entry.name) if original is not None else None
        values = {
            "name": entry.name,
            "version": entry.version,
            "title": entry.title,
            "kind": entry.kind,
            "created": entry.created,
            "source_file": entry.source_file,
            "original_id": self._original(original) if original is not None else None,
            "feature_count": entry.feature_count,
            "geometry_type": entry.geometry_type,
            "report": jsonable(entry.report),
            "columns": column_types(frame),
        }
        if trash is not None:
            values |= {"trash_id": trash.id, "deleted_at": trash.deleted_at}
        row_id = self.conn.execute(
            layer_versions.insert().values(**values).returning(layer_versions.c.id)
        ).scalar_one()
        copy_features(self.conn, row_id, frame)
        self.features += len(frame)
        self.versions += 1

    def _original(self, path: Path) -> int:
        if path not in self.originals:
            data = path.read_bytes()
            self.originals[path] = self.conn.execute(
                layer_originals.insert()
                .values(
                    file_name=path.name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data
                )
                .returning(layer_originals.c.id)
            ).scalar_one()
        return self.originals[path]


def _copy_layers(conn, source: Workspace) -> dict[str, int]:
    copier = _Copier(conn, source.root)
    layers = source.layers()
    for versions in layers.values():
        for entry in versions:
            original = source.root / entry.original if entry.original else None
            copier.version(entry, source.path_of(entry), original)
    trash = source.trash()
    for item in trash:
        folder = source.root / TRASH_DIR / item.id
        for entry in _trashed_versions(folder, item.name):
            original = (
                folder / "originals" / Path(entry.original).relative_to(Path("originals") / item.name)
                if entry.original
                else None
            )
            copier.version(entry, folder / "layers" / f"v{entry.version}.gpkg", original, trash=item)
    return {
        "layers": len(layers),
        "versions": copier.versions,
        "trashed_layers": len(trash),
        "features": copier.features,
        "originals": len(copier.originals),
    }


def _inside(root: Path, path: Path, name: str) -> Path:
    """``path`` with links resolved, if it stays inside the workspace ``root``; else
    :class:`DataSourceError` (a link in originals/ or layers/ to a file elsewhere is not copied)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        shown = path.relative_to(root) if path.is_relative_to(root) else path.name
        raise DataSourceError(msg("migrate_file_outside", path=str(shown), name=name))
    return resolved


def _trashed_versions(folder: Path, name: str) -> list[LayerVersion]:
    """The version records a delete kept in ``folder/entry.json``; a damaged one stops the move."""
    try:
        records = json.loads((folder / "entry.json").read_text(encoding="utf-8"))[name]
        versions = [LayerVersion(name=name, **record) for record in records]
        for v in versions:  # numbered, the original where a save put it: no path leads elsewhere
            if type(v.version) is not int or not (v.original is None or _original_in_place(name, v.original)):
                raise ValueError(f"version record {v.version!r} names its files wrongly")
        return versions
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise DataSourceError(msg("migrate_trash_unreadable", id=folder.name, error=str(exc)[:200])) from None


def _original_in_place(name: str, original) -> bool:
    """``originals/<name>/v<N>/<file>``, the file name neither ``.`` nor ``..``."""
    match = isinstance(original, str) and re.fullmatch(rf"originals/{name}/v\d+/([^/]+)", original)
    return bool(match) and match[1] not in (".", "..")


def _read_gpkg(path: Path, entry: LayerVersion) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # a damaged file: say which layer version, move nothing
        raise DataSourceError(
            msg("migrate_version_unreadable", name=entry.name, version=entry.version, error=str(exc)[:200])
        ) from None
