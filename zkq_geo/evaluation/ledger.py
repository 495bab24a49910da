"""The enterprise ledger (企业台账) of per-mu evaluation: columns, header aliases and units.

One row per enterprise (or per parcel already summed to its enterprise). Headers may be the
English column names below, or Chinese headers such as ``用地面积（亩）`` or ``税收(元)``: the
part in brackets declares the unit, which is converted on input to the column's storage unit.
A header without a unit (``用地面积``, ``land_area``) is in the storage unit unless ``units``
says otherwise; English headers may also carry the unit as a suffix (``tax_yuan``,
``land_area_m2``). Storage units are in the names (STYLE.md habit 4): ``land_area_mu`` (亩),
``tax_wan`` (万元), ``energy_tce`` (吨标准煤), ``electricity_kwh`` (千瓦时), ``*_m2`` (m2).

Text columns keep their text; ``scale`` becomes ``above``/``below`` (规上/规下, empty allowed),
``land_status`` ``owned``/``leased`` (自有/租赁; empty means owned), ``special`` ``utility``/
``startup``/empty (公用事业、新建投产: rated, not graded). Under the yes/no headers ``是否规上``
and ``是否租赁``, 是/否 answer that question (是否租赁 = 是 is leased). Columns not listed here are kept as
text under their own header (for scheme adjustments such as a 高新技术企业 flag).

:func:`read_ledger` is the thin I/O layer; :func:`parse_ledger` does the work on a frame of text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zkq_geo.errors import SchemaError
from zkq_geo.i18n.messages import Items, msg
from zkq_geo.importing.sheets import read_sheet
from zkq_geo.safety.safe_input import staged_upload
from zkq_geo.units import M2_PER_HA, M2_PER_MU, WAN_PER_YI, YUAN_PER_WAN


@dataclass(frozen=True)
class LedgerField:
    """One ledger column: storage name, unit family, labels and the headers accepted for it."""

    column: str
    quantity: str  # text, area_mu, area_m2, money, energy, mass, water, power, count, degree
    label_zh: str
    label_en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    note_zh: str = ""


# Unit families: accepted unit spellings -> factor to the storage unit of the family.
_AREA_TO_M2 = {
    "m2": 1.0,
    "㎡": 1.0,
    "m²": 1.0,
    "平方米": 1.0,
    "平米": 1.0,
    "mu": M2_PER_MU,
    "亩": M2_PER_MU,
    "ha": M2_PER_HA,
    "hm2": M2_PER_HA,
    "公顷": M2_PER_HA,
}
UNIT_FACTORS: dict[str, dict[str, float]] = {
    "area_mu": {k: v / M2_PER_MU for k, v in _AREA_TO_M2.items()},
    "area_m2": dict(_AREA_TO_M2),
    "money": {
        "wan": 1.0,
        "万元": 1.0,
        "yuan": 1 / YUAN_PER_WAN,
        "元": 1 / YUAN_PER_WAN,
        "yi": WAN_PER_YI,
        "亿元": WAN_PER_YI,
    },
    "energy": {"tce": 1.0, "吨标准煤": 1.0, "吨标煤": 1.0, "t标准煤": 1.0, "万吨标准煤": 1e4, "万tce": 1e4},
    "mass": {"t": 1.0, "吨": 1.0, "kg": 1e-3, "千克": 1e-3, "公斤": 1e-3},
    "water": {"t": 1.0, "吨": 1.0, "m3": 1.0, "立方米": 1.0, "万吨": 1e4, "万立方米": 1e4},
    "power": {"kwh": 1.0, "千瓦时": 1.0, "度": 1.0, "mwh": 1e3, "万千瓦时": 1e4, "万kwh": 1e4, "万度": 1e4},
    "count": {"人": 1.0, "persons": 1.0, "person": 1.0},
    "degree": {"°": 1.0, "度": 1.0, "deg": 1.0},
}
STORAGE_UNITS = {
    "area_mu": "亩",
    "area_m2": "m²",
    "money": "万元",
    "energy": "tce",
    "mass": "t",
    "water": "t",
    "power": "kWh",
    "count": "人",
    "degree": "°",
}
_TEMPLATE_UNITS = {
    "area_mu": "亩",
    "area_m2": "平方米",
    "money": "万元",
    "energy": "吨标准煤",
    "mass": "吨",
    "water": "吨",
    "power": "千瓦时",
    "count": "人",
    "degree": "",
}
# English header suffixes that declare a unit: tax_yuan, land_area_m2 ...
_SUFFIX_UNITS = {
    "area_mu": ("mu", "m2", "ha"),
    "area_m2": ("m2", "mu", "ha"),
    "money": ("wan", "yuan", "yi"),
    "energy": ("tce",),
    "mass": ("t", "kg"),
    "water": ("t", "m3"),
    "power": ("kwh", "mwh"),
}

FIELDS: tuple[LedgerField, ...] = (
    LedgerField(
        "credit_code",
        "text",
        "统一社会信用代码",
        "Unified social credit code",
        ("统一社会信用代码", "社会信用代码", "信用代码"),
        True,
    ),
    LedgerField(
        "name", "text", "企业名称", "Enterprise name", ("企业名称", "名称", "企业", "单位名称"), True
    ),
    LedgerField(
        "land_area_mu",
        "area_mu",
        "用地面积",
        "Land area",
        ("用地面积", "占地面积", "土地面积", "land_area"),
        True,
        "自有土地面积（不是建筑面积）；租赁企业可留空",
    ),
    LedgerField(
        "tax_wan",
        "money",
        "税收",
        "Tax paid",
        ("税收", "实缴税收", "实缴税金", "税收实际贡献", "纳税额", "tax"),
    ),
    LedgerField(
        "revenue_wan", "money", "营业收入", "Revenue", ("营业收入", "销售收入", "主营业务收入", "revenue")
    ),
    LedgerField(
        "value_added_wan", "money", "工业增加值", "Value added", ("工业增加值", "增加值", "value_added")
    ),
    LedgerField("energy_tce", "energy", "综合能耗", "Energy use", ("综合能耗", "能耗", "总能耗", "energy")),
    LedgerField(
        "emissions_t",
        "mass",
        "主要污染物排放量",
        "Pollutant emissions",
        ("主要污染物排放量", "污染物排放量", "排放量", "emissions"),
    ),
    LedgerField(
        "employees",
        "count",
        "从业人员",
        "Employees",
        ("从业人员", "从业人数", "职工人数", "年平均职工人数", "年平均从业人员"),
    ),
    LedgerField(
        "rd_wan",
        "money",
        "研发经费",
        "R&D spending",
        ("研发经费", "研发投入", "R&D经费支出", "研发费用", "rd"),
    ),
    LedgerField(
        "electricity_kwh", "power", "用电量", "Electricity use", ("用电量", "总用电量", "electricity")
    ),
    LedgerField("water_t", "water", "用水量", "Water use", ("用水量", "新鲜水用量", "water")),
    LedgerField(
        "cod_t", "mass", "COD排放量", "COD emissions", ("COD排放量", "化学需氧量排放量", "化学需氧量", "cod")
    ),
    LedgerField(
        "scale",
        "text",
        "规模",
        "Scale",
        ("规模", "企业规模", "是否规上"),
        False,
        "规上 / 规下（above / below）",
    ),
    LedgerField(
        "land_status",
        "text",
        "用地方式",
        "Land status",
        ("用地方式", "用地性质", "土地状态", "是否租赁"),
        False,
        "自有 / 租赁（owned / leased）；留空视为自有",
    ),
    LedgerField(
        "special",
        "text",
        "特殊类型",
        "Special status",
        ("特殊类型", "企业类型标记"),
        False,
        "公用事业 / 新建投产（utility / startup）：只评分不分类；一般企业留空",
    ),
    LedgerField("industry", "text", "产业", "Industry", ("产业", "行业", "所属行业", "所属产业")),
    LedgerField("park", "text", "园区", "Park", ("园区", "所属园区", "park_id")),
    LedgerField("plate", "text", "板块", "Plate", ("板块", "所属板块", "plate_id")),
    LedgerField(
        "lon",
        "degree",
        "经度",
        "Longitude",
        ("经度", "longitude", "lng"),
        False,
        "WGS84（不是高德/百度坐标）",
    ),
    LedgerField("lat", "degree", "纬度", "Latitude", ("纬度", "latitude"), False, "WGS84"),
    LedgerField(
        "investment_wan",
        "money",
        "固定资产投资",
        "Fixed-asset investment",
        ("固定资产投资", "固定资产总投资", "投资额", "investment"),
    ),
    LedgerField(
        "floor_area_m2",
        "area_m2",
        "总建筑面积",
        "Floor area",
        ("总建筑面积", "建筑面积", "floor_area"),
        False,
        "仅用于容积率核查，绝不作为亩均分母",
    ),
    LedgerField(
        "building_footprint_m2",
        "area_m2",
        "建构筑物及堆场占地面积",
        "Building footprint",
        ("建构筑物及堆场占地面积", "建筑物构筑物占地面积", "建筑基底面积", "building_footprint"),
        False,
        "建筑系数 = 此面积 ÷ 用地面积",
    ),
    LedgerField(
        "admin_area_m2",
        "area_m2",
        "行政办公及生活服务设施用地面积",
        "Admin and living land",
        ("行政办公及生活服务设施用地面积", "行政办公及生活服务用地", "admin_area"),
    ),
    LedgerField(
        "control_category",
        "text",
        "控制指标行业类别",
        "Control-indicator category",
        ("控制指标行业类别", "控制指标行业"),
        False,
        "geodata/control_indicators.yaml 中的类别（如 electronics、pharmaceuticals）",
    ),
)
FIELD_BY_COLUMN = {f.column: f for f in FIELDS}
TEXT_COLUMNS = tuple(f.column for f in FIELDS if f.quantity == "text")
NUMERIC_COLUMNS = tuple(f.column for f in FIELDS if f.quantity != "text")
REQUIRED_COLUMNS = tuple(f.column for f in FIELDS if f.required)
# Columns a scheme formula may read: every figure except floor area (never a denominator) and coordinates.
FORMULA_COLUMNS = tuple(c for c in NUMERIC_COLUMNS if c not in ("floor_area_m2", "lon", "lat"))

SCALE_VALUES = {
    "": "",
    "above": "above",
    "规上": "above",
    "规模以上": "above",
    "规上企业": "above",
    "是": "above",
    "below": "below",
    "规下": "below",
    "规模以下": "below",
    "规下企业": "below",
    "否": "below",
}
LAND_STATUS_VALUES = {
    "": "owned",
    "owned": "owned",
    "自有": "owned",
    "自有土地": "owned",
    "出让": "owned",
    "划拨": "owned",
    "leased": "leased",
    "租赁": "leased",
    "租用": "leased",
    "租赁厂房": "leased",
    "租赁用地": "leased",
}
SPECIAL_VALUES = {
    "": "",
    "utility": "utility",
    "公用事业": "utility",
    "公益": "utility",
    "基础设施": "utility",
    "startup": "startup",
    "新建": "startup",
    "新建投产": "startup",
    "初创": "startup",
    "投产未满一年": "startup",
}
CHOICE_LABELS_ZH = {
    "above": "规上",
    "below": "规下",
    "owned": "自有",
    "leased": "租赁",
    "utility": "公用事业",
    "startup": "新建投产",
}  # the stored choices as the ledger template names them
_CHOICES = {"scale": SCALE_VALUES, "land_status": LAND_STATUS_VALUES, "special": SPECIAL_VALUES}
# Yes/no headers: the answer 是/否 means something different under each question.
_YES_NO_HEADERS = {"是否规上": {"是": "above", "否": "below"}, "是否租赁": {"是": "leased", "否": "owned"}}
_STORAGE_SUFFIX = re.compile(r"_(mu|m2|wan|tce|t|kwh)$")
_BRACKETS = re.compile(r"^\s*(.+?)\s*[（(\[【]\s*(.+?)\s*[)）\]】]\s*$")


# ----------------------------------------------------------------------------- public API
def read_ledger(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    encoding: str = "auto",
    units: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a ledger from a CSV or Excel file, or from the bytes of an upload, and parse it.

    The table is read by :func:`zkq_geo.importing.sheets.read_sheet`: CSV in UTF-8 or GBK/GB18030
    (detected), .xlsx with a title row above the header allowed, size limits checked.

    Parameters
    ----------
    source : path or bytes
        A file path, or the bytes of an upload (then ``filename`` tells CSV from Excel).
    sheet : str, optional
        Excel sheet name (default: the first sheet).
    encoding : str
        CSV encoding: "auto" (default), "utf-8", "gbk" or "gb18030".
    units : mapping, optional
        Units of columns whose header declares none, by storage column name:
        ``{"land_area_mu": "m2", "tax_wan": "元"}``.

    Returns
    -------
    pandas.DataFrame
        See :func:`parse_ledger`.

    Raises
    ------
    DataSourceError
        The file is missing, empty, too large or not a readable table.
    SchemaError
        See :func:`parse_ledger`.
    """
    if isinstance(source, bytes):
        name = filename or "ledger.csv"
        with staged_upload(source, name) as path:
            table = read_sheet(path, sheet=sheet, encoding=encoding)
    else:
        name = filename or Path(source).name
        table = read_sheet(source, sheet=sheet, encoding=encoding)
    return parse_ledger(table.frame, units=units, origin=name, row_numbers=table.data_rows)


def parse_ledger(
    raw: pd.DataFrame,
    *,
    units: Mapping[str, str] | None = None,
    origin: str = "ledger",
    row_numbers: tuple[int, ...] | None = None,
) -> pd.DataFrame:
    """Map headers to ledger columns, convert units, normalise codes; check the result.

    Parameters
    ----------
    raw : pandas.DataFrame
        Cells as text (``""`` for empty), headers as in the file.
    units : mapping, optional
        Units for headers that declare none, by storage column name.
    origin : str
        File name for messages.
    row_numbers : tuple of int, optional
        Spreadsheet row number of each row of ``raw``, for messages (default: header on row 1).

    Returns
    -------
    pandas.DataFrame
        One row per enterprise with the storage columns found (numbers as float64 in storage
        units, NaN when empty), ``land_status`` always present, plus any unknown columns as text.
        ``attrs["units_read"]`` maps each column to the unit it was read in.

    Raises
    ------
    SchemaError
        A required column is missing, two headers map to one column, a unit or a code value is
        not recognised, a number cannot be read, a row has neither code nor name, or a credit
        code is duplicated.

    Examples
    --------
    A header ``用地面积（平方米）`` with 6666.67 gives ``land_area_mu`` 10.0; ``税收（元）`` with
    300000 gives ``tax_wan`` 30.0.
    """
    units = dict(units or {})
    unknown = sorted(set(units) - set(NUMERIC_COLUMNS))
    if unknown:
        raise SchemaError(msg("ledger_units_not_numeric", unknown=unknown, columns=Items(NUMERIC_COLUMNS)))
    mapping = _map_headers([str(c) for c in raw.columns], units, origin)
    missing = [c for c in REQUIRED_COLUMNS if c not in {m[0] for m in mapping.values()}]
    if missing:
        wanted = Items(
            (msg("ledger_wanted_column", column=c, label=FIELD_BY_COLUMN[c].label_zh) for c in missing),
            sep="; ",
            zh_sep="；",
        )
        headers = Items(map(str, raw.columns))
        raise SchemaError(msg("ledger_missing_columns", origin=origin, wanted=wanted, headers=headers))
    rows = tuple(row_numbers) if row_numbers is not None else tuple(range(2, len(raw) + 2))
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    read_units = {}
    for header, (column, factor, unit) in mapping.items():
        out[column] = _convert(raw[header], column, factor, origin, header, rows).to_numpy()
        read_units[column] = unit
    if "land_status" not in out:
        out["land_status"] = "owned"
    _check_identity(out, origin, rows)
    out.attrs["units_read"] = read_units
    return out


def template_columns() -> pd.DataFrame:
    """The template's columns: Chinese header (with unit), English column, units accepted, required, note."""
    return pd.DataFrame(
        [
            {
                "header_zh": _template_header(f),
                "column": f.column,
                "label_en": f.label_en,
                "unit": STORAGE_UNITS.get(f.quantity, ""),
                "units_accepted": " / ".join(UNIT_FACTORS.get(f.quantity, {})),
                "required": "是 yes" if f.required else "",
                "note_zh": f.note_zh,
            }
            for f in FIELDS
        ]
    )


# ----------------------------------------------------------------------------- workers
def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _alias_index() -> dict[str, LedgerField]:
    return {_key(alias): f for f in FIELDS for alias in (f.column, f.label_zh, *f.aliases)}


_ALIASES = _alias_index()


def _map_headers(headers: list[str], units: dict[str, str], origin: str) -> dict[str, tuple[str, float, str]]:
    """header -> (column, factor to storage unit, unit read); unknown headers map to themselves."""
    mapping: dict[str, tuple[str, float, str]] = {}
    seen: dict[str, str] = {}
    for header in headers:
        column, factor, unit = _resolve_header(header, units, origin)
        if column in seen:
            raise SchemaError(
                msg("ledger_headers_clash", origin=origin, first=seen[column], second=header, column=column)
            )
        seen[column] = header
        mapping[header] = (column, factor, unit)
    return mapping


def _resolve_header(header: str, units: dict[str, str], origin: str) -> tuple[str, float, str]:
    text = header.strip()
    match = _BRACKETS.match(text)
    name, declared = (match.group(1), match.group(2)) if match else (text, None)
    field = _ALIASES.get(_key(name))
    if field is None and declared is None:
        field, declared = _english_with_suffix(name)
    if field is None:
        return text, 1.0, ""
    if field.quantity == "text":
        return field.column, 1.0, ""
    if declared is None and _key(name) == field.column:
        declared = STORAGE_UNITS[
            field.quantity
        ]  # the storage name states its unit; `units` cannot override it
    unit = declared if declared is not None else units.get(field.column, STORAGE_UNITS[field.quantity])
    return field.column, _unit_factor(field, unit, origin, header), unit


def _english_with_suffix(name: str) -> tuple[LedgerField | None, str | None]:
    """``tax_yuan`` -> (tax_wan field, "yuan"); ``land_area_m2`` -> (land_area_mu field, "m2")."""
    lowered = _key(name)
    for f in FIELDS:
        base = _STORAGE_SUFFIX.sub("", f.column)
        for suffix in _SUFFIX_UNITS.get(f.quantity, ()):
            if base != f.column and lowered == f"{base}_{suffix}":
                return f, suffix
    return None, None


def _unit_factor(field: LedgerField, unit: str, origin: str, header: str) -> float:
    factors = UNIT_FACTORS[field.quantity]
    factor = factors.get(unit, factors.get(unit.lower().replace(" ", "")))
    if factor is None:
        raise SchemaError(
            msg(
                "ledger_bad_unit",
                origin=origin,
                header=header,
                unit=unit,
                label=field.label_zh,
                column=field.column,
                allowed=Items(factors),
            )
        )
    return factor


def _convert(
    values: pd.Series, column: str, factor: float, origin: str, header: str, rows: tuple[int, ...]
) -> pd.Series:
    text = values.fillna("").astype(str).str.strip()
    if column in _CHOICES:
        return _normalise_choice(text, column, origin, header)
    field = FIELD_BY_COLUMN.get(column)
    if field is None or field.quantity == "text":
        return text
    cleaned = text.str.replace(",", "", regex=False).str.replace("，", "", regex=False)
    numbers = pd.to_numeric(cleaned.replace("", np.nan), errors="coerce")
    bad = (cleaned != "") & numbers.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(
            msg("ledger_not_number", origin=origin, header=header, row=rows[row], value=text.iloc[row])
        )
    return numbers.astype("float64") * factor


def _normalise_choice(text: pd.Series, column: str, origin: str, header: str) -> pd.Series:
    allowed = {**_CHOICES[column], **_YES_NO_HEADERS.get(_key(header), {})}
    lowered = text.str.lower()
    bad = sorted(set(text[~lowered.isin(list(allowed))]))
    if bad:
        choices = Items(repr(k) for k in allowed if k)
        raise SchemaError(msg("ledger_bad_choice", origin=origin, header=header, bad=bad, allowed=choices))
    return lowered.map(allowed)


def _check_identity(df: pd.DataFrame, origin: str, rows: tuple[int, ...]) -> None:
    code = df["credit_code"].astype(str).str.strip()
    name = df["name"].astype(str).str.strip()
    blank = (code == "") & (name == "")
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0])
        raise SchemaError(msg("ledger_no_identity", origin=origin, row=rows[row]))
    dup = code[(code != "") & code.duplicated(keep=False)]
    if len(dup):
        lines = ", ".join(str(rows[i]) for i in dup.index[:6])
        raise SchemaError(msg("ledger_duplicate_code", origin=origin, code=dup.iloc[0], rows=lines))


def _template_header(f: LedgerField) -> str:
    unit = _TEMPLATE_UNITS.get(f.quantity, "")
    return f"{f.label_zh}（{unit}）" if unit else f.label_zh
