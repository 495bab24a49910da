"""Read untrusted files in a child process bounded in CPU time and memory.

A file from a user can make a parser spin forever (a GeoPackage view with a recursive query)
or ask for gigabytes (a small ``.xlsx`` declaring millions of cells). :func:`run_bounded`
calls a zkq_geo function in a child process whose CPU time and address space are limited
with ``setrlimit`` (:class:`zkq_geo.limits.ParseLimits`), waits at most the wall-clock limit,
and kills the child when it is over. The server itself never parses the file, so whatever
the file does ends with the child, and the office's map stays up.

Children are forked from a small server process (``multiprocessing``'s *forkserver*) that has
imported the readers once, so a bounded read starts in milliseconds, not seconds; the server
is started on first use from this process's environment, so it inherits the GDAL and PROJ
settings of :mod:`zkq_geo.gdal_env`. A child refuses to read anything if GDAL offers it a
driver outside the allow-list.

The function's ``ZkqGeoError`` reaches the caller unchanged; a limit that is hit becomes a
one-line :class:`~zkq_geo.errors.DataSourceError` in English and Chinese.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import resource
import signal
import threading
import time

from zkq_geo.errors import DataSourceError, ZkqGeoError
from zkq_geo.limits import ParseLimits
from zkq_geo.messages import msg

# Modules the fork server imports once, so children start with the readers loaded.
PRELOAD = ["zkq_geo.importer", "zkq_geo.sheets"]
_IN_CHILD = False
_lock = threading.Lock()
_context = None
_EXIT_MEMORY = 86
_ENV_PREFIX = "ZKQ_"  # the caller's zkq-geo settings (limits, encodings...) travel to the child


def in_child() -> bool:
    """True inside a bounded child (a bounded call made there runs in place)."""
    return _IN_CHILD


def run_bounded(target: str, *args, file: str = "", limits: ParseLimits | None = None, **kwargs):
    """Call ``target`` (``"package.module:function"``) with ``args``/``kwargs`` in a bounded child.

    ``file`` names the input in messages. Returns what the function returns; re-raises its
    :class:`ZkqGeoError`; raises :class:`DataSourceError` when the child is over its CPU, memory
    or wall-clock limit or dies, and ``RuntimeError`` for any other exception in the child.
    """
    if _IN_CHILD:
        return _resolve(target)(*args, **kwargs)
    limits = limits or ParseLimits.from_env()
    reader, writer = _get_context().Pipe(duplex=False)
    settings = {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIX)}
    child = _get_context().Process(target=_child_main, args=(writer, target, args, kwargs, limits, settings),
                                   daemon=True)
    child.start()
    writer.close()
    try:
        outcome = _wait(child, reader, limits, file)
    finally:
        reader.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    return _unpack(outcome, file)


def _get_context():
    global _context
    with _lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


def _wait(child, reader, limits: ParseLimits, file: str):
    deadline = time.monotonic() + limits.wall_seconds
    while time.monotonic() < deadline:
        if reader.poll(0.05):
            try:
                return reader.recv()
            except (EOFError, OSError):
                child.join(5)
                return ("died", child.exitcode)
        if not child.is_alive() and not reader.poll(0):
            return ("died", child.exitcode)
    child.kill()
    raise DataSourceError(msg("parse_wall_limit", file=file, seconds=limits.wall_seconds))


def _unpack(outcome, file: str):
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "memory":
        raise DataSourceError(msg("parse_memory_limit", file=file, mb=value))
    if kind == "bug":
        raise RuntimeError(value)
    code = value
    limits = ParseLimits.from_env()
    if code in (-signal.SIGXCPU, -signal.SIGKILL) or code == _EXIT_MEMORY:
        if code == -signal.SIGXCPU:
            raise DataSourceError(msg("parse_cpu_limit", file=file, seconds=limits.cpu_seconds))
        raise DataSourceError(msg("parse_memory_limit", file=file, mb=limits.memory_mb))
    raise DataSourceError(msg("parse_died", file=file, code=code, mb=limits.memory_mb))


def _child_main(writer, target: str, args, kwargs, limits: ParseLimits, settings: dict) -> None:
    global _IN_CHILD
    _IN_CHILD = True
    _set_limits(limits)
    for key in [k for k in os.environ if k.startswith(_ENV_PREFIX)]:  # the caller's settings, not the server's
        del os.environ[key]
    os.environ.update(settings)
    try:
        from zkq_geo.gdal_env import registered_outside_allow_list

        extra = registered_outside_allow_list()
        if extra:
            raise RuntimeError(f"GDAL drivers outside the allow-list are registered: {extra}")
        outcome = ("ok", _resolve(target)(*args, **kwargs))
    except ZkqGeoError as exc:
        outcome = ("error", exc)
    except MemoryError:
        outcome = ("memory", limits.memory_mb)
    except Exception as exc:  # a bug, not the user's file: the parent raises RuntimeError
        outcome = ("bug", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
    try:
        writer.send(outcome)
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    finally:
        writer.close()


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
