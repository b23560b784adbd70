"""``select.select`` and the selectors while :func:`wsasim.patch` is active.

This module owns the waits of the patched ``select`` and ``selectors`` modules: they take
simulator sockets (objects whose ``fileno()`` is a simulator handle, or the handles themselves,
ints from 2**32 up: :data:`wsasim.network.FIRST_HANDLE`) and wait in virtual time, through
:meth:`wsasim.network.Network.select`. What they do, and where it comes from:

* ``select.select(rlist, wlist, xlist, timeout=None)`` checks its arguments as CPython's does
  (Modules/selectmodule.c, ``select_select_impl`` and ``seq2set``; Objects/fileobject.c,
  ``PyObject_AsFileDescriptor``): the same exceptions and messages, at most ``FD_SETSIZE`` =
  512 descriptors a set (the value selectmodule.c sets on Windows), and the ready objects
  returned as they were passed, in their order. A failed non-blocking connect is reported in
  *xlist* only, as Windows' select does (select function, Microsoft Learn: exceptfds "If
  processing a connect call (nonblocking), connection attempt failed"; writefds "If
  processing a connect call (nonblocking), connection has succeeded").
* Three empty sets are refused with OSError WSAEINVAL (winerror 10022), as Windows' select
  refuses them (select function, Microsoft Learn: WSAEINVAL "all three descriptor parameters
  were null"; CPython's ``select`` documentation: empty sets are "known to work on Unix but
  not on Windows"). Code that sleeps with an empty select hangs nowhere on Windows: it fails,
  and so it does here.
* Windows CPython has no ``select.poll``, ``epoll``, ``devpoll`` or ``kqueue``, so
  ``selectors.DefaultSelector`` is ``SelectSelector`` there; the patch hides the others
  (:data:`HIDDEN`), so that code choosing by ``hasattr`` takes the path it takes on Windows
  (urllib3's ``wait_for_socket`` does).
* ``selectors.SelectSelector`` and ``selectors.DefaultSelector`` are
  :class:`SimSelectSelector`: CPython's own SelectSelector with the ``_select`` it has on
  Windows (Lib/selectors.py: ``select.select(r, w, w, timeout)``, then ``w + x`` reported as
  writable), so a refused non-blocking connect is ``EVENT_WRITE`` there, as on Windows (the
  connect's error is then in SO_ERROR).

Real descriptors (small ints, a pipe's or a real socket's ``fileno()``) still work in a call
that has no simulator socket: it goes to the function the patch replaced. A call that mixes
the two is refused with ``ValueError``: no single wait can watch both.
"""

from __future__ import annotations

import math
import operator
import select as select_module
import selectors
from collections.abc import Callable, Iterable
from typing import Any, SupportsIndex, cast

from wsaconnect import errors as E
from wsasim.network import FIRST_HANDLE, Network

__all__ = [
    "FD_SETSIZE",
    "HIDDEN",
    "SimSelectSelector",
    "Waits",
    "descriptor",
    "index",
]

#: The most descriptors one set of select takes: Modules/selectmodule.c defines FD_SETSIZE as
#: 512 on Windows ("64 is too small"), and ``seq2set`` refuses more with ValueError.
FD_SETSIZE = 512

#: What Windows CPython's ``select`` and ``selectors`` modules do not have (Modules/
#: selectmodule.c compiles poll, devpoll, epoll and kqueue only where the OS has them; Lib/
#: selectors.py defines a selector class only for what ``select`` has).
HIDDEN = {
    "select": ("poll", "devpoll", "epoll", "kqueue"),
    "selectors": ("PollSelector", "DevpollSelector", "EpollSelector", "KqueueSelector"),
}

_INT_MAX = 2**31 - 1
_LONG_MAX = 2**31 - 1  # a Windows timeval's tv_sec is a 32-bit long


def index(value: object) -> int:
    """``operator.index(value)``: CPython's conversion of an integer argument (``__index__``;
    TypeError "'str' object cannot be interpreted as an integer" otherwise)."""
    return operator.index(cast(SupportsIndex, value))


def descriptor(obj: object) -> int:
    """The descriptor of one entry of a select set or a poll registration.

    CPython's ``PyObject_AsFileDescriptor`` (Objects/fileobject.c), with the same exceptions
    and messages, except that a simulator handle (2**32 and up, which no C ``int`` holds) is
    accepted instead of being an OverflowError.
    """
    if isinstance(obj, int):
        fd = int(obj)
    else:
        method = getattr(obj, "fileno", None)
        if method is None:
            raise TypeError("argument must be an int, or have a fileno() method.")
        value = method()
        if not isinstance(value, int):
            raise TypeError("fileno() returned a non-integer")
        fd = int(value)
    if fd < 0:
        raise ValueError(f"file descriptor cannot be a negative integer ({fd})")
    if _INT_MAX < fd < FIRST_HANDLE:
        raise OverflowError("Python int too large to convert to C int")
    return fd


def _is_sim(fd: int) -> bool:
    return fd >= FIRST_HANDLE


def _mixed(what: str, real: list[int]) -> ValueError:
    shown = ", ".join(str(fd) for fd in real[:3]) + (", ..." if len(real) > 3 else "")
    return ValueError(
        f"{what}: real file descriptors ({shown}) and simulator sockets cannot be waited on in "
        "one call while wsasim.patch is active (the simulator's clock is virtual, a real "
        "descriptor's is not): wait on each kind separately"
    )


def _select_timeout(timeout: object) -> float | None:
    """select's timeout, checked as Modules/selectmodule.c checks it (``select_select_impl``:
    "timeout must be a float or None", "timeout must be non-negative"; Python/pytime.c for NaN
    and a timeval's overflow)."""
    if timeout is None:
        return None
    if isinstance(timeout, float):
        if math.isnan(timeout):
            raise ValueError("Invalid value NaN (not a number)")
        seconds = timeout
    else:
        try:
            seconds = index(timeout)
        except TypeError:
            raise TypeError("timeout must be a float or None") from None
    if seconds < 0:
        raise ValueError("timeout must be non-negative")
    if seconds > _LONG_MAX:
        raise OverflowError("timestamp out of range for platform time_t")
    return float(seconds)


class Waits:
    """The patched ``select.select`` of one :func:`wsasim.patch`.

    Args:
        network: the network whose sockets and clock the waits use.
        check_thread: raises RuntimeError when called from a thread other than the patch's.
        on_patch_thread: True on the thread that entered the patch.
        previous_select: the ``select.select`` the patch replaced (real descriptors go there).
    """

    def __init__(
        self,
        network: Network,
        check_thread: Callable[[str], None],
        on_patch_thread: Callable[[], bool],
        previous_select: Callable[..., Any],
    ) -> None:
        self.network = network
        self.check_thread = check_thread
        self.on_patch_thread = on_patch_thread
        self.previous_select = previous_select

    def select(
        self, rlist: Iterable[Any], wlist: Iterable[Any], xlist: Iterable[Any], timeout: Any = None
    ) -> tuple[list[Any], list[Any], list[Any]]:
        """``select.select`` over simulator sockets, in virtual time (see the module's doc)."""
        groups: list[list[tuple[Any, int]]] = []
        for seq in (rlist, wlist, xlist):
            try:
                items = list(seq)  # PySequence_Fast: any iterable, read once
            except TypeError:
                raise TypeError("arguments 1-3 must be sequences") from None
            groups.append([(obj, descriptor(obj)) for obj in items])
            if len(items) > FD_SETSIZE:
                raise ValueError("too many file descriptors in select()")
        fds = [fd for group in groups for _, fd in group]
        real = [fd for fd in fds if not _is_sim(fd)]
        if len(real) == len(fds) and (real or not self.on_patch_thread()):
            # No simulator socket: the select the patch replaced (a sleep, on another thread).
            result: tuple[list[Any], list[Any], list[Any]] = self.previous_select(
                *([obj for obj, _ in group] for group in groups), timeout
            )
            return result
        self.check_thread("select.select")
        seconds = _select_timeout(timeout)
        if real:
            raise _mixed("select.select", real)
        if not fds:
            raise E.error_for_code(E.WSAEINVAL, "select.select with three empty sets")
        handles = [list(dict.fromkeys(fd for _, fd in group)) for group in groups]
        found = self.network.select(handles[0], handles[1], handles[2], seconds)
        ready = [set(f) for f in found]
        r, w, x = ([obj for obj, fd in group if fd in ready[i]] for i, group in enumerate(groups))
        return r, w, x


class SimSelectSelector(selectors.SelectSelector):
    """``selectors.SelectSelector`` as it is on Windows, over the patched ``select.select``.

    Lib/selectors.py defines ``SelectSelector._select`` on win32 as ``select.select(r, w, w,
    timeout)`` returning ``r, w + x, []``: Windows reports a failed connect in exceptfds only,
    so the selector merges it into the writable ones (EVENT_WRITE). Everything else is
    CPython's SelectSelector unchanged.
    """

    def _select(
        self, r: Iterable[Any], w: Iterable[Any], _: object, timeout: float | None = None
    ) -> tuple[list[Any], list[Any], list[Any]]:
        readable, writable, failed = select_module.select(r, w, w, timeout)
        return readable, writable + failed, []
