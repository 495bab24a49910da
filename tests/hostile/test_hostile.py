"""The hostile-input suite: every case of tests/hostile_cases.py through the real ``zkq-geo``
command (inspect, then import where the file is accepted), with a local canary server that
counts requests; no case may make the server fetch anything. Then a new app session still
shows the map. scripts/hostile_harness.py runs the same cases with a memory cap and prints
time and peak RSS.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hostile_cases import CASES, Case

ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent))
APP = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's hook name
        _Canary.hits.append(self.path)
        body = b"+proj=longlat +lon_0=10 +datum=WGS84 +no_defs"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def canary():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _run(case: Case, path: Path, ws: Path, command: str | None = None) -> subprocess.CompletedProcess:
    """The case's own command, or ``import`` of its file."""
    assert ZKQ, "zkq-geo console script not installed in the venv (pip install -e .)"
    env = {**os.environ, "ZKQ_WORKSPACE": str(ws), **case.env}
    env.pop("ZKQ_DEBUG", None)
    argv = (
        ["import", str(path), *case.args, "--as", f"h_{case.name[:30]}"]
        if command == "import"
        else case.argv(path)
    )
    return subprocess.run([ZKQ, *argv], capture_output=True, text=True, timeout=300, env=env)


def check_outcome(case: Case, r: subprocess.CompletedProcess) -> None:
    """The CLI did what the case expects: a one-line refusal matching the pattern, or success."""
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    if case.expect == "refused":
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 1 and len(lines) == 1, (r.returncode, r.stdout, r.stderr)
        assert re.search(case.pattern, lines[0]), lines[0]
    else:
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert case.pattern in r.stdout + r.stderr, (r.stdout, r.stderr)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case_through_the_cli(case, canary, tmp_path):
    _Canary.hits.clear()
    path = case.build(tmp_path, canary)
    ws = tmp_path / "ws"
    check_outcome(case, _run(case, path, ws))
    if case.imports:  # accepted files import too, and nothing reaches the network either way
        r = _run(case, path, ws, "import")
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert _Canary.hits == []
    assert "root:x:0:0" not in (path.parent / "ws").as_posix()  # nothing of /etc/passwd became a layer


def test_passwd_never_becomes_features(tmp_path, canary):
    """The read-a-local-file case on the library level: no feature holds a line of /etc/passwd."""
    from zkq_geo.errors import ZkqGeoError
    from zkq_geo.importing.reader import inspect_file

    for case in CASES[:6]:
        (tmp_path / case.name).mkdir()
        path = case.build(tmp_path / case.name, canary)
        with pytest.raises(ZkqGeoError) as exc:
            inspect_file(path)
        assert "root:" not in str(exc.value) and "\n" not in str(exc.value)


def test_linked_crs_is_not_applied(tmp_path, canary):
    """The fetched PROJ string would move the point 10 degrees east: the point stays where it is."""
    from zkq_geo.importing.reader import read_import

    _Canary.hits.clear()
    case = next(c for c in CASES if c.name == "geojson_crs_link")
    gdf, report = read_import(case.build(tmp_path, canary))
    assert gdf.geometry.iloc[0].x == pytest.approx(113.75) and _Canary.hits == []
    assert any("was ignored" in w for w in report.warnings)
    assert any("已忽略 GeoJSON 的 crs 成员" in w.text("zh") for w in report.warnings)


def test_gdal_has_only_the_allowed_drivers_and_no_network():
    import pyogrio
    import pyproj

    import zkq_geo  # noqa: F401 - importing the package hardens the process
    from zkq_geo.safety.gdal_env import ALLOWED_DRIVERS, SKIPPED_DRIVERS, registered_outside_allow_list

    assert registered_outside_allow_list() == []
    assert set(pyogrio.list_drivers()) <= ALLOWED_DRIVERS
    assert not pyproj.network.is_network_enabled()
    assert os.environ["GDAL_HTTP_PROXY"].startswith("127.0.0.1:")
    assert "OGR_VRT" in SKIPPED_DRIVERS and "LIBKML" in SKIPPED_DRIVERS and "GDALG" in SKIPPED_DRIVERS


def test_skip_list_covers_every_driver_of_the_build():
    """A new GDAL build with a new driver fails here until the driver is allowed or skipped."""
    from zkq_geo.safety.gdal_env import ALLOWED_DRIVERS, SKIPPED_DRIVERS

    code = "import pyogrio, sys; sys.stdout.write('\\n'.join(pyogrio.list_drivers()))"
    env = {k: v for k, v in os.environ.items() if k != "GDAL_SKIP"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert set(out.split("\n")) - ALLOWED_DRIVERS - set(SKIPPED_DRIVERS) == set()


def test_a_new_session_still_shows_the_map_after_the_hostile_cases(
    tmp_path, canary, monkeypatch, fresh_caches, signed_in
):
    from streamlit.testing.v1 import AppTest

    ws = tmp_path / "ws"  # the signed-in admin's office is there too (tests/conftest.py)
    assert signed_in.root == ws
    for case in CASES:
        if not case.big and case.command[0] == "inspect":
            (tmp_path / case.name).mkdir()
            _run(case, case.build(tmp_path / case.name, canary), ws, "import")
    monkeypatch.setenv("ZKQ_WORKSPACE", str(ws))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    counts = {m.label: m.value for m in at.metric}
    assert counts["小微企业园"] == "10" and counts["项目"] == "36"  # the shipped layers, for a new session


def test_terminal_escapes_in_a_file_are_shown_not_obeyed(tmp_path):
    """A layer or field name holding ESC sequences is printed as \\x1b on a terminal (and on stderr);
    piped output keeps the bytes as they are."""
    import json
    import pty

    doc = {
        "type": "FeatureCollection",
        "name": "evil\x1b[2J\x1b[31mRED",
        "features": [
            {
                "type": "Feature",
                "properties": {"x\x1b[31m": 1},
                "geometry": {"type": "Point", "coordinates": [113.75, 34.72]},
            }
        ],
    }
    path = tmp_path / "ansi.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    leader, follower = pty.openpty()
    env = {**os.environ, "ZKQ_WORKSPACE": str(tmp_path / "ws")}
    proc = subprocess.run(
        [ZKQ, "inspect", str(path)], stdout=follower, stderr=subprocess.PIPE, env=env, timeout=120
    )
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
    assert proc.returncode == 0
    assert b"\x1b" not in out and b"evil\\x1b[2J" in out and b"x\\x1b[31m" in out
    piped = _run(Case("ansi", lambda f, c: path, "ok"), path, tmp_path / "ws")
    assert "evil\x1b[2J" in piped.stdout
