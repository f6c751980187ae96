"""Issue 8 in the fault rig: a wall clock stepped by days after connect, the database dropped and
re-created under three running devices, quits right after a play, a server that never answers."""

import pytest

from .devices import OPEN_TAKES_CANCEL
from .scenarios import clear_with_early_write, clock_step, quits_after_play, recreated_database, silent_server


@pytest.mark.parametrize("step", [3 * 86400.0, -3 * 86400.0])
def test_a_clock_stepped_by_days_after_connect_rejects_no_later_change(server, step):
    report = clock_step(server, step)
    assert report.rejected == 0, report.audit.problems
    assert report.audit.clean, report.audit.problems
    assert report.deaths == 0


def test_a_dropped_and_re_created_database_is_repopulated_once(server):
    report = recreated_database(server)
    assert report.populations == 1
    assert report.rows == 12 and report.audit.clean, report.audit.problems
    assert report.repopulated_after < 0.2 + 1.0 + 5.0  # one poll + the backoff + the reconnect
    assert report.deaths == 0


def test_an_early_write_after_a_clear_still_repopulates_once(server):
    report = clear_with_early_write(server)
    assert report.populations == 1 and report.commits == 1
    assert report.rows == 12 and report.audit.clean, report.audit.problems
    assert report.deaths == 0


def test_quitting_right_after_a_play_loses_nothing(server, tmp_path):
    report = quits_after_play(server, str(tmp_path), quits=5)
    assert report.quits == 5
    assert report.lost_at_quit == 0 and report.lost_after_restart == 0
    assert report.slowest_close < 1.0
    assert report.deaths == 0


@pytest.mark.faults_full
def test_fifty_quits_right_after_a_play(server, tmp_path):
    report = quits_after_play(server, str(tmp_path), quits=50)
    assert report.lost_at_quit == 0 and report.lost_after_restart == 0 and report.slowest_close < 1.0


@pytest.mark.xfail(not OPEN_TAKES_CANCEL, strict=True, reason="needs connect(cancel=) from branch conn")
def test_a_server_that_never_answers_lets_the_thread_end_within_a_second(server):
    report = silent_server(server)
    assert report.close_took < 1.0
    assert 0 <= report.thread_gone_after < 1.0
    assert report.leaked == 0
    assert report.deaths == 0
