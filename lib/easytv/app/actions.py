"""The settings buttons: Clear sync data and Sync status (run from the script/plugin routes)."""

import logging
import time
from typing import Callable, Iterable, List, Optional

from easytv.core.errors import Error
from easytv.core.scope import same_library
from easytv.core.settings import fingerprint
from easytv.core.sync import Device, Head, SharedStore

LOG = logging.getLogger("EasyTV.sync")


OTHER_LIBRARY = "another Kodi library, not shared"
"""How Sync status marks a device on another video library (README, "Multi-instance sync")."""


def status_text(location: str, head: Head, devices: Iterable[Device], this_device: str, now: float,
                library: str = "") -> str:
    """The Sync status report: database and library, revision, shared settings, one block per
    device of this library (name, versions, last seen in seconds ago, revision lag, settings
    drift), then the devices of other libraries (name, versions, their library, last seen: they
    share nothing with this one, so no lag or drift). A device whose library is unknown ("")
    counts as this library's."""
    shared_print = fingerprint(head.settings) if head.settings else ""
    lines: List[str] = [
        "Database: %s" % location,
        "Library: %s" % (library or "?"),
        "Revision: %d (generation %d)" % (head.revision, head.generation),
        "Shared settings: %s" % (", ".join("%s=%s" % kv for kv in sorted(head.settings.items())) or "not set"),
        "",
    ]
    ordered = sorted(devices, key=lambda d: d.last_seen, reverse=True)
    others = [d for d in ordered if library and d.library and not same_library(d.library, library)]
    for device in ordered:
        if device in others:
            continue
        lag = max(0, head.revision - device.revision_applied)
        drift = "same settings" if device.settings_fingerprint in ("", shared_print) else "SETTINGS DIFFER"
        lines += _device_lines(device, this_device)
        # The registry row is refreshed by the heartbeat, so the lag is the one the device
        # reported when it was last seen, not necessarily its lag now.
        lines.append("  last seen %d s ago at revision %d (%s), %s" % (
            max(0, now - device.last_seen), device.revision_applied,
            "up to date" if lag == 0 else "%d behind the current" % lag, drift))
    if others:
        lines += ["", "Devices on other Kodi libraries (%s):" % OTHER_LIBRARY]
    for device in others:
        lines += _device_lines(device, this_device)
        lines.append("  %s: %s, last seen %d s ago" % (OTHER_LIBRARY, device.library, max(0, now - device.last_seen)))
    return "\n".join(lines)


def _device_lines(device: Device, this_device: str) -> List[str]:
    return ["%s%s" % (device.name or device.device_id, "  (this device)" if device.device_id == this_device else ""),
            "  EasyTV %s, Kodi %s" % (device.addon_version or "?", device.kodi_version or "?")]


def clear_sync_data(open_store: Callable[[], SharedStore], confirm: Callable[[], bool],
                    notify: Callable[[bool], None],
                    announce: Optional[Callable[[SharedStore, Head], None]] = None) -> Optional[Head]:
    """Ask, then delete all shared show data (revision 0, new generation); report the outcome.

    `announce(store, head)` runs after the clear, before the store is closed: it tells the
    services of this library at once (wake-up hints), so a device whose hints work and polls
    only every few seconds notices the clear as fast as a peer's write. Its failure is logged,
    never fatal: polling still finds the new generation.

    Returns the new head, or None when cancelled or failed (the failure is logged and notified).
    """
    if not confirm():
        return None
    try:
        store = open_store()
        try:
            head = store.clear()
            if announce is not None:
                try:
                    announce(store, head)
                except Error as exc:
                    LOG.info("Cleared sync data, but could not announce it (%s); devices notice at their next poll",
                             exc)
        finally:
            close = getattr(store, "close", None)
            if close is not None:
                close()
    except Error as exc:
        LOG.warning("Clear sync data failed: %s", exc)
        notify(False)
        return None
    LOG.info("Cleared sync data: revision 0, generation %d", head.generation)
    notify(True)
    return head


def sync_status(open_store: Callable[[], SharedStore], this_device: str) -> str:
    """The status report, read from the shared database (raises `StoreError`)."""
    store = open_store()
    try:
        head = store.head()
        devices = store.devices()
        location = getattr(store, "describe_location", lambda: "")()
        library = str(getattr(store, "library", ""))
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()
    return status_text(location, head, devices, this_device, time.time(), library)
