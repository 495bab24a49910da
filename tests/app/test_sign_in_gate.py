"""The sign-in gate of the real server (``streamlit run app/server.py``): without a session nothing
of the app answers (pages, static files, uploads, media, tiles, the websocket); the form signs in
(a cookie) and out; wrong passwords are refused and audited; the form's body is capped; the
trusted proxy's user header counts only when configured and only from the trusted TCP peer (not
from an X-Forwarded-For header that uvicorn would believe)."""

from __future__ import annotations

import base64
import http.client
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from procs import stop_process

from zkq_geo.bench import make_parcels
from zkq_geo.office.backends import open_office
from zkq_geo.render import tiles
from zkq_geo.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER = REPO_ROOT / "app" / "server.py"
OWN_WORKSPACE = True  # the servers here read the module's workspace (tests/app/conftest.py)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GENERIC_ERROR = "用户名或密码错误，或账户已锁定"
OFFICE_PASSWORD = "Lotus-Pond-2026"  # tests/conftest.py makes every account with it


@pytest.fixture(scope="module")
def office(tmp_path_factory, office_password, module_database_url):
    """A workspace with an admin, an editor owning a private tiled layer "parcels", and a viewer
    (in the PostGIS pass: layers and office in the module's database, tiles made by it)."""
    assert office_password == OFFICE_PASSWORD
    ws, store = open_office(tmp_path_factory.mktemp("ws"), module_database_url)
    store.add_user("system", "guanli", "admin", password=OFFICE_PASSWORD, display_name="管理员")
    store.add_user("system", "bianji", "editor", password=OFFICE_PASSWORD)
    store.add_user("system", "chakan", "viewer", password=OFFICE_PASSWORD)
    store.add_user("system", "daili", "viewer")  # no password: only through the trusted proxy
    gdf = make_parcels(300)
    ws.save_layer("parcels", gdf)
    if isinstance(ws, Workspace):
        tiles.build_tiles(gdf, ws.tiles_dir(ws.versions("parcels")[0]))
    store.claim_layer("parcels", "bianji", None, "private")
    return ws, store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(ws, log: Path, **env) -> tuple[subprocess.Popen, str]:
    """The server of workspace ``ws`` (a folder, or PostGIS with its database URL)."""
    root = ws.root
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(SERVER), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ZKQ_PROXY", "ZKQ_TRUSTED"))}
    environ.pop("FORWARDED_ALLOW_IPS", None)  # uvicorn's default: it believes X-Forwarded-For from localhost
    environ.pop("ZKQ_DATABASE_URL", None)
    environ.update({"ZKQ_WORKSPACE": str(root), **env})
    if not isinstance(ws, Workspace):
        environ["ZKQ_DATABASE_URL"] = ws.url
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=environ, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    base = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while _health(base) != 200:
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_process(proc)
            pytest.fail(log.read_text(errors="replace"))
        time.sleep(0.2)
    return proc, base


@pytest.fixture(scope="module")
def server(office, tmp_path_factory):
    """The server of ``office``, the proxy header configured for a proxy that is not this host."""
    ws, _ = office
    proc, base = start_server(
        ws,
        tmp_path_factory.mktemp("log") / "server.log",
        ZKQ_PROXY_USER_HEADER="X-Remote-User",
        ZKQ_TRUSTED_PROXIES="10.11.12.13",
    )
    yield base
    stop_process(proc)


def _health(base: str) -> int | None:
    try:
        return request(base, "GET", "/_stcore/health")[0]
    except OSError:
        return None


def request(base, method, path, body: bytes | None = None, headers=None, cookie=None):
    """``(status, headers (lower-case names; Set-Cookie as a list), body)``; redirects not followed."""
    host, port = base.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = dict(headers or {})
    if cookie:
        headers["Cookie"] = f"zkq_session={cookie}"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        got = {k.lower(): v for k, v in response.getheaders()}
        got["set-cookie"] = response.msg.get_all("Set-Cookie") or []
        return response.status, got, response.read()
    finally:
        conn.close()


def sign_in(base, user, password, **headers):
    body = urlencode({"user": user, "password": password}).encode()
    return request(base, "POST", "/signin", body, {**FORM, **headers})


def session_of(set_cookies: list[str]) -> str:
    (cookie,) = [c for c in set_cookies if c.startswith("zkq_session=")]
    return cookie.split(";", 1)[0].split("=", 1)[1]


def websocket_status(base, cookie=None, **headers) -> int:
    """The status line of a websocket handshake with /_stcore/stream (101: opened)."""
    host, port = base.split(":")
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /_stcore/stream HTTP/1.1",
        f"Host: {base}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: streamlit",
        f"Origin: http://{base}",
    ]
    lines += [f"Cookie: zkq_session={cookie}"] if cookie else []
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        first = sock.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(first.split()[1])


def a_tile(office) -> str:
    """The z12 tile holding the first parcel."""
    point = make_parcels(300).geometry.iloc[0].representative_point()
    n = 2**12
    x = int((point.x + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(point.y))) / math.pi) / 2 * n)
    return f"/tiles/parcels/1/12/{x}/{y}.pbf"


def events(store, action):
    return [e for e in store.events() if e.action == action]


# ----------------------------------------------------------------------------- without a session
@pytest.mark.parametrize(
    "path", ["/", "/map", "/import", "/admin", "/app/static/vendor/manifest.json", "/favicon.ico", "/x?y=1"]
)
def test_every_page_without_a_session_is_the_sign_in_page(server, path):
    status, headers, body = request(server, "GET", path)
    assert (status, headers["location"]) == (303, "/signin")
    assert b"<!doctype" not in body.lower() and b"manifest" not in body
    status, headers, body = request(server, "GET", headers["location"])
    text = body.decode()
    assert status == 200 and 'id="user"' in text and 'id="password"' in text and 'id="signin"' in text
    assert (
        "用户名" in text
        and "密码" in text
        and "<script" not in text
        and "http" not in text.replace('href="/signin?lang=en"', "")
    )


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/tiles/parcels/1/12/0/0.pbf"),
        ("GET", "/_stcore/host-config"),
        ("GET", "/media/abc.png"),
        ("PUT", "/_stcore/upload_file/session/file"),
        ("POST", "/_stcore/upload_file/session/file"),
        ("DELETE", "/_stcore/upload_file/session/file"),
        ("POST", "/"),
    ],
)
def test_data_uploads_and_tiles_without_a_session_are_401(server, office, method, path):
    status, headers, body = request(server, method, path, body=b"x" * 10)
    assert status == 401 and "set-cookie" in headers and headers["set-cookie"] == []
    assert body.decode() == "请先登录：/signin"
    assert request(server, "GET", a_tile(office))[0] == 401


def test_the_websocket_is_refused_without_a_live_session(server):
    assert websocket_status(server) == 403
    assert websocket_status(server, cookie="made-up") == 403
    _, headers, _ = sign_in(server, "chakan", OFFICE_PASSWORD)
    assert websocket_status(server, cookie=session_of(headers["set-cookie"])) == 101


def test_health_is_open_and_english_on_request(server):
    assert request(server, "GET", "/_stcore/health")[0] == 200
    status, _, body = request(server, "GET", "/signin?lang=en")
    assert status == 200 and 'id="signin"' in body.decode() and "Sign in" in body.decode()


# ----------------------------------------------------------------------------- signing in and out
def test_a_wrong_password_is_refused_slowly_with_the_generic_message_and_audited(server, office):
    _, store = office
    before = len(events(store, "sign_in_failed"))
    for user in ("chakan", "nobody"):
        status, headers, body = sign_in(server, user, "wrong-password-1")
        assert status == 401 and headers["set-cookie"] == []
        assert GENERIC_ERROR in body.decode() and 'id="signin"' in body.decode()
    failed = events(store, "sign_in_failed")[before:]
    assert [(e.actor, e.target) for e in failed] == [("chakan", "chakan"), ("-", "nobody")]
    assert all(e.detail["from"] == "127.0.0.1" for e in failed)
    status, _, body = sign_in(server, "chakan", "wrong", **{"Host": "x"}, Origin="http://evil.example")
    assert status == 403  # a form posted from another site


def test_a_locked_account_is_refused_with_the_same_message_and_audited(server, office):
    _, store = office
    store.add_user("system", "suoding", "viewer", password=OFFICE_PASSWORD)
    for _ in range(5):
        assert sign_in(server, "suoding", "not-the-password")[0] == 401
    status, headers, body = sign_in(server, "suoding", OFFICE_PASSWORD)  # right, but locked
    assert status == 401 and headers["set-cookie"] == [] and GENERIC_ERROR in body.decode()
    refused = events(store, "sign_in_refused")
    assert refused[-1].target == "suoding" and refused[-1].detail["why"] == "locked"


def test_a_good_password_gives_the_cookie_and_the_app_then_sign_out_ends_it(server, office):
    _, store = office
    status, headers, _ = sign_in(server, "bianji", OFFICE_PASSWORD)
    assert (status, headers["location"]) == (303, "/")
    (cookie,) = headers["set-cookie"]
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attributes
    token = session_of(headers["set-cookie"])
    assert store.session_user(token).name == "bianji" and events(store, "sign_in")[-1].actor == "bianji"
    status, _, body = request(server, "GET", "/", cookie=token)
    assert status == 200 and b"<!doctype html>" in body.lower()
    assert request(server, "GET", "/app/static/vendor/manifest.json", cookie=token)[0] == 200
    assert request(server, "GET", "/signin", cookie=token)[0] == 200
    status, headers, _ = request(server, "GET", "/signout", cookie=token)
    assert (status, headers["location"]) == (303, "/signin")
    assert any(c.startswith('zkq_session="";') or "max-age=0" in c.lower() for c in headers["set-cookie"])
    assert store.session_user(token) is None and events(store, "sign_out")[-1].actor == "bianji"
    assert request(server, "GET", "/", cookie=token)[0] == 303
    assert websocket_status(server, cookie=token) == 403


def test_tiles_answer_only_users_who_may_see_the_layer(server, office):
    url = a_tile(office)
    owner = session_of(sign_in(server, "bianji", OFFICE_PASSWORD)[1]["set-cookie"])
    viewer = session_of(sign_in(server, "chakan", OFFICE_PASSWORD)[1]["set-cookie"])
    admin = session_of(sign_in(server, "guanli", OFFICE_PASSWORD)[1]["set-cookie"])
    assert request(server, "GET", url, cookie=owner)[0] == 200
    assert request(server, "GET", url, cookie=admin)[0] == 200
    status, _, body = request(server, "GET", url, cookie=viewer)
    assert status == 404 and body.decode() == tiles.tile_not_found()  # as for a layer that is not there


@pytest.mark.parametrize(
    "body, headers, status",
    [
        (b"user=a&password=" + b"x" * 5000, FORM, 413),
        (b"user=a&password=b", {"Content-Type": "application/json"}, 415),
        (b"user=a&password=b", {"Content-Type": "multipart/form-data; boundary=x"}, 415),
        (b"user=a&password=\xff\xfe", FORM, 400),
    ],
)
def test_only_small_url_encoded_forms_are_read(server, body, headers, status):
    got, response_headers, _ = request(server, "POST", "/signin", body, headers)
    assert got == status and response_headers["set-cookie"] == []


# ----------------------------------------------------------------------------- the trusted proxy
def test_the_proxy_header_from_an_untrusted_peer_is_ignored(server, office):
    """The trusted proxy is 10.11.12.13; this host is not it, and saying so in X-Forwarded-For
    (which uvicorn believes from localhost) changes nothing."""
    for headers in (
        {"X-Remote-User": "guanli"},
        {"X-Remote-User": "guanli", "X-Forwarded-For": "10.11.12.13"},
    ):
        status, got, _ = request(server, "GET", "/", headers=headers)
        assert (status, got["location"], got["set-cookie"]) == (303, "/signin", [])
        assert websocket_status(server, X_Remote_User="guanli", X_Forwarded_For="10.11.12.13") == 403


@pytest.fixture(scope="module")
def proxied(office, tmp_path_factory):
    """The server of ``office`` behind a proxy on this host (127.0.0.1 trusted)."""
    ws, _ = office
    proc, base = start_server(
        ws,
        tmp_path_factory.mktemp("log") / "proxied.log",
        ZKQ_PROXY_USER_HEADER="X-Remote-User",
        ZKQ_TRUSTED_PROXIES="192.0.2.0/24, 127.0.0.1",
    )
    yield base
    stop_process(proc)


def test_the_trusted_proxy_signs_in_the_user_it_names(proxied, office):
    _, store = office
    # the proxy says which client it serves in X-Forwarded-For; the peer is still the proxy
    headers = {"X-Remote-User": "daili", "X-Forwarded-For": "198.51.100.7"}
    status, got, _ = request(proxied, "GET", "/map?x=1", headers=headers)
    assert (status, got["location"]) == (303, "/map?x=1")
    token = session_of(got["set-cookie"])
    assert store.session_user(token).name == "daili"
    assert events(store, "sign_in")[-1].detail == {"from": "proxy 127.0.0.1", "how": "proxy"}
    status, got, body = request(proxied, "GET", "/map?x=1", headers=headers, cookie=token)
    assert status == 200 and got["set-cookie"] == [] and b"<!doctype html>" in body.lower()
    assert websocket_status(proxied, cookie=token, X_Remote_User="daili") == 101
    # another name from the proxy: that user, a new session
    status, got, _ = request(proxied, "GET", "/", headers={"X-Remote-User": "chakan"}, cookie=token)
    assert status == 303 and store.session_user(session_of(got["set-cookie"])).name == "chakan"


def test_the_trusted_proxy_cannot_name_an_unknown_or_disabled_user(proxied, office):
    _, store = office
    store.add_user("system", "tingyong", "viewer")
    store.set_disabled("system", "tingyong", True)
    for name in ("nobody", "tingyong", "Bad Name"):
        status, got, _ = request(proxied, "GET", "/", headers={"X-Remote-User": name})
        assert (status, got["location"], got["set-cookie"]) == (303, "/signin", [])
    assert events(store, "sign_in_failed")[-1].detail == {"from": "proxy 127.0.0.1", "how": "proxy"}


def test_without_the_header_setting_the_header_is_ignored(office, tmp_path_factory):
    ws, _ = office
    proc, base = start_server(
        ws, tmp_path_factory.mktemp("log") / "plain.log", ZKQ_TRUSTED_PROXIES="127.0.0.1"
    )
    try:
        status, got, _ = request(base, "GET", "/", headers={"X-Remote-User": "guanli"})
        assert (status, got["location"], got["set-cookie"]) == (303, "/signin", [])
    finally:
        stop_process(proc)
