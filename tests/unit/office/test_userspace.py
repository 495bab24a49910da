"""UserWorkspace: each user sees only what they may; imports, versions, deletes and restores are
checked against the role and recorded in the audit trail with the file's SHA-256. Every test runs
on both kinds of server: the embedded one (GeoPackage folder + SQLite) and PostgreSQL + PostGIS
(layers and office records in one database)."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from zkq_geo.errors import AccessError
from zkq_geo.office.postgis import PostgisWorkspace
from zkq_geo.office.userspace import UserWorkspace
from zkq_geo.workspace import Workspace

PASSWORD = "correct horse battery"


@pytest.fixture
def workspace(office_url, tmp_path):
    """The layer store beside the office store: the folder with SQLite, PostGIS with PostgreSQL."""
    if office_url.startswith("sqlite"):
        return Workspace(tmp_path / "ws")
    return PostgisWorkspace(office_url, tmp_path / "cache")


@pytest.fixture
def office(store, workspace):
    store.add_user("setup", "boss", "admin", password=PASSWORD)
    store.add_team("boss", "plan")
    store.add_user("boss", "ed1", "editor", password=PASSWORD, teams_=["plan"])
    store.add_user("boss", "ed2", "editor", password=PASSWORD, teams_=["plan"])
    store.add_user("boss", "ed3", "editor", password=PASSWORD)
    store.add_user("boss", "view", "viewer", password=PASSWORD)
    return {name: UserWorkspace(workspace, store, store.user(name)) for name in store_names(store)}


def store_names(store):
    return [u.name for u in store.users()]


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "地块.csv"
    path.write_text("name,lon,lat\n甲,113.75,34.72\n乙,113.76,34.73\n", encoding="utf-8")
    return path


def test_visibility_private_team_everyone(office, csv_file):
    office["ed1"].import_file(csv_file, "mine", visibility="private")
    office["ed1"].import_file(csv_file, "ours", visibility="team", team="plan")
    office["ed1"].import_file(csv_file, "all_", visibility="everyone")
    assert sorted(office["ed1"].visible_names()) == ["all_", "mine", "ours"]
    assert sorted(office["ed2"].visible_names()) == ["all_", "ours"]
    assert sorted(office["ed3"].visible_names()) == ["all_"]
    assert sorted(office["view"].visible_names()) == ["all_"]
    assert sorted(office["boss"].visible_names()) == ["all_", "mine", "ours"]
    assert "mine" not in office["view"].catalog().layers and "all_" in office["view"].catalog().layers
    with pytest.raises(AccessError):
        office["ed3"].read_layer("mine")
    with pytest.raises(AccessError):
        office["view"].import_file(csv_file, "viewer_layer")
    with pytest.raises(AccessError):
        office["ed3"].import_file(csv_file, "mine")  # another's private name: no version, no leak
    office["ed2"].import_file(csv_file, "ours")  # the team's layer: a version
    assert [v.version for v in office["ed1"].versions("ours")] == [1, 2]


def test_admin_deletes_and_restores_and_the_audit_has_the_file_hash(office, store, csv_file):
    office["ed1"].import_file(csv_file, "secret", visibility="private")
    with pytest.raises(AccessError):
        office["ed1"].delete_layer("secret")
    with pytest.raises(AccessError):
        office["ed1"].trash()
    office["boss"].delete_layer("secret")
    assert sorted(office["ed1"].visible_names()) == []
    [item] = office["boss"].trash()
    with pytest.raises(AccessError):
        office["ed1"].undelete(item.id)
    office["boss"].undelete(item.id)
    assert sorted(office["ed1"].visible_names()) == ["secret"] and office["ed2"].visible_names() == []
    events = {e.action: e for e in store.events()}
    digest = hashlib.sha256(csv_file.read_bytes()).hexdigest()
    assert events["import"].file_sha256 == digest and events["import"].file_name == "地块.csv"
    assert events["import"].actor == "ed1" and events["delete"].actor == "boss"
    assert events["undelete"].target == "secret" and events["undelete"].actor == "boss"


def test_eight_parallel_imports_from_two_users_never_lose_one(office, store, workspace, csv_file):
    """8 imports of one team layer at once, by two editors of the team: 8 versions, 1..8, and 8
    audit events, each version once (threads; the backend's lock or transaction orders them)."""
    start = threading.Barrier(8)

    def one(i: int):
        start.wait()
        user = office["ed1" if i % 2 == 0 else "ed2"]
        return user.import_file(csv_file, "shared", visibility="team", team="plan")[0].version

    with ThreadPoolExecutor(max_workers=8) as pool:
        versions = list(pool.map(one, range(8)))
    assert sorted(versions) == list(range(1, 9))
    assert [v.version for v in workspace.versions("shared")] == list(range(1, 9))
    events = [e for e in store.events() if e.target == "shared"]
    assert sorted(e.detail["version"] for e in events) == list(range(1, 9))
    assert sorted(e.action for e in events) == ["import"] + ["version"] * 7
    assert {e.actor for e in events} == {"ed1", "ed2"}
    access = store.access("shared")
    assert (access.team, access.visibility) == ("plan", "team") and access.owner in ("ed1", "ed2")
    assert all(len(workspace.read_layer("shared", v)) == 2 for v in range(1, 9))
