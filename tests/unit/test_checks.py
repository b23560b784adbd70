"""The shared argument checks: TypeError/ValueError naming the argument."""

from __future__ import annotations

import math

import pytest

from wsaconnect import checks


def test_integer_accepts_ints_in_range() -> None:
    assert checks.integer(5, "n", 0, 10) == 5
    assert checks.integer(-(2**40), "n") == -(2**40)


@pytest.mark.parametrize("value", [True, 1.0, "1", None])
def test_integer_rejects_other_types_naming_the_argument(value: object) -> None:
    with pytest.raises(TypeError, match="backlog must be an int"):
        checks.integer(value, "backlog")


def test_integer_range_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"port must be 0\.\.65535, not 70000"):
        checks.integer(70000, "port", 0, 65535)


def test_seconds_and_timeout() -> None:
    assert checks.seconds(3, "latency") == 3.0
    assert checks.timeout(None) is None
    assert checks.timeout(-1, negative_ok=True) == -1.0
    with pytest.raises(ValueError, match="timeout"):
        checks.timeout(-1)
    with pytest.raises(ValueError, match="latency"):
        checks.seconds(math.nan, "latency", negative_ok=True)
    with pytest.raises(TypeError, match="timeout"):
        checks.timeout("5")


# --- seconds: finite numbers only ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (math.nan, "latency must not be NaN"),
        (math.inf, "latency must be a finite number of seconds, not inf"),
        (-math.inf, "latency must be a finite number of seconds, not -inf"),
        (10**400, "latency must be a finite number of seconds, not an int of 1329 bits"),
        (-(10**400), "latency must be a finite number of seconds, not an int of 1329 bits"),
    ],
)
def test_seconds_that_are_not_finite_are_value_errors_naming_the_argument(
    value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        checks.seconds(value, "latency", negative_ok=True)


@pytest.mark.parametrize("value", [True, False, "1", b"1", None, 1j, [1.0]])
def test_seconds_of_the_wrong_type_are_type_errors_naming_the_argument(value: object) -> None:
    with pytest.raises(TypeError, match=r"^latency must be a number of seconds, not "):
        checks.seconds(value, "latency")


def test_seconds_has_no_timeval_bound() -> None:
    # A clock advance or a latency is not a timeval: only finiteness applies.
    assert checks.seconds(2**31, "seconds") == 2.0**31
    assert checks.seconds(1e300, "seconds") == 1e300


def test_seconds_returns_a_float_for_an_int() -> None:
    assert type(checks.seconds(3, "latency")) is float


def test_seconds_names_timeout_by_default() -> None:
    with pytest.raises(ValueError, match=r"^timeout must not be NaN$"):
        checks.seconds(math.nan)


# --- timeout: what a timeval can carry -------------------------------------------------------


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, 10**400, 2**31, 2**31 - 0.5, 1e300]
)
def test_timeout_that_a_timeval_cannot_carry_is_a_value_error_naming_timeout(
    value: object,
) -> None:
    with pytest.raises(ValueError, match=r"^timeout "):
        checks.timeout(value)


def test_timeout_above_the_timeval_range_says_so() -> None:
    with pytest.raises(ValueError, match=r"^timeout 2147483648\.0 s does not fit a timeval"):
        checks.timeout(2**31)


def test_timeout_below_the_timeval_range_says_so_when_negatives_are_allowed() -> None:
    with pytest.raises(ValueError, match="does not fit a timeval"):
        checks.timeout(-(2**31) - 1, negative_ok=True)


def test_timeout_at_the_edges_of_the_timeval_range_is_accepted() -> None:
    assert checks.TIMEVAL_MAX == 2**31 - 1
    assert checks.TIMEVAL_MIN == -(2**31)
    assert checks.timeout(2**31 - 1) == 2147483647.0
    assert checks.timeout(-(2**31), negative_ok=True) == -2147483648.0
    assert checks.timeout(0) == 0.0


@pytest.mark.parametrize("value", [True, False, "5", b"5", [5]])
def test_timeout_of_the_wrong_type_is_a_type_error_naming_timeout(value: object) -> None:
    with pytest.raises(TypeError, match=r"^timeout must be a number of seconds, not "):
        checks.timeout(value)


def test_timeout_negative_is_a_value_error_unless_allowed() -> None:
    with pytest.raises(ValueError, match=r"^timeout must be a number of seconds >= 0, not -0\.5$"):
        checks.timeout(-0.5)
    assert checks.timeout(-0.5, negative_ok=True) == -0.5


# --- integer: a huge int out of range ---------------------------------------------------------


def test_integer_out_of_range_too_long_to_print_gives_its_size() -> None:
    # str() of an int past 4300 digits raises: the message must not try to print it.
    with pytest.raises(ValueError, match=r"^n must be 0\.\.5, not an int of 16610 bits$"):
        checks.integer(10**5000, "n", 0, 5)


@pytest.mark.parametrize("value", [True, False])
def test_integer_rejects_bool_even_in_range(value: bool) -> None:
    with pytest.raises(TypeError, match=r"^n must be an int, not bool$"):
        checks.integer(value, "n", 0, 1)
