"""UI strings, Chinese first (zh) with English (en). Pages call ``t(key)``; no literal UI text in pages.

Values (codes, qualifiers, blanks, numbers, sources) are worded by :mod:`zkq_geo.i18n.format`, not here."""

from __future__ import annotations

import streamlit as st
from state import LANG

from zkq_geo.i18n.format import qualifier_text

LANGS = {"zh": "中文", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {
        "zh": "郑州经开区 空间规划与用地一张图",
        "en": "Zhengzhou ETDZ spatial planning & land use",
    },
    "page_map": {"zh": "地图", "en": "Map"},
    "page_efficiency": {"zh": "亩均效益", "en": "Land efficiency (per mu)"},
    "page_data": {"zh": "数据与来源", "en": "Data & sources"},
    # 亩均评价 page (app_pages/evaluation_page.py)
    "page_evaluation": {"zh": "亩均评价", "en": "Per-mu evaluation"},
    "eval_intro": {
        "zh": "按评价方案对企业台账计算亩均指标、单项得分、总分、组内排名和 A/B/C/D 分类；"
        "租赁厂房企业单独评价，绝不以建筑面积作分母。",
        "en": "Scores an enterprise ledger under a scheme: per-mu indicators, item scores, total, rank "
        "within the group and class A/B/C/D. Firms on leased premises are rated separately and never "
        "divided by floor area.",
    },
    "eval_ledger": {"zh": "1. 企业台账", "en": "1. Enterprise ledger"},
    "eval_upload": {
        "zh": "上传台账（CSV 或 Excel .xlsx，每行一家企业）",
        "en": "Upload a ledger (CSV or Excel .xlsx, one row per enterprise)",
    },
    "eval_template": {"zh": "下载台账模板（Excel）", "en": "Download the ledger template (Excel)"},
    "eval_use_demo": {
        "zh": "使用合成示例台账（虚构数据）",
        "en": "Use the synthetic demo ledger (invented data)",
    },
    "eval_demo_notice": {
        "zh": "⚠️ 正在使用合成示例台账：80 家虚构企业，名称、代码、数字与位置均为随机生成，"
        "与真实企业及种子文件无关，仅供试用。",
        "en": "⚠️ Using the SYNTHETIC demo ledger: 80 invented firms; names, codes, figures and positions "
        "are random, unrelated to real firms or the seed documents. For trying the tool only.",
    },
    "eval_no_ledger": {
        "zh": "请上传台账，或使用合成示例台账试用。",
        "en": "Upload a ledger, or try the synthetic demo ledger.",
    },
    "eval_ledger_invalid": {"zh": "台账无法评价：", "en": "The ledger cannot be evaluated: "},
    "eval_units": {"zh": "表头未注明单位时按以下单位读取", "en": "Units for headers that state none"},
    "eval_land_unit": {"zh": "用地面积", "en": "Land area"},
    "eval_money_unit": {
        "zh": "金额（税收、收入、增加值、研发、投资）",
        "en": "Money (tax, revenue, value added, R&D, investment)",
    },
    "eval_units_note": {
        "zh": "表头括号内的单位（如“用地面积（平方米）”“税收（元）”）优先，会自动换算为亩和万元。",
        "en": "A unit in the header's brackets (e.g. 用地面积（平方米）, 税收（元）) takes precedence; "
        "values are converted to 亩 and 万元.",
    },
    "eval_scheme": {"zh": "2. 评价方案", "en": "2. Scheme"},
    "eval_preset": {"zh": "预设方案（可复制修改）", "en": "Preset (copy and edit)"},
    "eval_scheme_yaml": {"zh": "编辑方案（YAML）", "en": "Edit the scheme (YAML)"},
    "eval_scheme_help": {
        "zh": "可修改权重、基准值（数字或 mean/median）、封顶 cap、分组条件 when、加减分与分类规则；"
        "公式只允许台账列名、数字、+ - * / 和括号。修改后立即校验。",
        "en": "Edit weights, benchmarks (a number or mean/median), caps, group conditions (when), "
        "bonuses/deductions and the class rule; formulas allow ledger column names, numbers, + - * / "
        "and parentheses only. Checked as you edit.",
    },
    "eval_scheme_download": {"zh": "下载此方案（YAML）", "en": "Download this scheme (YAML)"},
    "eval_scheme_invalid": {"zh": "方案有误：", "en": "The scheme is not valid: "},
    "eval_scheme_source": {
        "zh": "方案来源与说明（含未公布项的处理）",
        "en": "Source and notes (incl. how unpublished items are handled)",
    },
    "eval_unsourced": {
        "zh": "此方案中以下指标、权重或基准值不是所引来源公布的数字（占位值请按本区实际方案修改）：",
        "en": "In this scheme, these indicators, weights or benchmarks are not figures of the cited source "
        "(replace placeholders with your zone's own):",
    },
    "eval_results": {"zh": "3. 评价结果", "en": "3. Results"},
    "eval_firms": {"zh": "企业数", "en": "Firms"},
    "eval_graded": {"zh": "参与分类", "en": "Graded"},
    "eval_rated": {"zh": "只评分不分类", "en": "Rated, not graded"},
    "eval_excluded": {"zh": "未评价", "en": "Not evaluated"},
    "eval_summary": {"zh": "分类汇总（按评价组）", "en": "Classes by group"},
    "eval_class": {"zh": "分类", "en": "Class"},
    "eval_chart_count": {"zh": "各类企业数", "en": "Firms by class"},
    "eval_chart_land": {"zh": "各类用地（亩）", "en": "Land by class (亩)"},
    "eval_map": {"zh": "A/B/C/D 分类地图", "en": "A/B/C/D map"},
    "eval_map_note": {
        "zh": "点位为台账中的经纬度（WGS84）；经开区范围为示意。图层控件可按类别显示或隐藏。",
        "en": "Points are the ledger's lon/lat (WGS84); the zone outline is schematic. Toggle classes in "
        "the layer control.",
    },
    "eval_map_none": {
        "zh": "台账没有经纬度（经度、纬度列），无法上图；表格与报告不受影响。",
        "en": "The ledger has no lon/lat columns, so nothing can be mapped; tables and reports are "
        "unaffected.",
    },
    "eval_parcels": {
        "zh": "上图方式：点位，或按统一社会信用代码连接的地块图层",
        "en": "Map as points, or as a parcel layer joined by credit code",
    },
    "eval_parcels_none": {
        "zh": "提示：在“导入数据”页导入带统一社会信用代码列（credit_code）的地块图层，即可按地块显示分类。",
        "en": "Tip: import a parcel layer with a credit_code column on the Import data page to map classes "
        "on parcels.",
    },
    "eval_parcels_report": {"zh": "地块连接：{summary}", "en": "Parcel join: {summary}"},
    "eval_groups": {"zh": "各组明细", "en": "Firms by group"},
    "eval_ungrouped": {"zh": "未分组", "en": "Not grouped"},
    "eval_empty": {"zh": "台账没有企业。", "en": "The ledger holds no firms."},
    "eval_summary_by": {"zh": "按园区、板块、产业汇总", "en": "Summary by park, plate or industry"},
    "eval_control": {"zh": "控制指标核查", "en": "Control indicators"},
    "eval_control_note": {
        "zh": "容积率按行业最低值、建筑系数 ≥ 30%、行政办公及生活服务设施用地 ≤ "
        "7%（工业项目建设用地控制指标）；投资强度最低值取决于城市等别，郑州的等别未核实，请自行设定。",
        "en": "Floor-area ratio against the minimum of the industry, building coverage >= 30%, admin/living "
        "land <= 7% (national control indicators for industrial land); the investment-intensity "
        "minimum depends on the city class, which is not verified for Zhengzhou: set it yourself.",
    },
    "eval_control_source": {"zh": "核查对象", "en": "Check"},
    "eval_city_class": {"zh": "城市等别", "en": "City class"},
    "eval_invest_min": {
        "zh": "投资强度最低值（万元/亩，0 = 不核查）",
        "en": "Investment-intensity minimum (万元/亩, 0 = not checked)",
    },
    "eval_control_pass": {"zh": "全部达标", "en": "Pass"},
    "eval_control_fail": {"zh": "有不达标项", "en": "Fail"},
    "eval_control_incomplete": {"zh": "数据不全", "en": "Incomplete"},
    "eval_export": {"zh": "4. 导出", "en": "4. Export"},
    "eval_download_xlsx": {
        "zh": "Excel 报告（每组一表 + 方法说明）",
        "en": "Excel report (a sheet per group + method)",
    },
    "eval_download_html": {"zh": "可打印的 HTML 报告（含地图）", "en": "Printable HTML report (with map)"},
    "eval_download_csv": {"zh": "CSV（每家企业一行）", "en": "CSV (one row per firm)"},
    "eval_export_note": {
        "zh": "HTML 报告为单个文件，离线可看，可在浏览器中打印为 PDF。",
        "en": "The HTML report is one file that works offline; print it to PDF from the browser.",
    },
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
    "basemap_amap": {
        "zh": "高德地图（GCJ-02，矢量已偏移对齐）",
        "en": "AMap 高德 (GCJ-02; vectors shifted to match)",
    },
    "color_by": {"zh": "园区与项目着色", "en": "Colour parks and projects by"},
    "color_industry": {"zh": "产业", "en": "Industry"},
    "color_intensity": {"zh": "投资强度（万元/亩）", "en": "Investment intensity (万元/亩)"},
    "reset_filters": {"zh": "清除筛选", "en": "Clear filters"},
    "schematic_note": {
        "zh": "⚠️ 示意范围，非法定边界：种子文件不含坐标，图上位置与范围为按文件面积绘制的示意图，仅供参考。",
        "en": "⚠️ Schematic extent, not a legal boundary: the source documents hold no coordinates; "
        "positions and outlines are drawn to the documented areas for illustration only.",
    },
    "count_parks": {"zh": "小微企业园", "en": "Parks"},
    "count_projects": {"zh": "项目", "en": "Projects"},
    "invest_parks": {"zh": "园区总投资（亿元）", "en": "Park investment (亿元)"},
    "invest_projects": {"zh": "项目总投资（亿元）", "en": "Project investment (亿元)"},
    "investment_sum_note": {
        "zh": "所选要素所列投资额之和。园区与项目分开合计："
        "部分项目位于园区内或与园区为同一对象（如生物医药大健康产业园），相加会重复计算。",
        "en": "Sum of the stated figures of the selected features. Parks and projects are summed separately:"
        " some projects lie in a park or are the park itself (e.g. 生物医药大健康产业园), so adding "
        "them would double count.",
    },
    "investment_lower_bound_note": {
        "zh": "含下限值（“超X亿”），合计亦为下限。",
        "en": ' Includes lower bounds ("over X"), so the sum is a lower bound.',
    },
    "zoom_selection": {"zh": "缩放至所选要素", "en": "Zoom to selection"},
    "zoom_all": {"zh": "显示全区", "en": "Show whole zone"},
    "table": {"zh": "属性表", "en": "Attribute table"},
    "detail": {"zh": "要素详情", "en": "Feature details"},
    "detail_pick": {
        "zh": "点击地图要素，或在此选择：",
        "en": "Click a feature on the map, or pick one here:",
    },
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
    "zone_per_mu_note": {
        "zh": "分母为规划面积 158.7 平方公里（238,050 亩），不是建成区或工业用地面积，"
        "仅作规划层面的密度参考。",
        "en": "The denominator is the planned area (158.7 km², 238,050 mu), not built-up or industrial land:"
        " a planning-level density only.",
    },
    "ranking": {"zh": "投资强度排名（万元/亩）", "en": "Investment intensity ranking (万元/亩)"},
    "ranking_top": {
        "zh": "图中为前 {shown} 名，共 {n:,} 个要素有投资强度；完整排名请导出或用命令行 zkq-geo efficiency。",
        "en": "The chart shows the top {shown} of {n:,} features with an intensity; export or use "
        "zkq-geo efficiency for the full ranking.",
    },
    "intensity_map": {"zh": "按投资强度着色的地图", "en": "Map coloured by investment intensity"},
    "not_computable": {
        "zh": "无法计算投资强度（缺少用地面积；不以建筑面积代替）",
        "en": "Intensity not computable (no land area; floor area is never used instead)",
    },
    "lower_bounds": {
        "zh": "仅为下限的投资强度（投资额为“超X亿”）",
        "en": 'Intensity only a lower bound (investment given as "over X")',
    },
    "summary_by": {"zh": "分组汇总", "en": "Summary by group"},
    "by_industry": {"zh": "按产业", "en": "By industry"},
    "by_plate": {"zh": "按板块", "en": "By plate"},
    "sources": {"zh": "来源文件", "en": "Source documents"},
    "zone_indicators": {
        "zh": "全区指标（“十三五”完成与“十四五”目标）",
        "en": "Zone indicators (2015/2020 actuals, 2025 targets)",
    },
    "join_reports": {"zh": "属性连接报告", "en": "Attribute join reports"},
    "method": {"zh": "方法说明", "en": "Method"},
    "method_text": {
        "zh": "面积一律在 CGCS2000 / 3度高斯-克吕格 中央经线114°E（EPSG:4547）下量算；1 亩 = 10000/15 "
        "平方米。"
        "投资强度 = 总投资（万元）÷ 用地面积（亩），缺用地面积时不计算，绝不以建筑面积代替；"
        "投资额为下限（“超X亿”）时强度亦为下限。导出的 GeoJSON 遵循 RFC 7946（WGS84 经纬度）；"
        "“GeoJSON（GCJ-02）”仅供高德工具使用。",
        "en": "Areas are measured in CGCS2000 / 3-degree Gauss-Krueger CM 114E (EPSG:4547); 1 mu = 10000/15 "
        "m². "
        "Investment intensity = investment (万元) / land area (亩); without a land area it is not computed, "
        'never from floor area; a lower-bound investment ("over X") gives a lower-bound intensity. '
        'GeoJSON exports follow RFC 7946 (WGS84 lon/lat); "GeoJSON (GCJ-02)" is for AMap tools only.',
    },
    "error": {"zh": "出错了：", "en": "Error: "},
    "workspace_hidden": {
        "zh": "导入的图层暂不显示：{problem}",
        "en": "Imported layers are not shown: {problem}",
    },
    "map_layer_too_big": {
        "zh": "图层「{layer}」有 {n:,} 个要素、{v:,} 个坐标点，超过地图直接绘制的上限（{max_n:,} 个要素或 "
        "{max_v:,} 个坐标点），未在地图上绘制；筛选、表格和导出仍然可用。可筛选后再看，或由管理员调整 "
        "ZKQ_MAP_MAX_FEATURES / ZKQ_MAP_MAX_VERTICES。",
        "en": "Layer “{layer}” has {n:,} features and {v:,} coordinates, over the limit for drawing on "
        "the map ({max_n:,} features or {max_v:,} coordinates), so it is not drawn; filters, the "
        "table and exports still work. Filter it down, or ask the administrator to change "
        "ZKQ_MAP_MAX_FEATURES / ZKQ_MAP_MAX_VERTICES.",
    },
    "table_truncated": {
        "zh": "表格显示前 {shown:,} 行，共 {n:,} 行；完整内容请导出。",
        "en": "The table shows the first {shown:,} of {n:,} rows; export for all of them.",
    },
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
    "col_id": {"zh": "编号", "en": "ID"},
    "col_field": {"zh": "字段", "en": "Field"},
    "col_column": {"zh": "列名", "en": "Column"},
    "col_numerator_yi": {"zh": "分子（亿元）", "en": "Numerator (亿元)"},
    "col_denominator_mu": {"zh": "分母：规划面积（亩）", "en": "Denominator: planned area (亩)"},
    "col_conflicts": {"zh": "其他来源的数字", "en": "Figures from other sources"},
    "col_file": {"zh": "文件", "en": "File"},
    "col_title": {"zh": "标题", "en": "Title"},
    "col_kind": {"zh": "类型", "en": "Kind"},
    "col_published": {"zh": "发布时间", "en": "Published"},
    "col_period": {"zh": "数据所属时期", "en": "Figures for"},
    "col_indicator": {"zh": "指标", "en": "Indicator"},
    "col_table": {"zh": "表", "en": "Table"},
    "col_matched": {"zh": "已匹配", "en": "Matched"},
    "col_features": {"zh": "要素数", "en": "Features"},
    "col_table_rows": {"zh": "属性表行数", "en": "Table rows"},
    "col_clean": {"zh": "全部匹配、无重复", "en": "All matched, no duplicates"},
    "s_feature_count": {"zh": "要素数", "en": "Features"},
    "s_with_land": {"zh": "有用地面积", "en": "With land area"},
    "s_with_investment": {"zh": "有投资额", "en": "With investment"},
    "s_lower_bound": {"zh": "投资额为下限", "en": "Investment a lower bound"},
    "s_investment_total": {"zh": "总投资合计（亿元）", "en": "Investment total (亿元)"},
    "s_total_lower": {"zh": "合计为下限", "en": "Total is a lower bound"},
    "s_land_total": {"zh": "用地合计（亩）", "en": "Land total (亩)"},
    "s_intensity_count": {"zh": "参与计算强度的要素", "en": "Features in the intensity"},
    "s_intensity": {"zh": "合计投资强度（万元/亩）", "en": "Pooled intensity (万元/亩)"},
    "unassigned": {"zh": "未归属", "en": "Unassigned"},
    "none_listed": {"zh": "（无）", "en": "(none)"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    # import page (app_pages/import_page.py)
    "page_import": {"zh": "导入数据", "en": "Import data"},
    "import_intro": {
        "zh": "导入自有文件（GeoJSON、GeoPackage、Shapefile 压缩包、KML、CSV、Excel）和台账。"
        "每一步先显示检查报告，确认后才写入服务器上的工作区；同名再次导入保存为新版本，旧版本保留。",
        "en": "Import your own files (GeoJSON, GeoPackage, zipped Shapefile, KML, CSV, Excel) and ledgers. "
        "Each step shows its report first; nothing is written to the workspace on the server until "
        "you confirm. Importing a name again saves a new version and keeps the old ones.",
    },
    "import_header": {"zh": "导入图层", "en": "Import a layer"},
    "import_file": {"zh": "选择文件", "en": "Choose a file"},
    "upload_limit": {
        "zh": "单个文件不超过 {mb} MB（管理员可用 ZKQ_MAX_UPLOAD_MB 调整）。超过时上传框会显示英文提示“File "
        "must be {mb}MB or smaller”。",
        "en": "One file may be at most {mb} MB (the administrator sets ZKQ_MAX_UPLOAD_MB).",
    },
    "import_layer": {"zh": "图层 / 工作表", "en": "Layer / sheet"},
    "import_choose_layer": {"zh": "（请选择图层）", "en": "(choose a layer)"},
    "import_crs": {"zh": "坐标系", "en": "Coordinate system"},
    "crs_auto": {
        "zh": "自动（文件声明，或按坐标识别）",
        "en": "Automatic (declared by the file, or detected)",
    },
    "crs_wgs84": {"zh": "WGS84 经纬度（GPS、天地图）", "en": "WGS84 lon/lat (GPS, Tianditu)"},
    "crs_gcj02": {
        "zh": "GCJ-02 经纬度（高德、腾讯地图拾取）",
        "en": "GCJ-02 lon/lat (picked on AMap/Tencent)",
    },
    "crs_bd09": {"zh": "BD-09 经纬度（百度地图拾取）", "en": "BD-09 lon/lat (picked on Baidu)"},
    "import_encoding": {"zh": "文字编码", "en": "Text encoding"},
    "auto": {"zh": "自动识别", "en": "Automatic"},
    "none": {"zh": "（无）", "en": "(none)"},
    "import_x": {"zh": "X 列（东坐标或经度）", "en": "X column (easting or longitude)"},
    "import_y": {"zh": "Y 列（北坐标或纬度）", "en": "Y column (northing or latitude)"},
    "import_xy_both": {
        "zh": "请同时选择 X 列和 Y 列；现在按列名自动识别。",
        "en": "Choose both the X and the Y column; until then they are recognised by name.",
    },
    "import_name": {
        "zh": "图层名（小写英文字母、数字、下划线，字母开头）",
        "en": "Layer name (lower-case letters, digits, _; starts with a letter)",
    },
    "import_title": {"zh": "显示名称", "en": "Title shown"},
    "import_exists": {
        "zh": "图层 {name} 已存在（版本 {versions}）：导入后保存为版本 {next} 并显示，旧版本保留。",
        "en": "Layer {name} exists (version {versions}): importing saves version {next} and shows it; "
        "earlier versions are kept.",
    },
    "import_button": {"zh": "导入到工作区", "en": "Import into the workspace"},
    "import_done": {
        "zh": "完成：{message}。地图、亩均和导出中均可使用。",
        "en": "Done: {message}. It is on the map, in 亩均 and in export.",
    },
    "report": {"zh": "检查报告（尚未导入）", "en": "Inspection report (nothing applied yet)"},
    "r_item": {"zh": "项目", "en": "Item"},
    "r_value": {"zh": "结果", "en": "Found"},
    "r_format": {"zh": "格式", "en": "Format"},
    "r_layers": {"zh": "图层", "en": "Layers"},
    "r_features": {"zh": "要素数", "en": "Features"},
    "r_geometry": {"zh": "几何类型", "en": "Geometry"},
    "r_coords": {"zh": "坐标列", "en": "Coordinate columns"},
    "r_encoding": {"zh": "编码", "en": "Encoding"},
    "r_crs": {"zh": "坐标系", "en": "CRS"},
    "r_bounds": {"zh": "范围（WGS84）", "en": "Bounds (WGS84)"},
    "r_fields_n": {"zh": "字段（{n} 个）", "en": "Fields ({n})"},
    "r_field": {"zh": "字段", "en": "Field"},
    "r_type": {"zh": "类型", "en": "Type"},
    "r_feature": {"zh": "要素", "en": "Feature"},
    "r_reason": {"zh": "问题", "en": "Problem"},
    "r_result": {"zh": "修复后", "en": "Repaired to"},
    "join_header": {"zh": "连接台账", "en": "Join a ledger"},
    "join_layer": {"zh": "连接到图层", "en": "Layer to join to"},
    "join_file": {"zh": "台账文件（Excel 或 CSV）", "en": "Ledger (Excel or CSV)"},
    "join_match": {"zh": "匹配方式", "en": "Match by"},
    "join_match_key": {"zh": "键值（编号完全一致）", "en": "Key (exact text)"},
    "join_match_name": {
        "zh": "名称（含别名，忽略空格和引号）",
        "en": "Name (with aliases; spaces and quotes ignored)",
    },
    "join_key": {"zh": "图层字段", "en": "Layer column"},
    "join_table_key": {"zh": "台账字段", "en": "Ledger column"},
    "join_how": {"zh": "连接方式", "en": "Keep"},
    "join_how_left": {"zh": "保留全部要素（左连接）", "en": "every feature (left join)"},
    "join_how_inner": {"zh": "只保留匹配的要素（内连接）", "en": "matched features only (inner join)"},
    "join_land": {"zh": "用地面积列", "en": "Land-area column"},
    "join_land_unit": {"zh": "用地面积单位", "en": "Land-area unit"},
    "join_money_unit": {"zh": "金额单位", "en": "Money unit"},
    "join_investment": {
        "zh": "投资额列（计算投资强度）",
        "en": "Investment column (for investment intensity)",
    },
    "join_per_mu": {"zh": "其他按亩计算的金额列（如税收）", "en": "Other money columns per mu (e.g. tax)"},
    "unit_mu": {"zh": "亩", "en": "mu (亩)"},
    "unit_m2": {"zh": "平方米", "en": "m²"},
    "unit_ha": {"zh": "公顷", "en": "hectares"},
    "unit_wan": {"zh": "万元", "en": "10,000 yuan (万元)"},
    "unit_yi": {"zh": "亿元", "en": "100 million yuan (亿元)"},
    "unit_yuan": {"zh": "元", "en": "yuan (元)"},
    "join_report": {"zh": "连接报告（尚未应用）", "en": "Join report (nothing applied yet)"},
    "j_matched": {
        "zh": "已匹配 {m} / {n} 个要素；台账 {r} 行",
        "en": "Matched {m} of {n} features; the ledger has {r} rows",
    },
    "j_unmatched_left": {"zh": "台账中没有的要素", "en": "Features with no ledger row"},
    "j_unmatched_right": {"zh": "图上没有的台账行", "en": "Ledger rows with no feature"},
    "j_dup_left": {"zh": "图层中重复的键", "en": "Duplicate keys in the layer"},
    "j_dup_right": {
        "zh": "台账中重复的键（须先合并）",
        "en": "Duplicate keys in the ledger (merge them first)",
    },
    "j_mismatch": {
        "zh": "类型不一致、未连接（如 0012 与 12）",
        "en": "Type mismatches, not joined (e.g. 0012 vs 12)",
    },
    "j_alias": {"zh": "按别名或写法差异匹配", "en": "Matched by alias or spelling"},
    "j_ambiguous": {"zh": "对应多个要素、未连接", "en": "Fits several features, not joined"},
    "j_computed": {"zh": "计算：{what}", "en": "Computed: {what}"},
    "join_preview": {
        "zh": "连接结果预览（亩均按所选单位重新计算）",
        "en": "Preview of the joined layer (per-mu figures from the declared units)",
    },
    "join_name": {"zh": "保存为新图层（图层名）", "en": "Save as a new layer (name)"},
    "join_button": {"zh": "应用连接并保存", "en": "Apply the join and save"},
    # import page: admin section (delete a layer, restore a version)
    "admin_header": {"zh": "管理：删除图层或恢复版本", "en": "Admin: delete a layer or restore a version"},
    "admin_off": {
        "zh": "管理操作未启用。如需启用，请在服务器上设置环境变量 ZKQ_ADMIN_PASSWORD（或 Streamlit 密钥 "
        "admin_password）后重启应用，在此输入该密码即可操作。在服务器上也可直接运行 `zkq-geo layer "
        "delete 图层名` 或 `zkq-geo layer restore 图层名 [--version N]`。",
        "en": "Admin actions are off. To turn them on, set the environment variable ZKQ_ADMIN_PASSWORD (or "
        "the Streamlit secret admin_password) on the server, restart the app and enter that password "
        "here. On the server, `zkq-geo layer delete NAME` and `zkq-geo layer restore NAME [--version "
        "N]` work as well.",
    },
    "admin_password": {"zh": "管理密码", "en": "Admin password"},
    "admin_wrong": {"zh": "管理密码不正确。", "en": "The admin password is wrong."},
    "admin_none": {"zh": "工作区中还没有导入的图层。", "en": "The workspace holds no imported layer yet."},
    "admin_layer": {"zh": "图层", "en": "Layer"},
    "admin_broken": {"zh": "有问题，暂不显示", "en": "broken, not shown"},
    "admin_restore": {"zh": "恢复版本", "en": "Restore a version"},
    "admin_version": {
        "zh": "要恢复的版本（另存为新版本并显示，原有版本全部保留）",
        "en": "Version to restore (saved as a new version and shown; every version is kept)",
    },
    "admin_version_label": {
        "zh": "版本 {version}（{created}，{title}）",
        "en": "version {version} ({created}, {title})",
    },
    "admin_restore_button": {"zh": "恢复此版本", "en": "Restore this version"},
    "admin_restore_none": {
        "zh": "该图层只有一个版本，没有可恢复的较早版本。",
        "en": "This layer has one version only: there is no earlier version to restore.",
    },
    "admin_restore_damaged": {
        "zh": "该图层的索引记录已损坏，无法恢复版本；请删除后重新导入。",
        "en": "This layer's index entry is damaged, so no version can be restored; delete it and import it "
        "again.",
    },
    "admin_delete": {"zh": "删除图层", "en": "Delete the layer"},
    "admin_delete_confirm": {
        "zh": "确认删除图层 {name}：它将从地图上消失，文件移到工作区的 trash/ 文件夹",
        "en": "Yes, delete layer {name}: it leaves the map, and its files move to the workspace's trash/ "
        "folder",
    },
    "admin_delete_button": {"zh": "删除", "en": "Delete"},
    "admin_done": {"zh": "完成：{message}。", "en": "Done: {message}."},
}


def lang() -> str:
    return st.session_state.get(LANG, "zh")


def t(key: str, **fmt) -> str:
    """The UI string ``key`` in the current language."""
    text = STRINGS[key][lang()]
    return text.format(**fmt) if fmt else text


def qualifier_label(q: str) -> str:
    """The kind of a figure in words, in the UI language (:func:`zkq_geo.i18n.format.qualifier_text`)."""
    return qualifier_text(q, lang())
