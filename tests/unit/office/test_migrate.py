"""migrate: the embedded office (GeoPackage folder + office.sqlite) moves to PostGIS whole — every
version with its number, time, report and original bytes, the trash, users, teams, access and the
audit trail — or not at all."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import importdata as d
import pandas as pd
import pytest

from zkq_geo.errors import DataSourceError, OptionError
from zkq_geo.office.db import sqlite_url
from zkq_geo.office.migrate import migrate
from zkq_geo.office.postgis import PostgisWorkspace
from zkq_geo.office.store import OfficeStore
from zkq_geo.office.userspace import UserWorkspace
from zkq_geo.workspace import Workspace

PASSWORD = "correct horse battery"
REPO = Path(__file__).resolve().parents[3]


def _csv(path, rows):
    path.write_text("name,lon,lat\n" + "".join(f"{n},{x},{y}\n" for n, x, y in rows), encoding="utf-8")
    return path


@pytest.fixture
def office(tmp_path):
    """A workspace with layers ``spots`` (3 versions, the third a restore) and ``dikuai``
    (2 versions), a deleted layer ``old`` in the trash, users, a team, and their audit trail."""
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    store = OfficeStore(sqlite_url(ws.root))
    store.add_user("setup", "boss", "admin", password=PASSWORD)
    store.add_team("boss", "plan", "规划科")
    store.add_user("boss", "ed1", "editor", password=PASSWORD, teams_=["plan"], display_name="编辑一")
    store.add_user("boss", "view", "viewer", password=PASSWORD)
    ed1 = UserWorkspace(ws, store, store.user("ed1"))
    boss = UserWorkspace(ws, store, store.user("boss"))
    first = _csv(tmp_path / "点位.csv", [("甲", 113.75, 34.72)])
    ed1.import_file(first, "spots", visibility="team", team="plan")
    ed1.import_file(_csv(tmp_path / "点位2.csv", [("甲", 113.75, 34.72), ("乙", 113.76, 34.73)]), "spots")
    ed1.restore_version("spots", 1)
    ed1.import_file(d.gbk_shapefile_zip(tmp_path / "in"), "dikuai", visibility="everyone")
    ed1.import_file(d.gbk_shapefile_zip(tmp_path / "in2", stem="dikuai2"), "dikuai")
    ed1.import_file(_csv(tmp_path / "旧.csv", [("丙", 113.7, 34.7)]), "old")
    ed1.import_file(_csv(tmp_path / "旧2.csv", [("丙", 113.7, 34.7), ("丁", 113.8, 34.8)]), "old")
    boss.delete_layer("old")
    store.sign_in("view", PASSWORD, source="test")
    return ws, store


def _fields(version):
    return {k: v for k, v in dataclasses.asdict(version).items() if k not in ("file", "original")}


def test_everything_moves_with_the_same_numbers_bytes_and_audit_trail(office, pg_url):
    ws, store = office
    report = migrate(ws.root, pg_url)
    assert (report.layers, report.versions, report.trashed_layers) == (2, 7, 1)
    assert (report.users, report.teams, report.memberships, report.layer_access) == (3, 1, 1, 3)
    assert report.audit_events == len(store.events()) and report.target in str(report.message)
    target = PostgisWorkspace(pg_url, ws.root / "cache")
    assert {n: [_fields(v) for v in vs] for n, vs in target.layers().items()} == {
        n: [_fields(v) for v in vs] for n, vs in ws.layers().items()
    }
    for name, versions in ws.layers().items():
        for v in versions:
            pd.testing.assert_frame_equal(target.read_layer(name, v.version), ws.read_layer(name, v.version))
            file_name, data = target.original(name, v.version)
            assert data == (ws.root / v.original).read_bytes()
    assert target.trash() == ws.trash()
    moved = OfficeStore(pg_url)
    events = moved.events()
    assert events[:-1] == store.events()
    assert (events[-1].actor, events[-1].action, events[-1].detail["versions"]) == ("system", "migrate", 7)
    assert moved.users() == store.users() and moved.teams() == store.teams()
    assert moved.all_access() == store.all_access()
    moved.sign_in("ed1", PASSWORD)  # the password hash moved as it was
    assert moved.events()[-1].id == events[-1].id + 1  # new events follow the copied ones
    [item] = target.trash()
    target.undelete(item.id)
    assert [v.version for v in target.versions("old")] == [1, 2] and len(target.read_layer("old")) == 2


def test_a_target_with_users_or_layers_is_refused_and_left_as_it_was(office, pg_url):
    ws, _ = office
    migrate(ws.root, pg_url)
    before = OfficeStore(pg_url).events()
    with pytest.raises(OptionError, match="only into an empty database") as refused:
        migrate(ws.root, pg_url)
    assert "correct" not in str(refused.value)
    assert OfficeStore(pg_url).events() == before


def test_a_damaged_version_moves_nothing_and_a_second_run_then_works(office, pg_url):
    ws, _ = office
    [item] = ws.trash()
    damaged = ws.root / "trash" / item.id / "layers" / "v1.gpkg"
    good = damaged.read_bytes()
    damaged.write_bytes(b"SQLite format 3\x00 but nothing after")
    with pytest.raises(DataSourceError, match="version 1 of layer 'old' cannot be read"):
        migrate(ws.root, pg_url)
    target = PostgisWorkspace(pg_url, ws.root / "cache")
    assert target.layers() == {} and target.trash() == []
    assert OfficeStore(pg_url).users() == [] and OfficeStore(pg_url).events() == []
    damaged.write_bytes(good)
    assert migrate(ws.root, pg_url).versions == 7


def test_migrate_refuses_what_is_not_postgresql_or_not_a_workspace(tmp_path, pg_url):
    with pytest.raises(OptionError, match="PostgreSQL URL"):
        migrate(tmp_path, "sqlite:///x.sqlite")
    with pytest.raises(OptionError, match="no workspace folder"):
        migrate(tmp_path / "missing", pg_url)


def _with_password(url: str) -> str:
    """``url`` with a password added (the test cluster trusts local connections, so it is ignored)."""
    scheme, _, rest = url.partition("://")
    user, _, host = rest.partition("@")
    return f"{scheme}://{user}:s3cret-pw@{host}"


def test_the_command_moves_the_workspace_and_never_shows_the_password(office, pg_url):
    import zkqcli

    ws, store = office
    url = _with_password(pg_url)
    here = {"PYTHONPATH": str(REPO)}  # this checkout's code, wherever the console script came from
    done = zkqcli.run(ws.root, "workspace", "migrate", "--to", url, "--format", "csv", env=here)
    assert done.returncode == 0, done.stderr
    counts = dict(line.split(",") for line in done.stdout.strip().splitlines()[1:])
    assert counts["versions"] == "7" and counts["audit_events"] == str(len(store.events()))
    assert "moved the workspace" in done.stderr and "postgres:***@" in done.stderr
    again = zkqcli.run(ws.root, "workspace", "migrate", "--to", url, env=here)
    line = zkqcli.one_line_error(again, code=2)
    assert "only into an empty database" in line and "s3cret" not in again.stderr + again.stdout
    missing = zkqcli.run(ws.root, "workspace", "migrate", env={**here, "ZKQ_DATABASE_URL": ""})
    assert "--to postgresql://" in zkqcli.one_line_error(missing, code=2)


def test_a_trash_record_pointing_outside_its_folder_moves_nothing(office, pg_url):
    import json

    ws, _ = office
    [item] = ws.trash()
    entry = ws.root / "trash" / item.id / "entry.json"
    doc = json.loads(entry.read_text(encoding="utf-8"))
    doc["old"][0]["original"] = "originals/old/v1/../../../../../etc/passwd"
    entry.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataSourceError, match="cannot be read"):
        migrate(ws.root, pg_url)
    assert PostgisWorkspace(pg_url, ws.root / "cache").layers() == {}
