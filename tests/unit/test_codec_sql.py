"""SQL literals of the multi-row upserts (`easytv.mysql.batches`, `easytv.mysql.rows.show_rows`)."""

import dataclasses
import re
import sys
import threading

import pytest

from easytv.core.errors import StoreError
from easytv.core.models import Episode, ShowState, TVShow
from easytv.core.sync import SharedShow
from easytv.mysql.batches import (
    HANDOFF_SECONDS,
    PACKETS_AHEAD,
    ROWS_PER_STATEMENT,
    execute_each,
    literal,
    pack,
    values_row,
)
from easytv.mysql.rows import show_params, show_rows
from easytv.mysql.statements import SHOW_PLACEHOLDERS

TEXT = "it's \\ \"x\" \x00 \x1a '); DROP TABLE t; -- 🎬 𝄞 %s"
SAFE = re.compile(r"^(NULL|-?\d+|-?\d+\.\d+e0|-?\d(\.\d+)?e[-+]\d+|X'[0-9a-f]*'|'')$")


def show(tvshowid=7, state=True, **changes):
    episode = Episode(100 + tvshowid, tvshowid, 2, 3, title=TEXT, plot=TEXT * 10, file="/tv/" + TEXT)
    tv = TVShow(tvshowid, TEXT, 2001, poster=TEXT)
    st = ShowState(tv, episode, False, (1, 2, 3), (4,), 3, 7, "2026-01-01 20:00:00", True) if state else None
    return dataclasses.replace(SharedShow(tvshowid, TEXT, 2001, st, 1700000000.25, "device-" + TEXT), **changes)


@pytest.mark.parametrize("value, text", [
    (None, "NULL"), (True, "1"), (False, "0"), (0, "0"), (-12, "-12"), (2 ** 63, "9223372036854775808"),
    (100.0, "100.0e0"), (1700000000.123456, "1700000000.123456e0"), (1e20, "1e+20"), (-2.5e-07, "-2.5e-07"),
    ("", "X''"), ("a'", "X'6127'"), ("🎬", "X'f09f8eac'"), (b"\x00'", "X'0027'"),
])
def test_literals_are_digits_or_hex(value, text):
    assert literal(value) == text
    assert SAFE.match(text)


def test_a_float_reads_back_as_the_same_float():
    for value in (0.1, 1 / 3, 1700000000.123456, 5e-324, 1.7976931348623157e308):
        assert float(literal(value)) == value


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), object(), [1]])
def test_values_that_cannot_be_stored_raise_store_error(value):
    with pytest.raises(StoreError):
        literal(value)


def test_a_lone_surrogate_becomes_a_question_mark_instead_of_failing():
    assert literal("a\ud800b") == "X'613f62'"


def test_show_rows_are_the_generic_encoding_of_show_params():
    shows = [show(1), show(2, state=False), show(3, title=TEXT * 200), show(4, device_id="other device")]
    expected = [values_row(SHOW_PLACEHOLDERS, ("MyVideos121",) + show_params(s)) for s in shows]
    assert show_rows(shows, "MyVideos121") == expected


def test_show_rows_hold_no_input_text_outside_hex_literals():
    for text in show_rows([show(1), show(2, state=False)], "MyVideos121"):
        text.encode("ascii")
        assert "DROP" not in text and "'" not in re.sub(r"X'[0-9a-f]*'|''", "", text)


def test_a_row_that_cannot_be_stored_raises_store_error_naming_the_show():
    with pytest.raises(StoreError, match="tvshowid=5"):
        show_rows([show(5, event_time=float("nan"))], "MyVideos121")
    with pytest.raises(StoreError, match="tvshowid=6"):
        show_rows([show(6, year="2001")], "MyVideos121")


def test_pack_splits_at_500_rows_and_at_the_byte_limit():
    rows = ["(%d)" % i for i in range(1200)]
    statements = pack("INSERT INTO t (a) VALUES ", rows, " X")
    assert [s.count("(") - 1 for s in statements] == [ROWS_PER_STATEMENT, ROWS_PER_STATEMENT, 200]
    assert ", ".join(s[len("INSERT INTO t (a) VALUES "):-2] for s in statements) == ", ".join(rows)
    big = ["(" + "1" * 600 + ")", "(2)", "(" + "3" * 2000 + ")", "(4)"]
    assert pack("P ", big, "", limit=1000) == ["P " + big[0] + ", " + big[1], "P " + big[2], "P " + big[3]]
    assert pack("P ", [], "") == []


class RecordingCursor:
    """A cursor double for `execute_each`: records the switch interval seen by each execute."""

    def __init__(self):
        self.intervals = []
        self.rowcount = 1

    def execute(self, sql, args=None):
        self.intervals.append(sys.getswitchinterval())

    def fetchall(self):
        return ()

    def nextset(self):
        return None


def test_an_overlapped_write_switches_threads_promptly_and_restores_the_interval():
    before = sys.getswitchinterval()
    cursor = RecordingCursor()
    seen = []
    execute_each(cursor, iter(["A", "B", "C"]), lambda index, results: seen.append(index), overlap=True)
    assert seen == [0, 1, 2]
    assert cursor.intervals == [HANDOFF_SECONDS] * 3
    assert sys.getswitchinterval() == before


def test_the_interval_is_restored_when_a_packet_fails():
    before = sys.getswitchinterval()

    def packets():
        yield "A"
        raise StoreError("a row cannot be stored")

    with pytest.raises(StoreError):
        execute_each(RecordingCursor(), packets(), lambda index, results: None, overlap=True)
    assert sys.getswitchinterval() == before


class ServerDouble:
    """A cursor double that runs packets in turn like a server: records each packet it ran and
    raises `Refused` for the packet named `fails`; `gate(packet)` runs before each packet."""

    def __init__(self, fails=None, gate=lambda packet: None):
        self.ran = []
        self.rowcount = 1
        self.fails = fails
        self.gate = gate

    def execute(self, sql, args=None):
        self.gate(sql)
        self.ran.append(sql)
        if sql == self.fails:
            raise Refused(sql)

    def fetchall(self):
        return ()

    def nextset(self):
        return None


class Refused(Exception):
    pass


def test_an_overlapped_write_builds_packets_ahead_while_the_server_runs_one():
    built = threading.Event()
    timeline = []

    def gate(packet):  # the "server" holds P0 until the client has built PACKETS_AHEAD more
        if packet == "P0":
            assert built.wait(10), "no packet was built while the server ran the first"

    server = ServerDouble(gate=gate)

    def packets():
        for k in range(10):
            timeline.append((k, len(server.ran)))
            if k == PACKETS_AHEAD:
                built.set()
            yield "P%d" % k

    seen = []
    execute_each(server, packets(), lambda index, results: seen.append(index), overlap=True)
    assert server.ran == ["P%d" % k for k in range(10)] and seen == list(range(10))
    # never more than PACKETS_AHEAD packets waiting behind the one running: memory stays bounded
    assert all(k - started <= PACKETS_AHEAD + 1 for k, started in timeline), timeline


def test_no_packet_is_sent_after_one_fails():
    server = ServerDouble(fails="P2")
    with pytest.raises(Refused):
        execute_each(server, iter(["P%d" % k for k in range(10)]), lambda index, results: None, overlap=True)
    assert server.ran == ["P0", "P1", "P2"]


def test_a_failing_check_stops_the_packets_and_the_encoding():
    server = ServerDouble()
    built = []

    def packets():
        for k in range(10):
            built.append(k)
            yield "P%d" % k

    def check(index, results):
        raise StoreError("shared meta table has no revision row")

    with pytest.raises(StoreError):
        execute_each(server, packets(), check, overlap=True)
    assert len(built) <= PACKETS_AHEAD + 1
    assert server.ran == ["P%d" % k for k in range(len(server.ran))] and len(server.ran) <= len(built)
