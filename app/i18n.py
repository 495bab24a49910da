"""UI strings, Chinese first (zh) with English (en). Pages call ``t(key)``; no literal UI text in pages."""
from __future__ import annotations

import streamlit as st

from state import LANG

LANGS = {"zh": "中文", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "郑州经开区 空间规划与用地一张图", "en": "Zhengzhou ETDZ spatial planning & land use"},
    "page_map": {"zh": "地图", "en": "Map"},
    "page_efficiency": {"zh": "亩均效益", "en": "Land efficiency (per mu)"},
    "page_data": {"zh": "数据与来源", "en": "Data & sources"},
    "language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "filters": {"zh": "筛选", "en": "Filters"},
    "industry": {"zh": "产业", "en": "Industry"},
    "plate": {"zh": "板块", "en": "Plate"},
    "all_plates": {"zh": "全部板块", "en": "All plates"},
    "investment_range": {"zh": "总投资（亿元）", "en": "Total investment (100 million yuan, 亿元)"},
    "search": {"zh": "名称搜索（含别名）", "en": "Search name (incl. aliases)"},
    "layers": {"zh": "图层", "en": "Layers"},
    "basemap": {"zh": "底图", "en": "Basemap"},
    "basemap_none": {"zh": "无底图（离线可用）", "en": "None (works offline)"},
    "basemap_osm": {"zh": "OpenStreetMap", "en": "OpenStreetMap"},
    "basemap_tianditu": {"zh": "天地图", "en": "Tianditu 天地图"},
    "basemap_amap": {"zh": "高德地图（GCJ-02，矢量已偏移对齐）", "en": "AMap 高德 (GCJ-02; vectors shifted to match)"},
    "color_by": {"zh": "园区着色", "en": "Colour parks by"},
    "color_industry": {"zh": "产业", "en": "Industry"},
    "color_intensity": {"zh": "投资强度（万元/亩）", "en": "Investment intensity (万元/亩)"},
    "reset_filters": {"zh": "清除筛选", "en": "Clear filters"},
    "schematic_note": {"zh": "⚠️ 示意范围，非法定边界：种子文件不含坐标，图上位置与范围为按文件面积绘制的示意图，仅供参考。",
                       "en": "⚠️ Schematic extent, not a legal boundary: the source documents hold no coordinates; positions and outlines are drawn to the documented areas for illustration only."},
    "count_parks": {"zh": "小微企业园", "en": "Parks"},
    "count_projects": {"zh": "项目", "en": "Projects"},
    "invest_parks": {"zh": "园区总投资（亿元）", "en": "Park investment (亿元)"},
    "invest_projects": {"zh": "项目总投资（亿元）", "en": "Project investment (亿元)"},
    "investment_sum_note": {"zh": "所选要素所列投资额之和。园区与项目分开合计：部分项目位于园区内或与园区为同一对象（如生物医药大健康产业园），相加会重复计算。",
                            "en": "Sum of the stated figures of the selected features. Parks and projects are summed separately: some projects lie in a park or are the park itself (e.g. 生物医药大健康产业园), so adding them would double count."},
    "investment_lower_bound_note": {"zh": "含下限值（“超X亿”），合计亦为下限。", "en": " Includes lower bounds (\"over X\"), so the sum is a lower bound."},
    "zoom_selection": {"zh": "缩放至所选要素", "en": "Zoom to selection"},
    "zoom_all": {"zh": "显示全区", "en": "Show whole zone"},
    "table": {"zh": "属性表", "en": "Attribute table"},
    "detail": {"zh": "要素详情", "en": "Feature details"},
    "detail_pick": {"zh": "点击地图要素，或在此选择：", "en": "Click a feature on the map, or pick one here:"},
    "detail_none": {"zh": "（未选择）", "en": "(none)"},
    "conflicts": {"zh": "不同来源的数字", "en": "Figures from other sources"},
    "source": {"zh": "来源", "en": "Source"},
    "export": {"zh": "导出所选", "en": "Export selection"},
    "export_layer": {"zh": "导出图层", "en": "Layer to export"},
    "export_format": {"zh": "格式", "en": "Format"},
    "download": {"zh": "下载", "en": "Download"},
    "export_count": {"zh": "将导出 {n} 个要素", "en": "{n} features will be exported"},
    "no_match": {"zh": "没有符合筛选条件的要素。", "en": "No features match the filters."},
    "zone_per_mu": {"zh": "全区亩均（按规划面积）", "en": "Zone-level figures per mu (over planned area)"},
    "zone_per_mu_note": {"zh": "分母为规划面积 158.7 平方公里（238,050 亩），不是建成区或工业用地面积，仅作规划层面的密度参考。",
                         "en": "The denominator is the planned area (158.7 km², 238,050 mu), not built-up or industrial land: a planning-level density only."},
    "ranking": {"zh": "投资强度排名（万元/亩）", "en": "Investment intensity ranking (万元/亩)"},
    "intensity_map": {"zh": "按投资强度着色的地图", "en": "Map coloured by investment intensity"},
    "not_computable": {"zh": "无法计算投资强度（缺少用地面积；不以建筑面积代替）", "en": "Intensity not computable (no land area; floor area is never used instead)"},
    "lower_bounds": {"zh": "仅为下限的投资强度（投资额为“超X亿”）", "en": "Intensity only a lower bound (investment given as \"over X\")"},
    "summary_by": {"zh": "分组汇总", "en": "Summary by group"},
    "by_industry": {"zh": "按产业", "en": "By industry"},
    "by_plate": {"zh": "按板块", "en": "By plate"},
    "sources": {"zh": "来源文件", "en": "Source documents"},
    "zone_indicators": {"zh": "全区指标（“十三五”完成与“十四五”目标）", "en": "Zone indicators (2015/2020 actuals, 2025 targets)"},
    "join_reports": {"zh": "属性连接报告", "en": "Attribute join reports"},
    "method": {"zh": "方法说明", "en": "Method"},
    "method_text": {
        "zh": "面积一律在 CGCS2000 / 3度高斯-克吕格 中央经线114°E（EPSG:4547）下量算；1 亩 = 10000/15 平方米。"
              "投资强度 = 总投资（万元）÷ 用地面积（亩），缺用地面积时不计算，绝不以建筑面积代替；"
              "投资额为下限（“超X亿”）时强度亦为下限。导出的 GeoJSON 遵循 RFC 7946（WGS84 经纬度）；"
              "“GeoJSON（GCJ-02）”仅供高德工具使用。",
        "en": "Areas are measured in CGCS2000 / 3-degree Gauss-Krueger CM 114E (EPSG:4547); 1 mu = 10000/15 m². "
              "Investment intensity = investment (万元) / land area (亩); without a land area it is not computed, "
              "never from floor area; a lower-bound investment (\"over X\") gives a lower-bound intensity. "
              "GeoJSON exports follow RFC 7946 (WGS84 lon/lat); \"GeoJSON (GCJ-02)\" is for AMap tools only."},
    "error": {"zh": "出错了：", "en": "Error: "},
    "col_name": {"zh": "名称", "en": "Name"},
    "col_value": {"zh": "数值", "en": "Value"},
    "col_unit": {"zh": "单位", "en": "Unit"},
    "col_numerator": {"zh": "分子", "en": "Numerator"},
    "col_denominator": {"zh": "分母", "en": "Denominator"},
    "col_year": {"zh": "年份", "en": "Year"},
    "choose": {"zh": "请选择（可多选）", "en": "Choose options"},
    "col_layer": {"zh": "图层", "en": "Layer"},
    "col_industry": {"zh": "产业", "en": "Industry"},
    "col_investment": {"zh": "总投资（亿元）", "en": "Investment (亿元)"},
    "col_land": {"zh": "用地（亩）", "en": "Land (亩)"},
    "col_floor": {"zh": "建筑面积（m²）", "en": "Floor area (m²)"},
    "col_intensity": {"zh": "投资强度（万元/亩）", "en": "Intensity (万元/亩)"},
    "col_plate": {"zh": "板块", "en": "Plate"},
    "col_conflict": {"zh": "来源有出入", "en": "Sources differ"},
    "col_qualifier": {"zh": "数值性质", "en": "Figure is"},
}

QUALIFIER_LABELS = {
    "exact": {"zh": "确数", "en": "exact"}, "at_least": {"zh": "下限（超过）", "en": "lower bound"},
    "about": {"zh": "约数", "en": "approximate"}, "at_most": {"zh": "上限", "en": "upper bound"},
    "no_land_area": {"zh": "无用地面积", "en": "no land area"}, "no_investment": {"zh": "无投资额", "en": "no investment"},
    "indeterminate": {"zh": "无法确定", "en": "indeterminate"}, "": {"zh": "", "en": ""},
}


def lang() -> str:
    return st.session_state.get(LANG, "zh")


def t(key: str, **fmt) -> str:
    """The UI string ``key`` in the current language."""
    text = STRINGS[key][lang()]
    return text.format(**fmt) if fmt else text


def qualifier_label(q: str) -> str:
    return QUALIFIER_LABELS.get(q, {"zh": q, "en": q})[lang()]
