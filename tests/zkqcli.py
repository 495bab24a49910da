"""The real installed ``zkq-geo`` command for the CLI tests: run it on a workspace folder and read the
one line it writes on an error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent))


def run(ws: Path, *args, cwd=None, env=None) -> subprocess.CompletedProcess:
    """``zkq-geo ARGS`` with ``ZKQ_WORKSPACE=ws`` (plus ``env``) and without ``ZKQ_DEBUG``."""
    assert ZKQ, "zkq-geo console script not installed in the venv (pip install -e .)"
    full_env = {**os.environ, "ZKQ_WORKSPACE": str(ws), **(env or {})}
    full_env.pop("ZKQ_DEBUG", None)
    return subprocess.run(
        [ZKQ, *map(str, args)], capture_output=True, text=True, timeout=180, env=full_env, cwd=cwd
    )


def one_line_error(r: subprocess.CompletedProcess, code: int = 1) -> str:
    """The error line of a failed run: exit ``code``, exactly one line on stderr, no traceback."""
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]
