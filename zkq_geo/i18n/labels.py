"""What planners read for a column name or a coded value, in English and Chinese.

One table of the same shape as :data:`zkq_geo.i18n.messages.MESSAGES`: ``key -> {"en", "zh"}``.
Keys are ``<family>.<code>``: ``field.<column>`` is the label of a column (with its unit),
``qualifier.<code>`` the kind of a figure, ``status.``, ``plate_basis.``, ``geometry_quality.``
and ``kind.`` the coded values of the shipped layers and tables, ``bool.`` yes/no. Industry labels
are not here: they come from the catalogue (``Catalog.industry_label``, geodata/industries.yaml).
:mod:`zkq_geo.i18n.format` is the one place that reads this table.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ columns (with their units)
    "field.id": {"en": "ID", "zh": "编号"},
    "field.name": {"en": "Name", "zh": "名称"},
    "field.aliases": {"en": "Aliases", "zh": "别名"},
    "field.layer": {"en": "Layer", "zh": "图层"},
    "field.geometry_quality": {"en": "Geometry quality", "zh": "几何精度"},
    "field.industry": {"en": "Primary industry", "zh": "主导产业"},
    "field.industries": {"en": "Industries", "zh": "涉及产业"},
    "field.leading_industries": {"en": "Leading industries (as written)", "zh": "主导产业（原文）"},
    "field.positioning": {"en": "Positioning", "zh": "定位"},
    "field.investment_yi": {"en": "Investment (亿元)", "zh": "投资额（亿元）"},
    "field.land_area_mu": {"en": "Land area (亩)", "zh": "用地面积（亩）"},
    "field.land_area_m2": {"en": "Land area (m²)", "zh": "用地面积（m²）"},
    "field.floor_area_m2": {"en": "Floor area (m²)", "zh": "总建筑面积（m²）"},
    "field.invest_intensity_wan_per_mu": {"en": "Investment per mu (万元/亩)", "zh": "亩均投资（万元/亩）"},
    "field.floor_area_ratio": {"en": "Floor area ratio", "zh": "容积率"},
    "field.plate_id": {"en": "Plate", "zh": "所属板块"},
    "field.plate_basis": {"en": "Plate basis", "zh": "板块归属依据"},
    "field.board_id": {"en": "Core board", "zh": "对应核心板块"},
    "field.park_id": {"en": "Park", "zh": "所属园区"},
    "field.location_text": {"en": "Location", "zh": "位置描述"},
    "field.status": {"en": "Status", "zh": "状态"},
    "field.status_text": {"en": "Status note", "zh": "状态说明"},
    "field.description": {"en": "Description", "zh": "说明"},
    "field.key_projects": {"en": "Key projects", "zh": "重点项目"},
    "field.area_km2": {"en": "Area (km²)", "zh": "面积（km²）"},
    "field.planned_area_km2": {"en": "Planned area (km²)", "zh": "规划面积（km²）"},
    "field.area_source": {"en": "Area source", "zh": "面积来源"},
    "field.population_wan": {"en": "Population (万人)", "zh": "常住人口（万人）"},
    "field.gdp_yi": {"en": "GDP (亿元)", "zh": "地区生产总值（亿元）"},
    "field.industrial_va_yi": {"en": "Industrial value added (亿元)", "zh": "工业增加值（亿元）"},
    "field.fixed_investment_yi": {"en": "Fixed-asset investment (亿元)", "zh": "固定资产投资（亿元）"},
    "field.budget_revenue_yi": {"en": "Budget revenue (亿元)", "zh": "一般公共预算收入（亿元）"},
    "field.trade_yi": {"en": "Foreign trade (亿元)", "zh": "进出口总额（亿元）"},
    "field.figures_year": {"en": "Year of figures", "zh": "数据年份"},
    "field.has_conflict": {"en": "Conflicting figures", "zh": "数据有冲突"},
    "field.conflicts": {"en": "Conflicts", "zh": "冲突说明"},
    "field.source": {"en": "Source (document + section)", "zh": "来源（文件 + 章节）"},
    "field.investment_qualifier": {"en": "Investment figure is", "zh": "投资额性质"},
    "field.land_area_qualifier": {"en": "Land-area figure is", "zh": "用地面积性质"},
    "field.floor_area_qualifier": {"en": "Floor-area figure is", "zh": "建筑面积性质"},
    "field.invest_intensity_qualifier": {"en": "Investment per mu is", "zh": "亩均投资性质"},
    "field.floor_area_ratio_qualifier": {"en": "Floor-area ratio is", "zh": "容积率性质"},
    "field.lon": {"en": "Longitude", "zh": "经度"},
    "field.lat": {"en": "Latitude", "zh": "纬度"},
    "field.datum": {"en": "Datum", "zh": "坐标系"},
    "field.geometry_wkt": {"en": "Geometry (WKT)", "zh": "几何（WKT）"},
    # ------------------------------------------------------------------ kinds of figure
    "qualifier.exact": {"en": "exact", "zh": "确数"},
    "qualifier.at_least": {"en": "lower bound", "zh": "下限（超过）"},
    "qualifier.at_most": {"en": "upper bound", "zh": "上限（不超过）"},
    "qualifier.about": {"en": "approximate", "zh": "约数"},
    "qualifier.indeterminate": {"en": "indeterminate", "zh": "无法确定"},
    "qualifier.no_land_area": {"en": "no land area", "zh": "无用地面积"},
    "qualifier.no_investment": {"en": "no investment figure", "zh": "无投资额"},
    "qualifier.no_floor_area": {"en": "no floor area", "zh": "无建筑面积"},
    # ------------------------------------------------------------------ project status
    "status.planned": {"en": "planned", "zh": "规划"},
    "status.signed": {"en": "signed", "zh": "已签约"},
    "status.negotiating": {"en": "in negotiation", "zh": "洽谈中"},
    "status.completed": {"en": "completed", "zh": "已建成"},
    # ------------------------------------------------------------------ why a feature is in a plate
    "plate_basis.seed": {"en": "stated in the source", "zh": "来源文件载明"},
    "plate_basis.name": {"en": "from the name", "zh": "由名称判断"},
    "plate_basis.none": {"en": "not assigned", "zh": "未归属板块"},
    # ------------------------------------------------------------------ geometry quality
    "geometry_quality.schematic": {"en": "schematic", "zh": "示意"},
    "geometry_quality.surveyed": {"en": "surveyed", "zh": "实测"},
    "geometry_quality.digitized": {"en": "digitized", "zh": "数字化"},
    "geometry_quality.digitised": {"en": "digitized", "zh": "数字化"},
    "geometry_quality.user": {"en": "imported by a user", "zh": "用户导入"},
    # ------------------------------------------------------------------ kinds of source and indicator
    "kind.news": {"en": "news", "zh": "新闻"},
    "kind.plan": {"en": "plan", "zh": "规划"},
    "kind.actual": {"en": "actual", "zh": "实际"},
    "kind.baseline": {"en": "baseline", "zh": "基期"},
    "kind.target": {"en": "target", "zh": "目标"},
    "kind.growth": {"en": "annual growth", "zh": "年均增长"},
    "kind.change": {"en": "change", "zh": "变化"},
    # ------------------------------------------------------------------ yes / no
    "bool.yes": {"en": "yes", "zh": "是"},
    "bool.no": {"en": "no", "zh": "否"},
}

#: Columns whose values are codes of a family of :data:`LABELS` (column -> family).
CODE_COLUMNS: dict[str, str] = {
    "status": "status",
    "plate_basis": "plate_basis",
    "geometry_quality": "geometry_quality",
    "kind": "kind",
    "investment_qualifier": "qualifier",
    "land_area_qualifier": "qualifier",
    "floor_area_qualifier": "qualifier",
    "invest_intensity_qualifier": "qualifier",
    "floor_area_ratio_qualifier": "qualifier",
}
