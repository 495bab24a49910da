"""Fixtures shared by every tier: AppTest downloads (``media_files``) and fresh Streamlit caches.

The test folders mirror the code (unit/<family>, cli, app, browser, hostile); the support modules
``importdata`` (files built in code), ``geojsondocs`` (GeoJSON documents), ``hostile_cases`` (the
hostile-input catalogue), ``mapdata`` (a tiny folium map), ``zkqcli`` (the real command, run on a
workspace), ``evaldata`` (evaluation expectations) and ``apppages`` (opening an app page in an
AppTest) sit here, on ``sys.path`` for every folder. Browser fixtures live in ``browser/conftest.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def media_files(monkeypatch):
    """Bytes of every file the app hands to Streamlit's media storage (download buttons), by URL."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    saved: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        saved[self.get_url(file_id)] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return saved


@pytest.fixture
def fresh_caches():
    """Empty Streamlit's caches around an AppTest test, so no test sees another's data."""
    import streamlit as st

    for cache in (st.cache_data, st.cache_resource):
        cache.clear()
    yield
    for cache in (st.cache_data, st.cache_resource):
        cache.clear()


@pytest.fixture(scope="session")
def pg_cluster():
    """The URL of the run's PostgreSQL + PostGIS cluster (tests/pgdb.py says where it comes from)."""
    import os

    import pgdb

    url = os.environ.get("ZKQ_TEST_DATABASE_URL", "").strip()
    if url:
        yield url
        return
    try:
        url, folder = pgdb.start_cluster()
    except Exception as exc:  # no packages, no root to install them...
        pgdb.missing(str(exc))
    try:
        yield url
    finally:
        pgdb.stop_cluster(folder)


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh, empty PostGIS database for one test (dropped after it); its URL."""
    import pgdb

    url = pgdb.new_database(pg_cluster)
    yield url
    pgdb.drop_database(url)
