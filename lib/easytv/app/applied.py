"""What this device has applied from the shared database, kept on disk for a cheap restart.

The shared position (generation, revision) and, per show, the event time and a digest of the
shared row's state at that position. At a restart with the same generation the first sync then
pulls only the rows changed since that revision and checks the local recompute against the
digests, instead of pulling every row (README, "Multi-instance sync").

One JSON file in the add-on's profile folder, replaced atomically like the offline queue
(`easytv.app.journal`: temporary file, fsync, `os.replace`, fsync of the folder). Format 1:
`{"format": 1, "generation": g, "revision": r, "shows": {"<tvshowid>": [event_time, digest]}}`.
"""

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional, Tuple

from easytv.app.journal import sync_folder
from easytv.core.codec import state_to_json
from easytv.core.models import ShowState
from easytv.core.sync import SharedShow

LOG = logging.getLogger("EasyTV.sync")
FORMAT = 1
TOMBSTONE = "-"
"""The digest of a tombstone (and of a show this device has no state for)."""


def state_digest(state: Optional[ShowState]) -> str:
    """A short digest (16 hex digits of SHA-1) of a state's stored JSON; `TOMBSTONE` for None."""
    if state is None:
        return TOMBSTONE
    return hashlib.sha1(state_to_json(state).encode("utf-8")).hexdigest()[:16]


@dataclass
class Position:
    """A shared position: (`generation`, `revision`) and {tvshowid: (event time in seconds,
    `state_digest` of the shared row)} of every row at that revision."""

    generation: int
    revision: int
    shows: Dict[int, Tuple[float, str]] = field(default_factory=dict)

    def update(self, rows: Iterable[SharedShow]) -> None:
        """Take the pulled `rows` in (the revision is set by the caller)."""
        for row in rows:
            self.shows[row.tvshowid] = (row.event_time, state_digest(row.state))

    def differs(self, states: Dict[int, ShowState]) -> int:
        """How many shows' local `states` differ from the shared rows of this position (a show
        missing on one side counts as a tombstone there)."""
        differ = 0
        for tvshowid in set(states) | set(self.shows):
            shared = self.shows.get(tvshowid, (0.0, TOMBSTONE))[1]
            if state_digest(states.get(tvshowid)) != shared:
                differ += 1
        return differ


class AppliedFile:
    """The position file at `path` (e.g. `.../addon_data/service.easytv/applied.json`)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def load(self) -> Optional[Position]:
        """The stored position; None when there is none or it is damaged (logged): the first
        sync then pulls every row, as without the file."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("unknown format")
            position = Position(int(data["generation"]), int(data["revision"]))
            for key, (event_time, digest) in data["shows"].items():
                if not isinstance(digest, str):
                    raise ValueError("digest of show %s is not text" % key)
                position.shows[int(key)] = (float(event_time), digest)
            return position
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            LOG.warning("Applied-position file %s is unreadable, pulling every row: %s", self.path, exc)
            return None

    def store(self, position: Position) -> bool:
        """Replace the file with `position` atomically; logs, never raises. True when written."""
        tmp = self.path + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump({"format": FORMAT, "generation": position.generation, "revision": position.revision,
                           "shows": {str(i): [t, d] for i, (t, d) in sorted(position.shows.items())}},
                          handle, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
            sync_folder(self.path)
            return True
        except OSError as exc:
            LOG.warning("Cannot write the applied-position file %s: %s", self.path, exc)
            return False
