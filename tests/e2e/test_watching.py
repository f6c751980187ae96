"""The watching features in real Kodi (README "Watching"): launch behaviours, the chooser's
sort orders and limit, the random mix, the show filter, the next-episode prompt and the
missed-episode warning; dialogs are driven with the remote (``Input.*``)."""

from __future__ import annotations

import pytest

from .conftest import library_shows, running_cluster
from .harness.cluster import Device
from .harness.control import (
    addon_setting,
    answer_yes_no,
    choose_in_select_dialog,
    log_lines,
    log_mark,
    set_addon_setting,
    wait_log,
    wait_storage,
)
from .harness.dialogs import (
    back_out,
    player_seconds,
    playlist_items,
    select_rows,
    set_id_list_setting,
    stop_player,
)
from .harness.easytv import NEXT_EPISODES, show_properties, wait_listing
from .harness.library import Show, regular_episodes
from .harness.notify import is_method, is_watched_update
from .harness.procs import wait_until

pytestmark = pytest.mark.e2e

ADDON = "service.easytv"
MIX_SHOWS = ("Mix Alpha", "Mix Bravo", "Mix Charlie", "Mix Delta")
SHOWS = tuple(Show(title, 2010 + i, regular_episodes(1, 2, 3, 4, 5, 6), color)
              for i, (title, color) in enumerate(zip(MIX_SHOWS, ("steelblue", "darkorange", "seagreen",
                                                                   "firebrick")))) + (
    Show("Prompt Papa", 2015, regular_episodes(1, 2, 3, 4), "slateblue"),
    Show("Missed Mike", 2016, regular_episodes(1, 2, 3, 4), "goldenrod"),
    Show("Random Romeo", 2017, regular_episodes(1, 2, 3), "darkcyan"),
)
# No prompt while the fixtures play episodes to their end; the prompt test turns it on.
DEVICE = Device("Living Room", {"next_prompt": False})


@pytest.fixture(scope="module")
def wkodi():
    """One Kodi with the watching library; every show but Random Romeo has S01E01 watched and
    Mix Delta's S01E02 has a resume point."""
    with running_cluster("watching", [DEVICE], shows=SHOWS) as cluster:
        kodi = cluster["Living Room"]
        shows = library_shows(kodi)
        for title in MIX_SHOWS + ("Prompt Papa", "Missed Mike"):
            kodi.play_to_watched(shows[title].episodeid(1, 1))
        kodi.play_and_stop_early(shows["Mix Delta"].episodeid(1, 2), seconds=4)
        wait_listing(kodi, NEXT_EPISODES, lambda items: len(items) == 6, 10)
        yield kodi


@pytest.fixture(scope="module")
def wshows(wkodi):
    return library_shows(wkodi)


def _set(kodi, setting, value):
    set_addon_setting(kodi, ADDON, setting, value)


def _titles(rows):
    return [r.split(" - ")[0] for r in rows]


def _mix_started(kodi, log, notes):
    line = wait_log(kodi, "[EasyTV.mix] Playing a random mix of", 15, log)
    kodi.listener.wait_for(is_method("Player.OnAVStart"), 20, notes, what="the mix starts playing")
    return line


def test_with_sync_every_rooms_mix_gets_the_shared_pick_of_a_random_order_show():
    """Runs first, before the module's one-Kodi fixture starts (two Kodi at a time at most):
    two devices with sync on; Random Romeo is made random-order on Living Room; Bedroom's mix
    (filtered to that show) plays the pick both rooms show."""
    sync_on = {"multi_instance_sync": True, "next_prompt": False}
    devices = [Device("Living Room", sync_on), Device("Bedroom", sync_on)]
    with running_cluster("watching, sync", devices, shows=SHOWS) as cluster:
        living, bedroom = cluster["Living Room"], cluster["Bedroom"]
        for instance in (living, bedroom):
            wait_storage(instance, "shared")
        romeo = library_shows(living)["Random Romeo"]
        set_id_list_setting(living, "random_order_shows", [romeo.tvshowid])
        wait_until(lambda: addon_setting(bedroom, ADDON, "random_order_shows") == str(romeo.tvshowid), 20,
                   what="Bedroom adopted the shared random_order_shows")

        def recomputed_after_adopting() -> bool:
            lines = log_lines(bedroom, "[EasyTV.")
            adopted = [n for n, line in enumerate(lines) if "Adopting shared settings" in line]
            return bool(adopted) and any("[EasyTV.engine] Computed" in line for line in lines[adopted[-1]:])

        # Until Bedroom has recomputed with the shared setting, it shows Random Romeo as a
        # sequential show (S01E01); only then do both rooms show the one shared pick.
        wait_until(recomputed_after_adopting, 30, what="Bedroom recomputed with random_order_shows")
        key = f"EasyTV.{romeo.tvshowid}.EpisodeID"
        pick = wait_until(lambda: (lambda a, b: a.isdigit() and a == b and a)(
            living.get_property(key), bedroom.get_property(key)), 30, what="both rooms show the same pick")
        _set(bedroom, "mix_content", 1)  # Random Romeo is unstarted
        set_id_list_setting(bedroom, "show_filter", [romeo.tvshowid])
        log, notes = log_mark(bedroom), bedroom.listener.mark()
        bedroom.run_builtin("RunScript(service.easytv,random_mix)")
        _mix_started(bedroom, log, notes)
        items = playlist_items(bedroom)
        stop_player(bedroom)
        now = (living.get_property(key), bedroom.get_property(key))
        print(f"\n[e2e] sync: shared pick of Random Romeo {pick} (after the mix {now}); Bedroom's mix "
              f"{[i['id'] for i in items]}")
        assert now == (pick, pick), "the pick is kept"
        assert [i["id"] for i in items] == [int(pick)], "Bedroom's mix plays the shared pick"


def test_launch_behaviours_browse_random_mix_and_ask(wkodi):
    kodi = wkodi
    _set(kodi, "launch_behaviour", 0)
    kodi.run_builtin("RunScript(service.easytv)")
    rows = select_rows(kodi)
    assert any(r.startswith("Mix Alpha - S01E02 - Episode 2") for r in rows), rows
    back_out(kodi)

    _set(kodi, "launch_behaviour", 1)
    log, notes = log_mark(kodi), kodi.listener.mark()
    kodi.run_builtin("RunScript(service.easytv)")
    _mix_started(kodi, log, notes)
    stop_player(kodi)

    _set(kodi, "launch_behaviour", 2)
    kodi.run_builtin("RunScript(service.easytv)")
    assert select_rows(kodi) == ["Browse next episodes", "Play a random mix"]
    log, notes = log_mark(kodi), kodi.listener.mark()
    choose_in_select_dialog(kodi, "Play a random mix")
    _mix_started(kodi, log, notes)
    stop_player(kodi)

    kodi.run_builtin("RunScript(service.easytv)")
    select_rows(kodi)
    choose_in_select_dialog(kodi, "Browse next episodes")
    assert any(r.startswith("Prompt Papa - S01E02") for r in select_rows(kodi))
    back_out(kodi)
    _set(kodi, "launch_behaviour", 0)


def test_chooser_sort_orders_reverse_limit_progress_and_resume_mark(wkodi, wshows):
    kodi = wkodi
    kodi.play_and_stop_early(wshows["Mix Delta"].episodeid(1, 2), seconds=4)  # a resume point
    started = ["Missed Mike", "Mix Alpha", "Mix Bravo", "Mix Charlie", "Mix Delta", "Prompt Papa"]
    expected = {
        (1, False, 0): started,
        (1, True, 0): started[::-1],
        (1, False, 2): started[:2],
        (3, False, 0): sorted(started, key=lambda t: wshows[t].tvshowid, reverse=True),
    }
    seen = {}
    for (sort_by, reverse, limit), titles in expected.items():
        _set(kodi, "sort_by", sort_by)
        _set(kodi, "sort_reverse", reverse)
        _set(kodi, "limit_shows", limit)
        kodi.run_builtin("RunScript(service.easytv,browse)")
        rows = select_rows(kodi)
        seen[(sort_by, reverse, limit)] = list(zip(rows, select_rows(kodi, field="Label2")))
        back_out(kodi)
        assert _titles(rows) == titles, rows
    rows = dict(seen[(1, False, 0)])
    print("\n[e2e] chooser rows (title order):\n  " + "\n  ".join(f"{a} | {b}" for a, b in rows.items()))
    assert rows["Mix Alpha - S01E02 - Episode 2"] == "1/6"
    assert rows["Mix Delta - S01E02 - Episode 2"] in ("1/6  \u00b7  resume from 0:03", "1/6  \u00b7  resume from 0:04",
                                                       "1/6  \u00b7  resume from 0:05")
    _set(kodi, "sort_by", 0)
    _set(kodi, "limit_shows", 0)
    _set(kodi, "sort_reverse", False)
    kodi.run_builtin("RunScript(service.easytv,browse)")
    rows = select_rows(kodi)
    back_out(kodi)
    assert _titles(rows)[0] == "Mix Delta", "last played first: Mix Delta was stopped last"


def _blocks_in_order(items):
    """Each show's playlist items form one block, in increasing episode order."""
    order = []
    for item in items:
        if not order or order[-1][0] != item["showtitle"]:
            order.append((item["showtitle"], []))
        order[-1][1].append(item["episode"])
    titles = [t for t, _eps in order]
    return len(titles) == len(set(titles)) and all(eps == sorted(eps) for _t, eps in order), order


def test_random_mix_of_ten_from_four_shows(wkodi, wshows):
    kodi = wkodi
    kodi.play_and_stop_early(wshows["Mix Delta"].episodeid(1, 2), seconds=4)  # a resume point
    _set(kodi, "mix_multiple_episodes", True)
    set_id_list_setting(kodi, "show_filter", [wshows[t].tvshowid for t in MIX_SHOWS])
    log, notes = log_mark(kodi), kodi.listener.mark()
    kodi.run_builtin("RunScript(service.easytv,random_mix)")
    _mix_started(kodi, log, notes)
    items = playlist_items(kodi)
    ok, blocks = _blocks_in_order(items)
    print(f"\n[e2e] mix: {blocks}")
    assert len(items) == 10
    assert {i["showtitle"] for i in items} <= set(MIX_SHOWS)
    assert ok, blocks
    assert all(eps[0] == 2 for _t, eps in blocks), "each show starts at its next episode"

    delta = wshows["Mix Delta"].episodeid(1, 2)
    index = next((n for n, i in enumerate(items) if i.get("id") == delta), None)
    if index is not None:
        notes = kodi.listener.mark()
        if index > 0:
            kodi.call("Player.GoTo", {"playerid": 1, "to": index})
            kodi.listener.wait_for(is_method("Player.OnAVStart", delta), 20, notes, what="Mix Delta S01E02")
        # Kodi resumes only the item Player.Open starts; the service seeks later items.
        seconds = wait_until(lambda: (lambda t: t >= 1.0 and t)(player_seconds(kodi)), 10,
                             what="the part-watched episode resumed")
        print(f"[e2e] mix: Mix Delta S01E02 (resume point ~4 s) at position {index}, playing at {seconds:.2f} s")
        assert seconds <= 7, "resumed near its resume point, not further"
        kodi.call("Player.Seek", {"playerid": 1, "value": {"percentage": 80}})
        kodi.listener.wait_for(is_watched_update(delta), 30, notes, what="Mix Delta S01E02 watched")
        kodi.wait_property(f"EasyTV.{wshows['Mix Delta'].tvshowid}.EpisodeNo", lambda v: v == "S01E03", 10)
    stop_player(kodi)
    _set(kodi, "mix_multiple_episodes", False)
    set_id_list_setting(kodi, "show_filter", [])


def test_show_filter_applies_to_widget_chooser_and_mix(wkodi, wshows):
    kodi = wkodi
    keep = ("Mix Alpha", "Prompt Papa")
    set_id_list_setting(kodi, "show_filter", [wshows[t].tvshowid for t in keep])
    items = kodi.get_directory(NEXT_EPISODES)
    assert sorted(i["showtitle"] for i in items) == sorted(keep)
    mixed = kodi.get_directory(NEXT_EPISODES + "?mix=1")
    assert mixed[0]["label"] == "Random mix"
    assert sorted(i.get("showtitle") for i in mixed[1:]) == sorted(keep)

    kodi.run_builtin("RunScript(service.easytv,browse)")
    assert sorted(_titles(select_rows(kodi))) == sorted(keep)
    back_out(kodi)

    log, notes = log_mark(kodi), kodi.listener.mark()
    kodi.run_builtin(f"RunPlugin({mixed[0]['file']})")
    _mix_started(kodi, log, notes)
    assert sorted(i["showtitle"] for i in playlist_items(kodi)) == sorted(keep)
    stop_player(kodi)
    set_id_list_setting(kodi, "show_filter", [])
    assert len(kodi.get_directory(NEXT_EPISODES)) == 6
    props = show_properties(kodi, wshows["Mix Alpha"].tvshowid)
    assert props["EpisodeNo"] == "S01E02"


PROMPT_WINDOW = "Window.IsVisible(script-easytv-nextprompt.xml)"


def _visible(kodi, condition):
    return bool(kodi.call("XBMC.GetInfoBooleans", {"booleans": [condition]})[condition])


def test_next_episode_prompt_natural_end_countdown_manual_stop_random_show_and_stop(wkodi, wshows):
    kodi, show = wkodi, wshows["Prompt Papa"]
    _set(kodi, "next_prompt_seconds", 4)
    _set(kodi, "next_prompt", True)
    log = log_mark(kodi)
    played = kodi.play_to_watched(show.episodeid(1, 2))
    notes = kodi.listener.mark()
    wait_log(kodi, "[EasyTV.watching] Next-episode prompt: offering Prompt Papa - S01E03 - Episode 3", 15, log)
    wait_until(lambda: _visible(kodi, PROMPT_WINDOW), 10, what="the prompt is on screen")
    started = kodi.listener.wait_for(is_method("Player.OnAVStart", show.episodeid(1, 3)), 25, notes,
                                     what="the countdown (default play) starts S01E03")
    print(f"\n[e2e] prompt: next episode started {started.time - played.stopped_at:.2f} s after "
          "Player.OnStop (countdown 4 s)")
    wait_until(lambda: not _visible(kodi, PROMPT_WINDOW), 10, what="the prompt closed (its fade-out ends)")

    # A manual stop, then a random-order show played to its end: neither prompts.
    quiet = log_mark(kodi)
    kodi.call("Player.Stop", {"playerid": 1})
    romeo = wshows["Random Romeo"]
    set_id_list_setting(kodi, "random_order_shows", [romeo.tvshowid])
    wait_log(kodi, "[EasyTV.engine] Rule settings changed; recomputing every show", 10, quiet)
    pick = kodi.wait_property(f"EasyTV.{romeo.tvshowid}.EpisodeID", lambda v: v.isdigit(), 10)
    kodi.play_to_watched(int(pick))

    # Default "stop": the prompt for S01E04 opens with Stop focused; pressing it closes it.
    _set(kodi, "next_prompt_default", 1)
    kodi.play_to_watched(show.episodeid(1, 3))
    wait_log(kodi, "[EasyTV.watching] Next-episode prompt: offering Prompt Papa - S01E04", 15, quiet)
    wait_until(lambda: _visible(kodi, PROMPT_WINDOW), 10, what="the prompt is on screen")
    kodi.call("Input.Select")
    wait_log(kodi, "[EasyTV.watching] Next-episode prompt: stop chosen", 10, quiet)
    wait_until(lambda: not _visible(kodi, PROMPT_WINDOW), 10, what="the prompt closed")
    offers = log_lines(kodi, "Next-episode prompt: offering", quiet)
    assert len(offers) == 1, offers
    assert not kodi.call("Player.GetActivePlayers")
    _set(kodi, "next_prompt", False)
    _set(kodi, "next_prompt_default", 0)


def test_missed_episode_warning_yes_plays_the_earlier_one_no_resumes(wkodi, wshows):
    kodi, show = wkodi, wshows["Missed Mike"]
    _set(kodi, "missed_episode_check", True)
    log, notes = log_mark(kodi), kodi.listener.mark()
    kodi.call("Player.Open", {"item": {"episodeid": show.episodeid(1, 4)}})
    wait_log(kodi, f"[EasyTV.watching] Missed episode: episodeid={show.episodeid(1, 4)} started while S01E02",
             15, log)
    answer_yes_no(kodi, yes=True)
    kodi.listener.wait_for(is_method("Player.OnAVStart", show.episodeid(1, 2)), 20, notes,
                           what="Yes plays S01E02")
    stop_player(kodi)

    log, notes = log_mark(kodi), kodi.listener.mark()
    kodi.call("Player.Open", {"item": {"episodeid": show.episodeid(1, 3)}})
    wait_log(kodi, f"[EasyTV.watching] Missed episode: episodeid={show.episodeid(1, 3)} started while S01E02",
             15, log)
    wait_until(lambda: kodi.call("Player.GetProperties", {"playerid": 1, "properties": ["speed"]})["speed"] == 0,
               10, what="the warning paused playback")
    answer_yes_no(kodi, yes=False)
    wait_until(lambda: kodi.call("Player.GetProperties", {"playerid": 1, "properties": ["speed"]})["speed"] == 1,
               10, what="No resumes playback")
    playing = kodi.call("Player.GetItem", {"playerid": 1})["item"]
    assert playing.get("id") == show.episodeid(1, 3)
    stop_player(kodi)
    _set(kodi, "missed_episode_check", False)


def _speed(kodi):
    return kodi.call("Player.GetProperties", {"playerid": 1, "properties": ["speed"]})["speed"]


def test_prompt_inside_a_mix_holds_the_next_item_until_play(wkodi, wshows):
    """``next_prompt_in_mix``: when a mix item plays to its end, the next mix item starts paused
    behind the prompt; "Play" (focused, the default) lets it go on."""
    kodi = wkodi
    for setting, value in (("next_prompt", True), ("next_prompt_in_mix", True), ("next_prompt_seconds", 30),
                           ("mix_length", 2)):
        _set(kodi, setting, value)
    set_id_list_setting(kodi, "show_filter", [wshows["Mix Alpha"].tvshowid, wshows["Mix Bravo"].tvshowid])
    log, notes = log_mark(kodi), kodi.listener.mark()
    kodi.run_builtin("RunScript(service.easytv,random_mix)")
    _mix_started(kodi, log, notes)
    _first, second = playlist_items(kodi)
    notes = kodi.listener.mark()
    kodi.call("Player.Seek", {"playerid": 1, "value": {"percentage": 80}})
    kodi.listener.wait_for(is_method("Player.OnAVStart", second["id"]), 30, notes, what="the second mix item starts")
    wait_log(kodi, "in the mix, 30 s, default play", 15, log)
    wait_until(lambda: _speed(kodi) == 0, 10, what="the second mix item held (paused)")
    wait_until(lambda: _visible(kodi, PROMPT_WINDOW), 10, what="the prompt is on screen")
    kodi.call("Input.Select")
    wait_log(kodi, "[EasyTV.watching] Next-episode prompt: play chosen", 10, log)
    wait_until(lambda: _speed(kodi) == 1, 10, what="Play lets the mix go on")
    assert kodi.call("Player.GetItem", {"playerid": 1})["item"].get("id") == second["id"]
    stop_player(kodi)
    for setting, value in (("next_prompt", False), ("next_prompt_in_mix", False), ("mix_length", 10)):
        _set(kodi, setting, value)
    set_id_list_setting(kodi, "show_filter", [])
