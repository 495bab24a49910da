"""CLI tests of the shared office: accounts (`users`), acting as a user (`--as`), who sees which
imported layer, sharing, the trash and the audit trail. They drive the real installed command;
the office is set up through the store only where the setup itself is not under test."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest
from zkqcli import ZKQ, one_line_error

from zkq_geo.office.store import SYSTEM, office_store

PASSWORD = "correct-horse-battery"
PARCELS = (
    '{"type":"FeatureCollection","features":['
    '{"type":"Feature","properties":{"name":"甲地块"},"geometry":{"type":"Point","coordinates":[113.75,34.72]}},'
    '{"type":"Feature","properties":{"name":"乙地块"},"geometry":{"type":"Point","coordinates":[113.76,34.73]}}]}'
)


def zkq(ws: Path, *args, stdin: str | None = None, env=None) -> subprocess.CompletedProcess:
    """``zkq-geo ARGS`` on workspace ``ws`` with ``stdin`` as its input (no terminal)."""
    full_env = {**os.environ, "ZKQ_WORKSPACE": str(ws)}
    for name in ("ZKQ_DEBUG", "ZKQ_USER"):  # ZKQ_DATABASE_URL: tests/conftest.py, per pass
        full_env.pop(name, None)
    full_env.update(env or {})
    return subprocess.run(
        [ZKQ, *map(str, args)],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=180,
        env=full_env,
    )


@pytest.fixture
def ws(tmp_path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def office(ws):
    """An office: admin; editors carol and dave, viewer vic; erin (viewer) and carol in plan1."""
    store = office_store(ws)
    store.add_user(SYSTEM, "admin", "admin", password=PASSWORD)
    store.add_team("admin", "plan1", "规划一科")
    for name, role in (("carol", "editor"), ("dave", "editor"), ("vic", "viewer"), ("erin", "viewer")):
        store.add_user("admin", name, role, password=PASSWORD)
    for name in ("carol", "erin"):
        store.set_membership("admin", name, "plan1", True)
    return store


@pytest.fixture
def parcels(tmp_path) -> Path:
    path = tmp_path / "地块.geojson"
    path.write_text(PARCELS, encoding="utf-8")
    return path


def _listed(stdout: str) -> list[str]:
    """The first column of a table printed by the CLI (its header line left out)."""
    return [line.split()[0] for line in stdout.strip().splitlines()[1:] if line.strip()]


def _imported(ws: Path, user: str) -> list[str]:
    r = zkq(ws, "--as", user, "layer", "list", "--format", "json")
    assert r.returncode == 0, r.stderr
    return [row["layer"] for row in json.loads(r.stdout)]


# ----------------------------------------------------------------------------- accounts
def test_the_first_account_is_an_admin_made_without_as_and_its_password_is_shown_once(ws):
    assert zkq(ws, "users", "count").stdout == "0\n"
    line = one_line_error(zkq(ws, "users", "add", "carol", "--role", "editor", "--random-password"), 2)
    assert "the first one must be an admin" in line
    r = zkq(ws, "users", "add", "admin", "--role", "admin", "--random-password")
    assert r.returncode == 0, r.stderr
    password = r.stdout.strip()
    assert len(r.stdout.splitlines()) == 1 and len(password) == 20
    assert "shown ONCE" in r.stderr and "zkq-geo --as admin users passwd admin" in r.stderr
    assert zkq(ws, "users", "count").stdout == "1\n"
    store = office_store(ws)
    user, _token = store.sign_in("admin", password)  # the printed password is the real one
    assert user.is_admin
    assert password not in zkq(ws, "--as", "admin", "users", "list", "--format", "json").stdout
    [event] = store.events()[:1]
    assert (event.actor, event.action, event.target) == (SYSTEM, "user_add", "admin")


def test_later_accounts_need_as_an_admin(ws, office):
    add = ("users", "add", "fred", "--role", "viewer", "--password-stdin")
    assert "needs an admin: pass --as" in one_line_error(zkq(ws, *add, stdin=PASSWORD))
    line = one_line_error(zkq(ws, "--as", "carol", *add, stdin=PASSWORD))
    assert line == "zkq-geo: error: carol (editor) may not do this: it needs an admin (users add)."
    assert "fred" not in [u.name for u in office.users()]
    r = zkq(ws, "--as", "admin", *add, "--team", "plan1", "--display-name", "费德", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    fred = office.user("fred")
    assert (fred.role, fred.teams, fred.display_name) == ("viewer", ("plan1",), "费德")
    office.sign_in("fred", PASSWORD)  # the line from stdin, without its newline
    assert office.events()[-2].actor == "admin" and office.events()[-2].action == "user_add"


@pytest.mark.parametrize(
    "password, message",
    [("short1", "too short: use at least 10"), ("my-fred-password", "must not contain the user name")],
)
def test_a_weak_password_is_refused_and_nothing_is_saved(ws, office, password, message):
    r = zkq(
        ws, "--as", "admin", "users", "add", "fred", "--role", "editor", "--password-stdin", stdin=password
    )
    assert message in one_line_error(r, 2)
    assert office.user("fred") is None
    r = zkq(
        ws,
        "--as",
        "admin",
        "users",
        "passwd",
        "carol",
        "--password-stdin",
        stdin=password.replace("fred", "carol"),
    )
    assert message in one_line_error(r, 2)
    office.sign_in("carol", PASSWORD)  # unchanged


def test_without_a_terminal_the_password_must_come_from_stdin_or_be_random(ws, office):
    r = subprocess.run(
        [ZKQ, "--as", "admin", "users", "add", "fred", "--role", "viewer"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "ZKQ_WORKSPACE": str(ws)},
    )
    assert "no terminal to type the password" in one_line_error(r, 2)
    assert office.user("fred") is None


def test_users_list_shows_roles_teams_and_locks_never_hashes(ws, office):
    for _ in range(5):
        with pytest.raises(Exception, match="wrong"):
            office.sign_in("dave", "not the password")
    rows = json.loads(zkq(ws, "--as", "admin", "users", "list", "--format", "json").stdout)
    assert [r["name"] for r in rows] == ["admin", "carol", "dave", "erin", "vic"]
    assert set(rows[0]) == {"name", "display_name", "role", "teams", "disabled", "locked_until", "created"}
    by_name = {r["name"]: r for r in rows}
    assert by_name["carol"]["teams"] == "plan1" and by_name["vic"]["role"] == "viewer"
    assert by_name["dave"]["locked_until"] > datetime.datetime.now(datetime.UTC).isoformat()
    assert by_name["carol"]["locked_until"] == ""
    for fmt in ("table", "csv", "json"):
        out = zkq(ws, "--as", "admin", "users", "list", "--format", fmt).stdout
        assert "argon2" not in out and "hash" not in out.lower() and "dave" in out
    assert "may not do this" in one_line_error(zkq(ws, "--as", "vic", "users", "list"))
    teams = zkq(ws, "--as", "admin", "users", "teams", "--format", "csv").stdout
    assert list(csv.DictReader(io.StringIO(teams))) == [
        {"team": "plan1", "title": "规划一科", "members": "carol,erin"}
    ]


def test_account_changes_by_an_admin_and_a_users_own_password(ws, office):
    assert zkq(ws, "--as", "admin", "users", "role", "vic", "editor").returncode == 0
    assert office.user("vic").role == "editor"
    assert zkq(ws, "--as", "admin", "users", "team-add", "plan2", "--title", "规划二科").returncode == 0
    assert zkq(ws, "--as", "admin", "users", "team-join", "vic", "plan2").returncode == 0
    assert zkq(ws, "--as", "admin", "users", "team-leave", "carol", "plan1").returncode == 0
    assert office.user("vic").teams == ("plan2",) and office.user("carol").teams == ()
    new = "another-long-secret"
    assert zkq(ws, "--as", "carol", "users", "passwd", "carol", "--password-stdin", stdin=new).returncode == 0
    office.sign_in("carol", new)
    r = zkq(ws, "--as", "carol", "users", "passwd", "dave", "--password-stdin", stdin=new)
    assert "may not do this" in one_line_error(r)
    line = one_line_error(zkq(ws, "--as", "admin", "users", "disable", "admin"), 2)
    assert "last enabled admin" in line
    actions = [(e.actor, e.action, e.target) for e in office.events() if e.action != "sign_in"][-5:]
    assert actions == [
        ("admin", "user_role", "vic"),
        ("admin", "team_add", "plan2"),
        ("admin", "team_join", "vic"),
        ("admin", "team_leave", "carol"),
        ("carol", "user_passwd", "carol"),
    ]


# ----------------------------------------------------------------------------- acting as a user
def test_a_viewer_cannot_import_and_without_as_nothing_may_be_written(ws, office, parcels):
    line = one_line_error(zkq(ws, "--as", "vic", "import", parcels, "--as", "dikuai"))
    assert line == (
        "zkq-geo: error: vic (viewer) may not import or join layers ('dikuai'): that needs the editor "
        "role; ask an admin."
    )
    assert "pass --as USER" in one_line_error(zkq(ws, "import", parcels, "--as", "dikuai"))
    assert not (ws / "layers").exists() and office.access("dikuai") is None
    assert "There is no user 'nobody'" in one_line_error(zkq(ws, "--as", "nobody", "layers"))


def test_a_private_layer_is_seen_only_by_its_owner_and_admins_until_shared(ws, office, parcels, tmp_path):
    r = zkq(ws, "--as", "carol", "import", parcels, "--as", "dikuai", "--title", "地块")
    assert r.returncode == 0, r.stderr
    assert _imported(ws, "carol") == ["dikuai"] and _imported(ws, "admin") == ["dikuai"]
    assert _imported(ws, "dave") == []
    assert "dikuai" not in _listed(zkq(ws, "--as", "dave", "layers").stdout)
    assert "dikuai" not in _listed(zkq(ws, "layers").stdout)  # without --as: shared with everyone only
    out = tmp_path / "out.geojson"
    for who in (("--as", "dave"), ()):
        line = one_line_error(zkq(ws, *who, "export", "dikuai", "--format", "geojson", "-o", out), 2)
        assert "unknown layer 'dikuai'" in line
        assert "unknown layer" in one_line_error(zkq(ws, *who, "show", "dikuai"), 2)
        assert "unknown layer" in one_line_error(zkq(ws, *who, "map", "dikuai", "-o", tmp_path / "m.html"), 2)
    assert not out.exists()
    assert "There is no layer 'dikuai' you may see" in one_line_error(
        zkq(ws, "--as", "dave", "layer", "share", "dikuai", "--visibility", "everyone")
    )
    r = zkq(ws, "--as", "carol", "layer", "share", "dikuai", "--visibility", "everyone")
    assert r.returncode == 0 and "shared with: everyone (owner carol)" in r.stderr
    assert _imported(ws, "dave") == ["dikuai"]
    assert "dikuai" in _listed(zkq(ws, "layers").stdout)
    back = ("layer", "share", "dikuai", "--visibility", "private")
    assert "may not change who sees" in one_line_error(zkq(ws, "--as", "dave", *back))
    assert zkq(ws, "--as", "dave", "export", "dikuai", "--format", "geojson", "-o", out).returncode == 0
    names = {f["properties"]["name"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]}
    assert names == {"甲地块", "乙地块"}
    # dave sees it but may not add a version to carol's layer, nor delete it
    assert "may not add a version" in one_line_error(
        zkq(ws, "--as", "dave", "import", parcels, "--as", "dikuai")
    )
    assert "only an admin may" in one_line_error(zkq(ws, "--as", "dave", "layer", "delete", "dikuai"))


def test_a_team_layer_is_seen_by_the_team(ws, office, parcels):
    r = zkq(
        ws,
        "--as",
        "carol",
        "import",
        parcels,
        "--as",
        "team_plots",
        "--visibility",
        "team",
        "--team",
        "plan1",
    )
    assert r.returncode == 0, r.stderr
    assert _imported(ws, "erin") == ["team_plots"] and _imported(ws, "dave") == []
    rows = json.loads(zkq(ws, "--as", "erin", "layer", "list", "--format", "json").stdout)
    assert {k: rows[0][k] for k in ("owner", "team", "visibility", "versions")} == {
        "owner": "carol",
        "team": "plan1",
        "visibility": "team",
        "versions": 1,
    }
    line = one_line_error(
        zkq(
            ws, "--as", "dave", "import", parcels, "--as", "other", "--visibility", "team", "--team", "plan1"
        ),
        2,
    )
    assert "not a member of team 'plan1'" in line


def test_env_zkq_user_acts_like_as(ws, office, parcels):
    r = zkq(ws, "import", parcels, "--as", "mine", env={"ZKQ_USER": "carol"})
    assert r.returncode == 0, r.stderr
    assert office.access("mine").owner == "carol"
    assert office.events()[-1].actor == "carol"


def test_a_disabled_account_cannot_act(ws, office, parcels):
    assert zkq(ws, "--as", "admin", "users", "disable", "carol").returncode == 0
    for args in (("layers",), ("import", parcels, "--as", "dikuai"), ("layer", "list")):
        line = one_line_error(zkq(ws, "--as", "carol", *args))
        assert "The account 'carol' is disabled and cannot act" in line
    assert not (ws / "layers").exists()
    assert zkq(ws, "--as", "admin", "users", "enable", "carol").returncode == 0
    assert zkq(ws, "--as", "carol", "import", parcels, "--as", "dikuai").returncode == 0


def test_as_before_any_account_exists_is_an_error(ws, parcels):
    line = one_line_error(zkq(ws, "--as", "carol", "import", parcels, "--as", "dikuai"))
    assert "the office has no accounts yet" in line
    assert not ws.exists()  # nothing made: no office database either
    r = zkq(ws, "import", parcels, "--as", "dikuai")  # a single-user install works as before
    assert r.returncode == 0 and not (ws / "office.sqlite").exists()
    assert "Sharing needs accounts" in one_line_error(
        zkq(ws, "layer", "share", "dikuai", "--visibility", "team", "--team", "x")
    )


def test_delete_trash_and_undelete_are_for_admins(ws, office, parcels):
    assert zkq(ws, "--as", "carol", "import", parcels, "--as", "dikuai").returncode == 0
    assert "only an admin may" in one_line_error(zkq(ws, "--as", "carol", "layer", "trash"))
    assert zkq(ws, "--as", "admin", "layer", "delete", "dikuai").returncode == 0
    assert _imported(ws, "admin") == []
    [item] = json.loads(zkq(ws, "--as", "admin", "layer", "trash", "--format", "json").stdout)
    assert item["name"] == "dikuai" and item["versions"] == 1
    assert "only an admin may" in one_line_error(zkq(ws, "--as", "carol", "layer", "undelete", item["id"]))
    r = zkq(ws, "--as", "admin", "layer", "undelete", item["id"])
    assert r.returncode == 0 and "restored deleted layer 'dikuai'" in r.stderr
    assert _imported(ws, "carol") == ["dikuai"]  # still carol's, still private
    assert _imported(ws, "dave") == []
    assert [e.action for e in office.events()][-2:] == ["delete", "undelete"]


# ----------------------------------------------------------------------------- the audit trail
def test_audit_for_admins_as_csv_xlsx_and_json_with_since_and_user(ws, office, parcels, tmp_path):
    sha = hashlib.sha256(parcels.read_bytes()).hexdigest()
    assert zkq(ws, "--as", "carol", "import", parcels, "--as", "dikuai").returncode == 0
    assert zkq(ws, "--as", "carol", "layer", "share", "dikuai", "--visibility", "everyone").returncode == 0
    today = datetime.datetime.now(datetime.UTC).date()
    since = ("--since", today.isoformat(), "--user", "carol")
    events = json.loads(zkq(ws, "--as", "admin", "audit", *since, "--format", "json").stdout)
    assert [(e["actor"], e["action"], e["target"]) for e in events] == [
        ("carol", "import", "dikuai"),
        ("carol", "share", "dikuai"),
    ]
    assert events[0]["file_name"] == "地块.geojson" and events[0]["file_sha256"] == sha
    out = tmp_path / "audit.csv"
    r = zkq(ws, "--as", "admin", "audit", *since, "--format", "csv", "--lang", "en", "-o", out)
    assert r.returncode == 0 and "wrote 2 audit events" in r.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [row["File SHA-256"] for row in rows] == [sha, ""]
    xlsx = tmp_path / "审计.xlsx"
    assert (
        zkq(ws, "--as", "admin", "audit", "--user", "carol", "--format", "xlsx", "-o", xlsx).returncode == 0
    )
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    assert "文件 SHA-256" in header
    assert sheet.cell(2, header.index("文件 SHA-256") + 1).value == sha and sheet.max_row == 3
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert json.loads(zkq(ws, "--as", "admin", "audit", "--since", tomorrow, "--format", "json").stdout) == []
    everyone = json.loads(zkq(ws, "--as", "admin", "audit", "--format", "json").stdout)
    assert {e["actor"] for e in everyone} >= {SYSTEM, "admin", "carol"}
    assert "may not do this" in one_line_error(zkq(ws, "--as", "carol", "audit"))
    assert "needs an admin" in one_line_error(zkq(ws, "audit"))
    assert "not a date" in one_line_error(zkq(ws, "--as", "admin", "audit", "--since", "1.12.2026"), 2)
    assert "-o" in one_line_error(zkq(ws, "--as", "admin", "audit", "--format", "xlsx"), 2)


def test_run_sh_makes_the_first_admin_once_and_shows_its_password(ws):
    """The first-admin step of scripts/run.sh, run on its own (the rest starts the app)."""
    root = Path(__file__).resolve().parents[2]
    script = (root / "scripts" / "run.sh").read_text(encoding="utf-8")
    step = script[script.index("first_admin() {") : script.index("\nfirst_admin\n")]
    env = {**os.environ, "ZKQ_WORKSPACE": str(ws)}
    env.pop("ZKQ_USER", None)
    first = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{step}\nfirst_admin"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert first.returncode == 0, first.stderr
    [password] = [line.split()[-1] for line in first.stdout.splitlines() if "password:" in line]
    assert "shown ONCE" in first.stdout and "zkq-geo --as admin users passwd admin" in first.stdout
    user, _token = office_store(ws).sign_in("admin", password)
    assert user.is_admin
    again = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{step}\nfirst_admin"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert again.returncode == 0 and again.stdout == ""
    assert [u.name for u in office_store(ws).users()] == ["admin"]
