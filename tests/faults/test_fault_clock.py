"""A device whose wall clock is wrong (a Raspberry Pi without a battery-backed clock before NTP
has synced, or a drifting clock): its changes must neither be lost nor beat later changes."""

from .scenarios import skewed_clock


def test_a_device_with_a_clock_ahead_does_not_beat_later_changes(server):
    report = skewed_clock(server, skew=600.0)
    assert report.deaths == 0
    assert report.first_reached
    assert report.row_kept and report.caches_kept, report.audit.problems
    assert report.audit.clean



def test_a_device_with_a_clock_behind_still_shares_its_changes(server):
    report = skewed_clock(server, skew=-600.0)
    assert report.deaths == 0
    assert report.first_reached, "the change of the device with the slow clock was rejected"
    assert report.row_kept and report.caches_kept and report.audit.clean
