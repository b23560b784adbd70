"""FD_WRITE, FD_READ and FD_OOB: sock.c's test_write_events (6461), test_read_events (6559) and
test_oob_events (6704), in event mode and message mode.

The helpers, and how a script is cut into sections, are described in test_events.py.
"""

from __future__ import annotations

from tests.conformance.harness import Env
from tests.conformance.sockc.test_events import (
    ALL,
    ALL_BUT_CLOSE,
    ALL_BUT_WRITE,
    DATA,
    WAIT,
    Script,
    close,
    modes,
    run,
    set_blocking,
    tcp_socketpair,
    wine,
)
from wsaconnect import constants as C
from wsaconnect import errors as E

BUFFER_SIZE = 1024 * 1024  # sock.c:6463
FLOOD_LIMIT = 1024  # sends of BUFFER_SIZE before giving up (sock.c loops without a limit)

# --- test_write_events (sock.c:6461) --------------------------------------------------------------


def write_events(ctx: Script) -> None:
    """sock.c:6470-6519: the accepted end of a pair, selected for every event."""
    env, ws = ctx.env, ctx.ws
    client, server = tcp_socketpair(env)
    set_blocking(env, client, False)

    ctx.section(1)
    ctx.select_events(6473, server, ALL)
    ctx.check(6474, C.FD_WRITE, 0, 200)
    ctx.check(6475, 0)
    ctx.select_events(6476, server, ALL)
    if ctx.is_message:
        ctx.check(6478, C.FD_WRITE, 0, 200)
    ctx.check(6479, 0)
    ctx.select_events(6480, server, 0)
    ctx.select_events(6481, server, ALL)
    if ctx.is_message:
        ctx.check(6483, C.FD_WRITE, 0, 200)
    ctx.check(6484, 0)

    ctx.section(2)
    ctx.expect(6487, ws.send(server, DATA), 5)
    ctx.check(6489, 0)
    ctx.expect(6492, ctx.sync_recv(6452, client, BUFFER_SIZE), 5)
    ctx.check(6494, 0)

    ctx.section(3)  # sock.c runs this part only off Windows: `if (!broken(1))`, see the test
    buffer = bytes(BUFFER_SIZE)
    rc = 0
    for _ in range(FLOOD_LIMIT):
        rc = ws.send(server, buffer)
        if rc <= 0:
            break
    ctx.expect(6501, rc, -1)
    ctx.expect(6502, ws.WSAGetLastError(), E.WSAEWOULDBLOCK)
    for _ in range(100 * FLOOD_LIMIT):
        if ws.recv(client, BUFFER_SIZE)[0] <= 0:
            break
    ctx.expect(6505, ws.WSAGetLastError(), E.WSAEWOULDBLOCK)
    ctx.check(6509, C.FD_WRITE, 0, 200)
    ctx.check(6510, 0)
    ctx.select_events(6511, server, 0)
    ctx.select_events(6512, server, ALL)
    if ctx.is_message:
        ctx.check(6514, C.FD_WRITE, 0, 200)
    ctx.check(6515, 0)
    close(env, server)
    close(env, client)


@modes()
def test_fd_write_is_reported_once_a_new_select_reposts_only_the_message(
    env: Env, mode: str
) -> None:
    """sock.c:6470-6484 test_write_events: selecting a connected socket reports FD_WRITE once;
    selecting it again (directly, or after a zero mask) posts FD_WRITE again as a message and
    records nothing for the event."""
    run(env, mode, write_events, 1)


@modes()
def test_sending_and_receiving_a_little_reports_no_fd_write(env: Env, mode: str) -> None:
    """sock.c:6486-6494 test_write_events: a send that fits, and the peer's recv of it,
    report nothing."""
    run(env, mode, write_events, 2)


@modes()
def test_fd_write_is_reported_again_when_a_full_send_buffer_drains(env: Env, mode: str) -> None:
    """sock.c:6496-6515 test_write_events: 1 MiB non-blocking sends until WSAEWOULDBLOCK; the
    peer reads until WSAEWOULDBLOCK; then FD_WRITE is reported once, and a new select reposts
    it only as a message.

    sock.c runs this block under ``if (!broken(1))``, that is everywhere but on Windows, with
    the comment "Broken on Windows versions older than win10v1607 (though sometimes works
    regardless)": it is the Windows 10 1607+ behaviour, but Wine's test bot does not check it
    on Windows."""
    run(env, mode, write_events, 3)


@modes()
def test_a_mask_without_fd_write_reports_fd_connect_then_adding_it_reports_fd_write(
    env: Env, mode: str
) -> None:
    """sock.c:6521-6539 test_write_events, "Select on a subset not containing FD_WRITE first":
    the connected client (which has sent data) selected without FD_WRITE reports FD_CONNECT to
    an event and nothing as a message; selecting FD_WRITE too reports FD_WRITE."""
    ws = env.ws

    def script(ctx: Script) -> None:
        ctx.section(1)
        client, server = tcp_socketpair(env)
        set_blocking(env, client, False)
        ctx.expect(6527, ws.send(client, DATA), 5)
        ctx.select_events(6529, client, C.FD_ACCEPT | C.FD_CONNECT | C.FD_OOB | C.FD_READ)
        if not ctx.is_message:
            ctx.check(6531, C.FD_CONNECT, 0, 200)
        ctx.check(6532, 0)
        ctx.select_events(6534, client, ALL_BUT_CLOSE)
        ctx.check(6535, C.FD_WRITE, 0, 200)
        ctx.check(6536, 0)
        close(env, client)
        close(env, server)

    run(env, mode, script)


@modes()
def test_send_does_not_clear_a_pending_fd_write(env: Env, mode: str) -> None:
    """sock.c:6541-6554 test_write_events: "Despite the documentation, and unlike FD_ACCEPT and
    FD_RECV, calling send() doesn't clear the FD_WRITE bit": FD_WRITE, recorded when the socket
    is selected, is still reported after a send."""
    ws = env.ws

    def script(ctx: Script) -> None:
        ctx.section(1)
        client, server = tcp_socketpair(env)
        ctx.select_events(6546, server, ALL_BUT_CLOSE)
        ctx.expect(6549, ws.send(server, DATA), 5)
        ctx.check(6551, C.FD_WRITE, 0, 200)
        close(env, server)
        close(env, client)

    run(env, mode, script)


# --- test_read_events (sock.c:6559) ---------------------------------------------------------------


def read_events(ctx: Script) -> None:
    """sock.c:6573-6670: the accepted end of a pair, selected for all but FD_WRITE."""
    env, ws = ctx.env, ctx.ws
    client, server = tcp_socketpair(env)
    set_blocking(env, client, False)

    ctx.section(1)
    ctx.select_events(6576, server, ALL_BUT_WRITE)
    ctx.check(6577, 0)
    ctx.expect(6580, ws.send(client, DATA), 5)
    ctx.check(6582, C.FD_READ, 0, 200)
    ctx.check(6583, 0)
    ctx.select_events(6584, server, ALL_BUT_WRITE)
    if ctx.is_message:
        ctx.check(6586, C.FD_READ, 0, 200)
    ctx.check(6587, 0)
    ctx.select_events(6588, server, 0)
    ctx.select_events(6589, server, ALL_BUT_WRITE)
    if ctx.is_message:
        ctx.check(6591, C.FD_READ, 0, 200)
    ctx.check(6592, 0)

    ctx.section(2)
    ctx.expect(6595, ws.send(client, DATA), 5)
    if not ctx.is_message:
        ctx.check(6598, C.FD_READ, 0, 200)  # check_events_todo
    ctx.check(6599, 0)

    ctx.section(3)
    ctx.expect(6602, ws.recv(server, 2)[0], 2)
    ctx.check(6604, C.FD_READ, 0, 200)
    ctx.check(6605, 0)
    # sock.c:6607-6614, recv() with a length of -1 (WSAEFAULT, and in message mode FD_READ
    # posted again), can't be expressed: bufsize is not a C int. Leaving it out changes no
    # state: FD_READ is reported and not re-enabled before and after it.

    ctx.section(4)
    for i in range(8):
        ctx.expect(6619, ctx.sync_recv(6452, server, 1), 1)
        if i < 7:
            ctx.check(6622, C.FD_READ, 0, 200)
        ctx.check(6623, 0)

    ctx.section(5)  # Send data while we're not selecting.
    ctx.select_events(6628, server, 0)
    ctx.expect(6630, ws.send(client, DATA), 5)
    ctx.select_events(6631, server, ALL_BUT_WRITE)
    ctx.check(6633, C.FD_READ, 0, 200)
    ctx.expect(6636, ws.recv(server, 5)[0], 5)

    ctx.section(6)
    ctx.select_events(6638, server, 0)
    ctx.expect(6640, ws.send(client, DATA), 5)
    ctx.expect(6642, ctx.sync_recv(6452, server, 5), 5)
    ctx.select_events(6643, server, C.FD_ACCEPT | C.FD_CONNECT | C.FD_OOB | C.FD_READ)
    ctx.check(6645, 0, 0, 200)

    ctx.section(7)  # Send data while we're polling for data but not selecting for FD_READ.
    ctx.select_events(6653, server, 0)
    ctx.expect(6655, ws.send(client, DATA), 5)
    # sock.c polls with WSAPoll(POLLIN) in another thread (6649-6659); select() for
    # readability is the poll here, in this thread.
    ctx.expect(6658, ws.select([server], [], [], WAIT)[:2], (1, [server]))
    ctx.check(6663, 0)
    ctx.select_events(6665, server, ALL_BUT_CLOSE)
    ctx.check(6666, C.FD_READ, C.FD_WRITE, 200)
    ctx.check(6667, 0)
    ctx.expect(6670, ctx.sync_recv(6452, server, 5), 5)
    # sock.c:6672-6698, data sent while an overlapped WSARecv is pending, can't be expressed.
    close(env, server)
    close(env, client)


@modes()
def test_fd_read_is_reported_once_a_new_select_reposts_only_the_message(
    env: Env, mode: str
) -> None:
    """sock.c:6573-6592 test_read_events: data arriving reports FD_READ once; selecting again
    (directly, or after a zero mask) posts FD_READ again as a message and records nothing for
    the event."""
    run(env, mode, read_events, 1)


@modes(
    event=[
        wine("more data before recv() records nothing: the wait at 6598 times out (todo_wine)"),
    ]
)
def test_more_data_before_recv_reports_fd_read_to_an_event_but_posts_no_message(
    env: Env, mode: str
) -> None:
    """sock.c:6594-6599 test_read_events: more data before any recv() records FD_READ again
    for an event (check_events_todo), and posts no second message."""
    run(env, mode, read_events, 2)


@modes()
def test_a_partial_recv_reports_fd_read_again(env: Env, mode: str) -> None:
    """sock.c:6601-6605 test_read_events: recv() of 2 of the 10 bytes queued reports FD_READ
    again, once."""
    run(env, mode, read_events, 3)


@modes()
def test_each_recv_that_leaves_data_reports_fd_read_again(env: Env, mode: str) -> None:
    """sock.c:6616-6624 test_read_events: eight recv() of 1 byte; each that leaves data
    reports FD_READ once, the last one (nothing left) reports nothing."""
    run(env, mode, read_events, 4)


@modes()
def test_data_sent_while_not_selected_is_reported_when_selected(env: Env, mode: str) -> None:
    """sock.c:6626-6636 test_read_events, "Send data while we're not selecting": FD_READ when
    the socket is selected again."""
    run(env, mode, read_events, 5)


@modes()
def test_data_read_while_not_selected_is_not_reported(env: Env, mode: str) -> None:
    """sock.c:6638-6645 test_read_events: data sent and read while no events are selected
    reports nothing when the socket is selected again."""
    run(env, mode, read_events, 6)


@modes()
def test_data_polled_while_not_selected_is_reported_when_selected(env: Env, mode: str) -> None:
    """sock.c:6647-6670 test_read_events, "Send data while we're polling for data but not
    selecting for FD_READ": with no selection WSAEnumNetworkEvents reports nothing (and clears
    nothing); selecting FD_READ and FD_WRITE reports FD_READ then FD_WRITE."""
    run(env, mode, read_events, 7)


# --- test_oob_events (sock.c:6704) ----------------------------------------------------------------


def oob_events(ctx: Script) -> None:
    """sock.c:6710-6762: out-of-band bytes (send/recv with MSG_OOB) to the accepted end."""
    env, ws = ctx.env, ctx.ws
    client, server = tcp_socketpair(env)
    set_blocking(env, client, False)

    ctx.section(1)
    ctx.select_events(6713, server, ALL_BUT_WRITE)
    ctx.check(6714, 0)
    ctx.expect(6717, ws.send(client, b"a", C.MSG_OOB), 1)
    ctx.check(6719, C.FD_OOB, 0, 200)
    ctx.check(6720, 0)
    ctx.select_events(6721, server, ALL_BUT_WRITE)
    if ctx.is_message:
        ctx.check(6723, C.FD_OOB, 0, 200)
    ctx.check(6724, 0)
    ctx.select_events(6725, server, 0)
    ctx.select_events(6726, server, ALL_BUT_WRITE)
    if ctx.is_message:
        ctx.check(6728, C.FD_OOB, 0, 200)
    ctx.check(6729, 0)

    ctx.section(2)
    ctx.expect(6732, ws.send(client, b"b", C.MSG_OOB), 1)
    if not ctx.is_message:
        ctx.check(6735, C.FD_OOB, 0, 200)  # check_events_todo_event
    ctx.check(6736, 0)

    ctx.section(3)
    ctx.expect(6739, ws.recv(server, 1, C.MSG_OOB)[0], 1)
    ctx.check(6741, C.FD_OOB, 0, 200)  # check_events_todo
    ctx.check(6742, 0)

    ctx.section(4)
    ctx.expect(6745, ws.recv(server, 1, C.MSG_OOB)[0], 1)  # todo_wine
    ctx.check(6747, 0)

    ctx.section(5)  # Send data while we're not selecting.
    ctx.select_events(6751, server, 0)
    ctx.expect(6753, ws.send(client, b"a", C.MSG_OOB), 1)
    ctx.select_events(6754, server, ALL_BUT_WRITE)
    ctx.check(6756, C.FD_OOB, 0, 200)
    ctx.expect(6759, ws.recv(server, 1, C.MSG_OOB)[0], 1)
    close(env, server)
    close(env, client)


@modes()
def test_oob_data_reports_fd_oob_once_a_new_select_reposts_only_the_message(
    env: Env, mode: str
) -> None:
    """sock.c:6710-6729 test_oob_events: an out-of-band byte reports FD_OOB once; selecting
    again (directly, or after a zero mask) posts FD_OOB again as a message and records nothing
    for the event."""
    run(env, mode, oob_events, 1)


@modes(event=[wine("a second OOB byte records nothing: the wait at 6735 times out (todo_wine)")])
def test_a_second_oob_byte_reports_fd_oob_to_an_event_but_posts_no_message(
    env: Env, mode: str
) -> None:
    """sock.c:6731-6736 test_oob_events: a second out-of-band byte before any recv(MSG_OOB)
    records FD_OOB again for an event (check_events_todo_event), and posts no message."""
    run(env, mode, oob_events, 2)


@modes(
    event=[wine("recv(MSG_OOB) with an OOB byte left records no FD_OOB (6741, todo_wine)")],
    message=[wine("recv(MSG_OOB) with an OOB byte left posts no FD_OOB (6741, todo_wine)")],
)
def test_recv_oob_with_oob_data_left_reports_fd_oob_again(env: Env, mode: str) -> None:
    """sock.c:6738-6742 test_oob_events: recv(MSG_OOB) of one byte, another out-of-band byte
    being left, reports FD_OOB again (check_events_todo)."""
    run(env, mode, oob_events, 3)


@modes(
    event=[wine("the second recv(MSG_OOB) fails, -1 (sock.c:6745, todo_wine)")],
    message=[wine("the second recv(MSG_OOB) fails, -1 (sock.c:6745, todo_wine)")],
)
def test_both_oob_bytes_can_be_received(env: Env, mode: str) -> None:
    """sock.c:6744-6747 test_oob_events: the second recv(MSG_OOB) returns the second
    out-of-band byte (todo_wine); then nothing is reported."""
    run(env, mode, oob_events, 4)


@modes()
def test_oob_data_sent_while_not_selected_is_reported_when_selected(env: Env, mode: str) -> None:
    """sock.c:6749-6759 test_oob_events, "Send data while we're not selecting": FD_OOB when
    the socket is selected again; recv(MSG_OOB) returns the byte."""
    run(env, mode, oob_events, 5)
