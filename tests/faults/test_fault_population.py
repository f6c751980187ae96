"""Devices starting together on an empty database: exactly one populates it; a device that
died holding the population lock is taken over after the lock's TTL."""

import pytest

from .scenarios import lock_takeover, population_race


def test_three_devices_racing_population_populate_once(server):
    report = population_race(server, rounds=5)
    assert report.populators == [1] * 5
    assert report.revisions == [1] * 5 and report.commits == [1] * 5
    assert report.deaths == 0 and report.errors == []


@pytest.mark.faults_full
def test_fifty_population_races(server):
    report = population_race(server, rounds=50)
    assert report.exactly_one == 50, list(zip(report.populators, report.revisions, report.commits))
    assert report.deaths == 0 and report.errors == []


def test_a_lock_held_by_a_dead_device_is_taken_over_after_its_ttl(server):
    report = lock_takeover(server, ttl=2)
    assert report.populators == 1 and report.revision == 1
    assert report.waited >= 1  # they saw the lock and waited
    assert 2.0 - 0.2 <= report.populated_after < 2.0 + 5.0
    assert report.lock_after == ""
    assert report.deaths == 0
