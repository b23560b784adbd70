"""A non-blocking connect completes through select, WSAEventSelect and WSAAsyncSelect.

WSAConnect document, remarks: success is reported in select's writefds and failure in its
exceptfds; with WSAEventSelect or WSAAsyncSelect an FD_CONNECT notification carries the
error code of the outcome (0 on success). docs/windows.md: FD_CONNECT is posted before
FD_WRITE, and after a failure SO_ERROR holds the code.
"""

from __future__ import annotations

import pytest

from tests.conformance.harness import Env
from wsaconnect import constants as C
from wsaconnect import errors as E

WAIT = 10.0  # seconds; a refusal takes about 2 s on Windows (docs/windows.md)


def start_nonblocking(env: Env, port: int) -> int:
    s = env.socket()
    assert env.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    assert env.ws.WSAConnect(s, ("127.0.0.1", port)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEWOULDBLOCK
    return s


def test_select_reports_success_in_writefds(env: Env) -> None:
    _, port = env.listener()
    s = start_nonblocking(env, port)
    count, readable, writable, failed = env.ws.select([], [s], [s], WAIT)
    assert (count, readable, writable, failed) == (1, [], [s], [])
    assert env.ws.getpeername(s) == (0, ("127.0.0.1", port))


def test_select_reports_failure_in_exceptfds_and_so_error_holds_the_code(env: Env) -> None:
    s = start_nonblocking(env, env.closed_port())
    count, _, writable, failed = env.ws.select([], [s], [s], WAIT)
    assert (count, writable, failed) == (1, [], [s])
    assert env.ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR) == (0, E.WSAECONNREFUSED)


def test_select_times_out_with_nothing_ready(env: Env) -> None:
    listener, _ = env.listener()
    assert env.ws.select([listener], [], [], 0.05) == (0, [], [], [])


def test_select_with_no_sockets_is_wsaeinval(env: Env) -> None:
    rc, *_ = env.ws.select([], [], [], 0)
    assert rc == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEINVAL


@pytest.mark.wine_deviation("re-connecting after a refusal gives WSAECONNABORTED (docs/wine.md)")
def test_new_attempt_allowed_after_nonblocking_refusal(env: Env) -> None:
    s = start_nonblocking(env, env.closed_port())
    assert env.ws.select([], [], [s], WAIT)[3] == [s]
    _, port = env.listener()
    assert env.ws.WSAConnect(s, ("127.0.0.1", port)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEWOULDBLOCK
    assert env.ws.select([], [s], [], WAIT)[2] == [s]


def wait_event(env: Env, event: int) -> None:
    assert env.ws.WSAWaitForMultipleEvents([event], False, int(WAIT * 1000)) == (C.WSA_WAIT_EVENT_0)


def test_event_select_signals_fd_connect_with_success(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    event = env.ws.WSACreateEvent()
    try:
        assert env.ws.WSAEventSelect(s, event, C.FD_CONNECT | C.FD_WRITE) == 0
        assert env.ws.WSAConnect(s, ("127.0.0.1", port)) == C.SOCKET_ERROR
        assert env.ws.WSAGetLastError() == E.WSAEWOULDBLOCK  # WSAEventSelect: non-blocking
        wait_event(env, event)
        rc, happened, codes = env.ws.WSAEnumNetworkEvents(s, event)
        assert rc == 0
        assert happened & C.FD_CONNECT
        assert codes[C.FD_CONNECT_BIT] == 0
    finally:
        env.ws.WSAEventSelect(s, event, 0)
        env.ws.WSACloseEvent(event)


def test_event_select_signals_fd_connect_with_the_refusal_code(env: Env) -> None:
    s = env.socket()
    event = env.ws.WSACreateEvent()
    try:
        assert env.ws.WSAEventSelect(s, event, C.FD_CONNECT) == 0
        assert env.ws.WSAConnect(s, ("127.0.0.1", env.closed_port())) == C.SOCKET_ERROR
        wait_event(env, event)
        rc, happened, codes = env.ws.WSAEnumNetworkEvents(s, event)
        assert (rc, happened) == (0, C.FD_CONNECT)
        assert codes[C.FD_CONNECT_BIT] == E.WSAECONNREFUSED
        # WSAEnumNetworkEvents clears what it read and resets the event.
        assert env.ws.WSAEnumNetworkEvents(s, event)[1] == 0
        assert env.ws.WSAWaitForMultipleEvents([event], False, 0) == C.WSA_WAIT_TIMEOUT
    finally:
        env.ws.WSAEventSelect(s, event, 0)
        env.ws.WSACloseEvent(event)


def test_wait_for_multiple_events_times_out(env: Env) -> None:
    event = env.ws.WSACreateEvent()
    try:
        assert env.ws.WSAWaitForMultipleEvents([event], False, 20) == C.WSA_WAIT_TIMEOUT
        assert env.ws.WSASetEvent(event)
        assert env.ws.WSAWaitForMultipleEvents([event], True, 20) == C.WSA_WAIT_EVENT_0
    finally:
        env.ws.WSACloseEvent(event)


def pump(env: Env, hwnd: int, want: int) -> list[tuple[int, int, int]]:
    """Collect messages until ``want`` of them arrived (or the wait is over)."""
    messages: list[tuple[int, int, int]] = []
    for _ in range(int(WAIT / 0.05)):
        messages += env.ws.get_messages(hwnd)
        if len(messages) >= want:
            break
        env.wait(0.05)
    return messages


def test_async_select_posts_fd_connect_before_fd_write(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    hwnd = env.ws.create_message_window()
    msg = C.WM_USER + 1
    assert env.ws.WSAAsyncSelect(s, hwnd, msg, C.FD_CONNECT | C.FD_WRITE) == 0
    assert env.ws.WSAConnect(s, ("127.0.0.1", port)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEWOULDBLOCK
    messages = pump(env, hwnd, 2)
    assert messages[:2] == [(msg, s, C.FD_CONNECT), (msg, s, C.FD_WRITE)]


def test_async_select_posts_fd_connect_with_the_error_in_the_high_word(env: Env) -> None:
    s = env.socket()
    hwnd = env.ws.create_message_window()
    msg = C.WM_USER + 2
    assert env.ws.WSAAsyncSelect(s, hwnd, msg, C.FD_CONNECT) == 0
    assert env.ws.WSAConnect(s, ("127.0.0.1", env.closed_port())) == C.SOCKET_ERROR
    messages = pump(env, hwnd, 1)
    assert messages == [(msg, s, (E.WSAECONNREFUSED << 16) | C.FD_CONNECT)]


def test_blocking_mode_cannot_return_while_event_select_is_in_force(env: Env) -> None:
    s = env.socket()
    event = env.ws.WSACreateEvent()
    try:
        assert env.ws.WSAEventSelect(s, event, C.FD_CONNECT) == 0
        assert env.ws.ioctlsocket(s, C.FIONBIO, 0) == C.SOCKET_ERROR
        assert env.ws.WSAGetLastError() == E.WSAEINVAL
    finally:
        env.ws.WSAEventSelect(s, event, 0)
        env.ws.WSACloseEvent(event)
