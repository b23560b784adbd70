"""Network events: sock.c's test_events (6908) in both of its modes, and test_WSAEnumNetworkEvents.

Wine 8.0, ``dlls/ws2_32/tests/sock.c``. ``test_events`` runs each of its scripts twice: with
WSAEventSelect + WSAEnumNetworkEvents on one manual-reset event ("event" here), and with
WSAAsyncSelect to one message-only window, message WM_USER ("message" here). Each test below
is parametrized the same way.

This file holds the helpers of sock.c (``struct event_test_ctx``, ``select_events``,
``check_events_``, ``tcp_socketpair``), test_WSAEnumNetworkEvents, test_accept_events and
test_connect_events; test_events_data.py and test_events_close.py hold the other scripts.

A sock.c script is one long sequence on the same sockets. To report each expectation on its
own, a script is cut into numbered sections; the test of section ``n`` replays sections
``1 .. n-1`` with the same calls (``check_events`` waits and reads exactly as in sock.c) but
without asserting, then asserts section ``n`` and stops. So every test makes the calls sock.c
makes, in its order, up to the end of its section.

What ``check_events_`` (sock.c:5988) asserts, which the helper :meth:`Script.check` repeats:

* event mode: the event is signaled (no event expected: the wait of ``timeout`` ms times out);
  WSAEnumNetworkEvents succeeds; ``lNetworkEvents`` is exactly the expected events (so no
  other event is pending); each expected event's ``iErrorCode`` is its HIWORD;
* message mode: one WM_USER message for each expected event, in order, each with
  ``wParam`` the socket and ``lParam`` exactly ``MAKELONG(event, error)``; then no other
  WM_USER message is queued.

Positive waits use 5 s instead of sock.c's 200 ms (no timing is asserted); "nothing" waits
keep sock.c's timeout, but at least 50 ms (sock.c often looks at once, which makes its check
race with an event that comes late), in message mode too (sock.c peeks at once there).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from tests.conformance.harness import Env
from wsaconnect import constants as C
from wsaconnect import errors as E

WAIT = 5.0  # seconds: how long an expected event or message may take
WAIT_MS = int(WAIT * 1000)
POLL = 0.05  # seconds between two looks at the message queue
LOOPBACK = ("127.0.0.1", 0)
DATA = b"data\0"  # sock.c sends "data" with length 5

# The event masks sock.c uses.
CONNECT_READ_OOB = C.FD_CONNECT | C.FD_READ | C.FD_OOB
CONNECT_READ_OOB_ACCEPT = CONNECT_READ_OOB | C.FD_ACCEPT
ALL_BUT_WRITE = C.FD_ACCEPT | C.FD_CLOSE | C.FD_CONNECT | C.FD_OOB | C.FD_READ
ALL = ALL_BUT_WRITE | C.FD_WRITE
ALL_BUT_CLOSE = C.FD_ACCEPT | C.FD_CONNECT | C.FD_OOB | C.FD_READ | C.FD_WRITE


def makelong(event: int, error: int) -> int:
    """MAKELONG(event, error): what sock.c expects for an event with an error code."""
    return (error << 16) | event


def loword(value: int) -> int:
    return value & 0xFFFF


def hiword(value: int) -> int:
    return (value >> 16) & 0xFFFF


def wine(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.wine_deviation(reason)


def modes(
    *,
    event: Sequence[pytest.MarkDecorator] = (),
    message: Sequence[pytest.MarkDecorator] = (),
    only: str | None = None,
) -> pytest.MarkDecorator:
    """Parametrize ``mode`` over sock.c's two passes, with the marks of each."""
    params = [
        pytest.param("event", marks=list(event), id="event"),
        pytest.param("message", marks=list(message), id="message"),
    ]
    return pytest.mark.parametrize("mode", [p for p in params if only in (None, p.id)])


# --- sock.c's helpers -----------------------------------------------------------------------------


def close(env: Env, s: int) -> None:
    """closesocket, and no second close at the end of the test (the handle may be reused)."""
    env.ws.closesocket(s)
    if s in env._opened:
        env._opened.remove(s)


def adopt(env: Env, s: int) -> int:
    """A socket made by accept(): closed at the end of the test like env.socket()'s."""
    assert s != C.INVALID_SOCKET, f"accept() failed: {env.ws.WSAGetLastError()}"
    env._opened.append(s)
    return s


def set_blocking(env: Env, s: int, blocking: bool) -> None:
    """sock.c's set_blocking: ioctlsocket(FIONBIO)."""
    assert env.ws.ioctlsocket(s, C.FIONBIO, 0 if blocking else 1) == 0


def port_of(env: Env, s: int) -> int:
    rc, name = env.ws.getsockname(s)
    assert rc == 0, env.ws.WSAGetLastError()
    assert name is not None
    return int(name[1])


def tcp_socketpair(env: Env) -> tuple[int, int]:
    """sock.c:165 tcp_socketpair: ``(client, server)``, a connected loopback pair, both
    blocking; the listener is closed."""
    ws = env.ws
    client = env.socket()
    listener = env.socket()
    assert ws.bind(listener, LOOPBACK) == 0, ws.WSAGetLastError()
    port = port_of(env, listener)
    assert ws.listen(listener, 1) == 0, ws.WSAGetLastError()
    assert ws.connect(client, ("127.0.0.1", port)) == 0, ws.WSAGetLastError()
    server = adopt(env, ws.accept(listener)[0])
    close(env, listener)
    return client, server


class _Stop(Exception):
    """The section under test is over: the script stops here."""


class Script:
    """sock.c:5964 ``struct event_test_ctx`` with select_events (5972) and check_events_
    (5988), for one section of one script (see the module docstring)."""

    def __init__(self, env: Env, mode: str, verify: int) -> None:
        assert mode in ("event", "message")
        self.env = env
        self.ws = env.ws
        self.is_message = mode == "message"
        self.verify = verify
        self.current = 0
        self.socket = C.INVALID_SOCKET
        self.event = 0
        self.window = 0
        self.queue: list[tuple[int, int]] = []  # WM_USER messages taken, not yet peeked
        if self.is_message:
            self.window = self.ws.create_message_window()
            assert self.window, "create_message_window() failed"
        else:
            self.event = self.ws.WSACreateEvent()
            assert self.event != C.WSA_INVALID_EVENT, self.ws.WSAGetLastError()

    def close(self) -> None:
        if self.event:
            self.ws.WSACloseEvent(self.event)
            self.event = 0

    # --- sections and assertions ---------------------------------------------------------------

    def section(self, n: int) -> None:
        """Start section ``n``; past the section under test, stop the script."""
        if n > self.verify:
            raise _Stop
        self.current = n

    @property
    def checking(self) -> bool:
        return self.current == self.verify

    def expect(self, line: int, actual: object, expected: object) -> None:
        """sock.c's ``ok(actual == expected)`` at ``line``, asserted in the section under test."""
        if self.checking:
            assert actual == expected, f"sock.c:{line}"

    def ok(self, line: int, condition: bool, detail: object = "") -> None:
        if self.checking:
            assert condition, f"sock.c:{line}: {detail}"

    # --- select_events -------------------------------------------------------------------------

    def select_events(self, line: int, s: int, mask: int) -> None:
        """sock.c:5972: WSAAsyncSelect(s, window, WM_USER, mask) or WSAEventSelect(s, event,
        mask), which succeeds; ``s`` becomes the socket that check() looks at."""
        if self.is_message:
            rc = self.ws.WSAAsyncSelect(s, self.window, C.WM_USER, mask)
        else:
            rc = self.ws.WSAEventSelect(s, self.event, mask)
        self.expect(line, (rc, self.ws.WSAGetLastError() if rc else 0), (0, 0))
        self.socket = s

    # --- check_events_ -------------------------------------------------------------------------

    def check(self, line: int, flag1: int, flag2: int = 0, timeout: int = 0) -> None:
        """sock.c:5988 check_events_(line, ctx, flag1, flag2, timeout): the events reported
        are exactly ``flag1`` then ``flag2`` (each ``MAKELONG(event, error)``), nothing else."""
        if self.is_message:
            self._check_messages(line, flag1, flag2, timeout)
        else:
            self._check_event(line, flag1, flag2, timeout)

    def _check_event(self, line: int, flag1: int, flag2: int, timeout: int) -> None:
        ws = self.ws
        flags = flag1 | flag2
        # A "nothing" check waits exactly as long as sock.c's (often 0 ms): Wine may signal the
        # event again just after two events were read together (one signal per event it
        # records, none left to report), and a longer look would see that, not Windows' truth.
        wait_ms = WAIT_MS if flags else timeout
        waited = ws.WSAWaitForMultipleEvents([self.event], False, wait_ms)
        expected_wait = C.WSA_WAIT_EVENT_0 if flags else C.WSA_WAIT_TIMEOUT
        rc, happened, codes = ws.WSAEnumNetworkEvents(self.socket, self.event)
        if not self.checking:
            return
        detail = f"sock.c:{line}: lNetworkEvents {happened:#x}, iErrorCode {codes}"
        assert waited == expected_wait, f"{detail}: wait returned {waited:#x}"
        assert rc == 0, f"{detail}: WSAEnumNetworkEvents failed, {ws.WSAGetLastError()}"
        assert happened == loword(flags), detail
        for flag in (flag1, flag2):
            if flag and happened & loword(flag):
                bit = loword(flag).bit_length() - 1
                assert codes[bit] == hiword(flag), f"{detail}: iErrorCode[{bit}]"

    def _pump(self) -> None:
        for msg, wparam, lparam in self.ws.get_messages(self.window):
            if msg == C.WM_USER:  # sock.c peeks WM_USER..WM_USER only
                self.queue.append((wparam, lparam))

    def _peek(self, wait: float) -> tuple[int, int] | None:
        """PeekMessage(PM_REMOVE) for WM_USER, waiting up to ``wait`` seconds for one."""
        self._pump()
        for _ in range(round(wait / POLL)):
            if self.queue:
                break
            self.env.wait(POLL)
            self._pump()
        return self.queue.pop(0) if self.queue else None

    def _check_messages(self, line: int, flag1: int, flag2: int, timeout: int) -> None:
        wanted = [flag for flag in (flag1, flag2) if flag]
        got = [self._peek(WAIT) for _ in wanted]
        # sock.c peeks once more at once; the "nothing" checks also give the queue sock.c's
        # timeout to show an unexpected message.
        self.env.wait(0 if wanted else timeout / 1000)
        extra = self._peek(0)
        if not self.checking:
            return

        def show(m: tuple[int, int] | None) -> str:
            return "none" if m is None else f"(wParam {m[0]:#x}, lParam {m[1]:#x})"

        expected = [(self.socket, flag) for flag in wanted]
        detail = f"sock.c:{line}: got {[show(m) for m in got]}, then {show(extra)}"
        assert got == expected, f"{detail}; expected {[show(m) for m in expected]}"
        assert extra is None, f"{detail}; expected no other message"

    # --- calls with sock.c's ok() ---------------------------------------------------------------

    def connect(self, line: int, s: int, port: int) -> None:
        """A connect that must succeed (``ok(!ret)``)."""
        rc = self.ws.connect(s, ("127.0.0.1", port))
        self.expect(line, (rc, self.ws.WSAGetLastError() if rc else 0), (0, 0))

    def connect_started(self, line: int, s: int, port: int) -> None:
        """``ok(!ret || WSAGetLastError() == WSAEWOULDBLOCK)``."""
        rc = self.ws.connect(s, ("127.0.0.1", port))
        code = self.ws.WSAGetLastError() if rc else 0
        self.ok(line, code in (0, E.WSAEWOULDBLOCK), f"connect: {rc}, error {code}")

    def accept(self, line: int, listener: int) -> int:
        """``server = accept(listener, NULL, NULL); ok(server != -1)``."""
        s, _ = self.ws.accept(listener)
        self.ok(line, s != C.INVALID_SOCKET, f"accept: error {self.ws.WSAGetLastError()}")
        return adopt(self.env, s) if s != C.INVALID_SOCKET else s

    def sync_recv(self, line: int, s: int, size: int) -> int:
        """sock.c:6438 sync_recv, "a blocking recv() even on a nonblocking socket": an
        overlapped WSARecv waited for. Here: wait until ``s`` is readable, then recv."""
        count, readable, _, _ = self.ws.select([s], [], [], WAIT)
        self.ok(line, readable == [s], f"sync_recv: select returned {count}")
        return self.ws.recv(s, size)[0]


def run(env: Env, mode: str, script: Callable[[Script], None], section: int = 1) -> None:
    """Run ``script`` up to the end of ``section``, asserting that section."""
    ctx = Script(env, mode, section)
    try:
        script(ctx)
    except _Stop:
        pass
    finally:
        ctx.close()
    assert ctx.current == section, f"the script has no section {section} in {mode} mode"


# --- test_WSAEnumNetworkEvents (sock.c:3693) ------------------------------------------------------


def enum_socket(env: Env, kind: str) -> int:
    """sock.c:3708-3717: an unconnected TCP socket or a UDP socket, bound (sock.c binds to
    INADDR_ANY port 0; here to 127.0.0.1 port 0), or the client of a tcp_socketpair."""
    if kind == "connected_tcp":
        return tcp_socketpair(env)[0]
    s = env.socket(C.AF_INET, C.SOCK_STREAM if kind == "unconnected_tcp" else C.SOCK_DGRAM)
    assert env.ws.bind(s, LOOPBACK) == 0, env.ws.WSAGetLastError()
    return s


ENUM_SOCKETS = [
    pytest.param("unconnected_tcp", id="unconnected_tcp"),
    pytest.param(
        "udp",
        id="udp",
    ),
    pytest.param(
        "connected_tcp",
        id="connected_tcp",
    ),
]


@pytest.mark.parametrize("kind", ENUM_SOCKETS)
@pytest.mark.parametrize("with_event", [True, False], ids=["event", "null_event"])
def test_enum_network_events_reports_fd_write_once_across_five_event_selects(
    env: Env, kind: str, with_event: bool
) -> None:
    """sock.c:3693 test_WSAEnumNetworkEvents (bugs 10204 and 24946): WSAEventSelect(FD_READ |
    FD_WRITE) then WSAEnumNetworkEvents (on the event, or with a NULL event), five times. An
    unconnected TCP socket reports nothing; a UDP socket and a connected TCP socket report
    FD_WRITE (error 0) the first time only."""
    ws = env.ws
    s = enum_socket(env, kind)
    event = ws.WSACreateEvent()
    assert event != C.WSA_INVALID_EVENT  # sock.c:3719
    try:
        for j in range(5):
            assert ws.WSAEventSelect(s, event, C.FD_READ | C.FD_WRITE) == 0, j  # sock.c:3728
            rc, happened, codes = ws.WSAEnumNetworkEvents(s, event if with_event else 0)
            assert rc == 0, (j, ws.WSAGetLastError())  # sock.c:3730
            expected = C.FD_WRITE if kind != "unconnected_tcp" and j == 0 else 0
            assert happened == expected, f"call {j}: {happened:#x}"  # sock.c:3734, 3739
            for k in range(C.FD_MAX_EVENTS):
                if happened & (1 << k):
                    assert codes[k] == 0, (j, k)  # sock.c:3746
    finally:
        ws.WSACloseEvent(event)


# --- test_accept_events (sock.c:6058) -------------------------------------------------------------


def accept_on_one_listener(ctx: Script) -> None:
    """sock.c:6072-6147: one listener, selected before it is bound."""
    env, ws = ctx.env, ctx.ws
    ctx.section(1)
    listener = env.socket()
    ctx.select_events(6079, listener, CONNECT_READ_OOB_ACCEPT)
    ctx.expect(6082, ws.bind(listener, LOOPBACK), 0)
    port = port_of(env, listener)
    ctx.expect(6087, ws.listen(listener, 2), 0)
    ctx.check(6089, 0)
    client = env.socket()
    ctx.connect(6094, client, port)
    ctx.check(6096, C.FD_ACCEPT, 0, 200)
    ctx.check(6097, 0)
    ctx.select_events(6098, listener, CONNECT_READ_OOB_ACCEPT)
    if ctx.is_message:
        ctx.check(6100, C.FD_ACCEPT, 0, 200)
    ctx.check(6101, 0)
    ctx.select_events(6102, listener, 0)
    ctx.select_events(6103, listener, CONNECT_READ_OOB_ACCEPT)
    if ctx.is_message:
        ctx.check(6105, C.FD_ACCEPT, 0, 200)
    ctx.check(6106, 0)

    ctx.section(2)
    client2 = env.socket()
    ctx.connect(6111, client2, port)
    if not ctx.is_message:
        ctx.check(6114, C.FD_ACCEPT, 0, 200)  # check_events_todo
    ctx.check(6115, 0)

    ctx.section(3)
    close(env, ctx.accept(6118, listener))
    ctx.check(6121, C.FD_ACCEPT, 0, 200)
    ctx.check(6122, 0)
    close(env, ctx.accept(6125, listener))
    ctx.check(6128, 0)
    close(env, client2)
    close(env, client)
    client = env.socket()
    ctx.connect(6136, client, port)
    ctx.check(6138, C.FD_ACCEPT, 0, 200)
    close(env, ctx.accept(6141, listener))
    close(env, client)
    ctx.check(6145, 0, 0, 200)
    close(env, listener)


@modes()
def test_listener_reports_fd_accept_once_a_new_select_reposts_only_the_message(
    env: Env, mode: str
) -> None:
    """sock.c:6079-6106 test_accept_events: a listener selected before bind and listen
    reports nothing; a connection gives FD_ACCEPT once; selecting again (directly, or after a
    zero mask) posts FD_ACCEPT again as a message, but does not signal the event again."""
    run(env, mode, accept_on_one_listener, 1)


@modes(
    event=[
        wine(
            "a second connection before accept() records nothing: the wait at sock.c:6114 "
            "times out (todo_wine)"
        ),
    ]
)
def test_second_connection_reports_fd_accept_to_an_event_but_posts_no_message(
    env: Env, mode: str
) -> None:
    """sock.c:6108-6115 test_accept_events: a second connection before any accept() signals
    FD_ACCEPT again in event mode (check_events_todo), and posts no second message."""
    run(env, mode, accept_on_one_listener, 2)


@modes()
def test_accept_reenables_fd_accept_while_connections_are_waiting(env: Env, mode: str) -> None:
    """sock.c:6117-6145 test_accept_events: accept() with one more connection waiting reports
    FD_ACCEPT again; the last accept() reports nothing; a new connection reports FD_ACCEPT."""
    run(env, mode, accept_on_one_listener, 3)


def accept_then_select(ctx: Script) -> None:
    """sock.c:6149-6245: connections made before the listener is selected."""
    env, ws = ctx.env, ctx.ws
    listener, port = env.listener(backlog=2)

    ctx.section(1)  # Connect and then select.
    client = env.socket()
    ctx.connect(6164, client, port)
    ctx.select_events(6166, listener, CONNECT_READ_OOB_ACCEPT)
    ctx.check(6168, C.FD_ACCEPT, 0, 200)
    close(env, ctx.accept(6171, listener))
    close(env, client)

    if not ctx.is_message:
        ctx.section(2)  # As above, but select on a subset containing FD_ACCEPT first.
        ctx.select_events(6179, listener, CONNECT_READ_OOB_ACCEPT)
        client = env.socket()
        ctx.connect(6184, client, port)
        waited = ws.WSAWaitForMultipleEvents([ctx.event], False, WAIT_MS)
        ctx.expect(6187, waited, C.WSA_WAIT_EVENT_0)
        ctx.select_events(6189, listener, CONNECT_READ_OOB)
        ctx.expect(6191, ws.WSAWaitForMultipleEvents([ctx.event], False, 0), C.WSA_WAIT_EVENT_0)
        assert ws.WSAResetEvent(ctx.event)  # ResetEvent, sock.c:6193
        ctx.select_events(6195, listener, CONNECT_READ_OOB)
        ctx.expect(6197, ws.WSAWaitForMultipleEvents([ctx.event], False, 0), C.WSA_WAIT_TIMEOUT)
        ctx.select_events(6199, listener, CONNECT_READ_OOB_ACCEPT)
        ctx.expect(6201, ws.WSAWaitForMultipleEvents([ctx.event], False, 0), C.WSA_WAIT_EVENT_0)
        ctx.check(6202, C.FD_ACCEPT, 0, 0)
        close(env, ctx.accept(6205, listener))
        close(env, client)

    ctx.section(3)  # As above, but select on a subset not containing FD_ACCEPT first.
    ctx.select_events(6212, listener, CONNECT_READ_OOB)
    client = env.socket()
    ctx.connect(6217, client, port)
    ctx.select_events(6219, listener, CONNECT_READ_OOB_ACCEPT)
    ctx.check(6220, C.FD_ACCEPT, 0, 200)
    close(env, ctx.accept(6223, listener))
    close(env, client)

    ctx.section(4)  # As above, but call accept() before selecting.
    ctx.select_events(6229, listener, CONNECT_READ_OOB)
    client = env.socket()
    ctx.connect(6234, client, port)
    ws.select([listener], [], [], WAIT)  # sock.c sleeps 200 ms: wait until it is waiting
    server = ctx.accept(6237, listener)
    ctx.select_events(6239, listener, CONNECT_READ_OOB_ACCEPT)
    ctx.check(6240, 0, 0, 200)
    close(env, server)
    close(env, client)
    close(env, listener)


@modes()
def test_selecting_a_listener_with_a_connection_waiting_reports_fd_accept(
    env: Env, mode: str
) -> None:
    """sock.c:6161-6173 test_accept_events, "Connect and then select": FD_ACCEPT."""
    run(env, mode, accept_then_select, 1)


@modes(only="event")
def test_reselecting_without_fd_accept_keeps_the_event_signaled_until_reset(
    env: Env, mode: str
) -> None:
    """sock.c:6177-6207 test_accept_events (event mode only), "select on a subset containing
    FD_ACCEPT first": the connection signals the event; a WSAEventSelect without FD_ACCEPT
    leaves it signaled; after ResetEvent, selecting without FD_ACCEPT leaves it reset; selecting
    FD_ACCEPT again signals it at once, and WSAEnumNetworkEvents gives FD_ACCEPT."""
    run(env, mode, accept_then_select, 2)


@modes()
def test_adding_fd_accept_to_the_mask_reports_a_waiting_connection(env: Env, mode: str) -> None:
    """sock.c:6212-6225 test_accept_events, "select on a subset not containing FD_ACCEPT
    first": the connection arrives while FD_ACCEPT is not selected; selecting it reports it."""
    run(env, mode, accept_then_select, 3)


@modes()
def test_a_connection_accepted_before_selecting_reports_nothing(env: Env, mode: str) -> None:
    """sock.c:6229-6243 test_accept_events, "call accept() before selecting": nothing."""
    run(env, mode, accept_then_select, 4)


def accepted_socket_inherits(ctx: Script) -> None:
    """sock.c:6247-6312: the socket returned by accept() inherits the listener's selection."""
    env = ctx.env
    listener, port = env.listener(backlog=2)

    ctx.section(1)
    client = env.socket()
    ctx.connect(6262, client, port)
    ctx.select_events(6264, listener, CONNECT_READ_OOB_ACCEPT | C.FD_WRITE)
    ctx.check(6265, C.FD_ACCEPT, 0, 200)
    server = ctx.accept(6268, listener)
    ctx.socket = server  # sock.c:6269
    ctx.check(6270, C.FD_WRITE, 0, 200)
    ctx.check(6271, 0)
    close(env, server)
    close(env, client)

    ctx.section(2)
    ctx.select_events(6278, listener, CONNECT_READ_OOB_ACCEPT)
    # sock.c:6280-6293 (AcceptEx pending, completed by a connection) can't be expressed; its
    # check_events(0) at 6295 is kept: nothing is pending on the listener.
    ctx.check(6295, 0)
    client = env.socket()
    ctx.connect(6302, client, port)
    ctx.check(6304, C.FD_ACCEPT, 0, 200)
    ctx.check(6305, 0)
    close(env, ctx.accept(6308, listener))
    close(env, client)
    close(env, listener)


@modes()
def test_accepted_socket_inherits_the_selection_and_reports_fd_write(env: Env, mode: str) -> None:
    """sock.c:6259-6274 test_accept_events: the listener selected with FD_WRITE too; the
    accepted socket reports FD_WRITE through the same event or window, and nothing else."""
    run(env, mode, accepted_socket_inherits, 1)


@modes()
def test_reselected_listener_reports_fd_accept_for_a_new_connection(env: Env, mode: str) -> None:
    """sock.c:6278 and 6295-6310 test_accept_events (without the AcceptEx of 6280-6293): the
    re-selected listener has nothing pending; a new connection reports FD_ACCEPT, once."""
    run(env, mode, accepted_socket_inherits, 2)


# --- test_connect_events (sock.c:6316) ------------------------------------------------------------


def connect_events(ctx: Script) -> None:
    """sock.c:6323-6405: TCP clients of one listener."""
    env, ws = ctx.env, ctx.ws
    listener, port = env.listener(backlog=2)

    ctx.section(1)
    client = env.socket()
    ctx.select_events(6336, client, ALL)
    ctx.check(6337, 0)
    ctx.connect_started(6340, client, port)
    ctx.check(6342, C.FD_CONNECT, C.FD_WRITE, 200)
    ctx.check(6343, 0)

    ctx.section(2)
    ctx.select_events(6344, client, 0)
    ctx.select_events(6345, client, ALL)
    if ctx.is_message:
        ctx.check(6347, C.FD_WRITE, 0, 200)
    ctx.check(6348, 0)

    ctx.section(3)
    server = ctx.accept(6351, listener)
    ctx.select_events(6353, server, ALL_BUT_CLOSE)
    ctx.check(6354, C.FD_WRITE, 0, 200)
    close(env, client)
    close(env, server)

    ctx.section(4)  # Connect and then select.
    client = env.socket()
    ctx.connect(6365, client, port)
    server = ctx.accept(6368, listener)
    ctx.expect(6371, ws.send(client, DATA), 5)
    ctx.select_events(6373, client, ALL)
    if ctx.is_message:
        ctx.check(6375, C.FD_WRITE, 0, 200)
    else:
        ctx.check(6377, C.FD_CONNECT, C.FD_WRITE, 200)
    close(env, client)
    close(env, server)

    ctx.section(5)  # As above, but select on a subset not containing FD_CONNECT first.
    client = env.socket()
    ctx.select_events(6387, client, C.FD_ACCEPT | C.FD_CLOSE | C.FD_OOB | C.FD_READ | C.FD_WRITE)
    ctx.connect_started(6390, client, port)
    server = ctx.accept(6393, listener)
    ctx.check(6395, C.FD_WRITE, 0, 200)
    ctx.select_events(6397, client, ALL_BUT_CLOSE)
    if ctx.is_message:
        ctx.check(6400, C.FD_WRITE, 0, 200)
    else:
        ctx.check(6402, C.FD_CONNECT, 0, 200)
    close(env, client)
    close(env, server)
    close(env, listener)


@modes()
def test_nonblocking_connect_reports_fd_connect_then_fd_write(env: Env, mode: str) -> None:
    """sock.c:6333-6343 test_connect_events: a socket selected before connect reports nothing,
    then FD_CONNECT and FD_WRITE (in that order, error 0), then nothing more."""
    run(env, mode, connect_events, 1)


@modes()
def test_reselecting_a_connected_socket_reposts_fd_write_only_as_a_message(
    env: Env, mode: str
) -> None:
    """sock.c:6344-6348 test_connect_events: a zero mask then the full mask again posts
    FD_WRITE as a message, and records nothing for the event."""
    run(env, mode, connect_events, 2)


@modes()
def test_selecting_an_accepted_socket_reports_fd_write(env: Env, mode: str) -> None:
    """sock.c:6350-6354 test_connect_events: an accepted socket selected with FD_WRITE (and
    FD_CONNECT) reports FD_WRITE only: an accepted socket never reports FD_CONNECT."""
    run(env, mode, connect_events, 3)


@modes()
def test_selecting_a_connected_socket_reports_fd_connect_only_to_an_event(
    env: Env, mode: str
) -> None:
    """sock.c:6361-6380 test_connect_events, "Connect and then select": a socket connected
    (and sending) before it is selected reports FD_CONNECT and FD_WRITE to an event, and only
    FD_WRITE as a message."""
    run(env, mode, connect_events, 4)


@modes()
def test_adding_fd_connect_to_the_mask_reports_it_only_to_an_event(env: Env, mode: str) -> None:
    """sock.c:6384-6405 test_connect_events, "select on a subset not containing FD_CONNECT
    first": the connect reports FD_WRITE; selecting again with FD_CONNECT reports FD_CONNECT to
    an event, and FD_WRITE again as a message."""
    run(env, mode, connect_events, 5)


def udp_connect_events(ctx: Script) -> None:
    """sock.c:6407-6432: UDP sockets."""
    env, ws = ctx.env, ctx.ws
    client = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    server = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)

    ctx.section(1)
    ctx.select_events(6412, client, ALL_BUT_CLOSE)
    if ctx.is_message:
        ctx.check(6414, C.FD_WRITE, 0, 200)
    ctx.check(6415, 0)  # check_events_todo_event

    ctx.section(2)
    ctx.expect(6418, ws.bind(server, LOOPBACK), 0)
    port_of(env, server)  # sock.c:6420; the connect below goes to port 0, as in sock.c
    ctx.expect(6423, ws.connect(client, LOOPBACK), 0)
    if ctx.is_message:
        ctx.check(6426, C.FD_WRITE, 0, 200)  # check_events_todo
    else:
        ctx.check(6428, C.FD_CONNECT, C.FD_WRITE, 200)  # check_events_todo
    ctx.check(6429, 0)
    close(env, client)
    close(env, server)


@modes(
    event=[wine("selecting an unbound UDP socket records FD_WRITE (sock.c:6415, todo_wine)")],
    message=[],
)
def test_selecting_an_unbound_udp_socket_posts_fd_write_only_as_a_message(
    env: Env, mode: str
) -> None:
    """sock.c:6409-6415 test_connect_events, UDP: selecting an unbound UDP socket posts
    FD_WRITE as a message, and records nothing for an event."""
    run(env, mode, udp_connect_events, 1)


@modes(
    event=[
        wine("a UDP connect records nothing: the wait at sock.c:6428 times out (todo_wine)"),
    ],
    message=[
        wine("a UDP connect posts no FD_WRITE message (sock.c:6426, todo_wine)"),
    ],
)
def test_udp_connect_reports_fd_connect_and_fd_write(env: Env, mode: str) -> None:
    """sock.c:6417-6429 test_connect_events, UDP: connecting the selected socket (to
    127.0.0.1 port 0, as sock.c does) records FD_CONNECT and FD_WRITE for an event, and posts
    FD_WRITE as a message; then nothing more."""
    run(env, mode, udp_connect_events, 2)
