"""What a file is, from its first bytes: the allow-list of contents zkq-geo will parse.

A file's suffix says what the user meant; its bytes say what a parser will see. GDAL chooses
its driver from the bytes, so a GDAL VRT document saved as ``x.gpkg`` would be read as a VRT
(and a VRT can name any file on the server). :func:`check_content` refuses a file whose
bytes are not the kind its suffix promises, before any parser sees it.

>>> sniff(b"SQLite format 3\\x00...")
'sqlite'
>>> sniff(b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2">')
'kml'
>>> sniff(b'<OGRVRTDataSource><OGRVRTLayer name="x">')
'gdal_vrt'
"""

from __future__ import annotations

import re
from pathlib import Path

from zkq_geo.errors import DataSourceError
from zkq_geo.i18n.messages import msg

HEAD_BYTES = 4096
SHP_MAGIC = b"\x00\x00\x27\x0a"  # file code 9994, big-endian: .shp and .shx
# What each import format's bytes must be (see :func:`sniff`).
EXPECTED = {
    "gpkg": ("sqlite",),
    "shp": ("shapefile",),
    "shx": ("shapefile",),
    "kml": ("kml",),
    "geojson": ("json",),
    "zip": ("zip",),
    "xlsx": ("zip",),
    # A table is parsed by Python's csv module, not by GDAL: only content some other reader would
    # claim (SQLite, zip, shapefile, KML, VRT) is refused; NUL bytes get their own message later.
    "csv": ("text", "binary", "json", "xml"),
}
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_FOREIGN_MARKUP = re.compile(
    rb"<\s*(OGRVRTDataSource|VRTDataset|GDALG|OGRWFSDataSource|WFS_Capabilities)\b", re.I
)
_XML_PROLOG = re.compile(rb"\A(\s|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*", re.S)


def sniff(head: bytes) -> str:
    """The kind of content ``head`` (a file's first bytes) starts: ``sqlite``, ``zip``,
    ``shapefile``, ``kml``, ``gdal_vrt`` (or another GDAL document that names other sources),
    ``xml``, ``json``, ``text`` or ``binary``."""
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(SHP_MAGIC) and len(head) >= 100:
        return "shapefile"
    body = head
    for bom in _BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    if _FOREIGN_MARKUP.search(head):
        return "gdal_vrt"
    text = body.lstrip()
    if text.startswith(b"<"):
        rest = body[_XML_PROLOG.match(body).end() :]
        return "kml" if re.match(rb"<\s*(\w+:)?kml\b", rest) else "xml"
    if text.startswith((b"{", b"[")):
        return "json"
    return "text" if _looks_like_text(body) else "binary"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
    return controls <= len(head) // 100


def check_content(path: str | Path, kind: str, *, shown_name: str | None = None) -> str:
    """Raise :class:`DataSourceError` unless the bytes of ``path`` are what ``kind`` (a key of
    :data:`EXPECTED`) allows; return what was found.

    A GDAL VRT (or other document that makes GDAL read other files or URLs) is always refused.
    """
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    found = sniff(head)
    name = shown_name or path.name
    if found == "gdal_vrt":
        raise DataSourceError(msg("content_gdal_vrt", file=name))
    if found not in EXPECTED[kind]:
        raise DataSourceError(
            msg("content_mismatch", file=name, kind=msg(f"kind_{kind}"), found=msg(f"found_{found}"))
        )
    return found
