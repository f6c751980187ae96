"""`easytv.core.codec`: the state JSON of the shared `shows.state` column."""

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from easytv.core.codec import ENCODED_FIELDS, state_from_json, state_to_json
from easytv.core.errors import MalformedRecord
from easytv.core.models import Episode, ShowState, TVShow

AWKWARD = "it's \"q\" \\ \x00 \x1a \x7f \u2028 \r\n\t é 中文 🎬 𝄞 \U0010ffff '); DROP TABLE shows; --"


def make_state(text="Plain", **changes):
    episode = Episode(101, 7, 2, 3, 1, "/tv/" + text, 0, 5, 12.5, 1450.25, "2026-01-02 10:00:00", text, text,
                      text * 50, 1500, "2026-01-01 10:00:00", "image://" + text)
    show = TVShow(7, text, 2001, "2026-01-02 10:00:00", "2026-01-01", "image://p/" + text, "image://f/")
    state = ShowState(show, episode, True, (101, 102, 205), (99,), 4, 11, "2026-01-02 10:00:00", True)
    return dataclasses.replace(state, **changes)


def reference(state):
    """What the format-1 encoder always wrote: `json.dumps` of the fields, keys sorted, compact."""
    data = dataclasses.asdict(state)
    data["format"] = 1
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_the_templates_write_every_field_of_every_record():
    for cls, names in ENCODED_FIELDS.items():
        assert sorted(f.name for f in dataclasses.fields(cls)) == list(names), cls.__name__


@pytest.mark.parametrize("state", [
    make_state(), make_state(AWKWARD), make_state(""), make_state("a\ud800b"),
    make_state(upcoming=(), skipped=()), make_state(upcoming=(5,), count_watched=-3, in_progress=False),
    make_state(next=dataclasses.replace(make_state().next, resume_position=0.1, resume_total=1e20,
                                        episodeid=2 ** 70, specialsortseason=-1)),
    make_state(next=dataclasses.replace(make_state().next, resume_position=1e-7, resume_total=0.0)),
])
def test_the_text_is_json_dumps_byte_for_byte(state):
    assert state_to_json(state) == reference(state)
    assert state_from_json(state_to_json(state)) == state


@pytest.mark.parametrize("state", [
    make_state(in_progress=1), make_state(count_watched=3.0), make_state(upcoming=(1, True)),
    make_state(skipped=(2.5,)), make_state(next=dataclasses.replace(make_state().next, resume_position=3)),
    make_state(next=dataclasses.replace(make_state().next, resume_total=float("nan"))),
    make_state(next=dataclasses.replace(make_state().next, episode=True)),
    make_state(show=dataclasses.replace(make_state().show, title=None)),
])
def test_values_of_other_types_take_the_generic_encoder(state):
    assert state_to_json(state) == reference(state)


@settings(max_examples=200, deadline=None)
@given(text=st.text(), number=st.integers(), ids=st.lists(st.integers(), max_size=40),
       resume=st.floats(allow_nan=False, allow_infinity=False))
def test_any_text_and_numbers_encode_as_json_dumps_does(text, number, ids, resume):
    state = make_state(text, upcoming=tuple(ids), count_unwatched=number,
                       next=dataclasses.replace(make_state(text).next, resume_position=resume, playcount=number))
    assert state_to_json(state) == reference(state)
    assert state_from_json(state_to_json(state)) == state


def test_rows_written_by_earlier_versions_still_read():
    # Text the first version of the codec wrote for a state (keys sorted; format 1).
    old = reference(make_state(AWKWARD))
    assert state_from_json(old) == make_state(AWKWARD)
    with pytest.raises(MalformedRecord):
        state_from_json(old.replace('"format":1', '"format":9'))
