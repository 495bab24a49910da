"""The tile route of app/server.py: a tile of an imported layer version with its headers and its
exact bytes, 204 for an empty tile of the pyramid, 404 (naming no path) for everything else; and
the real server (``streamlit run app/server.py``) answering a tile, the app and its static files
on one port.

The route is driven through a Starlette app holding only the routes server.py adds, called as an
ASGI app by :func:`_call` (Starlette's TestClient needs httpx, which the pinned environment
does not install).

folder_workspace: every test here compares the route's answer with tippecanoe's tile files in
the workspace folder (byte for byte, an unfinished tile set, the folder's index), so the module
is left out of the PostGIS pass; test_app_postgis.py tests the route on database tiles.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote

import pytest
from procs import stop_process
from starlette.applications import Starlette
from tiledecode import decode_tile

from zkq_geo.bench import make_parcels
from zkq_geo.office.store import office_store
from zkq_geo.render import tiles
from zkq_geo.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER = REPO_ROOT / "app" / "server.py"
OWN_WORKSPACE = True  # the servers here read the module's workspace (tests/app/conftest.py)
pytestmark = pytest.mark.folder_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    """Layer "parcels": version 1 with its tiles, version 2 whose tile set was never finished."""
    ws = Workspace(tmp_path_factory.mktemp("ws"))
    gdf = make_parcels(300)
    ws.save_layer("parcels", gdf)
    ws.save_layer("parcels", gdf)
    first, second = ws.versions("parcels")
    tiles.build_tiles(gdf, ws.tiles_dir(first))
    tiles.build_tiles(gdf, ws.tiles_dir(second))
    (ws.tiles_dir(second) / tiles.TILESET_FILE).unlink()  # as a stopped build leaves it
    return ws


@pytest.fixture(scope="module")
def server_module():
    """app/server.py, imported; Streamlit's process-wide script path is put back afterwards."""
    from streamlit import config

    before = config._main_script_path
    spec = importlib.util.spec_from_file_location("zkq_app_server", SERVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    config._main_script_path = before


@pytest.fixture(scope="module")
def session(workspace, office_password) -> str:
    """The session cookie of an editor of the workspace's office (the layer predates accounts:
    every signed-in user sees it)."""
    store = office_store(workspace.root)
    store.add_user("system", "bianji", "editor", password=office_password)
    return store.sign_in("bianji", office_password)[1]


@pytest.fixture(scope="module")
def client(server_module, workspace, session):
    """``client(url, **headers) -> (status, headers, body)``: a Starlette app holding only the
    routes app/server.py adds to Streamlit's, on the workspace of the ``workspace`` fixture, as a
    signed-in user (the ``session`` cookie)."""
    app = Starlette(routes=server_module.ROUTES)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZKQ_WORKSPACE", str(workspace.root))
        yield lambda url, **headers: _call(app, url, {"cookie": f"zkq_session={session}", **headers})


def test_no_session_or_a_dead_one_is_404_too(server_module, workspace, a_tile):
    app = Starlette(routes=server_module.ROUTES)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZKQ_WORKSPACE", str(workspace.root))
        assert _call(app, a_tile[0], {})[0] == 404
        assert _call(app, a_tile[0], {"cookie": "zkq_session=made-up"})[0] == 404


def _call(app, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` (as a client sends it: percent-encoded) from the ASGI ``app``; the status,
    headers and body bytes as sent (nothing un-gzipped)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(url),  # as uvicorn decodes it
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


@pytest.fixture(scope="module")
def a_tile(workspace) -> tuple[str, Path]:
    """The URL and file of a tile that was written (z12, the middle of the pyramid)."""
    folder = workspace.tiles_dir(workspace.versions("parcels")[0])
    path = min(folder.glob("12/*/*.pbf"))
    z, x, y = path.relative_to(folder).with_suffix("").parts
    return f"/tiles/parcels/1/{z}/{x}/{y}.pbf", path


def test_a_tile_is_its_file_byte_for_byte_with_its_headers(client, a_tile):
    url, path = a_tile
    status, headers, body = client(url)
    assert status == 200 and body == path.read_bytes()
    assert headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert headers["content-encoding"] == "gzip"
    assert headers["cache-control"] == "private, max-age=31536000, immutable"
    assert headers["content-length"] == str(len(body))
    etag = headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    z, x, y = (int(v) for v in url.removesuffix(".pbf").split("/")[-3:])
    features = decode_tile(body, z, x, y)[tiles.TILE_LAYER]
    assert features and all(0 <= f["properties"]["fid"] < 300 for f in features)  # row numbers of the layer
    assert client(url)[1]["etag"] == etag  # the same tile, the same tag
    status, headers, body = client(url, **{"if-none-match": etag})
    assert (status, body, headers["etag"]) == (304, b"", etag)


def test_the_url_template_is_the_route(client, a_tile):
    url, _ = a_tile
    z, x, y = url.removesuffix(".pbf").split("/")[-3:]
    assert tiles.tile_url("parcels", 1).format(z=z, x=x, y=y) == url
    assert client(url)[0] == 200


def test_an_empty_tile_of_the_pyramid_is_204(client, workspace):
    folder = workspace.tiles_dir(workspace.versions("parcels")[0])
    assert not (folder / "10" / "0" / "0.pbf").exists()  # far from the parcels: tippecanoe wrote none
    status, headers, body = client("/tiles/parcels/1/10/0/0.pbf")
    assert (status, body, headers["cache-control"]) == (204, b"", tiles.TILE_CACHE_CONTROL)


@pytest.mark.parametrize(
    "url",
    [
        "/tiles/nope/1/12/0/0.pbf",  # no such layer
        "/tiles/parks/1/12/0/0.pbf",  # a shipped layer: not from the workspace
        "/tiles/parcels/3/12/0/0.pbf",  # no such version
        "/tiles/parcels/2/12/0/0.pbf",  # tile set not finished (no tileset.json)
        "/tiles/Parcels/1/12/0/0.pbf",  # uppercase
        "/tiles/par..cels/1/12/0/0.pbf",
        "/tiles/%2E%2E/1/12/0/0.pbf",  # ".."
        "/tiles/parcels%2F..%2Fparcels/1/12/0/0.pbf",  # a percent-encoded slash
        "/tiles/parcels%2Fv1/1/12/0/0.pbf",
        "/tiles/parcels/1/7/0/0.pbf",  # below the tile set's zooms
        "/tiles/parcels/1/17/0/0.pbf",  # above
        "/tiles/parcels/1/99999999999999999999/0/0.pbf",
        "/tiles/parcels/1/12/4096/0.pbf",  # x, y from 0 to 2**z - 1
        "/tiles/parcels/1/12/0/4096.pbf",
        "/tiles/parcels/1/12/-1/0.pbf",
        "/tiles/parcels/v1/12/0/0.pbf",  # not integers
        "/tiles/parcels/1/12/0/0.5.pbf",
        "/tiles/parcels/1/12/0/0x1.pbf",
        "/tiles/parcels/1/12/0/0.mvt",
        "/tiles/parcels/1/12/0/0.pbf/x",
        "/tiles/parcels/1/tileset.json",
        "/tiles/parcels/",
    ],
)
def test_anything_else_is_404_naming_no_path(client, workspace, url):
    status, headers, body = client(url)
    assert (status, headers["cache-control"]) == (404, "no-store")
    text = body.decode("utf-8")
    assert text == tiles.tile_not_found() and "没有这个地图瓦片" in text
    assert str(workspace.root) not in text and "/" not in text


def test_an_unreadable_index_is_404_too(workspace, a_tile):
    broken = Workspace(workspace.root.parent / "broken")
    broken.root.mkdir()
    (broken.root / "index.json").write_text("{not json", encoding="utf-8")
    assert tiles.tile_reply(broken, "parcels", 1, 12, 0, 0).status == 404


# ----------------------------------------------------------------------------- the real server
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict, bytes]:
    """Status, headers and body as sent (urllib does not un-gzip)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def live_server(workspace, tmp_path_factory):
    """``streamlit run app/server.py`` on a free localhost port, as scripts/run.sh starts it."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    command = [sys.executable, "-m", "streamlit", "run", str(SERVER), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    env = {**os.environ, "ZKQ_WORKSPACE": str(workspace.root)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _health(base) != 200:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        yield base
    finally:
        stop_process(proc)


def _health(base: str) -> int | None:
    try:
        return _get(f"{base}/_stcore/health")[0]
    except OSError:
        return None


def test_the_real_server_serves_tiles_the_app_and_its_static_files_on_one_port(live_server, a_tile, session):
    url, path = a_tile
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", f"zkq_session={session}")]
    urllib.request.install_opener(opener)
    status, headers, body = _get(live_server + url)
    assert status == 200 and body == path.read_bytes()  # Streamlit's gzip layer leaves it as it is
    assert headers["content-type"] == tiles.TILE_MEDIA_TYPE and headers["content-encoding"] == "gzip"
    assert headers["cache-control"] == tiles.TILE_CACHE_CONTROL
    assert _get(live_server + "/tiles/parcels/1/10/0/0.pbf")[0] == 204
    # under /tiles/ nothing falls through to Streamlit's page (which answers 200 to any path)
    assert _get(live_server + "/tiles/parcels%2F1/1/12/0/0.pbf")[0] == 404
    status, headers, body = _get(live_server + "/")
    assert status == 200 and b"<!doctype html>" in body.lower()
    status, headers, body = _get(live_server + "/app/static/vendor/manifest.json")
    assert status == 200 and b'"files"' in body
    urllib.request.install_opener(None)
