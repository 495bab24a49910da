"""The CLI contract: every command's --help and a few outputs on the shipped data equal the golden
copies in tests/cli/golden/ (see its README). Run this file with ``--write`` to regenerate them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent))
COMMANDS = [
    "layers",
    "show",
    "export",
    "efficiency",
    "validate",
    "map",
    "bench",
    "inspect",
    "import",
    "join",
    "layer",
    "evaluate",
    "schemes",
    "control",
    "users",
    "audit",
]
CALLS = {
    **{f"help_{c}": [c, "--help"] for c in COMMANDS},
    "help": ["--help"],
    "help_layer_delete": ["layer", "delete", "--help"],
    "help_layer_restore": ["layer", "restore", "--help"],
    "help_layer_list": ["layer", "list", "--help"],
    "help_layer_share": ["layer", "share", "--help"],
    "help_layer_trash": ["layer", "trash", "--help"],
    "help_layer_undelete": ["layer", "undelete", "--help"],
    "help_users_add": ["users", "add", "--help"],
    "help_users_passwd": ["users", "passwd", "--help"],
    "help_users_list": ["users", "list", "--help"],
    "layers": ["layers"],
    "show_parks_csv": ["show", "parks", "--format", "csv"],
    "show_projects_json_biomed": ["show", "projects", "--industry", "biomed", "--format", "json"],
    "efficiency_projects_csv": ["efficiency", "projects", "--format", "csv"],
    "efficiency_parks_by_industry": ["efficiency", "parks", "--by", "industry"],
    "schemes": ["schemes"],
}


def run(args: list[str], workspace: str) -> str:
    env = {**os.environ, "COLUMNS": "100", "ZKQ_WORKSPACE": workspace}
    env.pop("ZKQ_DEBUG", None)
    r = subprocess.run([ZKQ, *args], capture_output=True, text=True, env=env, timeout=120)
    return f"exit {r.returncode}\n--- stdout\n{r.stdout}--- stderr\n{r.stderr}"


@pytest.mark.parametrize("name", sorted(CALLS))
def test_cli_output_equals_the_golden_copy(name, tmp_path):
    assert ZKQ, "zkq-geo console script not installed in the venv (pip install -e .)"
    golden = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    assert run(CALLS[name], str(tmp_path / "ws")) == golden


if __name__ == "__main__" and "--write" in sys.argv:
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in CALLS.items():
            (GOLDEN / f"{name}.txt").write_text(run(args, str(Path(tmp) / "ws")), encoding="utf-8")
    print(f"wrote {len(CALLS)} golden files to {GOLDEN}")
