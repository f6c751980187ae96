"""Connections lost without the server going away: idle connections KILLed or dropped by
`wait_timeout` are replaced silently; a device cut off from the network keeps its changes in
the durable queue and replays them under the conflict rule when it is back."""

from .scenarios import idle_disconnects, offline_device


def test_idle_kills_and_wait_timeout_surface_no_error(server):
    report = idle_disconnects(server, cycles=2, wait_timeout=2)
    assert report.kills == 4 and report.timeouts == 4
    assert report.warnings == 0, "a dropped idle connection surfaced as 'Database unavailable'"
    assert report.landed == report.writes == 4
    assert report.deaths == 0 and report.errors == []


def test_offline_device_replays_newer_changes_and_never_moves_a_show_back(server, tmp_path):
    report = offline_device(server, str(tmp_path), offline_seconds=2.0)
    assert report.queued == [1, 2, 3]  # kept on disk while offline
    assert report.cache_worked
    assert report.older_kept_newer, "an older offline change overwrote a newer row"
    assert report.newer_applied
    assert not report.journal_left
    assert report.audit.problems == [] and report.audit.clean
    assert report.deaths == 0
