"""The app on the PostGIS workspace ($ZKQ_DATABASE_URL): the real server (``streamlit run
app/server.py``) answers a big layer's map tiles made by the database (gzip MVT, ETag, 304, 204,
404 for a user who may not see the layer), and the map page draws that layer from those tiles
without building any tile files on disk."""

from __future__ import annotations

import gzip
import http.client
import json
import math
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from procs import stop_process
from streamlit.testing.v1 import AppTest
from tiledecode import decode_tile

from zkq_geo.analysis.selection import Selection
from zkq_geo.bench import make_parcels
from zkq_geo.office.backends import open_office
from zkq_geo.office.postgis import TILE_CACHE_DIR, PostgisWorkspace
from zkq_geo.render import tiles

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER = REPO_ROOT / "app" / "server.py"
APP = str(REPO_ROOT / "app" / "streamlit_app.py")
OWN_WORKSPACE = True  # the tests here build their own office (tests/app/conftest.py)
N = 2500  # above the tile threshold


@pytest.fixture(scope="module")
def database(pg_cluster):
    import pgdb

    url = pgdb.new_database(pg_cluster)
    yield url
    pgdb.drop_database(url)


@pytest.fixture(scope="module")
def office(database, tmp_path_factory, office_password):
    """A PostGIS office: editor "bianji" owns the private layer "parcels" (N parcels), viewer
    "chakan" may not see it."""
    root = tmp_path_factory.mktemp("ws")
    workspace, store = open_office(root, database)
    assert isinstance(workspace, PostgisWorkspace)
    store.add_user("system", "bianji", "editor", password=office_password)
    store.add_user("system", "chakan", "viewer", password=office_password)
    workspace.save_layer("parcels", make_parcels(N), title="宗地")
    store.claim_layer("parcels", "bianji", None, "private")
    return root, workspace, store


@pytest.fixture(scope="module")
def server(office, database, tmp_path_factory):
    root = office[0]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "streamlit", "run", str(SERVER), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    env = {**os.environ, "ZKQ_WORKSPACE": str(root), "ZKQ_DATABASE_URL": database}
    log = tmp_path_factory.mktemp("log") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    base = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while _status(base, "/_stcore/health") != 200:
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_process(proc)
            pytest.fail(log.read_text(errors="replace"))
        time.sleep(0.2)
    yield base
    stop_process(proc)


def _request(base: str, path: str, headers=None, body: bytes | None = None, method: str = "GET"):
    host, port = base.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        got = {k.lower(): v for k, v in response.getheaders()}
        got["set-cookie"] = response.msg.get_all("Set-Cookie") or []
        return response.status, got, response.read()
    finally:
        conn.close()


def _status(base: str, path: str) -> int | None:
    try:
        return _request(base, path)[0]
    except OSError:
        return None


def _session(base: str, user: str, password: str) -> dict[str, str]:
    """The Cookie header of ``user`` signed in through the server's own form."""
    body = urlencode({"user": user, "password": password}).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    _, headers, _ = _request(base, "/signin", form, body, "POST")
    (cookie,) = [c for c in headers["set-cookie"] if c.startswith("zkq_session=")]
    return {"Cookie": cookie.split(";", 1)[0]}


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The web-mercator tile z/x/y holding the point ``lon``, ``lat`` (degrees)."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def test_the_server_answers_database_tiles_to_users_who_may_see_the_layer(server, office, office_password):
    root, workspace, _ = office
    first = make_parcels(N).geometry.iloc[0].representative_point()
    z, x, y = _tile_of(first.x, first.y, 14)
    url = f"/tiles/parcels/1/{z}/{x}/{y}.pbf"
    owner = _session(server, "bianji", office_password)
    status, headers, body = _request(server, url, owner)
    assert status == 200, body
    assert headers["content-type"] == tiles.TILE_MEDIA_TYPE and headers["content-encoding"] == "gzip"
    features = decode_tile(gzip.decompress(body), z, x, y)["features"]
    assert 0 in {f["properties"]["fid"] for f in features}  # the first parcel, by its row number
    named = {f["properties"].get("name") for f in features}
    assert make_parcels(N)["name"].iat[0] in named
    again = _request(server, url, {**owner, "If-None-Match": headers["etag"]})
    assert again[0] == 304 and again[2] == b""
    assert _request(server, "/tiles/parcels/1/8/0/0.pbf", owner)[0] == 204  # far from the parcels
    assert _request(server, f"/tiles/parcels/2/{z}/{x}/{y}.pbf", owner)[0] == 404  # no version 2
    viewer = _session(server, "chakan", office_password)
    status, _, body = _request(server, url, viewer)
    assert status == 404 and body.decode() == tiles.tile_not_found()
    assert not (root / TILE_CACHE_DIR).exists()  # nothing was built on disk


def test_the_map_page_draws_a_big_postgis_layer_from_database_tiles(
    office, database, monkeypatch, fresh_caches, request
):
    root, _, _ = office
    monkeypatch.setenv("ZKQ_WORKSPACE", str(root))
    monkeypatch.setenv("ZKQ_DATABASE_URL", database)
    monkeypatch.delenv("ZKQ_TILE_THRESHOLD", raising=False)
    request.getfixturevalue("test_office").sign_in_app("bianji")  # the office of the env just set
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [w.value for w in at.warning if "宗地" in w.value]
    import data  # the app's data module, as the page used it

    assert data.is_tiled("parcels")
    payload = data.map_payload(Selection(), ("parcels",), "none", "industry", "zh", False, None)
    cfg = json.loads(re.search(r"var cfg = (\{.*?\});\n", payload["script"]).group(1))
    assert cfg["url"] == "/tiles/parcels/1/{z}/{x}/{y}.pbf" and cfg["selected"] is None
    assert make_parcels(N)["name"].iat[7] not in payload["script"]  # no geometry, no attributes inline
    assert not (root / TILE_CACHE_DIR).exists()  # no tippecanoe build for the database workspace


@pytest.fixture(scope="module")
def client(office, database, office_password):
    """``client(url, **headers) -> (status, headers, body)``: the routes app/server.py adds, as an
    ASGI app on the PostGIS office, as the owner of "parcels"."""
    import importlib.util

    from starlette.applications import Starlette
    from streamlit import config

    before = config._main_script_path
    spec = importlib.util.spec_from_file_location("zkq_app_server_pg", SERVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = Starlette(routes=module.ROUTES)
    token = office[2].sign_in("bianji", office_password)[1]

    def get(url: str, **headers):
        with pytest.MonkeyPatch.context() as mp:  # at the call: tests/conftest.py sets it per test
            mp.setenv("ZKQ_WORKSPACE", str(office[0]))
            mp.setenv("ZKQ_DATABASE_URL", database)
            return _asgi_get(app, url, {"cookie": f"zkq_session={token}", **headers})

    yield get
    config._main_script_path = before


def _asgi_get(app, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    import asyncio
    from urllib.parse import unquote

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(url),
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8501),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


@pytest.mark.parametrize(
    "url",
    [
        "/tiles/nope/1/12/0/0.pbf",  # no such layer
        "/tiles/parks/1/12/0/0.pbf",  # a shipped layer: not from the workspace
        "/tiles/parcels/3/12/0/0.pbf",  # no such version
        "/tiles/Parcels/1/12/0/0.pbf",  # uppercase
        "/tiles/%2E%2E/1/12/0/0.pbf",  # ".."
        "/tiles/parcels%2F..%2Fparcels/1/12/0/0.pbf",  # a percent-encoded slash
        "/tiles/parcels/1/7/0/0.pbf",  # below the pyramid's zooms
        "/tiles/parcels/1/17/0/0.pbf",  # above
        "/tiles/parcels/1/99999999999999999999/0/0.pbf",
        "/tiles/parcels/1/12/4096/0.pbf",  # x, y from 0 to 2**z - 1
        "/tiles/parcels/1/12/-1/0.pbf",
        "/tiles/parcels/v1/12/0/0.pbf",  # not integers
        "/tiles/parcels/1/12/0/0.mvt",
        "/tiles/parcels/",
    ],
)
def test_anything_else_is_404_naming_no_path_on_postgis_too(client, database, url):
    status, headers, body = client(url)
    assert (status, headers["cache-control"]) == (404, "no-store")
    text = body.decode("utf-8")
    assert text == tiles.tile_not_found() and "postgres" not in text and "/" not in text


def test_the_route_sends_the_database_tile_as_made(client, office):
    _, workspace, _ = office
    first = make_parcels(N).geometry.iloc[0].representative_point()
    z, x, y = _tile_of(first.x, first.y, 12)
    status, headers, body = client(f"/tiles/parcels/1/{z}/{x}/{y}.pbf")
    assert status == 200 and headers["content-length"] == str(len(body))
    assert gzip.decompress(body) == workspace.mvt_tile("parcels", 1, z, x, y, tiles.TILE_PROPERTIES)
