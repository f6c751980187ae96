"""The EasyTV service survives hostile input and stops cleanly with Kodi (real Kodi)."""

from __future__ import annotations

from datetime import datetime

import pytest

from .conftest import LIVING_ROOM
from .harness.cluster import Device
from .harness.easytv import NEXT_EPISODES, wait_listing
from .harness.notify import is_method
from .harness.rpc import RpcTransportError

pytestmark = pytest.mark.e2e

# (message, data) pairs sent with JSONRPC.NotifyAll: wrong JSON, wrong types, missing keys,
# unknown methods. Kodi delivers them to Python monitors as "Other.<message>" from the sender.
ODD_NOTIFICATIONS = [
    ("VideoLibrary.OnUpdate", "{not json"),
    ("VideoLibrary.OnUpdate", None),
    ("VideoLibrary.OnUpdate", []),
    ("VideoLibrary.OnUpdate", {"item": "episode"}),
    ("VideoLibrary.OnUpdate", {"item": {"id": "seven", "type": "episode"}, "playcount": "x"}),
    ("VideoLibrary.OnUpdate", {"id": 10**12, "type": "episode", "playcount": -1}),
    ("VideoLibrary.OnRemove", {"id": None, "type": "tvshow"}),
    ("Player.OnStop", {"end": "yes", "item": {"type": "episode"}}),
    ("Player.OnPlay", {"item": {"id": 1, "type": "movie"}, "player": "x"}),
    ("VideoLibrary.OnScanFinished", 42),
    ("System.OnWhatever", {"\u00e9\u00fc": "\u2603" * 50}),
    ("", ""),
]


def test_service_survives_malformed_notifications(kodi, shows):
    mark = kodi.listener.mark()
    for message, data in ODD_NOTIFICATIONS:
        for sender in ("xbmc", "service.easytv"):
            params = {"sender": sender, "message": message}
            if data is not None:  # Kodi rejects "data": null; leaving it out sends no data
                params["data"] = data
            kodi.call("JSONRPC.NotifyAll", params)
    # Announcements are delivered in order: once our sentinel is echoed to the TCP listener,
    # every odd notification before it went to the service's monitor too.
    kodi.call("JSONRPC.NotifyAll", {"sender": "e2e", "message": "Sentinel"})
    kodi.listener.wait_for(lambda n: n.method.endswith("Sentinel"), 10, mark,
                           what="echo of the sentinel NotifyAll")
    assert kodi.get_property("EasyTV.Service") == "running"

    show = shows["Echo Empire"]
    played = kodi.play_to_watched(show.episodeid(1, 1))
    wait_listing(kodi, NEXT_EPISODES, lambda items: bool(items) and items[0].get("id") ==
                 show.episodeid(1, 2), 3.0, since=played.watched_at)
    assert kodi.get_property("EasyTV.Service") == "running"
    assert "Traceback" not in kodi.log_text()


@pytest.fixture
def bedroom(cluster):
    """A second Kodi on the same database, ours to quit."""
    instance = cluster.add_instance(Device("Bedroom", LIVING_ROOM.settings))
    yield instance
    instance.stop()


def test_quitting_kodi_stops_service_cleanly(bedroom):
    assert bedroom.get_property("EasyTV.Service") == "running"
    mark = bedroom.listener.mark()
    try:
        bedroom.call("Application.Quit", timeout=5)
    except RpcTransportError:
        pass  # Kodi may close the connection before answering
    bedroom.listener.wait_for(is_method("System.OnQuit"), 10, mark, what="System.OnQuit")
    exit_code = bedroom.wait_exit(timeout=20)

    log = bedroom.log_text()
    assert exit_code == 0
    assert "[EasyTV.service] Service stopped" in log
    assert "Traceback" not in log
    # Kodi logs "Stopping all" before it stops its servers and asks Python services to abort;
    # the service must be gone within 1 s of the abort. Kodi's own UDP event-server shutdown
    # (~0.5 s) lies between the two lines, so the bound allows for it.
    stopping = _log_time(log, "Stopping all")
    stopped = _log_time(log, "[EasyTV.service] Service stopped")
    print(f"\n[e2e] service stopped {stopped - stopping:.3f} s after Kodi's 'Stopping all'")
    assert 0 <= stopped - stopping < 1.5


def _log_time(log: str, text: str) -> float:
    """Seconds since the epoch of the first kodi.log line containing `text` (Kodi's local time)."""
    line = next(line for line in log.splitlines() if text in line)
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").timestamp()
