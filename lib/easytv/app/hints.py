"""Wake-up hints over UDP: one socket that listens for peers' hints and sends this device's.

The datagram and the rules are in `easytv.core.hints`. A hint is only ever a reason to poll
now, so nothing here trusts what it receives beyond decoding it. Standard library only.
"""

import dataclasses
import logging
import queue
import socket
import threading
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from easytv.core.hints import Arrival, Hint, RateLimit, decode, encode
from easytv.core.scope import VIDEO_SCHEMA, kodi_major, same_library
from easytv.core.sync import Device

LOG = logging.getLogger("EasyTV.shareddb")

RECEIVE_TIMEOUT_SECONDS = 0.25
"""The listener thread wakes at least this often to see whether it must end (seconds)."""
JOIN_SECONDS = 1.0
"""`close()` waits at most this long for the listener thread (seconds)."""
MAX_QUEUED = 64
"""Hints waiting for the loop beyond this many are dropped (a flood costs nothing)."""


def local_address_toward(host: str, port: int) -> str:
    """The local IP address this device uses to reach `host:port` (the database server), so
    peers that reach the same server can reach us: `getsockname()` of a UDP socket connected
    toward it (a connect sends nothing). "" when it cannot be told (no route, unknown name).
    May block on a DNS lookup of `host`: call it off the service loop."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((host, port or 9))
            return str(probe.getsockname()[0])
    except (OSError, UnicodeError) as exc:
        LOG.debug("Cannot tell the local address toward %s: %s", host, exc)
        return ""


class HintSocket:
    """A UDP socket bound to `host:port` (production: 0.0.0.0 and an OS-assigned port; tests:
    127.0.0.1) with a daemon thread that queues every hint of `scope` it receives.

    `received()` drains the queue (never blocks); `send(generation, revision, peers)` sends one
    datagram to each (host, port) (errors logged, never raised); `close()` ends the thread
    within `RECEIVE_TIMEOUT_SECONDS` (it waits up to `JOIN_SECONDS`). Raises OSError from the
    constructor when the socket cannot be bound.
    """

    def __init__(self, scope: str, host: str = "0.0.0.0", port: int = 0) -> None:
        self.scope = scope
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._socket.bind((host, port))
            self._socket.settimeout(RECEIVE_TIMEOUT_SECONDS)
        except OSError:
            self._socket.close()
            raise
        self.port: int = self._socket.getsockname()[1]
        self._inbox: "queue.Queue[Hint]" = queue.Queue(MAX_QUEUED)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="EasyTV.hints", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, _sender = self._socket.recvfrom(512)
            except socket.timeout:
                continue
            except OSError:
                if not self._stop.is_set():
                    LOG.debug("Hint listener stopped: the socket failed")
                return
            hint = decode(data)
            if hint is None or hint.scope != self.scope:
                continue
            try:
                self._inbox.put_nowait(hint)
            except queue.Full:
                pass

    def received(self) -> List[Hint]:
        """Every hint received since the last call, oldest first."""
        hints = []
        while True:
            try:
                hints.append(self._inbox.get_nowait())
            except queue.Empty:
                return hints

    def send(self, generation: int, revision: int, peers: Iterable[Tuple[str, int]]) -> int:
        """Announce (`generation`, `revision`) of this scope to each peer; returns how many
        datagrams were sent."""
        return _send_each(self._socket, encode(Hint(self.scope, generation, revision)), peers)

    @property
    def alive(self) -> bool:
        """True while the listener thread runs."""
        return self._thread.is_alive()

    def shutdown(self) -> None:
        """Stop listening and sending, without waiting (the thread ends within
        `RECEIVE_TIMEOUT_SECONDS`)."""
        self._stop.set()
        try:
            self._socket.close()
        except OSError:
            pass

    def close(self, timeout: Optional[float] = JOIN_SECONDS) -> bool:
        """`shutdown()`, then wait up to `timeout` seconds for the thread; True when it ended."""
        self.shutdown()
        self._thread.join(timeout)
        return not self._thread.is_alive()


class HintLink:
    """The syncer's side of the hints: the socket (None: hints off), whether hints are known to
    arrive (`arrival`), the rate limit of the polls they trigger, and the peers to announce to.
    Loop side except `endpoint`, which runs on the worker (`host()` may look a name up)."""

    def __init__(self, hints: Optional[HintSocket] = None, host: Callable[[], str] = lambda: "") -> None:
        self.socket = hints
        self._host = host
        self.arrival = Arrival()
        self._limit = RateLimit()
        self.peers: List[Tuple[str, int]] = []
        self.wake = False
        """A hint asked for a poll that has not been submitted yet."""

    @property
    def on(self) -> bool:
        """True when hints are sent and listened for."""
        return self.socket is not None

    def endpoint(self, device: Device) -> Device:
        """`device` with the hint endpoint it registers: this device's address toward the
        database and the port listened on; none ("", 0) when hints are off or the address is
        unknown."""
        if self.socket is None:
            return device
        host = self._host()
        return dataclasses.replace(device, hint_host=host, hint_port=self.socket.port if host else 0)

    def take(self, applied: Optional[Tuple[int, int]], now: float) -> bool:
        """Read the hints received since the last call; True (and `wake` set) when one of them
        announces a position other than `applied` (None: nothing applied yet, no poll) and the
        rate limit lets it trigger a poll now."""
        if self.socket is None:
            return False
        due = False
        for hint in self.socket.received():
            self.arrival.announce(hint.generation, hint.revision, hinted=True)
            if applied is None or (hint.generation == applied[0] and hint.revision <= applied[1]):
                continue
            if self._limit.allow(now):
                due = self.wake = True  # also when a poll is in flight: it may have read the head before
        return due

    def committed(self, generation: int, revision: int) -> None:
        """This device committed (`generation`, `revision`): the poll that pulls it back
        does not refute hints (loop side)."""
        self.arrival.announce(generation, revision, hinted=False)

    def send(self, generation: int, revision: int) -> None:
        """Tell the peers this device committed (`generation`, `revision`). Called on the
        worker right after the commit, so the hint does not wait for the loop's next tick."""
        peers = self.peers
        if self.socket is not None and peers:
            self.socket.send(generation, revision, peers)

    def poll_seconds(self, fallback: float) -> float:
        """Seconds to the next poll: `fallback` unless hints are on and known to arrive."""
        if self.socket is None:
            return fallback
        return self.arrival.poll_seconds(fallback)

    def adopt_peers(self, devices: Optional[Sequence[Device]], own_id: str) -> None:
        """Announce to the hint endpoints of `devices` from now on (None: keep the list)."""
        if devices is not None:
            self.peers = hint_peers(devices, own_id)

    def shutdown(self) -> None:
        """Stop listening without waiting."""
        if self.socket is not None:
            self.socket.shutdown()

    def close(self, timeout: float) -> bool:
        """Stop listening; True when the listener thread ended within `timeout` seconds."""
        return self.socket is None or self.socket.close(timeout)


def hint_peers(devices: Sequence[Device], own_id: str) -> List[Tuple[str, int]]:
    """The (host, port) of every other device of this device's video library that registered a
    hint endpoint (devices of another library share nothing with this one: README, "One
    library, one scope"; a store that keeps no endpoint returns port 0 for all: no hints,
    polling covers them). This device's library is the one its own registry row names."""
    own = next((d.library for d in devices if d.device_id == own_id), "")
    return _endpoints([d for d in devices if d.device_id != own_id], own)


def _endpoints(devices: Sequence[Device], library: str) -> List[Tuple[str, int]]:
    """The registered hint endpoints (host, port) of `devices` on `library` ("": any), sorted."""
    return sorted({(d.hint_host, d.hint_port) for d in devices
                   if d.hint_host and 0 < d.hint_port < 65536
                   and (not library or not d.library or same_library(d.library, library))})


def _send_each(sender: socket.socket, data: bytes, peers: Iterable[Tuple[str, int]]) -> int:
    """Send `data` to each (host, port); returns how many datagrams left (errors at debug level)."""
    sent = 0
    for host, port in peers:
        try:
            sender.sendto(data, (host, port))
            sent += 1
        except OSError as exc:
            LOG.debug("Cannot send a hint to %s:%d: %s", host, port, exc)
    return sent


def announce_once(scope: str, generation: int, revision: int, devices: Sequence[Device], library: str) -> int:
    """Send one hint (`scope` at `generation`, `revision`) to every device of `devices` on
    `library` (this one included) that registered an endpoint, from a throw-away socket: for
    the settings actions, which run outside the service (Clear sync data). Returns how many
    datagrams were sent; send errors are logged at debug level, never raised (polling covers a
    lost hint)."""
    peers = _endpoints(devices, library)
    if not peers:
        return 0
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            return _send_each(sender, encode(Hint(scope, generation, revision)), peers)
    except OSError as exc:
        LOG.debug("Cannot open a socket for hints: %s", exc)
        return 0


def hint_scope(name: str, kodi_version: str, fallback: str) -> str:
    """The scope named in this device's wake-up hints: its video library (`MyVideos121` for
    Kodi 20, `easytv.core.scope`), or `fallback` for a Kodi version EasyTV does not know."""
    major = kodi_major(kodi_version)
    number = VIDEO_SCHEMA.get(major) if major is not None else None
    return "%s%d" % (name, number) if number else fallback


def open_hints(scope: str, host: str = "0.0.0.0") -> Optional[HintSocket]:
    """The wake-up hint socket (on `host`: all interfaces, for the LAN peers; an OS-assigned
    port), or None (reason logged: sync then relies on polling alone)."""
    try:
        return HintSocket(scope, host, 0)
    except OSError as exc:
        LOG.warning("Cannot listen for wake-up hints (%s); polling only", exc)
        return None
