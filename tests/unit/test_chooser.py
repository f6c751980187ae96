"""The chooser's sort/limit/filter and the random mix's plan (pure, easytv.core.chooser)."""

import random

import pytest

from easytv.core import chooser


def _entry(tvshowid, title, lastplayed="", unwatched=5, watched=1, resume=0, episodeid=None):
    return {"TVShowID": str(tvshowid), "TVShowTitle": title, "LastPlayed": lastplayed,
            "CountUnwatchedEps": str(unwatched), "CountWatchedEps": str(watched),
            "ResumeSeconds": str(resume), "EpisodeID": str(episodeid or tvshowid * 100),
            "EpisodeNo": "S01E02", "Title": "Episode 2"}


ENTRIES = [
    _entry(3, "charlie", "2026-12-01 20:00:00", unwatched=9),
    _entry(1, "Alpha", "2026-12-01 22:00:00", unwatched=2),
    _entry(7, "bravo", "2026-11-30 10:00:00", unwatched=4),
    _entry(5, "Delta", "", unwatched=1),
]


@pytest.mark.parametrize("sort_by,reverse,limit,expected", [
    (chooser.SORT_LAST_PLAYED, False, 0, ["Alpha", "charlie", "bravo", "Delta"]),
    (chooser.SORT_LAST_PLAYED, True, 0, ["Delta", "bravo", "charlie", "Alpha"]),
    (chooser.SORT_TITLE, False, 0, ["Alpha", "bravo", "charlie", "Delta"]),
    (chooser.SORT_TITLE, True, 2, ["Delta", "charlie"]),
    (chooser.SORT_UNWATCHED, False, 0, ["Delta", "Alpha", "bravo", "charlie"]),
    (chooser.SORT_DATE_ADDED, False, 0, ["bravo", "Delta", "charlie", "Alpha"]),
    (chooser.SORT_LAST_PLAYED, False, 1, ["Alpha"]),
    (chooser.SORT_LAST_PLAYED, False, 99, ["Alpha", "charlie", "bravo", "Delta"]),
    (99, False, 0, ["charlie", "Alpha", "bravo", "Delta"]),
])
def test_sort_orders_reverse_and_limit(sort_by, reverse, limit, expected):
    rows = chooser.sort_entries(ENTRIES, sort_by, reverse, limit, random.Random(0))
    assert [r["TVShowTitle"] for r in rows] == expected


def test_random_order_is_a_permutation_drawn_from_the_rng():
    orders = {tuple(r["TVShowID"] for r in chooser.sort_entries(ENTRIES, chooser.SORT_RANDOM, False, 0,
                                                                 random.Random(seed)))
              for seed in range(20)}
    assert len(orders) > 1
    assert all(sorted(o) == ["1", "3", "5", "7"] for o in orders)


@pytest.mark.parametrize("show_filter,expected", [
    ((), ["3", "1", "7", "5"]),
    ((7, 1), ["1", "7"]),
    ((42,), []),
])
def test_show_filter(show_filter, expected):
    assert [e["TVShowID"] for e in chooser.filter_shows(ENTRIES, show_filter)] == expected


@pytest.mark.parametrize("entry,text", [
    (_entry(1, "Alpha", watched=3, unwatched=7), ("Alpha - S01E02 - Episode 2", "3/10")),
    (_entry(1, "Alpha", watched=0, unwatched=4, resume=65),
     ("Alpha - S01E02 - Episode 2", "0/4  \u00b7  resume from 1:05")),
    (_entry(1, "Alpha", watched=0, unwatched=4, resume=3723),
     ("Alpha - S01E02 - Episode 2", "0/4  \u00b7  resume from 1:02:03")),
])
def test_row_text_has_progress_and_resume_point(entry, text):
    assert chooser.row_text(entry, "resume from %s") == text


def _flatten(plan, runs):
    return [ep for tvshowid, count in plan for ep in runs[tvshowid][:count]]


def test_mix_one_episode_per_show_is_a_random_subset():
    shows = [_entry(i, "S%d" % i) for i in range(1, 8)]
    plans = [chooser.allocate_mix(shows, 4, False, (), random.Random(seed)) for seed in range(30)]
    assert all(len(p) == 4 and all(c == 1 for _i, c in p) for p in plans)
    assert all(len({i for i, _c in p}) == 4 for p in plans)
    assert len({tuple(p) for p in plans}) > 5


def test_mix_length_capped_by_what_the_shows_have():
    shows = [_entry(1, "A", unwatched=1), _entry(2, "B", unwatched=2)]
    assert sum(c for _i, c in chooser.allocate_mix(shows, 10, False, (), random.Random(1))) == 2
    plan = chooser.allocate_mix(shows, 10, True, (), random.Random(1))
    assert dict(plan) == {1: 1, 2: 2}


@pytest.mark.parametrize("seed", range(25))
def test_mix_with_multiple_episodes_keeps_each_show_in_one_ordered_block(seed):
    shows = [_entry(i, "S%d" % i, unwatched=6) for i in range(1, 5)]
    runs = {i: [i * 100 + k for k in range(6)] for i in range(1, 5)}
    plan = chooser.allocate_mix(shows, 10, True, (2,), random.Random(seed))
    playlist = _flatten(plan, runs)
    assert len(playlist) == 10
    assert len({i for i, _c in plan}) == len(plan), "a show appears as one block"
    assert dict(plan).get(2, 1) == 1, "a random-order show contributes only its pick"
    assert all(c <= chooser.MAX_RUN for _i, c in plan)
    for tvshowid in runs:
        mine = [ep for ep in playlist if ep // 100 == tvshowid]
        assert mine == runs[tvshowid][:len(mine)], "never out of order within a show"


def test_following_takes_the_unwatched_episodes_after_next_in_order():
    records = [{"episodeid": 11, "season": 1, "episode": 1, "playcount": 1},
               {"episodeid": 14, "season": 1, "episode": 4, "playcount": 0},
               {"episodeid": 12, "season": 1, "episode": 2, "playcount": 0},
               {"episodeid": 13, "season": 1, "episode": 3, "playcount": 1},
               {"episodeid": 90, "season": 0, "episode": 1, "playcount": 0},
               {"episodeid": 21, "season": 2, "episode": 1, "playcount": 0}]
    assert chooser.following(records, 12, 3) == [12, 14, 21]
    assert chooser.following(records, 12, 1) == [12]
    assert chooser.following(records, 77, 3) == [77]


def test_mix_pool_content_and_filter():
    started, fresh = ENTRIES[:2], [_entry(9, "Fresh")]
    assert [e["TVShowID"] for e in chooser.mix_pool(started, fresh, False, ())] == ["3", "1"]
    assert [e["TVShowID"] for e in chooser.mix_pool(started, fresh, True, ())] == ["3", "1", "9"]
    assert [e["TVShowID"] for e in chooser.mix_pool(started, fresh, True, (9,))] == ["9"]
