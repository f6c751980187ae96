"""`SharedShow`/`Device` to and from rows of the shared tables (column order: `easytv.mysql.statements`)."""

import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

from easytv.core.codec import state_from_json, state_to_json
from easytv.core.errors import MalformedRecord, StoreError
from easytv.core.sync import Device, SharedShow
from easytv.mysql.batches import NULL, float_literal, hex_digits, text_literal
from easytv.mysql.schema import HINT_HOST_LENGTH, NAME_LENGTH, TITLE_LENGTH
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


def _number(value: Optional[int]) -> str:
    return NULL if value is None else "%d" % value


def show_rows(shows: Sequence[SharedShow], library: str) -> List[str]:
    """The rows of the show upsert as SQL text, `SHOW_PLACEHOLDERS` filled with the same values as
    `show_params`, each encoded as `easytv.mysql.batches.literal` would (text as hex literals,
    numbers as digits; ASCII only), without its per-value dispatch. Raises `StoreError` naming
    the show when a value cannot be stored (a NaN event time, a field of the wrong type)."""
    place = text_literal(library)
    # SHOW_PLACEHOLDERS with the library and the constants filled in, %d for the ints, the text
    # values' hex_digits inside X'..' (text_literal without its per-value concatenation).
    live = SHOW_PLACEHOLDERS % (place, "%d", "X'%s'", "%d", "0", "%s", "%s", "%s", "%s", "%s", "X'%s'", "X'%s'", "%s")
    gone = SHOW_PLACEHOLDERS % (place, "%d", "X'%s'", "%d", "1", "%s", NULL, NULL, NULL, "0", "X''", NULL, "%s")
    devices: Dict[str, str] = {}  # one literal per device id (a population has one)
    result = []
    for show in shows:
        try:
            state = show.state
            device = devices.get(show.device_id)
            if device is None:
                device = devices[show.device_id] = text_literal(show.device_id)
            title = hex_digits(show.title[:TITLE_LENGTH])
            if state is None:
                row = gone % (show.tvshowid, title, show.year, device, float_literal(show.event_time))
            else:
                nxt = state.next
                row = live % (show.tvshowid, title, show.year, device, _number(nxt.episodeid), _number(nxt.season),
                              _number(nxt.episode), "1" if state.in_progress else "0",
                              hex_digits(state.lastplayed), hex_digits(state_to_json(state)),
                              float_literal(show.event_time))
        except (StoreError, TypeError, ValueError, AttributeError) as exc:
            raise StoreError("shared row tvshowid=%r cannot be stored: %s" % (getattr(show, "tvshowid", None), exc)) \
                from None
        result.append(row)
    return result


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
    port = int(device.hint_port) if 0 < int(device.hint_port) < 65536 else 0
    return (device.device_id, device.name[:NAME_LENGTH], device.addon_version[:NAME_LENGTH],
            device.kodi_version[:NAME_LENGTH], device.settings_fingerprint[:NAME_LENGTH], int(device.revision_applied),
            library, device.hint_host[:HINT_HOST_LENGTH] if port else "", port)


def device_from_row(row: Sequence[Any]) -> Device:
    """A `Device` from a row of `DEVICE_COLUMNS`."""
    device_id, name, addon_version, kodi_version, fingerprint, revision_applied, library, hint_host, hint_port, \
        last_seen = row
    return Device(device_id, name, addon_version, kodi_version, fingerprint, int(revision_applied), float(last_seen),
                  library, hint_host, int(hint_port))
