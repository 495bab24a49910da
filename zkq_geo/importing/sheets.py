"""CSV and Excel tables from users: header row, text cells, coordinate columns.

Office ledgers rarely start with their header: a merged title row ("2023年企业亩均效益台账")
often sits above it. :func:`read_sheet` finds the real header row, reports the rows it skips,
and refuses two-row headers made of merged cells with a message saying how to fix them.
Every cell is kept as text exactly as given ("0012" stays "0012"); only the coordinate
columns are parsed as numbers, by :func:`parse_coordinates`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from zkq_geo.errors import DataSourceError, SchemaError, ZkqGeoError
from zkq_geo.i18n.messages import Items, msg
from zkq_geo.importing.encodings import EncodingGuess, text_encoding
from zkq_geo.limits import limit
from zkq_geo.safety.safe_input import check_file, check_zip
from zkq_geo.safety.sandbox import run_bounded
from zkq_geo.safety.sniff import check_content

HEADER_SEARCH_ROWS = 10
_MAX_MERGED = 10_000
_MAX_COLUMN_WARNINGS = 10
_DELIMITERS = ",;\t|"
# Normalised column names of coordinate pairs, most specific first.
_COORD_PAIRS = (
    ("lonlat", ("lon", "lng", "long", "longitude", "经度", "东经"), ("lat", "latitude", "纬度", "北纬")),
    (
        "xy",
        ("x", "x坐标", "坐标x", "东坐标", "横坐标", "easting", "east", "e", "pointx", "xcoord"),
        ("y", "y坐标", "坐标y", "北坐标", "纵坐标", "northing", "north", "n", "pointy", "ycoord"),
    ),
)
_BRACKETS = re.compile(r"[（(\[【].*?[）)\]】]")


@dataclass(frozen=True)
class SheetTable:
    """A user table as text cells under its header.

    ``data_rows`` holds the 1-based row number (as a spreadsheet shows it) of each row of
    ``frame`` (empty rows are left out), so problems can name rows the user can find.
    """

    frame: pd.DataFrame
    header_row: int
    sheets: tuple[str, ...]
    sheet: str | None
    encoding: EncodingGuess | None
    warnings: tuple[str, ...]
    data_rows: tuple[int, ...]

    def row_label(self, i: int) -> str:
        """Spreadsheet row number of frame row ``i`` (0-based position)."""
        return msg("label_row", row=self.data_rows[i])


def read_sheet(
    path: str | Path, *, sheet: str | None = None, encoding: str = "auto", max_bytes: int | None = None
) -> SheetTable:
    """Read a CSV (.csv/.txt) or Excel (.xlsx/.xlsm) table with every cell as text, in a child
    process bounded in CPU time and memory (:mod:`zkq_geo.safety.sandbox`); see :func:`read_sheet_here`.
    """
    return run_bounded(
        "zkq_geo.importing.sheets:read_sheet_here",
        Path(path).resolve(),
        sheet=sheet,
        encoding=encoding,
        max_bytes=max_bytes,
        file=Path(path).name,
    )


def read_sheet_here(
    path: str | Path, *, sheet: str | None = None, encoding: str = "auto", max_bytes: int | None = None
) -> SheetTable:
    """Read a CSV (.csv/.txt) or Excel (.xlsx/.xlsm) table with every cell as text, in this process.

    Excel is read streaming, at most ``ZKQ_MAX_CELLS`` cells (empty ones included); a CSV with
    more rows than ``ZKQ_MAX_FEATURES`` is refused before it is parsed.

    Parameters
    ----------
    path : the file.
    sheet : Excel sheet name (default: the first sheet).
    encoding : CSV text encoding, "auto" (BOM, else UTF-8, else GB18030) or a codec name.
    max_bytes : size limit (default: ``$ZKQ_MAX_UPLOAD_MB``).

    Raises
    ------
    DataSourceError : the file cannot be read (empty, too large, damaged, not a table).
    SchemaError : no header row, or a header made of merged cells.
    """
    path = Path(path)
    check_file(path, max_bytes)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_zip(path, max_bytes)
        check_content(path, "xlsx")
        rows, merged, sheets, name = _excel_rows(path, sheet)
        guess = None
    elif suffix == ".xls":
        raise DataSourceError(msg("xls_save_as_xlsx", file=path.name))
    else:
        check_content(path, "csv")
        data = path.read_bytes()
        _check_row_count(data, path.name)
        guess = text_encoding(data, encoding, path.name)
        rows, merged, sheets, name = _csv_rows(data, guess, path.name), [], (), None
    return _table(rows, merged, path.name, sheets, name, guess)


# ----------------------------------------------------------------------------- raw rows
def _check_row_count(data: bytes, name: str) -> None:
    rows, most = data.count(b"\n"), limit("ZKQ_MAX_FEATURES") + HEADER_SEARCH_ROWS
    if rows > most:
        raise DataSourceError(msg("too_many_rows", file=name, n=rows, limit=limit("ZKQ_MAX_FEATURES")))


def _excel_rows(path: Path, sheet: str | None):
    """Rows of one sheet, streamed (openpyxl read-only mode): the sheet's declared size is not
    trusted, and reading stops at ``ZKQ_MAX_CELLS`` cells."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (KeyError, XML errors...) on damaged files
        raise DataSourceError(msg("xlsx_unreadable", file=path.name, error=type(exc).__name__)) from None
    with contextlib.closing(book):
        sheets = tuple(book.sheetnames)
        if sheet is not None and sheet not in sheets:
            raise DataSourceError(msg("sheet_missing", file=path.name, sheet=sheet, sheets=Items(sheets)))
        if not book.worksheets:  # the workbook names no sheet openpyxl can open
            raise DataSourceError(msg("xlsx_no_sheet", file=path.name))
        ws = book[sheet] if sheet is not None else _first_visible(book)
        try:
            rows = _capped_rows(ws, path.name)
            merged = _sheet_facts(path, ws._worksheet_path, ws.title)
        except ZkqGeoError:
            raise
        except Exception as exc:
            raise DataSourceError(
                msg("sheet_unreadable", sheet=ws.title, file=path.name, error=type(exc).__name__)
            ) from None
        return rows, merged, sheets, ws.title


def _capped_rows(ws, name: str) -> list[list[str]]:
    ws.reset_dimensions()  # a declared "A1:XFD1048576" would pad every row to 16,384 cells
    cap, cells, rows = limit("ZKQ_MAX_CELLS"), 0, []
    for row in ws.iter_rows(values_only=True):
        cells += max(len(row), 1)
        if cells > cap:
            raise DataSourceError(msg("too_many_cells", sheet=ws.title, file=name, limit=cap))
        rows.append([_cell_text(v) for v in row])
    return rows


def _has_value(v) -> bool:
    return v is not None and bool((v.text or "").strip())


def _first_visible(book):
    """The first sheet a user sees in Excel (a hidden first sheet is not what they mean)."""
    return next(
        (ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"),
        book.worksheets[0],
    )


def _sheet_facts(path: Path, member: str, title: str) -> list[tuple[int, int, int, int, str]]:
    """The merged ranges of a sheet, read from its XML one element at a time (read-only mode does
    not keep them); refuses a sheet with formula cells that have no stored value (a program wrote
    the formulas only: read as blanks, every figure they hold would be lost)."""
    from openpyxl.worksheet.cell_range import CellRange

    merged, blank_formulas, count, sheet_data = [], [], 0, None
    with zipfile.ZipFile(path) as zf, zf.open(member.lstrip("/")) as xml:
        for event, element in ElementTree.iterparse(xml, events=("start", "end")):
            ns, _, tag = element.tag.rpartition("}")
            if event == "start":
                sheet_data = element if tag == "sheetData" else sheet_data
                continue
            if (
                tag == "c"
                and element.find(f"{ns}}}f") is not None
                and not _has_value(element.find(f"{ns}}}v"))
            ):
                count += 1
                blank_formulas += [element.get("r", "?")] if len(blank_formulas) < 5 else []
            elif tag == "row" and sheet_data is not None:
                sheet_data.clear()  # finished rows are not kept
            elif tag == "mergeCell" and len(merged) < _MAX_MERGED:
                r = CellRange(element.get("ref", ""))
                merged.append((r.min_row, r.max_row, r.min_col, r.max_col, str(r.coord)))
    if count:
        raise SchemaError(
            msg("formulas_without_values", file=path.name, sheet=title, n=count, cells=Items(blank_formulas))
        )
    return merged


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes, guess: EncodingGuess, name: str) -> list[list[str]]:
    try:
        text = data.decode(guess.encoding)
    except (UnicodeDecodeError, LookupError):
        raise DataSourceError(msg("csv_wrong_encoding", file=name, encoding=guess.encoding)) from None
    if "\0" in text:
        raise DataSourceError(msg("csv_binary", file=name))
    delimiter = guess_delimiter(text)
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise DataSourceError(msg("csv_invalid", file=name, error=str(exc))) from None


def guess_delimiter(text: str, lines: int = 20) -> str:
    """The delimiter (``, ; tab |``) that splits the first ``lines`` lines into the same number of
    fields most often (more than one field); ``,`` when none does. Linear time: it reads the lines
    with the csv module itself (``csv.Sniffer``'s regular expressions can take minutes on a
    crafted line).

    >>> guess_delimiter("名称;经度;纬度\n甲;113,7;34,7\n")
    ';'
    """
    head = text[:65536].splitlines()[:lines]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(head, delimiter=delimiter) if row]
        except csv.Error:
            continue
        common = max(set(counts), key=counts.count) if counts else 1
        score = (counts.count(common), common) if common > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# ----------------------------------------------------------------------------- header
def _table(rows, merged, name, sheets, sheet, guess) -> SheetTable:
    rows = [_trim(r) for r in rows]
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        raise DataSourceError(msg("table_empty", file=name))
    header = _header_index(rows, width, name)
    warnings = [*_title_warnings(rows, header), *_merged_warnings(merged, header, name)]
    columns, col_warnings = _column_names(rows[header], width)
    body = [(i + 1, r + [""] * (width - len(r))) for i, r in enumerate(rows) if i > header and any(r)]
    frame = (
        pd.DataFrame([r for _, r in body], columns=columns, dtype=object).astype(str)
        if body
        else pd.DataFrame(columns=columns, dtype=object)
    )
    return SheetTable(
        frame=frame,
        header_row=header + 1,
        sheets=sheets,
        sheet=sheet,
        encoding=guess,
        warnings=tuple(warnings + col_warnings),
        data_rows=tuple(n for n, _ in body),
    )


def _trim(row: list[str]) -> list[str]:
    out = list(row)
    while out and out[-1] == "":
        out.pop()
    return out


def _header_index(rows: list[list[str]], width: int, name: str) -> int:
    """The first row (0-based) with at least half the table's columns filled."""
    need = max(1 if width == 1 else 2, math.ceil(width / 2))
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for c in row if c) >= need:
            return i
    raise SchemaError(msg("no_header_row", file=name, rows=HEADER_SEARCH_ROWS, width=width))


def _title_warnings(rows: list[list[str]], header: int) -> list[str]:
    skipped = [
        msg("skipped_row", row=i + 1, text=" ".join(c for c in rows[i] if c)[:40])
        for i in range(header)
        if any(rows[i])
    ]
    if not skipped:
        return []
    return [msg("title_rows_skipped", row=header + 1, skipped=Items(skipped))]


def _merged_warnings(merged, header: int, name: str) -> list[str]:
    header_row = header + 1
    in_header = [m for m in merged if m[0] <= header_row <= m[1]]
    if in_header:
        coords = Items(m[4] for m in in_header[:5])
        raise SchemaError(msg("merged_header", file=name, row=header_row, cells=coords))
    body = [m[4] for m in merged if m[0] > header_row]
    if body:
        return [msg("merged_body", cells=Items(body[:5]))]
    return []


def _column_names(header: list[str], width: int) -> tuple[list[str], list[str]]:
    """Names for ``width`` columns: blanks become ``column_<letter>``, repeats ``<name>_2``... Linear
    in the width (a crafted row can hold 100,000 cells); at most ten warnings, then a count."""
    names, warnings, seen, next_n = [], [], set(), {}
    for i in range(width):
        raw = header[i] if i < len(header) else ""
        name = raw or f"column_{_letter(i)}"
        if not raw:
            warnings.append(msg("column_unnamed", letter=_letter(i), name=name))
        if name in seen:
            n = next_n.get(name, 2)
            while f"{name}_{n}" in seen:
                n += 1
            next_n[name] = n + 1
            warnings.append(msg("column_twice", name=name, new=f"{name}_{n}"))
            name = f"{name}_{n}"
        seen.add(name)
        names.append(name)
    if len(warnings) > _MAX_COLUMN_WARNINGS:
        warnings = warnings[:_MAX_COLUMN_WARNINGS] + [
            msg("column_more_warnings", n=len(warnings) - _MAX_COLUMN_WARNINGS)
        ]
    return names, warnings


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


# ----------------------------------------------------------------------------- coordinates
def normalise_column(name: str) -> str:
    """Comparison form of a column name: no brackets (units), spaces, ``_`` or ``-``; case-folded.

    >>> normalise_column("X坐标（m）")
    'x坐标'
    """
    return re.sub(r"[\s_\-:：]+", "", _BRACKETS.sub("", str(name))).casefold()


def find_coordinate_columns(columns) -> tuple[str, str, str] | None:
    """(first, second, kind) of the coordinate columns named in ``columns``; kind is
    "lonlat" or "xy". None when no pair is recognised.

    >>> find_coordinate_columns(["名称", "经度", "纬度"])
    ('经度', '纬度', 'lonlat')
    """
    norm = {c: normalise_column(c) for c in columns}
    for kind, firsts, seconds in _COORD_PAIRS:
        first = next((c for c in columns if norm[c] in firsts), None)
        second = next((c for c in columns if norm[c] in seconds), None)
        if first is not None and second is not None:
            return first, second, kind
    return None


def parse_coordinates(table: SheetTable, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    """Coordinate columns ``x`` and ``y`` as floats; empty or non-numeric cells become NaN."""
    for col in (x, y):
        if col not in table.frame.columns:
            raise SchemaError(msg("column_missing", column=col, columns=Items(map(str, table.frame.columns))))
    return _numbers(table.frame[x]), _numbers(table.frame[y])


def _numbers(values: pd.Series) -> np.ndarray:
    text = values.astype(str).str.strip()
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
