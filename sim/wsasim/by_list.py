"""WSAConnectByList and WSAConnectByName on the simulated network.

What the WSAConnectByList document says, sentence by sentence, and how it is done here:

* "establishes a connection to one out of a collection of possible endpoints ... takes all the
  destination addresses passed to it and all of the local computer's source addresses, and
  tries connecting using all possible address combinations before giving up." Every remote
  address is paired with every local address of the host that can reach it, and the pairs are
  tried one at a time.
* "attempts the connection using the address pairs most likely to succeed first ... minimizes
  connection-establishment time." The order is RFC 6724's (destination and source selection
  with the default policy table, stable for ties): :func:`wsaconnect.ordering.address_pairs`,
  the same function a user can call to see the order beforehand. Windows' own order comes from
  CreateSortedAddressPairs, which applies the same RFC.
* "s: an unbound and unconnected socket ... unlike other Winsock calls to establish a
  connection (WSAConnect, for example), WSAConnectByList requires an unbound socket." A bound,
  listening, connecting or connected socket is WSAEINVAL, and so is a datagram socket ("works
  only with connection-oriented sockets, such as those of type SOCK_STREAM"). Each attempt binds
  the socket to its pair's local address and an ephemeral port; a failed attempt releases the
  bind, so that the next pair can use another source.
* "Reserved ... must be NULL": WSAEINVAL. "an invalid socket": WSAENOTSOCK.
* "The timeout parameter allows the caller to limit the time ... Internally, WSAConnectByList
  performs multiple operations (connection attempts). In between each operation, the timeout
  parameter is checked to see if the timeout has been exceeded and, if so, the call is aborted.
  Note that an individual operation (connect) will not be interrupted once the timeout has been
  exceeded, so the call can take longer than the specified timeout." The timeout is checked
  after each failed attempt that has a successor: if it has passed, the call fails with
  WSAETIMEDOUT; an attempt in progress is never cut short, so a blackholed pair carries a 5 s
  call to 21 s. The first attempt always starts (nothing lies "between" before it).
* "does not support overlapped I/O or non-blocking behavior. WSAConnectByList will block even
  if the socket is in non-blocking mode." Each attempt is waited for, whatever FIONBIO says;
  the socket's mode is left as it was.
* "Since only a single error code can be returned, the value returned is the error code from
  the last connection attempt." When every pair fails, the last attempt's code is returned.
* "all IPv4 addresses must be represented in the IPv4-mapped-IPv6 address format", on an
  AF_INET6 socket "with IPV6_V6ONLY disabled". A plain AF_INET address on an AF_INET6 socket is
  WSAEAFNOSUPPORT, like any name of the wrong family; IPv4-mapped addresses on a socket with
  IPV6_V6ONLY on (Windows' default) have no pair.
* "LocalAddressLength / RemoteAddressLength: on input, the size of the buffer": ``None``
  stands for a NULL pointer (the address is not returned); a length smaller than the socket's
  SOCKADDR is WSAEFAULT before anything is sent, with the lengths left unchanged (docs/windows.md
  section 3, observed for WSAConnectByName). On success the addresses are getsockname's and
  getpeername's.
* "the socket s is in the default state for a connected socket. The socket s does not enable
  previously set properties or options until SO_UPDATE_CONNECT_CONTEXT is set on the socket."
  The options set before the call are put aside on success (getsockopt shows the defaults) and
  come back when SO_UPDATE_CONNECT_CONTEXT is set.
* "WSAEHOSTUNREACH: The host passed as the nodename parameter was unreachable." When no local
  address can reach any of the destinations, no attempt is made and the call fails with
  WSAEHOSTUNREACH (our choice where the document is otherwise silent).

WSAConnectByName resolves its node and service (:mod:`wsasim.names`) and runs the same
machinery over the results; its parameter errors come first (docs/windows.md: a NULL node
or service is WSAEINVAL before the socket is examined; a UDP socket is WSAEFAULT on Windows,
WSAEINVAL as documented; the LocalAddress has port 0 on Windows).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wsaconnect import addresses as A
from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple, SockAddr
from wsaconnect.ordering import address_pairs
from wsasim import blocking, names
from wsasim import connect as _connect
from wsasim._state import CLOSED, CONNECT_BY_LIST, RELEASE, transition
from wsasim.sockets import Socket

if TYPE_CHECKING:
    from wsasim.winsock import Winsock

#: What a call returns: (success, LocalAddress, RemoteAddress).
Result = tuple[bool, AddressTuple | None, AddressTuple | None]

#: The default for both length arguments: sizeof(SOCKADDR_STORAGE), as in the document's example.
DEFAULT_LENGTH = C.SOCKADDR_STORAGE_SIZE


def check_lengths(lengths: tuple[object, object], socket_family: int) -> None:
    """The two length arguments: None (NULL) or at least the socket's SOCKADDR (else
    WSAEFAULT)."""
    needed = A.size_of(socket_family)
    for value, what in zip(lengths, ("local_address_length", "remote_address_length"), strict=True):
        if value is None:
            continue
        if checks.integer(value, what) < needed:
            raise E.error_for_code(E.WSAEFAULT, f"{what} {value} < {needed}")


def check_socket(sock: Socket, reserved: object, *, udp_code: int = E.WSAEINVAL) -> None:
    """The socket must be an unbound, unconnected stream socket; Reserved must be NULL."""
    if reserved is not None:
        raise E.error_for_code(E.WSAEINVAL, "Reserved must be NULL")
    if not sock.stream:
        # WSAConnectByName's code for a datagram socket differs under the "windows" profile.
        raise E.error_for_code(udp_code, "a connection-oriented socket is required")
    transition(True, sock.state, CONNECT_BY_LIST)  # only an unbound socket


def _release(sock: Socket) -> None:
    """Give back a failed attempt's implicit bind, so the next pair can bind afresh."""
    if sock.local is not None:
        sock.host.ports.release(sock.handle, sock.type, sock.local.port)
        sock.local = None
    sock.remote = None
    sock.fire(RELEASE)


def connect_pairs(
    ws: Winsock,
    sock: Socket,
    destinations: Sequence[SockAddr],
    timeout: float | None,
    lengths: tuple[object, object],
) -> Result:
    """Try the destinations' address pairs best first; the common core of both calls.

    Raises:
        WinsockError: the last attempt's code, WSAETIMEDOUT, or WSAEHOSTUNREACH (no pair).
    """
    host = sock.host
    pairs = address_pairs(
        destinations, host.local_addresses(), socket_family=sock.family, v6only=sock.v6only
    )
    if not pairs:
        raise E.error_for_code(E.WSAEHOSTUNREACH, "no local address reaches any destination")
    deadline = None if timeout is None else host.network.now + timeout
    error = E.WSAEHOSTUNREACH
    for index, pair in enumerate(pairs):
        if index and deadline is not None and host.network.now >= deadline:
            raise E.error_for_code(E.WSAETIMEDOUT, f"after {index} of {len(pairs)} pairs")
        _connect.implicit_bind(sock, pair.local.packed)
        try:
            # Blocks even on a non-blocking socket.
            handshake = _connect.start_stream(sock, pair.remote, blocking=True)
            error = blocking.complete(ws, handshake)
        except E.WinsockError as exc:  # refused before a SYN left (WSAEADDRINUSE, ...)
            error = exc.winerror
        if not error:
            return _succeeded(sock, lengths)
        if sock.state is CLOSED:
            break  # closed by another thread: WSAEINTR (closesocket document)
        _release(sock)
        if error == E.WSAEINTR:
            break  # WSACancelBlockingCall
    raise E.error_for_code(error, "every address pair failed")


def _succeeded(sock: Socket, lengths: tuple[object, object]) -> Result:
    assert sock.local is not None
    assert sock.remote is not None
    # "does not enable previously set properties or options until SO_UPDATE_CONNECT_CONTEXT"
    sock.deferred_options, sock.options = sock.options, None
    local = None if lengths[0] is None else sock.local.to_tuple()
    remote = None if lengths[1] is None else sock.remote.to_tuple()
    return True, local, remote


def decode_addresses(addresses: object, socket_family: int) -> list[SockAddr]:
    """The SOCKET_ADDRESS_LIST: a non-empty list of names of the socket's family."""
    if isinstance(addresses, (str, bytes)) or not isinstance(addresses, Sequence):
        raise TypeError(
            f"addresses must be a list of address tuples or bytes, not {type(addresses).__name__}"
        )
    if not addresses:
        raise E.error_for_code(E.WSAEINVAL, "the address list is empty")
    decoded = []
    for name in addresses:
        parsed = A.decode(name, None, socket_family=socket_family)
        if parsed is None:
            raise E.error_for_code(E.WSAEAFNOSUPPORT, "an AF_UNSPEC address in the list")
        decoded.append(parsed)
    return decoded


def resolve_for(sock: Socket, node: str, service: str) -> list[SockAddr]:
    """WSAConnectByName's resolution, in the socket's family (IPv4 mapped on AF_INET6).

    Raises:
        WinsockError: WSATYPE_NOT_FOUND, WSAHOST_NOT_FOUND, or WSANO_DATA when the name has no
            address the socket can use.
    """
    port = names.service_port(service)
    found = names.resolve(sock.host.network, node, port)
    if sock.family == C.AF_INET6:
        usable = [A.v4_mapped(a) for a in found if a.family == C.AF_INET6 or not sock.v6only]
    else:
        usable = [a for a in found if a.family == C.AF_INET]
    if not usable:
        raise E.error_for_code(E.WSANO_DATA, f"{node!r} has no address for this socket")
    return usable
