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
