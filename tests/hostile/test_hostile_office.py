"""The hostile-input suite for the shared office: its readers and writers get what an attacker would
send. The sign-in form of the real server (bodies, content types, bytes, cookies, methods, many wrong
passwords), the audit trail's CSV and Excel (formula-like file names, titles and warnings), terminal
escapes in the CLI's tables, the migration's reader of a crafted workspace folder, the database tile
route with hostile names and numbers, and user and team names given to the CLI.

Every case asserts the defence itself: a status, a refusal line, a cell's type, the bytes copied.
"""

from __future__ import annotations

import csv
import http.client
import importlib.util
import io
import json
import math
import os
import pty
import re
import shutil
import socket
import subprocess
import urllib.parse
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
import sqlalchemy as sa
from procs import stop_process
from zkqcli import ZKQ, one_line_error

from zkq_geo.errors import OptionError
from zkq_geo.office.backends import open_office
from zkq_geo.office.db import engine_for
from zkq_geo.office.postgis import PostgisWorkspace
from zkq_geo.office.store import SYSTEM, office_store
from zkq_geo.office.userspace import UserWorkspace
from zkq_geo.render.tiles import database_tile_reply
from zkq_geo.workspace import Workspace

PASSWORD = "correct-horse-battery"
POINTS_CSV = "name,lon,lat\n甲,113.75,34.72\n乙,113.76,34.73\n"
FORMULA_FILE_NAMES = ('=HYPERLINK("http://x","y").csv', "+cmd|' /C calc'!A0.csv", "@SUM(1).csv")
FORMULA_TEXTS = ("=1+2", '=HYPERLINK("http://evil.example","点我")', "-2+3", "@SUM(A1)", "\t=1", "\r=1")


def _env(ws: Path, env=None) -> dict:
    full_env = {**os.environ, "ZKQ_WORKSPACE": str(ws)}
    for name in ("ZKQ_DEBUG", "ZKQ_USER", "ZKQ_DATABASE_URL"):
        full_env.pop(name, None)
    return {**full_env, **(env or {})}


def zkq(ws: Path, *args, stdin: str = "", env=None) -> subprocess.CompletedProcess:
    """``zkq-geo ARGS`` on workspace ``ws`` (no ``--as`` from the environment, no debug)."""
    assert ZKQ, "zkq-geo console script not installed in the venv (pip install -e .)"
    return subprocess.run(
        [ZKQ, *map(str, args)], input=stdin, capture_output=True, text=True, timeout=180, env=_env(ws, env)
    )


def on_a_terminal(ws: Path, *args) -> tuple[int, bytes]:
    """``zkq-geo ARGS`` with stdout on a pseudo-terminal: its exit code and what the terminal got."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [ZKQ, *map(str, args)], stdout=follower, stderr=subprocess.PIPE, env=_env(ws), timeout=180
        )
    finally:
        os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return proc.returncode, out


@pytest.fixture
def ws(tmp_path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def office(ws):
    """An office with an admin and an editor."""
    store = office_store(ws)
    store.add_user(SYSTEM, "admin", "admin", password=PASSWORD)
    store.add_user("admin", "carol", "editor", password=PASSWORD)
    return store


# ----------------------------------------------------------------------------- the audit trail's writers
@pytest.fixture
def poisoned_audit(office, ws, tmp_path):
    """carol imported three files named like formulas (through the CLI; a name with a slash, which
    no file on disk can have, as an upload of the app names it), one with a formula-like title; the
    trail also holds a warning and a target of such text."""
    for n, file_name in enumerate(FORMULA_FILE_NAMES):
        path = tmp_path / f"in{n}" / file_name.replace("/", "_")
        path.parent.mkdir()
        path.write_text(POINTS_CSV, encoding="utf-8")
        if "/" in file_name:
            carol = UserWorkspace(Workspace(ws), office, office.user("carol"))
            carol.import_file(path, f"spots{n}", source_name=file_name, title=FORMULA_TEXTS[1])
            continue
        r = zkq(ws, "--as", "carol", "import", path, "--as", f"spots{n}", f"--title={FORMULA_TEXTS[2]}")
        assert r.returncode == 0, r.stderr
    office.record("carol", "import", FORMULA_TEXTS[0], file_name=FORMULA_TEXTS[3], warnings=FORMULA_TEXTS)
    return office


def _formula_like(text) -> bool:
    return isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_the_audit_csv_keeps_formula_like_names_titles_and_warnings_as_text(poisoned_audit, ws, tmp_path):
    out = tmp_path / "audit.csv"
    r = zkq(ws, "--as", "admin", "audit", "--format", "csv", "--lang", "en", "-o", out)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if _formula_like(c)]  # no cell a spreadsheet would run
    file_names = {row["File"] for row in rows}
    assert {"'" + name for name in FORMULA_FILE_NAMES} <= file_names and "'@SUM(A1)" in file_names
    (planted,) = [row for row in rows if row["Layer or account"] == "'=1+2"]
    warnings = planted["Report warnings"]
    assert warnings.startswith("'=1+2; ") and '=HYPERLINK("http://evil.example"' in warnings


def test_the_audit_workbook_keeps_formula_like_cells_as_text(poisoned_audit, ws, tmp_path):
    out = tmp_path / "audit.xlsx"
    r = zkq(ws, "--as", "admin", "audit", "--format", "xlsx", "-o", out)
    assert r.returncode == 0, r.stderr
    sheet = openpyxl.load_workbook(out).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    texts = [cell.value for cell in cells if cell.data_type == "s"]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    for name in FORMULA_FILE_NAMES:
        assert name in texts or "'" + name in texts
    assert any(FORMULA_TEXTS[0] in t for t in texts) and any("@SUM(A1)" in t for t in texts)


def test_terminal_escapes_in_user_and_layer_names_are_shown_not_obeyed(office, ws, tmp_path):
    office.add_team("admin", "plan1", "规划\x1b[2J一科")
    office.add_user("admin", "erin", "viewer", password=PASSWORD, display_name="evil\x1b[2J\x1b[31mRED")
    office.record("carol", "import", "x\x1b]0;owned\x07", file_name="f\x1b[31m.csv", warnings=["w\x1b[2J"])
    for args in (("users", "list"), ("users", "teams"), ("audit",)):
        code, out = on_a_terminal(ws, "--as", "admin", *args)
        assert code == 0, args
        assert b"\x1b" not in out and b"\x07" not in out, (args, out)
    code, out = on_a_terminal(ws, "--as", "admin", "users", "list")
    assert b"evil\\x1b[2J\\x1b[31mRED" in out
    code, out = on_a_terminal(ws, "--as", "admin", "audit")
    assert b"x\\x1b]0;owned\\x07" in out and b"f\\x1b[31m.csv" in out
    piped = zkq(ws, "--as", "admin", "users", "list", "--format", "csv")  # a pipe keeps every byte
    assert "evil\x1b[2J\x1b[31mRED" in piped.stdout


# ----------------------------------------------------------------------------- user and team names
HOSTILE_NAMES = [
    "../admin",
    "a/b",
    "/etc/passwd",
    "..",
    "a\\b",
    "eve\x1b[2J",
    "eve\nroot",
    "eve\t",
    "a" * 41,
    "a" * 10_000,
    "аdmin",  # the first letter is Cyrillic
    "ａdmin",  # full-width
    "admіn",  # Ukrainian i
    "Admin",
    "admin ",
    " admin",
    "-rf",
    "",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda n: repr(n)[:24])
def test_hostile_user_names_are_refused_and_nothing_is_stored(office, ws, name):
    before = (len(office.users()), len(office.events()))
    r = zkq(ws, "--as", "admin", "users", "add", "--role", "viewer", "--random-password", "--", name)
    line = one_line_error(r, 2)
    assert "user name" in line.lower() or "用户名" in line, line
    assert "Traceback" not in r.stderr and "\x1b" not in r.stderr and "\x00" not in r.stderr
    assert len(line) < 400  # a 10,000-character name is not echoed whole
    assert (len(office.users()), len(office.events())) == before
    assert r.stdout == ""  # no password was generated and shown for an account not made


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda n: repr(n)[:24])
def test_hostile_team_names_are_refused_and_nothing_is_stored(office, ws, name):
    before = (dict(office.teams()), len(office.events()))
    r = zkq(ws, "--as", "admin", "users", "team-add", "--title", "规划一科", "--", name)
    line = one_line_error(r, 2)
    assert "team" in line.lower() or "科室" in line or "团队" in line, line
    assert "\x1b" not in r.stderr and "\x00" not in r.stderr and len(line) < 400
    assert (dict(office.teams()), len(office.events())) == before


@pytest.mark.parametrize("name", ["eve\x00", "a\x00/../admin", "\x00"])
def test_a_name_with_a_nul_is_refused_by_the_store(office, name):
    """A NUL cannot pass through argv; the store (what the app's admin page calls) refuses it."""
    before = (len(office.users()), dict(office.teams()), len(office.events()))
    with pytest.raises(OptionError, match="name"):
        office.add_user("admin", name, "viewer", password=PASSWORD)
    with pytest.raises(OptionError, match="name"):
        office.add_team("admin", name, "规划")
    assert (len(office.users()), dict(office.teams()), len(office.events())) == before


def test_an_acting_user_name_with_escapes_is_refused_and_shown(office, ws):
    """``--as`` naming nobody, with terminal escapes: the unknown-user refusal, escapes shown."""
    before = len(office.users())
    r = zkq(ws, "--as", "no\x1b[2Jbody", "users", "add", "zed", "--role", "viewer", "--random-password")
    line = one_line_error(r, 1)
    assert "\x1b" not in r.stderr and "no\\x1b[2Jbody" in line
    assert len(office.users()) == before


# ----------------------------------------------------------------------------- database tiles
def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture
def tile_db(pg_url, tmp_path):
    """A PostGIS workspace with layer ``dikuai`` (one 100 m square near 113.74E 34.72N), the URL
    and a tile z/x/y that holds it."""
    square = gpd.GeoSeries([shapely.Point(113.74, 34.72)], crs="EPSG:4326").to_crs("EPSG:4547")[0]
    gdf = gpd.GeoDataFrame(
        {"id": ["d1"], "name": ["甲地块"]},
        geometry=[shapely.box(square.x, square.y, square.x + 100, square.y + 100)],
        crs="EPSG:4547",
    )
    db = PostgisWorkspace(pg_url, tmp_path / "cache")
    db.save_layer("dikuai", gdf, title="地块")
    return db, pg_url, (14, *_tile_of(113.7405, 34.7205, 14))


def _table_counts(url: str) -> dict[str, int]:
    with engine_for(url).connect() as conn:
        names = ("layer_versions", "layer_features", "layer_originals")
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in names}


HOSTILE_LAYER_NAMES = [
    "x'; DROP TABLE layer_versions; --",
    "dikuai'; DELETE FROM layer_features; --",
    "dikuai' OR '1'='1",
    "../dikuai",
    "../../etc/passwd",
    "dikuai/../dikuai",
    "a" * 200,
    "dikuai\x00",
    "dikuai\n",
    "DIKUAI",
    "",
    None,
    7,
]


@pytest.mark.parametrize("name", HOSTILE_LAYER_NAMES, ids=lambda n: repr(n)[:24])
def test_database_tiles_of_hostile_layer_names_are_404_and_the_tables_stay(tile_db, name):
    db, url, (z, x, y) = tile_db
    before = _table_counts(url)
    assert database_tile_reply(db, name, 1, z, x, y).status == 404
    assert _table_counts(url) == before and before["layer_features"] == 1
    assert database_tile_reply(db, "dikuai", 1, z, x, y).status == 200  # the layer still answers


@pytest.mark.parametrize(
    "version, zxy",
    [
        (-1, None),
        (0, None),
        (2**70, None),
        (-(2**70), None),
        ("1; DROP TABLE layer_versions", None),
        ("abc", None),
        ("1.5", None),
        (None, None),
        (1, (-1, 0, 0)),
        (1, (14, -1, 0)),
        (1, (14, 0, -1)),
        (1, (2**70, 0, 0)),
        (1, (14, 2**70, 2**70)),
        (1, (14, 2**14, 0)),
        (1, (-(2**70), 0, 0)),
        (1, ("z", "x", "y")),
        (1, ("14", "1; DROP TABLE layer_features", "0")),
        (1, (None, None, None)),
        (1, (float("nan"), 0, 0)),
        (1, (float("inf"), 0, 0)),
    ],
    ids=repr,
)
def test_database_tiles_of_hostile_numbers_are_404_and_the_tables_stay(tile_db, version, zxy):
    db, url, tile = tile_db
    z, x, y = zxy or tile
    before = _table_counts(url)
    reply = database_tile_reply(db, "dikuai", version, z, x, y)
    assert reply.status == 404 and reply.body is None
    assert _table_counts(url) == before
    assert database_tile_reply(db, "dikuai", 1, *tile).status == 200


# ----------------------------------------------------------------------------- the migration's reader
SECRET = b"root:x:0:0:the secret outside the workspace\n"


@pytest.fixture
def crafted(tmp_path):
    """A workspace with layer ``spots`` (two versions, each with its original) and a deleted layer
    ``old`` in the trash; a secret file outside it. Returns the workspace and the secret's path."""
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_bytes(SECRET)
    ws = Workspace(tmp_path / "ws")
    gdf = gpd.GeoDataFrame({"name": ["甲"]}, geometry=[shapely.Point(113.75, 34.72)], crs="EPSG:4326")
    for n in (1, 2):
        original = tmp_path / f"点位{n}.csv"
        original.write_text(POINTS_CSV, encoding="utf-8")
        ws.save_layer("spots", gdf, title="点位", source_file=original.name, original=original)
        ws.save_layer("old", gdf, title="旧", source_file=original.name, original=original)
    ws.delete_layer("old")
    return ws, secret


def _edit_index(ws: Workspace, edit) -> None:
    path = ws.root / "index.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc["layers"]["spots"])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _migrated_bytes(url: str) -> list[bytes]:
    """Every original stored in the target database ([] when the tables were never made)."""
    with engine_for(url).connect() as conn:
        if not sa.inspect(conn).has_table("layer_originals"):
            return []
        return [bytes(r[0]) for r in conn.execute(sa.text("SELECT data FROM layer_originals"))]


def _target_is_empty(url: str) -> bool:
    with engine_for(url).connect() as conn:
        if not sa.inspect(conn).has_table("layer_versions"):
            return True
        return conn.execute(sa.text("SELECT count(*) FROM layer_versions")).scalar_one() == 0


@pytest.mark.parametrize(
    "key, value",
    [
        ("original", "../../outside/passwd"),
        ("original", "originals/spots/v2/../../../../outside/passwd"),
        ("original", "/etc/passwd"),
        ("original", "originals/spots/v2/"),
        ("file", "../outside/passwd"),
        ("file", "/etc/passwd"),
        ("file", "layers/spots/../../../outside/passwd"),
        ("feature_count", 2**70),
        ("feature_count", -1),
        ("version", "1; DROP TABLE layer_versions"),
        ("report", "not an object"),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_migrating_a_crafted_index_refuses_with_one_line_and_copies_nothing(crafted, pg_url, key, value):
    ws, _ = crafted
    _edit_index(ws, lambda records: records[-1].update({key: value}))
    r = zkq(ws.root, "workspace", "migrate", "--to", pg_url)
    line = one_line_error(r, 1)
    assert "spots" in line and str(ws.root) not in line, line
    assert SECRET not in _migrated_bytes(pg_url) and _target_is_empty(pg_url)


def test_migrating_an_index_with_a_wrong_feature_count_names_the_layer(crafted, pg_url):
    ws, _ = crafted
    _edit_index(ws, lambda records: records[0].update({"feature_count": 5}))
    line = one_line_error(zkq(ws.root, "workspace", "migrate", "--to", pg_url), 1)
    assert "'spots'" in line and "5" in line, line
    assert _target_is_empty(pg_url)


@pytest.mark.parametrize(
    "where", ["live original", "trash original", "version folder", "live gpkg", "trash gpkg"]
)
def test_migrating_a_file_that_is_a_symlink_out_copies_nothing(crafted, pg_url, where):
    """A symlink inside the workspace (an original, a version's originals folder, a GeoPackage;
    of a live layer or one in the trash) that leads outside it: refused with one line, and the
    target holds nothing (the secret least of all)."""
    ws, secret = crafted
    (trash,) = (ws.root / "trash").iterdir()
    outside = secret.parent
    if where == "live original":
        (link,) = (ws.root / "originals" / "spots" / "v1").iterdir()
        target = secret
    elif where == "trash original":
        (link,) = (trash / "originals" / "v2").iterdir()  # a delete keeps originals/vN/<file>
        target = secret
    elif where == "version folder":
        link = ws.root / "originals" / "spots" / "v2"
        (original,) = link.iterdir()
        (outside / original.name).write_bytes(SECRET)
        target = outside
    else:
        live = where == "live gpkg"
        link = ws.root / "layers" / "spots" / "v1.gpkg" if live else trash / "layers" / "v1.gpkg"
        target = outside / "copy.gpkg"
        shutil.copyfile(link, target)
    shutil.rmtree(link) if link.is_dir() else link.unlink()
    link.symlink_to(target, target_is_directory=target.is_dir())
    line = one_line_error(zkq(ws.root, "workspace", "migrate", "--to", pg_url), 1)
    assert ("old" if "trash" in where else "spots") in line and str(outside) not in line, line
    assert SECRET not in _migrated_bytes(pg_url) and _target_is_empty(pg_url)


@pytest.mark.parametrize("where, depth", [("index", 200), ("index", 5_000), ("trash", 200), ("trash", 5_000)])
def test_migrating_a_deeply_nested_report_is_refused_or_moved_with_one_line(crafted, pg_url, where, depth):
    """A report nested ``depth`` lists deep: moved as it is when JSON can hold it; else, in the
    index, one line naming it, and in a deleted layer's entry.json, that layer is not in the
    trash (as for any unreadable entry.json) and the rest moves; never an internal error."""
    ws, _ = crafted
    (trash,) = (ws.root / "trash").iterdir()
    path = ws.root / "index.json" if where == "index" else trash / "entry.json"
    text = path.read_text(encoding="utf-8")
    nested = '{"deep": ' + "[" * depth + "]" * depth + "}"
    path.write_text(text.replace('"report": {}', '"report": ' + nested, 1), encoding="utf-8")
    assert nested in path.read_text(encoding="utf-8")
    r = zkq(ws.root, "workspace", "migrate", "--to", pg_url, "--format", "json")
    if depth < 500 or where == "trash":
        assert r.returncode == 0 and "internal error" not in r.stderr, r.stderr
        moved = {row["moved"]: row["count"] for row in json.loads(r.stdout)}
        assert (moved["layers"], moved["trashed_layers"]) == (1, 1 if depth < 500 else 0)
        return
    line = one_line_error(r, 1)
    assert "internal error" not in line and ("index.json" if where == "index" else trash.name) in line, line
    assert _target_is_empty(pg_url)


# ----------------------------------------------------------------------------- the sign-in form
def _gate_helpers():
    """start_server, request, sign_in and session_of of tests/app/test_sign_in_gate.py (one way to
    start the real server and speak to it, not two)."""
    path = Path(__file__).resolve().parents[1] / "app" / "test_sign_in_gate.py"
    spec = importlib.util.spec_from_file_location("_sign_in_gate_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gate = _gate_helpers()
GATE_PASSWORD = gate.OFFICE_PASSWORD
INTERNAL_WORDS = (b"Traceback", b"sqlalchemy", b"psycopg", b"sqlite", b"Error", b"zkq_geo", b'File "')


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def signin_server(request, tmp_path_factory):
    """The real server (``streamlit run app/server.py``) of an office on SQLite or PostgreSQL,
    with accounts guanli (admin) and chakan (viewer); its base address and its store."""
    env = {}
    if request.param == "postgis":
        import pgdb

        url = pgdb.new_database(request.getfixturevalue("pg_cluster"))
        request.addfinalizer(lambda: pgdb.drop_database(url))
        env["ZKQ_DATABASE_URL"] = url
    root = tmp_path_factory.mktemp("signin_ws")
    workspace, store = open_office(root, env.get("ZKQ_DATABASE_URL"))
    store.add_user(SYSTEM, "guanli", "admin", password=GATE_PASSWORD)
    store.add_user(SYSTEM, "chakan", "viewer", password=GATE_PASSWORD)
    proc, base = gate.start_server(workspace, tmp_path_factory.mktemp("log") / "server.log", **env)
    yield base, store
    stop_process(proc)


def _healthy_after(base: str, *replies) -> None:
    """No answer was a 500 or showed an internal name; the server still answers its health check."""
    for status, _, body in replies:
        assert status != 500 and status < 600, status
        assert not [w for w in INTERNAL_WORDS if w in body], body[:300]
    assert gate.request(base, "GET", "/_stcore/health")[0] == 200


def raw(base: str, data: bytes, *, wait_s: float = 5) -> bytes:
    """What the server answers to ``data`` sent as is on one connection, until it closes (or
    ``wait_s`` passes with nothing more)."""
    host, port = base.split(":")
    got = b""
    with socket.create_connection((host, int(port)), timeout=wait_s) as sock:
        sock.sendall(data)
        try:
            while chunk := sock.recv(65536):
                got += chunk
        except TimeoutError:
            pass
    return got


def _statuses(answer: bytes) -> list[int]:
    return [int(m) for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)]


def _post(base: str, body: bytes, headers: dict, cookie=None):
    return gate.request(base, "POST", "/signin", body, headers, cookie=cookie)


def _form(**fields) -> bytes:
    return urllib.parse.urlencode(fields).encode()


FORM = gate.FORM


def test_a_body_over_4_kib_is_413_whatever_the_framing(signin_server):
    base, store = signin_server
    before = len(store.events())
    big = _form(user="chakan", password=GATE_PASSWORD) + b"&x=" + b"a" * 5000
    honest = _post(base, big, FORM)
    assert honest[0] == 413 and honest[1]["set-cookie"] == []
    # a Content-Length far larger than what is sent: refused on the header, no waiting for the body
    claims = raw(
        base,
        b"POST /signin HTTP/1.1\r\nHost: " + base.encode() + b"\r\nContent-Type: "
        b"application/x-www-form-urlencoded\r\nContent-Length: 99999999\r\n\r\nuser=a",
        wait_s=20,
    )
    assert _statuses(claims)[:1] == [413]
    # a Content-Length smaller than the body: the rest is not a request (400), nothing signs in
    head = (
        b"POST /signin HTTP/1.1\r\nHost: "
        + base.encode()
        + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    )
    lying = raw(base, head + b"Content-Length: 10\r\n\r\n" + big)
    assert _statuses(lying) and set(_statuses(lying)) <= {400, 401, 413} and b"zkq_session=" not in lying
    # chunked, no Content-Length: read up to the cap, then 413
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(big[i : i + 1000]), big[i : i + 1000]) for i in range(0, len(big), 1000)
    )
    chunked = raw(base, head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
    assert _statuses(chunked)[:1] == [413] and b"zkq_session=" not in chunked
    for bad_length in (b"-1", b"abc", b"1e3", b"0x10"):
        answer = raw(base, head + b"Content-Length: " + bad_length + b"\r\n\r\nuser=a&password=b")
        assert _statuses(answer)[:1] in ([400], [413]), (bad_length, answer[:200])
    assert "sign_in" not in [e.action for e in store.events()[before:]]  # nobody signed in
    _healthy_after(base, honest, (413, {}, claims), (400, {}, lying), (413, {}, chunked))


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "multipart/form-data; boundary=x",
        "text/plain",
        "",
        "application/x-www-form-urlencodedX",
    ],
)
def test_only_a_url_encoded_form_is_read_even_with_the_right_password(signin_server, content_type):
    base, store = signin_server
    bodies = {
        "application/json": json.dumps({"user": "chakan", "password": GATE_PASSWORD}).encode(),
        "multipart/form-data; boundary=x": (
            b'--x\r\nContent-Disposition: form-data; name="user"\r\n\r\nchakan\r\n--x\r\n'
            b'Content-Disposition: form-data; name="password"\r\n\r\n'
            + GATE_PASSWORD.encode()
            + b"\r\n--x--\r\n"
        ),
    }
    body = bodies.get(content_type, _form(user="chakan", password=GATE_PASSWORD))
    reply = _post(base, body, {"Content-Type": content_type} if content_type else {})
    assert reply[0] == 415 and reply[1]["set-cookie"] == []
    _healthy_after(base, reply)


@pytest.mark.parametrize(
    "body, status",
    [
        (b"user=%FF%FE&password=wrong-password", 401),  # percent-encoded non-UTF-8: an unknown user
        (b"user=\xff\xfe&password=wrong-password", 400),  # raw non-UTF-8 bytes: not a form
        (b"user=cha%00kan&password=" + GATE_PASSWORD.encode(), 401),  # a NUL in the name
        (b"user=%00&password=x", 401),
        (b"user=chakan%00&password=" + GATE_PASSWORD.encode(), 401),
        (_form(user="x" * 3900, password="p"), 401),  # long, but under the cap
        (_form(user="admin' --", password="x"), 401),
        (_form(user="guanli' OR '1'='1", password="' OR '1'='1"), 401),
        (_form(user="guanli'; DROP TABLE users; --", password="x"), 401),
        (_form(user="ｇｕａｎｌｉ", password=GATE_PASSWORD), 401),  # full-width look-alike
        (_form(user="guаnli", password=GATE_PASSWORD), 401),  # a Cyrillic a
        (b"user=chakan&user=guanli&password=" + GATE_PASSWORD.encode(), 303),  # the first field counts
        (b"&".join([b"a=1"] * 20) + b"&user=chakan&password=" + GATE_PASSWORD.encode(), 400),  # many fields
        (b"user&password", 401),
        (b"%%%%", 401),
    ],
    ids=lambda v: repr(v)[:30] if isinstance(v, bytes) else str(v),
)
def test_hostile_form_fields_are_refused_quietly_and_the_tables_stay(signin_server, body, status):
    base, store = signin_server
    users_before, events_before = {u.name for u in store.users()}, len(store.events())
    reply = _post(base, body, FORM)
    assert reply[0] == status, reply[2][:300]
    if status == 303:  # the repeated field: chakan, never guanli
        assert store.session_user(gate.session_of(reply[1]["set-cookie"])).name == "chakan"
    else:
        assert reply[1]["set-cookie"] == []
    if status == 401:
        assert gate.GENERIC_ERROR in reply[2].decode()
        assert len(reply[2]) < 10_000  # the name is not echoed whole
        (failed,) = store.events()[events_before:]  # each failure is audited, its name cut short
        assert failed.action == "sign_in_failed" and len(failed.target) <= 40 and "\x00" not in failed.target
    assert {u.name for u in store.users()} == users_before
    _healthy_after(base, reply)


def test_a_ten_thousand_character_user_name_is_413_not_stored(signin_server):
    base, store = signin_server
    before = len(store.events())
    reply = _post(base, _form(user="u" * 10_000, password="x"), FORM)
    assert reply[0] == 413 and len(store.events()) == before
    _healthy_after(base, reply)


def test_a_cross_site_form_is_403_even_with_the_right_password(signin_server):
    base, store = signin_server
    body = _form(user="chakan", password=GATE_PASSWORD)
    for origin in ("http://evil.example", "null", f"http://{base}.evil.example", "https://" + base + "@evil"):
        reply = _post(base, body, {**FORM, "Origin": origin})
        assert reply[0] == 403 and reply[1]["set-cookie"] == [], origin
    ok = _post(base, body, {**FORM, "Origin": f"http://{base}"})
    assert ok[0] == 303  # the same site still signs in
    _healthy_after(base, ok)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_on_signin_are_405(signin_server, method):
    base, _ = signin_server
    reply = gate.request(base, method, "/signin", _form(user="chakan", password=GATE_PASSWORD), FORM)
    assert reply[0] == 405 and reply[1]["set-cookie"] == [] and "POST" in reply[1]["allow"]
    _healthy_after(base, reply)


def test_head_on_signin_is_the_page_without_a_body(signin_server):
    base, _ = signin_server
    status, headers, body = gate.request(base, "HEAD", "/signin")
    assert status == 200 and body == b"" and headers["set-cookie"] == []


@pytest.mark.parametrize(
    "cookie",
    [
        "a" * 100_000,  # 100 KB
        "令牌" * 10,  # not ASCII
        "x" * 200,
        "00000000000000000000000000000000000000000000",  # forged
        "'; DROP TABLE sessions; --",
        "%00",
    ],
    ids=lambda c: repr(c)[:20],
)
def test_hostile_cookies_are_no_session(signin_server, cookie):
    base, store = signin_server
    try:
        reply = gate.request(base, "GET", "/", headers={"Cookie": f"zkq_session={cookie}".encode()})
    except http.client.HTTPException:  # a header too large may close the connection unanswered
        reply = (431, {"location": "", "set-cookie": []}, b"")
    assert reply[0] in (303, 400, 431) and reply[1]["set-cookie"] == []
    if reply[0] == 303:
        assert reply[1]["location"] == "/signin"
    _healthy_after(base, reply)


def test_an_old_session_after_sign_out_is_no_session(signin_server):
    base, store = signin_server
    token = gate.session_of(gate.sign_in(base, "chakan", GATE_PASSWORD)[1]["set-cookie"])
    assert gate.request(base, "GET", "/", cookie=token)[0] == 200
    gate.request(base, "GET", "/signout", cookie=token)
    reply = gate.request(base, "GET", "/", cookie=token)
    assert (reply[0], reply[1]["location"]) == (303, "/signin")
    _healthy_after(base, reply)


def test_five_wrong_passwords_lock_the_account_and_each_is_audited(signin_server):
    base, store = signin_server
    store.add_user(SYSTEM, "suoding", "viewer", password=GATE_PASSWORD)
    before = len(store.events())
    for n in range(5):
        reply = gate.sign_in(base, "suoding", f"wrong-password-{n}")
        assert reply[0] == 401 and reply[1]["set-cookie"] == []
    reply = gate.sign_in(base, "suoding", GATE_PASSWORD)  # the 6th, right, and still refused
    assert reply[0] == 401 and reply[1]["set-cookie"] == [] and gate.GENERIC_ERROR in reply[2].decode()
    events = store.events()[before:]
    assert [e.action for e in events] == ["sign_in_failed"] * 5 + ["sign_in_refused"]
    assert all(e.target == "suoding" for e in events) and events[-1].detail["why"] == "locked"
    _healthy_after(base, reply)
