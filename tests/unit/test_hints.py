"""Issue 9 items 4 and 5: wake-up hints over UDP (127.0.0.1 only) and the idle cost, counted in
store round trips per simulated minute (FakeClock, MemoryStore, the real UDP sockets)."""

import random
import socket
import time

import pytest

from easytv.app.cache import WindowCache
from easytv.app.clock import ServerClock
from easytv.app.engine import Engine
from easytv.app.hints import HintSocket, local_address_toward
from easytv.app.sync import HEARTBEAT_SECONDS, Syncer
from easytv.app.worker import InlineWorker
from easytv.core import events
from easytv.core.hints import MAGIC, Arrival, Hint, RateLimit, decode, encode
from easytv.core.settings import Settings
from easytv.core.sync import Device
from fakes import FakeClock, FakeLibrary, FakeWindow
from kodi_shapes import load
from memory_store import MemoryStore

DEADLINE = 20.0  # seconds of real time for a datagram on 127.0.0.1 (the machine is busy)
TICK = 0.25
SOCKETS = {}  # port -> HintSocket of the devices of the running test


class CountingStore(MemoryStore):
    """A MemoryStore that also counts registry writes."""

    def __init__(self, clock):
        super().__init__(clock=clock)
        self.registrations = 0

    def register_device(self, device):
        self.registrations += 1
        super().register_device(device)


class Kodi:
    """One device: engine + window + syncer, with or without a hint socket on 127.0.0.1."""

    def __init__(self, name, library, store, clock, hints=True):
        self.store = store
        self.window = FakeWindow()
        server_clock = ServerClock(lambda: 1_800_000_000.0 + clock.now, clock)
        self.engine = Engine(library, WindowCache(self.window), None, Settings(), clock, random.Random(name),
                             wall_clock=server_clock, device_id=name)
        self.hints = HintSocket("easytv_myvideos", "127.0.0.1") if hints else None
        if self.hints is not None:
            self.hints.send = self._send_and_wait
        if self.hints is not None:
            SOCKETS[self.hints.port] = self.hints
        self.syncer = Syncer(self.engine, lambda: store, Device(name, name), InlineWorker(), clock,
                             server_clock=server_clock, hints=self.hints, hint_host=lambda: "127.0.0.1")
        self.engine.store = self.syncer
        self.engine.start()
        self.trips = 0

    def _send_and_wait(self, generation, revision, peers):
        """Send, then wait (with a deadline) until every peer's listener queued the datagram,
        so that the test's next tick of that peer sees it, as the real loop nearly always does."""
        peers = list(peers)
        sent = HintSocket.send(self.hints, generation, revision, peers)
        for _host, port in peers:
            listener = SOCKETS[port]
            deadline = time.monotonic() + DEADLINE
            while listener._inbox.empty():
                assert time.monotonic() < deadline, "a hint did not arrive"
                time.sleep(0.002)
        return sent

    def tick(self):
        before = self.store.round_trips
        self.engine.step()
        self.syncer.tick()
        self.trips += self.store.round_trips - before

    def close(self):
        self.syncer.close()


@pytest.fixture
def world():
    clock = FakeClock()
    library = FakeLibrary(load("GetTVShows_all.json")["tvshows"], load("GetEpisodes_all.json")["episodes"])
    store = CountingStore(clock=lambda: 1_800_000_000.0 + clock.now)
    kodis = []

    def make(name, hints=True):
        kodi = Kodi(name, library, store, clock, hints)
        kodis.append(kodi)
        return kodi
    yield clock, library, store, make
    for kodi in kodis:
        kodi.close()


def run(clock, kodis, seconds):
    """Tick every device every 0.25 simulated seconds."""
    for _ in range(int(seconds / TICK)):
        clock.advance(TICK)
        for kodi in kodis:
            kodi.tick()


def start(clock, kodis):
    """Run until every device has done its first sync."""
    until(clock, kodis, lambda: all(k.syncer.synced for k in kodis), "first syncs")
    run(clock, kodis, 1)


def until(clock, kodis, condition, what):
    """Tick (0.25 simulated s each) until `condition()`, waiting for real datagrams meanwhile."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, what
        clock.advance(TICK)
        for kodi in kodis:
            kodi.tick()
        time.sleep(0.005)  # let the listener thread run: the datagram is real, the wait has a deadline


def play(kodi, library):
    library.watch(12, lastplayed="2026-12-01 21:00:00")
    kodi.engine.handle(events.EpisodeChanged(12, 1))


# -- the datagram, the limit, the detector ------------------------------------------------------

def test_a_hint_round_trips_and_anything_else_is_ignored():
    data = encode(Hint("easytv_myvideos", 7, 42))
    assert data.startswith(MAGIC) and len(data) < 64
    assert decode(data) == Hint("easytv_myvideos", 7, 42)
    for junk in (b"", b"hello", data[:10], b"XXXX" + data[4:], data[:4] + b"\x02" + data[5:],
                 data + b"x" * 300, data[:-1] + b"\xff"):
        assert decode(junk) is None
    with pytest.raises(ValueError):
        encode(Hint("x" * 300, 1, 1))


def test_the_rate_limit_allows_four_a_second():
    limit = RateLimit(4)
    assert [limit.allow(10.0) for _ in range(6)] == [True] * 4 + [False] * 2
    assert not limit.allow(10.5)  # still four within the last second
    assert sum(limit.allow(11.0 + i / 100) for i in range(100)) == 4  # 11.00 .. 11.99: one window


def test_arrival_is_confirmed_by_hints_and_refuted_by_an_unannounced_change():
    arrival = Arrival()
    assert not arrival.working and arrival.poll_seconds(2.0) == 2.0
    arrival.announce(1, 5, hinted=True)
    arrival.found(1, 5)
    assert arrival.working and arrival.poll_seconds(2.0) >= 15
    arrival.announce(1, 6, hinted=False)  # our own commit: pulled back, refutes nothing
    arrival.found(1, 6)
    assert arrival.working
    arrival.found(1, 7)  # a peer's change nobody announced
    assert not arrival.working and arrival.poll_seconds(2.0) == 2.0
    arrival.announce(2, 1, hinted=False)  # a new generation forgets the old announcements
    arrival.found(2, 1)
    assert not arrival.working


# -- the UDP socket ------------------------------------------------------------------------------

def test_two_sockets_exchange_hints_of_their_scope_only():
    a, b = HintSocket("lib", "127.0.0.1"), HintSocket("lib", "127.0.0.1")
    other = HintSocket("other", "127.0.0.1")
    try:
        assert a.port and b.port and a.port != b.port
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stray:
            stray.sendto(b"not a hint", ("127.0.0.1", b.port))
        assert a.send(3, 9, [("127.0.0.1", b.port), ("127.0.0.1", other.port)]) == 2
        got = []
        deadline = time.monotonic() + DEADLINE
        while not got:
            assert time.monotonic() < deadline, "no hint arrived"
            got = b.received()
            time.sleep(0.01)
        assert got == [Hint("lib", 3, 9)]
        assert other.received() == []
    finally:
        for s in (a, b, other):
            assert s.close()
            assert not s.alive


def test_close_ends_the_listener_thread():
    listener = HintSocket("lib", "127.0.0.1")
    assert listener.alive
    assert listener.close(1.0)  # the receive timeout (0.25 s) bounds it
    assert not listener.alive


def test_the_local_address_toward_the_database_is_found():
    assert local_address_toward("127.0.0.1", 3306) == "127.0.0.1"
    assert local_address_toward("no-such-host.invalid", 3306) == ""


# -- the syncer with hints -----------------------------------------------------------------------

def test_each_device_registers_its_hint_endpoint(world):
    clock, library, store, make = world
    living = make("living")
    run(clock, [living], 2)
    row = store.device_rows["living"]
    assert (row.hint_host, row.hint_port) == ("127.0.0.1", living.hints.port)


def test_a_play_reaches_the_other_device_by_hint_before_the_next_poll(world):
    clock, library, store, make = world
    living, bedroom = make("living"), make("bedroom")
    start(clock, [living, bedroom])
    assert living.syncer.link.peers == []  # read at its connect, before the bedroom registered
    # Confirm hints once (a hinted change polls find), so the bedroom polls slowly.
    play(living, library)
    until(clock, [living, bedroom], lambda: bedroom.syncer.link.arrival.working, "hints confirmed")
    assert living.syncer.link.peers == [("127.0.0.1", bedroom.hints.port)]  # re-read at the write
    assert bedroom.window.props.get("EasyTV.3.EpisodeNo") == "S01E03"
    run(clock, [living, bedroom], 25)  # one slow poll passes, nothing changes
    library.watch(13, lastplayed="2026-12-01 22:00:00")
    living.engine.handle(events.EpisodeChanged(13, 1))
    began = clock.now
    until(clock, [living, bedroom], lambda: bedroom.window.props.get("EasyTV.3.EpisodeNo") == "S02E01",
          "the hinted change reached the bedroom")
    assert clock.now - began < 2.0  # far below the slow poll (20 s): the hint made it poll
    assert bedroom.syncer.link.arrival.working


def test_an_idle_device_with_hints_working_makes_at_most_4_queries_a_minute(world):
    clock, library, store, make = world
    living, bedroom = make("living"), make("bedroom")
    start(clock, [living, bedroom])
    play(living, library)
    until(clock, [living, bedroom], lambda: bedroom.syncer.link.arrival.working, "hints confirmed")
    run(clock, [living, bedroom], 60)
    bedroom.trips = 0
    run(clock, [living, bedroom], 30 * 60)
    assert bedroom.trips / 30 <= 4, bedroom.trips


def test_without_hints_known_to_arrive_a_device_polls_every_2_seconds(world):
    clock, library, store, make = world
    living = make("living", hints=False)
    run(clock, [living], 3)
    living.trips = 0
    run(clock, [living], 60)
    assert 25 <= living.trips <= 31  # one staleness query every 2 s (at the next 0.25 s tick)


def test_a_change_no_hint_announced_falls_back_to_polling_every_2_seconds(world):
    clock, library, store, make = world
    living, bedroom = make("living"), make("bedroom")
    start(clock, [living, bedroom])
    play(living, library)
    until(clock, [living, bedroom], lambda: bedroom.syncer.link.arrival.working, "hints confirmed")
    living.hints.send = lambda generation, revision, peers: 0  # a firewall now drops living's hints
    library.watch(13, lastplayed="2026-12-01 22:00:00")
    living.engine.handle(events.EpisodeChanged(13, 1))
    run(clock, [living, bedroom], 25)  # the slow poll finds it, unannounced
    assert bedroom.window.props.get("EasyTV.3.EpisodeNo") == "S02E01"
    assert not bedroom.syncer.link.arrival.working
    bedroom.trips = 0
    run(clock, [living, bedroom], 60)
    assert bedroom.trips >= 25  # every 2 s again


def test_forged_hints_cost_one_staleness_query_each_at_most_4_a_second(world):
    clock, library, store, make = world
    living, bedroom = make("living"), make("bedroom")
    start(clock, [living, bedroom])
    play(living, library)
    until(clock, [living, bedroom], lambda: bedroom.syncer.link.arrival.working, "hints confirmed")
    run(clock, [living, bedroom], 25)
    revision = store.revision
    bedroom.trips = 0
    forged = encode(Hint("easytv_myvideos", store.generation, 10 ** 6))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as attacker:
        for _ in range(4):  # one simulated second, flooded at every tick
            for _ in range(50):
                attacker.sendto(forged, ("127.0.0.1", bedroom.hints.port))
            deadline = time.monotonic() + DEADLINE
            while bedroom.hints._inbox.empty():
                assert time.monotonic() < deadline, "the flood did not arrive"
                time.sleep(0.005)
            clock.advance(TICK)
            bedroom.tick()
    assert 1 <= bedroom.trips <= 4  # head queries only: nothing to pull
    assert store.revision == revision and bedroom.syncer.applied[1] == revision


def test_a_peer_without_a_hint_endpoint_gets_no_hint(world):
    clock, library, store, make = world
    living, bedroom = make("living"), make("bedroom", hints=False)
    start(clock, [living, bedroom])
    assert store.device_rows["bedroom"].hint_port == 0
    assert living.syncer.link.peers == []


# -- idle cost: the registry heartbeat ---------------------------------------------------------

def test_the_registry_is_written_at_most_once_per_15_minutes_when_idle(world):
    clock, library, store, make = world
    living = make("living", hints=False)
    run(clock, [living], 3)
    first = store.registrations
    run(clock, [living], 60 * 60)
    assert HEARTBEAT_SECONDS >= 900
    assert store.registrations - first <= 4


def test_a_changed_fingerprint_re_registers_at_once(world):
    clock, library, store, make = world
    living = make("living", hints=False)
    run(clock, [living], 3)
    first = store.registrations
    import dataclasses
    living.syncer.device = dataclasses.replace(living.syncer.device, settings_fingerprint="abc")
    run(clock, [living], 1)
    assert store.registrations == first + 1
    assert store.device_rows["living"].settings_fingerprint == "abc"
    run(clock, [living], 60)
    assert store.registrations == first + 1


def test_hints_are_on_by_default_and_the_service_opens_a_socket_for_them():
    from easytv.app.hints import open_hints
    assert Settings().sync_hints is True
    hints = open_hints("easytv_myvideos", "127.0.0.1")
    assert hints is not None and hints.port > 0
    assert hints.close()


def test_hints_go_only_to_devices_of_the_same_video_library():
    from easytv.app.hints import hint_peers
    from easytv.core.sync import Device
    devices = [Device("me", "Den", library="MyVideos121", hint_host="10.0.0.1", hint_port=4000),
               Device("peer", "Bedroom", library="myvideos121", hint_host="10.0.0.2", hint_port=4001),
               Device("newer", "Loft", library="MyVideos131", hint_host="10.0.0.3", hint_port=4002),
               Device("quiet", "Kitchen", library="MyVideos121")]
    assert hint_peers(devices, "me") == [("10.0.0.2", 4001)]


def test_a_clear_is_announced_once_to_every_listener_of_the_library_this_device_included():
    from easytv.app.hints import announce_once
    ours, peer, other = (HintSocket("MyVideos121", "127.0.0.1"), HintSocket("MyVideos121", "127.0.0.1"),
                         HintSocket("MyVideos131", "127.0.0.1"))
    try:
        devices = [Device("me", "Den", library="MyVideos121", hint_host="127.0.0.1", hint_port=ours.port),
                   Device("peer", "Bedroom", library="MyVideos121", hint_host="127.0.0.1", hint_port=peer.port),
                   Device("newer", "Loft", library="MyVideos131", hint_host="127.0.0.1", hint_port=other.port),
                   Device("quiet", "Kitchen", library="MyVideos121")]
        assert announce_once("MyVideos121", 77, 0, devices, "MyVideos121") == 2
        got = {"ours": [], "peer": []}
        deadline = time.monotonic() + DEADLINE
        while not all(got.values()):
            assert time.monotonic() < deadline, "the clear's hint reaches both listeners of the library"
            got["ours"] += ours.received()
            got["peer"] += peer.received()
            time.sleep(0.005)  # the datagram is real; the wait has a deadline
        assert got == {"ours": [Hint("MyVideos121", 77, 0)], "peer": [Hint("MyVideos121", 77, 0)]}
        assert other.received() == []  # never sent to another library's device
    finally:
        for hints in (ours, peer, other):
            hints.close()
