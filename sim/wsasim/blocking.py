"""Blocking calls of one simulated host: waiting for them, and cancelling them.

This module owns what a blocking Winsock call adds to the network's wait
(:meth:`wsasim.network.Network.wait`): the host's count of calls in progress, which Winsock 1.1
uses to refuse other calls with WSAEINPROGRESS (:mod:`wsasim.calls`), and
WSACancelBlockingCall, which ends the call in progress with WSAEINTR (WSAConnect document,
WSAEINTR; Winsock 1.1 only). :func:`complete` waits for a blocking connect attempt.

It does not decide when a call blocks; the facade (:mod:`wsasim.winsock`) and the data path
(:mod:`wsasim.data`) do.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, TypeVar

from wsaconnect import errors as E
from wsaconnect.errors import WinsockError

if TYPE_CHECKING:
    from wsasim.tcp import Handshake
    from wsasim.winsock import Winsock

R = TypeVar("R")


def wait(
    ws: Winsock,
    ready: Callable[[], R],
    watched: Collection[object],
    deadline: float | None,
    what: str,
) -> R:
    """Block ``ws``'s host: run the network until ``ready()`` or ``deadline``.

    Returns:
        ``ready()``'s last value.

    Raises:
        WinsockError: WSAEINTR when WSACancelBlockingCall ended the wait.
        Deadlock, ReentrantWait: see :meth:`wsasim.network.Network.wait`.
    """
    ws._blocking += 1
    ws._cancelled = False
    if ws._version < (2, 0):  # only Winsock 1.1 can cancel (WSACancelBlockingCall)
        condition = ready

        def ready_or_cancelled() -> R:
            return True if ws._cancelled else condition()  # type: ignore[return-value]

        ready = ready_or_cancelled
        watched = (*watched, ws)
    try:
        done = ws.host.network.wait(ready, watched, deadline, what, ws.host)
    finally:
        ws._blocking -= 1
    if ws._cancelled:
        ws._cancelled = False
        raise E.error_for_code(E.WSAEINTR, f"{what} cancelled")
    return done


def cancel(ws: Winsock) -> None:
    """WSACancelBlockingCall: end the blocking call in progress (the caller checked that one
    is, and that this is Winsock 1.1)."""
    ws._cancelled = True
    ws.host.network.notify(ws)


def complete(ws: Winsock, handshake: Handshake) -> int:
    """Wait for a blocking connect attempt; its outcome (0 or the code).

    WSACancelBlockingCall ends it with WSAEINTR (WSAConnect document).
    """
    try:
        wait(ws, lambda: handshake.result is not None, (handshake.sock,), None, "connect")
    except WinsockError:
        handshake.finish(E.WSAEINTR)
    assert handshake.result is not None
    return handshake.result
