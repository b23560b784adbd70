"""How CPython's ``socket.socket`` methods on Windows convert their arguments.

This module owns the conversions :class:`wsasim.SimSocket` applies before it calls Winsock, so
that a wrong argument fails as it does on ``socket.socket``, with the same exception and
message:

* C integers (Python/getargs.c, ``convertsimple``): ``"i"`` takes an object with
  ``__index__`` and goes through ``PyLong_AsLong``, whose C ``long`` is 32 bits on Windows
  (LLP64), so any value outside a C ``int`` fails there; ``"n"`` is a ``Py_ssize_t``; ``"I"``
  is an ``unsigned int`` with no overflow check (``PyLong_AsUnsignedLongMask``);
* buffers: ``"y*"`` (a bytes-like object, read-only is fine) and ``"w*"`` (a read-write one);
* timeouts (Modules/socketmodule.c, ``socket_parse_timeout``; Python/pytime.c,
  ``_PyTime_FromSecondsObject``): a number of seconds kept as integer nanoseconds, rounded
  away from zero (``_PyTime_ROUND_TIMEOUT``); on Windows it must also fit a ``struct timeval``
  and, as Windows has no ``poll()``, a C ``int`` of milliseconds;
* the host OS's ``socket`` constants beside Windows' own: ``socket.AF_INET6`` is 10 on Linux
  and 23 on Windows; ``socket.SOL_SOCKET``/``SO_REUSEADDR`` are 1/2 on Linux and 0xFFFF/4 on
  Windows. Off Windows they are translated (:func:`to_windows_option`).
"""

from __future__ import annotations

import operator
import socket as _socket
import sys

from wsaconnect import constants as C

INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
SSIZE_MAX = sys.maxsize
#: PyTime_t: a signed 64-bit count of nanoseconds (Include/cpython/pytime.h).
PYTIME_MAX = 2**63 - 1
PYTIME_MIN = -(2**63)
_NS = 10**9

#: Python/pytime.c, ``pytime_overflow``: "C _PyTime_t" until 3.12, "C PyTime_t" since 3.13
#: (when the type became public API).
PYTIME_OVERFLOW = "timestamp too large to convert to C " + (
    "PyTime_t" if sys.version_info >= (3, 13) else "_PyTime_t"
)


def c_int(value: object, *, too_large: str = "Python int too large to convert to C long") -> int:
    """A C ``int`` argument: getargs.c's ``"i"`` on Windows (``PyLong_AsLong`` with a 32-bit
    ``long`` fails first, with ``too_large``); ``PyLong_AsInt`` callers (``shutdown``) give
    ``"Python int too large to convert to C int"`` instead.

    Raises:
        TypeError: no ``__index__`` ("'str' object cannot be interpreted as an integer").
        OverflowError: outside a C ``int``.
    """
    number = operator.index(value)  # type: ignore[arg-type]
    if not INT_MIN <= number <= INT_MAX:
        raise OverflowError(too_large)
    return int(number)


def c_ssize(value: object) -> int:
    """A ``Py_ssize_t`` argument (getargs.c's ``"n"``: ``PyNumber_AsSsize_t``)."""
    number = operator.index(value)  # type: ignore[arg-type]
    if not -SSIZE_MAX - 1 <= number <= SSIZE_MAX:
        raise OverflowError("Python int too large to convert to C ssize_t")
    return int(number)


def c_uint_mask(value: object) -> int:
    """An ``unsigned int`` argument without overflow check (getargs.c's ``"I"``)."""
    return int(operator.index(value)) & 0xFFFFFFFF  # type: ignore[arg-type]


def readable_buffer(value: object) -> memoryview:
    """A ``"y*"`` argument (bytes-like, C-contiguous) as a flat view of its bytes.

    Raises:
        TypeError: "a bytes-like object is required, not 'str'" (Objects/abstract.c,
            ``PyObject_GetBuffer``).
        BufferError: a buffer that is not C-contiguous (``PyBUF_SIMPLE``).
    """
    try:
        view = memoryview(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not '{type(value).__name__}'") from None
    if not view.c_contiguous:
        raise BufferError("memoryview: underlying buffer is not C-contiguous")
    return view.cast("B") if view.format != "B" or view.ndim != 1 else view


def writable_buffer(value: object, function: str) -> memoryview:
    """A ``"w*"`` argument (a read-write bytes-like object) as a flat writable view.

    Raises:
        TypeError: "recv_into() argument 1 must be read-write bytes-like object, not bytes"
            (Python/getargs.c, ``converterr`` of ``"w*"``).
    """
    try:
        view = memoryview(value)  # type: ignore[arg-type]
    except TypeError:
        view = None
    if view is None or view.readonly or not view.c_contiguous:
        raise TypeError(
            f"{function}() argument 1 must be read-write bytes-like object, "
            f"not {type(value).__name__}"
        )
    return view.cast("B") if view.format != "B" or view.ndim != 1 else view


def parse_timeout(value: object) -> int:
    """A timeout as ``settimeout`` takes it, in nanoseconds; -1 for None (blocking).

    Modules/socketmodule.c, ``socket_parse_timeout``, over Python/pytime.c's
    ``_PyTime_FromSecondsObject`` (``_PyTime_ROUND_TIMEOUT``, away from zero).

    Raises:
        TypeError: not None, a float or an object with ``__index__``.
        ValueError: NaN ("Invalid value NaN (not a number)"); negative ("Timeout value out of
            range").
        OverflowError: beyond a PyTime_t ("timestamp out of range for platform time_t" for a
            float, :data:`PYTIME_OVERFLOW` for an int); on Windows beyond a ``timeval`` or a C
            ``int`` of milliseconds ("timeout doesn't fit into C timeval").
    """
    if value is None:
        return -1
    if isinstance(value, float):
        if value != value:
            raise ValueError("Invalid value NaN (not a number)")
        scaled = value * 1e9  # pytime_from_double: d *= unit_to_ns, then rounded
        if not float(PYTIME_MIN) <= scaled < -float(PYTIME_MIN):
            raise OverflowError("timestamp out of range for platform time_t")
        whole = int(scaled)
        ns = whole + 1 if scaled > whole else whole - 1 if scaled < whole else whole
    else:
        seconds = operator.index(value)  # type: ignore[arg-type]  # PyLong_AsLongLong
        ns = seconds * _NS
        if not PYTIME_MIN <= seconds <= PYTIME_MAX or not PYTIME_MIN <= ns <= PYTIME_MAX:
            raise OverflowError(PYTIME_OVERFLOW)
    if ns < 0:
        raise ValueError("Timeout value out of range")
    # MS_WINDOWS: _PyTime_AsTimeval (tv_sec is a 32-bit long); no HAVE_POLL:
    # _PyTime_AsMilliseconds(ROUND_TIMEOUT) must not exceed INT_MAX.
    milliseconds = -(-ns // 10**6)
    if ns // _NS > INT_MAX or milliseconds > INT_MAX:
        raise OverflowError("timeout doesn't fit into C timeval")
    return ns


def timeout_seconds(ns: int) -> float | None:
    """What ``gettimeout()`` returns for a timeout of ``ns`` (-1: None); Python/pytime.c,
    ``PyTime_AsSecondsDouble``."""
    if ns < 0:
        return None
    return float(ns // _NS) if ns % _NS == 0 else ns / 1e9


# --- the host OS's constants ----------------------------------------------------------------


def _host_options() -> dict[tuple[int, int], tuple[int, int]]:
    if sys.platform == "win32":
        return {}
    names = [
        ("SOL_SOCKET", "SO_REUSEADDR", C.SOL_SOCKET, C.SO_REUSEADDR),
        ("SOL_SOCKET", "SO_BROADCAST", C.SOL_SOCKET, C.SO_BROADCAST),
        ("SOL_SOCKET", "SO_KEEPALIVE", C.SOL_SOCKET, C.SO_KEEPALIVE),
        ("SOL_SOCKET", "SO_ERROR", C.SOL_SOCKET, C.SO_ERROR),
        ("SOL_SOCKET", "SO_TYPE", C.SOL_SOCKET, C.SO_TYPE),
        ("SOL_SOCKET", "SO_SNDBUF", C.SOL_SOCKET, C.SO_SNDBUF),
        ("SOL_SOCKET", "SO_RCVBUF", C.SOL_SOCKET, C.SO_RCVBUF),
        ("SOL_SOCKET", "SO_ACCEPTCONN", C.SOL_SOCKET, C.SO_ACCEPTCONN),
        ("IPPROTO_IPV6", "IPV6_V6ONLY", C.IPPROTO_IPV6, C.IPV6_V6ONLY),
    ]
    return {
        (getattr(_socket, level), getattr(_socket, option)): (win_level, win_option)
        for level, option, win_level, win_option in names
        if hasattr(_socket, level) and hasattr(_socket, option)
    }


_HOST_OPTIONS = _host_options()


def to_windows_family(family: int) -> int:
    """Windows' value for an address family given in the host OS's or Windows' numbering."""
    return C.AF_INET6 if family == _socket.AF_INET6 else family


def to_host_family(family: int) -> int:
    """The host OS's ``socket.AddressFamily`` for a Windows address family (what
    ``socket.socket().family`` reports here)."""
    host = _socket.AF_INET6 if family == C.AF_INET6 else family
    try:
        return _socket.AddressFamily(host)
    except ValueError:
        return host


def to_windows_option(level: int, optname: int) -> tuple[int, int]:
    """Windows' (level, optname) for an option given in the host OS's or Windows' numbering."""
    return _HOST_OPTIONS.get((level, optname), (level, optname))
