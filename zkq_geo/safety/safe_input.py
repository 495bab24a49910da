"""Guards for files a user hands in: size limit, safe zip extraction, safe file names.

Everything a user uploads is untrusted. These helpers refuse, with a message that says what
to fix, files that are empty or too large, zips whose members would climb out of the folder
they are extracted to, are links, are too many, or decompress to far more than they should
(zip bombs). Nothing here touches the workspace; extraction goes to a folder the caller owns.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from zkq_geo.errors import DataSourceError, OptionError
from zkq_geo.i18n.messages import msg

DEFAULT_MAX_UPLOAD_MB = 200
MAX_ZIP_MEMBERS = 1000
_CHUNK = 1 << 20
_UNSAFE_NAME_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def max_upload_bytes() -> int:
    """The size limit for one file, from ``$ZKQ_MAX_UPLOAD_MB`` (default 200 MB)."""
    raw = os.environ.get("ZKQ_MAX_UPLOAD_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    try:
        mb = float(raw)
    except ValueError:
        raise OptionError(msg("upload_limit_not_number", raw=raw)) from None
    if not mb > 0:
        raise OptionError(msg("upload_limit_not_positive", raw=raw))
    return int(mb * 1024 * 1024)


def check_file(path: str | Path, max_bytes: int | None = None) -> int:
    """Raise :class:`DataSourceError` unless ``path`` is a readable, non-empty file within the limit.

    Returns the file's size in bytes.
    """
    path = Path(path)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if not path.is_file():
        raise DataSourceError(msg("file_not_found", path=str(path)))
    size = path.stat().st_size
    if size == 0:
        raise DataSourceError(msg("file_empty", file=path.name))
    if size > limit:
        raise DataSourceError(msg("file_too_large", file=path.name, size=_mb(size), limit=_mb(limit)))
    return size


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def safe_filename(name: str, default: str = "upload") -> str:
    """A plain file name (no folders, no leading dots, no control or reserved characters).

    >>> safe_filename("../../etc/passwd")
    'passwd'
    >>> safe_filename("园区 2023.zip")
    '园区 2023.zip'
    """
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME_CHARS.sub("_", base).strip().lstrip(".").strip()
    if len(base.encode("utf-8")) > 120:
        stem, dot, suffix = base.rpartition(".")
        keep = suffix[:16] if dot else ""
        base = base.encode("utf-8")[:100].decode("utf-8", errors="ignore") + (f".{keep}" if keep else "")
    return base or default


# Files the importer pairs by name (a shapefile's parts): two of one name in a zip are ambiguous.
PAIRED_SUFFIXES = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class ZipMember:
    """One regular file of a checked zip: its path inside the zip (the real name, see
    :func:`member_name`) and its uncompressed size. ``stored`` is the name as ``zipfile``
    reads it, to open the entry with (empty when the same)."""

    name: str
    size: int
    stored: str = ""


def member_name(info: zipfile.ZipInfo) -> str:
    """The real name of a zip entry.

    Entries without the UTF-8 flag (0x800) are decoded by Python as cp437, so the GBK name
    ``地块.shp`` written by Chinese Windows shows as ``╡╪┐Θ.shp``. Such names are encoded back
    to their bytes and decoded as UTF-8 when valid, else as GB18030 (which GBK is part of);
    names that fit neither stay as Python read them.
    """
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    raw = name.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def check_zip(path: str | Path, max_bytes: int | None = None) -> list[ZipMember]:
    """List the regular files of the zip at ``path`` after checking it is safe to extract.

    Refused (``DataSourceError``): not a zip, encrypted members, member paths that are
    absolute or contain ``..``, links and other special files, more than
    :data:`MAX_ZIP_MEMBERS` members, a total uncompressed size over the size limit, two
    entries for one file (same path ignoring case and ``\\`` vs ``/``), or two shapefile parts
    of one name (``a/pts.dbf`` and ``b/pts.dbf``). Names are the real ones (:func:`member_name`).
    """
    path = Path(path)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise DataSourceError(msg("zip_unreadable", file=path.name, error=_one_line(exc))) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise DataSourceError(msg("zip_too_many", file=path.name, n=len(infos), limit=MAX_ZIP_MEMBERS))
    members = [m for m in (_checked_member(path.name, info) for info in infos) if m is not None]
    _check_duplicates(path.name, members)
    total = sum(m.size for m in members)
    if total > limit:
        raise DataSourceError(msg("zip_too_large", file=path.name, size=_mb(total), limit=_mb(limit)))
    return members


def _checked_member(zip_name: str, info: zipfile.ZipInfo) -> ZipMember | None:
    name = member_name(info)
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise DataSourceError(msg("zip_path_escapes", file=zip_name, entry=name))
    kind = stat.S_IFMT(info.external_attr >> 16)  # Unix file type; 0 when the zip does not say
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise DataSourceError(msg("zip_link", file=zip_name, entry=name))
    if info.flag_bits & 0x1:
        raise DataSourceError(msg("zip_password", file=zip_name, entry=name))
    if info.is_dir():
        return None
    return ZipMember(name, info.file_size, "" if name == info.filename else info.filename)


def _check_duplicates(zip_name: str, members: list[ZipMember]) -> None:
    """Refuse two entries for one file (same path, ignoring case and \\ vs /: extracting one
    would overwrite the other) and two shapefile parts of one name in different folders (the
    importer pairs parts by name, so it could not tell which is meant)."""
    paths: dict[str, str] = {}
    names: dict[str, str] = {}
    for member in members:
        path = member.name.replace("\\", "/").casefold()
        if path in paths:
            raise DataSourceError(
                msg("zip_duplicate_entry", file=zip_name, first=paths[path], second=member.name)
            )
        paths[path] = member.name
        base = path.rsplit("/", 1)[-1]
        if base.endswith(PAIRED_SUFFIXES):
            if base in names:
                raise DataSourceError(
                    msg("zip_same_name", file=zip_name, first=names[base], second=member.name)
                )
            names[base] = member.name


def extract_zip(path: str | Path, folder: str | Path, max_bytes: int | None = None) -> list[Path]:
    """Extract the checked regular files of a zip into ``folder``; return their paths.

    Sizes are enforced while decompressing, so a zip whose headers lie about its sizes is
    stopped at the limit too. Every extracted path is checked to lie inside ``folder``.
    """
    path, folder = Path(path), Path(folder).resolve()
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    members = check_zip(path, limit)
    written, budget = [], limit
    try:
        with zipfile.ZipFile(path) as zf:
            for member in members:
                target = _target(folder, member.name, path.name)
                target.parent.mkdir(parents=True, exist_ok=True)
                budget -= _copy_limited(zf, member.stored or member.name, target, budget, path.name, limit)
                written.append(target)
    except DataSourceError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise DataSourceError(msg("zip_cannot_extract", file=path.name, error=_one_line(exc))) from None
    except Exception as exc:  # zlib.error and other decompressor errors on corrupt data
        raise DataSourceError(msg("zip_damaged", file=path.name, error=type(exc).__name__)) from None
    return written


def _target(folder: Path, name: str, zip_name: str) -> Path:
    target = (folder / name.replace("\\", "/")).resolve()
    if not target.is_relative_to(folder):
        raise DataSourceError(msg("zip_path_leaves", file=zip_name, entry=name))
    return target


def _copy_limited(
    zf: zipfile.ZipFile, name: str, target: Path, budget: int, zip_name: str, limit: int
) -> int:
    copied = 0
    with zf.open(name) as src, open(target, "wb") as dst:
        while chunk := src.read(_CHUNK):
            copied += len(chunk)
            if copied > budget:
                raise DataSourceError(msg("zip_over_limit", file=zip_name, limit=_mb(limit)))
            dst.write(chunk)
    return copied


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@contextlib.contextmanager
def staged_upload(data: bytes, filename: str, max_bytes: int | None = None):
    """Write uploaded ``data`` to a fresh temporary folder under a safe version of ``filename``.

    Yields the file's path; the folder is removed afterwards. The size limit is checked
    before anything is written.

    >>> with staged_upload(b"id,lon,lat\\n1,113.7,34.7\\n", "../pts.csv") as path:
    ...     path.name
    'pts.csv'
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    name = safe_filename(filename)
    if len(data) > limit:
        raise DataSourceError(msg("file_too_large", file=name, size=_mb(len(data)), limit=_mb(limit)))
    with tempfile.TemporaryDirectory(prefix="zkq_upload_") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path
