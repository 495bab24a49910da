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
# admin page (app_pages/admin_page.py); ADM_CONFIRM, ADM_VISIBILITY, ADM_SHARE_TEAM and ADM_OWNER
# are suffixed "_<layer>"
ADM_USER, ADM_ROLE, ADM_ROLE_GO, ADM_DISABLE_GO = "adm_user", "adm_role", "adm_role_go", "adm_disable_go"
ADM_PASSWD_FORM, ADM_PASSWD, ADM_PASSWD_AGAIN = "adm_passwd_form", "adm_passwd", "adm_passwd_again"
ADM_ADD_FORM, ADM_NEW_NAME, ADM_NEW_DISPLAY = "adm_add_form", "adm_new_name", "adm_new_display"
ADM_NEW_ROLE, ADM_NEW_TEAMS = "adm_new_role", "adm_new_teams"
ADM_NEW_PASSWORD, ADM_NEW_PASSWORD_AGAIN = "adm_new_password", "adm_new_password_again"
ADM_TEAM_FORM, ADM_TEAM_NAME, ADM_TEAM_TITLE = "adm_team_form", "adm_team_name", "adm_team_title"
ADM_MEMBER_USER, ADM_MEMBER_TEAM, ADM_JOIN_GO, ADM_LEAVE_GO = (
    "adm_member_user",
    "adm_member_team",
    "adm_join_go",
    "adm_leave_go",
)
ADM_LAYER, ADM_CONFIRM, ADM_DELETE = "adm_layer_all", "adm_confirm", "adm_delete"
ADM_VISIBILITY, ADM_SHARE_TEAM, ADM_OWNER, ADM_SHARE_GO = (
    "adm_vis",
    "adm_share_team",
    "adm_owner",
    "adm_share",
)
ADM_TRASH, ADM_UNDELETE = "adm_trash", "adm_undelete"
ADM_SINCE, ADM_WHO, ADM_AUDIT_CSV, ADM_AUDIT_XLSX = "adm_since", "adm_who", "adm_audit_csv", "adm_audit_xlsx"
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
