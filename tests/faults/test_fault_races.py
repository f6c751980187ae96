"""A change made on one device while another device reads the library at its start (on a real
library, `VideoLibrary.GetEpisodes` takes seconds): the starting device's older snapshot must
not overwrite the newer change, in the database or in the other device's cache."""

from .scenarios import change_during_start


def test_a_snapshot_read_before_a_change_does_not_overwrite_it(server):
    report = change_during_start(server)
    assert report.deaths == 0
    assert report.row_kept, "the starting device's older snapshot replaced the newer shared row"
    assert report.cache_kept, "the other device's cache moved backwards"
    assert report.audit.clean, report.audit.problems
