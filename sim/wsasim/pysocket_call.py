"""How a :class:`wsasim.SimSocket` call waits, as CPython's socket methods wait on Windows.

This module owns Modules/socketmodule.c's waiting machinery, over the simulator's select (so
in virtual time):

* :func:`sock_call` is ``sock_call_ex``: with a timeout, wait until the socket is ready
  (``internal_select``) for at most the timeout in all, then make the call; a call that says
  WSAEWOULDBLOCK after select said ready is a "false positive" and waits again; a call
  interrupted (WSAEINTR) is made again (PEP 475). Without a timeout the call is made at once
  (Winsock blocks, or WSAEWOULDBLOCK for a non-blocking socket);
* :func:`internal_connect` is ``internal_connect``: a socket with a timeout waits for the
  connect on writefds *and* exceptfds (on Windows a failure is notified as an error, not as
  writability), then reads SO_ERROR (``sock_connect_impl``); the timeout passing first is
  ``TimeoutError("timed out")``, or for ``connect_ex`` the code ``SOCK_TIMEOUT_ERR``, which on
  Windows is WSAEWOULDBLOCK.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import Name
from wsaconnect.errors import raise_for_code

if TYPE_CHECKING:
    from wsasim.pysocket import SimSocket

#: What :func:`sock_call` returns when the socket's timeout ran out.
TIMED_OUT = -1


def _select(sock: SimSocket, writing: bool, interval: float | None, connect: bool) -> bool | None:
    """``internal_select``: True when ready, False when ``interval`` passed, None when the
    select was interrupted (WSAEINTR: the caller selects again)."""
    s = sock._handle
    if s == -1:
        return True  # "Guard against closed socket": the call itself then fails
    ws, mine = sock._ws, [s]
    rc, *_ = ws.select(
        [] if writing else mine, mine if writing else [], mine if connect else [], interval
    )
    if rc == C.SOCKET_ERROR:
        if ws.WSAGetLastError() == E.WSAEINTR:
            return None
        raise_for_code(ws.WSAGetLastError())
    return rc > 0


def sock_call(
    sock: SimSocket,
    writing: bool,
    attempt: Callable[[], bool],
    timeout: float | None,
    connect: bool = False,
) -> int:
    """``sock_call_ex``: 0 once ``attempt()`` succeeded (it returns False on failure, the code
    in WSAGetLastError), else the Winsock code, or :data:`TIMED_OUT`.

    ``timeout`` is in seconds: None or 0 makes the call at once; ``connect`` also waits on
    exceptfds (and, without a timeout, waits for ever: the WSAEINTR case of a connect).
    """
    ws = sock._ws
    has_timeout = timeout is not None and timeout > 0
    deadline: float | None = None
    while True:
        if has_timeout or connect:
            if timeout is not None and has_timeout:
                if deadline is None:  # _PyDeadline_Init
                    interval, deadline = timeout, ws.network.now + timeout
                else:  # _PyDeadline_Get: recompute the time left
                    interval = deadline - ws.network.now
                ready = _select(sock, writing, interval, connect) if interval >= 0 else False
            else:
                ready = _select(sock, writing, None, connect)
            if ready is None:
                continue
            if not ready:
                return TIMED_OUT
        while not attempt():
            code = ws.WSAGetLastError()
            if code != E.WSAEINTR:
                break
        else:
            return 0
        if sock._timeout_ns > 0 and code == E.WSAEWOULDBLOCK:
            continue  # the "false positive": select said ready, the call would block
        return code


def run(sock: SimSocket, writing: bool, attempt: Callable[[], bool], timeout: float | None) -> None:
    """:func:`sock_call`, raising: ``TimeoutError("timed out")``, or the Winsock error."""
    code = sock_call(sock, writing, attempt, timeout)
    if code == TIMED_OUT:
        raise TimeoutError("timed out")
    if code:
        raise_for_code(code)


def _connect_done(sock: SimSocket) -> bool:
    """``sock_connect_impl``: SO_ERROR tells how the connect ended (its EISCONN test compares
    with the C runtime's errno value, which no Winsock code equals)."""
    ws = sock._ws
    rc, error = ws.getsockopt(sock._handle, C.SOL_SOCKET, C.SO_ERROR)
    if rc == C.SOCKET_ERROR:
        return False
    if error:
        ws.WSASetLastError(int(error))  # SET_SOCK_ERROR
        return False
    return True


def internal_connect(sock: SimSocket, address: Name, raise_: bool) -> int:
    """``internal_connect``: 0, or the code (``raise_`` False), or raise it (``raise_``)."""
    ws = sock._ws
    if ws.connect(sock._handle, sock._sockaddr(address)) == 0:
        return 0
    err = ws.WSAGetLastError()
    if err == E.WSAEINTR:  # issue #23618: the connect goes on; a socket that blocks waits
        wait = sock._timeout_ns != 0
    else:  # SOCK_INPROGRESS_ERR is WSAEWOULDBLOCK on Windows
        wait = sock._timeout_ns > 0 and err == E.WSAEWOULDBLOCK
    if wait:
        timeout = sock.gettimeout()
        err = sock_call(sock, True, lambda: _connect_done(sock), timeout, connect=True)
    if err == TIMED_OUT:
        if raise_:
            raise TimeoutError("timed out")
        return E.WSAEWOULDBLOCK  # SOCK_TIMEOUT_ERR on Windows
    if err and raise_:
        raise_for_code(err)
    return err
