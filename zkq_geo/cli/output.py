"""How every ``zkq-geo`` command prints: tables, CSV and JSON on stdout (or into a file), and
one-line errors and warnings on stderr. CSV goes through :func:`zkq_geo.cells.neutralise_frame`,
so a formula-like cell is neutralised the same way in every command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from zkq_geo.cells import neutralise_frame
from zkq_geo.errors import DataSourceError
from zkq_geo.i18n.messages import msg

OUTPUT_FORMATS = ("table", "csv", "json")
# the columns every listing of parks and projects starts from
_FIGURE_COLUMNS = ("id", "name", "industry", "investment_yi", "investment_qualifier", "land_area_mu")
SHOW_COLUMNS = (
    *_FIGURE_COLUMNS,
    "floor_area_m2",
    "invest_intensity_wan_per_mu",
    "invest_intensity_qualifier",
    "plate_id",
    "has_conflict",
)
EFFICIENCY_COLUMNS = (
    "intensity_rank",
    *_FIGURE_COLUMNS,
    "invest_intensity_wan_per_mu",
    "invest_intensity_qualifier",
    "floor_area_ratio",
)


def one_line(exc: BaseException | str) -> str:
    """An error or message as one line (user text may hold line breaks)."""
    return " ".join(str(exc).split())


def render(
    df: pd.DataFrame,
    fmt: str,
    *,
    float_format=None,
    empty: str = "(no features match)",
    width: int = 200,
    max_columns: int = 30,
) -> str:
    """``df`` as ``fmt`` text: ``csv`` (formula-like cells neutralised), ``json`` (records) or a table."""
    if fmt == "csv":
        return neutralise_frame(df).to_csv(index=False)
    if fmt == "json":
        records = json.loads(df.to_json(orient="records", force_ascii=False))
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    if df.empty:
        return empty + "\n"
    with pd.option_context(
        "display.width", width, "display.max_columns", max_columns, "display.max_colwidth", 40
    ):
        return (
            df.to_string(index=False, float_format=float_format or (lambda v: f"{v:,.2f}"), na_rep="") + "\n"
        )


def emit(df: pd.DataFrame, fmt: str, output: str | None = None, **options) -> None:
    """Print ``df`` as ``fmt`` on stdout, or write it to ``output`` (CSV with a BOM for Excel)."""
    text = render(df, fmt, **options)
    if output:
        write_bytes(output, text.encode("utf-8-sig" if fmt == "csv" else "utf-8"))
    else:
        sys.stdout.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path``; a path that cannot be written is one DataSourceError."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)
    except OSError as exc:
        raise DataSourceError(msg("cannot_write", path=str(path), error=exc.strerror or str(exc))) from None
