"""The socket state machine, as a table, and only that.

Everything that decides whether a socket call is legal in the socket's current state, and what
state follows, lives here (the h11 ``_state.py`` idea). :meth:`wsasim.sockets.Socket.fire` is
the only writer of a socket's state: it asks :func:`transition` and stores the answer (a test
checks that no other line of the simulator assigns ``.state``). An illegal application call
raises the Winsock error Windows documents for it and leaves the state unchanged; a call that
only needs to be legal (send, recv, accept) is an event whose legal entry keeps the state.

Sources for the entries:

* WSAConnect/connect document: WSAEINVAL on a listening socket; WSAEALREADY while a
  non-blocking connect is in progress; WSAEISCONN on a connected connection-oriented socket;
  a datagram socket may connect again to change its default destination, and an all-zero
  name disconnects it. After WSAECONNREFUSED, WSAENETUNREACH or WSAETIMEDOUT the application
  may call connect again on the same socket: a failed attempt keeps its implicit bind.
  select document: a failed non-blocking connect is reported in exceptfds, which is the
  ``failed`` state; a failed blocking connect returns to ``bound`` (the documented profile:
  :mod:`wsasim.tcp` picks the event).
* bind: WSAEINVAL when the socket is already bound.
* listen: WSAEINVAL on an unbound socket; WSAEISCONN on a connected one; WSAEOPNOTSUPP on a
  socket type that does not support listen (datagram).
* accept: WSAEINVAL unless listening; WSAEOPNOTSUPP on a datagram socket ("not a type that
  supports connection-oriented service").
* send/recv documents: WSAENOTCONN on a stream socket that is not connected, WSAESHUTDOWN after
  shutdown in that direction, WSAECONNRESET on a reset connection (send; recv reads what was
  queued first). On a datagram socket send needs a default destination (WSAENOTCONN) and recv
  a bound socket (WSAEINVAL): a bound socket that was never connected may recv (the recv
  document: "the sockets must be bound before calling recv"; Wine's sock.c, test_connect_udp:
  WSAEWOULDBLOCK, not an error of state), while one disconnected by an all-zero name gives
  WSAENOTCONN for both send and recv.
* shutdown document: WSAENOTCONN on a stream socket that is not connected; SD_SEND sends FIN
  (the ``fin sent`` states); SD_RECEIVE refuses later receives. A peer's FIN is the ``fin
  received`` states. On a datagram socket shutdown is legal in every state and keeps it (Wine's
  sock.c, test_shutdown: it succeeds even before bind); :mod:`wsasim.udp` records the
  direction.
* WSAConnectByList needs an unbound stream socket (WSAEINVAL otherwise) and binds it afresh for
  each address pair it tries (WSAConnectByList document, parameter ``s``): after a failed
  attempt it releases the bind.

The network's events (ESTABLISHED, CONNECT_FAILED, FAILED_BLOCKING, INCOMING, FIN, RESET) and
WSAConnectByList's RELEASE are not application calls; an illegal one is a simulator bug and
raises :class:`StateError`.
"""

from __future__ import annotations

import enum

from wsaconnect import errors as E


class State(enum.Enum):
    """Where a socket is in its life."""

    UNBOUND = "unbound"
    BOUND = "bound"
    LISTENING = "listening"
    #: Listening after a failed connect: still reported in exceptfds (Wine's sock.c,
    #: test_select: a refused socket may listen, and select keeps showing the refusal).
    LISTENING_FAILED = "listening failed"
    CONNECTING = "connecting"
    #: A failed connect, reported in select's exceptfds until the next connect; still bound.
    FAILED = "failed"
    CONNECTED = "connected"
    #: The peer sent FIN: recv drains what is queued, then returns 0; send still works.
    FIN_RECEIVED = "fin received"
    #: shutdown(SD_SEND): FIN sent, send refused; recv still works.
    FIN_SENT = "fin sent"
    #: Both directions finished: FIN sent and received.
    FIN_BOTH = "fin both"
    #: shutdown(SD_RECEIVE): recv refused; send still works.
    RECEIVE_SHUTDOWN = "receive shutdown"
    #: shutdown in both directions.
    SHUTDOWN = "shutdown"
    #: The connection was reset by the peer.
    RESET = "reset"
    #: A datagram socket whose default destination was removed (connect with an all-zero name).
    DISCONNECTED = "disconnected"
    CLOSED = "closed"

    # Members are singletons: identity hashing is right, and C-speed (Enum's own __hash__ is
    # Python code, and the table is consulted on every call).
    __hash__ = object.__hash__


class Event(enum.Enum):
    """What happens to a socket: calls by the application, outcomes from the network."""

    BIND = "bind"
    LISTEN = "listen"
    CONNECT = "connect"
    CONNECT_BY_LIST = "connect by list"
    ACCEPT = "accept"
    SEND = "send"
    SEND_TO = "sendto"
    RECEIVE = "recv"
    RECEIVE_FROM = "recvfrom"
    SHUTDOWN_SEND = "shutdown send"
    SHUTDOWN_RECEIVE = "shutdown receive"
    DISCONNECT = "disconnect"  # datagram sockets: connect with an all-zero name
    CLOSE = "close"
    # From the network or WSAConnectByList, not the application:
    ESTABLISHED = "established"  # the handshake completed
    CONNECT_FAILED = "connect failed"  # refused, timed out, unreachable...: exceptfds
    FAILED_BLOCKING = "blocking connect failed"  # documented: not reported in exceptfds
    INCOMING = "incoming"  # a connection a listener queued: born connected to its client
    FIN = "fin"  # the peer's FIN arrived
    RESET = "reset"  # the peer reset the connection
    RELEASE = "release"  # WSAConnectByList gives back a failed attempt's implicit bind

    __hash__ = object.__hash__  # see State


# The members as module-level names: the simulator reads these, and only these. On Python 3.11
# EnumType defines __getattr__, which turns each ``State.CLOSED`` into a slow metaclass lookup
# (about 1,000 instructions; a tenth of a simulated connect went there).
UNBOUND = State.UNBOUND
BOUND = State.BOUND
LISTENING = State.LISTENING
LISTENING_FAILED = State.LISTENING_FAILED
#: The states of a listening socket.
LISTENING_STATES = frozenset({LISTENING, LISTENING_FAILED})
CONNECTING = State.CONNECTING
FAILED = State.FAILED
CONNECTED = State.CONNECTED
FIN_RECEIVED = State.FIN_RECEIVED
FIN_SENT = State.FIN_SENT
FIN_BOTH = State.FIN_BOTH
RECEIVE_SHUTDOWN = State.RECEIVE_SHUTDOWN
SHUTDOWN = State.SHUTDOWN
RESET = State.RESET
DISCONNECTED = State.DISCONNECTED
CLOSED = State.CLOSED

BIND = Event.BIND
LISTEN = Event.LISTEN
CONNECT = Event.CONNECT
CONNECT_BY_LIST = Event.CONNECT_BY_LIST
ACCEPT = Event.ACCEPT
SEND = Event.SEND
SEND_TO = Event.SEND_TO
RECEIVE = Event.RECEIVE
RECEIVE_FROM = Event.RECEIVE_FROM
SHUTDOWN_SEND = Event.SHUTDOWN_SEND
SHUTDOWN_RECEIVE = Event.SHUTDOWN_RECEIVE
DISCONNECT = Event.DISCONNECT
CLOSE = Event.CLOSE
ESTABLISHED = Event.ESTABLISHED
CONNECT_FAILED = Event.CONNECT_FAILED
FAILED_BLOCKING = Event.FAILED_BLOCKING
INCOMING = Event.INCOMING
FIN = Event.FIN
PEER_RESET = Event.RESET
RELEASE = Event.RELEASE

#: A stream socket with a connection (what getpeername, send and recv may use, in some way),
#: in the order the table and its diagram list them.
_CONNECTION_ORDER = (CONNECTED, FIN_RECEIVED, FIN_SENT, FIN_BOTH, RECEIVE_SHUTDOWN, SHUTDOWN, RESET)
CONNECTION_STATES = frozenset(_CONNECTION_ORDER)


class StateError(RuntimeError):
    """The network reported an event the socket's state cannot take (a simulator bug)."""


_Entry = State | int


def _stream_table() -> dict[tuple[State, Event], _Entry]:
    not_connected = {
        SEND: E.WSAENOTCONN,
        RECEIVE: E.WSAENOTCONN,
        SHUTDOWN_SEND: E.WSAENOTCONN,
        SHUTDOWN_RECEIVE: E.WSAENOTCONN,
        ACCEPT: E.WSAEINVAL,
        CONNECT_BY_LIST: E.WSAEINVAL,
    }
    rows: dict[State, dict[Event, _Entry]] = {
        UNBOUND: {
            **not_connected,
            BIND: BOUND,
            LISTEN: E.WSAEINVAL,
            CONNECT: CONNECTING,  # implicit bind
            CONNECT_BY_LIST: UNBOUND,
            INCOMING: CONNECTED,
        },
        BOUND: {
            **not_connected,
            BIND: E.WSAEINVAL,
            LISTEN: LISTENING,
            CONNECT: CONNECTING,
            RELEASE: UNBOUND,
        },
        FAILED: {
            **not_connected,
            BIND: E.WSAEINVAL,
            LISTEN: LISTENING_FAILED,
            CONNECT: CONNECTING,  # "the same socket may connect again"
            RELEASE: UNBOUND,
        },
        LISTENING: {
            **not_connected,
            BIND: E.WSAEINVAL,
            LISTEN: LISTENING,  # a second listen changes the backlog
            CONNECT: E.WSAEINVAL,
            ACCEPT: LISTENING,
        },
        LISTENING_FAILED: {
            **not_connected,
            BIND: E.WSAEINVAL,
            LISTEN: LISTENING_FAILED,
            CONNECT: E.WSAEINVAL,
            ACCEPT: LISTENING_FAILED,
        },
        CONNECTING: {
            **not_connected,
            BIND: E.WSAEINVAL,
            LISTEN: E.WSAEINVAL,
            CONNECT: E.WSAEALREADY,
            ESTABLISHED: CONNECTED,
            CONNECT_FAILED: FAILED,
            FAILED_BLOCKING: BOUND,
        },
    }
    # The connection states share the calls that do not depend on the data path.
    for state in _CONNECTION_ORDER:
        rows[state] = {
            BIND: E.WSAEINVAL,
            LISTEN: E.WSAEISCONN,
            CONNECT: E.WSAEISCONN,
            CONNECT_BY_LIST: E.WSAEINVAL,
            ACCEPT: E.WSAEINVAL,
            PEER_RESET: RESET,
        }
    can_send = {CONNECTED: CONNECTED, FIN_RECEIVED: FIN_RECEIVED}
    can_send[RECEIVE_SHUTDOWN] = RECEIVE_SHUTDOWN
    for state in _CONNECTION_ORDER:
        row = rows[state]
        row[SEND] = can_send.get(state, E.WSAECONNRESET if state is RESET else E.WSAESHUTDOWN)
        refused = state in (RECEIVE_SHUTDOWN, SHUTDOWN)
        row[RECEIVE] = E.WSAESHUTDOWN if refused else state
    for state, after_fin, after_send, after_receive in (
        (CONNECTED, FIN_RECEIVED, FIN_SENT, RECEIVE_SHUTDOWN),
        (FIN_RECEIVED, None, FIN_BOTH, RECEIVE_SHUTDOWN),
        (FIN_SENT, FIN_BOTH, FIN_SENT, SHUTDOWN),
        (FIN_BOTH, None, FIN_BOTH, SHUTDOWN),
        (RECEIVE_SHUTDOWN, RECEIVE_SHUTDOWN, SHUTDOWN, RECEIVE_SHUTDOWN),
        (SHUTDOWN, SHUTDOWN, SHUTDOWN, SHUTDOWN),
    ):
        row = rows[state]
        if after_fin is not None:  # a second FIN cannot arrive
            row[FIN] = after_fin
        row[SHUTDOWN_SEND] = after_send
        row[SHUTDOWN_RECEIVE] = after_receive
    rows[RESET].update({FIN: RESET, SHUTDOWN_SEND: E.WSAENOTCONN, SHUTDOWN_RECEIVE: E.WSAENOTCONN})
    return {(state, event): entry for state, row in rows.items() for event, entry in row.items()}


def _datagram_table() -> dict[tuple[State, Event], _Entry]:
    shared: dict[Event, _Entry] = {
        LISTEN: E.WSAEOPNOTSUPP,
        ACCEPT: E.WSAEOPNOTSUPP,
        CONNECT_BY_LIST: E.WSAEINVAL,
    }
    rows: dict[State, dict[Event, _Entry]] = {
        UNBOUND: {
            **shared,
            BIND: BOUND,
            CONNECT: CONNECTED,  # implicit bind; no handshake
            DISCONNECT: UNBOUND,
            SEND: E.WSAENOTCONN,
            SEND_TO: UNBOUND,  # the implicit bind follows
            RECEIVE: E.WSAEINVAL,
            RECEIVE_FROM: E.WSAEINVAL,
        },
        BOUND: {
            **shared,
            BIND: E.WSAEINVAL,
            CONNECT: CONNECTED,
            DISCONNECT: BOUND,
            SEND: E.WSAENOTCONN,
            SEND_TO: BOUND,
            RECEIVE: BOUND,
            RECEIVE_FROM: BOUND,
        },
        DISCONNECTED: {
            **shared,
            BIND: E.WSAEINVAL,
            CONNECT: CONNECTED,
            DISCONNECT: DISCONNECTED,
            SEND: E.WSAENOTCONN,
            SEND_TO: DISCONNECTED,
            RECEIVE: E.WSAENOTCONN,
            RECEIVE_FROM: DISCONNECTED,
        },
        CONNECTED: {
            **shared,
            BIND: E.WSAEINVAL,
            CONNECT: CONNECTED,  # a new default destination
            DISCONNECT: DISCONNECTED,
            SEND: CONNECTED,
            SEND_TO: CONNECTED,
            RECEIVE: CONNECTED,
            RECEIVE_FROM: CONNECTED,
        },
    }
    for state, row in rows.items():
        row[SHUTDOWN_SEND] = row[SHUTDOWN_RECEIVE] = state
    return {(state, event): entry for state, row in rows.items() for event, entry in row.items()}


STREAM = _stream_table()
DATAGRAM = _datagram_table()

for _table in (STREAM, DATAGRAM):
    for _state in State:
        if _state is not CLOSED:
            _table[(_state, CLOSE)] = CLOSED

#: The events an application call causes; the others come from the network.
APPLICATION_EVENTS = frozenset(
    {
        BIND,
        LISTEN,
        CONNECT,
        CONNECT_BY_LIST,
        ACCEPT,
        SEND,
        SEND_TO,
        RECEIVE,
        RECEIVE_FROM,
        SHUTDOWN_SEND,
        SHUTDOWN_RECEIVE,
        DISCONNECT,
        CLOSE,
    }
)
#: Application events that only ask whether a call is legal: their legal entry keeps the
#: state, and the diagram leaves them out.
CHECKS = frozenset({ACCEPT, SEND, SEND_TO, RECEIVE, RECEIVE_FROM, CONNECT_BY_LIST})


def transition(stream: bool, state: State, event: Event) -> State:
    """The state that follows ``event`` in ``state``.

    Args:
        stream: True for a stream (TCP) socket, False for a datagram (UDP) socket.
        state: the current state.
        event: what happens.

    Returns:
        The next state.

    Raises:
        WinsockError: the application's call is illegal in this state (the code Windows gives).
        StateError: the network reported an impossible event.
    """
    entry = (STREAM if stream else DATAGRAM).get((state, event))
    if isinstance(entry, State):
        return entry
    if entry is not None:
        raise E.error_for_code(entry, f"{event.value} on a {state.value} socket")
    if event in APPLICATION_EVENTS:
        # Not in the table: no such call exists in this state (for example connect on a
        # closed socket, which Windows reports as not a socket).
        raise E.error_for_code(E.WSAENOTSOCK, f"{event.value} on a {state.value} socket")
    raise StateError(f"{event.value} cannot happen to a {state.value} socket")


def diagram(stream: bool = True) -> str:
    """The table as a Mermaid state diagram (for the README): the legal transitions that change
    the state (a call that only checks legality, such as send, and an event that keeps the
    state are not drawn)."""
    table = STREAM if stream else DATAGRAM
    lines = ["stateDiagram-v2", "    [*] --> unbound: socket()"]
    for (state, event), entry in table.items():
        if not isinstance(entry, State) or event in CHECKS or entry is state:
            continue
        if event is CLOSE and state is not UNBOUND:
            continue
        lines.append(f"    {node(state)} --> {node(entry)}: {event.value}")
    lines.append("    note right of closed: close is legal in every state")
    lines.append("    closed --> [*]")
    return "\n".join(lines)


def node(state: State) -> str:
    """A state's name as a Mermaid node (no spaces)."""
    return state.value.replace(" ", "_")


def refusals(stream: bool = True) -> list[tuple[State, Event, int]]:
    """The illegal calls of the table and their codes (for docs and tests)."""
    table = STREAM if stream else DATAGRAM
    return [(s, e, c) for (s, e), c in table.items() if isinstance(c, int)]
