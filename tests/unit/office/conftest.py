"""An empty office database of each kind: SQLite in a folder (embedded) and PostgreSQL + PostGIS."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgis"])
def office_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'office.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(office_url):
    from zkq_geo.office.store import OfficeStore

    return OfficeStore(office_url)
