"""The next-episode prompt (a non-modal `xbmcgui.WindowXMLDialog` with our own Estuary-style
skin file, resources/skins/default/1080i/script-easytv-nextprompt.xml) and an asynchronous
yes/no question (Kodi's standard dialog, asked on a thread so the service loop keeps running).

Kodi scales the 1080i skin file to the screen (720p too). Button clicks reach `onClick` only
while the window's Python thread waits in Kodi (`Monitor.waitForAbort`, which the service
loop does every tick), per Kodi's Python callback handling (xbmcgui docs, "WindowXMLDialog").
"""

import threading
from typing import Optional

import xbmcaddon
import xbmcgui

from easytv.kodi.addon import localize

SKIN_FILE = "script-easytv-nextprompt.xml"
PLAY_BUTTON = 10
STOP_BUTTON = 11
_BACK_ACTIONS = (9, 10, 92)  # ACTION_PARENT_DIR, ACTION_PREVIOUS_MENU, ACTION_NAV_BACK


class _PromptWindow(xbmcgui.WindowXMLDialog):
    choice: Optional[str] = None

    def onClick(self, controlId: int) -> None:  # noqa: N802,N803 - Kodi's callback names
        if controlId == PLAY_BUTTON:
            self.choice = "play"
        elif controlId == STOP_BUTTON:
            self.choice = "stop"

    def onAction(self, action: xbmcgui.Action) -> None:  # noqa: N802 - Kodi's callback name
        if action.getId() in _BACK_ACTIONS:
            self.choice = "stop"
        else:
            super().onAction(action)


class KodiPrompt:
    """The prompt window; `open`, then `set_countdown`/`choice` from the service loop, `close`."""

    def __init__(self) -> None:
        self._path = xbmcaddon.Addon("service.easytv").getAddonInfo("path")
        self._window: Optional[_PromptWindow] = None
        self._countdown = ""

    def open(self, next_episode: str, default_play: bool) -> None:
        """Show the panel naming `next_episode` ("Show - S01E03 - Title"), the default button focused."""
        self.close()
        window = _PromptWindow(SKIN_FILE, self._path, "default", "1080i")
        window.setProperty("EasyTV.Heading", localize(30074))
        window.setProperty("EasyTV.Next", next_episode)
        window.setProperty("EasyTV.Play", localize(30066))
        window.setProperty("EasyTV.Stop", localize(30067))
        window.show()
        window.setFocusId(PLAY_BUTTON if default_play else STOP_BUTTON)
        self._window = window
        self._countdown = localize(30075 if default_play else 30077)

    def set_countdown(self, seconds: int) -> None:
        """Show "Playing in N s" (default play) or "Closing in N s" (default stop)."""
        if self._window is not None:
            self._window.setProperty("EasyTV.Countdown", self._countdown % seconds)

    def choice(self) -> Optional[str]:
        """"play" or "stop" once a button (or Back: "stop") was pressed, else None."""
        return None if self._window is None else self._window.choice

    def close(self) -> None:
        """Close the panel if open."""
        if self._window is not None:
            self._window.close()
            self._window = None


class KodiAsk:
    """Kodi's yes/no dialog ("No" focused), asked on a thread; poll `answer()`."""

    def __init__(self) -> None:
        self._answer: Optional[bool] = None
        self._thread: Optional[threading.Thread] = None

    def ask(self, message: str) -> None:
        """Open the question; returns at once."""
        self._answer = None

        def run() -> None:
            self._answer = bool(xbmcgui.Dialog().yesno(localize(30000), message,
                                                       defaultbutton=xbmcgui.DLG_YESNO_NO_BTN))

        self._thread = threading.Thread(target=run, name="EasyTV.ask", daemon=True)
        self._thread.start()

    def answer(self) -> Optional[bool]:
        """True for Yes, False for No (or Back), None while the dialog is open."""
        if self._thread is not None and self._thread.is_alive():
            return None
        return self._answer
