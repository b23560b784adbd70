"""Tests for wsasim._state: the socket state table, its refusals, and its diagram.

Two layers: the table itself (:func:`transition` is a pure function), and the same refusals
driven through the simulator's low-level API, which must report the table's code and leave the
socket's state and local address as they were.
"""

from __future__ import annotations

import pytest
import wsasim
from wsasim._state import (
    APPLICATION_EVENTS,
    CHECKS,
    DATAGRAM,
    STREAM,
    Event,
    State,
    StateError,
    diagram,
    node,
    refusals,
    transition,
)
from wsasim.winsock import Winsock

from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.errors import WinsockError

S, V = State, Event
STREAM_REFUSALS = refusals(True)
DATAGRAM_REFUSALS = refusals(False)
ALL_REFUSALS = [(True, *r) for r in STREAM_REFUSALS] + [(False, *r) for r in DATAGRAM_REFUSALS]
LIVE_STATES = [s for s in State if s is not S.CLOSED]
DATAGRAM_STATES = [S.UNBOUND, S.BOUND, S.CONNECTED, S.DISCONNECTED]
STREAM_STATES = [s for s in LIVE_STATES if s is not S.DISCONNECTED]


def refusal_id(value: object) -> str:
    if isinstance(value, bool):
        return "stream" if value else "datagram"
    if isinstance(value, (State, Event)):
        return value.name
    return E.name(value) if isinstance(value, int) else str(value)


# --- The table -------------------------------------------------------------------------------


def test_refusals_lists_the_documented_errors() -> None:
    stream = {(s, e): c for s, e, c in STREAM_REFUSALS}
    assert stream[(S.CONNECTING, V.CONNECT)] == E.WSAEALREADY
    assert stream[(S.CONNECTED, V.CONNECT)] == E.WSAEISCONN
    assert stream[(S.LISTENING, V.CONNECT)] == E.WSAEINVAL
    assert stream[(S.BOUND, V.BIND)] == E.WSAEINVAL
    assert stream[(S.UNBOUND, V.LISTEN)] == E.WSAEINVAL
    assert stream[(S.CONNECTED, V.LISTEN)] == E.WSAEISCONN
    datagram = {(s, e): c for s, e, c in DATAGRAM_REFUSALS}
    assert datagram[(S.UNBOUND, V.LISTEN)] == E.WSAEOPNOTSUPP
    assert datagram[(S.BOUND, V.BIND)] == E.WSAEINVAL


@pytest.mark.parametrize(("stream", "state", "event", "code"), ALL_REFUSALS, ids=refusal_id)
def test_refusal_raises_its_code_and_leaves_the_state(
    stream: bool, state: State, event: Event, code: int
) -> None:
    current = state
    with pytest.raises(WinsockError) as info:
        current = transition(stream, current, event)
    assert info.value.winerror == code
    assert type(info.value) is E.error_class(code)
    assert current is state
    # The table is not consumed or changed by a refusal: the same call refuses again.
    with pytest.raises(WinsockError):
        transition(stream, state, event)


@pytest.mark.parametrize(
    ("stream", "state", "event", "expected"),
    [
        (True, S.UNBOUND, V.BIND, S.BOUND),
        (True, S.UNBOUND, V.CONNECT, S.CONNECTING),
        (True, S.BOUND, V.LISTEN, S.LISTENING),
        (True, S.BOUND, V.CONNECT, S.CONNECTING),
        (True, S.LISTENING, V.LISTEN, S.LISTENING),
        (True, S.CONNECTING, V.ESTABLISHED, S.CONNECTED),
        (True, S.CONNECTING, V.CONNECT_FAILED, S.FAILED),
        (True, S.CONNECTING, V.FAILED_BLOCKING, S.BOUND),
        (True, S.FAILED, V.CONNECT, S.CONNECTING),
        (True, S.FAILED, V.RELEASE, S.UNBOUND),
        (True, S.FAILED, V.LISTEN, S.LISTENING_FAILED),
        (True, S.LISTENING_FAILED, V.ACCEPT, S.LISTENING_FAILED),
        (True, S.UNBOUND, V.INCOMING, S.CONNECTED),
        (True, S.LISTENING, V.ACCEPT, S.LISTENING),
        (True, S.CONNECTED, V.SEND, S.CONNECTED),
        (True, S.CONNECTED, V.FIN, S.FIN_RECEIVED),
        (True, S.CONNECTED, V.SHUTDOWN_SEND, S.FIN_SENT),
        (True, S.FIN_SENT, V.FIN, S.FIN_BOTH),
        (True, S.FIN_RECEIVED, V.SHUTDOWN_SEND, S.FIN_BOTH),
        (True, S.CONNECTED, V.SHUTDOWN_RECEIVE, S.RECEIVE_SHUTDOWN),
        (True, S.RECEIVE_SHUTDOWN, V.SHUTDOWN_SEND, S.SHUTDOWN),
        (True, S.FIN_SENT, V.SHUTDOWN_RECEIVE, S.SHUTDOWN),
        (True, S.FIN_BOTH, V.RESET, S.RESET),
        (True, S.RESET, V.RECEIVE, S.RESET),
        (False, S.UNBOUND, V.BIND, S.BOUND),
        (False, S.UNBOUND, V.CONNECT, S.CONNECTED),
        (False, S.UNBOUND, V.DISCONNECT, S.UNBOUND),
        (False, S.BOUND, V.CONNECT, S.CONNECTED),
        (False, S.BOUND, V.DISCONNECT, S.BOUND),
        (False, S.CONNECTED, V.CONNECT, S.CONNECTED),
        (False, S.CONNECTED, V.DISCONNECT, S.DISCONNECTED),
        (False, S.DISCONNECTED, V.CONNECT, S.CONNECTED),
        (False, S.BOUND, V.RECEIVE, S.BOUND),
    ],
    ids=refusal_id,
)
def test_legal_transition(stream: bool, state: State, event: Event, expected: State) -> None:
    assert transition(stream, state, event) is expected


@pytest.mark.parametrize("stream", [True, False], ids=refusal_id)
@pytest.mark.parametrize("state", LIVE_STATES, ids=refusal_id)
def test_close_is_legal_in_every_live_state(stream: bool, state: State) -> None:
    assert transition(stream, state, V.CLOSE) is S.CLOSED


@pytest.mark.parametrize("stream", [True, False], ids=refusal_id)
@pytest.mark.parametrize("event", [V.BIND, V.LISTEN, V.CONNECT, V.CLOSE], ids=refusal_id)
def test_call_on_a_closed_socket_is_wsaenotsock(stream: bool, event: Event) -> None:
    with pytest.raises(WinsockError) as info:
        transition(stream, S.CLOSED, event)
    assert info.value.winerror == E.WSAENOTSOCK


@pytest.mark.parametrize(
    ("failure", "after"), [(V.CONNECT_FAILED, S.FAILED), (V.FAILED_BLOCKING, S.BOUND)]
)
def test_failed_stream_connect_keeps_its_implicit_bind_and_may_connect_again(
    failure: Event, after: State
) -> None:
    state = transition(True, S.UNBOUND, V.CONNECT)
    state = transition(True, state, failure)
    assert state is after
    with pytest.raises(WinsockError) as info:  # still bound
        transition(True, state, V.BIND)
    assert info.value.winerror == E.WSAEINVAL
    assert transition(True, state, V.CONNECT) is S.CONNECTING


@pytest.mark.parametrize(
    ("stream", "state", "event"),
    [
        (True, S.UNBOUND, V.ESTABLISHED),
        (True, S.BOUND, V.ESTABLISHED),
        (True, S.LISTENING, V.ESTABLISHED),
        (True, S.CONNECTED, V.ESTABLISHED),
        (True, S.CONNECTED, V.CONNECT_FAILED),
        (True, S.BOUND, V.CONNECT_FAILED),
        (True, S.FIN_RECEIVED, V.FIN),
        (True, S.LISTENING, V.FIN),
        (True, S.CONNECTING, V.RESET),
        (True, S.CONNECTED, V.INCOMING),
        (True, S.CLOSED, V.ESTABLISHED),
        (True, S.CLOSED, V.CONNECT_FAILED),
        (False, S.UNBOUND, V.ESTABLISHED),
        (False, S.CONNECTED, V.CONNECT_FAILED),
    ],
    ids=refusal_id,
)
def test_impossible_network_event_is_a_state_error(
    stream: bool, state: State, event: Event
) -> None:
    with pytest.raises(StateError, match=state.value):
        transition(stream, state, event)


def test_state_error_is_not_a_winsock_error() -> None:
    assert not issubclass(StateError, OSError)


@pytest.mark.parametrize("stream", [True, False], ids=refusal_id)
def test_every_table_entry_is_a_state_or_a_known_code(stream: bool) -> None:
    table = STREAM if stream else DATAGRAM
    for (state, event), entry in table.items():
        assert isinstance(state, State)
        assert isinstance(event, Event)
        assert isinstance(entry, State) or entry in E.WSAError.__members__.values()


@pytest.mark.parametrize("stream", [True, False], ids=refusal_id)
def test_every_application_call_in_a_live_state_has_an_entry(stream: bool) -> None:
    # A missing entry would surface as WSAENOTSOCK, the closed-socket answer.
    table = STREAM if stream else DATAGRAM
    states = STREAM_STATES if stream else DATAGRAM_STATES
    calls = APPLICATION_EVENTS - ({V.DISCONNECT} if stream else set())
    if stream:
        calls -= {V.SEND_TO, V.RECEIVE_FROM}  # a stream's sendto/recvfrom are send/recv
    for state in states:
        for event in calls:
            assert (state, event) in table, (state, event)


# --- The diagram ------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False], ids=refusal_id)
def test_diagram_mentions_every_legal_transition(stream: bool) -> None:
    text = diagram(stream)
    lines = set(text.splitlines())
    table = STREAM if stream else DATAGRAM
    assert text.startswith("stateDiagram-v2")
    for (state, event), entry in table.items():
        if not isinstance(entry, State):
            continue
        line = f"    {node(state)} --> {node(entry)}: {event.value}"
        if event in CHECKS or entry is state:
            assert line not in lines, line  # the state is kept: not drawn
        elif event is V.CLOSE and state is not S.UNBOUND:
            # Summarised once rather than drawn from every state.
            assert "close is legal in every state" in text
        else:
            assert line in lines, line


@pytest.mark.parametrize("stream", [True, False], ids=refusal_id)
def test_diagram_draws_no_refusal(stream: bool) -> None:
    lines = diagram(stream).splitlines()
    for state, event, _ in refusals(stream):
        drawn = [
            line
            for line in lines
            if line.startswith(f"    {node(state)} --> ") and line.endswith(f": {event.value}")
        ]
        assert drawn == [], (state, event)


# --- The refusals through the simulator's API ---------------------------------------------------

SERVER = ("192.0.2.20", 80)
CLOSED_PORT = ("192.0.2.20", 81)
BLACKHOLE = ("192.0.2.99", 80)
#: The states a connected stream socket reaches by shutdown, by its peer, or by a reset.
SHUTDOWN_STEPS: dict[State, tuple[str, ...]] = {
    S.CONNECTED: (),
    S.FIN_RECEIVED: ("peer closes",),
    S.FIN_SENT: ("shutdown send",),
    S.FIN_BOTH: ("shutdown send", "peer closes"),
    S.RECEIVE_SHUTDOWN: ("shutdown receive",),
    S.SHUTDOWN: ("shutdown both",),
    S.RESET: ("peer shuts down receive", "send"),
}


class Rig:
    """A client host and a server host with a listener on SERVER."""

    def __init__(self) -> None:
        self.net = wsasim.Network()
        self.client = self.net.add_host("client", ["192.0.2.10/24"])
        server = self.net.add_host("server", ["192.0.2.20/24"])
        self.net.blackhole(BLACKHOLE[0])
        self.ws: Winsock = self.client.winsock
        self.server_ws: Winsock = server.winsock
        assert self.ws.WSAStartup() == 0
        assert self.server_ws.WSAStartup() == 0
        self.listener = self.server_ws.socket(C.AF_INET, C.SOCK_STREAM)
        assert self.server_ws.bind(self.listener, SERVER) == 0
        assert self.server_ws.listen(self.listener, 50) == 0

    def socket_in(self, stream: bool, state: State) -> int:
        ws = self.ws
        s = ws.socket(C.AF_INET, C.SOCK_STREAM if stream else C.SOCK_DGRAM)
        assert s != C.INVALID_SOCKET
        if state in (S.BOUND, S.LISTENING):
            assert ws.bind(s, ("192.0.2.10", 0)) == 0
        if state is S.LISTENING:
            assert ws.listen(s, 5) == 0
        if state in (S.CONNECTING, S.FAILED, S.LISTENING_FAILED):
            assert ws.ioctlsocket(s, C.FIONBIO, 1) == 0
            target = BLACKHOLE if state is S.CONNECTING else CLOSED_PORT
            assert ws.connect(s, target) == C.SOCKET_ERROR
            assert ws.WSAGetLastError() == E.WSAEWOULDBLOCK
            if state is not S.CONNECTING:
                assert ws.select([], [], [s], None)[0] == 1
            assert ws.ioctlsocket(s, C.FIONBIO, 0) == 0
        if state is S.LISTENING_FAILED:
            assert ws.listen(s, 5) == 0
        if state in SHUTDOWN_STEPS or (state in (S.CONNECTED, S.DISCONNECTED) and not stream):
            assert ws.connect(s, SERVER) == 0, ws.WSAGetLastError()
        if state is S.DISCONNECTED:
            assert ws.connect(s, bytes(16)) == 0  # an all-zero name disconnects
        if stream and state in SHUTDOWN_STEPS:
            peer, _ = self.server_ws.accept(self.listener)
            for step in SHUTDOWN_STEPS[state]:
                self.step(s, peer, step)
            self.net.run_until_idle()
        assert self.state(s) is state
        return s

    def step(self, s: int, peer: int, step: str) -> None:
        ws, srv = self.ws, self.server_ws
        how = {"shutdown send": C.SD_SEND, "shutdown receive": C.SD_RECEIVE}
        how["shutdown both"] = C.SD_BOTH
        if step in how:
            assert ws.shutdown(s, how[step]) == 0, ws.WSAGetLastError()
        elif step == "peer closes":
            assert srv.closesocket(peer) == 0
        elif step == "peer shuts down receive":
            assert srv.shutdown(peer, C.SD_RECEIVE) == 0
        else:
            assert ws.send(s, b"x") == 1

    def state(self, s: int) -> State:
        sock = self.client.find_socket(s)
        assert sock is not None
        return sock.state

    def call(self, s: int, event: Event) -> bool:
        """Make the call that causes ``event``; True if it failed."""
        ws = self.ws
        assert ws.ioctlsocket(s, C.FIONBIO, 1) == 0  # a refusal must not wait first
        if event is V.BIND:
            return ws.bind(s, ("192.0.2.10", 0)) == C.SOCKET_ERROR
        if event is V.LISTEN:
            return ws.listen(s, 5) == C.SOCKET_ERROR
        if event is V.CONNECT:
            return ws.connect(s, SERVER) == C.SOCKET_ERROR
        if event is V.CONNECT_BY_LIST:
            return ws.WSAConnectByList(s, [SERVER]) == (False, None, None)
        if event is V.ACCEPT:
            return ws.accept(s) == (C.INVALID_SOCKET, None)
        if event in (V.SEND, V.SEND_TO):
            call = ws.send(s, b"x") if event is V.SEND else ws.sendto(s, b"x", 0, SERVER)
            return call == C.SOCKET_ERROR
        if event is V.RECEIVE:
            return ws.recv(s, 10) == (C.SOCKET_ERROR, b"")
        if event is V.RECEIVE_FROM:
            return ws.recvfrom(s, 10) == (C.SOCKET_ERROR, b"", None)
        how = {V.SHUTDOWN_SEND: C.SD_SEND, V.SHUTDOWN_RECEIVE: C.SD_RECEIVE}[event]
        return ws.shutdown(s, how) == C.SOCKET_ERROR


@pytest.mark.parametrize(("stream", "state", "event", "code"), ALL_REFUSALS, ids=refusal_id)
def test_refusal_through_the_api_reports_its_code_and_changes_nothing(
    stream: bool, state: State, event: Event, code: int
) -> None:
    rig = Rig()
    s = rig.socket_in(stream, state)
    name_before = rig.ws.getsockname(s)
    peer_before = rig.ws.getpeername(s)
    attempts_before = len(rig.net.attempts)
    assert rig.call(s, event)
    assert rig.ws.WSAGetLastError() == code
    assert rig.state(s) is state
    assert rig.ws.getsockname(s) == name_before
    assert rig.ws.getpeername(s) == peer_before
    assert len(rig.net.attempts) == attempts_before


def test_no_line_of_the_simulator_but_socket_fire_assigns_a_state() -> None:
    # The one-writer rule: Socket.fire is the only place that stores a socket's state.
    import ast
    from pathlib import Path

    writers = []
    for path in Path(wsasim.__file__).parent.glob("*.py"):
        for statement in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[ast.expr] = []
            if isinstance(statement, ast.Assign):
                targets = statement.targets
            elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
                targets = [statement.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr == "state":
                        writers.append(f"{path.name}:{part.lineno}")
    assert len(writers) == 2, writers  # Socket.__init__ (UNBOUND) and Socket.fire
    assert all(w.startswith("sockets.py:") for w in writers), writers
