"""`make bench`: speed of the pure core over a generated 2,000-show / 100,000-episode library.

Prints figures, asserts nothing: parsing Kodi-shaped records, the whole-library next-episode
rule (SPEC §9 target: well under 1 s), rendering the property cache, and diffing it after one
show changed.
"""

import os
import random
import statistics
import sys
import time

sys.path[:0] = [os.path.join(os.path.dirname(__file__), "..", "lib"), os.path.join(os.path.dirname(__file__), "..",
                                                                                      "tests")]

from easytv.core import properties  # noqa: E402
from easytv.core.models import Episode, TVShow  # noqa: E402
from easytv.core.rule import next_episodes  # noqa: E402
from kodi_shapes import episode, tvshow  # noqa: E402

SHOWS, PER_SHOW, RUNS = 2000, 50, 5


def library(rng):
    """Kodi-shaped dicts: shows with 5 seasons x 10 episodes, a random watched prefix with gaps,
    a positioned special per show and some multi-episode files."""
    shows, episodes = [], []
    for tvshowid in range(1, SHOWS + 1):
        shows.append(tvshow(tvshowid, dateadded="2026-01-%02d 10:00:00" % (1 + tvshowid % 28)))
        watched = rng.randint(0, PER_SHOW)
        for n in range(PER_SHOW - 1):
            season, number = 1 + n // 10, 1 + n % 10
            shared = "/tv/%d/multi%d.mp4" % (tvshowid, n // 2) if n % 17 in (3, 4) else None
            episodes.append(episode(season, number, tvshowid=tvshowid, watched=n < watched and rng.random() > 0.05,
                                    file=shared, lastplayed="2026-02-%02d 20:00:00" % (1 + n % 28) if n < watched
                                    else ""))
        episodes.append(episode(0, 1, tvshowid=tvshowid, specialsortseason=2, specialsortepisode=4096))
    return shows, episodes


def timed(fn, runs=RUNS):
    """(median seconds, result of the last run)."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    rng = random.Random(20261121)
    raw_shows, raw_episodes = library(rng)
    print("library: %d shows, %d episodes (Kodi-shaped records)" % (len(raw_shows), len(raw_episodes)))

    t_parse, (shows, episodes) = timed(lambda: ([TVShow.from_jsonrpc(s) for s in raw_shows],
                                                [Episode.from_jsonrpc(e) for e in raw_episodes]))
    print("parse GetTVShows + GetEpisodes records ........ %8.1f ms" % (t_parse * 1000))
    for specials in (False, True):
        def rule(specials=specials):
            return next_episodes(shows, episodes, include_positioned_specials=specials,
                                 random_order_shows=range(1, 101), choose=rng.choice)
        t_rule, states = timed(rule)
        print("next-episode rule, whole library, specials=%-5s %8.1f ms  (%d tracked shows)"
              % (specials, t_rule * 1000, len(states)))
    print("parse + rule (whole-library computation) ...... %8.1f ms  target < 1000 ms" % ((t_parse + t_rule) * 1000))

    t_render, props = timed(lambda: properties.render(states))
    print("render property cache ......................... %8.1f ms  (%d properties)" % (t_render * 1000, len(props)))
    t_full, changes = timed(lambda: properties.diff({}, props))
    print("diff, empty window -> full cache .............. %8.1f ms  (%d to write)" % (t_full * 1000, len(changes.set)))
    changed_id = next(iter(states))
    one = dict(states)
    one.pop(changed_id)
    after = properties.render(one)
    t_one, changes = timed(lambda: properties.diff(props, after))
    print("diff after one show changed ................... %8.1f ms  (%d set, %d cleared)"
          % (t_one * 1000, len(changes.set), len(changes.clear)))
    t_cycle, _ = timed(lambda: properties.diff(props, properties.render(one)))
    print("one-show update cycle (render + diff) ......... %8.1f ms" % (t_cycle * 1000))
    print("python %s, median of %d runs" % (sys.version.split()[0], RUNS))


if __name__ == "__main__":
    main()
