"""EasyTV demo in real Kodi: watch on one device, the other device's widget moves on.

    python tools/demo.py           run the demo, save screenshots to build/demo/, stop everything
    python tools/demo.py --keep    leave MariaDB and Kodi running (PIDs in build/demo/state.json)
    python tools/demo.py --stop    stop exactly the processes a --keep run left behind (`make demo-stop`;
                                   with nothing running it says so and succeeds)
    python tools/demo.py --kodi 21 the same on Kodi 21.2 (Debian 13 chroot; `make demo KODI=21`)

Starts a private MariaDB and two Kodi ("Living Room", "Bedroom") sharing its video library,
with the add-on from this working tree, ``multi_instance_sync`` on, and a generated TV library
(see ``tests/e2e/harness``). Plays an episode on Living Room and shows Bedroom's widget before
and after, the delay, and the shared rows in the database.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from harness.cluster import Cluster, Device  # noqa: E402
from harness.control import wait_storage  # noqa: E402
from harness.easytv import NEXT_EPISODES, START_FRESH, describe, wait_listing  # noqa: E402
from harness.kodi import KodiInstance  # noqa: E402
from harness.library import get_episodes  # noqa: E402
from harness.procs import is_running, terminate, wait_until  # noqa: E402
from harness.shareddb import SHARED_DB, shows_with_devices, table_text  # noqa: E402
from harness.watch import ListingWatcher  # noqa: E402

OUT = REPO / "build" / "demo"
STATE = OUT / "state.json"
SETTINGS = {"include_positioned_specials": True, "multi_instance_sync": True, "next_prompt": False}  # no autoplay
DEVICES = [Device("Living Room", SETTINGS), Device("Bedroom", SETTINGS)]
# Viewing history seeded before the demo: (show, season, episode, playcount, resume seconds).
HISTORY = [("Bravo Bay", 1, 1, 1, 0), ("Bravo Bay", 1, 2, 1, 0),
           ("Delta Drift", 1, 1, 1, 0), ("Delta Drift", 1, 2, 0, 4),
           ("Alpha Station", 1, 1, 1, 0)]
HOME_WINDOW, VIDEOS_WINDOW = 10000, 10025


def seed_history(kodi: KodiInstance) -> None:
    """Mark HISTORY in the library (oldest first, so the last entry is most recently played)."""
    ids = {(e["showtitle"], e["season"], e["episode"]): e["episodeid"] for e in get_episodes(kodi)}
    for minutes_ago, (show, season, episode, playcount, resume) in enumerate(reversed(HISTORY)):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() - 60 * minutes_ago))
        details = {"episodeid": ids[(show, season, episode)], "playcount": playcount,
                   "lastplayed": stamp}
        if resume:
            details["resume"] = {"position": resume, "total": 10}
        kodi.call("VideoLibrary.SetEpisodeDetails", details)


def show_window(kodi: KodiInstance, window: str, window_id: int, path: str = "") -> None:
    """Activate ``window`` (optionally at ``path``) and wait until it is shown and loaded."""
    params = {"window": window, "parameters": [path]} if path else {"window": window}
    kodi.call("GUI.ActivateWindow", params)

    def shown() -> bool:
        current = kodi.call("GUI.GetProperties", {"properties": ["currentwindow"]})
        labels = kodi.call("XBMC.GetInfoLabels", {"labels": ["Container.FolderPath"]})
        busy = kodi.call("XBMC.GetInfoBooleans", {"booleans": ["Window.IsActive(busydialog)",
                                                               "Window.IsActive(busydialognocancel)"]})
        return (current["currentwindow"]["id"] == window_id and not any(busy.values())
                and (not path or labels["Container.FolderPath"].startswith(path)))

    wait_until(shown, 15, interval=0.1, what=f"{kodi.name}: window {window} shown")


def focus_home_menu(kodi: KodiInstance, label: str) -> None:
    """Move the home menu's focus down to ``label`` (Estuary: Movies, TV shows, ...)."""
    def focused() -> str:
        return kodi.call("XBMC.GetInfoLabels", {"labels": ["System.CurrentControl"]})[
            "System.CurrentControl"]

    for _ in range(10):
        if focused() == label:
            return
        before = focused()
        kodi.call("Input.Down")
        wait_until(lambda before=before: focused() != before, 5, interval=0.05,
                   what="home menu focus moved")
    raise RuntimeError(f"{kodi.name}: home menu item {label!r} not found")


def print_widget(kodi: KodiInstance, heading: str, items: list[dict] | None = None) -> None:
    """Print ``kodi``'s next-episodes widget (``items``, or listed now) as a table."""
    print(f"\n== {heading} - {kodi.name}'s widget: {NEXT_EPISODES}")
    print(describe(kodi.get_directory(NEXT_EPISODES) if items is None else items))


def print_shared_rows(cluster: Cluster) -> None:
    """Print the shared show rows with the name of the device that wrote each."""
    rows = shows_with_devices(cluster.db, SHARED_DB)
    for row in rows:
        row["next"] = f"S{row['season']:02d}E{row['episode']:02d}" if row["episode"] else "-"
        row["in progress"] = "yes" if row["in_progress"] else "no"
        row["event"] = time.strftime("%H:%M:%S", time.localtime(float(row["event_time"])))
    print(f"\n== Shared rows: {SHARED_DB.database}.shows joined with devices (newest first)")
    print(table_text(rows, ("tvshowid", "title", "next", "in progress", "revision", "device",
                            "event")))


def run_demo(cluster: Cluster) -> None:
    """Seed history on Living Room, Bedroom's widget BEFORE, play Living Room's top episode to
    watched, Bedroom's widget AFTER with the delay, the shared rows, screenshots."""
    living_room, bedroom = cluster["Living Room"], cluster["Bedroom"]
    t = cluster.timings
    print(f"Started MariaDB and {len(cluster.instances)} {cluster.kodi_version.name} in {t.total:.1f} s "
          f"(Kodi answering after {t.first_kodi:.1f} s, scan {t.scan:.1f} s)")
    for kodi in cluster.instances:
        wait_storage(kodi, "shared", 30)
        wait_listing(kodi, START_FRESH, bool, 20)  # first computation done
    print("Both devices use the shared database (EasyTV.Storage = shared).")
    seed_history(living_room)
    print("Seeded viewing history on Living Room; waiting for it to reach Bedroom ...")
    for kodi in cluster.instances:
        wait_listing(kodi, NEXT_EPISODES, lambda items: len(items) >= 3, 15)

    with ListingWatcher(bedroom) as watcher:
        before = watcher.latest
        print_widget(bedroom, "BEFORE", before.items)
        top = living_room.get_directory(NEXT_EPISODES)[0]
        print(f"\n>> Living Room: playing {top['label']} to watched ...")
        played = living_room.play_to_watched(top["id"])
        print(f"   watched after {played.watched_at - played.opened_at:.1f} s")
        after, delay = watcher.wait_for(lambda items: items != before.items, 15,
                                        since=played.watched_at)
    print_widget(bedroom, f"AFTER ({delay:.2f} s after Living Room's playcount update)",
                 after.items)
    print_shared_rows(cluster)

    OUT.mkdir(parents=True, exist_ok=True)
    show_window(living_room, "home", HOME_WINDOW)
    focus_home_menu(living_room, "TV shows")
    print(f"\nScreenshot (Living Room, home): "
          f"{living_room.screenshot(OUT / 'home.png', settle=10)}")
    show_window(bedroom, "videos", VIDEOS_WINDOW, NEXT_EPISODES)
    print(f"Screenshot (Bedroom, widget listing): "
          f"{bedroom.screenshot(OUT / 'widget.png', settle=10)}")


def keep(cluster: Cluster) -> None:
    """Leave everything running; write PIDs to STATE and print how to reach and stop it."""
    state = {"base_dir": str(cluster.base_dir), "pids": cluster.pids(), "devices": {}}
    print("\nLeft running (--keep):")
    print(f"  MariaDB   127.0.0.1:{cluster.db.port}  user kodi/kodi  pid {cluster.db.pid}")
    for kodi in cluster.instances:
        state["devices"][kodi.name] = {"jsonrpc": kodi.rpc_url, "tcp_port": kodi.tcp_port,
                                       "display": kodi.display, "log": str(kodi.kodi_log_path)}
        print(f"  {kodi.name}:  JSON-RPC {kodi.rpc_url}   web UI http://127.0.0.1:{kodi.web_port}/"
              f"   DISPLAY={kodi.display}   kodi pid {kodi.pid}, Xvfb pid {kodi.xvfb_pid}")
        print(f"      log: {kodi.kodi_log_path}")
        print(f"      screenshot: ffmpeg -f x11grab -video_size 960x540 -i {kodi.display} "
              f"-frames:v 1 shot.png")
    STATE.parent.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps(state, indent=2) + "\n")
    print(f"  state: {STATE}\n  stop:  make demo-stop")
    cluster.detach()


EXPECTED = {"kodi": "kodi.bin", "xvfb": "Xvfb", "mariadb": "mariadbd"}


def stop_kept() -> int:
    """Stop the PIDs in STATE (Kodi, then Xvfb, then MariaDB), only if they still run the
    program we started; remove the temp dir and STATE. Returns the exit status."""
    if not STATE.exists():
        print("make demo-stop: nothing to stop (no demo left running by `make demo KEEP=1`)")
        return 0
    state = json.loads(STATE.read_text())
    order = [(name, kind, pid) for name, pids in state["pids"]["devices"].items()
             for kind, pid in sorted(pids.items())]
    order.append(("MariaDB", "mariadb", state["pids"]["mariadb"]))
    for name, kind, pid in order:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
        except (FileNotFoundError, TypeError):
            cmdline = ""
        if not is_running(pid) if pid else True:
            print(f"  {name} {kind} (pid {pid}) already gone")
        elif not cmdline.endswith(EXPECTED[kind]):
            print(f"  {name} {kind} (pid {pid}) is now {cmdline!r}: left alone")
        else:
            clean = terminate(pid, timeout=15)
            print(f"  {name} {kind} (pid {pid}) stopped{'' if clean else ' (SIGKILL)'}")
    base = Path(state["base_dir"])
    if base.name.startswith("easytv-e2e-"):
        shutil.rmtree(base, ignore_errors=True)
    STATE.unlink()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--keep", action="store_true", help="leave everything running")
    group.add_argument("--stop", action="store_true", help="stop what --keep left running")
    parser.add_argument("--kodi", type=int, choices=(20, 21), default=None,
                        help="Kodi 20.1 (host) or 21.2 (Debian 13 chroot); default $EASYTV_KODI or 20")
    args = parser.parse_args(argv)
    if args.stop:
        return stop_kept()
    if STATE.exists():
        print(f"{STATE} exists: a `make demo KEEP=1` demo may still run; run `make demo-stop` first")
        return 1
    cluster = Cluster(DEVICES, with_addon=True, keep_files=args.keep, kodi_version=args.kodi)
    cluster.start()
    try:
        run_demo(cluster)
    except BaseException:
        cluster.print_logs(40)
        cluster.stop()
        raise
    if args.keep:
        keep(cluster)
    else:
        cluster.stop()
        print("\nStopped MariaDB, Kodi and Xvfb.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
