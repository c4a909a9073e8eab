from chalicelib.delivery import MAX_ATTEMPTS, backoff_seconds, status_after_failure


def test_a_transient_failure_is_retried_until_the_attempts_run_out():
    assert status_after_failure(1, transient=True) == "retrying"
    assert status_after_failure(MAX_ATTEMPTS - 1, transient=True) == "retrying"
    assert status_after_failure(MAX_ATTEMPTS, transient=True) == "failed"


def test_a_permanent_failure_is_final_at_once():
    assert status_after_failure(1, transient=False) == "failed"


def test_the_wait_before_a_retry_doubles_and_is_capped():
    assert [backoff_seconds(n, 30) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_seconds(20, 30) == 15 * 60
