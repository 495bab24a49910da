"""One guard for every cell zkq-geo writes to a CSV or an Excel workbook.

A value from a planner's file (a name, a source, a note) that starts with ``= + - @`` (or a tab
or carriage return) would be run as a formula when the CSV is opened in Excel or WPS
("CSV injection": ``=HYPERLINK(...)`` can send data away). Every CSV and XLSX writer of the
project goes through :func:`neutralise_frame` (CSV) or :func:`set_cell` (openpyxl): text stays
text, numbers stay numbers.

>>> neutralise('=HYPERLINK("http://x")')
'\\'=HYPERLINK("http://x")'
>>> neutralise(-5), neutralise("-5 亩"), neutralise("正常")
(-5, "'-5 亩", '正常')
"""

from __future__ import annotations

import datetime
import math
import numbers

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """True for text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value):
    """Formula-like text with a leading single quote (shown as text); anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell and column name neutralised (numeric columns as they are)."""
    out = df.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def plain_value(value):
    """A JSON/Excel-safe Python value: None for NaN/NA/inf, numpy scalars unwrapped, dates as ISO text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, numbers.Real):
        return plain_value(float(value))
    return str(value)


def set_cell(ws, row: int, column: int, value):
    """Write a plain value into an openpyxl sheet; formula-like text stays text (string type and
    quote prefix). Returns the cell (to style it)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = plain_value(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=column, value=value)
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
