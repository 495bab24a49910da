"""Checks of a shapefile's fixed headers, so that no feature and no attribute row is lost silently.

GDAL reads a damaged shapefile without a word: a .dbf with a garbage header gives features
without attributes, a .dbf declaring fewer records than the .shp has shapes gives fewer
features, records marked deleted are skipped, and a numeric field holding text ("1,234.5",
"abc") is read as the number its first characters make (1, 0). This module reads the fixed
headers with :mod:`struct` and the records with numpy (no GDAL) and says what is wrong, with
the counts:

- ``.shp``: file code 9994 (big-endian int at byte 0), file length in 16-bit words (at 24);
- ``.shx``: the same header, then 8 bytes per shape: shapes = (length in bytes - 100) / 8;
- ``.dbf``: version byte, record count (uint32 LE at 4), header length (uint16 at 8), record
  length (uint16 at 10), 32-byte field descriptors ended by 0x0D; then the records, each a
  deletion flag byte and the fields' text side by side.

:func:`check_headers` and :func:`scan_records` are pure (bytes in, findings out);
:func:`check_shapefile_files` is the thin layer that reads the files from disk, the records in
blocks (a .dbf is at most ``ZKQ_MAX_UPLOAD_MB``).

>>> check_shapefile_files("parcels.shp", "parcels.shx", "parcels.dbf").problems  # doctest: +SKIP
('3 shape(s) in parcels.shp, 1 attribute row(s) in parcels.dbf: 2 feature(s) would be dropped ...',)
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from zkq_geo.errors import DataSourceError
from zkq_geo.i18n.messages import Items, Message, msg

SHP_FILE_CODE = 9994
SHP_HEADER_BYTES = 100
SHX_RECORD_BYTES = 8
DBF_HEADER_BYTES = 32
DBF_MIN_HEADER_BYTES = 33  # the fixed part and the 0x0D that ends the field descriptors
DBF_READ_BYTES = 65536  # the header length is a uint16: the whole header fits
# dBASE III-7, FoxBase, FoxPro and Visual FoxPro version bytes (with or without memo flags).
DBF_VERSIONS = frozenset(
    {
        0x02,
        0x03,
        0x04,
        0x05,
        0x07,
        0x30,
        0x31,
        0x32,
        0x43,
        0x63,
        0x7B,
        0x83,
        0x87,
        0x8B,
        0x8E,
        0xCB,
        0xE5,
        0xF5,
        0xFB,
    }
)
DBF_FIELD_TYPES = frozenset(b"BCDFGILMNOPQTVWY@+0")
_DELETED = 0x2A  # "*" as the first byte of a record
NUMERIC_EXAMPLES = 5  # values shown per numeric field holding text
# What GDAL reads exactly: an integer field (no decimals, under 19 characters) takes an optional
# sign and digits ("12", "-3", "7.00"), a real field a decimal number with an optional exponent.
_INTEGER_TEXT = re.compile(rb" *[+-]?\d+(?:\.0*)? *")
_REAL_TEXT = re.compile(rb" *[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)? *")
_SPACE, _NUL, _STAR, _DOT, _ZERO, _NINE = 0x20, 0x00, 0x2A, 0x2E, 0x30, 0x39


@dataclass(frozen=True)
class Part:
    """The start (``head``) and the last bytes (``tail``) of one file of a shapefile, and its size."""

    name: str
    head: bytes
    size: int
    tail: bytes = b""


class DbfField(NamedTuple):
    """One field descriptor of a .dbf: name, type letter ("C", "N"...), length and decimals (bytes)."""

    name: str
    type: str
    length: int
    decimals: int = 0

    @property
    def integer(self) -> bool:
        """GDAL reads a numeric field without decimals and under 19 characters as an integer."""
        return self.decimals == 0 and self.length < 19


@dataclass(frozen=True)
class DbfHeader:
    """The fixed header of a .dbf: version byte, record count and lengths (bytes), field descriptors."""

    version: int
    records: int
    header_bytes: int
    record_bytes: int
    fields: tuple[DbfField, ...]


@dataclass(frozen=True)
class NumericText:
    """Values of a numeric (N/F) ``field`` that are not numbers: how many, and the first few as
    (record number counted from 1, text as found)."""

    field: str
    count: int
    examples: tuple[tuple[int, str], ...]


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
def check_headers(
    shp: Part, shx: Part, dbf: Part | None = None, *, deleted: int = 0, numeric: tuple[NumericText, ...] = ()
) -> ShapefileCheck:
    """Check the headers of a shapefile's .shp, .shx and (when present) .dbf against each other.

    ``deleted`` is the number of .dbf records marked deleted (GDAL skips them); ``numeric`` the
    numeric fields holding text (:func:`scan_records`).
    Returns the counts and the problems: a damaged header, a file cut short, or shapes and
    attribute rows that do not pair up one to one. Deleted records and numeric fields holding
    text are warnings: every other feature and value is read as it is, and the warning names the
    count and the first records, so the user can check those and fix the source.
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
    warnings = (
        (msg("dbf_deleted_records", dbf=dbf.name, n=deleted, records=header.records),) if deleted else ()
    )
    warnings += tuple(_numeric_warning(found, dbf.name) for found in numeric)
    return ShapefileCheck(shapes, header.records, problems, warnings)


def scan_records(header: DbfHeader, block: bytes, first: int = 1) -> tuple[int, tuple[NumericText, ...]]:
    """The records marked deleted in ``block`` and the numeric fields whose values GDAL misreads.

    ``block`` holds whole records of a .dbf (the bytes after its header), the first being record
    number ``first``. GDAL reads a numeric (N/F) value as the number its first characters make:
    "1,234.5" as 1, "abc" as 0, "1.5" as 1 in an integer field; such values are counted, with
    the first :data:`NUMERIC_EXAMPLES` (record number, text). Blank, NUL-filled and "*"-filled
    (dBASE null) values are empty, not faults; deleted records are skipped (GDAL skips them).

    They make a warning, not a problem: the features and every other value are read as they
    are, the warning names the values to check, and a field is often a code or a figure the
    user does not need; refusing would hold back the whole layer for a few cells.

    >>> header = DbfHeader(3, 2, 65, 4, (DbfField("v", "N", 3),))
    >>> scan_records(header, b"   1 abc")
    (0, (NumericText(field='v', count=1, examples=((2, 'abc'),)),))
    """
    rows = np.frombuffer(block, dtype=np.uint8)
    rows = rows[: len(rows) // header.record_bytes * header.record_bytes].reshape(-1, header.record_bytes)
    kept = rows[:, 0] != _DELETED
    found, offset = [], 1
    for field in header.fields:
        if field.type in ("N", "F"):
            cells = rows[kept, offset : offset + field.length]
            bad = np.flatnonzero(kept)[_not_numbers(cells, field.integer)]
            if len(bad):
                examples = tuple(
                    (first + int(i), _shown(rows[i, offset : offset + field.length].tobytes()))
                    for i in bad[:NUMERIC_EXAMPLES]
                )
                found.append(NumericText(field.name, len(bad), examples))
        offset += field.length
    return int((~kept).sum()), tuple(found)


def _not_numbers(cells: np.ndarray, integer: bool) -> np.ndarray:
    """The rows of ``cells`` (records x the field's bytes) GDAL would misread.

    Plain values (spaces, one leading sign, digits, one dot in a real field, all in one run)
    are cleared with numpy; the rest are matched against GDAL's number syntax one by one.
    """
    space, star = cells == _SPACE, cells == _STAR
    digit, sign, dot = (
        (cells >= _ZERO) & (cells <= _NINE),
        (cells == ord("-")) | (cells == ord("+")),
        cells == _DOT,
    )
    empty = (space | (cells == _NUL)).all(axis=1) | ((space | star).all(axis=1) & star.any(axis=1))
    filled = ~space
    count, first = filled.sum(axis=1), filled.argmax(axis=1)
    last = cells.shape[1] - 1 - filled[:, ::-1].argmax(axis=1)
    lead_sign = sign.sum(axis=1) == sign[np.arange(len(cells)), first]
    plain = (
        (digit | sign | dot | space).all(axis=1)
        & digit.any(axis=1)
        & (last - first + 1 == count)
        & lead_sign
        & (dot.sum(axis=1) <= (0 if integer else 1))
    )
    pattern = _INTEGER_TEXT if integer else _REAL_TEXT
    doubtful = np.flatnonzero(~(empty | plain))
    return np.array(
        [i for i in doubtful if not pattern.fullmatch(cells[i].tobytes().rstrip(b"\0"))], dtype=np.intp
    )


def _shown(value: bytes, at_most: int = 40) -> str:
    """A value's text for a message: UTF-8, else GB18030, else Latin-1; at most ``at_most`` characters."""
    value = value.strip(b" \0")
    for encoding in ("utf-8", "gb18030", "latin-1"):
        try:
            text = value.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return text if len(text) <= at_most else text[:at_most] + "…"


def _numeric_warning(found: NumericText, dbf: str) -> Message:
    examples = Items(msg("dbf_value_example", record=n, text=text) for n, text in found.examples)
    shown = (
        examples
        if found.count <= len(found.examples)
        else msg("items_more", items=examples, more=found.count - len(found.examples))
    )
    return msg("dbf_numeric_text", n=found.count, field=found.field, dbf=dbf, examples=shown)


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
    needed = 1 + sum(field.length for field in fields)
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


def _fields(dbf: Part, header: bytes) -> tuple[DbfField, ...]:
    fields, pos = [], DBF_HEADER_BYTES
    while pos < len(header) and header[pos] != 0x0D:
        descriptor = header[pos : pos + 32]
        if len(descriptor) < 32:
            raise _dbf_damaged(dbf, msg("dbf_why_no_end", n=len(header)))
        name, ftype, length = descriptor[:11].split(b"\0", 1)[0], descriptor[11], descriptor[16]
        if not name.strip() or ftype not in DBF_FIELD_TYPES or length == 0:
            raise _dbf_damaged(
                dbf,
                msg(
                    "dbf_why_field",
                    n=len(fields) + 1,
                    type=chr(ftype) if 32 < ftype < 127 else f"0x{ftype:02X}",
                    length=length,
                ),
            )
        fields.append(DbfField(name.decode("latin-1"), chr(ftype), length, descriptor[17]))
        pos += 32
    if pos >= len(header):
        raise _dbf_damaged(dbf, msg("dbf_why_no_end", n=len(header)))
    return tuple(fields)


def _dbf_damaged(dbf: Part, why: Message) -> DataSourceError:
    return DataSourceError(msg("dbf_damaged", file=dbf.name, why=why))


def _count_problems(shapes: int, records: int, shp: str, dbf: str) -> tuple[Message, ...]:
    if records < shapes:
        return (
            msg("shp_fewer_records", shapes=shapes, records=records, shp=shp, dbf=dbf, lost=shapes - records),
        )
    if records > shapes:
        return (
            msg("shp_more_records", shapes=shapes, records=records, shp=shp, dbf=dbf, lost=records - shapes),
        )
    return ()


# ----------------------------------------------------------------------------- thin I/O
def check_shapefile_files(shp: str | Path, shx: str | Path, dbf: str | Path | None = None) -> ShapefileCheck:
    """:func:`check_headers` over the files on disk (the .dbf is optional), its records scanned
    with :func:`scan_records`."""
    dbf_part = _read_part(Path(dbf), DBF_READ_BYTES) if dbf is not None else None
    deleted, numeric = _scan_file(Path(dbf), dbf_part) if dbf is not None else (0, ())
    return check_headers(
        _read_part(Path(shp), SHP_HEADER_BYTES),
        _read_part(Path(shx), SHP_HEADER_BYTES, tail=SHX_RECORD_BYTES),
        dbf_part,
        deleted=deleted,
        numeric=numeric,
    )


def _read_part(path: Path, head: int, tail: int = 0) -> Part:
    size = path.stat().st_size
    with open(path, "rb") as f:
        start = f.read(head)
        if tail and size >= tail:
            f.seek(size - tail)
        end = f.read(tail) if tail else b""
    return Part(path.name, start, size, end)


def _scan_file(path: Path, part: Part, chunk_records: int = 4096) -> tuple[int, tuple[NumericText, ...]]:
    """:func:`scan_records` over the whole .dbf, a block at a time; (0, ()) when the header cannot
    be parsed."""
    try:
        header = parse_dbf_header(part)
    except DataSourceError:
        return 0, ()
    deleted, found, done = 0, {}, 0
    with open(path, "rb") as f:
        f.seek(header.header_bytes)
        while done < header.records:
            n = min(header.records - done, chunk_records)
            block_deleted, block_found = scan_records(header, f.read(n * header.record_bytes), first=done + 1)
            deleted += block_deleted
            for item in block_found:
                found[item.field] = _merged(found.get(item.field), item)
            done += n
    return deleted, tuple(found.values())


def _merged(before: NumericText | None, more: NumericText) -> NumericText:
    if before is None:
        return more
    return NumericText(
        before.field, before.count + more.count, (before.examples + more.examples)[:NUMERIC_EXAMPLES]
    )
