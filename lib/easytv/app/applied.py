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

    def differs(self, states: Dict[int, ShowState], pulled: Iterable[SharedShow] = ()) -> int:
        """How many shows' local `states` differ from the shared rows of this position (a show
        missing on one side counts as a tombstone there); a show of the `pulled` rows (changed
        since) may also equal its pulled row (this device's own last write, pulled back)."""
        newer = {row.tvshowid: state_digest(row.state) for row in pulled}
        differ = 0
        for tvshowid in set(states) | set(self.shows) | set(newer):
            shared = self.shows.get(tvshowid, (0.0, TOMBSTONE))[1]
            mine = state_digest(states.get(tvshowid))
            if mine != shared and mine != newer.get(tvshowid, shared):
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


SAVE_SECONDS = 60.0
"""A changed position is written at most this often (seconds), and at the service's exit; a
crash loses at most this much of it, which only makes the next restart pull a little more."""


class Kept:
    """The syncer's position bookkeeping over an optional `AppliedFile` (None: nothing kept).

    `resume` is the stored position a restart may start from (None once the first sync has
    used or refused it); `position` is the one applied now."""

    def __init__(self, file: Optional[AppliedFile] = None) -> None:
        self._file = file
        self.position = file.load() if file is not None else None
        self.resume: Optional[Tuple[int, int]] = None
        if self.position is not None:
            self.resume = (self.position.generation, self.position.revision)
        self._dirty = False
        self._save_at = 0.0

    def matches(self, states: Dict[int, ShowState], pulled: Iterable[SharedShow]) -> bool:
        """True when the local `states` are those of the kept position (before taking in the
        rows `pulled` since, see `Position.differs`): the restart then needs no full pull.
        Logs the mismatch."""
        differ = self.position.differs(states, pulled) if self.position is not None else len(states) + 1
        if differ:
            LOG.info("%d shows differ from what this device had applied; pulling every row", differ)
        return not differ

    def reset(self, generation: int, revision: int, rows: Iterable[SharedShow]) -> None:
        """Every row at (`generation`, `revision`) is `rows` (a full pull, a population)."""
        self.position = Position(generation, revision)
        self.position.update(rows)
        self._dirty = True

    def advance(self, generation: int, revision: int, rows: Iterable[SharedShow]) -> None:
        """`rows` changed up to (`generation`, `revision`)."""
        if self.position is None or self.position.generation != generation:
            self.position = Position(generation, revision)
        self.position.update(rows)
        self.position.revision = revision
        self._dirty = True

    def still_newer(self, pending: Dict[int, SharedShow]) -> Dict[int, SharedShow]:
        """Of the queued rows, those that would still change the shared rows of the position
        (a different state with an event not older); like `sync_ops.still_newer` for a full pull."""
        shows = self.position.shows if self.position is not None else {}
        keep = {}
        for tvshowid, row in pending.items():
            event_time, digest = shows.get(tvshowid, (0.0, TOMBSTONE))
            if state_digest(row.state) != digest and row.event_time >= event_time:
                keep[tvshowid] = row
        return keep

    def forget(self) -> None:
        """The shared data started over: nothing applied (the file is left for `reset`)."""
        self.position = None
        self.resume = None

    def save_due(self, now: float) -> None:
        """Write the position if it changed and the last write is `SAVE_SECONDS` old."""
        if self._dirty and now >= self._save_at:
            self._save_at = now + SAVE_SECONDS
            self.flush()

    def flush(self) -> None:
        """Write the position now if it changed (the service's exit)."""
        if self._dirty and self._file is not None and self.position is not None:
            self._dirty = not self._file.store(self.position)
