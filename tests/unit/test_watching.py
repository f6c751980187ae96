"""The next-episode prompt and the missed-episode warning driven by events (easytv.app.watching)."""

from easytv.app import mix
from easytv.app.watching import CACHE_WAIT_SECONDS, Watching
from easytv.core import events
from easytv.core.settings import PROMPT_DEFAULT_STOP, Settings
from fakes import FakeClock, FakeWindow

EPISODES = {11: (1, 1, 1), 12: (1, 1, 2), 13: (1, 1, 3), 14: (1, 1, 4), 21: (2, 1, 1)}  # id: show, s, e


class FakeKodi:
    """JSON-RPC `call`: episode details from EPISODES, a playlist position, records the rest."""

    def __init__(self):
        self.calls = []
        self.position, self.size = None, 0

    def __call__(self, method, params=None):
        self.calls.append((method, params))
        if method == "VideoLibrary.GetEpisodeDetails":
            show, season, episode = EPISODES[params["episodeid"]]
            return {"episodedetails": {"tvshowid": show, "season": season, "episode": episode,
                                       "showtitle": "Show %d" % show, "title": "Episode %d" % episode}}
        if method == "Player.GetProperties":
            return {"playlistid": 1, "position": -1 if self.position is None else self.position}
        if method == "Playlist.GetProperties":
            return {"size": self.size}
        return "OK"

    def played(self):
        return [(m, p) for m, p in self.calls if m in ("Player.Open", "Player.PlayPause", "Player.Seek")]


class FakePrompt:
    def __init__(self):
        self.opened, self.countdowns, self.closed, self.pressed = [], [], 0, None

    def open(self, next_episode, default_play):
        self.opened.append((next_episode, default_play))

    def set_countdown(self, seconds):
        self.countdowns.append(seconds)

    def choice(self):
        return self.pressed

    def close(self):
        self.closed += 1


class FakeAsk:
    def __init__(self):
        self.asked, self.reply = [], None

    def ask(self, message):
        self.asked.append(message)

    def answer(self):
        return self.reply


def _cache(window, tvshowid, episodeid, season, episode, resume=0):
    for field, value in {"EpisodeID": str(episodeid), "Season": str(season), "Episode": str(episode),
                         "EpisodeNo": "S%02dE%02d" % (season, episode), "TVShowTitle": "Show %d" % tvshowid,
                         "Title": "Episode %d" % episode, "ResumeSeconds": str(resume)}.items():
        window.set("EasyTV.%d.%s" % (tvshowid, field), value)


def _rig(**settings):
    window, kodi, prompt, ask, clock = FakeWindow(), FakeKodi(), FakePrompt(), FakeAsk(), FakeClock()
    snapshot = Settings(**settings)
    watching = Watching(window, kodi, lambda: snapshot, prompt, ask, clock,
                        {30076: "You have not seen %s yet: play it instead?"}.get)
    return watching, window, kodi, prompt, ask, clock


def _play_to_end(watching, window, episodeid, next_id):
    _cache(window, 1, episodeid, 1, EPISODES[episodeid][2])
    watching.handle(events.PlaybackStarted(episodeid))
    watching.handle(events.PlaybackStopped(episodeid, True))
    watching.tick()  # the cache has not moved yet
    _cache(window, 1, next_id, 1, EPISODES[next_id][2])
    watching.tick()


def test_natural_end_offers_the_cached_next_episode_and_the_countdown_plays_it():
    watching, window, kodi, prompt, _ask, clock = _rig(next_prompt_seconds=20)
    _play_to_end(watching, window, 11, 12)
    assert prompt.opened == [("Show 1 - S01E02 - Episode 2", True)]
    assert prompt.countdowns == [20]
    clock.advance(5.5)
    watching.tick()
    assert prompt.countdowns == [20, 15]
    assert kodi.played() == []
    clock.advance(15)
    watching.tick()
    assert prompt.closed == 1
    assert kodi.played() == [("Player.Open", {"item": {"episodeid": 12}, "options": {"resume": False}})]


def test_stop_button_closes_without_playing_and_default_stop_does_nothing_at_zero():
    watching, window, kodi, prompt, _ask, clock = _rig()
    _play_to_end(watching, window, 11, 12)
    prompt.pressed = "stop"
    watching.tick()
    assert prompt.closed == 1 and kodi.played() == []

    watching, window, kodi, prompt, _ask, clock = _rig(next_prompt_default=PROMPT_DEFAULT_STOP)
    _play_to_end(watching, window, 11, 12)
    assert prompt.opened == [("Show 1 - S01E02 - Episode 2", False)]
    clock.advance(21)
    watching.tick()
    assert prompt.closed == 1 and kodi.played() == []


def test_play_button_resumes_a_part_watched_next_episode():
    watching, window, kodi, prompt, _ask, _clock = _rig()
    _cache(window, 1, 11, 1, 1)
    watching.handle(events.PlaybackStarted(11))
    watching.handle(events.PlaybackStopped(11, True))
    _cache(window, 1, 12, 1, 2, resume=30)
    watching.tick()
    prompt.pressed = "play"
    watching.tick()
    assert kodi.played() == [("Player.Open", {"item": {"episodeid": 12}, "options": {"resume": True}})]


def test_no_prompt_on_manual_stop_random_show_playlist_or_when_off():
    for settings, stop_end, position in [({}, False, None), ({"random_order_shows": (1,)}, True, None),
                                         ({}, True, 0), ({"next_prompt": False}, True, None)]:
        watching, window, kodi, prompt, _ask, _clock = _rig(**settings)
        kodi.position, kodi.size = position, 3
        _cache(window, 1, 11, 1, 1)
        watching.handle(events.PlaybackStarted(11))
        watching.handle(events.PlaybackStopped(11, stop_end))
        _cache(window, 1, 12, 1, 2)
        watching.tick()
        assert prompt.opened == [], settings


def test_last_playlist_item_still_prompts_and_a_finished_show_does_not():
    watching, window, kodi, prompt, _ask, _clock = _rig()
    kodi.position, kodi.size = 2, 3
    _play_to_end(watching, window, 11, 12)
    assert len(prompt.opened) == 1

    watching, window, kodi, prompt, _ask, clock = _rig()
    _cache(window, 1, 14, 1, 4)
    watching.handle(events.PlaybackStarted(14))
    watching.handle(events.PlaybackStopped(14, True))
    window.set("EasyTV.1.EpisodeID", "")
    watching.tick()
    clock.advance(CACHE_WAIT_SECONDS + 1)
    watching.tick()
    assert prompt.opened == []


def test_missed_episode_pauses_and_yes_plays_the_earlier_one():
    watching, window, kodi, _prompt, ask, _clock = _rig(missed_episode_check=True)
    _cache(window, 1, 12, 1, 2, resume=40)
    watching.handle(events.PlaybackStarted(14))
    assert ask.asked == ["You have not seen S01E02 yet: play it instead?"]
    assert kodi.played() == [("Player.PlayPause", {"playerid": 1, "play": False})]
    watching.tick()
    assert len(kodi.played()) == 1
    ask.reply = True
    watching.tick()
    assert kodi.played()[-1] == ("Player.Open", {"item": {"episodeid": 12}, "options": {"resume": True}})


def test_missed_episode_no_resumes_and_no_question_for_next_later_or_off():
    watching, window, kodi, _prompt, ask, _clock = _rig(missed_episode_check=True)
    _cache(window, 1, 12, 1, 2)
    watching.handle(events.PlaybackStarted(13))
    ask.reply = False
    watching.tick()
    assert kodi.played()[-1] == ("Player.PlayPause", {"playerid": 1, "play": True})
    for settings, started in [({"missed_episode_check": True}, 12), ({"missed_episode_check": True}, 11),
                              ({}, 14), ({"missed_episode_check": True, "random_order_shows": (1,)}, 14)]:
        watching, window, kodi, _prompt, ask, _clock = _rig(**settings)
        _cache(window, 1, 12, 1, 2)
        watching.handle(events.PlaybackStarted(started))
        assert ask.asked == [] and kodi.played() == [], (settings, started)


def test_later_mix_item_resumes_at_its_cached_resume_point():
    watching, window, kodi, _prompt, _ask, _clock = _rig()
    window.set(mix.MIX_PROPERTY, "21,12")
    _cache(window, 1, 12, 1, 2, resume=7)
    kodi.position, kodi.size = 1, 2
    watching.handle(events.PlaybackStarted(12))
    seek = kodi.played()
    assert seek == [("Player.Seek", {"playerid": 1, "value": {"time": {"hours": 0, "minutes": 0, "seconds": 7,
                                                                        "milliseconds": 0}}})]


def _mix_item_ends(prompt_in_mix, choice=None):
    watching, window, kodi, prompt, _ask, clock = _rig(next_prompt_in_mix=prompt_in_mix, next_prompt_seconds=5)
    window.set(mix.MIX_PROPERTY, "11,21")
    _cache(window, 1, 11, 1, 1)
    kodi.position, kodi.size = 0, 2
    watching.handle(events.PlaybackStarted(11))
    watching.handle(events.PlaybackStopped(11, True))
    kodi.position = 1
    watching.handle(events.PlaybackStarted(21))
    watching.tick()
    prompt.pressed = choice
    clock.advance(6)
    watching.tick()
    return prompt, kodi


def test_inside_a_mix_no_prompt_unless_next_prompt_in_mix_which_holds_the_next_item():
    prompt, kodi = _mix_item_ends(False)
    assert prompt.opened == [] and kodi.played() == []
    prompt, kodi = _mix_item_ends(True)
    assert prompt.opened == [("Show 2 - S01E01 - Episode 1", True)]
    assert kodi.played() == [("Player.PlayPause", {"playerid": 1, "play": False}),
                             ("Player.PlayPause", {"playerid": 1, "play": True})]
    prompt, kodi = _mix_item_ends(True, "stop")
    assert [m for m, _p in kodi.calls if m == "Player.Stop"] == ["Player.Stop"]


def test_nothing_is_asked_of_kodi_when_every_playback_feature_is_off():
    watching, window, kodi, prompt, _ask, _clock = _rig(next_prompt=False, missed_episode_check=False,
                                                        mix_resume=False)
    _cache(window, 1, 12, 1, 2)
    watching.handle(events.PlaybackStarted(14))
    watching.handle(events.PlaybackStopped(14, True))
    watching.tick()
    assert kodi.calls == [] and prompt.opened == []


def test_close_closes_an_open_prompt():
    watching, window, _kodi, prompt, _ask, _clock = _rig()
    _play_to_end(watching, window, 11, 12)
    watching.close()
    assert prompt.closed == 1
