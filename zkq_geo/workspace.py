"""The local workspace of imported layers: versioned GeoPackages, original uploads, an index.

Layout of the workspace folder (``$ZKQ_WORKSPACE``; see :func:`default_root`)::

    index.json                         layers, versions, source files, import/join reports
    layers/<name>/v<N>.gpkg            version N of layer <name> (EPSG:4326, table <name>)
    originals/<name>/v<N>/<file>       the file the user gave for version N, byte for byte
    trash/<name>-<time>-<id>/          a deleted layer: its layers/, originals/ and entry.json
    tiles/<name>/v<N>/                 map tiles of version N (zkq_geo.render.tiles; a cache, rebuilt
                                       when missing; removed, not trashed, when the layer is deleted)

Importing a name that exists adds a version and says so; nothing is ever overwritten, and
every earlier version stays on disk (restoring a version adds a copy of it as the newest). Each
write goes to a temporary file that is renamed into place, and the index (written the same
way) is updated last, under a lock: a failed import leaves the workspace as it was, and what a
killed one leaves behind is removed by :meth:`Workspace.clean_orphans`. Layer names match
:data:`NAME_PATTERN` and cannot be a shipped layer's name, so no user input becomes a path
outside the workspace.

Reading degrades per layer: each index record is checked against a small schema
(:data:`RECORD_KEYS`), and the newest file of each layer must exist and be a GeoPackage; a layer
that fails is listed by :meth:`Workspace.broken` with a message saying what to do, and every
other layer loads. Only an index that is not a JSON object hides all imported layers.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import pyogrio

from zkq_geo.catalog import SHIPPED_LAYERS, Catalog, LayerSpec, load_catalog
from zkq_geo.errors import DataSourceError, OptionError, SchemaError, ZkqGeoError
from zkq_geo.i18n.messages import Items, Message, listed, msg
from zkq_geo.importing.reader import DERIVED_COLUMNS, read_import
from zkq_geo.limits import limit
from zkq_geo.paths import REPO_ROOT
from zkq_geo.safety.safe_input import safe_filename

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
INDEX_FILE = "index.json"
TRASH_DIR = "trash"
TILES_DIR = "tiles"
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every GeoPackage
ORPHAN_MIN_AGE_S = 600  # leftovers younger than this are left alone (see Workspace.clean_orphans)
RESTORED_FROM = "restored_from"  # report key of a version made by Workspace.restore_version
_INDEX_VERSION = 1
# The names this module writes; clean_orphans removes nothing else.
_TMP_INDEX = re.compile(r"\.index\.json\.[0-9a-f]{32}\.tmp")
_TMP_GPKG = re.compile(r"\.v\d+-[0-9a-f]{32}\.tmp\.gpkg(-journal|-wal|-shm)?")
_TMP_ORIGINAL = re.compile(r"\.v\d+-[0-9a-f]{32}\.tmp")
_TRASH_ID = re.compile(r"([a-z][a-z0-9_]{0,39})-(\d{8}T\d{6}Z)-[0-9a-f]{8}")
_VERSION_GPKG = re.compile(r"v(\d+)\.gpkg")
_VERSION_DIR = re.compile(r"v(\d+)")
_TMP_TILES = re.compile(r"\.tiles_[A-Za-z0-9_]+")  # the temporary folder of a tile build (render.tiles)


def default_root() -> Path:
    """``$ZKQ_WORKSPACE``; else ``workspace/`` beside geodata/ in a source checkout (gitignored);
    else ``$XDG_DATA_HOME/zkq-geo/workspace`` (``~/.local/share/zkq-geo/workspace``)."""
    env = os.environ.get("ZKQ_WORKSPACE", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    checkout = REPO_ROOT
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


RECORD_KEYS = tuple(f.name for f in fields(LayerVersion) if f.name != "name")  # one index record, exactly


class TrashedLayer(NamedTuple):
    """A deleted layer kept in trash/: ``id`` names it for :meth:`Workspace.undelete`."""

    id: str
    name: str
    deleted_at: str  # ISO 8601, UTC
    versions: int


class BrokenLayer(NamedTuple):
    """A layer of the index that cannot be shown, and a message saying why and what to do."""

    name: str
    message: Message


@dataclass(frozen=True)
class SavedLayer:
    """What :meth:`Workspace.save_layer` (or :meth:`Workspace.restore_version`) wrote, and a message
    saying so."""

    name: str
    version: int
    path: Path
    earlier_versions: tuple[int, ...]
    restored_from: int | None = None

    @property
    def message(self) -> str:
        if self.restored_from is not None:
            return msg("layer_restored", name=self.name, version=self.version, source=self.restored_from)
        if not self.earlier_versions:
            return msg("layer_saved", name=self.name, version=self.version)
        return msg(
            "layer_saved_again",
            name=self.name,
            version=self.version,
            kept=Items(map(str, self.earlier_versions)),
        )


class Workspace:
    """The workspace folder at ``root`` (default :func:`default_root`); nothing is created
    until the first save."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root).expanduser().resolve() if root is not None else default_root()

    # ------------------------------------------------------------------ reading
    def layers(self) -> dict[str, list[LayerVersion]]:
        """Every imported layer that can be shown, with its versions, oldest first."""
        return self.status()[0]

    def broken(self) -> list[BrokenLayer]:
        """Every layer of the index that cannot be shown, with a message saying why and what to do."""
        return self.status()[1]

    def status(self) -> tuple[dict[str, list[LayerVersion]], list[BrokenLayer]]:
        """:meth:`layers` and :meth:`broken` from one reading of the index.

        A layer is broken when its index entry fails the schema, or its newest file is missing
        or does not start like a GeoPackage (checked cheaply: no layer is read). Raises
        :class:`DataSourceError` only when the index as a whole cannot be read.
        """
        good, broken = {}, []
        for name, entry in self._entries().items():
            if isinstance(entry, BrokenLayer):
                broken.append(entry)
            elif problem := self._file_problem(entry[-1]):
                broken.append(BrokenLayer(name, msg("ws_broken_file", name=name, reason=problem)))
            else:
                good[name] = entry
        return good, broken

    def names(self) -> list[str]:
        """Every layer name of the index that can be deleted or restored, broken layers included."""
        return [name for name in self._read_index().get("layers", {}) if _name_ok(name)]

    def versions(self, name: str) -> list[LayerVersion]:
        """The versions of ``name``, oldest first, if its index entry is valid (even when its newest
        file is missing: an earlier version can then be restored); else ``[]``."""
        entry = self._entries().get(name)
        return entry if isinstance(entry, list) else []

    def latest(self, name: str) -> LayerVersion:
        versions = self.versions(name)
        if not versions:
            raise self._unknown(name)
        return versions[-1]

    def path_of(self, version: LayerVersion) -> Path:
        return self._inside(version.file)

    def tiles_dir(self, version: LayerVersion) -> Path:
        """The folder of the map tiles of ``version``: ``tiles/<name>/v<N>/`` (not created here;
        :func:`zkq_geo.render.tiles.ensure_tiles` builds into it)."""
        return self._inside(Path(TILES_DIR) / check_layer_name(version.name) / f"v{int(version.version)}")

    def read_layer(self, name: str, version: int | None = None) -> gpd.GeoDataFrame:
        """A stored version (default: the latest) as a GeoDataFrame in EPSG:4326."""
        latest = self.latest(name)
        entry = (
            latest
            if version is None
            else next((v for v in self.versions(name) if v.version == version), None)
        )
        if entry is None:
            have = Items(str(v.version) for v in self.versions(name))
            raise OptionError(msg("no_layer_version", name=name, version=version, have=have))
        try:
            return gpd.read_file(self.path_of(entry), engine="pyogrio")
        except Exception as exc:
            raise DataSourceError(msg("workspace_file_unreadable", file=entry.file, error=str(exc))) from None

    def layer_specs(self) -> dict[str, LayerSpec]:
        """Catalogue entries of the latest version of each layer that can be shown."""
        return {name: self.spec_of(versions[-1]) for name, versions in self.layers().items()}

    def spec_of(self, latest: LayerVersion) -> LayerSpec:
        """The catalogue entry of a version (the shown one: the latest)."""
        return LayerSpec(
            name=latest.name,
            title_zh=latest.title,
            title_en=latest.title,
            geometry=self.path_of(latest),
            attributes=None,
            key="id",
            geometry_type=latest.geometry_type,
            crs="EPSG:4326",
            origin="workspace",
        )

    def _entries(self) -> dict[str, list[LayerVersion] | BrokenLayer]:
        """Each layer of the index: its versions if its entry passes the schema, else why not."""
        out: dict[str, list[LayerVersion] | BrokenLayer] = {}
        for name, records in self._read_index().get("layers", {}).items():
            if not _name_ok(name):
                out[name] = BrokenLayer(name, msg("ws_name_bad", name=name))
            elif reason := _entry_problem(name, records):
                out[name] = BrokenLayer(name, msg("ws_broken_entry", name=name, reason=reason))
            else:
                out[name] = [LayerVersion(name=name, **record) for record in records]
        return out

    def _file_problem(self, version: LayerVersion) -> Message | None:
        """Why the file of ``version`` cannot be shown (missing, no GeoPackage...), or None."""
        try:
            with open(self.path_of(version), "rb") as f:
                head = f.read(len(SQLITE_HEADER))
        except DataSourceError:
            return msg("ws_file_outside", file=version.file)
        except FileNotFoundError:
            return msg("ws_file_missing", file=version.file)
        except OSError as exc:
            return msg("ws_file_unreadable", file=version.file, error=exc.strerror or type(exc).__name__)
        return None if head == SQLITE_HEADER else msg("ws_file_not_gpkg", file=version.file)

    def _unknown(self, name: str) -> OptionError:
        known = self.names()
        return OptionError(
            msg("no_imported_layer", name=name, known=Items(known) if known else msg("none_yet"))
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
        """Store ``gdf`` as the next version of layer ``name``; never overwrites a version.

        ``original`` is the file the user gave (copied byte for byte); ``report`` (a dict, e.g.
        ``ImportReport.to_dict()``) is kept in the index.
        """
        check_layer_name(name)
        frame = writable_frame(gdf)

        def write(version: int, entries: list[dict], created: list[Path]) -> dict:
            fill = lambda tmp: pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")  # noqa: E731
            rel = self._write_gpkg(name, version, fill, created)
            orig = self._keep_original(name, version, original, created) if original else None
            return _entry(version, rel, title or name, kind, source_file, orig, frame, report)

        return self._add_version(name, write)

    def restore_version(self, name: str, version: int | None = None) -> SavedLayer:
        """Make an earlier version of ``name`` the shown one by adding it again as the newest.

        ``version`` defaults to the one before the latest. History is never rewritten: the new
        version N+1 is a copy of the GeoPackage of ``version`` (same title, source and original;
        its report says ``restored_from``), and every version stays. This is how a layer whose
        newest file is damaged or missing is mended.
        """
        check_layer_name(name)
        if name not in self._entries():
            raise self._unknown(name)

        def write(new: int, entries: list[dict], created: list[Path]) -> dict:
            source = self._restore_source(name, entries, version)
            src = self._inside(source["file"])
            rel = self._write_gpkg(name, new, lambda tmp: shutil.copyfile(src, tmp), created)
            return {
                **source,
                "version": new,
                "file": rel,
                "created": _now(),
                "report": {**source["report"], RESTORED_FROM: source["version"]},
            }

        return self._add_version(name, write)

    def delete_layer(self, name: str) -> Message:
        """Take layer ``name`` out of the index and move its files to ``trash/<name>-<time>-<id>/``.

        Nothing is erased: that folder keeps the layer's ``layers/`` and ``originals/`` folders and
        its index entry (``entry.json``), so a layer deleted by mistake can be put back by hand;
        remove the folder to free the space (zkq-geo never empties trash/). Its map tiles
        (``tiles/<name>/``) are a cache and are removed. A broken layer is deleted the same way.
        The index is written first, so the layer is gone at once; files a killed delete did not
        move are then removed by :meth:`clean_orphans`. Returns a message saying what was done.
        """
        check_layer_name(name)
        with self._locked():
            doc = self._read_index()
            if name not in doc.get("layers", {}):
                raise self._unknown(name)
            records = doc["layers"].pop(name)
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            trash = self.root / TRASH_DIR / f"{name}-{stamp}-{uuid.uuid4().hex[:8]}"
            try:
                trash.mkdir(parents=True)
                (trash / "entry.json").write_text(
                    json.dumps({name: records}, ensure_ascii=False, indent=1), encoding="utf-8"
                )
                self._write_index(doc)
            except Exception:
                shutil.rmtree(trash, ignore_errors=True)
                with contextlib.suppress(OSError):
                    trash.parent.rmdir()  # only if empty: earlier deletes stay
                raise
            for part in ("layers", "originals"):
                if (self.root / part / name).exists():
                    os.replace(self.root / part / name, trash / part)
            _delete(self.root / TILES_DIR / name)
        count = len(records) if isinstance(records, list) else 0
        return msg("layer_deleted", name=name, n=count, trash=trash.relative_to(self.root).as_posix())

    def trash(self) -> list[TrashedLayer]:
        """The deleted layers kept in ``trash/``, newest first (folders that are not a delete's
        are ignored)."""
        folder = self.root / TRASH_DIR
        found = []
        for path in folder.iterdir() if folder.is_dir() else ():
            item = _trashed(path)
            if item is not None:
                found.append(item)
        return sorted(found, key=lambda t: (t.deleted_at, t.id), reverse=True)

    def undelete(self, trash_id: str) -> Message:
        """Put the deleted layer ``trash_id`` (a :meth:`trash` id) back with all its versions.

        Refused while a layer of the same name exists (delete or rename that one first). The
        index entry is restored last, so a failed undelete leaves the layer in trash/.
        """
        if not isinstance(trash_id, str) or not _TRASH_ID.fullmatch(trash_id):
            raise OptionError(msg("trash_unknown", id=_shown(trash_id)))
        with self._locked():
            item = _trashed(self.root / TRASH_DIR / trash_id)
            if item is None:
                raise OptionError(msg("trash_unknown", id=trash_id))
            doc = self._read_index()
            if item.name in doc.get("layers", {}):
                raise OptionError(msg("undelete_name_taken", name=item.name))
            folder = self.root / TRASH_DIR / trash_id
            records = json.loads((folder / "entry.json").read_text(encoding="utf-8"))[item.name]
            moved = []
            try:
                for part in ("layers", "originals"):
                    if (folder / part).exists():
                        self._mkdir(Path(part), [])
                        os.replace(folder / part, self.root / part / item.name)
                        moved.append(part)
                doc.setdefault("layers", {})[item.name] = records
                self._write_index(doc)
            except Exception:
                for part in moved:
                    os.replace(self.root / part / item.name, folder / part)
                raise
            _delete(folder)
        return msg("layer_undeleted", name=item.name, n=item.versions)

    def clean_orphans(self, min_age_s: float = ORPHAN_MIN_AGE_S) -> list[str]:
        """Remove what interrupted saves left behind; return the removed paths (relative, sorted).

        Removed: temporary files (``.vN-<hex>.tmp.gpkg``, ``.index.json.<hex>.tmp``, originals
        staging folders ``.vN-<hex>.tmp``), and ``layers/NAME/vN.gpkg`` files and
        ``originals/NAME/vN`` folders of versions the index does not list (a save killed after
        the rename, before the index). In tiles/, only ``tiles/NAME`` folders of layers the index
        does not list and the temporary folders of tile builds (``tiles/NAME/.tiles_*``) are
        removed. Only names this module (or the tile build) writes are touched, never anything
        else, and never trash/. When the index cannot be read, or a layer's entry fails the
        schema, which versions it lists is unknown, so only temporary files are removed there.

        Every save runs under the workspace lock, and so does this, so nothing a save of this
        code is writing is seen here. The age limit (``min_age_s``, default 10 minutes, by
        modification time) guards against writers the lock does not stop: another zkq-geo on
        another host of a network file system where locks are not shared, or an older copy of
        it; a younger leftover stays until a later start. Raises :class:`DataSourceError` when
        the folder is not writable; does nothing when it does not exist.
        """
        if not self.root.is_dir():
            return []
        with self._locked():
            listed_versions = self._listed_versions()
            cutoff = time.time() - min_age_s
            # a tile build may run for ZKQ_TILE_BUILD_SECONDS: its folder is left alone that long
            build_cutoff = min(cutoff, time.time() - limit("ZKQ_TILE_BUILD_SECONDS") - 60)
            removed = [
                p
                for p in self._orphans(listed_versions)
                if p.lstat().st_mtime < (build_cutoff if _TMP_TILES.fullmatch(p.name) else cutoff)
            ]
            for path in removed:
                _delete(path)
            for folder in {p.parent for p in removed if p.parent.parent != self.root}:
                if listed_versions is not None and folder.name not in listed_versions:
                    with contextlib.suppress(OSError):
                        folder.rmdir()  # an empty folder of a layer the index does not list
        return sorted(p.relative_to(self.root).as_posix() for p in removed)

    def _listed_versions(self) -> dict[str, set[int] | None] | None:
        """Version numbers of each layer of the index (None: its entry is not valid); None for
        an unreadable index."""
        try:
            layers = self._read_index().get("layers", {})
        except DataSourceError:
            return None
        return {
            name: None
            if not _name_ok(name) or _entry_problem(name, records)
            else {r["version"] for r in records}
            for name, records in layers.items()
        }

    def _orphans(self, listed_versions: dict[str, set[int] | None] | None) -> list[Path]:
        found = [p for p in self.root.iterdir() if _TMP_INDEX.fullmatch(p.name)]
        for part, tmp, kept in (
            ("layers", _TMP_GPKG, _VERSION_GPKG),
            ("originals", _TMP_ORIGINAL, _VERSION_DIR),
        ):
            top = self.root / part
            folders = (
                [
                    f
                    for f in top.iterdir()
                    if NAME_PATTERN.fullmatch(f.name) and f.is_dir() and not f.is_symlink()
                ]
                if top.is_dir() and not top.is_symlink()
                else []
            )
            for folder in folders:
                for path in folder.iterdir():
                    number = kept.fullmatch(path.name)
                    if tmp.fullmatch(path.name) or (
                        number
                        and listed_versions is not None
                        and _unlisted(listed_versions, folder.name, int(number[1]))
                    ):
                        found.append(path)
        return found + self._tile_orphans(listed_versions)

    def _tile_orphans(self, listed_versions: dict[str, set[int] | None] | None) -> list[Path]:
        """``tiles/NAME`` folders of layers the index does not list, and tile build leftovers."""
        top = self.root / TILES_DIR
        if not top.is_dir() or top.is_symlink():
            return []
        found = []
        for folder in top.iterdir():
            if not NAME_PATTERN.fullmatch(folder.name) or not folder.is_dir() or folder.is_symlink():
                continue
            if listed_versions is not None and folder.name not in listed_versions:
                found.append(folder)
            else:
                found.extend(p for p in folder.iterdir() if _TMP_TILES.fullmatch(p.name) and p.is_dir())
        return found

    def _add_version(self, name: str, write: Callable[[int, list[dict], list[Path]], dict]) -> SavedLayer:
        """Under the lock: ``write(version, entries, created)`` writes the files of the next
        version and returns its index record; then the index is written. On any failure every
        file ``write`` listed in ``created`` is removed and the index is left as it was."""
        fresh = not self.root.exists()
        with self._locked():
            doc = self._read_index()
            layers = doc.setdefault("layers", {})
            current = layers.get(name, [])
            if current != [] and (reason := _entry_problem(name, current)):
                raise DataSourceError(msg("ws_entry_blocks_save", name=name, reason=reason))
            entries = layers.setdefault(name, [])
            version = self._next_version(name, entries)
            created: list[Path] = []
            try:
                entries.append(write(version, entries, created))
                self._write_index(doc)
            except Exception as exc:
                _remove(created)
                if fresh:  # leave no empty workspace behind (never removes anything else)
                    _remove_if_empty(self.root)
                if isinstance(exc, ZkqGeoError) or _denied(exc):
                    raise  # _locked says "not writable" for a denied write
                raise DataSourceError(
                    msg("layer_not_saved", name=name, error=str(exc).replace(str(self.root), "ZKQ_WORKSPACE"))
                ) from None
        new = entries[-1]
        return SavedLayer(
            name,
            version,
            self._inside(new["file"]),
            tuple(e["version"] for e in entries[:-1]),
            restored_from=new["report"].get(RESTORED_FROM),
        )

    def _restore_source(self, name: str, entries: list[dict], version: int | None) -> dict:
        """The record of the version to restore, checked: it exists, is not the newest, its file is
        a GeoPackage."""
        numbers = [e["version"] for e in entries]
        if not numbers:
            raise self._unknown(name)
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
        source = entries[numbers.index(version)]
        if problem := self._file_problem(LayerVersion(name=name, **source)):
            raise DataSourceError(
                msg("restore_source_bad", name=name, version=version, reason=problem, have=have)
            )
        return source

    def _next_version(self, name: str, entries: list[dict]) -> int:
        """One above every listed version and every version file, originals or tiles folder on
        disk (an unlisted one may be a leftover not yet cleaned: it is never overwritten, and no
        new version is shown with an old version's tiles)."""
        on_disk = [
            int(m[1])
            for part, pattern in (
                ("layers", _VERSION_GPKG),
                ("originals", _VERSION_DIR),
                (TILES_DIR, _VERSION_DIR),
            )
            for p in (self.root / part / name).glob("v*")
            if (m := pattern.fullmatch(p.name))
        ]
        return max([0, *on_disk, *(e["version"] for e in entries)]) + 1

    def _write_gpkg(
        self, name: str, version: int, fill: Callable[[Path], object], created: list[Path]
    ) -> str:
        """``fill(tmp)`` writes the GeoPackage of ``version`` to a temporary file, renamed into place."""
        folder = self._mkdir(Path("layers") / name, created)
        final = folder / f"v{version}.gpkg"
        tmp = folder / f".v{version}-{uuid.uuid4().hex}.tmp.gpkg"
        created.append(tmp)
        fill(tmp)
        os.replace(tmp, final)
        created.append(final)
        return final.relative_to(self.root).as_posix()

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
        return (final / safe_filename(src.name)).relative_to(self.root).as_posix()

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
        except (OSError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
            raise DataSourceError(
                msg(
                    "workspace_index_unreadable",
                    path=f"ZKQ_WORKSPACE/{INDEX_FILE}",
                    error=str(exc).replace(str(self.root), "ZKQ_WORKSPACE"),
                )
            ) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("layers", {}), dict):
            raise DataSourceError(msg("workspace_index_foreign", path=f"ZKQ_WORKSPACE/{INDEX_FILE}"))
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
        """Hold the workspace lock; a folder that cannot be created or written gives one
        :class:`DataSourceError` saying so (``workspace_not_writable``), never a bare OSError."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock = open(self.root / ".lock", "a")
        except OSError as exc:
            raise _not_writable(exc) from None
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            except OSError as exc:
                if isinstance(exc, ZkqGeoError) or not _denied(exc):
                    raise
                raise _not_writable(exc) from None
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def full_catalog(root: str | Path | None = None, workspace: Workspace | None = None) -> Catalog:
    """The shipped catalogue (:func:`zkq_geo.catalog.load_catalog`) with the workspace's imported
    layers beside the shipped ones; broken imported layers and an unreadable index are said in
    ``catalog.broken`` / ``catalog.extra["workspace_problem"]``, never raised."""
    catalog = load_catalog(root)
    imported, broken, problem = workspace_layer_specs(workspace)
    layers = {**catalog.layers, **{n: s for n, s in imported.items() if n not in catalog.layers}}
    extra = {
        **catalog.extra,
        **({"workspace_problem": problem} if problem else {}),
        **({"workspace_broken": broken} if broken else {}),
    }
    return replace(catalog, layers=layers, extra=extra)


def workspace_layer_specs(
    workspace: Workspace | None = None,
) -> tuple[dict[str, LayerSpec], dict[str, Message], str | None]:
    """The catalogue entries of the default workspace, its broken layers (name -> message), and
    a message if the index cannot be read at all (the shipped layers then still load)."""
    workspace = workspace or Workspace()
    try:
        good, broken = workspace.status()
        specs = {name: workspace.spec_of(versions[-1]) for name, versions in good.items()}
    except ZkqGeoError as exc:
        return {}, {}, exc.message
    return specs, {b.name: b.message for b in broken}, None


# ----------------------------------------------------------------------------- the index schema
def _trashed(folder: Path) -> TrashedLayer | None:
    """The deleted layer kept in ``folder``, or None when it is not a delete's folder."""
    m = _TRASH_ID.fullmatch(folder.name)
    if m is None or not (folder / "entry.json").is_file():
        return None
    try:
        entry = json.loads((folder / "entry.json").read_text(encoding="utf-8"))
        records = entry[m.group(1)]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    stamp = datetime.datetime.strptime(m.group(2), "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    count = len(records) if isinstance(records, list) else 0
    return TrashedLayer(folder.name, m.group(1), stamp.isoformat(timespec="seconds"), count)


def _name_ok(name) -> bool:
    return isinstance(name, str) and bool(NAME_PATTERN.fullmatch(name)) and name not in SHIPPED_LAYERS


_RULES: dict[str, tuple[Callable[[object], bool], str]] = {
    "version": (lambda v: type(v) is int and v > 0, "ws_expect_positive"),
    "file": (lambda v: isinstance(v, str), "ws_expect_text"),
    "title": (lambda v: isinstance(v, str), "ws_expect_text"),
    "kind": (lambda v: v in ("import", "join"), "ws_expect_kind"),
    "created": (lambda v: isinstance(v, str), "ws_expect_text"),
    "source_file": (lambda v: isinstance(v, str), "ws_expect_text"),
    "feature_count": (lambda v: type(v) is int and v >= 0, "ws_expect_count"),
    "geometry_type": (lambda v: isinstance(v, str), "ws_expect_text"),
    "report": (lambda v: isinstance(v, dict), "ws_expect_object"),
}  # "original" and the path in "file" are checked in _record_problem


def _entry_problem(name: str, records) -> Message | None:
    """Why the index entry of layer ``name`` (its list of version records) is not valid, or None."""
    if not isinstance(records, list):
        return msg("ws_entry_not_list")
    if not records:
        return msg("ws_entry_empty")
    for n, record in enumerate(records, 1):
        if problem := _record_problem(name, record, n):
            return problem
    numbers = [r["version"] for r in records]
    if any(a >= b for a, b in zip(numbers, numbers[1:], strict=False)):
        return msg("ws_versions_order", versions=listed(map(str, numbers)))
    return None


def _record_problem(name: str, record, n: int) -> Message | None:
    """Why version record number ``n`` of layer ``name`` is not valid, or None: exactly the keys of
    :data:`RECORD_KEYS`, each of its type, the file where this module writes it."""
    if not isinstance(record, dict):
        return msg("ws_record_not_object", n=n)
    if missing := [k for k in RECORD_KEYS if k not in record]:
        return msg("ws_record_missing", n=n, keys=Items(missing))
    if extra := [k for k in record if k not in RECORD_KEYS]:
        return msg("ws_record_extra", n=n, keys=listed(_shown(k) for k in extra))
    for key, (ok, expected) in _RULES.items():
        if not ok(record[key]):
            return msg("ws_record_value", n=n, key=key, value=_shown(record[key]), expected=msg(expected))
    file = f"layers/{name}/v{record['version']}.gpkg"
    if record["file"] != file:
        return msg(
            "ws_record_value",
            n=n,
            key="file",
            value=_shown(record["file"]),
            expected=msg("ws_expect_file", path=file),
        )
    original = record["original"]
    if original is not None and not (isinstance(original, str) and _original_ok(name, original)):
        return msg(
            "ws_record_value",
            n=n,
            key="original",
            value=_shown(original),
            expected=msg("ws_expect_original", path=f"originals/{name}/"),
        )
    return None


def _original_ok(name: str, path: str) -> bool:
    parts = path.split("/")
    return (
        len(parts) == 4
        and parts[:2] == ["originals", name]
        and bool(_VERSION_DIR.fullmatch(parts[2]))
        and parts[3] not in ("", ".", "..")
    )


def _shown(value, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ----------------------------------------------------------------------------- helpers
def _unlisted(listed_versions: dict[str, set[int] | None], name: str, number: int) -> bool:
    """True if the index surely does not list version ``number`` of ``name``."""
    if name not in listed_versions:
        return True
    versions = listed_versions[name]
    return versions is not None and number not in versions


def _denied(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)


def _not_writable(exc: OSError) -> DataSourceError:
    return DataSourceError(msg("workspace_not_writable", error=exc.strerror or type(exc).__name__))


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _delete(path: Path) -> None:
    """Remove one file, link or folder (a link is removed, never followed)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _entry(
    version: int,
    rel: str,
    title: str,
    kind: str,
    source_file: str,
    original: str | None,
    frame: gpd.GeoDataFrame,
    report: dict | None,
) -> dict:
    """The index record of a version (the layer name is its key in the index)."""
    types = sorted(set(frame.geometry.dropna().geom_type))
    return {
        "version": version,
        "file": rel,
        "title": title,
        "kind": kind,
        "created": _now(),
        "source_file": source_file,
        "original": original,
        "feature_count": len(frame),
        "geometry_type": "/".join(types) or "None",
        "report": report or {},
    }


def writable_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
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
def import_into_workspace(
    path: str | Path,
    name: str,
    *,
    title: str | None = None,
    workspace: Workspace | None = None,
    source_name: str | None = None,
    **options,
):
    """Read ``path`` with :func:`zkq_geo.importing.reader.read_import` and store it as layer ``name``.

    ``options`` are those of ``read_import`` (layer, crs, encoding, x, y, max_bytes). The file
    itself is kept under originals/. Returns ``(SavedLayer, ImportReport)``. Nothing is
    written when the file has a problem.
    """
    check_layer_name(name)
    options.setdefault("id_prefix", f"{name}_")
    gdf, report = read_import(path, **options)
    source = source_name or Path(path).name
    saved = (workspace or Workspace()).save_layer(
        name,
        gdf,
        title=title or Path(source).stem,
        kind="import",
        source_file=source,
        original=path,
        report=report.to_dict(),
    )
    return saved, report


def save_joined_layer(
    name: str,
    joined: gpd.GeoDataFrame,
    report: dict,
    *,
    title: str,
    table_path: str | Path,
    workspace: Workspace | None = None,
) -> SavedLayer:
    """Store a joined layer (from :func:`zkq_geo.importing.ledger_join.join_ledger`) as layer ``name``;
    the ledger file is kept as its original. Derived columns are dropped: they are recomputed
    whenever the layer is loaded (:func:`zkq_geo.layers.load_layer`)."""
    check_layer_name(name)
    frame = joined.drop(columns=[c for c in DERIVED_COLUMNS if c in joined.columns])
    return (workspace or Workspace()).save_layer(
        name,
        frame,
        title=title,
        kind="join",
        source_file=Path(table_path).name,
        original=table_path,
        report=report,
    )
