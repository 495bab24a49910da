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


# ----------------------------------------------------------------------------- the second pass
def postgis_pass() -> bool:
    """The run's second pass (scripts/test.sh): ``ZKQ_TEST_BACKEND=postgis`` puts every test's
    layers, users and audit in a fresh PostGIS database."""
    import os

    return os.environ.get("ZKQ_TEST_BACKEND", "").strip().lower() == "postgis"


@pytest.fixture(autouse=True)
def _backend(request, monkeypatch):
    """With ``ZKQ_TEST_BACKEND=postgis``: a fresh PostGIS database for the test (``pg_url``) as
    ``$ZKQ_DATABASE_URL``, which the CLI and served apps started by the test inherit. Otherwise
    the variable is removed, so the first pass always runs on the GeoPackage folder."""
    if not postgis_pass():
        monkeypatch.delenv("ZKQ_DATABASE_URL", raising=False)
        return
    if request.node.get_closest_marker("folder_workspace"):
        pytest.skip("folder_workspace: inspects the workspace folder; not for the PostGIS pass")
    monkeypatch.setenv("ZKQ_DATABASE_URL", request.getfixturevalue("pg_url"))


@pytest.fixture(scope="module")
def module_database_url(request) -> str | None:
    """For module-scoped fixtures that build one office for a module's tests (a served app): in
    the PostGIS pass a fresh database of their own, else None (the GeoPackage folder)."""
    if not postgis_pass():
        yield None
        return
    import pgdb

    url = pgdb.new_database(request.getfixturevalue("pg_cluster"))
    yield url
    pgdb.drop_database(url)


# ----------------------------------------------------------------------------- the shared office
OFFICE_PASSWORD = "Lotus-Pond-2026"  # every test account's password (at least 10 characters)


class TestOffice:
    """The office store of a test's workspace, with accounts made in code and signed in for real
    (:meth:`OfficeStore.sign_in`), and the app's view of who is signed in (:meth:`sign_in_app`)."""

    __test__ = False

    def __init__(self, root: Path, monkeypatch):
        from zkq_geo.office.store import office_store

        self.root, self.monkeypatch = root, monkeypatch
        self.store = office_store(root)

    def add(self, name: str, role: str = "editor", teams=(), display_name: str = ""):
        for team in teams:
            if team not in self.store.teams():
                self.store.add_team("system", team)
        return self.store.add_user(
            "system", name, role, password=OFFICE_PASSWORD, display_name=display_name, teams_=teams
        )

    def token(self, name: str) -> str:
        """A live session of ``name`` (the value of the ``zkq_session`` cookie)."""
        return self.store.sign_in(name, OFFICE_PASSWORD)[1]

    def sign_in_app(self, name: str | None) -> str | None:
        """Make every AppTest run as ``name`` (None: no cookie at all): Streamlit's st.context.cookies
        answers the session cookie, as a browser's websocket handshake would carry it."""
        import streamlit.runtime.context as context

        token = self.token(name) if name else None
        cookies = {"zkq_session": token} if token else {}
        client = _Client(cookies)
        self.monkeypatch.setattr(context, "_get_client_context", lambda: client)
        return token


class _Client:
    """A browser's websocket handshake as Streamlit's ClientContext: its headers and cookies."""

    def __init__(self, cookies: dict[str, str]):
        self.cookies = cookies
        self.headers = [("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))] if cookies else []
        self.remote_ip = "127.0.0.1"


@pytest.fixture
def test_office(tmp_path, monkeypatch) -> TestOffice:
    """The office of the test's workspace ($ZKQ_WORKSPACE; ``tmp_path/ws`` when the test set none)."""
    import os

    root = os.environ.get("ZKQ_WORKSPACE", "").strip()
    if not root:
        root = str(tmp_path / "ws")
        monkeypatch.setenv("ZKQ_WORKSPACE", root)
    return TestOffice(Path(root), monkeypatch)


@pytest.fixture
def signed_in(test_office) -> TestOffice:
    """An admin ("guanli", 管理员小王) signed in to the app of the test's workspace."""
    test_office.add("guanli", "admin", display_name="管理员小王")
    test_office.sign_in_app("guanli")
    return test_office


@pytest.fixture(scope="session")
def office_password() -> str:
    """The password of every account the office fixtures make."""
    return OFFICE_PASSWORD
