"""The offline queue: rows not yet written to the shared database, kept on disk.

One small JSON file under the add-on's profile folder, replaced atomically (write a temporary
file, then `os.replace`), so a crash or power cut leaves either the old or the new queue, never
a torn one. Rows are replayed after reconnecting, under the conflict rule.
"""

import json
import logging
import os
from typing import Iterable, List

from easytv.core.codec import row_from_dict, row_to_dict
from easytv.core.errors import MalformedRecord
from easytv.core.sync import SharedShow

LOG = logging.getLogger("EasyTV.sync")
FORMAT = 1


class Journal:
    """The queue file at `path` (e.g. `.../addon_data/service.easytv/offline_queue.json`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._last = None  # type: object

    def load(self) -> List[SharedShow]:
        """The queued rows; a missing file is an empty queue, a damaged one is logged and dropped."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("rows"), list):
                raise MalformedRecord("unknown queue format")
            rows = [row_from_dict(item) for item in data["rows"]]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, MalformedRecord) as exc:
            LOG.warning("Offline queue %s is unreadable, starting empty: %s", self.path, exc)
            return []
        if rows:
            LOG.info("Loaded %d offline changes to replay", len(rows))
        return rows

    def store(self, rows: Iterable[SharedShow]) -> None:
        """Replace the queue with `rows` (an empty queue removes the file). Logs, never raises."""
        rows = sorted(rows, key=lambda r: r.tvshowid)
        key = [(r.tvshowid, r.event_time) for r in rows]
        if key == self._last:
            return
        try:
            if not rows:
                if os.path.exists(self.path):
                    os.remove(self.path)
            else:
                tmp = self.path + ".tmp"
                with open(tmp, "w", encoding="utf-8") as handle:
                    json.dump({"format": FORMAT, "rows": [row_to_dict(r) for r in rows]}, handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            self._last = key
        except OSError as exc:
            LOG.warning("Cannot write the offline queue %s: %s", self.path, exc)
