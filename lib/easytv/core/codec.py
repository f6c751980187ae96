"""`ShowState` to and from JSON text, as stored in the shared `shows.state` column.

Plain `json` of the dataclass fields (never Python reprs), with a format number so a later
version can read rows written by an earlier one.
"""

import dataclasses
import json
from typing import Any, Dict

from easytv.core.errors import MalformedRecord
from easytv.core.models import Episode, ShowState, TVShow
from easytv.core.sync import SharedShow

FORMAT = 1


def state_to_json(state: ShowState) -> str:
    """Serialise one show state (compact JSON, keys sorted)."""
    # The records are flat frozen dataclasses: their __dict__ is the field mapping, which
    # avoids dataclasses.asdict's deep copies (60 % of populating 5,000 shows, `make bench`).
    data = dict(vars(state))
    data["show"] = vars(state.show)
    data["next"] = vars(state.next)
    data["upcoming"] = list(state.upcoming)
    data["skipped"] = list(state.skipped)
    data["format"] = FORMAT
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _build(cls: Any, data: Any) -> Any:
    if not isinstance(data, dict):
        raise MalformedRecord("%s is not an object" % cls.__name__)
    names = {f.name for f in dataclasses.fields(cls)}
    missing = names - set(data)
    if missing:
        raise MalformedRecord("%s lacks %s" % (cls.__name__, ", ".join(sorted(missing))))
    try:
        return cls(**{k: data[k] for k in names})
    except TypeError as exc:
        raise MalformedRecord("%s: %s" % (cls.__name__, exc)) from None


def state_from_json(text: str) -> ShowState:
    """Parse what `state_to_json` wrote. Raises `MalformedRecord` for anything else."""
    try:
        data: Dict[str, Any] = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise MalformedRecord("state is not JSON: %s" % exc) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MalformedRecord("state has an unknown format: %r" % (data.get("format") if isinstance(data, dict)
                                                                    else data,))
    fields = dict(data)
    fields.pop("format")
    fields["show"] = _build(TVShow, fields.get("show"))
    fields["next"] = _build(Episode, fields.get("next"))
    for name in ("upcoming", "skipped"):
        if not isinstance(fields.get(name), list) or not all(isinstance(i, int) for i in fields[name]):
            raise MalformedRecord("state field %r is not a list of ids" % name)
        fields[name] = tuple(fields[name])
    return _build(ShowState, fields)


def row_to_dict(row: SharedShow) -> Dict[str, Any]:
    """A shared row as a JSON-safe dict (the state as its JSON text, None for a tombstone)."""
    return {"tvshowid": row.tvshowid, "title": row.title, "year": row.year,
            "state": state_to_json(row.state) if row.state is not None else None,
            "event_time": row.event_time, "device_id": row.device_id}


def row_from_dict(data: Any) -> SharedShow:
    """Inverse of `row_to_dict`. Raises `MalformedRecord` for anything else."""
    if not isinstance(data, dict):
        raise MalformedRecord("row is not an object")
    try:
        tvshowid, title, year = int(data["tvshowid"]), str(data["title"]), int(data["year"])
        event_time, device_id = float(data["event_time"]), str(data["device_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedRecord("row field missing or wrong: %s" % exc) from None
    state = data.get("state")
    return SharedShow(tvshowid, title, year, state_from_json(state) if state is not None else None,
                      event_time, device_id)
