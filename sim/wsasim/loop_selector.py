"""The selector of :func:`wsasim.new_event_loop`: Windows' ``SelectSelector``, waiting in
virtual time.

This module owns :class:`SimSelector`, what the simulator's event loop (:mod:`wsasim.loop`)
hands to ``asyncio.selector_events.BaseSelectorEventLoop``. It is CPython's
``selectors.SelectSelector`` with the ``_select`` it has on Windows (Lib/selectors.py: on win32
``select.select(r, w, w, timeout)``, then ``w + x`` returned as writable), the select being the
network's wait (:meth:`wsasim.network.Network.wait`, over :func:`wsasim.readiness.ready_sets`,
the readiness :meth:`wsasim.network.Network.select` reports):

* a failed non-blocking connect is reported in exceptfds only, as Windows' select reports it
  (select function, Microsoft Learn: exceptfds "If processing a connect call (nonblocking),
  connection attempt failed"), and so it comes to the loop as ``EVENT_WRITE``: asyncio's
  ``_sock_connect_cb`` then reads the error from SO_ERROR, as it does on Windows;
* a timeout is virtual seconds: the network runs until a watched socket is ready or the
  timeout has passed, and never waits in wall time. With no socket to watch, a timeout just
  runs the network for that long (the loop's timers are then due);
* nothing to wait for and no timeout is :class:`wsasim.Deadlock`: on Windows the loop would
  hang for ever (an awaited future that nothing will complete), here it raises at once, with
  the virtual time and what the loop was watching;
* :meth:`SimSelector.wake` ends a wait in progress: the loop calls it when a callback of the
  network's clock (``net.call_at``: what stands for another thread, an APC or a timer) gives
  the loop work (``call_soon``, ``call_at``, ``call_soon_threadsafe``, a future's result), as
  the self-pipe's byte wakes Windows' select.

Only simulator sockets can be registered: a real descriptor (a pipe, a real socket, a file)
cannot be waited on in virtual time, so :meth:`SimSelector.register` refuses it with
ValueError at once, rather than select failing later with WSAENOTSOCK as Windows' would.
"""

from __future__ import annotations

import selectors
from collections.abc import Iterable
from typing import Any

from wsaconnect import errors as E
from wsasim import readiness
from wsasim.host import Host
from wsasim.network import Deadlock
from wsasim.sockets import Socket

__all__ = ["SimSelector"]

#: What a wait woken by :meth:`SimSelector.wake` returns: nothing ready (a true value, so
#: that :meth:`wsasim.network.Network.wait` stops).
_NOTHING: tuple[list[int], list[int], list[int]] = ([], [], [])


class SimSelector(selectors.SelectSelector):
    """``selectors.SelectSelector`` as it is on Windows, waiting on ``host``'s network in
    virtual time (see the module's documentation).

    Args:
        host: the host whose event loop this is (named in errors); sockets of any host of
            its network may be registered, since one network runs one clock.
    """

    def __init__(self, host: Host) -> None:
        super().__init__()
        self.host = host
        self.network = host.network
        self._woken = False

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        """``SelectSelector.register``, for an open simulator socket only.

        Raises:
            ValueError: ``fileobj`` is not an open socket of this network (a real descriptor,
                or a closed socket), besides the checks of Lib/selectors.py.
        """
        key = super().register(fileobj, events, data)
        if type(self.network.handles.get(key.fd)) is not Socket:
            super().unregister(fileobj)
            raise ValueError(
                f"{fileobj!r} is not an open socket of the simulated network: the simulator's "
                "event loop waits in virtual time, and cannot wait on a real file descriptor "
                "(a pipe, a real socket, a file)"
            )
        return key

    def wake(self) -> None:
        """End the wait in progress (if any): the loop has work, given it by a callback of
        the network's clock."""
        self._woken = True
        self.network.notify(self)

    def _socket(self, fd: int) -> Socket:
        sock = self.network.handles.get(fd)
        if type(sock) is not Socket:  # closed while registered: Windows' select says so
            raise E.error_for_code(E.WSAENOTSOCK, f"handle {fd!r}")
        return sock

    def _select(
        self, r: Iterable[int], w: Iterable[int], _: object, timeout: float | None = None
    ) -> tuple[list[int], list[int], list[int]]:
        """Lib/selectors.py's win32 ``_select``: ``select(r, w, w, timeout)``, then the failed
        connects (exceptfds) reported as writable, the select being the network's wait."""
        readers = [self._socket(fd) for fd in r]
        writers = [self._socket(fd) for fd in w]
        sets = (readers, writers, writers)
        clock = self.network.clock
        deadline = None if timeout is None else clock.now + timeout
        self._woken = False

        def ready() -> tuple[list[int], list[int], list[int]] | None:
            found = readiness.ready_sets(sets)
            return _NOTHING if found is None and self._woken else found

        try:
            found = self.network.wait(
                ready, [*readers, *writers, self], deadline, "the event loop's select", self.host
            )
        except Deadlock:
            watched = len({s.handle for s in readers + writers})
            raise Deadlock(
                f"the asyncio event loop of host {self.host.name!r} waits forever at "
                f"t={clock.now:g}: no callback is ready, no timer is scheduled, and "
                + (
                    f"nothing scheduled on the network can make one of its {watched} watched "
                    "sockets ready (a read, an accept or a connect that no peer will answer)"
                    if watched
                    else "it watches no socket (an awaited future, event or queue that "
                    "nothing will complete: a real thread, such as a worker of anyio.to_thread, "
                    "cannot wake this loop)"
                )
            ) from None
        readable, writable, failed = found or _NOTHING
        return readable, writable + failed, []
