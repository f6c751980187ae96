"""The local cache: the rendered property dict mirrored into a window, writing only the diff."""

from typing import Dict, Mapping

from easytv.app.interfaces import Window
from easytv.core import properties


class WindowCache:
    """The rendered cache mirrored into home-window properties, writing only what changed."""

    def __init__(self, window: Window) -> None:
        self._window = window
        self._current: Dict[str, str] = {}

    def load_previous(self) -> Dict[str, str]:
        """Read what an earlier run of the service left (its tracked shows), so it can be diffed."""
        ids = properties.parse_ids(self._window.get(properties.SHOW_IDS))
        ids += properties.parse_ids(self._window.get(properties.FRESH_IDS))
        current = {}
        for name in (properties.SHOW_IDS, properties.FRESH_IDS, properties.REVISION):
            current[name] = self._window.get(name)
        for tvshowid in ids:
            for field in properties.FIELDS:
                key = properties.show_key(tvshowid, field)
                current[key] = self._window.get(key)
        self._current = {k: v for k, v in current.items() if v}
        return dict(self._current)

    def apply(self, rendered: Mapping[str, str]) -> int:
        """Make the window hold exactly `rendered`; return the number of properties written."""
        changes = properties.diff(self._current, rendered)
        for name in changes.clear:
            self._window.set(name, "")
        # The revision goes last so a skin reloading on it sees complete data.
        for name, value in sorted(changes.set.items(), key=lambda kv: kv[0] == properties.REVISION):
            self._window.set(name, value)
        self._current = {k: v for k, v in rendered.items() if v}
        return len(changes.set) + len(changes.clear)

    def set_status(self, name: str, value: str) -> None:
        """Set a status property (`EasyTV.Storage`, `EasyTV.Service`) outside the diffed cache."""
        self._window.set(name, value)
