"""The offline queue: changes not known to be in the shared database, kept on disk.

One small JSON file under the add-on's profile folder, replaced atomically (write a temporary
file, fsync it, `os.replace`, then fsync the folder so the rename itself survives a power cut),
so a crash leaves either the old or the new queue, never a torn one. Rows (and shared-setting
values) are replayed after reconnecting, rows under the conflict rule.

File format 1: `{"format": 1, "rows": [row, ...]}`, plus, since this version, the optional keys
`"settings": {id: value}` and `"server_clock": bool` (whether the rows' event times are on the
server's clock; rows stamped before the first connect are on the device's wall clock). Older
files lack both keys and are read as settings `{}`, `server_clock` true (what they were).
"""

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional

from easytv.core.codec import row_from_dict, row_to_dict
from easytv.core.errors import MalformedRecord
from easytv.core.sync import SharedShow

LOG = logging.getLogger("EasyTV.sync")
FORMAT = 1


@dataclass
class Queued:
    """What the queue file holds: rows, shared-setting values, and the rows' clock."""

    rows: List[SharedShow] = field(default_factory=list)
    settings: Dict[str, str] = field(default_factory=dict)
    server_clock: bool = True


class Journal:
    """The queue file at `path` (e.g. `.../addon_data/service.easytv/offline_queue.json`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._last = None  # type: object

    def exists(self) -> bool:
        """True when a queue file is on disk."""
        return os.path.exists(self.path)

    def load(self) -> List[SharedShow]:
        """The queued rows (see `read`)."""
        return self.read().rows

    def read(self) -> Queued:
        """The queue; a missing file is an empty queue, a damaged file is logged and read as
        empty, and a malformed row or setting is logged and skipped (the others are kept)."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("rows"), list):
                raise MalformedRecord("unknown queue format")
        except FileNotFoundError:
            return Queued()
        except (OSError, ValueError, MalformedRecord) as exc:
            LOG.warning("Offline queue %s is unreadable, starting empty: %s", self.path, exc)
            return Queued()
        queued = Queued(server_clock=data.get("server_clock", True) is not False)
        for n, item in enumerate(data["rows"]):
            try:
                queued.rows.append(row_from_dict(item))
            except MalformedRecord as exc:
                LOG.warning("Offline queue %s: skipping malformed row %d: %s", self.path, n, exc)
        settings = data.get("settings", {})
        if isinstance(settings, dict):
            for name, value in settings.items():
                if isinstance(value, str):
                    queued.settings[str(name)] = value
                else:
                    LOG.warning("Offline queue %s: skipping malformed setting %r", self.path, name)
        else:
            LOG.warning("Offline queue %s: skipping malformed settings", self.path)
        if queued.rows or queued.settings:
            LOG.info("Loaded %d offline changes and %d settings to replay", len(queued.rows), len(queued.settings))
        return queued

    def store(self, rows: Iterable[SharedShow], settings: Optional[Mapping[str, str]] = None,
              server_clock: bool = True) -> None:
        """Replace the queue with `rows` and `settings` (an empty queue removes the file).
        Logs, never raises."""
        rows = sorted(rows, key=lambda r: r.tvshowid)
        settings = dict(settings or {})
        key = ([(r.tvshowid, r.event_time) for r in rows], sorted(settings.items()), server_clock)
        if key == self._last:
            return
        try:
            if not rows and not settings:
                if os.path.exists(self.path):
                    os.remove(self.path)
                    sync_folder(self.path)
            else:
                tmp = self.path + ".tmp"
                with open(tmp, "w", encoding="utf-8") as handle:
                    json.dump({"format": FORMAT, "rows": [row_to_dict(r) for r in rows], "settings": settings,
                               "server_clock": server_clock}, handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
                sync_folder(self.path)
            self._last = key
        except OSError as exc:
            LOG.warning("Cannot write the offline queue %s: %s", self.path, exc)


def sync_folder(path: str) -> None:
    """fsync the folder holding `path`, so a rename or removal in it is durable (POSIX; a no-op
    where folders cannot be opened, as on Windows, whose rename is durable by itself)."""
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
