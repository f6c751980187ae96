"""A hung database (SIGSTOP): the service's abort path, `syncer.close()`, returns within 1 s
whether the worker waits in an operation or in the connect; a hang longer than the read timeout
is a failed cycle (one warning, backoff, changes queued) from which the devices catch up."""

from .scenarios import hang_then_continue, hung_database


def test_close_returns_within_a_second_while_the_database_hangs(server):
    report = hung_database(server, hold_seconds=1.0)
    assert report.close_mid_operation < 1.0
    assert report.operation_ended_after < 1.0  # close() unblocked the worker's read
    assert report.close_during_connect < 1.0
    assert report.deaths == 0


def test_a_hang_longer_than_the_read_timeout_is_survived(server):
    report = hang_then_continue(server, read_timeout=2.0)
    assert report.warnings == 2  # one per device for the cycle
    assert report.recovered_after < 1.0 + 3.0
    assert report.audit.problems == [] and report.audit.clean
    assert report.deaths == 0
