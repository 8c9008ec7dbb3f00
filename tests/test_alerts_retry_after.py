"""Telegram's « retry after » read in seconds, today's PTB type and its next major version's
alike, without the deprecation warning PTB 22.2+ logs on every read of the attribute."""

from __future__ import annotations

import os
import warnings
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from bot.alerts.sending import retry_after_seconds


@pytest.mark.parametrize("opt_in", [None, "1"])
@pytest.mark.parametrize("given", [3, 2.5, timedelta(seconds=7)])
def test_retry_after_in_seconds_without_a_warning(
    given: int | float | timedelta, opt_in: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if opt_in is None:
        monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    else:
        monkeypatch.setenv("PTB_TIMEDELTA", opt_in)  # the next major version's type
    expected = given.total_seconds() if isinstance(given, timedelta) else float(given)
    if opt_in is None:  # PTB itself warns when it builds the error (its message reads it)
        with pytest.warns(DeprecationWarning):
            exc = RetryAfter(given)
    else:
        exc = RetryAfter(given)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert retry_after_seconds(exc) == expected
    assert caught == []
    if opt_in is None:  # the attribute itself does warn: what the helper keeps out of logs
        with pytest.warns(DeprecationWarning):
            _ = exc.retry_after


def test_the_bot_opts_in_to_time_periods_as_timedelta_so_a_429_logs_no_warning() -> None:
    import bot  # noqa: F401 (sets the default)

    assert os.environ.get("PTB_TIMEDELTA") == "1"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exc = RetryAfter(4)  # what PTB builds on every 429
        assert retry_after_seconds(exc) == 4.0
    assert caught == []
