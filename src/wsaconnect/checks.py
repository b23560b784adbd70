"""Checks on Python arguments, shared by every layer: a wrong type is a TypeError and an
impossible value a ValueError, each naming the argument.

This module owns only those two rules for the two kinds of number the APIs take (integers and
seconds). Whether a *valid* value is accepted by Winsock is the backends' business: they answer
with Winsock codes, not exceptions.
"""

from __future__ import annotations


def integer(value: object, what: str, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int (a bool is not one), within ``low``..``high`` when given.

    Raises:
        TypeError: not an int.
        ValueError: outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"<= {high}" if low is None else f"{low}..{high}"
        raise ValueError(f"{what} must be {bounds}, not {value}")
    return value


def seconds(value: object, what: str = "timeout", *, negative_ok: bool = False) -> float:
    """``value`` as a number of seconds: an int or float, not NaN, and >= 0 unless allowed.

    Raises:
        TypeError: not an int or float.
        ValueError: NaN, or negative when that is not allowed.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number of seconds, not {type(value).__name__}")
    if value != value:
        raise ValueError(f"{what} must not be NaN")
    if value < 0 and not negative_ok:
        raise ValueError(f"{what} must be a number of seconds >= 0, not {value}")
    return float(value)


def timeout(value: object, *, negative_ok: bool = False) -> float | None:
    """A timeout: None (no limit, a NULL ``timeval``) or :func:`seconds`."""
    return None if value is None else seconds(value, "timeout", negative_ok=negative_ok)
