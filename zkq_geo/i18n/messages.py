"""Messages about planners' input, in English and Chinese.

A :class:`Message` is a ``str`` that reads as its English text, so the CLI, logs and the saved
workspace index see exactly what they saw before; it also carries its key and parameters, and
:meth:`Message.text` gives the text in another language (the app shows ``text("zh")`` on the
Chinese UI). Errors carry a message as their first argument (:class:`zkq_geo.errors.ZkqGeoError`),
import reports carry messages in their ``problems`` and ``warnings``.

Parameters are rendered in the target language too: a :class:`Message` by its own ``text``,
:class:`Items` joined with ``, `` (English) or ``、`` (Chinese), anything else as given.

>>> m = msg("file_empty", file="a.csv")
>>> m
'a.csv is empty (0 bytes); export the data again and upload the new file'
>>> m.text("zh")
'a.csv 是空文件（0 字节）；请重新导出数据后上传新文件'
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Literal

Lang = Literal["en", "zh"]
LANGS = ("en", "zh")
LIST_AT_MOST = 10
ITEMS_AT_MOST = 50

# key -> {"en": template, "zh": template}; templates use str.format fields. The English text is
# the library's original wording: tests, the CLI and stored reports rely on it.
MESSAGES: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ shared pieces
    "items_more": {"en": "{items} and {more} more", "zh": "{items}，另有 {more} 个"},
    "nothing": {"en": "nothing", "zh": "无"},
    "none_yet": {"en": "none yet", "zh": "暂无"},
    "no_columns": {"en": "(no columns)", "zh": "（无字段）"},
    "no_suffix": {"en": "(no suffix)", "zh": "（无扩展名）"},
    "label_feature": {"en": "feature {id}", "zh": "要素 {id}"},
    "label_feature_n": {"en": "feature #{n}", "zh": "第 {n} 个要素"},
    "label_row": {"en": "row {row}", "zh": "第 {row} 行"},
    "what_layer": {"en": "layer", "zh": "图层"},
    "what_table": {"en": "table", "zh": "台账"},
    # ------------------------------------------------------------------ errors.py
    "choice_not_allowed": {
        "en": "{name}={value!r} is not allowed; choose one of: {choices}",
        "zh": "{name}={value!r} 不可用；可选：{choices}",
    },
    "columns_missing": {
        "en": "{caller} needs column(s) {missing}; the table has: {columns}",
        "zh": "{caller} 需要字段 {missing}；表中现有字段：{columns}",
    },
    # ------------------------------------------------------------------ safe_input.py
    "upload_limit_not_number": {
        "en": "ZKQ_MAX_UPLOAD_MB={raw!r} must be a number of megabytes, e.g. 200",
        "zh": "环境变量 ZKQ_MAX_UPLOAD_MB={raw!r} 应为以 MB 计的数字，如 200",
    },
    "upload_limit_not_positive": {
        "en": "ZKQ_MAX_UPLOAD_MB={raw!r} must be a positive number of megabytes, e.g. 200",
        "zh": "环境变量 ZKQ_MAX_UPLOAD_MB={raw!r} 应为以 MB 计的正数，如 200",
    },
    "file_not_found": {"en": "file not found: {path}", "zh": "找不到文件：{path}"},
    "file_empty": {
        "en": "{file} is empty (0 bytes); export the data again and upload the new file",
        "zh": "{file} 是空文件（0 字节）；请重新导出数据后上传新文件",
    },
    "file_too_large": {
        "en": "{file} is {size}, over the limit of {limit}; split the data, or raise the limit "
        "with the environment variable ZKQ_MAX_UPLOAD_MB",
        "zh": "{file} 大小为 {size}，超过上限 {limit}；请拆分数据，或用环境变量 ZKQ_MAX_UPLOAD_MB 提高上限",
    },
    "zip_unreadable": {
        "en": "{file} is not a readable zip file ({error})",
        "zh": "{file} 不是可读取的 zip 压缩包（{error}）",
    },
    "zip_too_many": {
        "en": "{file} holds {n} entries, more than the {limit} allowed; zip only the files of the layer",
        "zh": "{file} 中有 {n} 个条目，超过允许的 {limit} 个；请只压缩该图层的文件",
    },
    "zip_too_large": {
        "en": "{file} decompresses to {size}, over the limit of {limit}; split the data, or raise "
        "ZKQ_MAX_UPLOAD_MB",
        "zh": "{file} 解压后为 {size}，超过上限 {limit}；请拆分数据，或提高 ZKQ_MAX_UPLOAD_MB",
    },
    "zip_over_limit": {
        "en": "{file} decompresses to more than the limit of {limit}; split the data, or raise "
        "ZKQ_MAX_UPLOAD_MB",
        "zh": "{file} 解压后超过上限 {limit}；请拆分数据，或提高 ZKQ_MAX_UPLOAD_MB",
    },
    "zip_path_escapes": {
        "en": "{file} holds the entry {entry!r}, whose path leaves the folder it is extracted to; "
        "zip the layer's files without folders above them",
        "zh": "{file} 中的条目 {entry!r} 的路径会跳出解压目录；请直接压缩图层的各个文件，不要带上级目录",
    },
    "zip_path_leaves": {
        "en": "{file} holds the entry {entry!r}, whose path leaves the folder",
        "zh": "{file} 中的条目 {entry!r} 的路径会跳出解压目录",
    },
    "zip_link": {
        "en": "{file} holds {entry!r}, a link or special file; zip the files themselves",
        "zh": "{file} 中的 {entry!r} 是链接或特殊文件；请压缩文件本身",
    },
    "zip_password": {
        "en": "{file} is password-protected ({entry!r}); zip it without a password",
        "zh": "{file} 设有密码（{entry!r}）；请不加密码重新压缩",
    },
    "zip_cannot_extract": {"en": "cannot extract {file}: {error}", "zh": "无法解压 {file}：{error}"},
    "zip_damaged": {
        "en": "cannot extract {file}: the zip is damaged ({error})",
        "zh": "无法解压 {file}：压缩包已损坏（{error}）",
    },
    # ------------------------------------------------------------------ encodings.py
    "encoding_not_supported": {
        "en": "encoding={encoding!r} is not supported; choose one of: {choices}",
        "zh": "不支持编码 {encoding!r}；可选：{choices}",
    },
    "enc_how": {"en": "{how}: {note}", "zh": "{how}：{note}"},
    "enc_how_declared": {"en": "declared", "zh": "文件声明"},
    "enc_how_detected": {"en": "detected", "zh": "自动识别"},
    "enc_how_given": {"en": "given", "zh": "用户指定"},
    "enc_how_assumed": {"en": "assumed", "zh": "推定"},
    "enc_chosen": {"en": "chosen by the user", "zh": "由用户选择"},
    "enc_by_cpg": {"en": "by {cpg}", "zh": "由 {cpg} 声明"},
    "enc_by_ldid": {"en": "by the language driver byte of {dbf}", "zh": "由 {dbf} 的语言驱动字节声明"},
    "enc_by_bom": {"en": "by a {bom} byte-order mark", "zh": "由 {bom} 字节顺序标记（BOM）声明"},
    "enc_no_cpg": {"en": "{dbf} has no .cpg", "zh": "{dbf} 没有 .cpg 文件"},
    "enc_unsaid": {"en": "{what} does not say", "zh": "{what} 未声明编码"},
    "enc_ascii": {"en": "{why}; the text is plain ASCII", "zh": "{why}；文字是纯 ASCII"},
    "enc_utf8": {"en": "{why}; the text is valid UTF-8", "zh": "{why}；文字是有效的 UTF-8"},
    "enc_gb18030": {
        "en": "{why}; the text is not UTF-8 but is valid GB18030/GBK (Chinese Windows)",
        "zh": "{why}；文字不是 UTF-8，而是有效的 GB18030/GBK（中文 Windows 常用）",
    },
    "enc_latin1": {
        "en": "{why}; the text is neither UTF-8 nor GBK, so it is read as Latin-1 and may look garbled: "
        "choose the right encoding",
        "zh": "{why}；文字既不是 UTF-8 也不是 GBK，暂按 Latin-1 读取，可能显示为乱码：请选择正确的编码",
    },
    # ------------------------------------------------------------------ sheets.py
    "xls_save_as_xlsx": {
        "en": "{file} is an old Excel 97-2003 .xls file; open it in Excel or WPS and save it as .xlsx",
        "zh": "{file} 是旧版 Excel 97-2003（.xls）文件；请在 Excel 或 WPS 中打开并另存为 .xlsx",
    },
    "xlsx_unreadable": {
        "en": "{file} is not a readable Excel .xlsx file ({error}); open it in Excel or WPS and save "
        "it again as .xlsx",
        "zh": "{file} 不是可读取的 Excel .xlsx 文件（{error}）；请在 Excel 或 WPS 中打开并重新另存为 .xlsx",
    },
    "sheet_missing": {
        "en": "{file} has no sheet {sheet!r}; its sheets are: {sheets}",
        "zh": "{file} 中没有工作表 {sheet!r}；现有工作表：{sheets}",
    },
    "sheet_unreadable": {
        "en": "cannot read sheet {sheet!r} of {file} ({error})",
        "zh": "无法读取 {file} 的工作表 {sheet!r}（{error}）",
    },
    "csv_wrong_encoding": {
        "en": "{file} cannot be read as {encoding}; choose its encoding (utf-8, gbk or gb18030)",
        "zh": "{file} 无法按 {encoding} 编码读取；请选择文件实际的编码（utf-8、gbk 或 gb18030）",
    },
    "csv_binary": {
        "en": "{file} holds binary data (NUL bytes), not CSV text; export the table as CSV again",
        "zh": "{file} 含有二进制数据（NUL 字节），不是 CSV 文本；请重新把表格导出为 CSV",
    },
    "csv_invalid": {"en": "{file} is not valid CSV ({error})", "zh": "{file} 不是有效的 CSV 文件（{error}）"},
    "table_empty": {
        "en": "{file} holds no cells: the table is empty",
        "zh": "{file} 中没有任何单元格：表格是空的",
    },
    "no_header_row": {
        "en": "{file}: no header row in the first {rows} rows (a row naming at least half of the "
        "{width} columns); put one row of column names above the data",
        "zh": "{file}：前 {rows} 行中没有表头行（即至少写明 {width} 列中一半列名的一行）；"
        "请在数据上方放一行列名",
    },
    "title_rows_skipped": {
        "en": "the header is row {row}; title rows above it were skipped: {skipped}",
        "zh": "表头在第 {row} 行；其上方的标题行已跳过：{skipped}",
    },
    "skipped_row": {"en": "row {row} ({text!r})", "zh": "第 {row} 行（{text!r}）"},
    "merged_header": {
        "en": "{file}: the header (row {row}) has merged cells ({cells}), a header over several rows "
        "or columns; unmerge them and make one header row with one name per column "
        "(e.g. 用地面积_亩, 用地面积_平方米), then import again",
        "zh": "{file}：表头（第 {row} 行）有合并单元格（{cells}），即跨多行或多列的表头；请取消合并，"
        "整理成一行表头、每列一个列名（如 用地面积_亩、用地面积_平方米），然后重新导入",
    },
    "merged_body": {
        "en": "merged cells in the data ({cells}): only the first cell of each holds the value",
        "zh": "数据区有合并单元格（{cells}）：每个合并区域只有第一个单元格有值",
    },
    "column_unnamed": {
        "en": "column {letter} has no name in the header; it is called {name!r}",
        "zh": "第 {letter} 列在表头中没有列名；暂命名为 {name!r}",
    },
    "column_twice": {
        "en": "column name {name!r} appears twice; the second is called {new}",
        "zh": "列名 {name!r} 出现了两次；第二列改名为 {new}",
    },
    "column_more_warnings": {
        "en": "and {n} more unnamed or repeated column names",
        "zh": "另有 {n} 个列名为空或重复",
    },
    "column_missing": {
        "en": "no column {column!r}; the columns are: {columns}",
        "zh": "没有 {column!r} 列；现有列：{columns}",
    },
    # ------------------------------------------------------------------ importer.py
    "xy_both_or_neither": {
        "en": "give both coordinate columns (--x COL --y COL) or neither",
        "zh": "请同时给出 X、Y 两个坐标列（命令行：--x 列名 --y 列名），或都不给",
    },
    "xls_not_supported": {
        "en": "{file} is an old Excel 97-2003 .xls file; save it as .xlsx",
        "zh": "{file} 是旧版 Excel 97-2003（.xls）文件；请另存为 .xlsx",
    },
    "suffix_not_accepted": {
        "en": "{file}: files ending {suffix!r} cannot be imported; accepted: {accepted}",
        "zh": "{file}：不能导入扩展名为 {suffix!r} 的文件；可导入：{accepted}",
    },
    "report_problem": {"en": "{source}: {problem}", "zh": "{source}：{problem}"},
    "report_problems": {
        "en": "{source}: {problem} (and {more} more problem(s): run zkq-geo inspect)",
        "zh": "{source}：{problem}（另有 {more} 个问题：运行 zkq-geo inspect 查看）",
    },
    "no_features": {"en": "the file holds no features", "zh": "文件中没有任何要素"},
    "encoding_unknown": {
        "en": "text encoding unknown: {note} (CLI: --encoding utf-8|gbk|gb18030)",
        "zh": "无法确定文字编码：{note}（命令行：--encoding utf-8|gbk|gb18030）",
    },
    "zip_no_shp": {
        "en": "{file} holds no .shp file (it holds: {listed}); zip the .shp together with its .shx, .dbf, "
        ".prj (and .cpg) files",
        "zh": "{file} 中没有 .shp 文件（压缩包内有：{listed}）；请把 .shp 与同名的 .shx、.dbf、.prj"
        "（以及 .cpg）文件一起压缩",
    },
    "zip_several_shp": {
        "en": "the zip holds {n} shapefiles ({names}); choose one (CLI: --layer NAME)",
        "zh": "压缩包中有 {n} 个 Shapefile（{names}）；请选择其中一个图层（命令行：--layer 名称）",
    },
    "layer_not_in_file": {
        "en": "layer={layer!r} is not in {file}; choose one of: {choices}",
        "zh": "{file} 中没有图层 {layer!r}；可选：{choices}",
    },
    "shp_no_shx": {
        "en": "{shp} has no {stem}.shx beside it; zip the .shp together with its .shx, .dbf, .prj "
        "(and .cpg) files",
        "zh": "{shp} 旁边缺少索引文件 {stem}.shx；请把 .shp 与 .shx、.dbf、.prj（以及 .cpg）文件一起压缩",
    },
    "shp_no_prj": {
        "en": "{stem} has no .prj: its CRS is detected from the coordinates",
        "zh": "{stem} 没有 .prj 文件：坐标系根据坐标数值自动识别",
    },
    "shp_no_dbf": {
        "en": "{stem} has no .dbf: the features have no attributes; zip the .dbf too",
        "zh": "{stem} 没有 .dbf 文件：要素没有属性；请把 .dbf 一起压缩",
    },
    "geojson_wrong_encoding": {
        "en": "{file} cannot be read as {encoding}; GeoJSON must be UTF-8: save it as UTF-8, "
        "or choose its encoding",
        "zh": "{file} 无法按 {encoding} 编码读取；GeoJSON 应为 UTF-8：请另存为 UTF-8，或选择文件实际的编码",
    },
    "json_invalid": {
        "en": "{file} is not valid JSON: {error} (line {line}, column {column}); fix the file or export "
        "it again",
        "zh": "{file} 不是有效的 JSON：{error}（第 {line} 行第 {column} 列）；请修正文件或重新导出",
    },
    "json_too_deep": {
        "en": "{file} nests too deeply to be GeoJSON",
        "zh": "{file} 嵌套层级过深，不是 GeoJSON",
    },
    "json_not_geojson": {
        "en": '{file} is JSON but not GeoJSON: it needs "type": "FeatureCollection" (or Feature, '
        "or a geometry) at the top",
        "zh": '{file} 是 JSON，但不是 GeoJSON：顶层需要 "type": "FeatureCollection"（或 Feature、几何对象）',
    },
    "geojson_not_utf8": {
        "en": "GeoJSON should be UTF-8 (RFC 7946); this file was read as {encoding}",
        "zh": "GeoJSON 应为 UTF-8 编码（RFC 7946）；本文件按 {encoding} 读取",
    },
    "kmz_kml_count": {
        "en": "{file} should hold exactly one .kml file, it holds {n}",
        "zh": "{file} 中应当只有一个 .kml 文件，实际有 {n} 个",
    },
    "no_layers": {"en": "{file} holds no layers", "zh": "{file} 中没有图层"},
    "several_layers": {
        "en": "the file holds {n} layers ({names}); choose one (CLI: --layer NAME)",
        "zh": "文件中有 {n} 个图层（{names}）；请选择其中一个（命令行：--layer 名称）",
    },
    "layer_is_table": {
        "en": "layer {layer!r} of {file} has no geometry: it is a table. Join it to a layer as a "
        "ledger (Excel/CSV), or choose a layer with geometry",
        "zh": "{file} 的图层 {layer!r} 没有几何：它是一张属性表。请把它作为台账（Excel/CSV）"
        "连接到图层，或选择带几何的图层",
    },
    "cannot_read": {"en": "cannot read {file}: {error}", "zh": "无法读取 {file}：{error}"},
    "no_coordinate_columns": {
        "en": "no coordinate columns found among: {columns}; name them lon/lat (经度/纬度) or "
        "X/Y (东坐标/北坐标), or choose them (CLI: --x COL --y COL)",
        "zh": "在以下字段中没有找到坐标列：{columns}；请把列名改为 经度/纬度（lon/lat）或 "
        "X/Y（东坐标/北坐标），或手动选择 X 列和 Y 列（命令行：--x 列名 --y 列名）",
    },
    "note_source_added": {"en": "column source added: {source!r}", "zh": "已添加 source 字段：{source!r}"},
    "note_column_used_as": {
        "en": "column {column!r} is used as {target!r}",
        "zh": "字段 {column!r} 用作 {target!r}",
    },
    "note_column_reserved": {
        "en": "column {column!r} is computed or checked by the viewer; your values are kept as {new!r}",
        "zh": "字段 {column!r} 由本系统计算或校验；您的原值保留在字段 {new!r} 中",
    },
    "note_column_case": {
        "en": "column {column!r} differs from another only in case; renamed {new!r}",
        "zh": "字段 {column!r} 与另一字段仅大小写不同；已改名为 {new!r}",
    },
    "note_blanks": {"en": "blanks", "zh": "空值"},
    "note_id_not_unique": {
        "en": "column id is not a unique key (duplicates or blanks: {dupes}); kept as {new!r}, new "
        "ids {prefix}1..{prefix}{n} assigned",
        "zh": "id 字段不是唯一键（重复值或空值：{dupes}）；原值保留在字段 {new!r} 中，已重新编号为 "
        "{prefix}1..{prefix}{n}",
    },
    "note_no_id": {
        "en": "no id column: features numbered {prefix}1..{prefix}{n}",
        "zh": "没有 id 字段：要素编号为 {prefix}1..{prefix}{n}",
    },
    "note_no_name": {
        "en": "no name column (name, 名称, MC...): features are named by their id",
        "zh": "没有名称字段（name、名称、MC 等）：要素以 id 作为名称",
    },
    "note_names_from": {"en": "names taken from column {column!r}", "zh": "名称取自字段 {column!r}"},
    # ------------------------------------------------------------------ geomcheck.py
    "features_listed": {"en": "{n} feature(s) ({listed})", "zh": "{n} 个要素（{listed}）"},
    "coords_not_finite": {
        "en": "{features}: coordinates that are missing, not numbers, or infinite (NaN/inf); fix or "
        "delete these features",
        "zh": "{features}：坐标缺失、不是数字或为无穷大（NaN/inf）；请修正或删除这些要素",
    },
    "geometry_collections": {
        "en": "the file holds geometry collections; a layer holds points, lines or polygons: "
        "explode the collections in your GIS first",
        "zh": "文件中含有几何集合（GeometryCollection）；一个图层只能是点、线或面：请先在 GIS "
        "软件中把几何集合拆分为单个几何",
    },
    "mixed_geometry_types": {
        "en": "mixed geometry types ({found}); a layer holds one type: save points, lines and "
        "polygons as separate files (e.g. QGIS: Vector > Geometry Tools) and import each",
        "zh": "几何类型混杂（{found}）；一个图层只能有一种几何类型：请把点、线、面分别另存为"
        "单独的文件（如 QGIS：矢量 > 几何工具）后逐个导入",
    },
    "type_count": {"en": "{n} {type}", "zh": "{type} {n} 个"},
    "no_geometry": {
        "en": "{features}: no geometry (null or empty); kept with their attributes, not drawn on the map",
        "zh": "{features}：没有几何（空值或空几何）；属性已保留，但不会画在地图上",
    },
    "geometries_repaired": {
        "en": "{n} invalid geometries repaired with make_valid: {listed}",
        "zh": "已用 make_valid 修复 {n} 个无效几何：{listed}",
    },
    "repair_item": {"en": "{feature} ({reason})", "zh": "{feature}（{reason}）"},
    # GEOS's reasons for an invalid geometry (shapely.is_valid_reason), {at} = "[x y]" where it is
    "geos_self_intersection": {"en": "Self-intersection{at}", "zh": "自相交{at}"},
    "geos_ring_self_intersection": {"en": "Ring Self-intersection{at}", "zh": "环自相交{at}"},
    "geos_too_few_points": {"en": "Too few points in geometry component{at}", "zh": "几何部件的点数过少{at}"},
    "geos_hole_outside_shell": {"en": "Hole lies outside shell{at}", "zh": "内环位于外环之外{at}"},
    "geos_nested_holes": {"en": "Holes are nested{at}", "zh": "内环相互嵌套{at}"},
    "geos_interior_disconnected": {"en": "Interior is disconnected{at}", "zh": "内部不连通{at}"},
    "geos_nested_shells": {"en": "Nested shells{at}", "zh": "外环相互嵌套{at}"},
    "geos_duplicate_rings": {"en": "Duplicate Rings{at}", "zh": "重复的环{at}"},
    "geos_invalid_coordinate": {"en": "Invalid Coordinate{at}", "zh": "无效坐标{at}"},
    "geos_ring_not_closed": {"en": "Ring is not closed{at}", "zh": "环未闭合{at}"},
    "repair_left_nothing": {
        "en": "{features}: nothing was left after the repair (the shape had no area)",
        "zh": "{features}：修复后几何为空（该图形没有面积）",
    },
    # ------------------------------------------------------------------ import_crs.py
    "crs_not_allowed": {
        "en": "crs={value!r} is not allowed; choose one of: {choices}",
        "zh": "坐标系 {value!r} 不可用；可选：{choices}",
    },
    "crs_unknown_epsg": {
        "en": "crs={value!r}: PROJ knows no {code}; choose one of: {choices}",
        "zh": "坐标系 {value!r}：PROJ 中没有 {code}；可选：{choices}",
    },
    "crs_choices": {
        "en": "auto, wgs84, gcj02 (AMap/高德), bd09 (Baidu/百度) or EPSG:<code> such as EPSG:4526",
        "zh": "auto（自动）、wgs84、gcj02（高德）、bd09（百度）或 EPSG:<代码>（如 EPSG:4526）",
    },
    # ------------------------------------------------------------------ crs.py: why a CRS was detected
    "det_none": {
        "en": "No finite coordinate pairs were given.",
        "zh": "没有有效的坐标对（全为空值、NaN 或无穷大）。",
    },
    "det_no_pattern": {
        "en": "The medians (first column {mx}, second column {my}) fit no known pattern: lon/lat "
        "degrees in China, a 6-digit easting with a 7-digit northing, or an 8-digit easting "
        "with a zone number. Choose the CRS by hand.",
        "zh": "中位数（第一列 {mx}，第二列 {my}）不符合任何已知形式：中国境内的经纬度、6 位东坐标配 7 位"
        "北坐标、或含带号的 8 位东坐标。请手动选择坐标系。",
    },
    "det_mixed": {
        "en": "The median point suggests: {what} But {misfits} of {rows} rows do not fit the same CRS "
        "(mixed systems or typos); fix them or choose the CRS by hand.",
        "zh": "按中位点判断：{what} 但 {rows} 行中有 {misfits} 行不符合同一坐标系（混用坐标系或录入错误）；"
        "请修正这些行，或手动选择坐标系。",
    },
    "det_swap_lonlat": {
        "en": "The first column holds latitudes and the second longitudes: the columns are swapped. {note}",
        "zh": "第一列是纬度、第二列是经度：两列顺序颠倒。{note}",
    },
    "det_swap_xy": {
        "en": "The first column holds northings (surveyors' X) and the second eastings (Y): the columns "
        "are swapped. {note}",
        "zh": "第一列是北坐标（测量的 X）、第二列是东坐标（Y）：两列顺序颠倒。{note}",
    },
    "det_lonlat": {
        "en": "The values are longitude/latitude degrees inside China: read as WGS84 (EPSG:4326; CGCS2000 "
        "EPSG:4490 agrees to under a metre). Points picked on AMap/Tencent (GCJ-02) or Baidu (BD-09) "
        "maps are 0.5-1.3 km off and must be converted with shift_gdf.",
        "zh": "数值是中国境内的经纬度：按 WGS84（EPSG:4326）读取（与 CGCS2000 EPSG:4490 相差不到 1 米）。"
        "从高德/腾讯（GCJ-02）或百度（BD-09）地图拾取的点偏差 0.5–1.3 公里，须选择 gcj02 或 bd09 转换。",
    },
    "det_gk_no_zone": {
        "en": "The 6-digit easting ({east}) carries no zone number, so the central meridian is ASSUMED "
        "to be 114E (3-degree zone 38, correct for Zhengzhou): EPSG:4547, CGCS2000 / 3-degree "
        "Gauss-Krueger CM 114E. Override the CRS elsewhere if the survey used another central "
        "meridian (e.g. a 6-degree zone on 111E). {datum}",
        "zh": "6 位东坐标（{east}）不含带号，因此【假定】中央经线为 114°E（3 度带第 38 带，郑州适用）："
        "EPSG:4547，CGCS2000 3 度带高斯-克吕格投影，中央经线 114°E。若测量采用其他中央经线"
        "（如 6 度带 111°E），请手动指定坐标系。{datum}",
    },
    "det_gk_zone": {
        "en": "The 8-digit easting ({east}) carries zone number {zone}: EPSG:{code}, CGCS2000 / "
        "{width}-degree Gauss-Krueger zone {zone} (central meridian {cm}E). {datum}",
        "zh": "8 位东坐标（{east}）含带号 {zone}：EPSG:{code}，CGCS2000 {width} 度带高斯-克吕格投影"
        "第 {zone} 带（中央经线 {cm}°E）。{datum}",
    },
    "det_old_datum": {
        "en": "The datum is assumed to be CGCS2000; Xi'an 1980 and Beijing 1954 coordinates look the "
        "same and must be chosen by hand.",
        "zh": "基准面假定为 CGCS2000；西安 1980 与北京 1954 坐标的数值形式相同，须手动选择。",
    },
    "crs_how_chosen": {"en": "chosen by the user", "zh": "由用户选择"},
    "crs_how_detected": {"en": "detected from the coordinates: {reason}", "zh": "根据坐标数值识别：{reason}"},
    "crs_how_prj": {"en": "declared by {stem}.prj", "zh": "由 {stem}.prj 声明"},
    "crs_how_gpkg": {"en": "declared in the GeoPackage", "zh": "GeoPackage 中声明"},
    "crs_how_geojson_member": {
        "en": "declared by the GeoJSON crs member",
        "zh": "由 GeoJSON 的 crs 成员声明",
    },
    "crs_how_geojson": {
        "en": "GeoJSON is WGS84 lon/lat by definition",
        "zh": "GeoJSON 按规范为 WGS84 经纬度",
    },
    "crs_how_kml": {"en": "KML is WGS84 lon/lat by definition", "zh": "KML 按规范为 WGS84 经纬度"},
    "no_coordinates": {
        "en": "no feature has coordinates to place on the map",
        "zh": "没有任何要素带有可上图的坐标",
    },
    "crs_overridden": {
        "en": "the file declares {declared} ({how}); using {target} as chosen",
        "zh": "文件声明的坐标系为 {declared}（{how}）；按所选使用 {target}",
    },
    "degrees_declared_metres": {
        "en": "the file's CRS ({how}) is {declared} in degrees, but the coordinates reach "
        "{magnitude}: they are metres, so that CRS is ignored",
        "zh": "文件的坐标系（{how}）是以度为单位的 {declared}，但坐标值达到 {magnitude}："
        "它们是以米为单位的投影坐标，因此不采用该坐标系",
    },
    "crs_undetermined": {
        "en": "cannot tell the coordinate system: {reason}{hint} Choose it (CLI: --crs EPSG:<code>; "
        "gcj02/bd09 for AMap/Baidu lon/lat)",
        "zh": "无法判断坐标系：{reason}{hint} 请手动选择坐标系（命令行：--crs EPSG:<代码>；"
        "高德/百度经纬度选 gcj02/bd09）",
    },
    "fits_hint": {"en": " (they would fit {crs}.)", "zh": "（坐标与 {crs} 相符。）"},
    "fits_hint_swapped": {
        "en": " (they would fit {crs} with X and Y swapped.)",
        "zh": "（X、Y 互换后坐标与 {crs} 相符。）",
    },
    "xy_swapped": {"en": "X and Y were swapped: {reason}", "zh": "X 与 Y 已互换：{reason}"},
    "old_datum": {
        "en": "西安80/北京54坐标：PROJ 没有河南地区到 CGCS2000 的精确基准转换，位置可能偏差数十米或更多。"
        " Xi'an 1980 / Beijing 1954 coordinates: PROJ has no accurate datum shift to CGCS2000 for"
        " Henan, so positions may be off by tens of metres or more. Ask the surveyor for CGCS2000"
        " coordinates or for local transformation parameters.",
        "zh": "西安80/北京54坐标：PROJ 没有河南地区到 CGCS2000 的精确基准转换，位置可能偏差数十米或更多。"
        "请向测绘单位索取 CGCS2000 坐标或本地转换参数。",
    },
    "lonlat_datum_note": {
        "en": "lon/lat are taken as WGS84 (GPS, Tianditu, OSM). If they were picked on AMap/高德 or "
        "Tencent choose gcj02, on Baidu choose bd09: otherwise everything sits 0.5-1.3 km off",
        "zh": "经纬度按 WGS84（GPS、天地图、OSM）处理。如果坐标取自高德或腾讯地图，请选 gcj02；"
        "取自百度地图，请选 bd09：否则所有位置会偏移 0.5–1.3 km",
    },
    "offset_but_projected": {
        "en": "{choice} means lon/lat degrees from AMap/Baidu, but the file declares {declared} "
        "(projected metres); choose auto or the file's EPSG code",
        "zh": "{choice} 表示取自高德/百度的经纬度（度），但文件声明的坐标系是 {declared}"
        "（投影坐标，单位米）；请选择 auto（自动）或文件的 EPSG 代码",
    },
    "offset_but_not_lonlat": {
        "en": "{choice} means lon/lat degrees from AMap/Baidu, but these coordinates are not "
        "lon/lat in China: {reason}",
        "zh": "{choice} 表示取自高德/百度的经纬度（度），但这些坐标不是中国境内的经纬度：{reason}",
    },
    "offset_converted": {
        "en": "converted from {name} to WGS84 (a shift of about 0.6 km near Zhengzhou for GCJ-02, "
        "1.3 km for BD-09)",
        "zh": "已从 {name} 转换为 WGS84（在郑州附近，GCJ-02 约偏移 0.6 km，BD-09 约 1.3 km）",
    },
    "offset_gcj02": {"en": "GCJ-02 (AMap/高德, Tencent)", "zh": "GCJ-02（高德、腾讯）"},
    "offset_bd09": {"en": "BD-09 (Baidu/百度)", "zh": "BD-09（百度）"},
    "conversion_failed": {
        "en": "some coordinates cannot be converted from {crs} to WGS84 (outside the area that CRS "
        "covers); the CRS is probably wrong: choose the right one{hint}",
        "zh": "部分坐标无法从 {crs} 转换为 WGS84（超出该坐标系的适用范围）；坐标系很可能选错了："
        "请选择正确的坐标系{hint}",
    },
    "zone_region": {
        "en": "{lon_min}-{lon_max}E, {lat_min}-{lat_max}N",
        "zh": "东经 {lon_min}–{lon_max}°、北纬 {lat_min}–{lat_max}°",
    },
    "some_outside_zone": {
        "en": "{n} of {total} features lie outside the zone's region ({region}): {listed}; check "
        "their coordinates for typos",
        "zh": "{total} 个要素中有 {n} 个位于经开区范围（{region}）之外：{listed}；"
        "请检查这些要素的坐标是否录错",
    },
    "all_outside_zone": {
        "en": "the data lies outside the zone's region ({region}), around {lon:.4f}E {lat:.4f}N. "
        "Likely cause: {cause}",
        "zh": "数据位于经开区范围（{region}）之外，大致在东经 {lon:.4f}°、北纬 {lat:.4f}° 附近。"
        "可能的原因：{cause}",
    },
    "cause_swapped": {
        "en": "X and Y are swapped (the first column holds northings or latitudes); swap them or choose "
        "the columns",
        "zh": "X 与 Y 颠倒了（第一列是北坐标或纬度）；请互换两列，或手动选择 X 列和 Y 列",
    },
    "cause_unknown": {
        "en": "none of the usual mix-ups (swapped X/Y, the zone number in the easting, a wrong central "
        "meridian, lon/lat taken as metres) puts it in the zone: check which CRS the data was made "
        "in, or whether it covers another area",
        "zh": "常见的几种错误（X/Y 颠倒、东坐标带带号、中央子午线不对、经纬度被当作米）都不能使数据"
        "落入经开区：请核实数据是用哪个坐标系制作的，或数据是否属于其他地区",
    },
    "cause_fits": {
        "en": "{why}: the coordinates fit {fits}, not {used}; choose {code}",
        "zh": "{why}：坐标与 {fits} 相符，而不是 {used}；请选择 {code}",
    },
    "cause_fits_swapped": {
        "en": "{why}: the coordinates fit {fits} with X and Y swapped, not {used}; choose {code}",
        "zh": "{why}：X、Y 互换后坐标与 {fits} 相符，而不是 {used}；请选择 {code}",
    },
    "why_EPSG:4526": {
        "en": "the eastings carry the zone number 38 (8 digits)",
        "zh": "东坐标带有带号 38（8 位数）",
    },
    "why_EPSG:4547": {
        "en": "the eastings have no zone number (6 digits) on central meridian 114E",
        "zh": "东坐标不带带号（6 位数），中央子午线为东经 114°",
    },
    "why_EPSG:4326": {"en": "they are lon/lat degrees", "zh": "坐标是经纬度（度）"},
    "why_EPSG:4497": {
        "en": "they are in a 6-degree zone (zone 19) with the zone number",
        "zh": "坐标是 6 度带（第 19 带）投影坐标，且带有带号",
    },
    "why_EPSG:4508": {
        "en": "they are in a 6-degree zone on central meridian 111E",
        "zh": "坐标是中央子午线为东经 111° 的 6 度带投影坐标",
    },
    "why_EPSG:3857": {
        "en": "they are Web Mercator metres from a web map",
        "zh": "坐标是网络地图的 Web 墨卡托坐标（米）",
    },
    # ------------------------------------------------------------------ workspace.py
    "layer_name_not_allowed": {
        "en": "layer name {name!r} is not allowed: use 1-40 lower-case letters, digits and _, "
        "starting with a letter (e.g. {hint!r})",
        "zh": "图层名 {name!r} 不可用：请用 1–40 个小写英文字母、数字或下划线，并以字母开头（如 {hint!r}）",
    },
    "layer_name_shipped": {
        "en": "layer name {name!r} belongs to a shipped layer ({layers}); choose another name",
        "zh": "图层名 {name!r} 已被系统自带图层占用（{layers}）；请换一个名称",
    },
    "no_imported_layer": {
        "en": "no imported layer {name!r} in the workspace; imported layers: {known}",
        "zh": "工作区中没有导入的图层 {name!r}；已导入的图层：{known}",
    },
    "no_layer_version": {
        "en": "layer {name!r} has no version {version}; it has {have}",
        "zh": "图层 {name!r} 没有版本 {version}；现有版本：{have}",
    },
    "workspace_file_unreadable": {
        "en": "cannot read {file} in the workspace: {error}",
        "zh": "无法读取工作区中的 {file}：{error}",
    },
    "layer_not_saved": {
        "en": "could not save layer {name!r} in the workspace: {error}",
        "zh": "无法在工作区中保存图层 {name!r}：{error}",
    },
    "workspace_path_outside": {
        "en": "the workspace index names {path!r}, which is outside the workspace",
        "zh": "工作区索引中的路径 {path!r} 位于工作区之外",
    },
    "workspace_index_unreadable": {
        "en": "the workspace index ({path}) is unreadable ({error}); move it away to start "
        "a fresh index (the layer files stay in layers/)",
        "zh": "工作区索引（{path}）无法读取（{error}）；请把它移走以新建索引（图层文件仍保留在 layers/ 中）",
    },
    "workspace_index_foreign": {
        "en": "the workspace index ({path}) is not a zkq-geo index; move it away",
        "zh": "工作区索引（{path}）不是 zkq-geo 的索引；请把它移走",
    },
    "save_needs_crs": {
        "en": "only a GeoDataFrame with a CRS can be saved in the workspace",
        "zh": "只有带坐标系的 GeoDataFrame 才能保存到工作区",
    },
    "save_no_features": {
        "en": "the layer holds no features; nothing to save",
        "zh": "图层中没有要素，没有可保存的内容",
    },
    "layer_saved": {
        "en": "saved layer {name!r} (version {version})",
        "zh": "已保存图层 {name!r}（版本 {version}）",
    },
    "layer_saved_again": {
        "en": "layer {name!r} already existed: saved as version {version}, which is now shown; "
        "earlier version(s) {kept} are kept",
        "zh": "图层 {name!r} 已存在：已保存为版本 {version} 并显示；之前的版本 {kept} 均保留",
    },
    # ---- workspace robustness (workspace.py: broken layers, orphans, delete/restore, read-only folder)
    "ws_broken_file": {
        "en": "imported layer {name!r} is not shown: {reason}; restore an earlier version (zkq-geo layer "
        "restore {name}), import the data again under the same name, or delete the layer (zkq-geo "
        "layer delete {name}; both also in the admin section of the Import page)",
        "zh": "导入的图层 {name!r} 暂不显示：{reason}；请恢复较早的版本（zkq-geo layer restore {name}）、"
        "以同一名称重新导入，或删除该图层（zkq-geo layer delete {name}；两者也可在“导入数据”页的"
        "管理区操作）",
    },
    "ws_broken_entry": {
        "en": "imported layer {name!r} is not shown: its entry in the workspace index is damaged "
        "({reason}); delete the layer (zkq-geo layer delete {name}, or the admin section of the "
        "Import page; its files are kept in trash/) and import it again",
        "zh": "导入的图层 {name!r} 暂不显示：工作区索引中该图层的记录已损坏（{reason}）；请删除该图层"
        "（zkq-geo layer delete {name}，或在“导入数据”页的管理区操作；文件会保留在 trash/ 中）"
        "后重新导入",
    },
    "ws_name_bad": {
        "en": "the workspace index lists a layer {name!r}, which cannot name an imported layer (a shipped "
        "layer's name, or not 1-40 lower-case letters, digits and _); remove that entry from "
        "index.json in the workspace folder",
        "zh": "工作区索引中有名为 {name!r} 的图层，该名称不能用于导入图层（与系统自带图层重名，或不是 1–40 "
        "个小写字母、数字或下划线）；请从工作区文件夹的 index.json 中删除这一项",
    },
    "ws_entry_not_list": {"en": "it is not a list of versions", "zh": "不是版本列表"},
    "ws_entry_empty": {"en": "it lists no version", "zh": "没有任何版本"},
    "ws_record_not_object": {"en": "version record #{n} is not an object", "zh": "第 {n} 条版本记录不是对象"},
    "ws_record_missing": {"en": "version record #{n} lacks {keys}", "zh": "第 {n} 条版本记录缺少 {keys}"},
    "ws_record_extra": {
        "en": "version record #{n} has unknown keys {keys}",
        "zh": "第 {n} 条版本记录有未知的键 {keys}",
    },
    "ws_record_value": {
        "en": "version record #{n}: {key} is {value}, but should be {expected}",
        "zh": "第 {n} 条版本记录：{key} 为 {value}，应为{expected}",
    },
    "ws_expect_positive": {"en": "a whole number above 0", "zh": "大于 0 的整数"},
    "ws_expect_count": {"en": "a whole number, 0 or more", "zh": "不小于 0 的整数"},
    "ws_expect_text": {"en": "text", "zh": "文本"},
    "ws_expect_kind": {"en": "'import' or 'join'", "zh": "'import' 或 'join'"},
    "ws_expect_object": {"en": "an object", "zh": "对象"},
    "ws_expect_file": {"en": "the path {path}", "zh": "路径 {path}"},
    "ws_expect_original": {"en": "null or a file under {path}", "zh": "null 或 {path} 下的文件"},
    "ws_versions_order": {
        "en": "its version numbers {versions} do not increase",
        "zh": "版本号 {versions} 不是递增的",
    },
    "ws_file_missing": {"en": "its file {file} is missing", "zh": "其文件 {file} 不存在"},
    "ws_file_not_gpkg": {
        "en": "its file {file} is not a GeoPackage (damaged or replaced)",
        "zh": "其文件 {file} 不是 GeoPackage（已损坏或被替换）",
    },
    "ws_file_unreadable": {
        "en": "its file {file} cannot be read ({error})",
        "zh": "无法读取其文件 {file}（{error}）",
    },
    "ws_file_outside": {
        "en": "its file {file} leads outside the workspace (a link?)",
        "zh": "其文件 {file} 指向工作区之外（是链接？）",
    },
    "ws_entry_blocks_save": {
        "en": "layer {name!r} cannot get a new version: its entry in the workspace index is "
        "damaged ({reason}); delete the layer first (zkq-geo layer delete {name})",
        "zh": "图层 {name!r} 无法添加新版本：工作区索引中该图层的记录已损坏（{reason}）；请先删除该图层"
        "（zkq-geo layer delete {name}）",
    },
    "cannot_write": {
        "en": "cannot write {path}: {error}; choose a file path in a writable folder",
        "zh": "无法写入 {path}：{error}；请选择可写文件夹中的文件路径",
    },
    "workspace_not_writable": {
        "en": "the workspace folder is not writable ({error}); give the user running zkq-geo "
        "write permission on it, or set ZKQ_WORKSPACE to a folder it may write to",
        "zh": "工作区文件夹不可写（{error}）；请给运行 zkq-geo 的用户授予该文件夹的写权限，"
        "或用环境变量 ZKQ_WORKSPACE 指定一个可写的文件夹",
    },
    "layer_deleted": {
        "en": "deleted layer {name!r} ({n} version(s)); its files and index entry are kept in {trash} "
        "in the workspace (remove that folder to free the space)",
        "zh": "已删除图层 {name!r}（{n} 个版本）；其文件和索引记录保留在工作区的 {trash} 中"
        "（删除该文件夹即可释放空间）",
    },
    "layer_restored": {
        "en": "restored version {source} of layer {name!r} as version {version}, which is now shown; "
        "every earlier version is kept",
        "zh": "已将图层 {name!r} 的版本 {source} 恢复为版本 {version} 并显示；之前的所有版本均保留",
    },
    "restore_nothing_earlier": {
        "en": "layer {name!r} has only version {version}; there is no earlier version to restore",
        "zh": "图层 {name!r} 只有版本 {version}，没有可恢复的较早版本",
    },
    "restore_is_current": {
        "en": "version {version} is already the current version of layer {name!r}; choose an "
        "earlier one: {have}",
        "zh": "版本 {version} 已是图层 {name!r} 的当前版本；请选择较早的版本：{have}",
    },
    "restore_source_bad": {
        "en": "version {version} of layer {name!r} cannot be restored: {reason}; choose another "
        "version ({have}) or delete the layer",
        "zh": "图层 {name!r} 的版本 {version} 无法恢复：{reason}；请选择其他版本（{have}）或删除该图层",
    },
    "orphans_removed": {
        "en": "removed {n} leftover(s) of an interrupted import from the workspace: {items}",
        "zh": "已从工作区删除中断的导入留下的 {n} 个残留文件：{items}",
    },
    # ------------------------------------------------------------------ join.py, ledger_join.py
    "key_not_unique": {
        "en": "table key {key!r} is not unique: {keys}; remove or merge the duplicate rows first",
        "zh": "台账键字段 {key!r} 的值不唯一：{keys}；请先删除或合并重复的行",
    },
    "no_key_column": {
        "en": "{what} has no key column {column!r}; columns are: {columns}",
        "zh": "{what}中没有键字段 {column!r}；现有字段：{columns}",
    },
    "no_such_column": {
        "en": "{what} has no column {column!r}; its columns are: {columns}",
        "zh": "{what}中没有字段 {column!r}；现有字段：{columns}",
    },
    "joined_no_column": {
        "en": "the joined table has no column {column!r}; its columns are: {columns}",
        "zh": "连接后的表中没有字段 {column!r}；现有字段：{columns}",
    },
    "not_numbers": {
        "en": "column {column!r} must hold numbers; not numbers: {cells}; fix these cells (write 50, not "
        "约50 or 50亩)",
        "zh": "字段 {column!r} 应为数字；以下不是数字：{cells}；请修改这些单元格（写 50，不要写 约50 或 "
        "50亩）",
    },
    "per_mu_needs_land": {
        "en": "per-mu figures need a land-area column: choose it (CLI: --land COL)",
        "zh": "按亩计算需要用地面积字段：请选择用地面积列（命令行：--land 列名）",
    },
    # ---- lost data, ledger numbers, zip names
    "zip_duplicate_entry": {
        "en": "{file} holds {first!r} and {second!r}: two entries for the same file (paths "
        "compared ignoring case and \\ vs /), so one would overwrite the other; zip each "
        "file once",
        "zh": "{file} 中有 {first!r} 和 {second!r}：两个条目指向同一个文件（路径比较时不区分大小写、"
        "不区分 \\ 与 /），解压时一个会覆盖另一个；请每个文件只压缩一次",
    },
    "zip_same_name": {
        "en": "{file} holds {first!r} and {second!r}: two shapefile parts of one name, so which belongs "
        "to the layer is ambiguous; zip one layer's files only, or give the two layers "
        "different names",
        "zh": "{file} 中有 {first!r} 和 {second!r}：两个同名的 Shapefile 组成文件，无法确定哪个属于该图层；"
        "请只压缩一个图层的文件，或给两个图层取不同的名称",
    },
    "cpg_not_text": {
        "en": "{cpg} names {name!r}, which is not a text encoding: the .cpg was ignored and the encoding "
        "found as if there were none; check the text, or choose the encoding",
        "zh": "{cpg} 声明的 {name!r} 不是文字编码：已忽略该 .cpg，按没有 .cpg 的情况识别编码；请核对文字，"
        "或手动选择编码",
    },
    "shp_header_short": {
        "en": "{file} holds {size} bytes, less than the 100-byte shapefile header: the file is "
        "damaged; export the layer again",
        "zh": "{file} 只有 {size} 字节，不足 100 字节的 Shapefile 文件头：文件已损坏；请重新导出该图层",
    },
    "shp_file_code": {
        "en": "{file} does not start with the shapefile file code 9994 (found {code}): the file is "
        "damaged or not a shapefile part; export the layer again",
        "zh": "{file} 开头不是 Shapefile 文件代码 9994（实为 {code}）：文件已损坏或不是 Shapefile "
        "的组成文件；"
        "请重新导出该图层",
    },
    "shp_cut_short": {
        "en": "{file} is cut short: it holds {size} bytes, its header says {declared}; shapes would "
        "be lost: export the layer again and zip all its files",
        "zh": "{file} 不完整：实有 {size} 字节，文件头声明 {declared} 字节；部分图形会丢失：请重新导出该图层"
        "并压缩其全部文件",
    },
    "shx_damaged": {
        "en": "{file} (the shape index) holds {size} bytes, its header says {declared}; it should be a "
        "100-byte header plus 8 bytes per shape: the index is damaged, export the layer again",
        "zh": "{file}（图形索引）实有 {size} 字节，文件头声明 {declared} 字节；应为 100 字节文件头加每个图形 "
        "8 字节：索引已损坏，请重新导出该图层",
    },
    "shp_shapes_past_end": {
        "en": "{shx} indexes {n} shape(s) up to byte {end}, but the .shp holds {size} bytes: the "
        ".shp is cut short and shapes would be lost; export the layer again",
        "zh": "{shx} 索引了 {n} 个图形，直到第 {end} 字节，但 .shp 只有 {size} 字节：.shp 不完整，"
        "部分图形会丢失；请重新导出该图层",
    },
    "dbf_damaged": {
        "en": "{file} (the attribute table) has a damaged header ({why}): the features would be imported "
        "without their attributes; export the layer again",
        "zh": "{file}（属性表）的文件头已损坏（{why}）：要素导入后会丢失属性；请重新导出该图层",
    },
    "dbf_why_short": {
        "en": "{size} bytes, less than the 32-byte header",
        "zh": "只有 {size} 字节，不足 32 字节的表头",
    },
    "dbf_why_version": {
        "en": "version byte {version} is not a dBASE version",
        "zh": "版本字节 {version} 不是 dBASE 版本",
    },
    "dbf_why_header_bytes": {
        "en": "header length {n} bytes, below the minimum of 33",
        "zh": "表头长度为 {n} 字节，小于最小值 33",
    },
    "dbf_why_header_beyond": {
        "en": "header length {n} bytes, beyond the end of the {size}-byte file",
        "zh": "表头长度为 {n} 字节，超出了 {size} 字节的文件末尾",
    },
    "dbf_why_no_end": {
        "en": "the field descriptors do not end with 0x0D within the {n}-byte header",
        "zh": "字段描述在 {n} 字节的表头内没有以 0x0D 结束",
    },
    "dbf_why_field": {
        "en": "field descriptor #{n} is not valid (type {type}, length {length})",
        "zh": "第 {n} 个字段描述无效（类型 {type}，长度 {length}）",
    },
    "dbf_why_record_bytes": {
        "en": "records of {record} bytes, but the fields need {fields}",
        "zh": "每条记录 {record} 字节，但字段共需 {fields} 字节",
    },
    "dbf_cut_short": {
        "en": "{file} (the attribute table) is cut short: it declares {declared} record(s) but holds "
        "{whole} complete one(s); attributes would be lost: export the layer again",
        "zh": "{file}（属性表）不完整：声明 {declared} 条记录，实际只有 {whole} 条完整记录；属性会丢失："
        "请重新导出该图层",
    },
    "shp_fewer_records": {
        "en": "{shapes} shape(s) in {shp}, {records} attribute row(s) in {dbf}: {lost} feature(s) "
        "would be dropped or lose their attributes; export the layer again so both files "
        "hold every feature",
        "zh": "{shp} 有 {shapes} 个图形，{dbf} 只有 {records} 行属性：{lost} 个要素会丢失或失去属性；"
        "请重新导出该图层，使两个文件包含全部要素",
    },
    "shp_more_records": {
        "en": "{shapes} shape(s) in {shp}, {records} attribute row(s) in {dbf}: {lost} attribute "
        "row(s) have no shape and would be dropped; export the layer again so both files "
        "hold every feature",
        "zh": "{shp} 只有 {shapes} 个图形，{dbf} 有 {records} 行属性：{lost} 行属性没有对应图形，会被丢弃；"
        "请重新导出该图层，使两个文件包含全部要素",
    },
    "dbf_deleted_records": {
        "en": "{n} of the {records} record(s) in {dbf} are marked deleted (the GIS did not pack "
        "the table): those features are not imported",
        "zh": "{dbf} 的 {records} 条记录中有 {n} 条标记为已删除（GIS 软件未压缩该表）：这些要素不导入",
    },
    "fault_not_finite": {"en": "not a finite number", "zh": "不是有限数值"},
    "fault_negative": {"en": "negative", "zh": "为负数"},
    "fault_zero": {"en": "zero", "zh": "为零"},
    "fault_below_minimum": {
        "en": "below the minimum land area of {m2} m² ({mu} 亩)",
        "zh": "小于用地面积下限 {m2} 平方米（{mu} 亩）",
    },
    "bad_figure_cell": {"en": "{row}={value!r} ({fault})", "zh": "{row} 的值 {value!r}（{fault}）"},
    "bad_figures_column": {"en": "{column!r}: {cells}", "zh": "字段 {column!r}：{cells}"},
    "ledger_bad_figures": {
        "en": "impossible figures in the ledger: {columns}; a land area must be at least {m2} m² "
        "and an investment more than 0, money figures must be finite and not negative: fix "
        "these cells (leave a cell empty when the figure is unknown) and join again",
        "zh": "台账中有不可能的数值：{columns}；用地面积至少为 {m2} 平方米，投资额须大于 0，金额须为有限"
        "且不为负数：请修改这些单元格（数值未知时留空）后重新连接",
    },
    "figure_of_feature": {
        "en": "{feature}: {column} = {value} ({fault})",
        "zh": "{feature}：{column} 的值为 {value}（{fault}）",
    },
    "efficiency_not_ranked": {
        "en": "{n} feature(s) not ranked and not divided, their figures are impossible: {rows}; "
        "fix them in the source data",
        "zh": "{n} 个要素的数值不可能成立，不参与排名和计算：{rows}；请在源数据中修改",
    },
    # ---- shapefile/gpkg silent loss (red team)
    "dbf_numeric_text": {
        "en": "{n} value(s) of the numeric field {field!r} in {dbf} are not numbers ({examples}): "
        "they were read as numbers that may be wrong (GDAL reads '1,234.5' as 1, 'abc' as 0); "
        "check these features and correct the values in the source data",
        "zh": "{dbf} 的数值字段 {field!r} 中有 {n} 个值不是数字（{examples}）：读取结果可能是错误的数值"
        "（GDAL 会把 '1,234.5' 读成 1，把 'abc' 读成 0）；请核对这些要素，并在源数据中改正这些值",
    },
    "dbf_value_example": {"en": "record {record}: {text!r}", "zh": "第 {record} 条记录：{text!r}"},
    "cpg_not_ascii": {
        "en": "{cpg} names {name!r}, an encoding a .dbf cannot use (it does not keep ASCII bytes as "
        "ASCII, so every field name and value would be garbled): the .cpg was ignored and the "
        "encoding found as if there were none; check the text, or choose the encoding",
        "zh": "{cpg} 声明的 {name!r} 不能用于 .dbf（该编码不按 ASCII 解读 ASCII 字节，"
        "所有字段名和值都会变成乱码）："
        "已忽略该 .cpg，按没有 .cpg 的情况识别编码；请核对文字，或手动选择编码",
    },
    "prj_unreadable": {
        "en": "the .prj of {stem} could not be read ({definition}): {then}; check it",
        "zh": "{stem} 的 .prj 无法读取（{definition}）：{then}；请核对",
    },
    "gpkg_srs_unreadable": {
        "en": "the CRS of layer {layer} in {file} (srs_id {srs_id}: {definition}) could not be "
        "read: {then}; check it",
        "zh": "{file} 中图层 {layer} 的坐标系（srs_id {srs_id}：{definition}）无法读取：{then}；请核对",
    },
    "crs_definition_missing": {
        "en": "not in gpkg_spatial_ref_sys",
        "zh": "gpkg_spatial_ref_sys 中没有该定义",
    },
    "crs_then_detected": {
        "en": "the CRS was detected from the coordinates instead",
        "zh": "坐标系改为根据坐标判断",
    },
    "crs_then_chosen": {"en": "the CRS you chose ({crs}) was used", "zh": "已使用您选择的坐标系（{crs}）"},
    "zip_files_not_read": {
        "en": "{file} also holds {n} other data file(s) that were not read: {names}; only {read} "
        "was imported: import each of them as its own file",
        "zh": "{file} 还含有 {n} 个未读取的数据文件：{names}；只导入了 {read}："
        "请将它们分别作为单独的文件导入",
    },
    # ---- hostile input: limits, content sniffing, bounded reads (limits.py, sniff.py, sandbox.py)
    "limit_not_number": {
        "en": "{name}={raw!r} must be a positive whole number (default {default})",
        "zh": "环境变量 {name}={raw!r} 应为正整数（默认 {default}）",
    },
    "content_gdal_vrt": {
        "en": "{file} is a GDAL document that names other files or URLs (VRT), not data; "
        "it is refused: upload the data file itself",
        "zh": "{file} 是引用其他文件或网址的 GDAL 文档（VRT），不是数据文件，已拒绝；请上传数据文件本身",
    },
    "content_mismatch": {
        "en": "{file} should be {kind} but its content is {found}; export the data again in "
        "the format its name says",
        "zh": "{file} 应为{kind}，但内容是{found}；请按文件名所示格式重新导出数据",
    },
    "kind_gpkg": {"en": "a GeoPackage (SQLite)", "zh": " GeoPackage（SQLite）文件"},
    "kind_shp": {"en": "a shapefile (.shp)", "zh": " Shapefile（.shp）文件"},
    "kind_shx": {"en": "a shapefile index (.shx)", "zh": " Shapefile 索引（.shx）文件"},
    "kind_kml": {"en": "a KML document", "zh": " KML 文档"},
    "kind_geojson": {"en": "a GeoJSON (JSON) text", "zh": " GeoJSON（JSON）文本"},
    "kind_zip": {"en": "a zip archive", "zh": " zip 压缩包"},
    "kind_xlsx": {"en": "an Excel workbook (.xlsx)", "zh": " Excel 工作簿（.xlsx）"},
    "kind_csv": {"en": "a text table", "zh": "文本表格"},
    "found_sqlite": {"en": "an SQLite database", "zh": " SQLite 数据库"},
    "found_zip": {"en": "a zip archive", "zh": " zip 压缩包"},
    "found_shapefile": {"en": "shapefile geometry", "zh": " Shapefile 几何数据"},
    "found_kml": {"en": "KML", "zh": " KML 文档"},
    "found_gdal_vrt": {"en": "a GDAL VRT document", "zh": " GDAL VRT 文档"},
    "found_xml": {"en": "another XML document", "zh": "其他 XML 文档"},
    "found_json": {"en": "JSON", "zh": " JSON 文本"},
    "found_text": {"en": "plain text", "zh": "纯文本"},
    "found_binary": {"en": "binary data of another kind", "zh": "其他二进制数据"},
    "parse_wall_limit": {
        "en": "reading {file} took longer than {seconds} s and was stopped; the file may hold an "
        "endless query or be too large: simplify or split it (limit: ZKQ_PARSE_CPU_SECONDS)",
        "zh": "读取 {file} 超过 {seconds} 秒，已停止；文件可能含无限循环的查询或过大：请简化或拆分"
        "（上限：ZKQ_PARSE_CPU_SECONDS）",
    },
    "parse_cpu_limit": {
        "en": "reading {file} used more than {seconds} s of CPU time and was stopped; the file may "
        "hold an endless query or be too large: simplify or split it (raise "
        "ZKQ_PARSE_CPU_SECONDS for big files you trust)",
        "zh": "读取 {file} 占用 CPU 超过 {seconds} 秒，已停止；文件可能含无限循环的查询或过大：请简化或"
        "拆分（可信的大文件可提高 ZKQ_PARSE_CPU_SECONDS）",
    },
    "parse_memory_limit": {
        "en": "reading {file} needed more than {mb} MB of memory and was stopped; split the data "
        "(raise ZKQ_PARSE_MEMORY_MB for big files you trust)",
        "zh": "读取 {file} 需要超过 {mb} MB 内存，已停止；请拆分数据（可信的大文件可提高 "
        "ZKQ_PARSE_MEMORY_MB）",
    },
    "parse_died": {
        "en": "reading {file} stopped unexpectedly (exit {code}); the file is damaged or needs more than "
        "{mb} MB of memory: export it again or split it",
        "zh": "读取 {file} 意外中止（退出码 {code}）；文件已损坏或需要超过 {mb} MB 内存：请重新导出或拆分",
    },
    "too_many_features": {
        "en": "{file} holds {n:,} features, more than the limit of {limit:,}; split the layer, "
        "or raise ZKQ_MAX_FEATURES",
        "zh": "{file} 含 {n:,} 个要素，超过上限 {limit:,}；请拆分图层，或提高 ZKQ_MAX_FEATURES",
    },
    "too_many_rows": {
        "en": "{file} holds about {n:,} rows, more than the limit of {limit:,} features; split the "
        "table, or raise ZKQ_MAX_FEATURES",
        "zh": "{file} 约有 {n:,} 行，超过要素上限 {limit:,}；请拆分表格，或提高 ZKQ_MAX_FEATURES",
    },
    "too_many_vertices": {
        "en": "{file} holds {n:,} coordinates, more than the limit of {limit:,}; simplify or "
        "split the layer, or raise ZKQ_MAX_VERTICES",
        "zh": "{file} 含 {n:,} 个坐标点，超过上限 {limit:,}；请简化或拆分图层，或提高 ZKQ_MAX_VERTICES",
    },
    "too_many_cells": {
        "en": "sheet {sheet!r} of {file} holds more than {limit:,} cells (rows x columns, empty ones "
        "included); delete empty rows and columns or save the sheet as CSV, or raise "
        "ZKQ_MAX_CELLS",
        "zh": "{file} 的工作表 {sheet!r} 超过 {limit:,} 个单元格（行×列，含空单元格）；请删除空行空列或"
        "另存为 CSV，或提高 ZKQ_MAX_CELLS",
    },
    "gpkg_not_geopackage": {
        "en": "{file} is an SQLite database but not a GeoPackage ({why}); export it again as GeoPackage",
        "zh": "{file} 是 SQLite 数据库但不是 GeoPackage（{why}）；请重新导出为 GeoPackage",
    },
    "gpkg_views_skipped": {
        "en": "{file} also holds view(s) {names}; views are not read unless you choose one "
        "(CLI: --layer NAME), and reading one is bounded in time",
        "zh": "{file} 还含视图 {names}；除非您选择（命令行：--layer 名称），视图不会被读取，读取时间受限",
    },
    "geojson_nested_crs_removed": {
        "en": "{n} crs member(s) inside features or geometries were removed (GeoJSON "
        "allows one, at the top; they are never fetched)",
        "zh": "已移除要素或几何内部的 {n} 个 crs 成员（GeoJSON 只允许在顶层声明一次；不会访问其中的链接）",
    },
    "geojson_nul_removed": {
        "en": "{n} value(s) held NUL characters, which were removed (a reader would cut the text there)",
        "zh": "{n} 个属性值含 NUL 字符，已删除这些字符（否则文本会在该处被截断）",
    },
    "geojson_ids_apart": {
        "en": "{n} feature(s) have an id that differs from their id property: it is kept as feature_id",
        "zh": "{n} 个要素的 id 与其属性 id 不同：要素 id 保存在 feature_id 字段",
    },
    "geojson_properties_kept": {
        "en": "{n} feature(s) have properties that are not an object: kept as text in properties_text",
        "zh": "{n} 个要素的 properties 不是对象：以文本保存在 properties_text 字段",
    },
    "json_number_too_long": {
        "en": "{file} holds a number too long to be a coordinate or a value ({error}); export the data again",
        "zh": "{file} 含过长的数字（{error}），不可能是坐标或属性值；请重新导出数据",
    },
    "xlsx_no_sheet": {
        "en": "{file} names no worksheet that can be opened; save it again in Excel or WPS",
        "zh": "{file} 中没有可打开的工作表；请在 Excel 或 WPS 中重新保存",
    },
    "formulas_without_values": {
        "en": "sheet {sheet!r} of {file} has {n} formula cell(s) without a stored value "
        "({cells}): they would read as blanks. Open the workbook in Excel or WPS, save "
        "it, and use the saved file",
        "zh": "{file} 的工作表 {sheet!r} 有 {n} 个公式单元格没有保存计算结果（{cells}），读取时会成为空值。"
        "请在 Excel 或 WPS 中打开并保存后再使用",
    },
    "kml_extended_data": {
        "en": "the KML's ExtendedData fields ({fields}) are not read by the KML reader zkq-geo "
        "allows; export the attributes as a table (CSV/Excel) and join it to the layer",
        "zh": "KML 的扩展数据字段（{fields}）不会被读取（zkq-geo 只允许使用基本 KML 读取程序）；"
        "请把属性导出为表格（CSV/Excel）后再连接到图层",
    },
    "kml_placemarks_left_out": {
        "en": "the KML holds {n} placemarks, {read} were read: {left} without a point, line "
        "or polygon (no geometry, a track or a model) were left out",
        "zh": "KML 含 {n} 个地标，读取了 {read} 个：{left} 个没有点、线或面几何（无几何、轨迹或模型）未导入",
    },
    "reader_warning": {"en": "the reader said: {text}", "zh": "读取程序提示：{text}"},
    "geojson_crs_ignored": {
        "en": "the GeoJSON crs member {crs} was ignored (a link or an unknown name is never "
        "fetched or trusted); the CRS was detected from the coordinates instead",
        "zh": "已忽略 GeoJSON 的 crs 成员 {crs}（链接或未知名称不会被访问或采信）；坐标系改为根据坐标判断",
    },
    # ---- map, tables and export wording
    "export_about_sheet": {"en": "about", "zh": "字段说明"},
    "export_about_layer": {"en": "layer", "zh": "图层"},
    "export_about_count": {"en": "feature count", "zh": "要素数"},
    "export_about_crs": {"en": "CRS", "zh": "坐标系"},
    "export_about_crs_value": {"en": "EPSG:4326 (WGS84 lon/lat)", "zh": "EPSG:4326（WGS84 经纬度）"},
    "export_about_coordinates": {"en": "coordinates", "zh": "坐标"},
    "export_about_coordinates_value": {
        "en": "lon/lat: the point itself for points, a point on the surface otherwise",
        "zh": "经纬度：点要素取其本身，其他要素取面上一点",
    },
    "export_about_quality": {"en": "geometry_quality", "zh": "几何精度"},
    "export_about_schematic": {
        "en": 'geometry_quality "schematic" means the geometry is illustrative only: '
        "示意范围，非法定边界 (not a legal or surveyed boundary).",
        "zh": "几何精度为“示意”的要素仅示意位置和范围：示意范围，非法定边界（不是法定或实测边界）。",
    },
    "export_about_header": {"en": "header", "zh": "表头"},
    "export_about_field": {
        "en": "field name (CSV, GeoJSON, GeoPackage)",
        "zh": "英文字段名（CSV、GeoJSON、GeoPackage）",
    },
    "export_about_unit": {"en": "unit", "zh": "单位"},
    # ---- evaluation (scheme, formula, ledger, control)
    "scheme_texts_count": {
        "en": "{origin}: {key} has {n} entries but {other} has {m}; give one {key} entry for each of {other}",
        "zh": "{origin}：{key} 有 {n} 条，而 {other} 有 {m} 条；{key} 应与 {other} 一一对应",
    },
    # formula.py
    "formula_empty": {
        "en": "formula {text!r} is empty; write e.g. 'tax_wan / land_area_mu'",
        "zh": "公式 {text!r} 为空；请写成如 'tax_wan / land_area_mu' 的形式",
    },
    "formula_too_long": {
        "en": "formula is {n} characters long; at most {limit} are allowed",
        "zh": "公式长 {n} 个字符；最多允许 {limit} 个",
    },
    "formula_not_expression": {
        "en": "formula {text!r} is not an arithmetic expression: {error}",
        "zh": "公式 {text!r} 不是算术表达式：{error}",
    },
    "formula_needs_columns": {
        "en": "formula {text!r} needs column(s) {columns}",
        "zh": "公式 {text!r} 需要字段 {columns}",
    },
    "formula_operator": {
        "en": "formula {text!r} uses operator {what}; only {operators} are allowed",
        "zh": "公式 {text!r} 使用了运算符 {what}；只允许 {operators}",
    },
    "formula_constant": {
        "en": "formula {text!r} contains {value!r}; only numbers are allowed as constants",
        "zh": "公式 {text!r} 含有 {value!r}；常量只能是数字",
    },
    "formula_unknown_column": {
        "en": "formula {text!r} reads unknown column {name!r}; allowed columns: {choices}",
        "zh": "公式 {text!r} 引用了未知字段 {name!r}；可用字段：{choices}",
    },
    "formula_not_allowed": {
        "en": "formula {text!r} uses {what}; only column names, numbers, {operators} and parentheses "
        "are allowed",
        "zh": "公式 {text!r} 使用了{what}；只允许字段名、数字、{operators} 和括号",
    },
    "formula_node_call": {"en": "a function call", "zh": "函数调用"},
    "formula_node_attribute": {"en": "attribute access", "zh": "属性访问"},
    "formula_node_subscript": {"en": "indexing", "zh": "下标取值"},
    "formula_node_compare": {"en": "a comparison", "zh": "比较运算"},
    "formula_node_boolop": {"en": "and/or", "zh": "逻辑运算 and/or"},
    "formula_node_pow": {"en": "'**'", "zh": "乘方 '**'"},
    "formula_node_mod": {"en": "'%'", "zh": "取余 '%'"},
    "formula_node_floordiv": {"en": "'//'", "zh": "整除 '//'"},
    "formula_node_lambda": {"en": "a lambda", "zh": "匿名函数 lambda"},
    "formula_node_ifexp": {"en": "if/else", "zh": "条件表达式 if/else"},
    "formula_node_other": {"en": "{kind}", "zh": "语法成分 {kind}"},
    # scheme.py
    "scheme_field": {
        "en": "{origin}: {path} = {value!r}: {problem}",
        "zh": "{origin}：字段 {path} = {value!r}：{problem}",
    },
    "scheme_formula": {"en": "{origin}: {path}: {error}", "zh": "{origin}：字段 {path}：{error}"},
    "scheme_not_yaml": {
        "en": "{origin}: not valid YAML: {problem}",
        "zh": "{origin}：不是有效的 YAML：{problem}",
    },
    "scheme_not_yaml_at": {
        "en": "{origin}: not valid YAML at line {line}: {problem}",
        "zh": "{origin}：第 {line} 行不是有效的 YAML：{problem}",
    },
    "scheme_file_not_found": {"en": "scheme file not found: {path}", "zh": "找不到方案文件：{path}"},
    "scheme_file_unreadable": {
        "en": "cannot read scheme file {path}: {error}",
        "zh": "无法读取方案文件 {path}：{error}",
    },
    "scheme_not_preset": {
        "en": "scheme {preset!r} is neither a .yaml file nor a preset; presets: {presets}",
        "zh": "方案 {preset!r} 既不是 .yaml 文件也不是预设方案；预设方案：{presets}",
    },
    "scheme_no_presets": {"en": "(none found)", "zh": "（未找到）"},
    "scheme_no_group": {
        "en": "scheme {scheme!r} has no group {group!r}; groups: {groups}",
        "zh": "方案 {scheme!r} 没有评价组 {group!r}；现有评价组：{groups}",
    },
    "scheme_condition_column": {
        "en": "the scheme tests column {column!r}, which the ledger lacks",
        "zh": "方案判断字段 {column!r}，但台账中没有该字段",
    },
    "scheme_needs_group": {"en": "a scheme needs at least one group", "zh": "方案至少需要一个评价组"},
    "scheme_needs_indicator": {"en": "a group needs at least one indicator", "zh": "评价组至少需要一个指标"},
    "scheme_cap_positive": {
        "en": "a cap must be a number of points > 0, or null for no cap",
        "zh": "上限应为大于 0 的分数，不设上限时写 null",
    },
    "scheme_floor_below_cap": {"en": "must be below the cap ({cap:g})", "zh": "应小于上限（{cap:g}）"},
    "scheme_placeholder_published": {
        "en": "a placeholder indicator is not published; drop published or set it to false",
        "zh": "占位指标不是公布的指标；请删除 published 或将其设为 false",
    },
    "scheme_formula_text": {
        "en": "a formula is text such as 'tax_wan / land_area_mu'",
        "zh": "公式应为文字，如 'tax_wan / land_area_mu'",
    },
    "scheme_no_floor_area": {
        "en": "floor area is never used in a per-mu indicator (per-mu figures divide by land area only, "
        "DOMAIN.md section 4); use land_area_mu",
        "zh": "亩均指标从不使用建筑面积（亩均数值只除以用地面积，见 DOMAIN.md 第 4 节）；请使用 land_area_mu",
    },
    "scheme_leased_land": {
        "en": "a group for leased firms cannot use land_area_mu: firms on leased premises have no land of "
        "their own and are never divided by floor area; use indicators such as tax_wan * 10000 / "
        "electricity_kwh",
        "zh": "租赁企业评价组不能使用 land_area_mu：租赁厂房企业没有自有土地，也从不按建筑面积计算；"
        "请使用如 tax_wan * 10000 / electricity_kwh 的指标",
    },
    "scheme_conditions_mapping": {
        "en": "conditions are a mapping such as {{scale: above, land_area_mu: {{min: 3}}}}",
        "zh": "条件应为映射，如 {{scale: above, land_area_mu: {{min: 3}}}}",
    },
    "scheme_group_columns": {
        "en": "groups can test ledger columns only; allowed: {allowed}",
        "zh": "评价组只能判断台账字段；可用：{allowed}",
    },
    "scheme_give_min_below": {
        "en": "give min (>=) and/or below (<)",
        "zh": "请给出 min（>=）和/或 below（<）",
    },
    "scheme_text_column": {
        "en": "{column} is text; compare it with a value or a list of values",
        "zh": "{column} 是文字字段；请与一个值或一组值比较",
    },
    "scheme_min_below": {"en": "min must be below 'below'", "zh": "min 应小于 below"},
    "scheme_give_values": {"en": "give a value or a list of values", "zh": "请给出一个值或一组值"},
    "scheme_allowed": {"en": "allowed: {allowed}", "zh": "可用值：{allowed}"},
    "scheme_points_or_column": {
        "en": "give either points (fixed, with optional when) or column (points read from the ledger)",
        "zh": "请给出 points（固定分值，可加 when 条件）或 column（从台账读取分值）二者之一",
    },
    "scheme_two_stage_indicator": {
        "en": "a group using this rule has no such indicator; choose one of: {ids} (or give that group "
        "its own class_rule)",
        "zh": "使用此规则的评价组没有该指标；可选：{ids}（或为该组单独设置 class_rule）",
    },
    "scheme_a_share": {
        "en": "A is chosen from the upper pool, so it cannot exceed split_share ({split:g})",
        "zh": "A 类从上半区选出，比例不能超过 split_share（{split:g}）",
    },
    "scheme_c_share": {
        "en": "C is chosen from the lower pool, so it cannot exceed 1 - split_share ({rest:g})",
        "zh": "C 类从下半区选出，比例不能超过 1 - split_share（{rest:g}）",
    },
    "scheme_cuts_increase": {
        "en": "cumulative shares must increase: A < B < C, e.g. {{A: 0.2, B: 0.6, C: 0.95}}",
        "zh": "累计比例应递增：A < B < C，如 {{A: 0.2, B: 0.6, C: 0.95}}",
    },
    "scheme_expected_mapping": {
        "en": "expected a mapping with keys {keys}",
        "zh": "应为映射，键为 {keys}",
    },
    "scheme_unknown_key": {"en": "unknown key; allowed keys: {keys}", "zh": "未知的键；可用的键：{keys}"},
    "scheme_key_required": {"en": "this key is required", "zh": "必须填写此项"},
    "scheme_expected_list": {"en": "expected a list", "zh": "应为列表"},
    "scheme_expected_text": {"en": "expected non-empty text", "zh": "应为非空文字"},
    "scheme_bad_id": {
        "en": "ids are lower-case letters, digits and _ (starting with a letter, at most 40), and "
        "indicator ids may not reuse a ledger or output column name",
        "zh": "编号只能由小写字母、数字和 _ 组成（以字母开头，最多 40 个字符），"
        "指标编号不能与台账或输出字段重名",
    },
    "scheme_choose": {"en": "choose one of: {choices}", "zh": "可选：{choices}"},
    "scheme_expected_number": {"en": "expected a number", "zh": "应为数字"},
    "scheme_expected_finite": {"en": "expected a finite number", "zh": "应为有限数值"},
    "scheme_expected_flag": {"en": "expected true or false", "zh": "应为 true 或 false"},
    "scheme_positive": {"en": "must be a number > 0", "zh": "应为大于 0 的数字"},
    "scheme_share": {
        "en": "a share must be in (0, 1], e.g. 0.2 for 20%",
        "zh": "比例应在 (0, 1] 之间，如 0.2 表示 20%",
    },
    "scheme_duplicate_group": {"en": "group id used more than once", "zh": "评价组编号重复"},
    "scheme_duplicate_indicator": {"en": "indicator id used more than once", "zh": "指标编号重复"},
    # ledger.py
    "ledger_units_not_numeric": {
        "en": "units given for {unknown}, which are not numeric ledger columns; numeric columns: {columns}",
        "zh": "为 {unknown} 指定了单位，但它们不是台账的数值字段；数值字段：{columns}",
    },
    "ledger_missing_columns": {
        "en": "{origin}: the ledger has no column for {wanted}; its headers are: {headers}. Download "
        "the template for the expected headers",
        "zh": "{origin}：台账缺少以下列：{wanted}；现有表头：{headers}。请下载台账模板查看应有的表头",
    },
    "ledger_wanted_column": {"en": "{column} ({label})", "zh": "{label}（字段 {column}）"},
    "ledger_headers_clash": {
        "en": "{origin}: headers {first!r} and {second!r} both give column {column!r}; keep one",
        "zh": "{origin}：表头 {first!r} 和 {second!r} 都对应字段 {column!r}；请只保留一个",
    },
    "ledger_bad_unit": {
        "en": "{origin}: header {header!r} declares unit {unit!r}, which is not a unit of {label} "
        "({column}); allowed: {allowed}",
        "zh": "{origin}：表头 {header!r} 注明的单位 {unit!r} 不是{label}（{column}）的单位；可用：{allowed}",
    },
    "ledger_not_number": {
        "en": "{origin}: column {header!r} must hold numbers; row {row} has {value!r}",
        "zh": "{origin}：{header!r} 列应为数字；第 {row} 行是 {value!r}",
    },
    "ledger_bad_choice": {
        "en": "{origin}: column {header!r} has value(s) {bad}; allowed: {allowed}",
        "zh": "{origin}：{header!r} 列有不可识别的值 {bad}；可用值：{allowed}",
    },
    "ledger_no_identity": {
        "en": "{origin}: row {row} has neither a credit code nor a name",
        "zh": "{origin}：第 {row} 行既没有统一社会信用代码也没有企业名称",
    },
    "ledger_duplicate_code": {
        "en": "{origin}: credit code {code!r} appears more than once (rows {rows}); keep one row per "
        "enterprise (sum the land and figures of its parcels first)",
        "zh": "{origin}：统一社会信用代码 {code!r} 出现多次（第 {rows} 行）；每家企业只保留一行"
        "（请先合计其各宗地的面积和数据）",
    },
    # control.py
    "control_unknown_category": {
        "en": "control category {text!r} is not known; use a key of control_indicators.yaml: {keys}",
        "zh": "控制指标行业类别 {text!r} 不可识别；请使用 control_indicators.yaml 中的类别：{keys}",
    },
    "control_rules_unreadable": {
        "en": "cannot read the control indicators {path}: {error}",
        "zh": "无法读取控制指标文件 {path}：{error}",
    },
    "control_rules_not_yaml": {
        "en": "{file} is not valid YAML: {error}",
        "zh": "{file} 不是有效的 YAML：{error}",
    },
    "control_rules_layout": {
        "en": "{file} lacks or mistypes {error}; see the shipped file for the layout",
        "zh": "{file} 缺少或写错了 {error}；格式请参照随附的文件",
    },
    "control_needs_land": {
        "en": "control_check needs land_area_mu; the table has: {columns}",
        "zh": "控制指标核查需要用地面积（land_area_mu）；表中现有字段：{columns}",
    },
    "control_invest_min": {
        "en": "investment_min_wan_per_mu={value!r} must be a number > 0 (万元/亩)",
        "zh": "投资强度下限 investment_min_wan_per_mu={value!r} 应为大于 0 的数字（万元/亩）",
    },
    "control_city_class": {
        "en": "city_class={value!r} has no investment minimums in the rules ({known}); give "
        "investment_min_wan_per_mu instead, or add the class to control_indicators.yaml",
        "zh": "城市等别 city_class={value!r} 在规则中没有投资强度下限（{known}）；请直接给出投资强度下限，"
        "或在 control_indicators.yaml 中添加该等别",
    },
    "control_no_classes": {"en": "none are configured", "zh": "未配置任何等别"},
    # evaluate.py
    "eval_ledger_not_frame": {
        "en": "ledger must be a DataFrame (see zkq_geo.evaluation.ledger.read_ledger), got {kind}",
        "zh": "台账应为 DataFrame（见 zkq_geo.evaluation.ledger.read_ledger），实际是 {kind}",
    },
    "eval_scheme_needs_columns": {
        "en": "scheme {scheme!r} needs ledger column(s) {missing}; the ledger has: {columns}",
        "zh": "方案 {scheme!r} 需要台账字段 {missing}；台账现有字段：{columns}",
    },
    "eval_group_needs_columns": {
        "en": "group {group!r} of scheme {scheme!r} needs ledger column(s) {missing}, which the ledger "
        "lacks; add them (see the template) or edit the scheme",
        "zh": "方案 {scheme!r} 的评价组 {group!r} 需要台账字段 {missing}，台账中没有；请补充这些列（见模板）"
        "或修改方案",
    },
    "eval_adjustment_tests_column": {
        "en": "adjustment {adjustment!r} tests ledger column {column!r}, which the ledger lacks",
        "zh": "加减分项 {adjustment!r} 判断台账字段 {column!r}，但台账中没有该字段",
    },
    "eval_adjustment_reads_column": {
        "en": "adjustment {adjustment!r} reads points from ledger column {column!r}, which the ledger lacks",
        "zh": "加减分项 {adjustment!r} 从台账字段 {column!r} 读取分值，但台账中没有该字段",
    },
    "eval_no_summary_column": {
        "en": "the ledger has no {by!r} column to summarise by; add one (header {by!r} or its Chinese name)",
        "zh": "台账没有用于汇总的 {by!r} 列；请添加该列（表头写 {by!r} 或其中文名）",
    },
    "eval_parcels_no_key": {
        "en": "the parcel layer has no {key!r} column to join on; its columns: {columns}",
        "zh": "地块图层没有用于连接的 {key!r} 字段；现有字段：{columns}",
    },
    # labels of codes in reports and on the page (status, reason, groups, checks, columns)
    "status_graded": {"en": "graded", "zh": "参与分类"},
    "status_rated": {"en": "rated, not graded", "zh": "只评分不分类"},
    "status_excluded": {"en": "not evaluated", "zh": "未评价"},
    "reason_no_land_area": {
        "en": "missing or zero land area (floor area is never used instead)",
        "zh": "用地面积缺失或为零（不以建筑面积代替）",
    },
    "reason_invalid_land_area": {
        "en": "impossible land area (not finite, negative or under 1 m²): never divided by",
        "zh": "用地面积不可能成立（非有限数、负数或小于 1 平方米），不作分母",
    },
    "reason_invalid_figure": {
        "en": "impossible figure (not finite, or negative where it cannot be): see notes",
        "zh": "数据不可能成立（非有限数，或不应为负的数值为负数），见备注",
    },
    "reason_leased_no_group": {
        "en": "leased premises: the scheme has no group for leased firms",
        "zh": "租赁厂房企业：方案未设租赁组",
    },
    "reason_no_group": {"en": "no group of the scheme matches", "zh": "不属于方案的任何评价组"},
    "reason_special_rated": {
        "en": "utility or start-up: rated, not graded",
        "zh": "公用事业或新建投产企业：只评分、不分类",
    },
    "reason_special_excluded": {
        "en": "utility or start-up: not evaluated",
        "zh": "公用事业或新建投产企业：不参评",
    },
    "reason_missing_indicator": {"en": "an indicator cannot be computed", "zh": "指标无法计算"},
    "label_unassigned": {"en": "not assigned", "zh": "未分配"},
    "label_ungrouped": {"en": "not grouped", "zh": "未分组"},
    "label_yes": {"en": "yes", "zh": "是"},
    "label_no": {"en": "no", "zh": "否"},
    "bench_fixed": {"en": "fixed value", "zh": "固定值"},
    "bench_mean": {"en": "mean of the graded firms", "zh": "参评企业平均值"},
    "bench_median": {"en": "median of the graded firms", "zh": "参评企业中位数"},
    "check_pass": {"en": "pass", "zh": "达标"},
    "check_fail": {"en": "fail", "zh": "不达标"},
    "check_no_data": {"en": "no data", "zh": "数据缺失"},
    "check_no_rule": {"en": "no rule", "zh": "无适用标准"},
    "check_unknown": {"en": "undetermined (lower bound)", "zh": "无法判定（仅知下限）"},
    "check_incomplete": {"en": "incomplete", "zh": "数据不全"},
    "check_far": {"en": "floor-area ratio", "zh": "容积率"},
    "check_coverage": {"en": "building coverage", "zh": "建筑系数"},
    "check_admin": {"en": "admin/living share", "zh": "行政办公及生活服务设施用地比重"},
    "check_invest": {"en": "investment intensity", "zh": "投资强度"},
}


class Items:
    """A list shown inside a message: joined with ``sep`` in English, ``zh_sep`` in Chinese; past
    :data:`ITEMS_AT_MOST` values it ends "and N more" (a file can name 100,000 columns or layers,
    and a message stays one readable line)."""

    def __init__(self, values, sep: str = ", ", zh_sep: str = "、"):
        self.values, self.sep, self.zh_sep = tuple(values), sep, zh_sep

    def text(self, lang: str = "en") -> str:
        shown = (self.zh_sep if lang == "zh" else self.sep).join(
            _value(v, lang, str) for v in self.values[:ITEMS_AT_MOST]
        )
        more = len(self.values) - ITEMS_AT_MOST
        return shown if more <= 0 else _render("items_more", {"items": shown, "more": more}, lang)

    def map_text(self, fn: Callable[[str], str]) -> Items:
        return Items([_map(v, fn) for v in self.values], self.sep, self.zh_sep)

    def __str__(self) -> str:
        return self.text("en")

    def __eq__(self, other) -> bool:
        return isinstance(other, Items) and (self.values, self.sep, self.zh_sep) == (
            other.values,
            other.sep,
            other.zh_sep,
        )

    __hash__ = None


class Message(str):
    """A message that reads as its English text and knows its Chinese one.

    ``key`` names a template of :data:`MESSAGES`; ``params`` fill it. Build it with :func:`msg`.
    """

    def __new__(cls, key: str, params: dict | None = None):
        params = dict(params or {})
        self = super().__new__(cls, _render(key, params, "en"))
        self.key, self.params = key, params
        return self

    def __getnewargs__(self):  # pickling (st.cache_data) and copying (dataclasses.asdict)
        return self.key, self.params

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ("en" or "zh"; anything else gives English)."""
        return _render(self.key, self.params, lang)

    def map_text(self, fn: Callable[[str], str]) -> Message:
        """The same message with ``fn`` applied to every text parameter (nested ones too)."""
        return Message(self.key, {k: _map(v, fn) for k, v in self.params.items()})


def msg(key: str, /, **params) -> Message:
    """The message ``key`` of :data:`MESSAGES` filled with ``params``."""
    if key not in MESSAGES:
        raise KeyError(f"no message {key!r} in zkq_geo.i18n.messages.MESSAGES")
    return Message(key, params)


def listed(values, limit: int = LIST_AT_MOST, sep: str = ", ", zh_sep: str = "、"):
    """At most ``limit`` of ``values``, then "and N more" (English) / "，另有 N 个" (Chinese)."""
    values = list(values)
    shown = Items(values[:limit], sep, zh_sep)
    return shown if len(values) <= limit else msg("items_more", items=shown, more=len(values) - limit)


def text_of(value, lang: str = "en") -> str:
    """``value`` in ``lang`` if it is a :class:`Message` (or an error carrying one), else ``str(value)``."""
    text = getattr(value, "text", None)
    return text(lang) if callable(text) else str(value)


def placeholders(template: str) -> set[str]:
    """The field names of a template: ``"{file} is {size}"`` -> ``{"file", "size"}``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _render(key: str, params: dict, lang: str) -> str:
    template = MESSAGES[key]["zh" if lang == "zh" else "en"]
    return template.format(**{k: _value(v, lang) for k, v in params.items()})


def _value(value, lang: str, plain=lambda v: v):
    if isinstance(value, (Message, Items)):
        return value.text(lang)
    return plain(value)


def _map(value, fn: Callable[[str], str]):
    if isinstance(value, (Message, Items)):
        return value.map_text(fn)
    return fn(value) if isinstance(value, str) else value
