"""FD_CLOSE: sock.c's test_close_events (6765), in event mode and message mode.

The helpers, and how a script is cut into sections, are described in test_events.py.
"""

from __future__ import annotations

import struct

from tests.conformance.harness import Env
from tests.conformance.sockc.test_events import (
    ALL_BUT_WRITE,
    DATA,
    Script,
    close,
    makelong,
    modes,
    run,
    tcp_socketpair,
    wine,
)
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.backend import SupportsShutdown, require


def shutdown(env: Env, s: int, how: int) -> None:
    """shutdown(s, how); sock.c does not check its result."""
    require(env.ws, SupportsShutdown).shutdown(s, how)


def closesocket_events(ctx: Script) -> None:
    """sock.c:6771-6796, "Test closesocket()"."""
    env, ws = ctx.env, ctx.ws
    client, server = tcp_socketpair(env)

    ctx.section(1)
    ctx.select_events(6775, server, ALL_BUT_WRITE)
    close(env, client)
    ctx.check(6779, C.FD_CLOSE, 0, 200)
    ctx.check(6780, 0)

    ctx.section(2)
    ctx.select_events(6781, server, ALL_BUT_WRITE)
    if ctx.is_message:
        ctx.check(6783, C.FD_CLOSE, 0, 200)
    ctx.check(6784, 0)
    ctx.select_events(6785, server, 0)
    ctx.select_events(6786, server, ALL_BUT_WRITE)
    if ctx.is_message:
        ctx.check(6788, C.FD_CLOSE, 0, 200)
    ctx.check(6789, 0)

    ctx.section(3)
    ctx.expect(6792, ws.recv(server, 5)[0], 0)
    ctx.check(6794, 0)
    close(env, server)


@modes()
def test_peer_closesocket_reports_fd_close_once(env: Env, mode: str) -> None:
    """sock.c:6773-6780 test_close_events: the peer's closesocket() reports FD_CLOSE, once."""
    run(env, mode, closesocket_events, 1)


@modes()
def test_reselecting_after_fd_close_reposts_it_only_as_a_message(env: Env, mode: str) -> None:
    """sock.c:6781-6789 test_close_events: selecting again (directly, or after a zero mask)
    posts FD_CLOSE again as a message and records nothing for the event."""
    run(env, mode, closesocket_events, 2)


@modes()
def test_recv_after_fd_close_returns_0_and_reports_nothing(env: Env, mode: str) -> None:
    """sock.c:6791-6794 test_close_events: recv() returns 0 (end of stream), and reports
    nothing."""
    run(env, mode, closesocket_events, 3)


@modes()
def test_peer_shutdown_sd_send_reports_fd_close_and_its_closesocket_nothing_more(
    env: Env, mode: str
) -> None:
    """sock.c:6798-6813 test_close_events, "Test shutdown(remote end, SD_SEND)": FD_CLOSE,
    once; the peer's closesocket() after it reports nothing more."""

    def script(ctx: Script) -> None:
        ctx.section(1)
        client, server = tcp_socketpair(env)
        ctx.select_events(6802, server, ALL_BUT_WRITE)
        shutdown(env, client, C.SD_SEND)
        ctx.check(6806, C.FD_CLOSE, 0, 200)
        ctx.check(6807, 0)
        close(env, client)
        ctx.check(6811, 0)
        close(env, server)

    run(env, mode, script)


def other_shutdowns(ctx: Script) -> None:
    """sock.c:6815-6832, "No other shutdown() call generates an event"."""
    env = ctx.env
    client, server = tcp_socketpair(env)

    ctx.section(1)
    ctx.select_events(6819, server, ALL_BUT_WRITE)
    shutdown(env, client, C.SD_RECEIVE)
    shutdown(env, server, C.SD_BOTH)
    ctx.check(6824, 0, 0, 200)

    ctx.section(2)
    shutdown(env, client, C.SD_SEND)
    ctx.check(6828, C.FD_CLOSE, 0, 200)  # check_events_todo
    ctx.check(6829, 0)
    close(env, server)
    close(env, client)


@modes()
def test_peer_sd_receive_and_own_sd_both_report_nothing(env: Env, mode: str) -> None:
    """sock.c:6817-6824 test_close_events: shutdown(peer, SD_RECEIVE) and shutdown(own,
    SD_BOTH) report nothing."""
    run(env, mode, other_shutdowns, 1)


@modes(
    event=[wine("the peer's SD_SEND after the own SD_BOTH records no FD_CLOSE (6828, todo_wine)")],
    message=[wine("the peer's SD_SEND after the own SD_BOTH posts no FD_CLOSE (6828, todo_wine)")],
)
def test_peer_sd_send_after_own_sd_both_still_reports_fd_close(env: Env, mode: str) -> None:
    """sock.c:6826-6829 test_close_events: the peer's shutdown(SD_SEND) then reports
    FD_CLOSE (check_events_todo), once."""
    run(env, mode, other_shutdowns, 2)


def data_then_close(ctx: Script) -> None:
    """sock.c:6834-6859, "Test sending data before calling closesocket()"."""
    env, ws = ctx.env, ctx.ws
    client, server = tcp_socketpair(env)

    ctx.section(1)
    ctx.select_events(6838, server, ALL_BUT_WRITE)
    ctx.expect(6841, ws.send(client, DATA), 5)
    ctx.check(6843, C.FD_READ, 0, 200)

    ctx.section(2)
    close(env, client)
    ctx.check(6847, C.FD_CLOSE, 0, 200)  # check_events_todo

    ctx.section(3)
    ctx.expect(6850, ws.recv(server, 3)[0], 3)
    ctx.check(6852, C.FD_READ, 0, 200)
    ctx.expect(6855, ws.recv(server, 5)[0], 2)

    ctx.section(4)
    ctx.check(6857, 0)  # check_events_todo
    close(env, server)


@modes()
def test_data_from_the_peer_reports_fd_read(env: Env, mode: str) -> None:
    """sock.c:6836-6843 test_close_events: the peer's data reports FD_READ."""
    run(env, mode, data_then_close, 1)


@modes(
    event=[wine("no FD_CLOSE is recorded while the data is unread (sock.c:6847, todo_wine)")],
    message=[wine("no FD_CLOSE is posted while the data is unread (sock.c:6847, todo_wine)")],
)
def test_peer_close_with_unread_data_reports_fd_close_at_once(env: Env, mode: str) -> None:
    """sock.c:6845-6847 test_close_events: the peer's closesocket() reports FD_CLOSE
    although the data is not read yet (check_events_todo)."""
    run(env, mode, data_then_close, 2)


@modes()
def test_reading_part_of_the_data_after_fd_close_reports_fd_read(env: Env, mode: str) -> None:
    """sock.c:6849-6855 test_close_events: recv() of 3 of the 5 bytes reports FD_READ again;
    recv() then returns the last 2."""
    run(env, mode, data_then_close, 3)


@modes(
    event=[wine("FD_CLOSE is recorded once the last data is read (sock.c:6857, todo_wine)")],
    message=[wine("FD_CLOSE is posted once the last data is read (sock.c:6857, todo_wine)")],
)
def test_reading_the_last_data_after_fd_close_reports_nothing(env: Env, mode: str) -> None:
    """sock.c:6857 test_close_events: after the last data is read, nothing is reported
    (check_events_todo: FD_CLOSE is not reported a second time)."""
    run(env, mode, data_then_close, 4)


@modes()
def test_selecting_after_the_peer_closed_reports_fd_close(env: Env, mode: str) -> None:
    """sock.c:6861-6869 test_close_events, "Close and then select": FD_CLOSE."""

    def script(ctx: Script) -> None:
        ctx.section(1)
        client, server = tcp_socketpair(env)
        close(env, client)
        ctx.select_events(6866, server, ALL_BUT_WRITE)
        ctx.check(6867, C.FD_CLOSE, 0, 200)
        close(env, server)

    run(env, mode, script)


@modes()
def test_adding_fd_close_to_the_mask_after_the_peer_closed_reports_it(env: Env, mode: str) -> None:
    """sock.c:6871-6883 test_close_events, "select on a subset not containing FD_CLOSE first":
    nothing while FD_CLOSE is not selected; FD_CLOSE once it is."""

    def script(ctx: Script) -> None:
        ctx.section(1)
        client, server = tcp_socketpair(env)
        ctx.select_events(6875, server, C.FD_ACCEPT | C.FD_CONNECT | C.FD_OOB | C.FD_READ)
        close(env, client)
        ctx.check(6879, 0, 0, 200)
        ctx.select_events(6880, server, ALL_BUT_WRITE)
        ctx.check(6881, C.FD_CLOSE, 0, 200)
        close(env, server)

    run(env, mode, script)


ABORTED = makelong(C.FD_CLOSE, E.WSAECONNABORTED)
LINGER_OFF_NOW = struct.pack("<HH", 1, 0)  # struct linger {.l_onoff = 1, .l_linger = 0}


def reset_events(ctx: Script) -> None:
    """sock.c:6885-6905, "Trigger RST"."""
    env, ws = ctx.env, ctx.ws
    client, server = tcp_socketpair(env)

    ctx.section(1)
    ctx.select_events(6889, server, ALL_BUT_WRITE)
    # sock.c:212 close_with_rst: SO_LINGER {1, 0}, then closesocket.
    ctx.expect(216, ws.setsockopt(client, C.SOL_SOCKET, C.SO_LINGER, LINGER_OFF_NOW), 0)
    close(env, client)
    ctx.check(6893, ABORTED, 0, 200)  # check_events_todo_msg; event: todo_wine_if(HIWORD)
    ctx.check(6894, 0)

    ctx.section(2)
    ctx.select_events(6895, server, ALL_BUT_WRITE)
    if ctx.is_message:
        ctx.check(6897, ABORTED, 0, 200)  # check_events_todo
    ctx.check(6898, 0)
    ctx.select_events(6899, server, 0)
    ctx.select_events(6900, server, ALL_BUT_WRITE)
    if ctx.is_message:
        ctx.check(6902, ABORTED, 0, 200)  # check_events_todo
    ctx.check(6903, 0)
    close(env, server)


@modes(
    event=[wine("the RST's FD_CLOSE has iErrorCode 0, not WSAECONNABORTED (6893, todo_wine)")],
    message=[wine("the RST's FD_CLOSE message has error 0, not WSAECONNABORTED (6893, todo_wine)")],
)
def test_peer_reset_reports_fd_close_with_wsaeconnaborted(env: Env, mode: str) -> None:
    """sock.c:6887-6894 test_close_events, "Trigger RST": the peer closes with SO_LINGER
    {1, 0} (a RST); FD_CLOSE is reported with WSAECONNABORTED, once."""
    run(env, mode, reset_events, 1)


@modes(
    event=[],
    message=[
        wine("a new WSAAsyncSelect after the reset posts no FD_CLOSE (6897, todo_wine)"),
    ],
)
def test_reselecting_after_a_reset_reposts_fd_close_only_as_a_message(env: Env, mode: str) -> None:
    """sock.c:6895-6903 test_close_events: selecting again (directly, or after a zero mask)
    posts FD_CLOSE with WSAECONNABORTED again as a message (check_events_todo), and records
    nothing for the event."""
    run(env, mode, reset_events, 2)
