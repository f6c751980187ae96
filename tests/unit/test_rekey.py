"""Library rebuilds, pure: which tvshowids moved, and what follows a show to its new id."""

import pytest

from easytv.core.models import Episode, ShowState, TVShow
from easytv.core.plan import reconcile
from easytv.core.rekey import episode_at, identity, moved_shows, pick_position, remap_show_ids
from easytv.core.sync import SharedShow

ALPHA, BRAVO, CHARLIE = identity("Alpha", 2001), identity("Bravo", 2002), identity("Charlie", 2003)


def state(tvshowid, title, year, episodeid, season=1, episode=2, upcoming=()):
    show = TVShow(tvshowid, title, year)
    return ShowState(show, Episode(episodeid, tvshowid, season, episode), False, tuple(upcoming) or (episodeid,))


@pytest.mark.parametrize("known, library, moved", [
    ({1: ALPHA, 2: BRAVO}, {1: ALPHA, 2: BRAVO}, {}),                         # nothing changed
    ({1: ALPHA, 2: BRAVO}, {3: ALPHA, 4: BRAVO}, {1: 3, 2: 4}),               # all renumbered
    ({1: ALPHA, 2: BRAVO}, {2: ALPHA, 3: BRAVO}, {1: 2, 2: 3}),               # ids reused by other shows
    ({1: ALPHA, 2: BRAVO}, {1: BRAVO, 2: ALPHA}, {1: 2, 2: 1}),               # swapped
    ({1: ALPHA, 2: BRAVO}, {1: ALPHA}, {}),                                   # Bravo gone: nothing to follow
    ({1: ALPHA}, {1: identity("Alpha (US)", 2001)}, {}),                      # renamed in place
    ({1: ALPHA}, {5: identity("  ALPHA ", 2001)}, {1: 5}),                    # case and spaces do not matter
    ({1: ALPHA}, {5: identity("Alpha", 2011)}, {}),                           # another year: another show
    ({1: ALPHA, 2: ALPHA}, {5: ALPHA}, {}),                                   # ambiguous before
    ({1: ALPHA, 5: ALPHA}, {5: ALPHA}, {1: 5}),                               # new id already announced
    ({1: ALPHA}, {5: ALPHA, 6: ALPHA}, {}),                                   # ambiguous now
    ({1: identity("", 0)}, {5: identity("", 0)}, {}),                         # untitled
])
def test_moved_shows(known, library, moved):
    assert moved_shows(known, library) == moved


def test_remap_show_ids_follows_moves_and_never_lands_on_another_show():
    known = {1: ALPHA, 2: BRAVO, 3: CHARLIE}
    library = {2: ALPHA, 3: identity("Delta", 2004), 9: CHARLIE}  # Bravo gone, id 3 now Delta
    moved = moved_shows(known, library)
    assert moved == {1: 2, 3: 9}
    assert remap_show_ids((1, 2, 3, 40), moved, known, library) == (2, 9, 40)  # 2 dropped, 40 unknown: kept


def test_pick_position_only_from_the_same_show_and_episode_at():
    alpha = state(1, "Alpha", 2001, episodeid=12, season=2, episode=3)
    assert pick_position(alpha, ALPHA) == (2, 3)
    assert pick_position(alpha, BRAVO) is None
    assert pick_position(None, ALPHA) is None
    episodes = [Episode(112, 5, 2, 2), Episode(113, 5, 2, 3)]
    assert episode_at(episodes, (2, 3)) == 113
    assert episode_at(episodes, (3, 1)) is None


def test_reconcile_takes_a_random_pick_only_from_a_row_of_the_same_show():
    # After a rebuild id 1 names Bravo here; the row for id 1 is still Alpha's, whose pick
    # (old episodeid 7) happens to be one of Bravo's new episodeids.
    mine = {1: state(1, "Bravo", 2002, episodeid=5, upcoming=(5, 6, 7))}
    alpha_row = SharedShow(1, "Alpha", 2001, state(1, "Alpha", 2001, episodeid=7), 100.0, "living")
    bravo_row = SharedShow(1, "Bravo", 2002, state(1, "Bravo", 2002, episodeid=7, upcoming=(7,)), 100.0, "living")
    assert reconcile(mine, {1: 200.0}, 200.0, [alpha_row], random_order_shows=(1,)).repick == {}
    assert reconcile(mine, {1: 200.0}, 200.0, [bravo_row], random_order_shows=(1,)).repick == {1: 7}
