"""Playback helpers for ``KodiInstance``: play to watched, stop early, with measured times."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .notify import NotificationListener, is_method, is_watched_update
from .procs import HarnessError, wait_until

PLAYER_ID = 1  # Kodi's video player


@dataclass
class PlayResult:
    """Timings of one playback, all ``time.monotonic()`` seconds (None when not observed).

    ``watched_at`` is the arrival of the playcount ``VideoLibrary.OnUpdate`` (the reference
    point for widget latency); ``stopped_at`` that of ``Player.OnStop``.
    """

    episodeid: int
    opened_at: float
    av_started_at: float | None = None
    watched_at: float | None = None
    stopped_at: float | None = None
    stop_data: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Open → OnStop, seconds."""
        return (self.stopped_at or self.opened_at) - self.opened_at


class PlaybackMixin:
    """Needs ``call()``, ``listener`` (a connected ``NotificationListener``) and ``name``."""

    listener: NotificationListener | None
    name: str

    def _notes(self) -> NotificationListener:
        if self.listener is None:
            raise HarnessError(f"{self.name}: not started (no notification listener)")
        return self.listener

    def _open(self, episodeid: int, timeout: float) -> tuple[PlayResult, int]:
        notes = self._notes()
        mark = notes.mark()
        result = PlayResult(episodeid, time.monotonic())
        self.call("Player.Open", {"item": {"episodeid": episodeid}})
        started = notes.wait_for(is_method("Player.OnAVStart", episodeid), timeout, mark,
                                 what=f"{self.name}: Player.OnAVStart of episode {episodeid}")
        result.av_started_at = started.time
        return result, mark

    def play_to_watched(self, episodeid: int, seek_percent: float = 85.0,
                        timeout: float = 30.0) -> PlayResult:
        """Play library episode ``episodeid`` until Kodi marks it watched.

        Seeks to ``seek_percent`` at ``Player.OnAVStart`` and lets the file end; returns after both
        the playcount ``VideoLibrary.OnUpdate`` and ``Player.OnStop`` arrived. The listener stays
        connected (Kodi 20.1 crashes if it closes mid-notification). Raises ``WaitTimeout``.
        """
        notes = self._notes()
        result, mark = self._open(episodeid, timeout)
        self.call("Player.Seek", {"playerid": PLAYER_ID, "value": {"percentage": seek_percent}})
        watched = notes.wait_for(is_watched_update(episodeid), timeout, mark,
                                 what=f"{self.name}: playcount OnUpdate of episode {episodeid}")
        stopped = notes.wait_for(is_method("Player.OnStop", episodeid), timeout, mark,
                                 what=f"{self.name}: Player.OnStop of episode {episodeid}")
        result.watched_at, result.stopped_at = watched.time, stopped.time
        result.stop_data = stopped.data if isinstance(stopped.data, dict) else {}
        return result

    def play_and_stop_early(self, episodeid: int, seconds: float = 4.0,
                            timeout: float = 30.0) -> PlayResult:
        """Play ``episodeid``, stop once the player time reaches ``seconds``; leaves a resume point.

        Returns after ``Player.OnStop`` (``end`` false) and the resume ``VideoLibrary.OnUpdate``.
        """
        notes = self._notes()
        result, mark = self._open(episodeid, timeout)

        def reached() -> bool:
            t = self.call("Player.GetProperties", {"playerid": PLAYER_ID,
                                                   "properties": ["time"]})["time"]
            return t["hours"] * 3600 + t["minutes"] * 60 + t["seconds"] >= seconds

        wait_until(reached, timeout, what=f"{self.name}: playback reaching {seconds} s")
        self.call("Player.Stop", {"playerid": PLAYER_ID})
        stopped = notes.wait_for(is_method("Player.OnStop", episodeid), timeout, mark,
                                 what=f"{self.name}: Player.OnStop of episode {episodeid}")
        notes.wait_for(is_method("VideoLibrary.OnUpdate", episodeid), timeout, mark,
                                 what=f"{self.name}: resume OnUpdate of episode {episodeid}")
        result.stopped_at, result.watched_at = stopped.time, None
        result.stop_data = stopped.data if isinstance(stopped.data, dict) else {}
        return result
