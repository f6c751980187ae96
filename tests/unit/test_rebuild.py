"""A library rebuild gives every show a new tvshowid: the shared rows follow in one write."""

from test_sync import Box, Wall

from easytv.core import events
from easytv.core.settings import Settings
from fakes import FakeClock, FakeLibrary
from kodi_shapes import load
from memory_store import MemoryStore


def _rebuilt(library, shift_shows, shift_episodes):
    """The same library after a rebuild: same titles, new ids (some reusing old ones)."""
    library.shows = {i + shift_shows: dict(s, tvshowid=i + shift_shows) for i, s in library.shows.items()}
    library.episodes_by_id = {i + shift_episodes: dict(e, episodeid=i + shift_episodes,
                                                       tvshowid=e["tvshowid"] + shift_shows)
                              for i, e in library.episodes_by_id.items()}


def test_rebuild_rekeys_rows_in_one_write_and_tombstones_gone_ids():
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    store = MemoryStore(clock=Wall(clock))
    living, bedroom = Box("living", library, store, clock), Box("bedroom", library, store, clock)
    for _ in range(8):
        clock.advance(0.5)
        living.run(1)
        bedroom.run(1)
    titles_before = {r.tvshowid: r.title for r in store.rows.values()}
    assert titles_before == {1: "Bravo", 2: "Delta", 3: "Alpha", 4: "Charlie"}
    commits_before = store.commits

    _rebuilt(library, shift_shows=2, shift_episodes=100)  # ids 3 and 4 now name other shows
    living.engine.handle(events.LibraryChanged("VideoLibrary.OnScanFinished"))
    for _ in range(12):
        clock.advance(0.5)
        living.run(1)
        bedroom.run(1)

    live = {r.tvshowid: r.title for r in store.rows.values() if not r.deleted}
    assert live == {3: "Bravo", 4: "Delta", 5: "Alpha", 6: "Charlie"}
    assert {i for i, r in store.rows.items() if r.deleted} == {1, 2}
    assert store.commits == commits_before + 1  # one transaction for the whole rebuild
    alpha = store.rows[5].state
    assert alpha.next.episodeid == 112 and alpha.next.episode == 2  # lists recomputed with new ids
    assert bedroom.window.props["EasyTV.5.EpisodeNo"] == "S01E02"
    assert "EasyTV.1.EpisodeID" not in bedroom.window.props


def _settle(clock, boxes, rounds=12):
    for _ in range(rounds):
        clock.advance(0.5)
        for box in boxes:
            box.run(1)


def _alpha_random_world(random_ids=(3,)):
    """Two service-like devices sharing `random_order_shows` (default: Alpha, tvshowid 3)."""
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    store = MemoryStore(clock=Wall(clock))
    settings = Settings(random_order_shows=random_ids)
    living = Box("living", library, store, clock, settings=settings, like_service=True)
    bedroom = Box("bedroom", library, store, clock, settings=settings, like_service=True)
    _settle(clock, [living, bedroom], 8)
    return clock, library, store, living, bedroom


def _remove_alpha(clock, library, living, bedroom):
    """Alpha (tvshowid 3) and its episodes leave the library, as `VideoLibrary.RemoveTVShow`
    does (Living Room hears OnRemove); returns the show's and its episodes' records."""
    alpha_show = library.shows.pop(3)
    alpha_episodes = {i: e for i, e in library.episodes_by_id.items() if e["tvshowid"] == 3}
    for episodeid in alpha_episodes:
        del library.episodes_by_id[episodeid]
    living.engine.handle(events.ShowRemoved(3))
    _settle(clock, [living, bedroom], 4)
    return alpha_show, alpha_episodes


def test_rebuild_keeps_random_picks_and_rekeys_random_order_shows():
    clock, library, store, living, bedroom = _alpha_random_world()
    picked = store.rows[3].state.next
    assert (picked.season, picked.episode) != (1, 2)  # the pick is not what the plain rule gives
    assert bedroom.next_of(3) == living.next_of(3) == "S%02dE%02d" % (picked.season, picked.episode)

    _rebuilt(library, shift_shows=2, shift_episodes=100)  # Alpha 3 -> 5; id 3 now names Bravo
    living.engine.handle(events.LibraryChanged("VideoLibrary.OnScanFinished"))
    _settle(clock, [living, bedroom])

    assert living.settings.random_order_shows == (5,)
    assert store.settings["random_order_shows"] == "5"
    assert bedroom.settings.random_order_shows == (5,)  # adopted from the shared value
    alpha = store.rows[5].state
    assert alpha.show.title == "Alpha" and alpha.next.episodeid == picked.episodeid + 100
    for box in (living, bedroom):
        assert box.next_of(5) == "S%02dE%02d" % (picked.season, picked.episode)
        assert box.window.props["EasyTV.3.TVShowTitle"] == "Bravo"
    assert store.rows[3].state.show.title == "Bravo" and store.rows[3].state.next.episode == 4  # not random


def test_device_starting_after_an_unfollowed_rebuild_rekeys_from_the_shared_rows():
    clock, library, store, living, bedroom = _alpha_random_world()
    picked = store.rows[3].state.next
    _rebuilt(library, shift_shows=2, shift_episodes=100)  # while no EasyTV was running

    kitchen = Box("kitchen", library, store, clock, like_service=True)  # fresh start, no local settings
    _settle(clock, [kitchen])

    assert kitchen.settings.random_order_shows == (5,)
    assert store.settings["random_order_shows"] == "5"
    assert kitchen.next_of(5) == "S%02dE%02d" % (picked.season, picked.episode)
    assert store.rows[5].state.next.episodeid == picked.episodeid + 100
    assert {i for i, r in store.rows.items() if r.deleted} == {1, 2}


def test_a_device_that_missed_the_scan_reads_the_library_again():
    clock, library, store, living, bedroom = _alpha_random_world(random_ids=())
    _rebuilt(library, shift_shows=2, shift_episodes=100)
    living.engine.handle(events.LibraryChanged("VideoLibrary.OnScanFinished"))  # bedroom gets no event
    _settle(clock, [living, bedroom])

    # A play on bedroom after the rebuild: its show is named from the library as it is now
    # (with a stale snapshot, id 3 would still be "Alpha" there).
    library.episodes_by_id[104]["playcount"] = 1  # Bravo S01E04 under its new ids
    bedroom.engine.handle(events.EpisodeChanged(104, 1))
    _settle(clock, [living, bedroom], 6)
    bravo = store.rows[3].state
    assert bravo.show.title == "Bravo" and bravo.next.episode == 1 and bravo.is_skipped
    assert living.next_of(3) == bedroom.next_of(3) == "S01E01"


def test_show_removed_cleaned_and_scanned_again_keeps_its_pick_under_the_new_id():
    # Kodi's way to a rebuild while EasyTV runs: remove the source (OnRemove, clean), re-add it
    # and scan (the show comes back under a new tvshowid, its episodes under new episodeids).
    clock, library, store, living, bedroom = _alpha_random_world()
    picked = store.rows[3].state.next
    alpha_show, alpha_episodes = _remove_alpha(clock, library, living, bedroom)
    living.engine.handle(events.LibraryChanged("VideoLibrary.OnCleanFinished"))
    _settle(clock, [living, bedroom], 8)
    assert store.rows[3].deleted and "EasyTV.3.EpisodeID" not in bedroom.window.props

    library.shows[7] = dict(alpha_show, tvshowid=7)
    library.episodes_by_id.update({i + 200: dict(e, episodeid=i + 200, tvshowid=7) for i, e in alpha_episodes.items()})
    for episodeid in alpha_episodes:  # the scan announces each new episode (OnUpdate) ...
        living.engine.handle(events.EpisodeChanged(episodeid + 200, None))
    _settle(clock, [living, bedroom], 2)  # ... so the show is known under id 7 before the scan ends
    # It is followed at once: never shared under its new id without its pick.
    assert store.rows[7].state.next.episodeid == picked.episodeid + 200
    assert store.settings["random_order_shows"] == "7"
    living.engine.handle(events.LibraryChanged("VideoLibrary.OnScanFinished"))
    _settle(clock, [living, bedroom])

    assert living.settings.random_order_shows == bedroom.settings.random_order_shows == (7,)
    assert store.settings["random_order_shows"] == "7"
    assert store.rows[7].state.next.episodeid == picked.episodeid + 200
    assert bedroom.next_of(7) == "S%02dE%02d" % (picked.season, picked.episode)


def test_a_pick_scanned_after_the_show_reappears_is_still_kept_under_the_new_id():
    # Kodi's scanner adds a re-scanned show's episodes one by one, each announced at once: the
    # show is followed at its first episode, before the picked one is in the library. The pick
    # must wait for its episode instead of being forgotten (seen in real Kodi 21: the rebuild
    # e2e test's device that followed mid-scan ended with a fresh random pick).
    clock, library, store, living, bedroom = _alpha_random_world()
    picked = store.rows[3].state.next
    alpha_show, alpha_episodes = _remove_alpha(clock, library, living, bedroom)

    library.shows[7] = dict(alpha_show, tvshowid=7)
    scan_order = sorted(alpha_episodes, key=lambda i: i == picked.episodeid)  # the pick last
    assert scan_order[-1] == picked.episodeid and len(scan_order) > 2
    for episodeid in scan_order:
        library.episodes_by_id[episodeid + 200] = dict(alpha_episodes[episodeid], episodeid=episodeid + 200,
                                                       tvshowid=7)
        living.engine.handle(events.EpisodeChanged(episodeid + 200, None))
        _settle(clock, [living, bedroom], 1)
    living.engine.handle(events.LibraryChanged("VideoLibrary.OnScanFinished"))
    _settle(clock, [living, bedroom])

    assert living.settings.random_order_shows == bedroom.settings.random_order_shows == (7,)
    assert store.rows[7].state.next.episodeid == picked.episodeid + 200
    assert living.next_of(7) == bedroom.next_of(7) == "S%02dE%02d" % (picked.season, picked.episode)
