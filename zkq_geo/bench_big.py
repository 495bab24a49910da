"""The big-layer benchmark: a planner's 10^4-10^6-parcel layer drawn from vector tiles, side by
side with the inline-GeoJSON path, in the real app and a real browser.

    zkq-geo bench --big [--parcels 10000 100000] [--million]

For each size it generates the parcels (:func:`zkq_geo.bench.make_parcels`), writes them as a
GeoPackage in CGCS2000 / 3-degree GK (EPSG:4547), imports it with ``zkq-geo import`` into a
fresh workspace, builds the tiles (timed) and starts the app (``streamlit run app/server.py``)
twice: once as shipped (the layer is tiled) and once with the tile threshold out of reach (the
layer is inlined, today's path; its inline-map limits lifted so it is drawn). Headless Chromium
(``$ZKQ_CHROMIUM``, default /usr/bin/chromium) opens the map page at the zone's zoom and
measures, for each path:

- bytes the browser received for the first view (HTTP bodies as sent, gzip counted compressed,
  and the WebSocket frames that carry Streamlit's messages, the inline map among them), and the
  seconds from opening the page to the layer drawn;
- the same after a filter change (an industry chosen in the sidebar);
- the map frame's JavaScript heap and the server's resident memory (the process tree).

Nothing is asserted: the figures are printed (and compared in one run, so a loaded machine
slows both paths alike). Generated data lives in a temporary folder and is removed.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from zkq_geo.paths import REPO_ROOT

SERVER = REPO_ROOT / "app" / "server.py"
FRAME = 'iframe[src*="/component/streamlit_folium.st_folium/"]'
INDUSTRY_WORD = "汽车及零部件"  # the filter the benchmark chooses (industry "auto")
TARGETS_100K = {
    "first_view_s": 3.0,
    "filter_s": 1.0,
    "heap_mb": 200.0,
    "rss_mb": 700.0,
    "first_bytes_ratio": 0.05,
    "filter_bytes_ratio": 0.01,
}


@dataclass
class PathFigures:
    """What one path (tiled or inline) cost in the browser and on the server."""

    first_bytes: int = 0  # the map's own: its messages and tiles
    first_total: int = 0  # everything the page received
    first_s: float = float("nan")
    filter_bytes: int = 0
    filter_total: int = 0
    filter_s: float = float("nan")
    heap_mb: float = float("nan")
    rss_mb: float = float("nan")
    error: str = ""


@dataclass
class SizeFigures:
    parcels: int
    import_s: float = float("nan")
    tile_build_s: float = float("nan")
    tile_mb: float = float("nan")
    tiles: int = 0
    tiled: PathFigures = field(default_factory=PathFigures)
    inline: PathFigures = field(default_factory=PathFigures)


# ----------------------------------------------------------------------------- preparing data
def prepare(n: int, work: Path) -> tuple[Path, SizeFigures]:
    """Parcels as an EPSG:4547 GeoPackage imported with the CLI into ``work/ws``; tiles built."""
    from zkq_geo.bench import make_parcels
    from zkq_geo.render.tiles import ensure_tiles
    from zkq_geo.workspace import Workspace

    figures = SizeFigures(n)
    source = work / f"parcels_{n}.gpkg"
    make_parcels(n).to_crs(4547).to_file(source, driver="GPKG", engine="pyogrio")
    ws = work / "ws"
    # the benchmark's own files are trusted and big: the upload and parse limits are lifted for it
    env = app_env(ws, ZKQ_PARSE_CPU_SECONDS="3600", ZKQ_PARSE_MEMORY_MB="16000", ZKQ_MAX_UPLOAD_MB="8000")
    started = time.perf_counter()
    main = "import sys; from zkq_geo.cli.main import main; sys.exit(main())"  # what `zkq-geo` runs
    cli = [sys.executable, "-c", main, "import", str(source), "--as", "parcels", "--title", f"宗地 {n:,}"]
    done = subprocess.run(cli, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"zkq-geo import failed: {done.stderr.strip()[-400:]}")
    figures.import_s = time.perf_counter() - started
    workspace = Workspace(ws)
    latest = workspace.latest("parcels")
    gdf = workspace.read_layer("parcels")
    started = time.perf_counter()
    tileset, _ = ensure_tiles(gdf, workspace.tiles_dir(latest))
    figures.tile_build_s = time.perf_counter() - started
    figures.tile_mb = tileset.bytes / 1e6
    figures.tiles = tileset.tiles
    return ws, figures


def app_env(ws: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, ZKQ_WORKSPACE=str(ws), PYTHONPATH=str(REPO_ROOT), **extra)
    env.pop("ZKQ_TILE_THRESHOLD", None)
    return env


# ----------------------------------------------------------------------------- the app
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(SERVER), "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    proc = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the app did not start within 120 s")


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (MB), from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo += [int(c) for c in children]
    return total / 1024


# ----------------------------------------------------------------------------- the browser
class _Bytes:
    """Bytes received by a page, via CDP: all of them (HTTP as sent on the wire, WebSocket
    frames), and the map's own: the WebSocket messages that carry the map (the component's
    script) plus the tiles. The rest (the app's static files, tables, widgets) is the same on
    both paths."""

    MAP_MARKERS = (b"L.map(", b"vectorGrid")

    def __init__(self, cdp):
        self.total = self.map = 0
        self._urls: dict[str, str] = {}
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.loadingFinished", self._http)
        cdp.on("Network.webSocketFrameReceived", self._ws)

    def _request(self, event) -> None:
        self._urls[event["requestId"]] = event["request"]["url"]

    def _http(self, event) -> None:
        n = int(event.get("encodedDataLength", 0))
        self.total += n
        if "/tiles/" in self._urls.get(event["requestId"], ""):
            self.map += n

    def _ws(self, event) -> None:
        response = event.get("response", {})
        payload = response.get("payloadData", "")
        data = base64.b64decode(payload) if response.get("opcode", 1) == 2 else payload.encode()
        self.total += len(data)
        if any(marker in data for marker in self.MAP_MARKERS):
            self.map += len(data)


_DRAWN_JS = """(tiled) => {
    if (tiled) {
        var grids = window.zkqTiled || [];
        var live = grids.filter(function (g) { return g._map; });
        return live.length > 0 && live.every(function (g) { return g.zkqLoadedAt !== undefined; });
    }
    return document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane svg').length > 0;
}"""


# a filter change makes a new map (streamlit-folium starts one whenever the map's script changes):
# the old map's window is marked, and the redraw is over when the map frame is a fresh one, drawn
_REDRAWN_JS = "() => !window.zkqOld"
_MARK_OLD_JS = "() => { window.zkqOld = true; }"


def _map_frame(page, timeout_s: float):
    iframe = page.locator(FRAME).first
    iframe.wait_for(state="attached", timeout=timeout_s * 1000)
    return iframe.element_handle().content_frame()


def _wait_drawn(page, tiled: bool, timeout_s: float, redraw: bool = False) -> None:
    """Until the map frame shows the layer (tiled: every live tiled layer loaded its visible
    tiles; inline: Leaflet drew into the overlay pane) and the app's run is over."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            frame = _map_frame(page, timeout_s)
            running = page.locator("[data-testid=stStatusWidget]").count() > 0
            if not running and frame.evaluate(_DRAWN_JS, tiled):
                if not redraw or frame.evaluate(_REDRAWN_JS):
                    return
        except Exception:  # the frame is being replaced: look again
            pass
        time.sleep(0.05)
    raise TimeoutError(f"the map was not drawn within {timeout_s:.0f} s")


def measure_path(
    browser, url: str, server: subprocess.Popen, *, tiled: bool, timeout_s: float
) -> PathFigures:
    figures = PathFigures()
    warm = browser.new_context(viewport={"width": 1440, "height": 900})
    try:  # the server loads the layers on its first visit: an office server has them loaded already
        first = warm.new_page()
        first.goto(url, wait_until="domcontentloaded")
        _wait_drawn(first, tiled, timeout_s)
    except Exception as exc:
        figures.error = f"warm-up: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
        return figures
    finally:
        warm.close()
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    step = "first view"
    try:
        page = context.new_page()
        counter = _Bytes(context.new_cdp_session(page))
        started = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded")
        _wait_drawn(page, tiled, timeout_s)
        figures.first_s = time.perf_counter() - started
        figures.first_bytes, figures.first_total = counter.map, counter.total
        before, before_total = counter.map, counter.total
        step = "filter change"
        _map_frame(page, timeout_s).evaluate(_MARK_OLD_JS)
        started = time.perf_counter()
        page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.click()
        page.get_by_role("option", name=INDUSTRY_WORD).click()
        page.keyboard.press("Escape")
        time.sleep(0.3)  # the rerun starts
        _wait_drawn(page, tiled, timeout_s, redraw=True)
        figures.filter_s = time.perf_counter() - started
        figures.filter_bytes, figures.filter_total = counter.map - before, counter.total - before_total
        figures.heap_mb = _map_frame(page, timeout_s).evaluate("performance.memory.usedJSHeapSize") / 1e6
        figures.rss_mb = rss_mb(server.pid)
    except Exception as exc:  # a path that fails is reported, the other still measured
        figures.error = f"{step}: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    finally:
        context.close()
    return figures


def run_big_bench(counts=(10_000, 100_000), *, timeout_s: float = 300.0, echo=print) -> list[SizeFigures]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("ZKQ_CHROMIUM", "/usr/bin/chromium")
    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"],
        )
        try:
            for n in counts:
                work = Path(tempfile.mkdtemp(prefix="zkq_bench_big_"))
                try:
                    echo(f"[bench] {n:,} parcels: import and tiles ...")
                    ws, figures = prepare(n, work)
                    for tiled in (True, False):
                        extra = (
                            {}
                            if tiled
                            else {
                                "ZKQ_TILE_THRESHOLD": str(10**9),
                                "ZKQ_MAP_MAX_FEATURES": str(10**8),
                                "ZKQ_MAP_MAX_VERTICES": str(10**9),
                            }
                        )
                        echo(f"[bench] {n:,} parcels: {'tiled' if tiled else 'inline'} path in Chromium ...")
                        env = app_env(ws)
                        env.update(extra)
                        server, url = start_app(env)
                        try:
                            measured = measure_path(browser, url, server, tiled=tiled, timeout_s=timeout_s)
                        finally:
                            server.terminate()
                            server.wait(timeout=30)
                        setattr(figures, "tiled" if tiled else "inline", measured)
                    results.append(figures)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
        finally:
            browser.close()
    return results


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}x" if b else "—"


def format_big(results: list[SizeFigures]) -> str:
    """The table: per size and path, build figures, then bytes (the map's own; all the page
    received in brackets), seconds, the map frame's JS heap and the server's memory."""
    lines = [
        f"big layers: vector tiles vs inline GeoJSON ({os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}; "
        "Chromium 1440x900, the zone's first view, server warmed up)",
        "map = the map's own bytes (its script messages and tiles); page = everything the page received",
        f"{'parcels':>9} {'path':<7} {'import s':>8} {'tiles s':>7} {'tiles MB':>8} "
        f"{'1st view: map MB (page)':>24} {'s':>5} {'filter: map kB (page)':>22} {'s':>5} "
        f"{'JS heap MB':>10} {'server MB':>9}",
    ]
    for r in results:
        for name, p in (("tiled", r.tiled), ("inline", r.inline)):
            build = (
                f"{r.import_s:>8.1f} {r.tile_build_s:>7.1f} {r.tile_mb:>8.1f}"
                if name == "tiled"
                else f"{'':>8} {'':>7} {'':>8}"
            )
            if p.error:
                lines.append(f"{r.parcels:>9} {name:<7} {build} failed: {p.error}")
                continue
            first = f"{p.first_bytes / 1e6:.2f} ({p.first_total / 1e6:.2f})"
            change = f"{p.filter_bytes / 1e3:.1f} ({p.filter_total / 1e3:.1f})"
            lines.append(
                f"{r.parcels:>9} {name:<7} {build} {first:>24} {p.first_s:>5.1f} {change:>22} "
                f"{p.filter_s:>5.1f} {p.heap_mb:>10.0f} {p.rss_mb:>9.0f}"
            )
        t, i = r.tiled, r.inline
        if not (t.error or i.error):
            lines.append(
                f"{'':>9} tiled/inline, map bytes: first view {_ratio(t.first_bytes, i.first_bytes)}, "
                f"filter change {_ratio(t.filter_bytes, i.filter_bytes)}; page bytes: first view "
                f"{_ratio(t.first_total, i.first_total)}, "
                f"filter change {_ratio(t.filter_total, i.filter_total)}"
            )
    big = [r for r in results if r.parcels == 100_000 and not r.tiled.error and not r.inline.error]
    for r in big:
        t, i = r.tiled, r.inline
        checks = {
            f"first view <= {TARGETS_100K['first_view_s']:g} s": t.first_s <= TARGETS_100K["first_view_s"],
            f"filter redraw <= {TARGETS_100K['filter_s']:g} s": t.filter_s <= TARGETS_100K["filter_s"],
            f"JS heap <= {TARGETS_100K['heap_mb']:g} MB": t.heap_mb <= TARGETS_100K["heap_mb"],
            f"server RSS <= {TARGETS_100K['rss_mb']:g} MB": t.rss_mb <= TARGETS_100K["rss_mb"],
            f"first-view map bytes <= {TARGETS_100K['first_bytes_ratio']:g}x inline": t.first_bytes
            <= TARGETS_100K["first_bytes_ratio"] * i.first_bytes,
            f"filter map bytes <= {TARGETS_100K['filter_bytes_ratio']:g}x inline": t.filter_bytes
            <= TARGETS_100K["filter_bytes_ratio"] * i.filter_bytes,
        }
        lines.append(
            "targets at 100,000 parcels: "
            + "; ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in checks.items())
        )
    return "\n".join(lines)
