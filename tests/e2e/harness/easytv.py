"""What EasyTV shows from outside (README, "For skinners"): widget listings and home-window properties."""

from __future__ import annotations

import time
from typing import Callable

from .kodi import KodiInstance
from .procs import WaitTimeout

NEXT_EPISODES = "plugin://service.easytv/next_episodes"
START_FRESH = "plugin://service.easytv/start_fresh"
SHOW_FIELDS = ("TVShowTitle", "TVShowID", "EpisodeID", "Title", "Season", "Episode", "EpisodeNo",
               "File", "Plot", "Thumb", "Poster", "Fanart", "ResumeSeconds", "TotalSeconds",
               "PercentPlayed", "IsSkipped", "CountWatchedEps", "CountUnwatchedEps", "LastPlayed")


def episode_no(item: dict) -> str:
    """``S01E02`` from a listing item's (or episode's) ``season``/``episode``."""
    return f"S{int(item.get('season', -1)):02d}E{int(item.get('episode', -1)):02d}"


def show_properties(kodi: KodiInstance, tvshowid: int) -> dict[str, str]:
    """All ``EasyTV.<tvshowid>.<Field>`` properties, Field -> value ("" when unset)."""
    values = kodi.get_properties([f"EasyTV.{tvshowid}.{f}" for f in SHOW_FIELDS])
    return {f: values[f"EasyTV.{tvshowid}.{f}"] for f in SHOW_FIELDS}


def wait_listing(kodi: KodiInstance, url: str, predicate: Callable[[list[dict]], bool],
                 timeout: float, since: float | None = None) -> tuple[list[dict], float]:
    """Poll ``Files.GetDirectory(url)`` until ``predicate(items)``; return (items, latency).

    ``latency`` is seconds from ``since`` (a ``time.monotonic()`` value, default: now) to the
    arrival of the first matching listing; the deadline is ``since + timeout``. Raises
    ``WaitTimeout`` showing the last listing.
    """
    start = time.monotonic() if since is None else since
    deadline = start + timeout
    last: list[dict] = []
    while True:
        last = kodi.get_directory(url)
        arrived = time.monotonic()
        if predicate(last):
            return last, arrived - start
        if arrived >= deadline:
            summary = [(i.get("showtitle"), episode_no(i)) for i in last]
            raise WaitTimeout(f"{kodi.name}: {url} did not match within {timeout:.1f} s; "
                              f"last listing {summary}")
        time.sleep(0.05)


def describe(items: list[dict]) -> str:
    """A readable table of listing items: show, SxxEyy, title, resume."""
    rows = [("Show", "Episode", "Title", "Resume")]
    for item in items:
        resume = item.get("resume") or {}
        position, total = resume.get("position", 0), resume.get("total", 0)
        rows.append((item.get("showtitle", ""), episode_no(item), item.get("title", ""),
                     f"{position:.0f}/{total:.0f} s" if position else "-"))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if not items:
        lines.append("(empty)")
    return "\n".join(lines)


def device_id_of(kodi: KodiInstance) -> str:
    """EasyTV's device id of ``kodi`` (``addon_data/service.easytv/device_id``, written at the
    service's first start); "" before that."""
    try:
        return (kodi.userdata / "addon_data" / "service.easytv" / "device_id").read_text().strip()
    except FileNotFoundError:
        return ""
