"""Checks on Python arguments, shared by every layer: a wrong type is a TypeError and an
impossible value a ValueError, each naming the argument.

This module owns those two rules for the kinds of number the APIs take, so that each rule is
written once:

* an integer (:func:`integer`): an ``int`` but not a ``bool``, within the bounds the C type or
  the field allows;
* a number of seconds (:func:`seconds`): an ``int`` or ``float`` but not a ``bool``, finite (no
  NaN, no infinity, no int too large for a float), and not negative unless the caller allows it;
* a timeout (:func:`timeout`): None (no limit, a NULL ``timeval``), or seconds that a Winsock
  ``struct timeval`` can carry. Its ``tv_sec`` is a ``long``, 32 bits on every Windows target
  (winsock2.h; Microsoft's "timeval structure (winsock.h)" page), so at most 2**31 - 1 s.

Whether a *valid* value is accepted by Winsock is the backends' business: they answer with
Winsock codes, not exceptions.
"""

from __future__ import annotations

import math

#: The largest and smallest ``tv_sec`` of a Winsock ``timeval`` (a 32-bit ``long``).
TIMEVAL_MAX = 2**31 - 1
TIMEVAL_MIN = -(2**31)


def integer(value: object, what: str, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int (a bool is not one), within ``low``..``high`` when given.

    Args:
        value: the argument.
        what: its name, for the messages.
        low: the smallest value allowed, or None for no bound.
        high: the largest value allowed, or None for no bound.

    Returns:
        ``value``.

    Raises:
        TypeError: not an int.
        ValueError: outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"<= {high}" if low is None else f"{low}..{high}"
        # An int past Python's str() digit limit cannot be printed: give its size instead.
        shown = value if value.bit_length() <= 128 else f"an int of {value.bit_length()} bits"
        raise ValueError(f"{what} must be {bounds}, not {shown}")
    return value


def seconds(
    value: object,
    what: str = "timeout",
    *,
    negative_ok: bool = False,
    maximum: float | None = None,
) -> float:
    """``value`` as a finite number of seconds, >= 0 unless ``negative_ok``, and at most
    ``maximum`` when given.

    Args:
        value: an int or a float (a bool is not one).
        what: the argument's name, for the messages.
        negative_ok: accept a negative number (a deadline in the past, a negative ``timeval``
            a backend passes on for Winsock to judge).
        maximum: the largest number allowed, or None for any finite one.

    Returns:
        ``value`` as a float.

    Raises:
        TypeError: not an int or float.
        ValueError: NaN, infinite, an int too large for a float, negative when that is not
            allowed, or above ``maximum``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number of seconds, not {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        # An int beyond a double's range (float(10**400)); not printed: it may be too long.
        assert isinstance(value, int)  # float() of a float never overflows
        raise ValueError(
            f"{what} must be a finite number of seconds, not an int of {value.bit_length()} bits"
        ) from None
    if math.isnan(number):
        raise ValueError(f"{what} must not be NaN")
    if math.isinf(number):
        raise ValueError(f"{what} must be a finite number of seconds, not {number}")
    if number < 0 and not negative_ok:
        raise ValueError(f"{what} must be a number of seconds >= 0, not {value}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{what} must be at most {maximum:g} s, not {number:g}")
    return number


def timeout(value: object, *, negative_ok: bool = False) -> float | None:
    """A timeout as a C ``timeval`` carries it: None (a NULL ``timeval``, no limit) or seconds.

    Args:
        value: None, or a number of seconds (see :func:`seconds`).
        negative_ok: accept a negative timeout (``select`` passes one to Winsock).

    Returns:
        None, or ``value`` as a float.

    Raises:
        TypeError: not None, an int or a float.
        ValueError: as :func:`seconds`, or a number of seconds whose ``tv_sec`` does not fit
            the 32-bit ``long`` of a Winsock ``timeval`` (above 2**31 - 1, below -2**31).
    """
    if value is None:
        return None
    number = seconds(value, "timeout", negative_ok=negative_ok)
    # A value within the bounds still fits once rounded to microseconds: x * 1e6 rounds
    # monotonically, and (2**31 - 1) * 1e6 is exact in a double.
    if not TIMEVAL_MIN <= number <= TIMEVAL_MAX:
        raise ValueError(
            f"timeout {number} s does not fit a timeval (its tv_sec is a 32-bit long: "
            f"{TIMEVAL_MIN}..{TIMEVAL_MAX} s)"
        )
    return number
