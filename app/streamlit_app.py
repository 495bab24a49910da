"""zkq-geo: the Streamlit viewer. Run with `bash scripts/run.sh` (see README)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

APP_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(APP_DIR))  # pages import the app's small modules (i18n, state, data...)

import state  # noqa: E402
from i18n import LANGS, lang, t  # noqa: E402

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
st.sidebar.radio(
    t("language"),
    list(LANGS),
    key=state.LANG,
    format_func=LANGS.get,
    horizontal=True,
    on_change=relabel_widgets,
)

map_page = st.Page(
    str(APP_DIR / "app_pages" / "map_page.py"),
    title=t("page_map"),
    icon=":material/map:",
    default=True,
    url_path="home",
)
pages = [
    map_page,
    st.Page(
        str(APP_DIR / "app_pages" / "efficiency_page.py"),
        title=t("page_efficiency"),
        icon=":material/analytics:",
        url_path="efficiency",
    ),
    st.Page(
        str(APP_DIR / "app_pages" / "data_page.py"),
        title=t("page_data"),
        icon=":material/menu_book:",
        url_path="data",
    ),
    st.Page(
        str(APP_DIR / "app_pages" / "evaluation_page.py"),
        title=t("page_evaluation"),
        icon=":material/leaderboard:",
        url_path="evaluation",
    ),
    st.Page(
        str(APP_DIR / "app_pages" / "import_page.py"),
        title=t("page_import"),
        icon=":material/upload_file:",
        url_path="import",
    ),
    st.Page(to_map_page, title=t("page_map"), url_path="map", visibility="hidden"),
]
page = st.navigation(pages)
try:
    page.run()
except ZkqGeoError as exc:  # a user-facing message, never a traceback
    st.error(f"{t('error')}{exc.text(lang())}")  # the message in the UI language
