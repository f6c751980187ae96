"""`make test`: every test lane in turn, each timed; a closing table of lane timings.

Usage::

    python tools/test_lanes.py               # every lane
    python tools/test_lanes.py kodi21 py313  # some lanes, by name
    python tools/test_lanes.py kodi20 -- -x -k sync  # arguments after -- go to every lane's pytest
    python tools/test_lanes.py --list

Lanes (one pytest invocation each, so at most two Kodi run at once and fixtures stay simple). By
default two tracks run side by side (`TRACKS`: the real-Kodi lanes, and the lanes without Kodi),
each lane's output printed when it ends; ``--serial`` runs them one after the other, streamed:

========== ===================================================================================
host       unit, contract (MariaDB 10.11) and the fault suite's fast part on the host Python,
           newest PyMySQL and defusedxml (requirements-dev.txt)
pymysql110 the same contract, unit, fast fault and pymysql-internals tests with the declared
           minimum, PyMySQL 1.1.0 and defusedxml 0.6.0 (requirements-min.txt, in .venv-min)
kodi20     real-Kodi e2e on Kodi 20.1, module add-ons from requirements-dev.txt (newest PyMySQL)
kodi21     real-Kodi e2e on Kodi 21.2 (trixie chroot), from requirements-min.txt (PyMySQL 1.1.0):
           with kodi20, the two-device sync e2e on both ends of the pymysql range
libraries  one Kodi 20 and one Kodi 21 device on one server; the Kodi 20 -> 21 upgrade
mariadb118 the store contract suite against Debian 13's MariaDB 11.8 (trixie chroot)
py313      the unit suite on Kodi 21's Python 3.13 inside the chroot
========== ===================================================================================

Every lane runs even if an earlier one failed; the exit code is 1 if any failed. The last line
sums the pytest counts of all lanes (``tests: N passed, N failed``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
E2E_BY_VERSION = ["tests/e2e", "--ignore=tests/e2e/test_libraries.py"]
LANES: dict[str, tuple[dict[str, str], list[str]]] = {
    "host": ({}, [PY, "-m", "pytest", "tests", "-m", "not e2e"]),
    "pymysql110": ({}, [str(REPO / ".venv-min" / "bin" / "python"), "-m", "pytest", "tests/contract", "tests/unit",
                        "tests/faults", "tests/test_pymysql_internals.py", "-m", "not e2e"]),
    "kodi20": ({"EASYTV_KODI": "20", "EASYTV_PYMYSQL": "newest"}, [PY, "-m", "pytest", *E2E_BY_VERSION]),
    "kodi21": ({"EASYTV_KODI": "21", "EASYTV_PYMYSQL": "min"}, [PY, "-m", "pytest", *E2E_BY_VERSION]),
    "libraries": ({"EASYTV_PYMYSQL": "newest"}, [PY, "-m", "pytest", "tests/e2e/test_libraries.py"]),
    "mariadb118": ({"EASYTV_MARIADB": "11.8"}, [PY, "-m", "pytest", "tests/contract"]),
    "py313": ({}, [PY, "tools/chroot_tests.py"]),
}
TRACKS = (("kodi20", "kodi21", "libraries"), ("host", "pymysql110", "mariadb118", "py313"))
"""Two tracks run side by side, each lane of a track after the other: the real-Kodi lanes (never
more than two Kodi at once) and the lanes without Kodi. `--serial` runs every lane in turn."""
PRINT = threading.Lock()
COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped)")
SUMMARY = re.compile(r"^=*\s*(\d+ (passed|failed|errors?|skipped).*) in [\d.]+s")


def run_lane(name: str, extra: list[str], stream: bool = True) -> tuple[int, float, dict[str, int], str]:
    """Run lane ``name``; return (exit code, seconds, pytest counts, summary). Its output is
    streamed, or with ``stream`` False printed whole when the lane ends (lanes side by side)."""
    env_overrides, command = LANES[name]
    env = dict(os.environ, **env_overrides)
    header = (f"\n=== lane {name}: {' '.join(f'{k}={v}' for k, v in env_overrides.items())} "
              f"{' '.join(command[1:])}\n")
    kept: list[str] = []
    if stream:
        sys.stdout.write(header)
        sys.stdout.flush()
    began = time.monotonic()
    counts: dict[str, int] = {}
    summary = ""
    with subprocess.Popen([*command, *extra], cwd=REPO, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, bufsize=1) as proc:
        for line in proc.stdout:
            if stream:
                sys.stdout.write(line)
            else:
                kept.append(line)
            match = SUMMARY.match(line.strip().strip("="))
            if match:
                summary = match.group(1)
                counts = {}
                for number, kind in COUNT.findall(summary):
                    key = "errors" if kind.startswith("error") else kind
                    counts[key] = counts.get(key, 0) + int(number)
        code = proc.wait()
    if not stream:
        with PRINT:
            sys.stdout.write(header + "".join(kept) + f"=== lane {name} ended after "
                             f"{time.monotonic() - began:.0f} s\n")
            sys.stdout.flush()
    return code, time.monotonic() - began, counts, summary


def run_tracks(names: list[str], extra: list[str]) -> dict[str, tuple[int, float, dict[str, int], str]]:
    """Run the lanes of each of `TRACKS` (those in ``names``) in turn, the tracks side by side
    on two threads (lanes in no track run after them); results by lane."""
    results: dict[str, tuple[int, float, dict[str, int], str]] = {}

    def track(lanes: list[str]) -> None:
        for name in lanes:
            results[name] = run_lane(name, extra, stream=False)

    tracks = [[n for n in t if n in names] for t in TRACKS]
    threads = [threading.Thread(target=track, args=(lanes,)) for lanes in tracks if lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in names:
        if name not in results:
            results[name] = run_lane(name, extra)
    return results


def main(argv: list[str]) -> int:
    """Run the lanes named in ``argv`` (default all; ``--list`` prints them); return 0 if all passed."""
    if "--list" in argv:
        print("\n".join(LANES))
        return 0
    extra: list[str] = []
    if "--" in argv:
        argv, extra = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    names = [a for a in argv if not a.startswith("-")] or list(LANES)
    unknown = [n for n in names if n not in LANES]
    if unknown:
        print(f"test_lanes: unknown lane(s) {unknown}; lanes: {', '.join(LANES)}", file=sys.stderr)
        return 2
    began = time.monotonic()
    if "--serial" in argv or len(names) == 1:
        results = [(name, *run_lane(name, extra)) for name in names]
    else:
        by_lane = run_tracks(names, extra)
        results = [(name, *by_lane[name]) for name in names]
    total: dict[str, int] = {}
    print("\n=== lane timings")
    for name, code, seconds, counts, summary in results:
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"{name:<11} {seconds:7.1f} s  {status:<16} {summary}")
    print(f"{'all':<11} {time.monotonic() - began:7.1f} s")
    failed_lanes = [name for name, code, *_ in results if code != 0]
    if failed_lanes:
        print(f"failed lanes: {', '.join(failed_lanes)}")
    # A lane that failed without a pytest count (a crash, a missing chroot) still counts once.
    failed = max(total.get("failed", 0) + total.get("errors", 0), len(failed_lanes))
    print(f"tests: {total.get('passed', 0)} passed, {failed} failed")
    return 1 if failed_lanes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
