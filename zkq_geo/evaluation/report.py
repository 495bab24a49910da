"""Reports of a per-mu evaluation: an Excel workbook and one printable HTML file with a map.

Writers only: they lay out what :mod:`zkq_geo.evaluation.evaluate` and
:mod:`zkq_geo.evaluation.control` computed.

- :func:`evaluation_xlsx` returns the bytes of a workbook with a ``说明 Method`` sheet (every
  formula, weight, benchmark rule and benchmark used, the class rule, ties, exclusions, the
  scheme's source and notes), a ``汇总 Summary`` sheet, one sheet per group, a sheet of firms
  excluded before grouping and optional extra tables. Text cells are formula-injection safe
  (the rules of :mod:`zkq_geo.export`): a name such as ``=HYPERLINK(...)`` stays text.
- :func:`evaluation_html` returns one self-contained HTML page (inline CSS, no script, no
  remote link) with the A/B/C/D map drawn as SVG by :func:`map_svg`, the summaries, a table per
  group and the method. Every value is HTML-escaped.
- :func:`ledger_template_xlsx` returns the empty ledger template with a sheet explaining columns.
- :func:`map_svg` draws points or parcels coloured by class on an optional backdrop (e.g. the
  zone outline), projected to CGCS2000 / 3-degree GK CM 114E (EPSG:4547), with a legend, a
  north arrow and a scale bar. No browser, no tiles: it works offline.
"""

from __future__ import annotations

import functools
import html
import io
import math

import geopandas as gpd
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

# One set of formula-injection rules for every spreadsheet the project writes.
from zkq_geo.catalog import load_catalog
from zkq_geo.cells import set_cell
from zkq_geo.errors import ZkqGeoError
from zkq_geo.evaluation.control import ControlRules, load_control_rules
from zkq_geo.evaluation.evaluate import REASONS, UNASSIGNED, Evaluation, summarize_classes
from zkq_geo.evaluation.ledger import FIELD_BY_COLUMN, template_columns
from zkq_geo.evaluation.scheme import TOTAL_SCORE, Scheme, unsourced_items
from zkq_geo.i18n.format import label as label_text
from zkq_geo.i18n.labels import LABELS
from zkq_geo.i18n.messages import MESSAGES, msg

CLASS_COLORS = {"A": "#1a9850", "B": "#91cf60", "C": "#fdae61", "D": "#d73027", "": "#9e9e9e"}
AREA_CRS = "EPSG:4547"
BLANK = "—"
_SHEET_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


_CHECK_COLUMNS = {
    "far_check": "far",
    "coverage_check": "coverage",
    "admin_check": "admin",
    "invest_check": "invest",
}
_KEY_COLUMNS = ("park", "plate", "industry")


# ----------------------------------------------------------------------------- labels
def column_label(column: str, scheme: Scheme, lang: str = "zh") -> str:
    """Header of a result, summary or control column in ``lang``: ``亩均税收（万元/亩）``."""
    if f"report.{column}" in LABELS:
        return label_text(f"report.{column}", lang)
    zh = lang == "zh"
    indicators = {i.id: i for g in scheme.groups for i in g.indicators}
    if column in indicators:
        ind = indicators[column]
        unit = (f"（{ind.unit}）" if zh else f" ({ind.unit})") if ind.unit else ""
        return f"{ind.label(lang)}{unit}"
    if column.endswith("_score") and column[:-6] in indicators:
        return f"{indicators[column[:-6]].label(lang)}{'得分' if zh else ' score'}"
    if column.startswith("count_"):
        return f"{column[6:]} 类企业数" if zh else f"Class {column[6:]} firms"
    if column.startswith("land_mu_"):
        return f"{column[8:]} 类用地（亩）" if zh else f"Class {column[8:]} land (亩)"
    field_ = FIELD_BY_COLUMN.get(column)
    if field_ is not None:
        return field_.label_zh if zh else field_.label_en
    return column


def code_label(kind: str, code, lang: str = "zh") -> str:
    """A status, reason, control check result or yes/no as words in ``lang``; "—" for a blank."""
    if code is None or code == "" or (isinstance(code, float) and math.isnan(code)):
        return BLANK
    key = f"{kind}_{code}"
    return msg(key).text(lang) if key in MESSAGES else str(code)


def display_frame(
    frame: pd.DataFrame, scheme: Scheme, lang: str = "zh", rules: ControlRules | None = None
) -> pd.DataFrame:
    """``frame`` as a planner reads it: group, industry, status, reason, control category and
    check codes as words in ``lang``, the firms' notes in ``lang``, yes/no for flags, "—" for blank
    text; columns unchanged (rename them with :func:`column_label`), but ``reason_code``,
    ``excluded_reason_zh`` and ``notes_zh`` are dropped: ``excluded_reason`` says the reason in
    words in ``lang``, ``notes`` reads ``notes_zh`` in Chinese. Numbers stay numbers (NaN for blanks)."""
    out = frame.copy()
    groups = {g.id: g.label(lang) for g in scheme.groups}
    unassigned = msg("label_unassigned").text(lang)
    for column in out.columns:
        values = out[column]
        if column == "group":
            ungrouped = msg("label_ungrouped").text(lang)
            out[column] = [
                groups.get(v, ungrouped if v in ("", UNASSIGNED) or pd.isna(v) else v) for v in values
            ]
        elif column == "industry":
            out[column] = [unassigned if v == UNASSIGNED else _industry_label(v, lang) for v in values]
        elif column in _KEY_COLUMNS:
            out[column] = [unassigned if v == UNASSIGNED else v for v in values]
        elif column == "status":
            out[column] = [code_label("status", v, lang) for v in values]
        elif column in _CHECK_COLUMNS or column == "overall":
            out[column] = [code_label("check", v, lang) for v in values]
        elif column == "category":
            out[column] = [_category_label(v, lang, rules) for v in values]
        elif values.dtype == bool:
            out[column] = [code_label("label", "yes" if v else "no", lang) for v in values]
    for english, chinese in (("excluded_reason", "excluded_reason_zh"), ("notes", "notes_zh")):
        if chinese in out.columns:
            if lang == "zh" and english in out.columns:
                out[english] = out[chinese]
            out = out.drop(columns=[chinese])
    if "reason_code" in out.columns:
        if "excluded_reason" in out.columns:
            out["excluded_reason"] = [code_label("reason", v, lang) for v in out["reason_code"]]
        out = out.drop(columns=["reason_code"])
    if "issues" in out.columns and set(_CHECK_COLUMNS) <= set(frame.columns):
        sep = "；" if lang == "zh" else "; "
        out["issues"] = [
            sep.join(msg(f"check_{c}").text(lang) for col, c in _CHECK_COLUMNS.items() if row[col] == "fail")
            for _, row in frame.iterrows()
        ]
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = [BLANK if _blank(v) else v for v in out[column]]
    return out


def _blank(value) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return True
    return isinstance(value, str) and not value.strip()


@functools.lru_cache(maxsize=4)
def _industries() -> dict[str, dict[str, str]]:
    try:
        return load_catalog().industries
    except ZkqGeoError:
        return {}


def _industry_label(code, lang: str) -> str:
    entry = _industries().get(code)
    return entry["zh" if lang == "zh" else "en"] if entry else code


def _category_label(key, lang: str, rules: ControlRules | None) -> str:
    """A control category in ``lang``: its ``control_category.<key>`` label; a category the label
    table does not know (a rules file of one's own) by its name in the rules (Chinese) or its key."""
    if _blank(key):
        return BLANK
    if f"control_category.{key}" in LABELS:
        return label_text(f"control_category.{key}", lang)
    if lang != "zh":
        return str(key)
    if rules is None:
        try:
            rules = load_control_rules()
        except ZkqGeoError:
            return str(key)
    category = rules.categories.get(key)
    return category.zh if category else str(key)


def _indicator_names(scheme: Scheme, lang: str) -> dict[str, str]:
    names = {i.id: i.label(lang) for g in scheme.groups for i in g.indicators}
    return names | {TOTAL_SCORE: label_text(f"report.{TOTAL_SCORE}", lang)}


def method_rows(evaluation: Evaluation, lang: str = "zh") -> list[tuple[str, str]]:
    """(topic, explanation) rows of the method in ``lang``: scoring, ties, exclusions, source, notes."""
    s = evaluation.scheme
    zh = lang == "zh"
    t = _METHOD_ZH if zh else _METHOD_EN
    rows = [(t["scheme"], f"{s.title(lang)}（{s.id}）" if zh else f"{s.title(lang)} ({s.id})")]
    rows += [(t["source"], s.source)]
    rows += [(t["note"], n) for n in s.notes_in(lang)]
    rows += unsourced_items(s, lang)
    rows += [(t[k], t[f"{k}_text"]) for k in ("item", "total", "benchmark")]
    rows.append((t["missing"], t["missing_zero" if s.missing_values == "zero" else "missing_exclude"]))
    rows += [(t[k], t[f"{k}_text"]) for k in ("rank", "ties")]
    names = _indicator_names(s, lang)
    rows += [(t["classes"] + g.label(lang), s.rule_for(g.id).describe(lang, names)) for g in s.groups]
    rows += [
        (
            t["group"] + g.label(lang),
            g.describe_when(lang) + (f"{'。' if zh else '. '}{g.note_in(lang)}" if g.note else ""),
        )
        for g in s.groups
    ]
    rows += [(t["reason"], code_label("reason", code, lang)) for code in REASONS]
    rows.append((t["leased"], t["leased_text"]))
    return rows


_METHOD_ZH = {
    "scheme": "方案",
    "source": "来源",
    "note": "说明",
    "item": "单项得分",
    "item_text": "单项得分 = 权重 × 指标值 ÷ 基准值，可设得分下限和上限",
    "total": "总分",
    "total_text": "总分 = 各项得分之和 + 加分 − 减分",
    "benchmark": "基准",
    "benchmark_text": "固定数值，或本组参与分类且有该指标值的企业的平均值/中位数",
    "missing": "缺失",
    "missing_zero": "指标无法计算（缺少数据、除数为零）时记 0 分并在备注中说明",
    "missing_exclude": "指标无法计算（缺少数据、除数为零）时该企业不参评",
    "rank": "排名",
    "rank_text": "在本组参与分类的企业中排名；总分相同者名次相同，取较好名次（1, 2, 2, 4）",
    "ties": "并列",
    "ties_text": "总分相同者归入同一（较好的）类别，因此跨越分界时某类企业可超过其比例；"
    "并列企业按统一社会信用代码、再按名称排列",
    "classes": "分类规则：",
    "group": "评价组：",
    "reason": "未分类原因",
    "leased": "租赁",
    "leased_text": "租赁厂房企业只在租赁企业评价组中评价，该组不使用用地面积；任何指标都不以建筑面积作分母",
}
_METHOD_EN = {
    "scheme": "Scheme",
    "source": "Source",
    "note": "Note",
    "item": "Item score",
    "item_text": "item score = weight × indicator value ÷ benchmark, then the optional floor and cap",
    "total": "Total",
    "total_text": "total = sum of item scores + bonuses − deductions",
    "benchmark": "Benchmark",
    "benchmark_text": "a fixed number, or mean/median of the graded firms of the group that have a value",
    "missing": "Missing values",
    "missing_zero": "an indicator that cannot be computed (missing input, division by zero) scores 0 and "
    "is noted",
    "missing_exclude": "an indicator that cannot be computed (missing input, division by zero) excludes "
    "the firm",
    "rank": "Rank",
    "rank_text": "within the group, graded firms only; equal totals share the best rank (1, 2, 2, 4)",
    "ties": "Ties",
    "ties_text": "equal totals get the same (better) class, so a class can exceed its share when a tie "
    "straddles a cut; tied firms are listed by credit code, then name",
    "classes": "Classes: ",
    "group": "Group: ",
    "reason": "Why not graded",
    "leased": "Leased premises",
    "leased_text": "firms on leased premises are only evaluated in a group for leased firms, which never "
    "uses land area; nothing is ever divided by floor area",
}


def benchmark_table(evaluation: Evaluation, lang: str = "zh") -> pd.DataFrame:
    """The benchmarks used, as the method shows them: labels for group and indicator, the rule in
    words, headers in ``lang`` (the data with ids is ``evaluation.benchmarks``)."""
    bench = evaluation.benchmarks
    s = evaluation.scheme
    names = {(g.id, i.id): i.label(lang) for g in s.groups for i in g.indicators}
    out = pd.DataFrame(
        {
            "group": [s.group(g).label(lang) for g in bench["group"]],
            "indicator": [names[(g, i)] for g, i in zip(bench["group"], bench["indicator"], strict=True)],
            "formula": bench["formula"],
            "unit": bench["unit"],
            "weight": bench["weight"],
            "benchmark_rule": [msg(f"bench_{r}").text(lang) for r in bench["benchmark_rule"]],
            "benchmark": bench["benchmark"],
            "cap": bench["cap"],
            "floor": bench["floor"],
            "firms_with_value": bench["firms_with_value"],
            "published": [code_label("label", "yes" if v else "no", lang) for v in bench["published"]],
            "placeholder": [code_label("label", "yes" if v else "no", lang) for v in bench["placeholder"]],
        }
    )
    out = out.astype({"cap": "float64", "floor": "float64"})
    return out.rename(columns={c: label_text(f"bench.{c}", lang) for c in out.columns})


# ----------------------------------------------------------------------------- Excel
def evaluation_xlsx(
    evaluation: Evaluation,
    *,
    extra_sheets: dict[str, pd.DataFrame] | None = None,
    notice: str = "",
    lang: str = "zh",
) -> bytes:
    """The evaluation as an Excel workbook (bytes), for planners reading ``lang`` ("zh" or "en").

    Sheets: ``说明 Method``; ``汇总 Summary`` (by group and class); one sheet per group that has
    firms, named after the group; ``未分组 Not grouped`` when firms were excluded before
    grouping; then ``extra_sheets`` (title -> table, e.g. the summary by park or the control
    check); last ``字段 Fields``, which maps every header to its field name in the CSV/JSON output
    (the only sheet that shows field names). Codes (groups, industries, statuses, reasons,
    control checks) read as words in ``lang``; blanks read "—". ``notice`` (e.g. "synthetic
    example data") heads the method sheet.
    """
    wb = Workbook()
    names: set[str] = set()
    shown: dict[str, str] = {}
    method = wb.active
    method.title = _sheet_name("说明 Method", names)
    _fill_method(method, evaluation, notice, lang)
    tables = [("汇总 Summary", summarize_classes(evaluation, "group"))]
    table = evaluation.table
    tables += [
        (g.label(lang), evaluation.group_table(g.id))
        for g in evaluation.scheme.groups
        if (table["group"] == g.id).any()
    ]
    ungrouped = table[table["group"] == ""]
    if len(ungrouped):
        columns = [
            *evaluation.result_columns[:2],
            "status",
            "reason_code",
            "excluded_reason",
            "notes",
            "notes_zh",
        ]
        tables.append(("未分组 Not grouped", ungrouped[columns]))
    tables += list((extra_sheets or {}).items())
    for title, frame in tables:
        ws = wb.create_sheet(_sheet_name(title, names))
        shown |= _fill_table(ws, display_frame(frame, evaluation.scheme, lang), evaluation.scheme, lang)
    _fill_fields(wb.create_sheet(_sheet_name(FIELDS_SHEET, names)), shown, lang)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


FIELDS_SHEET = "字段 Fields"


def group_sheet_names(evaluation: Evaluation, lang: str = "zh") -> list[str]:
    """Names :func:`evaluation_xlsx` gives the group sheets, in order."""
    names = {"说明 Method", "汇总 Summary"}
    return [
        _sheet_name(g.label(lang), names)
        for g in evaluation.scheme.groups
        if (evaluation.table["group"] == g.id).any()
    ]


def _sheet_name(title: str, used: set[str]) -> str:
    base = str(title).translate(_SHEET_BAD).strip("'") or "sheet"
    name, k = base[:31], 1
    while name.lower() in {u.lower() for u in used}:
        k += 1
        name = f"{base[: 31 - len(str(k)) - 1]}_{k}"
    used.add(name)
    return name


def _fill_method(ws, evaluation: Evaluation, notice: str, lang: str) -> None:
    bold = Font(bold=True)
    row = 1
    if notice:
        set_cell(ws, row, 1, notice).font = Font(bold=True, color="C00000")
        row += 2
    for topic, text in method_rows(evaluation, lang):
        set_cell(ws, row, 1, topic).font = bold
        set_cell(ws, row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    bench = benchmark_table(evaluation, lang)
    for j, h in enumerate(bench.columns, start=1):
        set_cell(ws, row, j, h).font = bold
    for record in bench.itertuples(index=False, name=None):
        row += 1
        for j, value in enumerate(record, start=1):
            set_cell(ws, row, j, _cell_value(value))
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100


def _cell_value(value):
    return BLANK if _blank(value) else value


def _fill_table(ws, frame: pd.DataFrame, scheme: Scheme, lang: str) -> dict[str, str]:
    """Row 1: headers in ``lang``; data from row 2; panes frozen. Returns header -> field name."""
    bold = Font(bold=True)
    headers = {}
    for j, column in enumerate(frame.columns, start=1):
        label = column_label(str(column), scheme, lang)
        headers[label] = str(column)
        set_cell(ws, 1, j, label).font = bold
    fills = {c: PatternFill("solid", fgColor=color.lstrip("#")) for c, color in CLASS_COLORS.items() if c}
    class_col = list(frame.columns).index("class") + 1 if "class" in frame.columns else None
    for i, record in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, value in enumerate(record, start=1):
            cell = set_cell(ws, i, j, _cell_value(value))
            if isinstance(value, float) and not math.isnan(value):
                cell.number_format = "0.00"
        if class_col and record[class_col - 1] in fills:
            ws.cell(row=i, column=class_col).fill = fills[record[class_col - 1]]
    ws.freeze_panes = "C2" if "name" in frame.columns else "A2"
    for j in range(1, len(frame.columns) + 1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = 16
    return headers


def _fill_fields(ws, shown: dict[str, str], lang: str) -> None:
    """The about sheet: each header of the workbook and its field name in the CSV/JSON output."""
    intro = (
        "各表表头与 zkq-geo evaluate 输出的 CSV/JSON 字段名对照（仅本表显示英文字段名）"
        if lang == "zh"
        else "Each header of this workbook and its field name in the CSV/JSON output of zkq-geo evaluate"
    )
    set_cell(ws, 1, 1, intro).font = Font(bold=True)
    for j, h in enumerate(("表头 header", "字段 field"), start=1):
        set_cell(ws, 3, j, h).font = Font(bold=True)
    for i, (label, column) in enumerate(shown.items(), start=4):
        set_cell(ws, i, 1, label)
        set_cell(ws, i, 2, column)
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 30


def ledger_template_xlsx() -> bytes:
    """An empty ledger workbook to fill in: sheet ``台账 ledger`` with the Chinese headers (units
    in brackets, as :func:`zkq_geo.evaluation.ledger.read_ledger` reads them) and sheet
    ``字段说明 columns`` explaining each column in Chinese and English with the units accepted."""
    columns = template_columns()
    wb = Workbook()
    ledger = wb.active
    ledger.title = "台账 ledger"
    for j, header in enumerate(columns["header_zh"], start=1):
        set_cell(ledger, 1, j, header).font = Font(bold=True)
        ledger.column_dimensions[ledger.cell(row=1, column=j).column_letter].width = max(12, len(header) * 2)
    ledger.freeze_panes = "A2"
    notes = wb.create_sheet("字段说明 columns")
    intro = (
        "每行一家企业（多宗地请先合计用地面积）；表头括号内为单位，可改为其他单位（见 units_accepted）。"
        " One row per enterprise; the unit in brackets may be changed to any unit listed in units_accepted."
    )
    set_cell(notes, 1, 1, intro).font = Font(bold=True)
    _fill_table_rows(notes, columns, start_row=3)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _fill_table_rows(ws, frame: pd.DataFrame, start_row: int) -> None:
    for j, column in enumerate(frame.columns, start=1):
        set_cell(ws, start_row, j, str(column)).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=start_row, column=j).column_letter].width = 24
    for i, record in enumerate(frame.itertuples(index=False, name=None), start=start_row + 1):
        for j, value in enumerate(record, start=1):
            set_cell(ws, i, j, value)


# ----------------------------------------------------------------------------- SVG map
def map_svg(
    features: gpd.GeoDataFrame,
    *,
    backdrop: gpd.GeoDataFrame | None = None,
    width: int = 720,
    height: int = 480,
    class_column: str = "class",
    label_column: str = "name",
    title: str = "",
    lang: str | None = None,
) -> str:
    """An SVG map of ``features`` (points or parcels) coloured by class; legend and notes in
    ``lang`` ("zh" or "en"; None: both).

    Parameters
    ----------
    features : GeoDataFrame
        Any CRS (reprojected to EPSG:4547 for drawing); ``class_column`` holds A/B/C/D or "".
    backdrop : GeoDataFrame, optional
        Outlines drawn underneath in grey, e.g. the zone boundary.

    Returns
    -------
    str
        ``<svg>`` markup with escaped titles (hover text) and no external reference.
    """
    layers = [
        g.to_crs(AREA_CRS) for g in (backdrop, features) if g is not None and len(g) and g.crs is not None
    ]
    if not layers:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="80" role="img">'
            f'<text x="10" y="40" font-size="14">{_NO_COORDINATES.get(lang or "", _NO_COORDINATES[""])}'
            "</text></svg>"
        )
    bounds = np.array([g.total_bounds for g in layers])
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    pad = max(maxx - minx, maxy - miny, 200.0) * 0.06
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    scale = min((width - 20) / (maxx - minx), (height - 20) / (maxy - miny))

    def xy(x: float, y: float) -> tuple[float, float]:
        return 10 + (x - minx) * scale, height - 10 - (y - miny) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} '
        f'{height}" '
        f'role="img" aria-label="{html.escape(title or "A/B/C/D map")}" class="abcd-map">',
        f'<rect width="{width}" height="{height}" fill="#ffffff" stroke="#cccccc"/>',
    ]
    if backdrop is not None and len(layers) == 2:
        parts += [
            _svg_geometry(geom, xy, fill="#f2f2f2", stroke="#888888", title="") for geom in layers[0].geometry
        ]
    drawn = layers[-1] if features is not None and len(features) else None
    if drawn is not None:
        no_firm = (
            drawn["status"].isna().to_numpy()
            if "status" in drawn.columns
            else np.zeros(len(drawn), dtype=bool)
        )
        for geom, cls, label, none in zip(
            drawn.geometry,
            drawn[class_column].fillna(""),
            drawn[label_column].fillna(""),
            no_firm,
            strict=False,
        ):
            color = "#ffffff" if none else CLASS_COLORS.get(str(cls), CLASS_COLORS[""])
            parts.append(
                _svg_geometry(geom, xy, fill=color, stroke="#333333", title=f"{label} · {cls or '—'}")
            )
    parts += [_legend(width, lang), _north_arrow(width), _scale_bar(scale, height), "</svg>"]
    return "\n".join(p for p in parts if p)


_NO_COORDINATES = {
    "zh": "无坐标，无法制图",
    "en": "no coordinates to map",
    "": "无坐标，无法制图 / no coordinates to map",
}


def _svg_geometry(geom, xy, *, fill: str, stroke: str, title: str) -> str:
    if geom is None or geom.is_empty:
        return ""
    tip = f"<title>{html.escape(title)}</title>" if title else ""
    if geom.geom_type in ("Point", "MultiPoint"):
        points = [geom] if geom.geom_type == "Point" else list(geom.geoms)
        return "".join(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="0.8">{tip}</circle>'
            for x, y in (xy(p.x, p.y) for p in points)
        )
    polygons = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    rings = [
        ring for poly in polygons if poly.geom_type == "Polygon" for ring in (poly.exterior, *poly.interiors)
    ]
    d = " ".join(
        "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in (xy(*c[:2]) for c in ring.coords)) + " Z"
        for ring in rings
    )
    return (
        f'<path d="{d}" fill="{fill}" fill-rule="evenodd" stroke="{stroke}" stroke-width="0.8">{tip}</path>'
        if d
        else ""
    )


def _legend(width: int, lang: str | None = None) -> str:
    rated = {"zh": "只评分", "en": "Rated only"}.get(lang or "", "只评分 rated")
    cls = "类" if lang != "en" else ""
    items = [(c, f"{c} {cls}".strip() if lang != "en" else f"Class {c}") for c in "ABCD"] + [("", rated)]
    rows = "".join(
        f'<circle cx="{width - 118}" cy="{24 + 18 * k}" r="5" fill="{CLASS_COLORS[c]}" stroke="#333"/>'
        f'<text x="{width - 106}" y="{28 + 18 * k}" font-size="12">{html.escape(label)}</text>'
        for k, (c, label) in enumerate(items)
    )
    height = 18 * len(items) + 10
    box = f'<rect x="{width - 130}" y="10" width="120" height="{height}" fill="#fff" stroke="#ccc"/>'
    return f'<g class="legend">{box}{rows}</g>'


def _north_arrow(width: int) -> str:
    x = width - 150
    return (
        f'<g class="north"><path d="M {x} 40 L {x - 7} 58 L {x} 53 L {x + 7} 58 Z" fill="#333"/>'
        f'<text x="{x - 4}" y="34" font-size="12">N</text></g>'
    )


def _scale_bar(scale: float, height: int) -> str:
    target_m = 120 / scale
    nice = next(v for v in (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 1e9) if v >= target_m * 0.6)
    length = nice * scale
    label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice:g} m"
    y = height - 22
    return (
        f'<g class="scale"><rect x="20" y="{y}" width="{length:.1f}" height="5" fill="#333"/>'
        f'<text x="20" y="{y - 4}" font-size="11">{label} (EPSG:4547)</text></g>'
    )


# ----------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;color:#222;
     font-size:13px}
h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:22px 0 6px;border-bottom:1px solid #ccc}
.notice{background:#fff3cd;border:1px solid #e0c060;padding:8px 10px;margin:10px 0;font-weight:bold}
.meta{color:#555}table{border-collapse:collapse;margin:6px 0 14px;font-size:12px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f2f2f2}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.txt{white-space:nowrap}td.long{min-width:16em}
.cls{display:inline-block;min-width:1.6em;text-align:center;border-radius:3px;font-weight:bold}
.cls-A{background:#1a9850;color:#fff}.cls-B{background:#91cf60}.cls-C{background:#fdae61}.cls-D{background:#d73027;color:#fff}
@media print{body{margin:8mm}h2{page-break-after:avoid}table{page-break-inside:auto}
  tr{page-break-inside:avoid}}
@page{size:A4 landscape;margin:10mm}
"""


def evaluation_html(
    evaluation: Evaluation,
    *,
    features: gpd.GeoDataFrame | None = None,
    backdrop: gpd.GeoDataFrame | None = None,
    summaries: dict[str, pd.DataFrame] | None = None,
    control: pd.DataFrame | None = None,
    notice: str = "",
    title: str = "",
    lang: str = "zh",
) -> str:
    """A printable HTML report (one file: inline CSS, inline SVG map, no script, no remote link).

    Parameters
    ----------
    features : GeoDataFrame, optional
        What to map: :func:`zkq_geo.evaluation.evaluate.evaluation_points` or joined parcels.
    backdrop : GeoDataFrame, optional
        Outlines under the map (e.g. the zone boundary, schematic).
    summaries : dict, optional
        Extra summary tables by title (e.g. by park), after the summary by group.
    control : DataFrame, optional
        :func:`zkq_geo.evaluation.control.control_check` output.
    notice : str
        A banner, e.g. that the ledger is synthetic example data.
    lang : {"zh", "en"}
        The language of headings, headers and every code shown (groups, industries, statuses,
        reasons, control checks); blanks read "—".
    """
    s = evaluation.scheme
    zh = lang == "zh"
    t = _HTML_ZH if zh else _HTML_EN
    heading = title or f"{t['title']} — {s.title(lang)}"

    def table(frame: pd.DataFrame) -> str:
        return _html_table(display_frame(frame, s, lang), s, lang)

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">',
        f"<title>{html.escape(heading)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
        f'<p class="meta">{html.escape(s.id)} · {t["firms"].format(n=len(evaluation.table))}</p>',
    ]
    if notice:
        parts.append(f'<div class="notice">{html.escape(notice)}</div>')
    parts.append(f"<h2>{t['summary']}</h2>{table(summarize_classes(evaluation, 'group'))}")
    for name, frame in (summaries or {}).items():
        parts.append(f"<h2>{html.escape(name)}</h2>{table(frame)}")
    if features is not None:
        parts.append(f"<h2>{t['map']}</h2>" + map_svg(features, backdrop=backdrop, title=heading, lang=lang))
    for g in s.groups:
        frame = evaluation.group_table(g.id).drop(columns=["group"])
        if len(frame):
            parts.append(
                f"<h2>{html.escape(g.label(lang))}</h2>"
                f'<p class="meta">{html.escape(g.describe_when(lang))}</p>{table(frame)}'
            )
    ungrouped = evaluation.table[evaluation.table["group"] == ""]
    if len(ungrouped):
        parts.append(
            f"<h2>{t['ungrouped']}</h2>"
            + table(ungrouped[["credit_code", "name", "reason_code", "excluded_reason"]])
        )
    if control is not None:
        parts.append(f"<h2>{t['control']}</h2>" + table(control))
    parts.append(
        f"<h2>{t['method']}</h2><table>"
        + "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in method_rows(evaluation, lang)
        )
        + "</table>"
    )
    bench = benchmark_table(evaluation, lang)
    parts.append(_html_table(bench, s, lang, labelled=True))
    parts.append("</body></html>")
    return "\n".join(parts)


_HTML_ZH = {
    "title": "亩均效益评价报告",
    "firms": "{n} 家企业",
    "summary": "分类汇总（按评价组）",
    "map": "A/B/C/D 分类地图",
    "ungrouped": "未分组企业",
    "control": "控制指标核查",
    "method": "评价方法",
}
_HTML_EN = {
    "title": "Per-mu evaluation report",
    "firms": "{n} firms",
    "summary": "Classes by group",
    "map": "A/B/C/D map",
    "ungrouped": "Firms not grouped",
    "control": "Control indicators",
    "method": "Method",
}


def _html_table(frame: pd.DataFrame, scheme: Scheme, lang: str = "zh", labelled: bool = False) -> str:
    headers = [str(c) if labelled else column_label(str(c), scheme, lang) for c in frame.columns]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    rows = []
    for record in frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, record, strict=False):
            cells.append(_html_cell(str(column), value))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _html_cell(column: str, value) -> str:
    if column == "class" and value in ("A", "B", "C", "D"):
        return f'<td><span class="cls cls-{value}">{value}</span></td>'
    if _blank(value):
        return f"<td>{BLANK}</td>"
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return f'<td class="num">{int(value)}</td>'
    if isinstance(value, (float, np.floating)):
        return f'<td class="num">{format_number(float(value))}</td>'
    kind = "long" if column in ("notes", "excluded_reason", "issues") else "txt"
    return f'<td class="{kind}">{html.escape(str(value))}</td>'


def format_number(value: float) -> str:
    """Display text of a figure: thousands separators for large values, four significant
    digits for small ones (an R&D intensity of 0.0302 stays 0.0302); "" for NaN."""
    if math.isnan(value):
        return ""
    if abs(value) >= 100:
        return f"{value:,.1f}"
    if abs(value) >= 1 or value == 0:
        return f"{value:,.2f}"
    return f"{value:.4g}"
