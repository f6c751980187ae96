"""The home window (10000), whose properties hold EasyTV's local cache."""

import xbmcgui

HOME_WINDOW_ID = 10000


class HomeWindow:
    """Reads and writes `EasyTV.*` properties of Kodi's home window (id 10000)."""

    def __init__(self) -> None:
        self._window = xbmcgui.Window(HOME_WINDOW_ID)

    def get(self, name: str) -> str:
        """One property's value ("" when unset)."""
        return self._window.getProperty(name)

    def set(self, name: str, value: str) -> None:
        """Set one property (an empty value clears it)."""
        if value:
            self._window.setProperty(name, value)
        else:
            self._window.clearProperty(name)
