"""A library rebuild gives every show a new tvshowid (half of them ids of other shows before):
the shows are followed by title and year, the shared rows re-keyed by one write (one round trip
per 500 rows) and one COMMIT, random-order picks and the `random_order_shows` setting follow, and a
device that saw no scan catches up."""

import pytest

from easytv.mysql.batches import ROWS_PER_STATEMENT

from .scenarios import library_rebuild


def write_round_trips(rows):
    """The store's round trips for one write of `rows` rows: one per INSERT of up to
    `ROWS_PER_STATEMENT` rows (the first carries the transaction's start), then the COMMIT."""
    return -(-rows // ROWS_PER_STATEMENT) + 2


def assert_rekeyed(report, shows):
    assert report.failures == []  # no duplicate-key error, nothing refused
    assert report.writes == 1
    assert report.rows_written == shows + shows // 2  # every show under its new id + gone ids
    assert report.round_trips <= write_round_trips(report.rows_written) and report.commits == 1
    assert report.live_match
    assert report.followed == shows
    assert report.picks_kept == report.random_shows > 0
    assert report.setting_rekeyed
    assert report.tombstones == shows // 2
    assert report.audit.problems == [] and report.audit.clean


def test_rebuild_of_1000_shows_rekeys_in_one_transaction(server):
    assert_rekeyed(library_rebuild(server, 1000), 1000)


@pytest.mark.faults_full
def test_rebuild_of_5000_shows_rekeys_in_one_transaction(server):
    assert_rekeyed(library_rebuild(server, 5000), 5000)
