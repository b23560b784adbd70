"""Tests for wsasim._state: the socket state table, its refusals, and its diagram.

Two layers: the table itself (:func:`transition` is a pure function), and the same refusals
driven through the simulator's low-level API, which must report the table's code and leave the
socket's state and local address as they were.
"""

from __future__ import annotations

import pytest
import wsasim
from wsasim._state import (
    DATAGRAM,
    STREAM,
    Event,
    State,
    StateError,
    diagram,
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
        (True, S.CONNECTING, V.CONNECT_FAILED, S.BOUND),
        (False, S.UNBOUND, V.BIND, S.BOUND),
        (False, S.UNBOUND, V.CONNECT, S.CONNECTED),
        (False, S.UNBOUND, V.DISCONNECT, S.UNBOUND),
        (False, S.BOUND, V.CONNECT, S.CONNECTED),
        (False, S.BOUND, V.DISCONNECT, S.BOUND),
        (False, S.CONNECTED, V.CONNECT, S.CONNECTED),
        (False, S.CONNECTED, V.DISCONNECT, S.BOUND),
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


def test_failed_stream_connect_keeps_its_implicit_bind_and_may_connect_again() -> None:
    state = transition(True, S.UNBOUND, V.CONNECT)
    state = transition(True, state, V.CONNECT_FAILED)
    assert state is S.BOUND
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
    states = LIVE_STATES if stream else [S.UNBOUND, S.BOUND, S.CONNECTED]
    for state in states:
        for event in (V.BIND, V.LISTEN, V.CONNECT, V.CLOSE):
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
        line = f"    {state.value} --> {entry.value}: {event.value}"
        if event is V.CLOSE and state is not S.UNBOUND:
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
            if line.startswith(f"    {state.value} --> ") and line.endswith(f": {event.value}")
        ]
        assert drawn == [], (state, event)


# --- The refusals through the simulator's API ---------------------------------------------------

SERVER = ("192.0.2.20", 80)
BLACKHOLE = ("192.0.2.99", 80)


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
        listener = self.server_ws.socket(C.AF_INET, C.SOCK_STREAM)
        assert self.server_ws.bind(listener, SERVER) == 0
        assert self.server_ws.listen(listener, 50) == 0

    def socket_in(self, stream: bool, state: State) -> int:
        ws = self.ws
        s = ws.socket(C.AF_INET, C.SOCK_STREAM if stream else C.SOCK_DGRAM)
        assert s != C.INVALID_SOCKET
        if state in (S.BOUND, S.LISTENING):
            assert ws.bind(s, ("192.0.2.10", 0)) == 0
        if state is S.LISTENING:
            assert ws.listen(s, 5) == 0
        if state is S.CONNECTING:
            assert ws.ioctlsocket(s, C.FIONBIO, 1) == 0
            assert ws.connect(s, BLACKHOLE) == C.SOCKET_ERROR
            assert ws.WSAGetLastError() == E.WSAEWOULDBLOCK
        if state is S.CONNECTED:
            assert ws.connect(s, SERVER) == 0, ws.WSAGetLastError()
        assert self.state(s) is state
        return s

    def state(self, s: int) -> State:
        sock = self.client.find_socket(s)
        assert sock is not None
        return sock.state

    def call(self, s: int, event: Event) -> int:
        if event is V.BIND:
            return self.ws.bind(s, ("192.0.2.10", 0))
        if event is V.LISTEN:
            return self.ws.listen(s, 5)
        assert event is V.CONNECT
        return self.ws.connect(s, SERVER)


@pytest.mark.parametrize(("stream", "state", "event", "code"), ALL_REFUSALS, ids=refusal_id)
def test_refusal_through_the_api_reports_its_code_and_changes_nothing(
    stream: bool, state: State, event: Event, code: int
) -> None:
    rig = Rig()
    s = rig.socket_in(stream, state)
    name_before = rig.ws.getsockname(s)
    peer_before = rig.ws.getpeername(s)
    attempts_before = len(rig.net.attempts)
    assert rig.call(s, event) == C.SOCKET_ERROR
    assert rig.ws.WSAGetLastError() == code
    assert rig.state(s) is state
    assert rig.ws.getsockname(s) == name_before
    assert rig.ws.getpeername(s) == peer_before
    assert len(rig.net.attempts) == attempts_before
