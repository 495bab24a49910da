"""zkq-geo: the Streamlit viewer. Run with `bash scripts/run.sh` (see README)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

APP_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(APP_DIR))  # pages import the app's small modules (i18n, state, data...)

import data  # noqa: E402
import state  # noqa: E402
from i18n import LANGS, lang, t  # noqa: E402
from user import require_user, sidebar_identity, user_workspace  # noqa: E402

from zkq_geo.errors import ZkqGeoError  # noqa: E402


def relabel_widgets() -> None:
    """After a language switch, set every translated choice again, so its widget shows the choice
    in the new language (the browser keeps the old label, which matches no option any more)."""
    for key in state.TRANSLATED_CHOICES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def to_map_page() -> None:
    st.switch_page(map_page)  # "/map" is where people expect the map; it is served at "/"


st.set_page_config(
    page_title="zkq-geo 郑州经开区", page_icon=str(APP_DIR / "static" / "icon.png"), layout="wide"
)
user = require_user()  # no user: only the sign-in link
st.sidebar.radio(
    t("language"),
    list(LANGS),
    key=state.LANG,
    format_func=LANGS.get,
    horizontal=True,
    on_change=relabel_widgets,
)

st.session_state[state.USER] = user
try:
    visible = set(user_workspace(user).visible_names())
except ZkqGeoError:  # the index cannot be read: no imported layer is listed (the map says why)
    visible = set()
try:
    st.session_state[state.HIDDEN_LAYERS] = data.hidden_but(visible)
except ZkqGeoError:  # no catalogue: every imported layer stays hidden, the page says why
    st.session_state[state.HIDDEN_LAYERS] = None
data.workspace_cleaned()
sidebar_identity(user)

PAGES = (  # file in app_pages/, title (UI string key), icon, URL path; the map page is the default
    ("map_page.py", "page_map", ":material/map:", "home"),
    ("efficiency_page.py", "page_efficiency", ":material/analytics:", "efficiency"),
    ("data_page.py", "page_data", ":material/menu_book:", "data"),
    ("evaluation_page.py", "page_evaluation", ":material/leaderboard:", "evaluation"),
    ("import_page.py", "page_import", ":material/upload_file:", "import"),
) + ((("admin_page.py", "page_admin", ":material/admin_panel_settings:", "admin"),) if user.is_admin else ())
pages = [
    st.Page(str(APP_DIR / "app_pages" / file), title=t(title), icon=icon, url_path=url, default=i == 0)
    for i, (file, title, icon, url) in enumerate(PAGES)
]
map_page = pages[0]
pages.append(st.Page(to_map_page, title=t("page_map"), url_path="map", visibility="hidden"))
page = st.navigation(pages)
try:
    page.run()
except ZkqGeoError as exc:  # a user-facing message, never a traceback
    st.error(f"{t('error')}{exc.text(lang())}")  # the message in the UI language
