"""Text encodings of user files: shapefile attribute tables (.dbf) and CSV text.

Shapefiles from Chinese offices often hold GBK text in the .dbf with no .cpg to say so; GDAL
then reads it as Latin-1 and every Chinese name comes out garbled. :func:`dbf_encoding` finds
the declared encoding (.cpg, or the language driver byte of the .dbf) or, failing that,
tries the text bytes as strict UTF-8 and then as GB18030 (a superset of GBK and GB2312), and
says which it chose and why. The user can always override.
"""

from __future__ import annotations

import codecs
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from zkq_geo.errors import OptionError
from zkq_geo.i18n.messages import Items, msg

EncodingChoice = Literal["auto", "utf-8", "gbk", "gb18030"]
ENCODING_CHOICES = ("auto", "utf-8", "gbk", "gb18030")
_SAMPLE_BYTES = 4 << 20
# dBASE language driver ids that name an encoding (the rest are Western code pages).
_LDID = {0x4D: "gbk", 0x7A: "gbk", 0x4E: "cp949", 0x4F: "cp950"}
# 0x57 ("ANSI") is not trusted: ArcGIS writes it on Chinese Windows, where ANSI means GBK.
_CPG_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "65001": "utf-8",
    "936": "gbk",
    "gbk": "gbk",
    "gb2312": "gbk",
    "gb18030": "gb18030",
    "54936": "gb18030",
}


@dataclass(frozen=True)
class EncodingGuess:
    """An encoding and how it was found: "declared" (by the file), "given" (by the user),
    "detected" (by trying the bytes) or "assumed"; ``warnings`` say what was ignored."""

    encoding: str
    how: str
    note: str
    warnings: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.encoding} ({self.how}: {self.note})"


def check_encoding_choice(encoding: str) -> str:
    """Normalise and validate a user's encoding choice ("auto", "utf-8", "gbk", "gb18030")."""
    value = str(encoding).strip().lower().replace("_", "-")
    value = {"utf8": "utf-8", "gb2312": "gbk", "cp936": "gbk"}.get(value, value)
    if value not in ENCODING_CHOICES:
        raise OptionError(msg("encoding_not_supported", encoding=encoding, choices=Items(ENCODING_CHOICES)))
    return value


def dbf_encoding(dbf: Path, choice: str = "auto") -> EncodingGuess:
    """The encoding of a shapefile's attribute table ``dbf`` (a .cpg beside it is honoured)."""
    choice = check_encoding_choice(choice)
    if choice != "auto":
        return EncodingGuess(choice, "given", msg("enc_chosen"))
    cpg = _sidecar(dbf, ".cpg")
    declared = _cpg_encoding(cpg) if cpg is not None else None
    if declared and is_text_encoding(declared) and is_ascii_compatible(declared):
        return EncodingGuess(declared, "declared", msg("enc_by_cpg", cpg=cpg.name))
    unusable = "cpg_not_ascii" if declared and is_text_encoding(declared) else "cpg_not_text"
    ignored = (msg(unusable, cpg=cpg.name, name=declared),) if declared else ()
    head = dbf.read_bytes()[:_SAMPLE_BYTES] if dbf.is_file() else b""
    if len(head) > 29 and head[29] in _LDID:
        return EncodingGuess(_LDID[head[29]], "declared", msg("enc_by_ldid", dbf=dbf.name), ignored)
    guess = _guess(_dbf_text_bytes(head), msg("enc_no_cpg", dbf=dbf.name))
    return EncodingGuess(guess.encoding, guess.how, guess.note, ignored)


def is_text_encoding(name: str) -> bool:
    """True if ``name`` is a codec that turns bytes into text (``gbk``, ``cp1252``), not a
    bytes-to-bytes or text-to-text transform (``base64``, ``hex``, ``zlib``, ``rot13``).

    >>> is_text_encoding("gbk"), is_text_encoding("base64"), is_text_encoding("rot13")
    (True, False, False)
    """
    try:
        info = codecs.lookup(name)
        return bool(getattr(info, "_is_text_encoding", True)) and isinstance(b"".decode(info.name), str)
    except (LookupError, TypeError, ValueError, UnicodeDecodeError):
        return False


def is_ascii_compatible(name: str) -> bool:
    """True if the text codec ``name`` reads ASCII bytes as the ASCII characters, as a .dbf needs:
    its field names, numbers, dates and padding are ASCII whatever the encoding of its text.

    UTF-16 and UTF-32 (two or four bytes a character), EBCDIC code pages (``cp037``), UTF-7
    ("+" opens a base64 run, so "+5" is garbled), HZ ("~{" switches to GB2312) and the escape
    codecs ("\\u0041" reads as "A") are not.

    >>> names = ("utf-8", "gbk", "cp1252", "utf-16", "utf-32", "utf-7", "cp037", "hz")
    >>> [is_ascii_compatible(n) for n in names]
    [True, True, True, False, False, False, False, False]
    """
    try:
        with warnings.catch_warnings():  # unicode_escape warns of "\\]": the answer is all we want
            warnings.simplefilter("ignore")
            return _ASCII_PROBE.decode(name) == _ASCII_PROBE.decode("ascii")
    except (LookupError, TypeError, ValueError, UnicodeError):
        return False


# Every ASCII byte, then ASCII runs that some codecs read as something else.
_ASCII_PROBE = bytes(range(128)) + b" +5 +AGEA- ~{a~} \\u0041 \\x41 &#65; =41 a.xn--fiqs8s"


def text_encoding(data: bytes, choice: str = "auto", what: str = "the file") -> EncodingGuess:
    """The encoding of CSV or other text ``data``: a BOM, else strict UTF-8, else GB18030."""
    choice = check_encoding_choice(choice)
    if choice != "auto":
        return EncodingGuess(choice, "given", msg("enc_chosen"))
    if data.startswith(codecs.BOM_UTF8):
        return EncodingGuess("utf-8-sig", "declared", msg("enc_by_bom", bom="UTF-8"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return EncodingGuess("utf-16", "declared", msg("enc_by_bom", bom="UTF-16"))
    return _guess([data[:_SAMPLE_BYTES]], msg("enc_unsaid", what=what))


def _guess(chunks: list[bytes], why: str) -> EncodingGuess:
    for encoding, key in (("ascii", "enc_ascii"), ("utf-8", "enc_utf8"), ("gb18030", "enc_gb18030")):
        if all(_decodes(c, encoding) for c in chunks):
            return EncodingGuess(
                "gb18030" if encoding == "gb18030" else "utf-8", "detected", msg(key, why=why)
            )
    return EncodingGuess("latin-1", "assumed", msg("enc_latin1", why=why))


def _decodes(data: bytes, encoding: str) -> bool:
    """True if ``data`` decodes strictly; a character cut off at the very end is forgiven
    (fixed-width .dbf fields cut text at a byte count)."""
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(data, final=False)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _sidecar(path: Path, suffix: str) -> Path | None:
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def _cpg_encoding(cpg: Path) -> str | None:
    """The codec a .cpg names ("UTF-8", "936", "ANSI 936", "GBK"...), None if unknown."""
    text = cpg.read_bytes()[:64].decode("ascii", errors="ignore").strip().lower()
    text = text.removeprefix("ansi").strip().removeprefix("windows-").removeprefix("cp")
    name = _CPG_ALIASES.get(text) or (f"cp{text}" if text.isdigit() else text)
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def _dbf_text_bytes(head: bytes) -> list[bytes]:
    """The bytes of the field names and of every text (C) field value in a .dbf header/sample.

    Each value is its own chunk, so a multi-byte character cut at a field's end does not
    spoil the next field. Returns [] when the header cannot be parsed.
    """
    if len(head) < 32:
        return []
    n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
    fields, offset, pos = [], 1, 32
    while pos + 32 <= min(header_len, len(head)) and head[pos] != 0x0D:
        name, ftype, flen = head[pos : pos + 11].split(b"\0", 1)[0], head[pos + 11 : pos + 12], head[pos + 16]
        fields.append((name, ftype, offset, flen))
        offset += flen
        pos += 32
    chunks = [name for name, *_ in fields]
    text_fields = [(off, ln) for _, ftype, off, ln in fields if ftype in (b"C", b"M")]
    if record_len <= 0:
        return chunks
    for i in range(n_records):
        start = header_len + i * record_len
        if start + record_len > len(head):
            break
        record = head[start : start + record_len]
        chunks += [record[off : off + ln].rstrip(b" \0") for off, ln in text_fields]
    return [c for c in chunks if c]
