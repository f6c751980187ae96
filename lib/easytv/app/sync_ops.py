"""The store operations the syncer runs on its worker thread; each returns what the loop needs.

They only talk to a `SharedStore` (blocking is fine here: this is the worker's side).
"""

import logging
from typing import Any, Callable, List, Optional, Tuple

from easytv.core.errors import StoreError
from easytv.core.sync import Device, Head, SharedShow, SharedStore

LOG = logging.getLogger("EasyTV.shareddb")

Applied = Optional[Tuple[int, int]]
"""(generation, revision) this device has applied, or None when it must pull everything."""


def poll(store: SharedStore, applied: Applied) -> Tuple[Head, Optional[List[SharedShow]]]:
    """The staleness check (one round trip), then the rows changed since `applied` if any."""
    head = store.head()
    if applied is None or head.generation != applied[0] or head.revision == applied[1]:
        return head, None
    return store.changes_since(applied[1])


def first_sync(store: SharedStore, applied: Applied) -> Tuple[Head, List[SharedShow], bool]:
    """Rows to start from: only those changed since `applied` after a reconnect in the same
    generation (complete = False), else every row (complete = True)."""
    head = store.head()
    if applied is not None and applied[0] == head.generation:
        head, rows = store.changes_since(applied[1])
        return head, rows, False
    head, rows = store.changes_since(0)
    return head, rows, True


def populate(store: SharedStore, owner: str, rows: List[SharedShow]) -> Optional[Tuple[int, int]]:
    """Write `rows` into an empty database under the population lock; (generation, revision),
    or None when another device holds the lock or has populated meanwhile."""
    if not store.try_lock(owner):
        return None
    try:
        head = store.head()
        if head.revision != 0:
            return None  # someone populated while we waited for the lock
        return head.generation, store.write(rows)
    finally:
        store.release_lock(owner)


def heartbeat(store: SharedStore, device: Device) -> Callable[[], None]:
    """The device-registry refresh, as a job."""
    return lambda: store.register_device(device)


def close_quietly(store: Any) -> None:
    """Close a store's connection if it has one; a failure to close is only worth a debug line."""
    close = getattr(store, "close", None)
    if close is None:
        return
    try:
        close()
    except StoreError as exc:
        LOG.debug("Closing the database connection: %s", exc.reason)
