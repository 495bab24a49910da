"""The switch of the suite's second pass (tests/conftest.py): with ``ZKQ_TEST_BACKEND=postgis``
every test gets a fresh, empty PostGIS database as ``$ZKQ_DATABASE_URL``, so the workspace and
the office store a test opens without naming a backend are PostgreSQL's; otherwise the variable
is unset and both are the GeoPackage folder's."""

from __future__ import annotations

import os

from zkq_geo.bench import make_parcels
from zkq_geo.office.backends import open_office
from zkq_geo.office.postgis import PostgisWorkspace
from zkq_geo.workspace import Workspace


def _fresh_and_used(root) -> None:
    """The office of ``root`` is empty; then it gets a layer and a user (which the other test
    of this module, run before or after, must not see)."""
    workspace, store = open_office(root)
    assert workspace.names() == [] and store.users() == []
    workspace.save_layer("parcels", make_parcels(3))
    store.add_user("system", "guanli", "admin")
    assert workspace.names() == ["parcels"] and [u.name for u in store.users()] == ["guanli"]


def test_the_workspace_and_office_of_a_test_follow_the_pass(tmp_path):
    workspace, store = open_office(tmp_path / "ws")
    if os.environ.get("ZKQ_TEST_BACKEND") == "postgis":
        assert os.environ["ZKQ_DATABASE_URL"].startswith("postgresql://")
        assert isinstance(workspace, PostgisWorkspace) and store.engine.dialect.name == "postgresql"
    else:
        assert "ZKQ_DATABASE_URL" not in os.environ
        assert isinstance(workspace, Workspace) and store.engine.dialect.name == "sqlite"
    _fresh_and_used(tmp_path / "ws")


def test_a_test_never_sees_another_ones_layers_or_users(tmp_path):
    _fresh_and_used(tmp_path / "ws")
