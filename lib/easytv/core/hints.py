"""Wake-up hints, the pure part: the datagram, the rate limit, and "are hints arriving?".

A hint is a tiny UDP datagram a device sends to its peers after each commit to the shared
database: "library `scope` is now at (`generation`, `revision`)". It carries no data and no
credentials; a device that gets one for a revision above its applied one polls at once. A hint
only ever triggers a poll, so a forged or replayed one costs one staleness query at most, and
hints are rate-limited (`RateLimit`). Polling stays the fallback (README, "Multi-instance sync").

Datagram (format 1, network byte order): the 4-byte magic `ETVH`, a version byte (1), the
generation and the revision as signed 64-bit integers, then the scope as UTF-8 (at most
`MAX_SCOPE_BYTES`). Anything else is not a hint and is ignored.
"""

import struct
from collections import deque
from dataclasses import dataclass
from typing import Deque, Optional

MAGIC = b"ETVH"
VERSION = 1
MAX_SCOPE_BYTES = 200
_HEADER = struct.Struct(">4sBqq")

FAST_POLL_SECONDS = 2.0
"""Poll period while hints are not known to arrive (the fallback; seconds)."""
SLOW_POLL_SECONDS = 20.0
"""Poll period while hints are known to arrive (3 staleness queries a minute; seconds)."""
HINT_POLLS_PER_SECOND = 4
"""At most this many polls a second are triggered by hints (forged or flooded ones included)."""


@dataclass(frozen=True)
class Hint:
    """One announcement: library `scope` (opaque text) is at (`generation`, `revision`)."""

    scope: str
    generation: int
    revision: int


def encode(hint: Hint) -> bytes:
    """The datagram for `hint` (about 25 bytes plus the scope). Raises ValueError when the scope
    is longer than `MAX_SCOPE_BYTES` in UTF-8 or a number does not fit 64 bits."""
    scope = hint.scope.encode("utf-8")
    if len(scope) > MAX_SCOPE_BYTES:
        raise ValueError("hint scope too long: %d bytes" % len(scope))
    try:
        return _HEADER.pack(MAGIC, VERSION, hint.generation, hint.revision) + scope
    except struct.error as exc:
        raise ValueError("hint numbers out of range: %s" % exc) from None


def decode(data: bytes) -> Optional[Hint]:
    """The hint in `data`, or None for anything that is not one (a stray packet, another
    version, a torn or oversized datagram, a negative revision, a scope that is not UTF-8)."""
    if len(data) < _HEADER.size or len(data) > _HEADER.size + MAX_SCOPE_BYTES:
        return None
    magic, version, generation, revision = _HEADER.unpack_from(data)
    if magic != MAGIC or version != VERSION or revision < 0:
        return None
    try:
        scope = data[_HEADER.size:].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Hint(scope, generation, revision)


class RateLimit:
    """At most `per_second` events in any window of one second (the times of the last ones are
    kept). Times are seconds on one monotonic clock, passed in."""

    def __init__(self, per_second: int = HINT_POLLS_PER_SECOND) -> None:
        self._times: Deque[float] = deque(maxlen=max(1, per_second))

    def allow(self, now: float) -> bool:
        """True (and the event counted) when another event may happen at `now`."""
        if len(self._times) == self._times.maxlen and now - self._times[0] < 1.0:
            return False
        self._times.append(now)
        return True


class Arrival:
    """Whether hints are known to reach this device, from what polls find.

    Hints are not known to arrive at first. A poll that finds the shared revision moved to R
    confirms hints when a hint announced a revision >= R (`working` becomes True), and refutes
    them when neither a hint nor this device's own commit did (`working` becomes False: the
    device polls every `FAST_POLL_SECONDS` until a later change is announced and confirmed).
    """

    def __init__(self) -> None:
        self.working = False
        self.generation: Optional[int] = None
        self.hinted = -1  # the highest revision a hint announced in `generation`
        self.own = -1  # the highest revision this device committed in `generation`

    def announce(self, generation: int, revision: int, hinted: bool = True) -> None:
        """A hint (`hinted`) or this device's own commit (not `hinted`) said the shared data is
        at this position. Only hints can confirm that hints arrive; an own commit only keeps
        the poll that pulls it back from refuting them."""
        if generation != self.generation:
            self.generation, self.hinted, self.own = generation, -1, -1
        if hinted:
            self.hinted = max(self.hinted, revision)
        else:
            self.own = max(self.own, revision)

    def found(self, generation: int, revision: int) -> None:
        """A poll found the shared data moved to (`generation`, `revision`)."""
        if generation == self.generation and revision <= self.hinted:
            self.working = True
        elif generation != self.generation or revision > self.own:
            self.working = False

    def poll_seconds(self, fallback: float = FAST_POLL_SECONDS, slow: float = SLOW_POLL_SECONDS) -> float:
        """How long to wait between polls now (seconds): `slow` while hints work, else `fallback`."""
        return max(slow, fallback) if self.working else fallback
