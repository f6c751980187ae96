"""Issue 8 scenario: a server that accepts TCP and never answers (the handshake stalls); the
service aborts during the connect."""

import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable, List

from .devices import Device, EventClock, Loop
from .library import make_library
from .rig import FaultServer
from .world import world

# -- a server that accepts TCP and never answers -------------------------------------------------

class SilentServer:
    """Listens on 127.0.0.1, accepts every connection and never sends a byte; `open_clients()`
    counts accepted connections the client has not closed yet."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.accepted: List[socket.socket] = []
        self._running = True
        self._thread = threading.Thread(target=self._accept, name="fault-silent", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            client.setblocking(False)
            self.accepted.append(client)

    def open_clients(self) -> int:
        alive = 0
        for client in self.accepted:
            try:
                if client.recv(1) != b"":
                    alive += 1
            except BlockingIOError:
                alive += 1  # no EOF: the client still holds it
            except OSError:
                pass
        return alive

    def close(self) -> None:
        self._running = False
        self._thread.join(2)
        for sock in self.accepted + [self._listener]:
            sock.close()


@dataclass
class SilentReport:
    thread_gone_after: float = -1.0  # close() start -> the worker thread ended (-1: not within 5 s)
    close_took: float = 0.0
    leaked: int = 0  # connections to the silent server still open 5 s after close()
    deaths: int = 0


def silent_server(server: FaultServer, seed: int = 23) -> SilentReport:
    """`kitchen` connects to a server that accepts TCP and never answers (handshake stalls);
    the service aborts 0.3 s into the connect: the thread must be gone within 1 s, no
    connection left open."""
    report = SilentReport()
    silent = SilentServer()
    try:
        with world(server, [], make_library(3), seed) as w:
            kitchen = Device("kitchen", w.library, lambda: server.config(silent.port), w.log, EventClock(),
                             timeouts=(30, 30, 30))
            w.devices.append(kitchen)
            Loop([kitchen]).until(lambda: bool(kitchen.opens) and bool(silent.accepted)
                                  and time.monotonic() - kitchen.opens[-1].started > 0.3, 10, "a stalled connect")
            started = time.monotonic()
            report.close_took = _timed(kitchen.syncer.close)
            try:
                Loop([]).until(lambda: not kitchen.worker.alive, 5, "the worker thread ends")
                report.thread_gone_after = time.monotonic() - started
            except TimeoutError:
                report.thread_gone_after = -1.0
            try:
                Loop([]).until(lambda: silent.open_clients() == 0, 5, "connections closed")
            except TimeoutError:
                pass
            report.leaked = silent.open_clients()
            report.deaths = w.deaths()
    finally:
        silent.close()
    return report


def _timed(fn: Callable[[], None]) -> float:
    started = time.monotonic()
    fn()
    return time.monotonic() - started
