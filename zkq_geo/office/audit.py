"""The audit trail as a table planners and auditors read: CSV (UTF-8 with BOM, opens in Excel and
WPS) and Excel, with Chinese or English headers and action names. Every text cell goes through
:mod:`zkq_geo.cells` (a file name like ``=HYPERLINK(...)`` stays text)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

import pandas as pd
from openpyxl import Workbook

from zkq_geo.cells import neutralise_frame, set_cell
from zkq_geo.i18n.labels import LABELS
from zkq_geo.office.store import AuditEvent

COLUMNS = ("id", "at", "actor", "action", "target", "file_name", "file_sha256", "warnings", "detail")


def audit_frame(events: Iterable[AuditEvent], lang: str = "zh") -> pd.DataFrame:
    """One row per event, oldest first; headers and action names in ``lang`` ("zh" or "en")."""
    rows = [
        {
            "id": e.id,
            "at": e.at,
            "actor": e.actor,
            "action": _word(f"audit_action.{e.action}", lang, e.action),
            "target": e.target,
            "file_name": e.file_name or "",
            "file_sha256": e.file_sha256 or "",
            "warnings": ("；" if lang == "zh" else "; ").join(warning_text(w, lang) for w in e.warnings),
            "detail": json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail else "",
        }
        for e in events
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.rename(columns={c: _word(f"audit_column.{c}", lang, c) for c in COLUMNS})


def audit_csv(events: Iterable[AuditEvent], lang: str = "zh") -> bytes:
    return neutralise_frame(audit_frame(events, lang)).to_csv(index=False).encode("utf-8-sig")


def audit_xlsx(events: Iterable[AuditEvent], lang: str = "zh") -> bytes:
    frame = audit_frame(events, lang)
    wb = Workbook()
    ws = wb.active
    ws.title = _word("audit_column.sheet", lang, "audit")
    for col, name in enumerate(frame.columns, 1):
        set_cell(ws, 1, col, name)
    for row, values in enumerate(frame.itertuples(index=False), 2):
        for col, value in enumerate(values, 1):
            set_cell(ws, row, col, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def warning_text(warning, lang: str = "zh") -> str:
    """A stored warning in ``lang``: warnings of import reports are kept in both languages."""
    if isinstance(warning, dict):
        return str(warning.get("zh" if lang == "zh" else "en") or warning.get("en") or "")
    return str(warning)


def _word(key: str, lang: str, default: str) -> str:
    entry = LABELS.get(key)
    return entry["zh" if lang == "zh" else "en"] if entry else default
