"""`make bench`: speed of the pure core over a generated 2,000-show / 100,000-episode library,
and of the device's work per change in a 5,000-show library.

Prints figures, asserts nothing: parsing Kodi-shaped records, the whole-library next-episode
rule (README, "Development" target: well under 1 s), rendering the property cache, and diffing it after one
show changed; then, through the real `Engine` and `WindowCache` over a fake window, a peer
poll that adopts one changed show and a local play (README, "Development": O(k) device work).
"""

import json
import os
import random
import statistics
import sys
import time

sys.path[:0] = [os.path.join(os.path.dirname(__file__), "..", "lib"), os.path.join(os.path.dirname(__file__), "..",
                                                                                      "tests")]

from easytv.app.cache import WindowCache  # noqa: E402
from easytv.app.engine import Engine  # noqa: E402
from easytv.core import events, properties  # noqa: E402
from easytv.core.models import Episode, TVShow  # noqa: E402
from easytv.core.rule import next_episodes  # noqa: E402
from easytv.core.settings import Settings  # noqa: E402
from easytv.core.sync import SharedShow  # noqa: E402
from easytv.kodi.library import RULE_PROPERTIES  # noqa: E402
from fakes import FakeClock, FakeWindow  # noqa: E402
from kodi_shapes import episode, tvshow  # noqa: E402

SHOWS, PER_SHOW, RUNS = 2000, 50, 5
DEVICE_SHOWS, DEVICE_PER_SHOW, DEVICE_RUNS = 5000, 20, 21
DEVICE_TARGET_MS = 5.0


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
    print("parse (every field) + rule ..................... %8.1f ms" % ((t_parse + t_rule) * 1000))

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
    print("one-show full render + diff (start, scan) ..... %8.1f ms" % (t_cycle * 1000))
    cache = WindowCache(FakeWindow())
    cache.replace(states)
    flip = [states[changed_id], one.get(changed_id)]
    t_update, _ = timed(lambda: cache.update({changed_id: flip.reverse() or flip[0]}))
    print("one-show update, WindowCache.update (O(k)) .... %8.3f ms" % (t_update * 1000))
    lean = [{k: v for k, v in e.items() if k in RULE_PROPERTIES or k == "episodeid"} for e in raw_episodes]
    t_lean, _ = timed(lambda: [Episode.from_jsonrpc(e) for e in lean])
    print("parse GetEpisodes, rule fields only ........... %8.1f ms  (%.1f MB of JSON, all fields %.1f MB)"
          % (t_lean * 1000, len(json.dumps(lean)) / 1e6, len(json.dumps(raw_episodes)) / 1e6))
    t_shows, _ = timed(lambda: [TVShow.from_jsonrpc(s) for s in raw_shows])
    # What a full recompute does: the rule's fields of every episode, then the rule.
    verdict("whole library: parse rule fields + rule", t_shows + t_lean + t_rule, 1000)
    print("python %s, median of %d runs" % (sys.version.split()[0], RUNS))
    device()


def verdict(label, seconds, target_ms):
    """One `figure  target  met/missed` line."""
    ms = seconds * 1000
    print("%s %8.2f ms  target <= %.0f ms  %s" % (label.ljust(46, "."), ms, target_ms,
                                                  "met" if ms <= target_ms else "missed"))


class IndexedLibrary:
    """A `Library` over parsed records, indexed by show (so the bench times the engine, not a
    fake's linear scan)."""

    def __init__(self, shows, episodes):
        self.shows = {s.tvshowid: s for s in shows}
        self.by_show = {}
        for ep in episodes:
            self.by_show.setdefault(ep.tvshowid, {})[ep.episodeid] = ep

    def tvshows(self):
        return list(self.shows.values())

    def tvshow(self, tvshowid):
        return self.shows.get(tvshowid)

    def episodes(self, tvshowid=None):
        if tvshowid is None:
            return [ep for eps in self.by_show.values() for ep in eps.values()]
        return list(self.by_show.get(tvshowid, {}).values())

    def episode_pages(self, size=5000):
        everything = self.episodes()
        for start in range(0, len(everything), size):
            yield everything[start:start + size]

    def episode_tvshowids(self, episodeids):
        return {i: t for i in episodeids for t in [self.episode_tvshowid(i)] if t is not None}

    def episode_details(self, episodeids):
        wanted = set(episodeids)
        return {ep.episodeid: ep for eps in self.by_show.values() for ep in eps.values() if ep.episodeid in wanted}

    def episode_tvshowid(self, episodeid):
        for tvshowid, eps in self.by_show.items():
            if episodeid in eps:
                return tvshowid
        return None

    def watch(self, episodeid, tvshowid, lastplayed):
        ep = self.by_show[tvshowid][episodeid]
        self.by_show[tvshowid][episodeid] = Episode(**{**ep.__dict__, "playcount": 1, "lastplayed": lastplayed})


class SwitchClock:
    """A monotonic clock whose source can be switched (real time for the start, then fake)."""

    def __init__(self):
        self.source = time.monotonic

    def __call__(self):
        return self.source()


class NoStore:
    name = "local"

    def save(self, rows):
        pass


def device():
    """Device CPU per change at N = 5,000 shows: the engine and window cache over a fake window."""
    rng = random.Random(5000)
    shows, episodes = [], []
    for tvshowid in range(1, DEVICE_SHOWS + 1):
        shows.append(TVShow.from_jsonrpc(tvshow(tvshowid, dateadded="2026-01-%02d 10:00:00" % (1 + tvshowid % 28))))
        watched = rng.randint(0, DEVICE_PER_SHOW // 2)
        for n in range(DEVICE_PER_SHOW):
            episodes.append(Episode.from_jsonrpc(episode(
                1 + n // 10, 1 + n % 10, tvshowid=tvshowid, watched=n < watched,
                lastplayed="2026-02-%02d 20:%02d:00" % (1 + n % 28, tvshowid % 60) if n < watched else "")))
    library = IndexedLibrary(shows, episodes)
    window = FakeWindow()
    clock = FakeClock()
    # The start (full recompute) on the real monotonic clock: it runs in time slices.
    loop_clock = SwitchClock()
    engine = Engine(library, WindowCache(window), NoStore(), Settings(), loop_clock, rng, wall_clock=clock)
    engine.start()
    steps, longest, start = 0, 0.0, time.perf_counter()
    while not engine.full_done and steps < 1000:
        began = time.perf_counter()
        engine.step()
        steps, longest = steps + 1, max(longest, time.perf_counter() - began)
    t_start = time.perf_counter() - start
    print("device: %d shows, %d episodes, %d properties in the window; start (full recompute) %.0f ms in %d steps"
          % (DEVICE_SHOWS, len(episodes), len(window.props), t_start * 1000, steps))
    verdict("start: longest loop step (abort answered after)", longest, 1000.0)
    loop_clock.source = clock  # the per-change figures below: one step per change

    # A peer poll that found one changed show: `apply_remote` of that row (window writes included).
    other = IndexedLibrary(shows, episodes)
    peer = Engine(other, WindowCache(FakeWindow()), NoStore(), Settings(), FakeClock(), rng, wall_clock=clock)
    peer.start()
    peer.step()
    polls = []
    for run in range(DEVICE_RUNS):
        tvshowid = 1 + (run * 7919) % DEVICE_SHOWS
        state = peer.states.get(tvshowid)
        if state is None:
            continue
        other.watch(state.next.episodeid, tvshowid, "2026-12-01 20:%02d:00" % (run % 60))
        clock.advance(1.0)
        peer.handle(events.EpisodeChanged(state.next.episodeid, 1))
        peer.step()
        new = peer.states.get(tvshowid)
        row = SharedShow(tvshowid, state.show.title, state.show.year, new, clock() + 0.5, "peer")
        start = time.perf_counter()
        adopted = engine.apply_remote([row])
        polls.append(time.perf_counter() - start)
        assert adopted == 1
    verdict("peer poll, 1 changed show (apply_remote)", statistics.median(polls), DEVICE_TARGET_MS)

    # A local play: the episode's notification, then the step that recomputes that show.
    plays = []
    for run in range(DEVICE_RUNS):
        tvshowid = 1 + (run * 104729) % DEVICE_SHOWS
        state = engine.states.get(tvshowid)
        if state is None:
            continue
        library.watch(state.next.episodeid, tvshowid, "2026-12-02 20:%02d:00" % (run % 60))
        clock.advance(1.0)
        engine.handle(events.EpisodeChanged(state.next.episodeid, 1))
        start = time.perf_counter()
        engine.step()
        plays.append(time.perf_counter() - start)
    verdict("local play, 1 show (step: rule + render + diff)", statistics.median(plays), DEVICE_TARGET_MS)
    print("device figures: median of %d changes" % len(plays))


if __name__ == "__main__":
    main()
