"""Helpers of the import page: cached inspection of uploads, widget choices, report tables.

Everything here calls the library (zkq_geo.importing.reader, zkq_geo.importing.ledger_join,
zkq_geo.workspace);
there is no geometry or join logic in the app.
"""

from __future__ import annotations

import math
import re
from pathlib import PurePath

import pandas as pd
import streamlit as st
from pyproj import CRS

from zkq_geo.i18n.messages import text_of
from zkq_geo.importing.ledger_join import LedgerReport
from zkq_geo.importing.reader import ImportReport, inspect_file
from zkq_geo.importing.sheets import SheetTable, read_sheet
from zkq_geo.safety.safe_input import max_upload_bytes, staged_upload

# CRS choices offered in the app; the CLI accepts any EPSG code.
CRS_CHOICES = (
    "auto",
    "wgs84",
    "gcj02",
    "bd09",
    "EPSG:4547",
    "EPSG:4526",
    "EPSG:4490",
    "EPSG:2383",
    "EPSG:2362",
    "EPSG:2435",
    "EPSG:2414",
    "EPSG:3857",
)
ENCODING_CHOICES = ("auto", "utf-8", "gbk", "gb18030")
AUTO = ""


@st.cache_data(show_spinner=False, max_entries=16)
def inspect_upload(file_id: str, filename: str, options: tuple, _data: bytes) -> ImportReport:
    """The import report of an uploaded file (``file_id`` and ``options`` are the cache key)."""
    with staged_upload(_data, filename) as path:
        return inspect_file(path, **dict(options))


@st.cache_data(show_spinner=False, max_entries=16)
def read_ledger_upload(
    file_id: str, filename: str, sheet: str | None, encoding: str, _data: bytes
) -> SheetTable:
    """An uploaded ledger as text cells under its header row."""
    with staged_upload(_data, filename) as path:
        return read_sheet(path, sheet=sheet, encoding=encoding)


def upload_limit_mb() -> int:
    """The upload limit of every file uploader, in whole MB: ZKQ_MAX_UPLOAD_MB (zkq_geo.safety.safe_input),
    never above Streamlit's own server.maxUploadSize."""
    ours = max(1, math.ceil(max_upload_bytes() / 1024 / 1024))
    return min(ours, int(st.get_option("server.maxUploadSize")))


def read_options(layer, crs, encoding, x, y, id_prefix: str = "f") -> tuple:
    """Hashable import options for the library (``""`` means automatic)."""
    return (
        ("layer", layer or None),
        ("crs", crs),
        ("encoding", encoding),
        ("x", x or None),
        ("y", y or None),
        ("id_prefix", id_prefix),
    )


def crs_label(choice: str) -> str:
    """``EPSG:4526`` -> ``EPSG:4526 CGCS2000 / 3-degree Gauss-Kruger zone 38``."""
    return f"{choice} {CRS.from_user_input(choice).name}" if choice.startswith("EPSG:") else choice


def suggest_name(filename: str, existing) -> str:
    """A valid layer name from a file name (``dikuai.zip`` -> ``dikuai``), else ``layer_N``."""
    stem = re.sub(r"[^a-z0-9_]+", "_", PurePath(filename).stem.lower()).strip("_")[:40]
    if stem and stem[0].isalpha():
        return stem
    n = 1
    while f"layer_{n}" in existing:
        n += 1
    return f"layer_{n}"


def report_facts(report: ImportReport, t, lang: str = "zh") -> pd.DataFrame:
    """The facts of an import report as a two-column table (values are user text: shown as text)."""
    crs_how, sep = text_of(report.crs_how, lang), "、" if lang == "zh" else ", "
    rows = [
        (t("r_format"), worded(t, "fmt", report.format)),
        (t("r_layers"), ", ".join(report.layers) + (f" → {report.layer}" if report.layer else "")),
        (t("r_features"), str(report.feature_count)),
        (t("r_geometry"), sep.join(f"{worded(t, 'geom', g)} × {n}" for g, n in report.geometry_types)),
        (t("r_coords"), ", ".join(report.coordinate_columns or ())),
        (
            t("r_encoding"),
            f"{report.encoding or ''} ({text_of(report.encoding_how, lang)})" if report.encoding else "",
        ),
        (t("r_crs"), f"{text_of(report.crs, lang)} ({crs_how})" if report.crs else ""),
        (t("r_bounds"), ", ".join(f"{v:.6f}" for v in report.bounds) if report.bounds else ""),
    ]
    return pd.DataFrame([r for r in rows if r[1]], columns=[t("r_item"), t("r_value")]).set_index(t("r_item"))


def worded(t, family: str, code: str) -> str:
    """A file format or geometry type as the UI string ``<family>_<code>`` (``geom_Polygon`` -> 面);
    a code without one is shown as it is."""
    try:
        return t(f"{family}_{code}")
    except KeyError:
        return str(code)


def fields_table(report: ImportReport, t) -> pd.DataFrame:
    """The file's fields and the kind of their values in words (整数, 文本...), never a dtype name."""
    rows = [(name, t(f"dtype_{dtype_kind(dtype)}")) for name, dtype in report.fields]
    return pd.DataFrame(rows, columns=[t("r_field"), t("r_type")])


DTYPE_KINDS = (  # (prefixes of pandas dtype names, kind); the first that fits
    (("bool", "boolean"), "bool"),
    (("int", "uint", "Int", "UInt"), "int"),
    (("float", "Float"), "float"),
    (("datetime",), "datetime"),
    (("timedelta",), "duration"),
    (("object", "str", "string", "category"), "text"),
    (("geometry",), "geometry"),
)


def dtype_kind(dtype: str) -> str:
    """``int64`` -> ``int``, ``datetime64[ns]`` -> ``datetime``, ``object`` -> ``text``; else ``other``."""
    return next((kind for prefixes, kind in DTYPE_KINDS if str(dtype).startswith(prefixes)), "other")


def repairs_table(report: ImportReport, t, lang: str = "zh") -> pd.DataFrame:
    return pd.DataFrame(
        [
            (text_of(r.feature, lang), text_of(r.reason, lang), worded(t, "geom", r.result))
            for r in report.repairs
        ],
        columns=[t("r_feature"), t("r_reason"), t("r_result")],
    )


def join_lists(report: LedgerReport, t) -> list[tuple[str, list[str]]]:
    """(label, items) of everything a join report lists, for display; empty lists left out."""
    j = report.join
    groups = [
        (t("j_unmatched_left"), list(j.unmatched_left)),
        (t("j_unmatched_right"), list(j.unmatched_right)),
        (t("j_dup_left"), list(j.duplicate_left)),
        (t("j_dup_right"), list(j.duplicate_right)),
        (t("j_mismatch"), [f"{a} ≠ {b}" for a, b in j.type_mismatches]),
        (t("j_alias"), [f"{a} → {b}" for a, b in report.by_alias]),
        (t("j_ambiguous"), [f"{a}: {' / '.join(b)}" for a, b in report.ambiguous]),
    ]
    return [(label, items) for label, items in groups if items]


def joined_name(column: str, layer_columns) -> str:
    """The name a ledger column gets in the joined frame (``_joined`` when it clashes)."""
    return f"{column}_joined" if column in set(layer_columns) else column


LAND_UNIT_WORDS = (("mu", ("亩",)), ("m2", ("平方米", "㎡", "m²", "m2")), ("ha", ("公顷", "ha")))
MONEY_UNIT_WORDS = (("yi", ("亿元",)), ("wan", ("万元",)), ("yuan", ("元", "yuan")))


def guess_column(columns: list[str], words: tuple[str, ...]) -> str:
    """The first column whose name contains one of ``words`` (case-folded), else ``AUTO``."""
    return next((c for c in columns if any(w in c.casefold() for w in words)), AUTO)


def guess_name_column(columns: list[str]) -> str:
    from zkq_geo.importing.reader import NAME_COLUMNS
    from zkq_geo.importing.sheets import normalise_column

    return next(
        (c for c in columns if normalise_column(c) in NAME_COLUMNS), guess_column(columns, ("名称", "name"))
    )


def guess_unit(column: str | None, table: tuple, default: str) -> str:
    """The unit a header names in brackets or words: ``用地面积（亩）`` -> ``mu``."""
    text = (column or "").casefold()
    return next((unit for unit, words in table if any(w in text for w in words)), default)
