"""`ShowState` to and from JSON text, as stored in the shared `shows.state` column.

Plain `json` of the dataclass fields (never Python reprs), with a format number so a later
version can read rows written by an earlier one.
"""

import dataclasses
import json
from typing import Any, Dict

from easytv.core.errors import MalformedRecord
from easytv.core.models import Episode, ShowState, TVShow

FORMAT = 1


def state_to_json(state: ShowState) -> str:
    """Serialise one show state (compact JSON, keys sorted)."""
    data = dataclasses.asdict(state)
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
