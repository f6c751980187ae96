"""Listen to Kodi's raw-TCP JSON-RPC port and collect notifications with arrival times."""

from __future__ import annotations

import codecs
import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from .procs import WaitTimeout, wait_until


@dataclass(frozen=True)
class Notification:
    """One notification: ``time`` is ``time.monotonic()`` at arrival, ``data`` as Kodi sent it."""

    time: float
    method: str
    sender: str
    data: Any

    def item_id(self) -> int | None:
        """Return the library id in ``data`` (nested ``item.id`` or flat ``id``), else None."""
        if not isinstance(self.data, dict):
            return None
        item = self.data.get("item")
        if isinstance(item, dict) and "id" in item:
            return item["id"]
        return self.data.get("id")


Predicate = Callable[[Notification], bool]


class NotificationListener:
    """A background thread reading concatenated JSON objects from Kodi's TCP port.

    Keep it open for the whole life of the Kodi instance: Kodi 20.1 crashes when a client closes
    the connection while notifications are in flight. Close it only after Kodi has exited.
    """

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self.events: list[Notification] = []
        self._cond = threading.Condition()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.closed = False

    def connect(self, timeout: float = 15.0) -> None:
        """Connect (retrying until ``timeout`` s) and start the reader thread."""
        def attempt() -> socket.socket:
            return socket.create_connection((self.host, self.port), timeout=2)

        self._sock = wait_until(attempt, timeout, interval=0.1,
                                what=f"JSON-RPC TCP port {self.port} accepting")
        self._sock.settimeout(None)
        self._thread = threading.Thread(target=self._read, name=f"kodi-notify-{self.port}",
                                        daemon=True)
        self._thread.start()

    def _read(self) -> None:
        decoder = json.JSONDecoder()
        utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        buffer = ""
        sock = self._sock
        while sock is not None:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            arrived = time.monotonic()
            buffer += utf8.decode(chunk)
            while True:
                buffer = buffer.lstrip()
                if not buffer:
                    break
                try:
                    obj, end = decoder.raw_decode(buffer)
                except ValueError:
                    break  # incomplete object: wait for more bytes
                buffer = buffer[end:]
                if isinstance(obj, dict) and "method" in obj:
                    params = obj.get("params") or {}
                    self._append(Notification(arrived, obj["method"],
                                              params.get("sender", ""), params.get("data")))
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def _append(self, note: Notification) -> None:
        with self._cond:
            self.events.append(note)
            self._cond.notify_all()

    def mark(self) -> int:
        """Return the index of the next notification; pass it as ``since`` to ``wait_for``."""
        with self._cond:
            return len(self.events)

    def wait_for(self, predicate: Predicate, timeout: float, since: int = 0,
                 what: str = "notification") -> Notification:
        """Return the first notification at index ≥ ``since`` matching ``predicate``.

        Blocks up to ``timeout`` seconds; raises ``WaitTimeout`` (listing what arrived) otherwise.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            index = since
            while True:
                while index < len(self.events):
                    if predicate(self.events[index]):
                        return self.events[index]
                    index += 1
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.closed:
                    seen = [f"{n.method} {json.dumps(n.data)}" for n in self.events[since:]][-15:]
                    state = "connection closed" if self.closed else f"{timeout:.1f} s passed"
                    raise WaitTimeout(f"{what}: {state}; arrived since mark: {seen}")
                self._cond.wait(remaining)

    def wait_quiet(self, quiet: float = 0.5, timeout: float = 10.0) -> None:
        """Wait until no notification arrived for ``quiet`` s (at most ``timeout`` s): the safe
        moment to close the connection of a Kodi that keeps running."""
        def calm() -> bool:
            with self._cond:
                last = self.events[-1].time if self.events else 0.0
            return time.monotonic() - last >= quiet

        wait_until(calm, timeout, interval=0.05, what="notification stream quiet")

    def close(self) -> None:
        """Close the socket (only after Kodi has exited, see the class docstring)."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def is_method(method: str, item_id: int | None = None) -> Predicate:
    """Predicate: notification ``method`` (and, if given, about library item ``item_id``)."""
    return lambda n: n.method == method and (item_id is None or n.item_id() == item_id)


def is_watched_update(episodeid: int) -> Predicate:
    """Predicate: the ``VideoLibrary.OnUpdate`` carrying ``playcount`` > 0 for ``episodeid``."""
    return lambda n: (n.method == "VideoLibrary.OnUpdate" and n.item_id() == episodeid
                      and isinstance(n.data, dict) and (n.data.get("playcount") or 0) > 0)
