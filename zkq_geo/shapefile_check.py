"""Checks of a shapefile's fixed headers, so that no feature and no attribute row is lost silently.

GDAL reads a damaged shapefile without a word: a .dbf with a garbage header gives features
without attributes, a .dbf declaring fewer records than the .shp has shapes gives fewer
features, records marked deleted are skipped. This module reads the fixed headers with
:mod:`struct` (no GDAL) and says what is wrong, with the counts:

- ``.shp``: file code 9994 (big-endian int at byte 0), file length in 16-bit words (at 24);
- ``.shx``: the same header, then 8 bytes per shape: shapes = (length in bytes - 100) / 8;
- ``.dbf``: version byte, record count (uint32 LE at 4), header length (uint16 at 8), record
  length (uint16 at 10), 32-byte field descriptors ended by 0x0D.

:func:`check_headers` is pure (bytes in, :class:`ShapefileCheck` out);
:func:`check_shapefile_files` is the thin layer that reads the headers from disk.

>>> check_shapefile_files("parcels.shp", "parcels.shx", "parcels.dbf").problems  # doctest: +SKIP
('3 shape(s) in parcels.shp, 1 attribute row(s) in parcels.dbf: 2 feature(s) would be dropped ...',)
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zkq_geo.errors import DataSourceError
from zkq_geo.messages import Message, msg

SHP_FILE_CODE = 9994
SHP_HEADER_BYTES = 100
SHX_RECORD_BYTES = 8
DBF_HEADER_BYTES = 32
DBF_MIN_HEADER_BYTES = 33  # the fixed part and the 0x0D that ends the field descriptors
DBF_READ_BYTES = 65536  # the header length is a uint16: the whole header fits
# dBASE III-7, FoxBase, FoxPro and Visual FoxPro version bytes (with or without memo flags).
DBF_VERSIONS = frozenset({0x02, 0x03, 0x04, 0x05, 0x07, 0x30, 0x31, 0x32, 0x43, 0x63, 0x7B, 0x83, 0x87, 0x8B,
                          0x8E, 0xCB, 0xE5, 0xF5, 0xFB})
DBF_FIELD_TYPES = frozenset(b"BCDFGILMNOPQTVWY@+0")
_DELETED = 0x2A  # "*" as the first byte of a record


@dataclass(frozen=True)
class Part:
    """The start (``head``) and the last bytes (``tail``) of one file of a shapefile, and its size."""

    name: str
    head: bytes
    size: int
    tail: bytes = b""


@dataclass(frozen=True)
class DbfHeader:
    """The fixed header of a .dbf: version byte, record count and lengths (bytes), fields (name, type, length)."""

    version: int
    records: int
    header_bytes: int
    record_bytes: int
    fields: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True)
class ShapefileCheck:
    """Shape and attribute-row counts (None when unreadable) and what importing would lose.

    ``problems`` block the import (each says how to fix it); ``warnings`` do not.
    """

    shapes: int | None = None
    records: int | None = None
    problems: tuple[Message, ...] = ()
    warnings: tuple[Message, ...] = ()


# ----------------------------------------------------------------------------- pure checks
def check_headers(shp: Part, shx: Part, dbf: Part | None = None, *, deleted: int = 0) -> ShapefileCheck:
    """Check the headers of a shapefile's .shp, .shx and (when present) .dbf against each other.

    ``deleted`` is the number of .dbf records marked deleted (GDAL skips them).
    Returns the counts and the problems: a damaged header, a file cut short, or shapes and
    attribute rows that do not pair up one to one.
    """
    try:
        shp_bytes = shp_length(shp)
        shapes = shx_shape_count(shx, shp_bytes)
        header = parse_dbf_header(dbf) if dbf is not None else None
    except DataSourceError as exc:
        return ShapefileCheck(problems=(exc.message,))
    if header is None:
        return ShapefileCheck(shapes)
    problems = _count_problems(shapes, header.records, shp.name, dbf.name)
    warnings = (msg("dbf_deleted_records", dbf=dbf.name, n=deleted, records=header.records),) if deleted else ()
    return ShapefileCheck(shapes, header.records, problems, warnings)


def shp_length(shp: Part) -> int:
    """The length in bytes the .shp header declares; ``DataSourceError`` if damaged or cut short."""
    declared = _shape_header(shp)
    if shp.size < declared:
        raise DataSourceError(msg("shp_cut_short", file=shp.name, size=shp.size, declared=declared))
    return declared


def shx_shape_count(shx: Part, shp_bytes: int | None = None) -> int:
    """The number of shapes the .shx indexes: (length - 100) / 8.

    Raises ``DataSourceError`` when the header is damaged, the length is not a header plus
    whole 8-byte entries, or (``shp_bytes`` given) the last shape lies past the end of the .shp.
    """
    declared = _shape_header(shx)
    if declared != shx.size or (shx.size - SHP_HEADER_BYTES) % SHX_RECORD_BYTES:
        raise DataSourceError(msg("shx_damaged", file=shx.name, size=shx.size, declared=declared))
    shapes = (shx.size - SHP_HEADER_BYTES) // SHX_RECORD_BYTES
    if shapes and shp_bytes is not None and len(shx.tail) >= SHX_RECORD_BYTES:
        offset, length = struct.unpack(">ii", shx.tail[-SHX_RECORD_BYTES:])
        end = 2 * offset + 8 + 2 * length
        if end > shp_bytes:
            raise DataSourceError(msg("shp_shapes_past_end", shx=shx.name, n=shapes, end=end, size=shp_bytes))
    return shapes


def parse_dbf_header(dbf: Part) -> DbfHeader:
    """The fixed header and field descriptors of a .dbf.

    Raises ``DataSourceError`` (the attributes cannot be trusted) when the file is shorter than
    its header, the version byte is not dBASE's, the header length is below 33 bytes, the field
    descriptors do not parse or end with 0x0D, or the file is shorter than header + records.
    """
    head = dbf.head
    if len(head) < DBF_HEADER_BYTES:
        raise _dbf_damaged(dbf, msg("dbf_why_short", size=dbf.size))
    records, header_bytes, record_bytes = struct.unpack("<IHH", head[4:12])
    if head[0] not in DBF_VERSIONS:
        raise _dbf_damaged(dbf, msg("dbf_why_version", version=f"0x{head[0]:02X}"))
    if header_bytes < DBF_MIN_HEADER_BYTES:
        raise _dbf_damaged(dbf, msg("dbf_why_header_bytes", n=header_bytes))
    if header_bytes > len(head):
        raise _dbf_damaged(dbf, msg("dbf_why_header_beyond", n=header_bytes, size=dbf.size))
    fields = _fields(dbf, head[:header_bytes])
    needed = 1 + sum(length for _, _, length in fields)
    if record_bytes < needed:
        raise _dbf_damaged(dbf, msg("dbf_why_record_bytes", record=record_bytes, fields=needed))
    if dbf.size < header_bytes + records * record_bytes:
        whole = (dbf.size - header_bytes) // record_bytes
        raise DataSourceError(msg("dbf_cut_short", file=dbf.name, declared=records, whole=whole))
    return DbfHeader(head[0], records, header_bytes, record_bytes, fields)


def _shape_header(part: Part) -> int:
    if len(part.head) < SHP_HEADER_BYTES:
        raise DataSourceError(msg("shp_header_short", file=part.name, size=part.size))
    code, words = struct.unpack(">i", part.head[:4])[0], struct.unpack(">i", part.head[24:28])[0]
    if code != SHP_FILE_CODE:
        raise DataSourceError(msg("shp_file_code", file=part.name, code=code))
    return 2 * words


def _fields(dbf: Part, header: bytes) -> tuple[tuple[str, str, int], ...]:
    fields, pos = [], DBF_HEADER_BYTES
    while pos < len(header) and header[pos] != 0x0D:
        descriptor = header[pos:pos + 32]
        if len(descriptor) < 32:
            raise _dbf_damaged(dbf, msg("dbf_why_no_end", n=len(header)))
        name, ftype, length = descriptor[:11].split(b"\0", 1)[0], descriptor[11], descriptor[16]
        if not name.strip() or ftype not in DBF_FIELD_TYPES or length == 0:
            raise _dbf_damaged(dbf, msg("dbf_why_field", n=len(fields) + 1, type=chr(ftype) if 32 < ftype < 127
                                        else f"0x{ftype:02X}", length=length))
        fields.append((name.decode("latin-1"), chr(ftype), length))
        pos += 32
    if pos >= len(header):
        raise _dbf_damaged(dbf, msg("dbf_why_no_end", n=len(header)))
    return tuple(fields)


def _dbf_damaged(dbf: Part, why: Message) -> DataSourceError:
    return DataSourceError(msg("dbf_damaged", file=dbf.name, why=why))


def _count_problems(shapes: int, records: int, shp: str, dbf: str) -> tuple[Message, ...]:
    if records < shapes:
        return (msg("shp_fewer_records", shapes=shapes, records=records, shp=shp, dbf=dbf, lost=shapes - records),)
    if records > shapes:
        return (msg("shp_more_records", shapes=shapes, records=records, shp=shp, dbf=dbf, lost=records - shapes),)
    return ()


# ----------------------------------------------------------------------------- thin I/O
def check_shapefile_files(shp: str | Path, shx: str | Path, dbf: str | Path | None = None) -> ShapefileCheck:
    """:func:`check_headers` over the files on disk (the .dbf is optional)."""
    dbf_part = _read_part(Path(dbf), DBF_READ_BYTES) if dbf is not None else None
    deleted = _count_deleted(Path(dbf), dbf_part) if dbf is not None else 0
    return check_headers(_read_part(Path(shp), SHP_HEADER_BYTES),
                         _read_part(Path(shx), SHP_HEADER_BYTES, tail=SHX_RECORD_BYTES), dbf_part, deleted=deleted)


def _read_part(path: Path, head: int, tail: int = 0) -> Part:
    size = path.stat().st_size
    with open(path, "rb") as f:
        start = f.read(head)
        if tail and size >= tail:
            f.seek(size - tail)
        end = f.read(tail) if tail else b""
    return Part(path.name, start, size, end)


def _count_deleted(path: Path, part: Part, chunk_records: int = 4096) -> int:
    """Records whose first byte is "*" (deleted); 0 when the header cannot be parsed."""
    try:
        header = parse_dbf_header(part)
    except DataSourceError:
        return 0
    deleted, left = 0, header.records
    with open(path, "rb") as f:
        f.seek(header.header_bytes)
        while left:
            n = min(left, chunk_records)
            block = np.frombuffer(f.read(n * header.record_bytes), dtype=np.uint8)
            deleted += int((block[::header.record_bytes] == _DELETED).sum())
            left -= n
    return deleted
