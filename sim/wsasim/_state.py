"""The socket state machine, as a table, and only that.

Everything that decides whether a socket call is legal in the socket's current state, and what
state follows, lives here (the h11 ``_state.py`` idea). The rest of the simulator asks
:func:`transition` and assigns the state it returns; an illegal transition raises the Winsock
error Windows documents for it and leaves the state unchanged.

Sources for the error entries:

* WSAConnect/connect document: WSAEINVAL on a listening socket; WSAEALREADY while a
  non-blocking connect is in progress; WSAEISCONN on a connected connection-oriented socket;
  a datagram socket may connect again to change its default destination, and an all-zero
  name disconnects it.
* bind: WSAEINVAL when the socket is already bound.
* listen: WSAEINVAL on an unbound socket; WSAEISCONN on a connected one; WSAEOPNOTSUPP on a
  socket type that does not support listen (datagram).
* After WSAECONNREFUSED, WSAENETUNREACH or WSAETIMEDOUT the application may call connect again
  on the same socket (WSAConnect document): a failed attempt returns the socket to BOUND (its
  implicit bind stays).

* WSAConnectByList needs an unbound socket and binds it afresh for each address pair it tries
  (WSAConnectByList document, parameter ``s``): after a failed attempt it releases the bind.

The internal events (ESTABLISHED, CONNECT_FAILED, RELEASE) come from the network or from
WSAConnectByList, not from an application call; an illegal one is a simulator bug and raises
:class:`StateError`.
"""

from __future__ import annotations

import enum

from wsaconnect import errors as E


class State(enum.Enum):
    """Where a socket is in its life."""

    UNBOUND = "unbound"
    BOUND = "bound"
    LISTENING = "listening"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    CLOSED = "closed"

    # Members are singletons: identity hashing is right, and C-speed (Enum's own __hash__ is
    # Python code, and the table is consulted on every call).
    __hash__ = object.__hash__


class Event(enum.Enum):
    """What happens to a socket: calls by the application, outcomes from the network."""

    BIND = "bind"
    LISTEN = "listen"
    CONNECT = "connect"
    ESTABLISHED = "established"  # from the network: the handshake completed
    CONNECT_FAILED = "connect failed"  # from the network: refused, timed out, unreachable...
    DISCONNECT = "disconnect"  # datagram sockets: connect with an all-zero name
    RELEASE = "release"  # WSAConnectByList gives back a failed attempt's implicit bind
    CLOSE = "close"

    __hash__ = object.__hash__  # see State


# The members again, as module-level names: the simulator reads these. On Python 3.11 EnumType
# defines __getattr__, which turns each ``State.CLOSED`` into a slow metaclass lookup (about
# 1,000 instructions; a tenth of a simulated connect went there).
UNBOUND = State.UNBOUND
BOUND = State.BOUND
LISTENING = State.LISTENING
CONNECTING = State.CONNECTING
CONNECTED = State.CONNECTED
CLOSED = State.CLOSED

BIND = Event.BIND
LISTEN = Event.LISTEN
CONNECT = Event.CONNECT
ESTABLISHED = Event.ESTABLISHED
CONNECT_FAILED = Event.CONNECT_FAILED
DISCONNECT = Event.DISCONNECT
RELEASE = Event.RELEASE
CLOSE = Event.CLOSE


class StateError(RuntimeError):
    """The network reported an event the socket's state cannot take (a simulator bug)."""


S, V = State, Event
_Entry = State | int

STREAM: dict[tuple[State, Event], _Entry] = {
    (S.UNBOUND, V.BIND): S.BOUND,
    (S.UNBOUND, V.LISTEN): E.WSAEINVAL,
    (S.UNBOUND, V.CONNECT): S.CONNECTING,  # implicit bind
    (S.BOUND, V.BIND): E.WSAEINVAL,
    (S.BOUND, V.LISTEN): S.LISTENING,
    (S.BOUND, V.CONNECT): S.CONNECTING,
    (S.LISTENING, V.BIND): E.WSAEINVAL,
    (S.LISTENING, V.LISTEN): S.LISTENING,  # a second listen changes the backlog
    (S.LISTENING, V.CONNECT): E.WSAEINVAL,
    (S.CONNECTING, V.BIND): E.WSAEINVAL,
    (S.CONNECTING, V.LISTEN): E.WSAEINVAL,
    (S.CONNECTING, V.CONNECT): E.WSAEALREADY,
    (S.CONNECTING, V.ESTABLISHED): S.CONNECTED,
    (S.CONNECTING, V.CONNECT_FAILED): S.BOUND,
    (S.BOUND, V.RELEASE): S.UNBOUND,
    (S.CONNECTED, V.BIND): E.WSAEINVAL,
    (S.CONNECTED, V.LISTEN): E.WSAEISCONN,
    (S.CONNECTED, V.CONNECT): E.WSAEISCONN,
}

DATAGRAM: dict[tuple[State, Event], _Entry] = {
    (S.UNBOUND, V.BIND): S.BOUND,
    (S.UNBOUND, V.LISTEN): E.WSAEOPNOTSUPP,
    (S.UNBOUND, V.CONNECT): S.CONNECTED,  # implicit bind; no handshake
    (S.UNBOUND, V.DISCONNECT): S.UNBOUND,
    (S.BOUND, V.BIND): E.WSAEINVAL,
    (S.BOUND, V.LISTEN): E.WSAEOPNOTSUPP,
    (S.BOUND, V.CONNECT): S.CONNECTED,
    (S.BOUND, V.DISCONNECT): S.BOUND,
    (S.CONNECTED, V.BIND): E.WSAEINVAL,
    (S.CONNECTED, V.LISTEN): E.WSAEOPNOTSUPP,
    (S.CONNECTED, V.CONNECT): S.CONNECTED,  # a new default destination
    (S.CONNECTED, V.DISCONNECT): S.BOUND,
}

for _table in (STREAM, DATAGRAM):
    for _state in State:
        if _state is not S.CLOSED:
            _table[(_state, V.CLOSE)] = S.CLOSED

_APPLICATION_EVENTS = frozenset({V.BIND, V.LISTEN, V.CONNECT, V.DISCONNECT, V.CLOSE})


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
    if event in _APPLICATION_EVENTS:
        # Not in the table: no such call exists in this state (for example connect on a
        # closed socket, which Windows reports as not a socket).
        raise E.error_for_code(E.WSAENOTSOCK, f"{event.value} on a {state.value} socket")
    raise StateError(f"{event.value} cannot happen to a {state.value} socket")


def diagram(stream: bool = True) -> str:
    """The table as a Mermaid state diagram (for the README): legal transitions only."""
    table = STREAM if stream else DATAGRAM
    lines = ["stateDiagram-v2", "    [*] --> unbound: socket()"]
    for (state, event), entry in table.items():
        if isinstance(entry, State) and not (event is V.CLOSE and state is not S.UNBOUND):
            lines.append(f"    {state.value} --> {entry.value}: {event.value}")
    lines.append("    note right of closed: close is legal in every state")
    lines.append("    closed --> [*]")
    return "\n".join(lines)


def refusals(stream: bool = True) -> list[tuple[State, Event, int]]:
    """The illegal calls of the table and their codes (for docs and tests)."""
    table = STREAM if stream else DATAGRAM
    return [(s, e, c) for (s, e), c in table.items() if isinstance(c, int)]
