"""The shared-office benchmark: many planners signed in at once, each seeing only their layers.

    zkq-geo bench --sessions [1 5 20]

It makes a fresh workspace with an office of ``max(counts)`` editors (plus an admin), each of
whom imports a small private layer of their own, starts the app as scripts/run.sh does
(``streamlit run app/server.py``) and, for each session count N, opens N browser contexts of
headless Chromium (``$ZKQ_CHROMIUM``, default /usr/bin/chromium) at once, one per user. Each
signs in through the sign-in form and waits for the map to be drawn. Printed per N: the time
from opening the sign-in page to the map drawn (median and slowest), the server's resident
memory (its process tree) once every session has its map, and whether every session saw its
own layer and no other user's. Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from zkq_geo.bench_big import FRAME, app_env, rss_mb, start_app
from zkq_geo.office.store import office_store
from zkq_geo.office.userspace import UserWorkspace
from zkq_geo.workspace import Workspace

PASSWORD = "bench-Passw0rd-zkq"
DRAWN_JS = (  # Leaflet drew into the overlay pane (canvas or SVG renderer)
    "() => document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane svg').length > 0"
)
LAYER_TITLE = "基准图层"  # each user's layer is titled "基准图层 <user>"


@dataclass
class SessionFigures:
    sessions: int
    first_map_s: list[float]
    rss_mb: float
    own_layer_seen: int
    others_seen: int
    server_cpu_s: float = float("nan")  # CPU seconds the server's process tree spent on the round

    @property
    def median_s(self) -> float:
        return statistics.median(self.first_map_s)

    @property
    def slowest_s(self) -> float:
        return max(self.first_map_s)


def user_name(i: int) -> str:
    return f"planner{i:02d}"


def seed_office(root: Path, users: int) -> None:
    """An office of ``users`` editors in ``root``, each with one private point layer."""
    store = office_store(root)
    store.add_user("bench", "admin", "admin", password=PASSWORD)
    workspace = Workspace(root)
    for i in range(users):
        name = user_name(i)
        store.add_user("admin", name, "editor", password=PASSWORD)
        csv = root / f"{name}.csv"
        lon, lat = 113.72 + 0.004 * (i % 10), 34.70 + 0.004 * (i // 10)
        csv.write_text(f"name,lon,lat\n{LAYER_TITLE} {name},{lon},{lat}\n", encoding="utf-8")
        UserWorkspace(workspace, store, store.user(name)).import_file(
            csv, f"own_{name}", visibility="private", title=f"{LAYER_TITLE} {name}"
        )
        csv.unlink()


async def _one_session(browser, url: str, name: str, everyone: list[str], timeout_s: float):
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    started = time.perf_counter()
    await page.goto(url + "/signin")
    await page.fill("#user", name)
    await page.fill("#password", PASSWORD)
    await page.click("#signin")
    iframe = page.locator(FRAME).first
    await iframe.wait_for(state="attached")
    frame = await (await iframe.element_handle()).content_frame()
    await frame.wait_for_selector(".leaflet-container")
    await frame.wait_for_function(DRAWN_JS, polling=200)  # requestAnimationFrame polling stalls here
    elapsed = time.perf_counter() - started
    text = await page.inner_text("body")
    own = f"{LAYER_TITLE} {name}" in text
    others = sum(f"{LAYER_TITLE} {o}" in text for o in everyone if o != name)
    return context, elapsed, own, others


async def _measure(url: str, pid: int, count: int, users: list[str], chromium: str, timeout_s: float):
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        cpu_before = cpu_seconds(pid)
        results = await asyncio.gather(
            *(_one_session(browser, url, users[i], users, timeout_s) for i in range(count))
        )
        memory = rss_mb(pid)
        server_cpu = cpu_seconds(pid) - cpu_before
        for context, *_ in results:
            await context.close()
        await browser.close()
    return SessionFigures(
        count,
        [r[1] for r in results],
        memory,
        sum(r[2] for r in results),
        sum(r[3] for r in results),
        server_cpu,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children so far, from /proc."""
    total, todo = 0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        todo += [int(c) for c in children]
    return total / tick


def run_sessions_bench(
    counts=(1, 5, 20), *, timeout_s: float = 300.0, chromium: str | None = None, echo=print
):
    chromium = chromium or os.environ.get("ZKQ_CHROMIUM", "/usr/bin/chromium")
    results = []
    with tempfile.TemporaryDirectory(prefix="zkq-sessions-") as tmp:
        root = Path(tmp) / "ws"
        echo(f"seeding an office of {max(counts)} editors, each with a private layer ...")
        seed_office(root, max(counts))
        users = [user_name(i) for i in range(max(counts))]
        proc, url = start_app(app_env(root))
        try:
            for count in counts:
                echo(f"{count} session(s) at once ...")
                results.append(asyncio.run(_measure(url, proc.pid, count, users, chromium, timeout_s)))
        finally:
            proc.terminate()
            proc.wait(30)
    return results


def format_sessions(results: list[SessionFigures]) -> str:
    lines = [
        "sessions  first map median s  slowest s  server CPU s  server RSS MB  saw own layer  saw another's",
    ]
    for r in results:
        lines.append(
            f"{r.sessions:>8}  {r.median_s:>18.2f}  {r.slowest_s:>9.2f}"
            f"  {r.server_cpu_s:>12.1f}  {r.rss_mb:>13.0f}"
            f"  {r.own_layer_seen:>10}/{r.sessions:<2}  {r.others_seen:>13}"
        )
    lines.append(
        "first map: from opening the sign-in page to the map drawn, each session signing in as its "
        "own user; server CPU: what the server's process tree spent on the round (the rest of the "
        "wall time is the browsers', which share the machine); RSS: the server with every session open"
    )
    return "\n".join(lines)
