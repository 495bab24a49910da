"""The local workspace of imported layers: versioned GeoPackages, original uploads, an index.

Layout of the workspace folder (``$ZKQ_WORKSPACE``; see :func:`default_root`)::

    index.json                         layers, versions, source files, import/join reports
    layers/<name>/v<N>.gpkg            version N of layer <name> (EPSG:4326, table <name>)
    originals/<name>/v<N>/<file>       the file the user gave for version N, byte for byte

Importing a name that exists adds a version and says so; nothing is ever overwritten, and
every earlier version stays on disk. Each write goes to a temporary file that is renamed into
place, and the index (written the same way) is updated last, under a lock: a failed import
leaves the workspace as it was. Layer names match :data:`NAME_PATTERN` and cannot be a
shipped layer's name, so no user input becomes a path outside the workspace.
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from zkq_geo.catalog import SHIPPED_LAYERS, LayerSpec
from zkq_geo.errors import DataSourceError, OptionError, SchemaError, ZkqGeoError
from zkq_geo.messages import Items, msg
from zkq_geo.safe_input import safe_filename

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
INDEX_FILE = "index.json"
_INDEX_VERSION = 1


def default_root() -> Path:
    """``$ZKQ_WORKSPACE``; else ``workspace/`` beside geodata/ in a source checkout (gitignored);
    else ``$XDG_DATA_HOME/zkq-geo/workspace`` (``~/.local/share/zkq-geo/workspace``)."""
    env = os.environ.get("ZKQ_WORKSPACE", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "geodata" / "catalog.yaml").is_file():
        return checkout / "workspace"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "zkq-geo" / "workspace"


def check_layer_name(name: str) -> str:
    """Return ``name`` if it can name an imported layer; else :class:`OptionError` saying why."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        hint = re.sub(r"[^a-z0-9_]+", "_", str(name).lower()).strip("_")
        hint = hint if hint and hint[0].isalpha() else f"layer_{hint}".strip("_")
        raise OptionError(msg("layer_name_not_allowed", name=name, hint=hint[:40]))
    if name in SHIPPED_LAYERS:
        raise OptionError(msg("layer_name_shipped", name=name, layers=Items(SHIPPED_LAYERS)))
    return name


@dataclass(frozen=True)
class LayerVersion:
    """One stored version of an imported layer (paths relative to the workspace root)."""

    name: str
    version: int
    file: str
    title: str
    kind: str
    created: str
    source_file: str
    original: str | None
    feature_count: int
    geometry_type: str
    report: dict


@dataclass(frozen=True)
class SavedLayer:
    """What :meth:`Workspace.save_layer` wrote, and a message saying so."""

    name: str
    version: int
    path: Path
    earlier_versions: tuple[int, ...]

    @property
    def message(self) -> str:
        if not self.earlier_versions:
            return msg("layer_saved", name=self.name, version=self.version)
        return msg("layer_saved_again", name=self.name, version=self.version,
                   kept=Items(map(str, self.earlier_versions)))


class Workspace:
    """The workspace folder at ``root`` (default :func:`default_root`); nothing is created
    until the first save."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root).expanduser().resolve() if root is not None else default_root()

    # ------------------------------------------------------------------ reading
    def layers(self) -> dict[str, list[LayerVersion]]:
        """Every imported layer with its versions, oldest first."""
        doc = self._read_index()
        out = {}
        for name, versions in doc.get("layers", {}).items():
            if NAME_PATTERN.fullmatch(name) and name not in SHIPPED_LAYERS:
                out[name] = [LayerVersion(name=name, **v) for v in versions]
        return out

    def versions(self, name: str) -> list[LayerVersion]:
        return self.layers().get(name, [])

    def latest(self, name: str) -> LayerVersion:
        versions = self.versions(name)
        if not versions:
            known = Items(self.layers()) if self.layers() else msg("none_yet")
            raise OptionError(msg("no_imported_layer", name=name, root=str(self.root), known=known))
        return versions[-1]

    def path_of(self, version: LayerVersion) -> Path:
        return self._inside(version.file)

    def read_layer(self, name: str, version: int | None = None) -> gpd.GeoDataFrame:
        """A stored version (default: the latest) as a GeoDataFrame in EPSG:4326."""
        latest = self.latest(name)
        entry = latest if version is None else next((v for v in self.versions(name) if v.version == version), None)
        if entry is None:
            have = Items(str(v.version) for v in self.versions(name))
            raise OptionError(msg("no_layer_version", name=name, version=version, have=have))
        try:
            return gpd.read_file(self.path_of(entry), engine="pyogrio")
        except Exception as exc:
            raise DataSourceError(msg("workspace_file_unreadable", file=entry.file, error=str(exc))) from None

    def layer_specs(self) -> dict[str, LayerSpec]:
        """Catalogue entries of the latest version of each imported layer whose file exists."""
        specs = {}
        for name, versions in self.layers().items():
            latest = versions[-1]
            path = self.path_of(latest)
            if path.is_file():
                specs[name] = LayerSpec(name=name, title_zh=latest.title, title_en=latest.title, geometry=path,
                                        attributes=None, key="id", geometry_type=latest.geometry_type,
                                        crs="EPSG:4326", origin="workspace")
        return specs

    # ------------------------------------------------------------------ writing
    def save_layer(self, name: str, gdf: gpd.GeoDataFrame, *, title: str | None = None, kind: str = "import",
                   source_file: str = "", original: str | Path | None = None,
                   report: dict | None = None) -> SavedLayer:
        """Store ``gdf`` as the next version of layer ``name``; never overwrites a version.

        ``original`` is the file the user gave (copied byte for byte); ``report`` (a dict, e.g.
        ``ImportReport.to_dict()``) is kept in the index.
        """
        check_layer_name(name)
        frame = _writable(gdf)
        fresh = not self.root.exists()
        with self._locked():
            doc = self._read_index()
            entries = doc.setdefault("layers", {}).setdefault(name, [])
            version = self._next_version(name, entries)
            created: list[Path] = []
            try:
                rel = self._write_gpkg(name, version, frame, created)
                orig = self._keep_original(name, version, original, created) if original else None
                entries.append(_entry(version, rel, title or name, kind, source_file, orig, frame, report))
                self._write_index(doc)
            except Exception as exc:
                _remove(created)
                if fresh:  # leave no empty workspace behind (never removes anything else)
                    _remove_if_empty(self.root)
                if isinstance(exc, ZkqGeoError):
                    raise
                raise DataSourceError(msg("layer_not_saved", name=name, root=str(self.root), error=str(exc))) from None
        earlier = tuple(e["version"] for e in entries[:-1])
        return SavedLayer(name, version, self._inside(rel), earlier)

    def _next_version(self, name: str, entries: list[dict]) -> int:
        on_disk = [int(m.group(1)) for p in (self.root / "layers" / name).glob("v*.gpkg")
                   if (m := re.fullmatch(r"v(\d+)\.gpkg", p.name))]
        return max([0, *on_disk, *(e["version"] for e in entries)]) + 1

    def _write_gpkg(self, name: str, version: int, frame: gpd.GeoDataFrame, created: list[Path]) -> str:
        folder = self._mkdir(Path("layers") / name, created)
        final = folder / f"v{version}.gpkg"
        tmp = folder / f".v{version}-{uuid.uuid4().hex}.tmp.gpkg"
        created.append(tmp)
        pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
        os.replace(tmp, final)
        created.append(final)
        return str(final.relative_to(self.root))

    def _keep_original(self, name: str, version: int, original: str | Path, created: list[Path]) -> str:
        src = Path(original)
        parent = self._mkdir(Path("originals") / name, created)
        staging = parent / f".v{version}-{uuid.uuid4().hex}.tmp"
        staging.mkdir()
        created.append(staging)
        shutil.copyfile(src, staging / safe_filename(src.name))
        final = parent / f"v{version}"
        os.replace(staging, final)
        created.append(final)
        return str((final / safe_filename(src.name)).relative_to(self.root))

    def _mkdir(self, rel: Path, created: list[Path]) -> Path:
        folder = self._inside(rel)
        missing = [p for p in [folder, *folder.parents] if p.is_relative_to(self.root) and not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        created.extend(sorted(missing, key=lambda p: len(p.parts)))
        return folder

    def _inside(self, rel: str | Path) -> Path:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise DataSourceError(msg("workspace_path_outside", path=str(rel)))
        return path

    # ------------------------------------------------------------------ index
    def _read_index(self) -> dict:
        path = self.root / INDEX_FILE
        if not path.is_file():
            return {"version": _INDEX_VERSION, "layers": {}}
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataSourceError(msg("workspace_index_unreadable", path=str(path), error=str(exc))) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("layers", {}), dict):
            raise DataSourceError(msg("workspace_index_foreign", path=str(path)))
        return doc

    def _write_index(self, doc: dict) -> None:
        path = self.root / INDEX_FILE
        tmp = self.root / f".{INDEX_FILE}.{uuid.uuid4().hex}.tmp"
        try:
            tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @contextlib.contextmanager
    def _locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def workspace_layer_specs() -> tuple[dict[str, LayerSpec], str | None]:
    """The catalogue entries of the default workspace, and a message if it cannot be read
    (the shipped layers then still load)."""
    try:
        return Workspace().layer_specs(), None
    except ZkqGeoError as exc:
        return {}, exc.message


def _entry(version: int, rel: str, title: str, kind: str, source_file: str, original: str | None,
           frame: gpd.GeoDataFrame, report: dict | None) -> dict:
    """The index record of a version (the layer name is its key in the index)."""
    types = sorted(set(frame.geometry.dropna().geom_type))
    return {"version": version, "file": rel, "title": title, "kind": kind,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "source_file": source_file, "original": original, "feature_count": len(frame),
            "geometry_type": "/".join(types) or "None", "report": report or {}}


def _writable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy in EPSG:4326 whose object columns hold only text (GeoPackage needs one type)."""
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.crs is None:
        raise SchemaError(msg("save_needs_crs"))
    if gdf.empty:
        raise SchemaError(msg("save_no_features"))
    out = gdf.to_crs("EPSG:4326") if gdf.crs.to_epsg() != 4326 else gdf.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = [None if _missing(v) else v if isinstance(v, str) else str(v) for v in out[col]]
    return out.reset_index(drop=True)


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _remove_if_empty(root: Path) -> None:
    if [p.name for p in root.iterdir()] == [".lock"]:
        (root / ".lock").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            root.rmdir()


def _remove(paths: list[Path]) -> None:
    """Undo a failed save: delete what it created, newest first."""
    for path in reversed(paths):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- orchestration
def import_into_workspace(path: str | Path, name: str, *, title: str | None = None,
                          workspace: Workspace | None = None, source_name: str | None = None, **options):
    """Read ``path`` with :func:`zkq_geo.importer.read_import` and store it as layer ``name``.

    ``options`` are those of ``read_import`` (layer, crs, encoding, x, y, max_bytes). The file
    itself is kept under originals/. Returns ``(SavedLayer, ImportReport)``. Nothing is
    written when the file has a problem.
    """
    from zkq_geo.importer import read_import

    check_layer_name(name)
    options.setdefault("id_prefix", f"{name}_")
    gdf, report = read_import(path, **options)
    source = source_name or Path(path).name
    saved = (workspace or Workspace()).save_layer(
        name, gdf, title=title or Path(source).stem, kind="import", source_file=source,
        original=path, report=report.to_dict())
    return saved, report


def save_joined_layer(name: str, joined: gpd.GeoDataFrame, report: dict, *, title: str, table_path: str | Path,
                      workspace: Workspace | None = None) -> SavedLayer:
    """Store a joined layer (from :func:`zkq_geo.ledger_join.join_ledger`) as layer ``name``;
    the ledger file is kept as its original. Derived columns are dropped: they are recomputed
    whenever the layer is loaded (:func:`zkq_geo.layers.load_layer`)."""
    from zkq_geo.importer import DERIVED_COLUMNS

    check_layer_name(name)
    frame = joined.drop(columns=[c for c in DERIVED_COLUMNS if c in joined.columns])
    return (workspace or Workspace()).save_layer(
        name, frame, title=title, kind="join", source_file=Path(table_path).name, original=table_path,
        report=report)
