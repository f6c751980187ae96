"""The next-episode rule (README, "How next is decided"), table-driven from Kodi-shaped episodes."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from easytv.core.models import Episode, TVShow
from easytv.core.rule import considered_episodes, next_episode, next_episodes, sort_key
from kodi_shapes import episode as ep
from kodi_shapes import load, season, tvshow

SHOW = TVShow.from_jsonrpc(tvshow())

# (case id, episodes, include_positioned_specials, expected next (season, episode) or None, is_skipped)
CASES = [
    ("nothing watched starts at S01E01", season(1, 3), False, (1, 1), False),
    ("continues after the last watched", season(1, 3, watched=1), False, (1, 2), False),
    ("gap: a later watched episode moves on, the gap is skipped",
     [ep(1, 1, watched=True), ep(1, 2), ep(1, 3, watched=True), ep(1, 4)], False, (1, 4), False),
    ("only the skipped gap left: next is skipped[0], flagged",
     [ep(1, 1), ep(1, 2, watched=True), ep(1, 3, watched=True)], False, (1, 1), True),
    ("season boundary: S01 done continues with S02E01", season(1, 3, watched=3) + season(2, 2), False, (2, 1), False),
    ("unordered input is ordered by season and episode",
     [ep(2, 1), ep(1, 2), ep(1, 1, watched=True)], False, (1, 2), False),
    ("finished show has no next", season(1, 2, watched=2), False, None, False),
    ("every episode without a file is ignored", [ep(1, 1, watched=True), ep(1, 2, file="")], False, None, False),
    ("an episode without a file is skipped over",
     [ep(1, 1, watched=True), ep(1, 2, file=""), ep(1, 3)], False, (1, 3), False),
    ("positioned special sorts before its episode (on)",
     season(1, 4, watched=2) + [ep(0, 1, specialsortseason=1, specialsortepisode=3)], True, (0, 1), False),
    ("positioned special ignored (off)",
     season(1, 4, watched=2) + [ep(0, 1, specialsortseason=1, specialsortepisode=3)], False, (1, 3), False),
    ("special before S01E01 comes first when nothing is watched (on)",
     season(1, 2) + [ep(0, 1, specialsortseason=1, specialsortepisode=1)], True, (0, 1), False),
    ("after-season special (episode 4096) follows the season's last episode",
     season(1, 3, watched=3) + season(2, 2) + [ep(0, 1, specialsortseason=1, specialsortepisode=4096)],
     True, (0, 1), False),
    ("after-season special not before the season ends",
     season(1, 3, watched=2) + [ep(0, 1, specialsortseason=1, specialsortepisode=4096)], True, (1, 3), False),
    ("watched after-season special: next season continues",
     season(1, 3, watched=3) + season(2, 2) + [ep(0, 1, watched=True, specialsortseason=1, specialsortepisode=4096)],
     True, (2, 1), False),
    ("unpositioned special is never next (on)", season(1, 2, watched=2) + [ep(0, 1)], True, None, False),
    ("unpositioned special never keeps a finished show alive (off)", season(1, 1, watched=1) + [ep(0, 5)], False,
     None, False),
    ("half-positioned special (-1 episode) is ignored",
     season(1, 2, watched=1) + [ep(0, 1, specialsortseason=1, specialsortepisode=-1)], True, (1, 2), False),
    ("passed positioned special becomes skipped, not next",
     season(1, 4, watched=3) + [ep(0, 1, specialsortseason=1, specialsortepisode=2)], True, (1, 4), False),
    ("passed positioned special is next once nothing is upcoming (flagged skipped)",
     season(1, 2, watched=2) + [ep(0, 1, specialsortseason=1, specialsortepisode=2)], True, (0, 1), True),
    ("multi-episode file counts once as its first episode",
     [ep(1, 1, watched=True), ep(1, 2, file="/tv/S01E02-E03.mp4"), ep(1, 3, file="/tv/S01E02-E03.mp4"), ep(1, 4)],
     False, (1, 2), False),
    ("watched multi-episode file moves on past both",
     [ep(1, 1, watched=True), ep(1, 2, watched=True, file="/tv/x.mp4"), ep(1, 3, watched=True, file="/tv/x.mp4"),
      ep(1, 4)], False, (1, 4), False),
    ("watched specials do not move the reference point",
     season(1, 3) + [ep(0, 1, watched=True, specialsortseason=1, specialsortepisode=3)], True, (1, 1), False),
]


@pytest.mark.parametrize("name,episodes,specials,expected,skipped", CASES, ids=[c[0] for c in CASES])
def test_next_episode_table(name, episodes, specials, expected, skipped):
    state = next_episode(SHOW, [Episode.from_jsonrpc(e) for e in episodes], include_positioned_specials=specials)
    if expected is None:
        assert state is None
        return
    assert state is not None
    assert (state.next.season, state.next.episode) == expected
    assert state.is_skipped is skipped


def test_upcoming_and_skipped_lists_in_rule_order():
    episodes = [ep(1, 1), ep(1, 2, watched=True), ep(1, 3), ep(0, 1, specialsortseason=1, specialsortepisode=4),
                ep(1, 4), ep(2, 1)]
    state = next_episode(SHOW, [Episode.from_jsonrpc(e) for e in episodes], include_positioned_specials=True)
    assert state.upcoming == (10103, 10001, 10104, 10201)
    assert state.skipped == (10101,)
    assert (state.count_watched, state.count_unwatched) == (1, 5)


def test_resume_point_makes_an_unstarted_show_in_progress():
    plain = next_episode(SHOW, [Episode.from_jsonrpc(e) for e in season(1, 2)])
    resumed = next_episode(SHOW, [Episode.from_jsonrpc(e) for e in [ep(1, 1, resume=120.0), ep(1, 2)]])
    assert plain.in_progress is False
    assert resumed.in_progress is True
    assert resumed.next.resume_position == 120.0
    assert resumed.lastplayed == "2026-01-01 20:00:00"


def test_random_order_pick_is_kept_until_watched():
    episodes = [Episode.from_jsonrpc(e) for e in season(1, 10, watched=2)]
    rng = random.Random(7)
    first = next_episode(SHOW, episodes, random_order=True, choose=rng.choice)
    again = next_episode(SHOW, episodes, random_order=True, previous_pick=first.next.episodeid,
                         choose=random.Random(99).choice)
    assert again.next == first.next
    watched = [e if e.episodeid != first.next.episodeid else Episode(**{**e.__dict__, "playcount": 1})
               for e in episodes]
    after = next_episode(SHOW, watched, random_order=True, previous_pick=first.next.episodeid,
                         choose=random.Random(99).choice)
    assert after.next.episodeid != first.next.episodeid
    assert not after.next.watched


def test_random_order_may_pick_a_skipped_episode_but_never_a_watched_one():
    episodes = [Episode.from_jsonrpc(e) for e in [ep(1, 1), ep(1, 2, watched=True), ep(1, 3)]]
    picks = {next_episode(SHOW, episodes, random_order=True, choose=random.Random(s).choice).next.episode
             for s in range(40)}
    assert picks == {1, 3}


def test_random_order_without_chooser_is_an_error():
    with pytest.raises(ValueError):
        next_episode(SHOW, [Episode.from_jsonrpc(e) for e in season(1, 2)], random_order=True)


def test_captured_kodi_library():
    shows = [TVShow.from_jsonrpc(s) for s in load("GetTVShows_all.json")["tvshows"]]
    episodes = [Episode.from_jsonrpc(e) for e in load("GetEpisodes_all.json")["episodes"]]
    by_title = {s.show.title: s for s in next_episodes(shows, episodes, include_positioned_specials=True).values()}
    assert (by_title["Alpha"].next.season, by_title["Alpha"].next.episode) == (1, 2)
    assert by_title["Alpha"].next.resume_position == 3.0 and by_title["Alpha"].in_progress
    # Bravo S01E02-E03 is one file, played: both count as watched, next is S01E04, S01E01 skipped
    assert (by_title["Bravo"].next.season, by_title["Bravo"].next.episode) == (1, 4)
    assert len(by_title["Bravo"].skipped) == 1
    assert not by_title["Charlie"].in_progress and by_title["Charlie"].next.episode == 1
    delta = [e for e in episodes if e.showtitle == "Delta"]
    special = next(e for e in delta if e.season == 0 and e.is_positioned)
    assert (special.specialsortseason, special.specialsortepisode) == (1, 3)
    order = [(e.season, e.episode) for e in considered_episodes(delta, True)]
    assert order.index((0, special.episode)) == order.index((1, 3)) - 1


# -- property-based -------------------------------------------------------------------------

def _show_episodes():
    specials = st.tuples(st.integers(-1, 3), st.sampled_from([-1, 1, 2, 3, 4096]))
    item = st.tuples(st.integers(0, 3), st.integers(1, 6), st.booleans(), specials, st.integers(0, 3),
                     st.booleans())
    return st.lists(item, max_size=25)


@settings(max_examples=300, deadline=None)
@given(_show_episodes(), st.booleans(), st.booleans(), st.integers(0, 2 ** 32))
def test_next_is_an_unwatched_episode_and_nothing_upcoming_precedes_it(items, specials, random_order, seed):
    episodes = []
    for i, (s, e, watched, (sss, sse), shared, has_file) in enumerate(items):
        file = "/tv/shared%d.mp4" % shared if shared else ("/tv/%d.mp4" % i if has_file else "")
        episodes.append(Episode.from_jsonrpc(ep(s, e, watched=watched, file=file, specialsortseason=sss,
                                                specialsortepisode=sse, episodeid=i + 1)))
    state = next_episode(SHOW, episodes, include_positioned_specials=specials, random_order=random_order,
                         choose=random.Random(seed).choice)
    considered = considered_episodes(episodes, specials)
    unwatched = [e for e in considered if not e.watched]
    if state is None:
        assert unwatched == []
        return
    assert state.next in episodes and not state.next.watched and state.next.file
    assert state.next in considered
    assert state.next.tvshowid == SHOW.tvshowid
    if not random_order:
        upcoming = [e for e in considered if e.episodeid in state.upcoming]
        earlier = [e for e in upcoming if sort_key(e) < sort_key(state.next)]
        assert earlier == []
        if state.upcoming:
            assert state.next.episodeid == state.upcoming[0]
