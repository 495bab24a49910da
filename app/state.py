"""Every st.session_state key of the app, in one place."""

from __future__ import annotations

LANG = "lang"
# the signed-in user and the imported layers they may not see, set at the start of every run
USER, HIDDEN_LAYERS = "zkq_user", "zkq_hidden_layers"
INDUSTRIES = "f_industries"
PLATE = "f_plate"
INVESTMENT = "f_investment"
SEARCH = "f_search"
SHOWN_LAYERS = "shown_layers"
BASEMAP = "basemap"
COLOR_BY = "color_by"
ZOOM_TO_SELECTION = "zoom_to_selection"
DETAIL_ID = "detail_id"
EXPORT_LAYER = "export_layer"
EXPORT_FORMAT = "export_format"
SUMMARY_BY = "summary_by"
# 亩均评价 page (app_pages/evaluation_page.py)
EVAL_UPLOAD, EVAL_USE_DEMO, EVAL_LAND_UNIT, EVAL_MONEY_UNIT = (
    "eval_upload",
    "eval_use_demo",
    "eval_land_unit",
    "eval_money_unit",
)
EVAL_PRESET, EVAL_SCHEME_TEXT, EVAL_SUMMARY_BY = "eval_preset", "eval_scheme_text", "eval_summary_by"
EVAL_CITY_CLASS, EVAL_INVEST_MIN, EVAL_CONTROL_SOURCE = (
    "eval_city_class",
    "eval_invest_min",
    "eval_control_source",
)
EVAL_PARCELS = "eval_parcels"
# import page (app_pages/import_page.py)
IMPORT_FILE, IMPORT_LAYER, IMPORT_CRS, IMPORT_ENCODING = "imp_file", "imp_layer", "imp_crs", "imp_encoding"
IMPORT_X, IMPORT_Y, IMPORT_NAME, IMPORT_TITLE, IMPORT_BUTTON = (
    "imp_x",
    "imp_y",
    "imp_name",
    "imp_title",
    "imp_go",
)
JOIN_LAYER, JOIN_FILE, JOIN_SHEET, JOIN_ENCODING = "join_layer", "join_file", "join_sheet", "join_encoding"
JOIN_MATCH, JOIN_KEY, JOIN_TABLE_KEY, JOIN_HOW = "join_match", "join_key", "join_table_key", "join_how"
JOIN_LAND, JOIN_LAND_UNIT, JOIN_MONEY_UNIT = "join_land", "join_land_unit", "join_money_unit"
JOIN_INVESTMENT, JOIN_PER_MU, JOIN_NAME, JOIN_BUTTON = (
    "join_investment",
    "join_per_mu",
    "join_name",
    "join_go",
)
# import page: who sees a new layer (prefixed "imp_" / "join_"), restoring a version
VISIBILITY, VISIBILITY_TEAM = "visibility", "visibility_team"
ADMIN_LAYER, ADMIN_VERSION, ADMIN_RESTORE = "adm_layer", "adm_version", "adm_restore"
# Choice widgets whose labels are translated. The browser sends a widget's value as the label it
# shows, so after a language switch each value is set again (streamlit_app.relabel_widgets) or the
# old label would match no option and the choice would be lost.
TRANSLATED_CHOICES = (
    INDUSTRIES,
    PLATE,
    SHOWN_LAYERS,
    BASEMAP,
    COLOR_BY,
    DETAIL_ID,
    EXPORT_LAYER,
    SUMMARY_BY,
    EVAL_PARCELS,
    EVAL_SUMMARY_BY,
    EVAL_CONTROL_SOURCE,
    IMPORT_LAYER,
    IMPORT_CRS,
    IMPORT_ENCODING,
    IMPORT_X,
    IMPORT_Y,
    JOIN_LAYER,
    JOIN_ENCODING,
    JOIN_MATCH,
    JOIN_HOW,
    JOIN_LAND,
    JOIN_LAND_UNIT,
    JOIN_INVESTMENT,
    JOIN_MONEY_UNIT,
    ADMIN_LAYER,
    ADMIN_VERSION,
    f"imp_{VISIBILITY}",
    f"join_{VISIBILITY}",
)
