"""The engine: turns library events into show states, the window cache and the store.

Works on interfaces only (`Library`, `Store`, a `WindowCache`), with the clock passed in, so
unit tests drive it with fakes. Not thread-safe: only the service loop calls it.
"""

import dataclasses
import logging
import random
import time
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from easytv.app import fullread
from easytv.app.cache import WindowCache
from easytv.app.fullread import Chunks
from easytv.app.interfaces import Library, Store
from easytv.app.rebuild import RebuildFollower
from easytv.app.remote import SCAN_DEBOUNCE_SECONDS, RemoteRows
from easytv.core import events, properties
from easytv.core.errors import Error
from easytv.core.models import ShowState, TVShow
from easytv.core.rekey import Identity, show_identity
from easytv.core.rule import next_episode
from easytv.core.settings import Settings

LOG = logging.getLogger("EasyTV.engine")

RETRY_SECONDS = 10.0
"""Delay before retrying a full recompute that failed (seconds)."""


class Engine(RemoteRows):
    """Keeps `{tvshowid: ShowState}` current and publishes it.

    `clock` returns monotonic seconds (scheduling); `wall_clock` seconds since the epoch (the
    event time stamped on every state, which decides conflicts between devices). Events are
    queued with `handle()` and processed by `step()`; a failing step is logged and retried, it
    never raises `easytv` errors. Local changes go to `store.save()` as rows; rows adopted from
    other devices (`apply_remote`) are never written back.

    After a library rebuild (shows under new tvshowids, see `easytv.core.rekey`) random-order
    picks follow their shows, and `on_show_ids(ids)` is called with the `random_order_shows`
    setting re-keyed to the new ids (a sorted tuple) for the caller to store and share.
    The sync side (`apply_remote`, `reconcile`, `snapshot_rows`, `shift_times`) lives in
    `easytv.app.remote`.
    """

    def __init__(self, library: Library, cache: WindowCache, store: Store, settings: Settings,
                 clock: Callable[[], float], rng: Optional[random.Random] = None,
                 wall_clock: Callable[[], float] = time.time, device_id: str = "",
                 on_show_ids: Callable[[Tuple[int, ...]], None] = lambda ids: None) -> None:
        self._library = library
        self._cache = cache
        self.store = store
        self._settings = settings
        self._clock = clock
        self._wall_clock = wall_clock
        self.device_id = device_id
        self._rng = rng or random.Random()
        self.states: Dict[int, ShowState] = {}
        self.times: Dict[int, float] = {}
        self.full_time = 0.0
        self.full_done = False
        self._shows: Dict[int, TVShow] = {}
        self._titles: Dict[int, TVShow] = {}
        self._episode_show: Dict[int, int] = {}
        self._picks: Dict[int, int] = {}
        self._full_at: Optional[float] = None
        self._dirty_shows: Set[int] = set()
        self._dirty_episodes: Set[int] = set()
        self._refresh_shows: Set[int] = set()
        self._rebuild = RebuildFollower(on_show_ids)
        self._failing_until: Optional[float] = None
        self._job: Optional[Chunks[None]] = None

    # -- input -------------------------------------------------------------------------------

    def start(self) -> None:
        """Adopt what an earlier run left in the window and schedule the full recompute now."""
        previous = self._cache.load_previous()
        for tvshowid in self._settings.random_order_shows:
            pick = previous.get(properties.show_key(tvshowid, "EpisodeID"), "")
            if pick.isdigit():
                self._picks[tvshowid] = int(pick)
        self._full_at = self._clock()

    def handle(self, event: events.Event) -> None:
        """Queue the work one event asks for (cheap: no JSON-RPC here)."""
        if isinstance(event, (events.EpisodeChanged, events.PlaybackStopped, events.EpisodeRemoved)):
            self._dirty_episodes.add(event.episodeid)
        elif isinstance(event, events.ShowChanged):
            self._refresh_shows.add(event.tvshowid)
            self._dirty_shows.add(event.tvshowid)
        elif isinstance(event, events.ShowRemoved):
            self._shows.pop(event.tvshowid, None)
            self._dirty_shows.add(event.tvshowid)
        elif isinstance(event, events.LibraryChanged):
            self._full_at = self._clock() + SCAN_DEBOUNCE_SECONDS

    def apply_settings(self, settings: Settings, adopted: bool = False) -> None:
        """Take a new settings snapshot; a change to what "next" means recomputes everything.

        `adopted`: the settings come from the shared database (another device changed them).
        A show they newly make random-order keeps the next episode it has as its pick: that is
        the changing device's pick (its rows arrive with the settings, or already came), so no
        device draws a pick of its own over it (README, "Multi-instance sync").
        """
        changed = settings.rule_fingerprint != self._settings.rule_fingerprint
        if adopted:
            for tvshowid in set(settings.random_order_shows) - set(self._settings.random_order_shows):
                state = self.states.get(tvshowid)
                if state is not None and tvshowid not in self._picks:
                    self._picks[tvshowid] = state.next.episodeid
        self._settings = settings
        if changed:
            LOG.info("Rule settings changed; recomputing every show")
            self._full_at = self._clock()

    @property
    def recomputing(self) -> bool:
        """True while a full recompute is due or under way (its changed rows are not saved yet)."""
        return self._job is not None or self._full_at is not None

    # -- work --------------------------------------------------------------------------------

    def step(self) -> None:
        """Do the queued work: a due full recompute, else the affected shows; then publish.

        Never raises: an `easytv` error is logged and retried; any other exception (a bug) is
        logged once with its traceback and the work retried every `RETRY_SECONDS` (STYLE rule
        14: log once, back off), quietly until a step succeeds again.
        """
        if self._failing_until is not None and self._clock() < self._failing_until:
            return
        try:
            self._work()
        except Exception:  # noqa: BLE001 - a bug must not re-read the library every tick
            if self._failing_until is None:
                LOG.exception("Unexpected failure in the engine; retrying every %.0f s", RETRY_SECONDS)
            else:
                LOG.debug("The engine is still failing; retrying in %.0f s", RETRY_SECONDS)
            self._failing_until = self._clock() + RETRY_SECONDS
            return
        if self._failing_until is not None:
            LOG.info("The engine works again")
            self._failing_until = None

    def _work(self) -> None:
        if self._job is None and self._full_at is not None and self._clock() >= self._full_at:
            # Everything queued so far is covered by the read that starts now; what arrives
            # while it runs (across steps) stays queued for after it.
            self._full_at = None
            self._dirty_shows.clear()
            self._dirty_episodes.clear()
            self._refresh_shows.clear()
            self._job = self._recompute_all()
        if self._job is not None:
            try:
                done, _ = fullread.run_slice(self._job, self._clock)
            except Error as exc:
                self._job = None
                LOG.warning("Full recompute failed, retrying in %.0f s: %s", RETRY_SECONDS, exc)
                self._full_at = self._clock() + RETRY_SECONDS
                return
            except BaseException:
                self._job = None
                if self._full_at is None:
                    self._full_at = self._clock()
                raise
            if done:
                self._job = None
            return
        if self._dirty_episodes or self._dirty_shows:
            self._recompute_dirty()

    def _recompute_all(self) -> "Chunks[None]":
        """The full recompute, a chunked job (`easytv.app.fullread`): it yields between its
        JSON-RPC calls, and `step()` runs it for at most a time slice per step."""
        # A show's own lastplayed is left out of its state: the rule takes the latest of its
        # episodes, and states then compare equal on every device.
        # The event time is taken before reading: a change another device makes while the
        # library is being read is newer than this snapshot and must win over it.
        now = self._wall_clock()
        shows, episodes = yield from fullread.read_library(self._library)
        shows = [dataclasses.replace(s, lastplayed="") for s in shows]
        moved = self._follow({i: show_identity(s) for i, s in self._titles.items()},
                             {**self._rebuild.gone, **self.states}, {s.tvshowid: show_identity(s) for s in shows})
        self._shows = {s.tvshowid: s for s in shows}
        self._titles.update(self._shows)
        self._episode_show = {e.episodeid: e.tvshowid for e in episodes}
        if self._rebuild.carry:
            carried: Dict[int, List] = {i: [] for i in self._rebuild.carry}
            for ep in episodes:
                if ep.tvshowid in carried:
                    carried[ep.tvshowid].append(ep)
            for tvshowid, show_episodes in carried.items():
                self._keep_carried_pick(tvshowid, show_episodes, final=True)
        states = yield from fullread.compute_states(shows, episodes, self._settings.include_positioned_specials,
                                                    set(self._settings.random_order_shows), self._picks,
                                                    self._rng.choice)
        states = yield from fullread.add_display(self._library, states)
        rendered = yield from fullread.render_shows(states)
        # Shows adopted from other devices while this job ran (newer than its snapshot) stay.
        fullread.keep_adopted(states, rendered, self.states, [i for i, t in self.times.items() if t > now])
        removed = set(self.states) - set(states)
        changed = {i: s for i, s in states.items() if self.states.get(i) != s}
        self._rebuild.gone.update((i, self.states[i]) for i in removed)
        self.states = states
        for tvshowid in changed:
            self.times[tvshowid] = now
        for tvshowid in removed:
            self.times.pop(tvshowid, None)
        self.full_time = now
        self.full_done = True
        LOG.info("Computed %d shows from %d episodes (%d tracked)", len(shows), len(episodes), len(states))
        self._publish(changed, removed, rendered=rendered)
        # Followed ids are done with (their tombstones were named above); ids of shows gone
        # without a successor stay known, so a later re-scan that brings them back follows them.
        for old in moved:
            self._rebuild.gone.pop(old, None)
            if old not in self._shows:
                self._titles.pop(old, None)
        for tvshowid in states:
            self._rebuild.gone.pop(tvshowid, None)

    def _resolve_episodes(self) -> None:
        """Name the shows of the changed episodes. Episodes this device has not seen yet (a
        scan adding them) are asked in one batched call of at most `DETAIL_BATCH` per step
        (`easytv.app.fullread`); while a full recompute is due they are left to it."""
        unknown = sorted(i for i in self._dirty_episodes if i not in self._episode_show)
        for episodeid in self._dirty_episodes:
            if episodeid in self._episode_show:
                self._dirty_shows.add(self._episode_show[episodeid])
        self._dirty_episodes.clear()
        if not unknown or self._full_at is not None:
            return
        asked, later = unknown[:fullread.DETAIL_BATCH], unknown[fullread.DETAIL_BATCH:]
        self._dirty_episodes.update(later)
        try:
            found = self._library.episode_tvshowids(asked)
        except Error as exc:
            LOG.warning("Cannot find the shows of %d episodes: %s", len(asked), exc)
            return
        for episodeid in asked:
            if episodeid not in found:
                LOG.debug("Episode %d is not in the library; ignored", episodeid)
        self._dirty_shows.update(found.values())

    def _recompute_dirty(self) -> None:
        self._resolve_episodes()
        changed: Dict[int, ShowState] = {}
        removed: Set[int] = set()
        now = self._wall_clock()
        for tvshowid in sorted(self._dirty_shows):
            try:
                state = self._recompute_show(tvshowid)
            except Error as exc:
                LOG.warning("Recomputing show %d failed; keeping its cached state: %s", tvshowid, exc)
                continue
            except Exception:  # noqa: BLE001 - one bad show must not stop the others
                LOG.exception("Unexpected failure recomputing show %d; keeping its cached state", tvshowid)
                continue
            if state is None:
                gone = self.states.pop(tvshowid, None)
                if gone is not None:
                    self._rebuild.gone[tvshowid] = gone
                    removed.add(tvshowid)
                    self.times[tvshowid] = now
            elif self.states.get(tvshowid) != state:
                self.states[tvshowid] = state
                self.times[tvshowid] = now
                changed[tvshowid] = state
        self._dirty_shows.clear()
        self._publish(changed, removed)

    def _recompute_show(self, tvshowid: int) -> Optional[ShowState]:
        show = None if tvshowid in self._refresh_shows else self._shows.get(tvshowid)
        self._refresh_shows.discard(tvshowid)
        if show is None:
            show = self._library.tvshow(tvshowid)
            if show is None:
                self._shows.pop(tvshowid, None)
                return None
            show = dataclasses.replace(show, lastplayed="")
            known = self._titles.get(tvshowid)
            if known is None or show_identity(known) != show_identity(show):
                self._follow_new_show(show)
            self._shows[tvshowid] = show
            self._titles[tvshowid] = show
        episodes = self._library.episodes(tvshowid)
        for ep in episodes:
            self._episode_show[ep.episodeid] = ep.tvshowid
        if tvshowid in self._rebuild.carry:
            self._keep_carried_pick(tvshowid, episodes, final=False)
        is_random = tvshowid in self._settings.random_order_shows
        return next_episode(
            show, episodes,
            include_positioned_specials=self._settings.include_positioned_specials,
            random_order=is_random,
            previous_pick=self._picks.get(tvshowid),
            choose=self._rng.choice,
        )

    def _publish(self, changed: Dict[int, ShowState], removed: Iterable[int], save: bool = True,
                 rendered: Optional[Dict[str, str]] = None) -> None:
        """Write the cache: all of it after a full recompute (`rendered`: every show's
        properties), else only the shows in `changed` and `removed` and the id lists (O(k));
        then save their rows if `save`."""
        for tvshowid, state in changed.items():
            if tvshowid in self._settings.random_order_shows:
                self._picks[tvshowid] = state.next.episodeid
        removed = set(removed)
        for tvshowid in removed:
            self._picks.pop(tvshowid, None)
        if rendered is not None:
            written = self._cache.replace(self.states, rendered)
        else:
            written = self._cache.update({i: self.states.get(i) for i in set(changed) | removed})
        if changed or removed:
            LOG.debug("Published %d changed and %d removed shows (%d properties written)",
                      len(changed), len(removed), written)
            if save:
                self.store.save([self._row(i) for i in sorted(set(changed) | removed)])

    # -- library rebuilds ----------------------------------------------------------------------

    def _follow(self, known: Mapping[int, Identity], old_states: Mapping[int, ShowState],
                library: Mapping[int, Identity]) -> Dict[int, int]:
        moved, self._settings = self._rebuild.follow(known, old_states, library, self._settings)
        for old in moved:
            self._picks.pop(old, None)
        return moved

    def _follow_new_show(self, show: TVShow) -> None:
        moved, self._settings = self._rebuild.follow_new_show(show, self._titles, self._shows, self._settings)
        for old in moved:
            self._picks.pop(old, None)
            self._titles.pop(old, None)

    def _keep_carried_pick(self, tvshowid: int, episodes: List, final: bool) -> None:
        episodeid = self._rebuild.carried_pick(tvshowid, episodes, final)
        if episodeid is not None:
            self._picks[tvshowid] = episodeid
