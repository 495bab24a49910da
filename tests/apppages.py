"""Opening the Streamlit app in an AppTest for the app tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py")


def open_page(page: str) -> AppTest:
    """The app run once, then switched to ``page`` (e.g. ``app_pages/import_page.py``) and run again;
    neither run may raise."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
