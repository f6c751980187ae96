"""Kodi's `xbmc.Monitor`: callbacks only enqueue; the service loop does the work."""

import queue
from typing import Tuple

import xbmc

from easytv.core.events import SETTINGS_CHANGED

Notification = Tuple[str, str, str]
"""(sender, method, data) as Kodi passes them to `onNotification`; data is JSON text."""


class Monitor(xbmc.Monitor):
    """Puts every notification, and a `SETTINGS_CHANGED` marker, on a queue for the loop."""

    def __init__(self, inbox: "queue.Queue[Notification]") -> None:
        super().__init__()
        self._inbox = inbox

    def onNotification(self, sender: str, method: str, data: str) -> None:  # noqa: N802 (Kodi API)
        """Enqueue; never parse or compute in Kodi's callback thread."""
        self._inbox.put((sender, method, data))

    def onSettingsChanged(self) -> None:  # noqa: N802 (Kodi API)
        """Enqueue a settings-changed marker."""
        self._inbox.put(("", SETTINGS_CHANGED, ""))
