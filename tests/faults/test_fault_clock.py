"""A device whose wall clock is wrong (a Raspberry Pi without a battery-backed clock before NTP
has synced, or a drifting clock): its changes must neither be lost nor beat later changes."""

import pytest

from .scenarios import skewed_clock

CLOCK_SKEW_BUG = (
    "Event times are each device's own wall clock (Engine(wall_clock=time.time) in lib/easytv/app/engine.py, "
    "compared by the upsert's IF(VALUES(event_time) >= event_time, ...) in lib/easytv/mysql/statements.py); "
    "nothing relates them to a common clock, so a device %s")


@pytest.mark.xfail(strict=True, reason=CLOCK_SKEW_BUG % (
    "10 min ahead wins over every later change of a correct device (the write is silently not applied, "
    "and that device's cache diverges from the row)"))
def test_a_device_with_a_clock_ahead_does_not_beat_later_changes(server):
    report = skewed_clock(server, skew=600.0)
    assert report.deaths == 0
    assert report.first_reached
    assert report.row_kept and report.caches_kept, report.audit.problems
    assert report.audit.clean


@pytest.mark.xfail(strict=True, reason=CLOCK_SKEW_BUG % (
    "10 min behind has its changes rejected as older than rows written minutes before (lost progress: "
    "they never reach the database nor the other devices)"))
def test_a_device_with_a_clock_behind_still_shares_its_changes(server):
    report = skewed_clock(server, skew=-600.0)
    assert report.deaths == 0
    assert report.first_reached, "the change of the device with the slow clock was rejected"
    assert report.row_kept and report.caches_kept and report.audit.clean
