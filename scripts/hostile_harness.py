"""Run every hostile-input case (tests/hostile_cases.py) against the real CLI and print a table.

Each case's file is generated in a temporary folder, then ``zkq-geo inspect`` (and ``import``
for files that must be accepted) runs under an address-space cap (``--cap-mb``, default 2048,
inherited by the reading worker, which sets its own lower limit). The table gives the outcome
(``ok``: did what the case expects; ``FAIL`` otherwise), exit code, wall time, the peak resident
memory of the command's whole process tree (sampled from /proc every 20 ms), the requests a
local canary server received (must be 0), and the first line of the message.

    .venv/bin/python scripts/hostile_harness.py [--cap-mb 2048] [--only NAME ...] [--skip-big]

Exit code 1 when any case fails. Linux only (/proc, setrlimit).
"""

from __future__ import annotations

import argparse
import http.server
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from hostile_cases import CASES, Case  # noqa: E402

ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent)) or "zkq-geo"
PAGE = os.sysconf("SC_PAGE_SIZE")


class Canary(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 - http.server's hook name
        Canary.hits += 1
        self.send_response(404)
        self.end_headers()

    do_HEAD = do_POST = do_GET

    def log_message(self, *args):
        pass


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(statm[1]) * PAGE
    members, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid and p not in members]
        members.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in members)


def run_cli(args: list[str], env: dict, cap_mb: int) -> tuple[subprocess.CompletedProcess, float, int]:
    def cap():
        limit = cap_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    start = time.monotonic()
    proc = subprocess.Popen(
        [ZKQ, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=cap
    )
    peak, result = 0, {}
    reader = threading.Thread(
        target=lambda: result.update(zip(("out", "err"), proc.communicate(), strict=False))
    )
    reader.start()
    while reader.is_alive():
        peak = max(peak, tree_rss(proc.pid))
        reader.join(0.02)
    elapsed = time.monotonic() - start
    return subprocess.CompletedProcess(args, proc.returncode, result["out"], result["err"]), elapsed, peak


def judge(case: Case, r: subprocess.CompletedProcess) -> bool:
    lines = r.stderr.strip().splitlines()
    if "Traceback" in r.stderr or "internal error" in r.stderr:
        return False
    if case.expect == "refused":
        return r.returncode == 1 and len(lines) == 1 and bool(re.search(case.pattern, lines[0]))
    return r.returncode == 0 and case.pattern in r.stdout + r.stderr


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap-mb", type=int, default=2048, help="address-space cap of each command (MB)")
    parser.add_argument("--only", nargs="*", help="run only these cases")
    parser.add_argument("--skip-big", action="store_true", help="leave out cases that generate 100+ MB files")
    args = parser.parse_args(argv)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    canary = f"http://127.0.0.1:{server.server_address[1]}"
    cases = [c for c in CASES if (not args.only or c.name in args.only) and not (args.skip_big and c.big)]
    print(
        f"zkq-geo hostile-input harness: {len(cases)} cases, cap {args.cap_mb} MB per command, canary "
        f"{canary}"
    )
    header = (
        f"{'case':<26} {'expect':<8} {'result':<6} {'exit':>4} {'time s':>7} {'peak MB':>8} {'net':>3}"
        "  message"
    )
    print(header)
    print("-" * len(header))
    failed = 0
    with tempfile.TemporaryDirectory(prefix="zkq_hostile_") as tmp:
        for case in cases:
            folder = Path(tmp) / case.name
            folder.mkdir()
            path = case.build(folder, canary)
            env = {**os.environ, "ZKQ_WORKSPACE": str(folder / "ws"), **case.env}
            before = Canary.hits
            r, elapsed, peak = run_cli(case.argv(path), env, args.cap_mb)
            good = judge(case, r)
            if good and case.imports:
                imported, t2, p2 = run_cli(
                    ["import", str(path), *case.args, "--as", "h_case"], env, args.cap_mb
                )
                good, elapsed, peak = imported.returncode == 0, elapsed + t2, max(peak, p2)
            hits = Canary.hits - before
            good = good and hits == 0
            failed += not good
            line = (
                r.stderr.strip().splitlines()
                or [r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""]
            )[0]
            line = line.removeprefix("zkq-geo: error: ")
            print(
                f"{case.name:<26} {case.expect:<8} {'ok' if good else 'FAIL':<6} {r.returncode:>4} "
                f"{elapsed:>7.1f} "
                f"{peak / 1024 / 1024:>8.0f} {hits:>3}  {line[:90]}"
            )
            shutil.rmtree(folder, ignore_errors=True)
    server.shutdown()
    print(
        f"{len(cases) - failed} of {len(cases)} cases as expected"
        + ("" if not failed else f"; {failed} FAILED")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
