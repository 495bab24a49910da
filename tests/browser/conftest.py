"""Fixtures of the browser tests (Chromium via Playwright); only this folder has them.

Browser tests drive Debian's Chromium (``/usr/bin/chromium``, or ``$ZKQ_CHROMIUM``) through
Playwright's sync API; Playwright never downloads a browser of its own. If Chromium or
Playwright is missing they are skipped, unless ``ZKQ_REQUIRE_BROWSER=1`` (scripts/test.sh and
so CI set it): then they fail. Any test using the ``browser`` fixture (directly or through
``page``) is marked ``browser`` automatically, so ``pytest -m "not browser"`` leaves them out.

The app (app/streamlit_app.py, served through app/server.py) sits behind its sign-in gate:
``served_app`` makes an admin account in the office of the server's workspace (a fresh one when
the test names none) and signs every open ``page`` in through the /signin form, so the test's
``page.goto(base)`` lands on the app.

A browser test against a Streamlit script::

    @pytest.mark.browser
    def test_map_offline(served_app, page, network, map_frame, save_screenshot):
        page.goto(served_app("app/streamlit_app.py"))
        frame = map_frame(page)                      # the streamlit-folium iframe, map drawn
        assert frame.locator(".leaflet-interactive").count() > 0
        save_screenshot(page, "map_offline")         # test-artifacts/map_offline.png
        assert network.blocked == []                 # nothing tried to leave localhost
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from procs import stop_process

from zkq_geo.render.assets import is_remote_url

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ST_FOLIUM_IFRAME = 'iframe[src*="/component/streamlit_folium.st_folium/"]'
APP_SCRIPT = REPO_ROOT / "app" / "streamlit_app.py"
APP_SERVER = REPO_ROOT / "app" / "server.py"  # the app as scripts/run.sh starts it (tile route)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    """Skip, or fail when ZKQ_REQUIRE_BROWSER=1 (a missing component is then an error)."""
    if os.environ.get("ZKQ_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (ZKQ_REQUIRE_BROWSER=1, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium; skips (or fails, see module doc) when it is missing."""
    path = os.environ.get("ZKQ_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        _unavailable(
            f"Chromium not found at {path}; install it with `apt-get install chromium` "
            "(bash scripts/test.sh does)"
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    """One headless Chromium for the whole session (Playwright sync API)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed; run `bash scripts/setup.sh`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class NetworkLog:
    """What a page asked for: every URL, the non-localhost ones blocked, HTTP errors."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    http_errors: list[tuple[int, str]] = field(default_factory=list)


@pytest.fixture
def network() -> NetworkLog:
    """The :class:`NetworkLog` of the ``page`` fixture; assert ``network.blocked == []``."""
    return NetworkLog()


@pytest.fixture
def open_pages() -> list:
    """The pages the ``page`` fixture opened (``served_app`` signs them in to the app)."""
    return []


@pytest.fixture
def page(browser, network: NetworkLog, open_pages: list):
    """A fresh page whose requests to hosts other than localhost are recorded and aborted.

    Covers every frame (Streamlit components are iframes) and WebSockets.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

    def route_request(route) -> None:
        url = route.request.url
        network.requests.append(url)
        if is_remote_url(url):
            network.blocked.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def block_websocket(ws) -> None:
        network.requests.append(ws.url)
        network.blocked.append(ws.url)
        ws.close()

    def record_response(response) -> None:
        if response.status >= 400:
            network.http_errors.append((response.status, response.url))

    context.route("**/*", route_request)
    context.route_web_socket(is_remote_url, block_websocket)
    context.on("response", record_response)
    new_page = context.new_page()
    new_page.set_default_timeout(30_000)
    open_pages.append(new_page)
    yield new_page
    context.close()


@pytest.fixture
def save_screenshot() -> Callable[..., Path]:
    """``save_screenshot(page, name)`` writes test-artifacts/<name>.png and returns its path."""

    def save(page, name: str, *, full_page: bool = True) -> Path:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        path = ARTIFACTS_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@pytest.fixture
def map_frame() -> Callable:
    """``map_frame(page, index=0)``: the Frame of a streamlit-folium map, once Leaflet drew it."""

    def find(page, index: int = 0, timeout_ms: int = 60_000):
        iframe = page.locator(ST_FOLIUM_IFRAME).nth(index)
        iframe.wait_for(state="attached", timeout=timeout_ms)
        frame = iframe.element_handle().content_frame()
        frame.wait_for_selector(".leaflet-container", timeout=timeout_ms)
        return frame

    return find


# --- servers -------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{_tail(log)}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"streamlit did not answer {url} within {timeout:.0f} s:\n{_tail(log)}", pytrace=False)


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _stop(proc: subprocess.Popen) -> None:
    stop_process(proc)


BROWSER_USER = "ceshi"  # the admin every app server of these tests has


def _with_office(env: dict[str, str], tmp_path_factory, password: str) -> dict[str, str]:
    """``env`` with a workspace (a fresh one unless ``env`` or this process names one) whose
    office holds the admin :data:`BROWSER_USER`."""
    from zkq_geo.office.store import office_store

    root = env.get("ZKQ_WORKSPACE") or os.environ.get("ZKQ_WORKSPACE") or str(tmp_path_factory.mktemp("ws"))
    store = office_store(root)
    if store.user(BROWSER_USER) is None:
        store.add_user("system", BROWSER_USER, "admin", password=password, display_name="测试管理员")
    return {**env, "ZKQ_WORKSPACE": root}


def sign_in(page, base_url: str, password: str, user: str = BROWSER_USER) -> None:
    """Sign ``page`` in to the app at ``base_url`` through the sign-in form, as a planner does."""
    page.goto(f"{base_url}/signin")
    page.fill("input#user", user)
    page.fill("input#password", password)
    with page.expect_navigation():
        page.click("button#signin")
    assert page.url.rstrip("/") == base_url, page.url


@pytest.fixture
def served_app(tmp_path_factory, open_pages, office_password):
    """Factory: ``served_app(script, env=None, args=(), timeout=90.0) -> base URL``.

    Starts ``streamlit run <script>`` (a path relative to the repository root, or absolute) on
    a free localhost port, from the repository root, with this process's environment (so
    ZKQ_* settings pass through) plus ``env``; waits for /_stcore/health; stops it after the
    test. Static serving is on, so ``<script dir>/static/`` is at ``/app/static/``. The app's
    script (app/streamlit_app.py) is started as everywhere else: through app/server.py, the
    one server that also answers the map tiles.
    """
    started: list[subprocess.Popen] = []

    def start(
        script: str | os.PathLike,
        *,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
        timeout: float = 90.0,
    ) -> str:
        gated = _entry(script) == APP_SERVER
        if gated:
            env = _with_office(dict(env or {}), tmp_path_factory, office_password)
        port = _free_port()
        log = tmp_path_factory.mktemp("streamlit") / "server.log"
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(_entry(script)),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.enableStaticServing",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ]
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(proc)
        base_url = f"http://127.0.0.1:{port}"
        _wait_healthy(f"{base_url}/_stcore/health", proc, log, timeout)
        for open_page in open_pages if gated else ():
            sign_in(open_page, base_url, office_password)
        return base_url

    yield start
    for proc in started:
        _stop(proc)


def _entry(script: str | os.PathLike) -> Path:
    """What ``streamlit run`` is given for ``script``: app/server.py for the app's script."""
    path = (REPO_ROOT / script).resolve()
    return APP_SERVER if path == APP_SCRIPT else path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def serve_dir():
    """Factory: ``serve_dir(path) -> base URL`` of a plain HTTP server on localhost."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(directory: str | os.PathLike) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
