"""The service's own CPU at idle inside real Kodi (README, "Development"; issue 9 "Idle cost").

Starts a private MariaDB and two headless Kodi ("Living Room", "Bedroom", tests/e2e/harness) with
EasyTV and ``multi_instance_sync`` on, as a user's rooms run it: each device marks one episode
watched (``VideoLibrary.SetEpisodeDetails``), so each receives the other's wake-up hint for a
change its next poll finds, and knows that hints arrive (it then polls every 20 s). Once both
are quiet it measures Living Room's CPU time (user + system, from ``/proc/PID/stat``, in clock
ticks) over the same idle interval twice: with EasyTV running, and after
``Addons.SetAddonEnabled`` has disabled it there (Kodi stops the service). Kodi's CPU time is the
process' own, so other load on the machine changes it little. Prints both, the difference in
percent of one core, and the target (<= 0.5 %). Also counts the queries both idle devices sent
(``Questions`` on the private server) per minute and device while EasyTV ran on both. Stops
everything it started.

    .venv/bin/python tools/bench_idle_cpu.py [--seconds 300]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from harness.cluster import Cluster, Device  # noqa: E402
from harness.control import wait_storage  # noqa: E402
from harness.library import get_episodes  # noqa: E402
from harness.procs import wait_until  # noqa: E402

TARGET_PERCENT = 0.5
TICKS = os.sysconf("SC_CLK_TCK")
SETTLE_SECONDS = 20.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far, in seconds (``/proc/PID/stat``
    fields 14 and 15, in clock ticks; proc(5))."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def questions(cluster: Cluster) -> int:
    """Statements the server has run so far (global status ``Questions``), the harness' own
    reads included (subtracted by the caller)."""
    return int(cluster.db.sql("SHOW GLOBAL STATUS LIKE 'Questions'")[0][1])


def measure(pid: int, seconds: float) -> float:
    """Kodi's CPU seconds over ``seconds`` of wall time."""
    before = cpu_seconds(pid)
    time.sleep(seconds)  # the interval being measured, not a wait for a condition
    return cpu_seconds(pid) - before


def main(argv: list[str] | None = None) -> int:
    """Run the measurement; return 0 when the target is met, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="each idle interval (default 300)")
    args = parser.parse_args(argv)
    devices = [Device(name, {"multi_instance_sync": True, "next_prompt": False}) for name in ("Living Room", "Bedroom")]
    with Cluster(devices, with_addon=True) as cluster:
        kodi = cluster["Living Room"]
        for device in cluster.instances:
            wait_storage(device, "shared", timeout=60)
        time.sleep(SETTLE_SECONDS)  # let the first sync and the library pass finish before measuring
        first = {}  # tvshowid -> its S01E01
        for episode in get_episodes(kodi):
            if (episode["season"], episode["episode"]) == (1, 1):
                first.setdefault(episode["tvshowid"], episode["episodeid"])
        for (device, other), (tvshowid, episodeid) in zip(
                ((cluster.instances[0], cluster.instances[1]), (cluster.instances[1], cluster.instances[0])),
                sorted(first.items())):
            # A change on each device: the other gets its hint, polls, pulls it (and so knows
            # that hints arrive): its cache moves past the episode.
            device.call("VideoLibrary.SetEpisodeDetails", {"episodeid": episodeid, "playcount": 1})
            wait_until(lambda other=other, tvshowid=tvshowid, episodeid=episodeid: other.get_property(
                f"EasyTV.{tvshowid}.EpisodeID") not in ("", str(episodeid)), 30,
                what=f"{other.name} pulled {device.name}'s change")
        q_before = questions(cluster)
        with_easytv = measure(kodi.pid, args.seconds)
        q_after = questions(cluster)
        kodi.call("Addons.SetAddonEnabled", {"addonid": "service.easytv", "enabled": False})
        wait_until(lambda: kodi.get_property("EasyTV.Service") == "", 30, what="EasyTV service stopped")
        time.sleep(SETTLE_SECONDS)
        without = measure(kodi.pid, args.seconds)
    per_minute = (q_after - q_before - 2) * 60.0 / args.seconds / len(devices)  # less the two SHOW STATUS
    on = 100.0 * with_easytv / args.seconds
    off = 100.0 * without / args.seconds
    extra = on - off
    print(f"Kodi CPU at idle over {args.seconds:.0f} s: with EasyTV (sync on) {on:.2f} % of one core, "
          f"without {off:.2f} %")
    print(f"  EasyTV's own idle CPU: {extra:+.2f} % of one core   target <= {TARGET_PERCENT} %   "
          f"{'met' if extra <= TARGET_PERCENT else 'missed'}")
    print(f"  queries per minute and idle device (hints arriving): {per_minute:.1f}   target <= 4   "
          f"{'met' if per_minute <= 4 else 'missed'}")
    return 0 if extra <= TARGET_PERCENT else 1


if __name__ == "__main__":
    sys.exit(main())
