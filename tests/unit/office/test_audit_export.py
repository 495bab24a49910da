"""The audit trail as CSV and Excel: every event, headers and actions in the reader's language."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from zkq_geo.office.audit import audit_csv, audit_frame, audit_xlsx
from zkq_geo.office.store import AuditEvent

EVENTS = [
    AuditEvent(1, "2026-12-01T09:00:00+00:00", "li.na", "sign_in", "li.na"),
    AuditEvent(
        2,
        "2026-12-01T09:05:00+00:00",
        "li.na",
        "import",
        "parcels",
        "=HYPERLINK(1).zip",
        "ab" * 32,
        ("3 features without geometry",),
        {"version": 1},
    ),
]


def test_frame_words_headers_and_actions_in_chinese_and_english():
    zh = audit_frame(EVENTS, "zh")
    assert list(zh.columns)[:4] == ["序号", "时间（UTC）", "用户", "操作"]
    assert list(zh["操作"]) == ["登录", "导入（新图层）"]
    en = audit_frame(EVENTS, "en")
    assert list(en["Action"]) == ["sign in", "import (new layer)"]
    assert en.loc[1, "File SHA-256"] == "ab" * 32


def test_csv_and_excel_hold_every_event_and_keep_formulas_as_text():
    table = pd.read_csv(io.BytesIO(audit_csv(EVENTS)), encoding="utf-8-sig")
    assert list(table["序号"]) == [1, 2]
    assert table.loc[1, "文件名"] == "'=HYPERLINK(1).zip"
    ws = openpyxl.load_workbook(io.BytesIO(audit_xlsx(EVENTS, "en"))).active
    assert [c.value for c in ws[3]][:5] == [
        2,
        "2026-12-01T09:05:00+00:00",
        "li.na",
        "import (new layer)",
        "parcels",
    ]
    assert ws.cell(3, 6).data_type == "s" and ws.cell(3, 6).value.endswith(".zip")
