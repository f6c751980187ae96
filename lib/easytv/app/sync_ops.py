"""The store operations the syncer runs on its worker thread; each returns what the loop needs.

They only talk to a `SharedStore` (blocking is fine here: this is the worker's side).
"""

import dataclasses
import logging
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from easytv.core.errors import SchemaTooNew, StoreError
from easytv.core.sync import Device, Head, SharedShow, SharedStore, is_newer

LOG = logging.getLogger("EasyTV.shareddb")

MAX_SAMPLE_SECONDS = 1.0
"""A head round trip longer than this (seconds) is not used to re-measure the server's clock
(its error is up to half the round trip)."""

Applied = Optional[Tuple[int, int]]
"""(generation, revision) this device has applied, or None when it must pull everything."""


def starts_over(applied: Applied, head: Head) -> bool:
    """True when the shared data is not the one `applied` was taken from: never synced, another
    generation (cleared, or the tables created anew), or a revision below the applied one (a
    database restored from a backup). Generations are opaque: compared for equality only."""
    return applied is None or head.generation != applied[0] or head.revision < applied[1]


def needs_population(shared_rows: int, local_rows: int) -> bool:
    """True when the shared table is empty or nearly so (fewer rows than half this device's
    shows: a write that landed after a clear, before the repopulation); such a table is
    populated under the lock by one device, never reconciled by every device."""
    return shared_rows == 0 or shared_rows * 2 < local_rows


def poll(store: SharedStore, applied: Applied, monotonic: Optional[Callable[[], float]] = None
         ) -> Tuple[Head, Optional[List[SharedShow]], Optional[float]]:
    """The staleness check (one round trip), then the rows changed since `applied` if any.

    The third value is the server's clock offset (server minus `monotonic`, seconds) measured
    from the head's `server_time` around that round trip, or None when `monotonic` is not given,
    the store cannot tell the server time (`server_time` 0.0) or the round trip took longer than
    `MAX_SAMPLE_SECONDS`."""
    before = monotonic() if monotonic is not None else 0.0
    head = store.head()
    offset = None
    if monotonic is not None and head.server_time > 0:
        after = monotonic()
        if after - before <= MAX_SAMPLE_SECONDS:  # a slow round trip is a poor sample: skipped
            offset = head.server_time - (before + after) / 2
    if applied is None or starts_over(applied, head) or head.revision == applied[1]:
        return head, None, offset
    head, rows = store.changes_since(applied[1])
    return head, rows, offset


def first_sync(store: SharedStore, applied: Applied) -> Tuple[Head, List[SharedShow], bool]:
    """Rows to start from: only those changed since `applied` after a reconnect to the same
    shared data (complete = False), else every row (complete = True)."""
    head = store.head()
    if applied is not None and not starts_over(applied, head):
        if head.revision == applied[1]:
            return head, [], False  # nothing changed: the head was the one round trip
        head, rows = store.changes_since(applied[1])
        return head, rows, False
    head, rows = store.changes_since(0)
    return head, rows, True


def populate(store: SharedStore, owner: str, rows: List[SharedShow]) -> Optional[Tuple[int, int, int]]:
    """Write `rows` into an empty (or nearly empty, see `needs_population`) table under the
    population lock. Returns (generation, revision read under the lock BEFORE the write, revision
    the write made): the first is what the device has applied, so a peer's commit between that
    read and the write is still pulled by the next poll; the second is what to announce. None
    when another device holds the lock or has populated meanwhile."""
    if not store.try_lock(owner):
        return None
    try:
        head, current = store.changes_since(0)
        if not needs_population(len(current), len(rows)):
            return None  # someone populated while we waited for the lock
        written = store.write(rows)
        return head.generation, head.revision, written
    finally:
        store.release_lock(owner)


def write(store: SharedStore, rows: Sequence[SharedShow], settings: Mapping[str, str], peers: bool
          ) -> Tuple[int, Optional[List[Device]]]:
    """Write queued rows and settings; returns the new revision and, when `peers`, the device
    registry read after it (for the hint endpoints; one more round trip)."""
    revision = store.write(rows, dict(settings) or None)
    return revision, store.devices() if peers else None


def unconfirmed(pending: Mapping[int, SharedShow], pending_settings: Mapping[str, str],
                writing: Sequence[SharedShow] = (), writing_settings: Mapping[str, str] = {}
                ) -> Tuple[List[SharedShow], Dict[str, str]]:
    """Every change not known to be committed: the queued rows and settings plus those of the
    write in flight (per show the newest event; a queued setting value is the later one)."""
    rows = dict(pending)
    for row in writing:
        if row.tvshowid not in rows or rows[row.tvshowid].event_time < row.event_time:
            rows[row.tvshowid] = row
    settings = dict(writing_settings)
    settings.update(pending_settings)
    return list(rows.values()), settings


def still_newer(pending: Mapping[int, SharedShow], shared: Sequence[SharedShow]) -> Dict[int, SharedShow]:
    """Of the queued rows, those that would still change the shared rows (`shared`: all of
    them): a different state with an event not older (the conflict rule), or a show the
    database lacks (not a tombstone)."""
    theirs = {r.tvshowid: r for r in shared}
    keep = {}
    for tvshowid, row in pending.items():
        other = theirs.get(tvshowid)
        if other is None:
            if not row.deleted:
                keep[tvshowid] = row
        elif other.state != row.state and is_newer(row.event_time, other.event_time):
            keep[tvshowid] = row
    return keep


def heartbeat(store: SharedStore, device: Device, peers: bool = False
              ) -> Callable[[], Tuple[Device, Optional[List[Device]]]]:
    """The device-registry refresh, as a job returning the device registered and, when
    `peers`, the registry read after it."""
    def job() -> Tuple[Device, Optional[List[Device]]]:
        store.register_device(device)
        return device, store.devices() if peers else None
    return job


def same_registration(registered: Optional[Device], device: Device) -> bool:
    """True when `device` needs no new registry row: it differs from the one `registered`
    last at most in the fields a heartbeat refreshes anyway (revision applied, last seen)."""
    if registered is None:
        return False
    return dataclasses.replace(registered, revision_applied=0, last_seen=0.0) == \
        dataclasses.replace(device, revision_applied=0, last_seen=0.0)


def log_failure(name: str, error: BaseException, backoff: float, schema_retry: float) -> float:
    """Log a failed operation once (a traceback only for an unexpected exception type) and
    return the seconds to stay local before the next attempt."""
    if isinstance(error, SchemaTooNew):
        LOG.warning("Shared database has a newer schema than this EasyTV knows; staying local: %s", error.reason)
        return schema_retry
    if isinstance(error, StoreError):
        LOG.warning("Database unavailable, backing off (%s)", error.reason)
    else:
        LOG.error("Unexpected failure in %s, backing off", name, exc_info=error)
    return backoff


def close_quietly(store: Any) -> None:
    """Close a store's connection if it has one; a failure to close is only worth a debug line."""
    close = getattr(store, "close", None)
    if close is None:
        return
    try:
        close()
    except StoreError as exc:
        LOG.debug("Closing the database connection: %s", exc.reason)
