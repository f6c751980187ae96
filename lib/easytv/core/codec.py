"""`ShowState` to and from JSON text, as stored in the shared `shows.state` column.

Plain `json` of the dataclass fields (never Python reprs), with a format number so a later
version can read rows written by an earlier one.
"""

import dataclasses
import json
import math
from typing import Any, Dict, Optional, Sequence

from easytv.core.errors import MalformedRecord
from easytv.core.models import Episode, ShowState, TVShow
from easytv.core.sync import SharedShow

FORMAT = 1


def _slow_json(state: ShowState) -> str:
    # The records are flat frozen dataclasses: their __dict__ is the field mapping, which
    # avoids dataclasses.asdict's deep copies (60 % of populating 5,000 shows, `make bench`).
    data = dict(vars(state))
    data["show"] = vars(state.show)
    data["next"] = vars(state.next)
    data["upcoming"] = list(state.upcoming)
    data["skipped"] = list(state.skipped)
    data["format"] = FORMAT
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_text = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
"""A str as a JSON string literal, non-ASCII kept: what `json.dumps(..., ensure_ascii=False)` uses
(the C version when present). tests/unit/test_codec.py fails if it stops matching `json.dumps`."""

_EPISODE = ('{"dateadded":%s,"episode":%d,"episodeid":%d,"file":%s,"lastplayed":%s,"playcount":%d,"plot":%s,'
            '"resume_position":%r,"resume_total":%r,"runtime":%d,"season":%d,"showtitle":%s,'
            '"specialsortepisode":%d,"specialsortseason":%d,"thumb":%s,"title":%s,"tvshowid":%d}')
_SHOW = '{"dateadded":%s,"fanart":%s,"lastplayed":%s,"poster":%s,"title":%s,"tvshowid":%d,"year":%d}'
_STATE = ('{"count_unwatched":%d,"count_watched":%d,"format":%d,"in_progress":%s,"is_skipped":%s,"lastplayed":%s,'
          '"next":%s,"show":%s,"skipped":[%s],"upcoming":[%s]}')
_BOOLEAN = {True: "true", False: "false"}
_INT = frozenset([int])
ENCODED_FIELDS = {
    Episode: ("dateadded", "episode", "episodeid", "file", "lastplayed", "playcount", "plot", "resume_position",
              "resume_total", "runtime", "season", "showtitle", "specialsortepisode", "specialsortseason", "thumb",
              "title", "tvshowid"),
    TVShow: ("dateadded", "fanart", "lastplayed", "poster", "title", "tvshowid", "year"),
    ShowState: ("count_unwatched", "count_watched", "in_progress", "is_skipped", "lastplayed", "next", "show",
                "skipped", "upcoming"),
}
"""The fields `state_to_json`'s templates write, per record type (a test checks them against the
dataclasses, so a new field cannot be silently left out)."""


def _fast_json(state: ShowState) -> Optional[str]:
    """`_slow_json`'s exact text from %-templates (3 to 4 times faster: no generic encoder walk),
    or None unless every value has its declared type (ints that are not bools, finite floats)."""
    e, s = state.next, state.show
    ints = {type(e.episode), type(e.episodeid), type(e.playcount), type(e.runtime), type(e.season),
            type(e.specialsortepisode), type(e.specialsortseason), type(e.tvshowid), type(s.tvshowid),
            type(s.year), type(state.count_unwatched), type(state.count_watched)}
    ids = set(map(type, state.upcoming))
    ids.update(map(type, state.skipped))
    position, total = e.resume_position, e.resume_total
    if (ints != _INT or not ids <= _INT or type(position) is not float or type(total) is not float
            or not (-math.inf < position < math.inf and -math.inf < total < math.inf)
            or type(state.in_progress) is not bool or type(state.is_skipped) is not bool):
        return None
    episode = _EPISODE % (_text(e.dateadded), e.episode, e.episodeid, _text(e.file), _text(e.lastplayed), e.playcount,
                          _text(e.plot), e.resume_position, e.resume_total, e.runtime, e.season, _text(e.showtitle),
                          e.specialsortepisode, e.specialsortseason, _text(e.thumb), _text(e.title), e.tvshowid)
    show = _SHOW % (_text(s.dateadded), _text(s.fanart), _text(s.lastplayed), _text(s.poster), _text(s.title),
                    s.tvshowid, s.year)
    return _STATE % (state.count_unwatched, state.count_watched, FORMAT, _BOOLEAN[state.in_progress],
                     _BOOLEAN[state.is_skipped], _text(state.lastplayed), episode, show,
                     _ids(state.skipped), _ids(state.upcoming))


def _ids(ids: Sequence[int]) -> str:
    # `%d` per id (ints checked by the caller) is twice as fast as `",".join(map(str, ids))`.
    return ("%d," * len(ids) % tuple(ids))[:-1]


def state_to_json(state: ShowState) -> str:
    """Serialise one show state: compact JSON, keys sorted, non-ASCII kept (`json.dumps`' text,
    byte for byte; built from templates when every value has its declared type)."""
    try:
        text = _fast_json(state)
    except (TypeError, AttributeError):  # a str field holding something else: the generic encoder decides
        text = None
    return text if text is not None else _slow_json(state)


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
