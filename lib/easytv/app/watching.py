"""What the service does around playback (README "Watching"): the next-episode prompt, the
missed-episode warning and resuming later items of a random mix.

One object, two entry points for the service loop: `Watching.handle(event)` for every parsed
notification and `Watching.tick()` once per loop step. The next episode always comes from the
window-property cache (`EasyTV.<tvshowid>.EpisodeID` ...), so with sync on it is the shared one.
"""

import logging
import math
from dataclasses import dataclass
from typing import Callable, Optional

from easytv.app import mix
from easytv.app.interfaces import Protocol, Window
from easytv.core import events, properties
from easytv.core.settings import PROMPT_DEFAULT_PLAY, Settings
from easytv.kodi import player
from easytv.kodi.player import Call

LOG = logging.getLogger("EasyTV.watching")

CACHE_WAIT_SECONDS = 10.0
"""After a natural end, how long to wait for the cache to move to the show's next episode."""


class Prompt(Protocol):
    """The non-modal next-episode panel (`easytv.kodi.prompt.KodiPrompt`)."""

    def open(self, next_episode: str, default_play: bool) -> None:
        """Show it."""

    def set_countdown(self, seconds: int) -> None:
        """Show the seconds left."""

    def choice(self) -> Optional[str]:
        """"play", "stop" or None (no answer yet)."""

    def close(self) -> None:
        """Close it if open."""


class Ask(Protocol):
    """An asynchronous yes/no question (`easytv.kodi.prompt.KodiAsk`)."""

    def ask(self, message: str) -> None:
        """Open it; returns at once."""

    def answer(self) -> Optional[bool]:
        """True/False once answered, None while open."""


@dataclass
class _Playing:
    episodeid: int
    tvshowid: int
    follows: bool  # another playlist item follows this one
    in_mix: bool


@dataclass
class _Offer:
    tvshowid: int
    after: int  # the episodeid that ended
    deadline: float  # clock seconds: shown until then (prompt), or given up (waiting for cache)
    episodeid: int = 0
    resume: bool = False
    shown: int = -1
    held: bool = False  # a mix item paused at its start: "play" resumes it, "stop" stops the mix


class Watching:
    """Playback-driven features. `settings()` gives the current snapshot, `clock()` monotonic
    seconds, `text(id)` a localized string. JSON-RPC failures propagate as `JsonRpcError`
    (the service loop logs them and goes on)."""

    def __init__(self, window: Window, call: Call, settings: Callable[[], Settings], prompt: Prompt,
                 ask: Ask, clock: Callable[[], float], text: Callable[[int], str]) -> None:
        self._window, self._call, self._settings = window, call, settings
        self._prompt, self._ask, self._clock, self._text = prompt, ask, clock, text
        self._playing: Optional[_Playing] = None
        self._waiting: Optional[_Offer] = None
        self._offer: Optional[_Offer] = None
        self._asking: Optional[_Offer] = None
        self._hold_next = False  # next_prompt_in_mix: hold the mix item that starts next

    # -- events ------------------------------------------------------------------------------

    def handle(self, event: object) -> None:
        """React to `PlaybackStarted` and `PlaybackStopped`; other events are ignored."""
        if isinstance(event, events.PlaybackStarted):
            self._started(event.episodeid)
        elif isinstance(event, events.PlaybackStopped):
            self._stopped(event.episodeid, event.ended)

    def _field(self, tvshowid: int, field: str) -> str:
        return self._window.get(properties.show_key(tvshowid, field))

    def _started(self, episodeid: int) -> None:
        self._cancel_offer("another episode started")
        self._waiting = None
        settings = self._settings()
        if not (settings.next_prompt or settings.missed_episode_check or settings.mix_resume):
            self._playing = None
            return  # every playback feature is off: no request at all
        details = player.episode_details(self._call, episodeid)
        tvshowid = details.get("tvshowid")
        if not isinstance(tvshowid, int) or tvshowid <= 0:
            self._playing = None
            return
        position = player.playlist_position(self._call)
        follows = position is not None and position + 1 < player.playlist_size(self._call)
        in_mix = position is not None and str(episodeid) in self._window.get(mix.MIX_PROPERTY).split(",")
        self._playing = _Playing(episodeid, tvshowid, follows, in_mix)
        if in_mix and settings.mix_resume and position:
            self._resume_in_mix(episodeid, tvshowid)
        hold, self._hold_next = self._hold_next, False
        if hold and in_mix:
            self._hold(episodeid, tvshowid, details, settings)
            return
        if settings.missed_episode_check and tvshowid not in settings.random_order_shows:
            self._check_missed(episodeid, tvshowid, details)

    def _resume_in_mix(self, episodeid: int, tvshowid: int) -> None:
        """Kodi resumes only the item `Player.Open` starts; later mix items resume here."""
        resume = _int(self._field(tvshowid, "ResumeSeconds"))
        if self._field(tvshowid, "EpisodeID") == str(episodeid) and resume > 0:
            LOG.info("Random mix: resuming episodeid=%d at %d s", episodeid, resume)
            player.seek(self._call, resume)

    def _hold(self, episodeid: int, tvshowid: int, details, settings: Settings) -> None:
        """next_prompt_in_mix: pause the mix item that just started and offer it."""
        label = "%s - S%02dE%02d - %s" % (details.get("showtitle", ""), _int(str(details.get("season", 0))),
                                          _int(str(details.get("episode", 0))), details.get("title", ""))
        player.pause(self._call, True)
        self._offer = _Offer(tvshowid, episodeid, self._clock() + settings.next_prompt_seconds, episodeid,
                             held=True)
        LOG.info("Next-episode prompt: offering %s (episodeid=%d) in the mix, %d s, default %s", label, episodeid,
                 settings.next_prompt_seconds, "play" if self._default_play() else "stop")
        self._prompt.open(label, self._default_play())
        self._count_down(self._offer)

    def _check_missed(self, episodeid: int, tvshowid: int, details) -> None:
        next_id = _int(self._field(tvshowid, "EpisodeID"))
        if next_id <= 0 or next_id == episodeid:
            return
        nxt = (_int(self._field(tvshowid, "Season")), _int(self._field(tvshowid, "Episode")))
        this = (_int(str(details.get("season", 0))), _int(str(details.get("episode", 0))))
        if nxt[0] <= 0 or this[0] <= 0 or nxt >= this:
            return
        code = self._field(tvshowid, "EpisodeNo")
        LOG.info("Missed episode: episodeid=%d started while %s (episodeid=%d) is unwatched; asking",
                 episodeid, code, next_id)
        player.pause(self._call, True)
        self._asking = _Offer(tvshowid, episodeid, 0.0, next_id, _int(self._field(tvshowid, "ResumeSeconds")) > 0)
        self._ask.ask(self._text(30076) % code)

    def _stopped(self, episodeid: int, ended: bool) -> None:
        playing, self._playing = self._playing, None
        if not ended or playing is None or playing.episodeid != episodeid:
            return
        settings = self._settings()
        if not settings.next_prompt or playing.tvshowid in settings.random_order_shows:
            return
        if playing.follows:  # the playlist goes on by itself; inside a mix, maybe hold its next item
            self._hold_next = playing.in_mix and settings.next_prompt_in_mix
            return
        self._waiting = _Offer(playing.tvshowid, episodeid, self._clock() + CACHE_WAIT_SECONDS)

    # -- the loop ----------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance the prompt's countdown, open it once the cache has the next episode, and act
        on answers."""
        if self._waiting is not None:
            self._open_when_cached(self._waiting)
        if self._offer is not None:
            self._count_down(self._offer)
        if self._asking is not None:
            self._answer(self._asking)

    def _open_when_cached(self, waiting: _Offer) -> None:
        current = self._field(waiting.tvshowid, "EpisodeID")
        if current == str(waiting.after):
            if self._clock() >= waiting.deadline:
                LOG.info("Next-episode prompt: the cache did not move past episodeid=%d; no prompt", waiting.after)
                self._waiting = None
            return
        self._waiting = None
        if not current.isdigit():
            LOG.info("Next-episode prompt: tvshowid=%d has nothing next", waiting.tvshowid)
            return
        settings = self._settings()
        f = lambda name: self._field(waiting.tvshowid, name)  # noqa: E731
        label = "%s - %s - %s" % (f("TVShowTitle"), f("EpisodeNo"), f("Title"))
        self._offer = _Offer(waiting.tvshowid, waiting.after, self._clock() + settings.next_prompt_seconds,
                             int(current), _int(f("ResumeSeconds")) > 0)
        LOG.info("Next-episode prompt: offering %s (episodeid=%s), %d s, default %s", label, current,
                 settings.next_prompt_seconds, "play" if self._default_play() else "stop")
        self._prompt.open(label, self._default_play())
        self._count_down(self._offer)

    def _default_play(self) -> bool:
        return self._settings().next_prompt_default == PROMPT_DEFAULT_PLAY

    def _count_down(self, offer: _Offer) -> None:
        choice = self._prompt.choice()
        left = int(math.ceil(offer.deadline - self._clock()))
        if choice is None and left > 0:
            if left != offer.shown:
                offer.shown = left
                self._prompt.set_countdown(left)
            return
        if choice is None:
            choice = "play" if self._default_play() else "stop"
            LOG.info("Next-episode prompt: countdown over, %s", choice)
        else:
            LOG.info("Next-episode prompt: %s chosen", choice)
        self._prompt.close()
        self._offer = None
        if offer.held:
            if choice == "play":
                player.pause(self._call, False)
            else:
                player.stop(self._call)
        elif choice == "play":
            LOG.info("Playing episodeid=%d, resume=%s", offer.episodeid, offer.resume)
            player.play_episode(self._call, offer.episodeid, offer.resume)

    def _answer(self, asking: _Offer) -> None:
        answer = self._ask.answer()
        if answer is None:
            return
        self._asking = None
        if answer:
            LOG.info("Missed episode: playing episodeid=%d instead, resume=%s", asking.episodeid, asking.resume)
            player.play_episode(self._call, asking.episodeid, asking.resume)
        else:
            LOG.info("Missed episode: resuming episodeid=%d", asking.after)
            player.pause(self._call, False)

    def close(self) -> None:
        """Close an open prompt (the service is stopping); a pending question stays with Kodi."""
        self._cancel_offer("the service stops")
        self._waiting = None

    def _cancel_offer(self, why: str) -> None:
        if self._offer is not None:
            LOG.info("Next-episode prompt closed: %s", why)
            self._prompt.close()
            self._offer = None


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
