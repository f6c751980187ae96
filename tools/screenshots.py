"""Screenshots of EasyTV's dialogs from real Kodi under Xvfb at 1280x720 (`make screenshots`).

    python tools/screenshots.py    saves docs/*.png, prints each path, stops everything
    python tools/screenshots.py --size 1920x1080 --out build/shots-1080p    the same at 1080p

Starts the e2e harness's environment (tests/e2e/harness): a private MariaDB and two Kodi
("Living Room", "Bedroom") with ``multi_instance_sync`` on, seeds a viewing history with
``VideoLibrary.SetEpisodeDetails``, then opens on Living Room, one after the other: the chooser,
the next-episode prompt, the missed-episode warning, each settings category and Sync status.
Look at every picture before committing it: text must not be cut or overlap.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

import harness.kodi  # noqa: E402
from harness.cluster import Cluster, Device  # noqa: E402
from harness.control import answer_yes_no, wait_log, wait_storage  # noqa: E402
from harness.dialogs import back_out, is_active, select_rows, stop_player  # noqa: E402
from harness.easytv import NEXT_EPISODES, wait_listing  # noqa: E402
from harness.kodi import KodiInstance  # noqa: E402
from harness.library import get_episodes  # noqa: E402
from harness.procs import wait_until  # noqa: E402

DOCS = REPO / "docs"
SIZE = (1280, 720)
SETTINGS = {"multi_instance_sync": True, "next_prompt_seconds": 60, "missed_episode_check": True}
DEVICES = [Device("Living Room", SETTINGS), Device("Bedroom", {"multi_instance_sync": True})]
# (show, season, episode, playcount, resume seconds), oldest first.
HISTORY = [("Echo Empire", 1, 1, 1, 0), ("Bravo Bay", 1, 1, 1, 0), ("Bravo Bay", 1, 2, 1, 0),
           ("Delta Drift", 1, 1, 1, 0), ("Golf Gardens", 1, 1, 1, 0), ("Golf Gardens", 1, 2, 0, 4),
           ("Alpha Station", 1, 1, 1, 0)]


def use_screen(size: tuple[int, int]) -> None:
    """Make the harness start Xvfb and grab screenshots at ``size``: it reads the module constant
    ``harness.kodi.SCREEN`` at each start and grab (fails loudly if that name goes away)."""
    if not hasattr(harness.kodi, "SCREEN"):
        raise SystemExit("tests/e2e/harness/kodi.py has no SCREEN constant any more; update use_screen()")
    harness.kodi.SCREEN = size


def seed_history(kodi: KodiInstance) -> dict[tuple[str, int, int], int]:
    ids = {(e["showtitle"], e["season"], e["episode"]): e["episodeid"] for e in get_episodes(kodi)}
    for minutes_ago, (show, season, episode, playcount, resume) in enumerate(reversed(HISTORY)):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() - 60 * (minutes_ago + 1)))
        details = {"episodeid": ids[(show, season, episode)], "playcount": playcount, "lastplayed": stamp}
        if resume:
            details["resume"] = {"position": resume, "total": 10}
        kodi.call("VideoLibrary.SetEpisodeDetails", details)
    return ids


OUT = [DOCS]


def shot(kodi: KodiInstance, name: str) -> None:
    path = kodi.screenshot(OUT[0] / name, settle=3.0)
    print(f"saved {path}")


def visible(kodi: KodiInstance, condition: str) -> bool:
    return bool(kodi.call("XBMC.GetInfoBooleans", {"booleans": [condition]})[condition])


def chooser(kodi: KodiInstance) -> None:
    kodi.run_builtin("RunScript(service.easytv,browse)")
    select_rows(kodi)
    shot(kodi, "chooser.png")
    back_out(kodi)


def prompt(kodi: KodiInstance, ids: dict) -> None:
    since = kodi.kodi_log_path.stat().st_size
    kodi.play_to_watched(ids[("Alpha Station", 1, 2)])
    wait_log(kodi, "[EasyTV.watching] Next-episode prompt: offering", 15, since)
    wait_until(lambda: visible(kodi, "Window.IsVisible(script-easytv-nextprompt.xml)"), 10, what="prompt shown")
    shot(kodi, "next-prompt.png")
    kodi.call("Input.Back")
    wait_until(lambda: not visible(kodi, "Window.IsVisible(script-easytv-nextprompt.xml)"), 10, what="closed")


def missed(kodi: KodiInstance, ids: dict) -> None:
    kodi.call("Player.Open", {"item": {"episodeid": ids[("Charlie Circuit", 1, 3)]}})
    wait_until(lambda: is_active(kodi, "yesnodialog"), 20, what="missed-episode warning")
    shot(kodi, "missed-episode.png")
    answer_yes_no(kodi, yes=False)
    stop_player(kodi)


def settings_pages(kodi: KodiInstance) -> None:
    kodi.run_builtin("Addon.OpenSettings(service.easytv)")
    wait_until(lambda: is_active(kodi, "addonsettings"), 15, what="settings dialog")
    kodi.call("Input.Left")  # focus moves from the first setting to the category list
    for name in ("settings-general.png", "settings-watching.png", "settings-random-mix.png",
                 "settings-playback.png",
                 "settings-advanced.png"):
        shot(kodi, name)
        kodi.call("Input.Down")  # the next category; its page shows at once
    back_out(kodi, "addonsettings")


def sync_status(kodi: KodiInstance) -> None:
    kodi.run_builtin("RunScript(service.easytv,sync_status)")
    wait_until(lambda: is_active(kodi, "textviewer"), 20, what="Sync status")
    shot(kodi, "sync-status.png")
    back_out(kodi, "textviewer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="%dx%d" % SIZE, help="screen WIDTHxHEIGHT (default 1280x720)")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the PNGs (default docs/)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    OUT[0] = args.out.resolve()
    use_screen((width, height))
    with Cluster(DEVICES, with_addon=True) as cluster:
        kodi = cluster["Living Room"]
        for instance in cluster.instances:
            wait_storage(instance, "shared")
        ids = seed_history(kodi)
        wait_listing(kodi, NEXT_EPISODES, lambda items: len(items) >= 5, 20)
        chooser(kodi)
        prompt(kodi, ids)
        missed(kodi, ids)
        settings_pages(kodi)
        sync_status(kodi)


if __name__ == "__main__":
    main()
