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
        # Order for readers running concurrently (widgets): a show's fields before the id
        # lists that name it, clears after the lists stop naming them, the revision last.
        late = (properties.SHOW_IDS, properties.FRESH_IDS)
        for name, value in changes.set.items():
            if name not in late and name != properties.REVISION:
                self._window.set(name, value)
        for name in late:
            if name in changes.set:
                self._window.set(name, changes.set[name])
        for name in changes.clear:
            self._window.set(name, "")
        if properties.REVISION in changes.set:
            self._window.set(properties.REVISION, changes.set[properties.REVISION])
        self._current = {k: v for k, v in rendered.items() if v}
        return len(changes.set) + len(changes.clear)

    def set_status(self, name: str, value: str) -> None:
        """Set a status property (`EasyTV.Storage`, `EasyTV.Service`) outside the diffed cache."""
        self._window.set(name, value)
