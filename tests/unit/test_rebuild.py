"""A library rebuild gives every show a new tvshowid: the shared rows follow in one write."""

from test_sync import Box, Wall

from easytv.core import events
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
