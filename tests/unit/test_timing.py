"""wsasim.timing.TcpTiming: the connect timing model checks every field when it is made."""

from __future__ import annotations

import math

import pytest
from wsasim.timing import MAX_RETRANSMISSIONS, TcpTiming


def test_the_defaults_are_windows_and_time_out_at_21_seconds() -> None:
    timing = TcpTiming()
    assert (timing.initial_rto, timing.syn_retransmissions) == (3.0, 2)
    assert (timing.refused_retries, timing.refused_retry_interval) == (2, 1.0)
    assert [timing.rto(i) for i in range(3)] == [3.0, 6.0, 12.0]
    assert timing.connect_timeout == 21.0


def test_int_seconds_are_stored_as_floats() -> None:
    timing = TcpTiming(initial_rto=1, refused_retry_interval=0)
    assert type(timing.initial_rto) is float
    assert type(timing.refused_retry_interval) is float
    assert timing.connect_timeout == 7.0


def test_the_largest_counts_are_accepted_and_stay_finite() -> None:
    timing = TcpTiming(syn_retransmissions=MAX_RETRANSMISSIONS, refused_retries=255)
    assert MAX_RETRANSMISSIONS == 255  # MaxSynRetransmissions is a UCHAR (mstcpip.h)
    assert math.isfinite(timing.connect_timeout)
    assert timing.rto(255) == 60.0  # the doubling stops at max_rto
    assert TcpTiming(max_rto=2**31 - 1).rto(255) == 2**31 - 1


@pytest.mark.parametrize("field", ["initial_rto", "refused_retry_interval"])
@pytest.mark.parametrize("value", ["3", None, True, b"1", [1.0]])
def test_seconds_of_the_wrong_type_are_type_errors_naming_the_field(
    field: str, value: object
) -> None:
    with pytest.raises(TypeError, match=f"^{field} "):
        TcpTiming(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["initial_rto", "refused_retry_interval"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, -1.0, -1e-9, 10**400])
def test_seconds_that_are_not_finite_or_are_negative_are_value_errors(
    field: str, value: float
) -> None:
    with pytest.raises(ValueError, match=f"^{field} "):
        TcpTiming(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, 0.0, -0.0])
def test_an_initial_rto_of_zero_is_a_value_error(value: float) -> None:
    with pytest.raises(ValueError, match=r"^initial_rto .* > 0"):
        TcpTiming(initial_rto=value)


def test_a_zero_refused_retry_interval_is_allowed() -> None:
    assert TcpTiming(refused_retry_interval=0.0).refused_retry_interval == 0.0


@pytest.mark.parametrize("field", ["syn_retransmissions", "refused_retries"])
@pytest.mark.parametrize("value", [1.5, 2.0, "2", True, False, None])
def test_counts_of_the_wrong_type_are_type_errors_naming_the_field(
    field: str, value: object
) -> None:
    with pytest.raises(TypeError, match=f"^{field} must be an int"):
        TcpTiming(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["syn_retransmissions", "refused_retries"])
@pytest.mark.parametrize("value", [-1, 256, 2000, 10**400])
def test_counts_outside_a_uchar_are_value_errors_naming_the_field(field: str, value: int) -> None:
    with pytest.raises(ValueError, match=rf"^{field} must be 0\.\.255"):
        TcpTiming(**{field: value})


def test_an_rto_or_interval_above_a_timeval_is_a_value_error() -> None:
    # Larger ones once let the clock's sums reach infinity in the middle of a connect.
    with pytest.raises(ValueError, match=r"^initial_rto must be at most"):
        TcpTiming(initial_rto=2.0**31)
    with pytest.raises(ValueError, match=r"^refused_retry_interval must be at most"):
        TcpTiming(refused_retry_interval=1e308)


def test_the_largest_rto_doubled_255_times_stays_finite() -> None:
    timing = TcpTiming(initial_rto=2**31 - 1, syn_retransmissions=255)
    assert timing.connect_timeout < float("inf")


def test_the_rto_doubles_up_to_max_rto_then_stays() -> None:
    # The IPPROTO_TCP options page: "up to its maximum value of 60sec and then stays there".
    timing = TcpTiming(initial_rto=1.0, syn_retransmissions=6)
    assert [timing.rto(i) for i in range(8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert timing.connect_timeout == 123.0  # measured on Windows (SciQLop/speasy PR 344)
    assert TcpTiming(initial_rto=100.0).rto(0) == 60.0


def test_a_connect_limit_ends_the_schedule_early() -> None:
    assert TcpTiming(connect_limit=5).connect_timeout == 5.0
    assert TcpTiming(connect_limit=30.0).connect_timeout == 21.0
    assert TcpTiming(connect_limit=0xFFFFFFFF).connect_limit == float(0xFFFFFFFF)
    assert type(TcpTiming(connect_limit=5).connect_limit) is float


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_rto": 0}, ValueError, r"^max_rto .* > 0"),
        ({"max_rto": math.nan}, ValueError, r"^max_rto "),
        ({"max_rto": "60"}, TypeError, r"^max_rto "),
        ({"connect_limit": -1}, ValueError, r"^connect_limit "),
        ({"connect_limit": 2.0**32}, ValueError, r"^connect_limit must be at most"),
        ({"connect_limit": math.inf}, ValueError, r"^connect_limit "),
        ({"connect_limit": "5"}, TypeError, r"^connect_limit "),
    ],
)
def test_max_rto_and_connect_limit_are_checked(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        TcpTiming(**kwargs)  # type: ignore[arg-type]
