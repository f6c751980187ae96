"""`SharedShow`/`Device` to and from rows of the shared tables (column order: `easytv.mysql.statements`)."""

import logging
from typing import Any, List, Optional, Sequence, Tuple

from easytv.core.codec import state_from_json, state_to_json
from easytv.core.errors import MalformedRecord
from easytv.core.sync import Device, SharedShow
from easytv.mysql.batches import values_row
from easytv.mysql.schema import NAME_LENGTH, TITLE_LENGTH
from easytv.mysql.statements import SHOW_PLACEHOLDERS

LOG = logging.getLogger("EasyTV.shareddb")


def show_params(show: SharedShow) -> Tuple[Any, ...]:
    """Values for `SHOW_PLACEHOLDERS`: every show column but `revision`, which the SQL supplies."""
    state = show.state
    nxt = state.next if state is not None else None
    return (show.tvshowid, show.title[:TITLE_LENGTH], show.year, int(state is None), show.device_id,
            nxt.episodeid if nxt else None, nxt.season if nxt else None, nxt.episode if nxt else None,
            int(bool(state and state.in_progress)), state.lastplayed if state else "",
            state_to_json(state) if state is not None else None, float(show.event_time))


def show_values(show: SharedShow, library: str) -> str:
    """One row of the show upsert as SQL text (`SHOW_PLACEHOLDERS` filled by
    `easytv.mysql.batches.literal`: text as hex literals, numbers as digits; ASCII only).
    Raises `StoreError` for an event time that is NaN or infinite."""
    return values_row(SHOW_PLACEHOLDERS, (library,) + show_params(show))


def show_from_row(row: Sequence[Any]) -> Optional[SharedShow]:
    """A `SharedShow` from a row of `READ_COLUMNS`, or None (logged) when its `state` is unreadable."""
    tvshowid, title, year, deleted, state_json, event_time, device_id, revision = row
    state = None
    if not deleted:
        try:
            state = state_from_json(state_json)
        except MalformedRecord as exc:
            LOG.warning("Ignoring shared row tvshowid=%s: %s", tvshowid, exc)
            return None
    return SharedShow(int(tvshowid), title, int(year), state, float(event_time), device_id, int(revision))


def shows_from_rows(rows: Sequence[Sequence[Any]]) -> List[SharedShow]:
    """Every readable row as a `SharedShow` (unreadable ones are logged and left out)."""
    shows = (show_from_row(row) for row in rows)
    return [show for show in shows if show is not None]


def device_params(device: Device, library: str) -> Tuple[Any, ...]:
    """Values for the device upsert (every column but `last_seen`, which is server time), on `library`."""
    return (device.device_id, device.name[:NAME_LENGTH], device.addon_version[:NAME_LENGTH],
            device.kodi_version[:NAME_LENGTH], device.settings_fingerprint[:NAME_LENGTH], int(device.revision_applied),
            library)


def device_from_row(row: Sequence[Any]) -> Device:
    """A `Device` from a row of `DEVICE_COLUMNS`."""
    device_id, name, addon_version, kodi_version, fingerprint, revision_applied, library, last_seen = row
    return Device(device_id, name, addon_version, kodi_version, fingerprint, int(revision_applied), float(last_seen),
                  library)
