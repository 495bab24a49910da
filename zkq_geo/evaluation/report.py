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

import html
import io
import math

import geopandas as gpd
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

# One set of formula-injection rules for every spreadsheet the project writes.
from zkq_geo.cells import set_cell
from zkq_geo.evaluation.evaluate import REASONS, Evaluation, summarize_classes
from zkq_geo.evaluation.ledger import template_columns
from zkq_geo.evaluation.scheme import Scheme, unsourced_items

CLASS_COLORS = {"A": "#1a9850", "B": "#91cf60", "C": "#fdae61", "D": "#d73027", "": "#9e9e9e"}
AREA_CRS = "EPSG:4547"
_SHEET_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})
_FIXED_LABELS = {
    "credit_code": "统一社会信用代码 credit_code",
    "name": "企业名称 name",
    "group": "评价组 group",
    "adjustment_score": "加减分 adjustments",
    "total_score": "总分 total_score",
    "rank": "组内排名 rank",
    "class": "分类 class",
    "status": "状态 status",
    "reason_code": "原因代码 reason_code",
    "excluded_reason": "未分类原因 excluded_reason",
    "notes": "备注 notes",
    "firms": "企业数 firms",
    "graded": "参与分类 graded",
    "rated": "只评分 rated",
    "excluded": "未评价 excluded",
    "land_mu_graded": "参评用地（亩）land_mu_graded",
    "tax_wan_per_mu": "亩均税收（万元/亩）",
    "revenue_wan_per_mu": "亩均营业收入（万元/亩）",
    "value_added_wan_per_mu": "亩均增加值（万元/亩）",
}
_STATUS_ZH = {"graded": "参与分类", "rated": "只评分不分类", "excluded": "未评价"}


# ----------------------------------------------------------------------------- labels
def column_label(column: str, scheme: Scheme) -> str:
    """Bilingual header of a result or summary column: ``亩均税收（万元/亩） tax_per_mu``."""
    if column in _FIXED_LABELS:
        return _FIXED_LABELS[column]
    indicators = {i.id: i for g in scheme.groups for i in g.indicators}
    if column in indicators:
        ind = indicators[column]
        return f"{ind.label_zh}{f'（{ind.unit}）' if ind.unit else ''} {column}"
    if column.endswith("_score") and column[:-6] in indicators:
        return f"{indicators[column[:-6]].label_zh}得分 {column}"
    if column.startswith("count_"):
        return f"{column[6:]}类企业数 {column}"
    if column.startswith("land_mu_"):
        return f"{column[8:]}类用地（亩）{column}"
    return column


def method_rows(evaluation: Evaluation) -> list[tuple[str, str]]:
    """(topic, explanation) rows of the method: scoring, ties, exclusions, source, notes."""
    s = evaluation.scheme
    rows = [("方案 scheme", f"{s.title_zh} / {s.title_en} ({s.id})"), ("来源 source", s.source)]
    rows += [("说明 note", n) for n in s.notes]
    rows += unsourced_items(s)
    rows += [
        (
            "单项得分 item score",
            "item score = weight × indicator value ÷ benchmark, then the optional floor and cap "
            "(单项得分 = 权重 × 指标值 ÷ 基准值，可设上下限)",
        ),
        (
            "总分 total",
            "total = sum of item scores + bonuses − deductions (总分 = 各项得分之和 + 加分 − 减分)",
        ),
        (
            "基准 benchmark",
            "a fixed number, or mean/median of the graded firms of the group that have a value",
        ),
        (
            "缺失 missing",
            "an indicator that cannot be computed (missing input, division by zero) "
            + ("scores 0 and is noted" if s.missing_values == "zero" else "excludes the firm"),
        ),
        ("排名 rank", "within the group, graded firms only; equal totals share the best rank (1, 2, 2, 4)"),
        (
            "并列 ties",
            "equal totals get the same (better) class, so a class can exceed its share when a tie "
            "straddles a cut; tied firms are listed by credit code, then name",
        ),
    ]
    rows += [(f"分类 classes: {g.id}", s.rule_for(g.id).describe()) for g in s.groups]
    rows += [
        (
            f"分组 group: {g.id}",
            f"{g.label_zh}：{g.describe_when('zh')} / {g.label_en}: {g.describe_when()}"
            + (f". {g.note}" if g.note else ""),
        )
        for g in s.groups
    ]
    rows += [(f"排除 {code}", f"{zh} / {en}") for code, (zh, en) in REASONS.items()]
    rows.append(
        (
            "租赁 leased",
            "firms on leased premises are only evaluated in a group for leased firms, which "
            "never uses land area; nothing is ever divided by floor area",
        )
    )
    return rows


# ----------------------------------------------------------------------------- Excel
def evaluation_xlsx(
    evaluation: Evaluation, *, extra_sheets: dict[str, pd.DataFrame] | None = None, notice: str = ""
) -> bytes:
    """The evaluation as an Excel workbook (bytes).

    Sheets: ``说明 Method``; ``汇总 Summary`` (by group and class); one sheet per group that has
    firms, named after the group; ``未分组 Not grouped`` when firms were excluded before
    grouping; then ``extra_sheets`` (title -> table, e.g. the summary by park or the control
    check). ``notice`` (e.g. "synthetic example data") heads the method sheet.
    """
    wb = Workbook()
    names: set[str] = set()
    method = wb.active
    method.title = _sheet_name("说明 Method", names)
    _fill_method(method, evaluation, notice)
    _fill_table(
        wb.create_sheet(_sheet_name("汇总 Summary", names)),
        summarize_classes(evaluation, "group"),
        evaluation.scheme,
    )
    table = evaluation.table
    for g in evaluation.scheme.groups:
        if (table["group"] == g.id).any():
            _fill_table(
                wb.create_sheet(_sheet_name(g.label_zh, names)),
                evaluation.group_table(g.id),
                evaluation.scheme,
            )
    ungrouped = table[table["group"] == ""]
    if len(ungrouped):
        _fill_table(
            wb.create_sheet(_sheet_name("未分组 Not grouped", names)),
            ungrouped[evaluation.result_columns[:3] + ["status", "reason_code", "excluded_reason", "notes"]],
            evaluation.scheme,
        )
    for title, frame in (extra_sheets or {}).items():
        _fill_table(wb.create_sheet(_sheet_name(title, names)), frame, evaluation.scheme)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def group_sheet_names(evaluation: Evaluation) -> list[str]:
    """Names :func:`evaluation_xlsx` gives the group sheets, in order."""
    names = {"说明 Method", "汇总 Summary"}
    return [
        _sheet_name(g.label_zh, names)
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


def _fill_method(ws, evaluation: Evaluation, notice: str) -> None:
    bold = Font(bold=True)
    row = 1
    if notice:
        set_cell(ws, row, 1, notice).font = Font(bold=True, color="C00000")
        row += 2
    for topic, text in method_rows(evaluation):
        set_cell(ws, row, 1, topic).font = bold
        set_cell(ws, row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    bench = evaluation.benchmarks
    headers = [
        "group",
        "indicator",
        "label_zh",
        "label_en",
        "formula",
        "unit",
        "weight",
        "benchmark_rule",
        "benchmark",
        "cap",
        "floor",
        "firms_with_value",
        "published",
        "placeholder",
    ]
    for j, h in enumerate(headers, start=1):
        set_cell(ws, row, j, h).font = bold
    for record in bench[headers].itertuples(index=False):
        row += 1
        for j, value in enumerate(record, start=1):
            set_cell(ws, row, j, "" if value is None else value)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100


def _fill_table(ws, frame: pd.DataFrame, scheme: Scheme) -> None:
    """Row 1: bilingual labels; row 2: column keys; data from row 3; panes frozen."""
    bold, grey = Font(bold=True), Font(color="808080")
    for j, column in enumerate(frame.columns, start=1):
        set_cell(ws, 1, j, column_label(str(column), scheme)).font = bold
        set_cell(ws, 2, j, str(column)).font = grey
    fills = {c: PatternFill("solid", fgColor=color.lstrip("#")) for c, color in CLASS_COLORS.items() if c}
    class_col = list(frame.columns).index("class") + 1 if "class" in frame.columns else None
    for i, record in enumerate(frame.itertuples(index=False, name=None), start=3):
        for j, value in enumerate(record, start=1):
            cell = set_cell(ws, i, j, value)
            if isinstance(value, float):
                cell.number_format = "0.00"
        if class_col and record[class_col - 1] in fills:
            ws.cell(row=i, column=class_col).fill = fills[record[class_col - 1]]
    ws.freeze_panes = "C3" if "name" in frame.columns else "A3"
    for j in range(1, len(frame.columns) + 1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = 16


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
) -> str:
    """An SVG map of ``features`` (points or parcels) coloured by class.

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
            '<text x="10" y="40" font-size="14">无坐标，无法制图 / no coordinates to map</text></svg>'
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
    parts += [_legend(width), _north_arrow(width), _scale_bar(scale, height), "</svg>"]
    return "\n".join(p for p in parts if p)


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


def _legend(width: int) -> str:
    items = [("A", "A 类"), ("B", "B 类"), ("C", "C 类"), ("D", "D 类"), ("", "只评分 rated")]
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
    """
    s = evaluation.scheme
    heading = title or f"亩均效益评价报告 Per-mu evaluation report — {s.title_zh}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(heading)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
        f'<p class="meta">{html.escape(s.title_en)} · {html.escape(s.id)} · {len(evaluation.table)} '
        "firms</p>",
    ]
    if notice:
        parts.append(f'<div class="notice">{html.escape(notice)}</div>')
    parts.append(
        f"<h2>分类汇总 Classes by group</h2>{_html_table(summarize_classes(evaluation, 'group'), s)}"
    )
    for name, frame in (summaries or {}).items():
        parts.append(f"<h2>{html.escape(name)}</h2>{_html_table(frame, s)}")
    if features is not None:
        parts.append("<h2>分类地图 A/B/C/D map</h2>" + map_svg(features, backdrop=backdrop, title=heading))
    for g in s.groups:
        table = evaluation.group_table(g.id).drop(columns=["group", "reason_code"])
        if len(table):
            parts.append(
                f"<h2>{html.escape(g.label_zh)} / {html.escape(g.label_en)}</h2>"
                f'<p class="meta">{html.escape(g.describe_when("zh"))} / '
                f"{html.escape(g.describe_when())}</p>{_html_table(table, s)}"
            )
    ungrouped = evaluation.table[evaluation.table["group"] == ""]
    if len(ungrouped):
        parts.append(
            "<h2>未分组 Not grouped</h2>"
            + _html_table(ungrouped[["credit_code", "name", "excluded_reason"]], s)
        )
    if control is not None:
        parts.append("<h2>控制指标核查 Control indicators</h2>" + _html_table(control, s))
    parts.append(
        "<h2>方法 Method</h2><table>"
        + "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in method_rows(evaluation)
        )
        + "</table>"
    )
    parts.append(_html_table(evaluation.benchmarks.drop(columns=["label_en"]), s))
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_table(frame: pd.DataFrame, scheme: Scheme) -> str:
    head = "".join(f"<th>{html.escape(column_label(str(c), scheme))}</th>" for c in frame.columns)
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
    if column == "status":
        return f"<td>{html.escape(_STATUS_ZH.get(str(value), str(value)))}</td>"
    if isinstance(value, (bool, np.bool_)):
        return f"<td>{'是' if value else '否'}</td>"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f'<td class="num">{int(value)}</td>'
    if isinstance(value, (float, np.floating)):
        return f'<td class="num">{format_number(float(value))}</td>'
    if value is None or value is pd.NA:
        return "<td></td>"
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
