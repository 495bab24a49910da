"""zkq_geo.safety.sandbox: bounded workers report errors, bugs and limits in one line, in both languages."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hostile_cases import big_csv, endless_view_gpkg

from zkq_geo.errors import DataSourceError, OptionError
from zkq_geo.importing.reader import inspect_file
from zkq_geo.limits import ParseLimits
from zkq_geo.safety.sandbox import in_worker, run_bounded


def test_a_zkq_error_in_the_worker_reaches_the_caller_unchanged():
    with pytest.raises(OptionError, match="limit='NOPE' is not allowed") as exc:
        run_bounded("zkq_geo.limits:limit", "NOPE", file="x")
    assert "不可用" in exc.value.text("zh")


def test_a_bug_in_the_worker_is_one_runtime_error_line():
    with pytest.raises(RuntimeError, match=r"^AttributeError: 'NoneType' object has no attribute") as exc:
        run_bounded("zkq_geo.safety.sniff:sniff", None, file="x")
    assert "\n" not in str(exc.value)


def test_only_zkq_geo_functions_run_in_the_worker():
    with pytest.raises(RuntimeError, match="zkq_geo functions only"):
        run_bounded("os:system", "echo hacked", file="x")


def test_the_callers_settings_travel_to_the_worker(monkeypatch):
    monkeypatch.setenv("ZKQ_MAX_CELLS", "7")
    assert run_bounded("zkq_geo.limits:limit", "ZKQ_MAX_CELLS", file="x") == 7
    monkeypatch.delenv("ZKQ_MAX_CELLS")
    assert run_bounded("zkq_geo.limits:limit", "ZKQ_MAX_CELLS", file="x") == 2_000_000
    assert not in_worker()


def test_an_endless_query_is_stopped_at_the_cpu_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKQ_PARSE_CPU_SECONDS", "2")
    path = endless_view_gpkg(tmp_path, "")
    assert inspect_file(path).layer == "parcels"  # the view is listed, not read
    with pytest.raises(DataSourceError, match="used more than 2 s of CPU time") as exc:
        inspect_file(path, layer="spin")
    assert "占用 CPU 超过 2 秒" in exc.value.text("zh")


def test_a_read_over_the_memory_limit_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("ZKQ_PARSE_MEMORY_MB", "700")
    path = big_csv(tmp_path, "", rows=400_000)
    with pytest.raises(DataSourceError, match="memory|stopped unexpectedly") as exc:
        inspect_file(path)
    assert "内存" in exc.value.text("zh") and "\n" not in str(exc.value)


def test_parse_limits_wall_clock_outlasts_cpu():
    assert ParseLimits(20, 1536).wall_seconds == 30


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    """multiprocessing's fork server would re-run an unguarded caller script in every worker."""
    (tmp_path / "p.csv").write_text("name,lon,lat\na,113.75,34.72\n", encoding="utf-8")
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(f"""
        from zkq_geo.importing.reader import inspect_file
        print("features", inspect_file({str(tmp_path / "p.csv")!r}).feature_count)
    """),
        encoding="utf-8",
    )
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout == "features 1\n", (r.stdout, r.stderr)


def test_the_worker_cannot_reach_the_network():
    """Even the loopback is out of reach inside a worker (its own network namespace), while this
    process reaches the same listener."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    try:
        from zkq_geo.safety.sandbox import probe_network

        assert probe_network("127.0.0.1", port)  # here: yes
        assert run_bounded("zkq_geo.safety.sandbox:probe_network", "127.0.0.1", port, file="x") is False
    finally:
        listener.close()
