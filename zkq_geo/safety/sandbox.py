"""Read untrusted files in a child process bounded in CPU time and memory.

A file from a user can make a parser spin forever (a GeoPackage view with a recursive query)
or ask for gigabytes (a small ``.xlsx`` declaring millions of cells). :func:`run_bounded`
calls a zkq_geo function in a worker process whose CPU time and address space are limited
with ``setrlimit`` (:class:`zkq_geo.limits.ParseLimits`), waits at most the wall-clock limit,
and kills the worker when it is over. The server process itself never parses the file, so
whatever the file does ends with the worker, and the office's map stays up.

How: on first use this process starts one small *fork server* (``python -m zkq_geo.safety.sandbox``)
that imports the readers once and listens on a Unix socket in a private temporary folder.
For each call it forks a supervisor, which forks the worker and reports how the worker
ended; the worker applies the limits, runs the function and sends its outcome over the
socket. A bounded read therefore starts in milliseconds, works the same from the CLI, the
app or a script (nothing re-runs the caller's ``__main__``), and the fork server inherits
the GDAL and PROJ settings of :mod:`zkq_geo.safety.gdal_env`. It exits when this process exits.

The worker also gets a network namespace of its own (:func:`isolate_network`), so a file that
names a URL cannot reach the network even through a reader we did not foresee.

The function's ``ZkqGeoError`` reaches the caller unchanged; a limit that is hit becomes a
one-line :class:`~zkq_geo.errors.DataSourceError` in English and Chinese.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import pickle
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from zkq_geo.errors import DataSourceError, ZkqGeoError
from zkq_geo.i18n.messages import msg
from zkq_geo.limits import ParseLimits

# Modules the fork server imports once, so workers start with the readers loaded.
PRELOAD = ("zkq_geo.importing.reader", "zkq_geo.importing.sheets")
_CLONE_NEWNET, _CLONE_NEWUSER = 0x40000000, 0x10000000
_PROXY_BYPASS = ("no_proxy",)  # curl's list of hosts that skip the (dead) proxy, either case
_ENV_PREFIX = "ZKQ_"  # the caller's zkq-geo settings (limits...) travel with each call
_HEADER = struct.Struct("!Q")
_IN_WORKER = False
_EXIT_MEMORY = 3  # the worker could not even send its outcome
_lock = threading.Lock()
_server: _ForkServer | None = None


def in_worker() -> bool:
    """True inside a bounded worker (a bounded call made there runs in place)."""
    return _IN_WORKER


def run_bounded(target: str, *args, file: str = "", limits: ParseLimits | None = None, **kwargs):
    """Call ``target`` (``"zkq_geo.module:function"``) with ``args``/``kwargs`` in a bounded worker.

    ``file`` names the input in messages. Returns what the function returns; re-raises its
    :class:`ZkqGeoError`; raises :class:`DataSourceError` when the worker is over its CPU,
    memory or wall-clock limit or dies, and ``RuntimeError`` for any other exception in it.
    """
    if _IN_WORKER:
        return _resolve(target)(*args, **kwargs)
    limits = limits or ParseLimits.from_env()
    settings = {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIX)}
    request = (target, args, kwargs, limits, settings)
    with _connect() as conn:
        conn.settimeout(limits.wall_seconds)
        deadline = time.monotonic() + limits.wall_seconds
        _send(conn, request)
        kind, pid = _receive(conn, deadline, file, limits, None)
        outcome = _receive(conn, deadline, file, limits, pid)
    return _unpack(outcome, file, limits)


def _connect() -> socket.socket:
    global _server
    with _lock:
        if _server is None or not _server.alive():
            _server = _ForkServer()
        path = _server.socket_path
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(str(path))
    return conn


def _receive(conn: socket.socket, deadline: float, file: str, limits: ParseLimits, pid: int | None):
    try:
        conn.settimeout(max(0.1, deadline - time.monotonic()))
        return _read_frame(conn)
    except TimeoutError:
        if pid:
            _kill(pid)
        raise DataSourceError(msg("parse_wall_limit", file=file, seconds=limits.wall_seconds)) from None
    except (EOFError, OSError):
        return ("exit", None)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _unpack(outcome, file: str, limits: ParseLimits):
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "bug":
        raise RuntimeError(value)
    if (
        kind == "memory"
        or value == _EXIT_MEMORY
        or value in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS)
    ):
        raise DataSourceError(msg("parse_memory_limit", file=file, mb=limits.memory_mb))
    if value == -signal.SIGXCPU:
        raise DataSourceError(msg("parse_cpu_limit", file=file, seconds=limits.cpu_seconds))
    raise DataSourceError(msg("parse_died", file=file, code=value, mb=limits.memory_mb))


# ----------------------------------------------------------------------------- frames
def _send(conn: socket.socket, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    conn.sendall(_HEADER.pack(len(data)) + data)


def _read_frame(conn: socket.socket):
    (size,) = _HEADER.unpack(_read_exactly(conn, _HEADER.size))
    return pickle.loads(_read_exactly(conn, size))


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        chunk = conn.recv(min(size - len(buf), 1 << 20))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return bytes(buf)


# ----------------------------------------------------------------------------- the client's handle
class _ForkServer:
    """The fork server of this process: started once, stopped when this process ends."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="zkq_sandbox_"))
        self.socket_path = self.folder / "s"
        package_parent = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MALLOC_ARENA_MAX": "2",
            "PYTHONPATH": os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zkq_geo.safety.sandbox", str(self.socket_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # what a parser prints on its own goes nowhere (the outcome carries every message);
            # ZKQ_DEBUG=1 lets it through to this process's stderr
            stderr=None if os.environ.get("ZKQ_DEBUG") else subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        ready = self.proc.stdout.readline()
        if ready.strip() != b"ready":
            raise RuntimeError(f"the zkq-geo fork server did not start (said {ready[:200]!r})")

    def alive(self) -> bool:
        return self.proc.poll() is None


# ----------------------------------------------------------------------------- the fork server
def serve(socket_path: str) -> None:
    """Main loop of the fork server: one supervisor per connection; exit when stdin closes."""
    for name in PRELOAD:
        importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped automatically
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    os.chmod(socket_path, 0o600)
    listener.listen(64)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    sel.register(sys.stdin.buffer, selectors.EVENT_READ)
    sys.stdout.buffer.write(b"ready\n")
    sys.stdout.buffer.flush()
    while True:
        for key, _ in sel.select():
            if key.fileobj is not listener:  # the client closed our stdin: it has gone
                _cleanup(socket_path)
                return
            conn, _ = listener.accept()
            if os.fork() == 0:
                listener.close()
                os._exit(_supervise(conn))
            conn.close()


def _cleanup(socket_path: str) -> None:
    path = Path(socket_path)
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass


def _supervise(conn: socket.socket) -> int:
    """Fork the worker, tell the client its pid, wait for it, and report how it ended."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        request = _read_frame(conn)
    except (EOFError, OSError, pickle.UnpicklingError):
        return 1
    go_r, go_w = os.pipe()  # the worker waits until the client knows its pid (frames stay in order)
    pid = os.fork()
    if pid == 0:
        os.close(go_w)
        os.read(go_r, 1)
        os._exit(_work(conn, request))
    os.close(go_r)
    _send(conn, ("pid", pid))
    os.write(go_w, b"1")
    os.close(go_w)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        try:
            _send(conn, ("exit", code))
        except OSError:
            pass
    return 0


def _work(conn: socket.socket, request) -> int:
    global _IN_WORKER
    target, args, kwargs, limits, settings = request
    _IN_WORKER = True
    _set_limits(limits)
    isolate_network()
    for key in [k for k in os.environ if k.startswith(_ENV_PREFIX) or k.lower() in _PROXY_BYPASS]:
        del os.environ[key]  # the caller's settings, not the server's; no proxy bypass for GDAL's dead proxy
    os.environ.update(settings)
    try:
        from zkq_geo.safety.gdal_env import registered_outside_allow_list

        extra = registered_outside_allow_list()
        if extra:
            raise RuntimeError(f"GDAL drivers outside the allow-list are registered: {extra}")
        outcome = ("ok", _resolve(target)(*args, **kwargs))
    except ZkqGeoError as exc:
        outcome = ("error", exc)
    except MemoryError:
        outcome = ("memory", None)
    except Exception as exc:  # a bug, not the user's file: the caller raises RuntimeError
        outcome = ("bug", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
    try:
        _send(conn, outcome)
    except MemoryError:
        return _EXIT_MEMORY
    except OSError:  # the caller gave up waiting
        return 0
    return 0


def isolate_network() -> bool:
    """Move this process into a network namespace of its own, with no interface up: nothing it
    does can reach any address, the loopback included. Needs root (``CLONE_NEWNET``) or
    unprivileged user namespaces (``CLONE_NEWUSER | CLONE_NEWNET``); where neither is allowed it
    returns False and the GDAL settings of :mod:`zkq_geo.safety.gdal_env` are the guard."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    return any(libc.unshare(flags) == 0 for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET))


def probe_network(host: str, port: int) -> bool:
    """True when a TCP connection to ``host:port`` can be opened from this process (a test of the
    isolation: :func:`run_bounded` it, and expect False)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _set_limits(limits: ParseLimits) -> None:
    cpu = limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _resolve(target: str):
    module, _, name = target.partition(":")
    if not module.startswith("zkq_geo.") or not name:
        raise ValueError(f"run_bounded runs zkq_geo functions only, not {target!r}")
    return getattr(importlib.import_module(module), name)


if __name__ == "__main__":
    serve(sys.argv[1])
