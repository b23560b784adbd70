"""The socket options the simulator knows, as a table: level, name, default, and who may use it.

This module owns which (level, optname) pairs setsockopt and getsockopt accept, their defaults
on a new socket (Windows' defaults), how a value is checked, and the rules of setting and
reading them (:func:`set_value`, :func:`get_value`). Options whose value is computed from the
socket's state (SO_ERROR, SO_TYPE, SO_ACCEPTCONN, SO_CONNECT_TIME) are marked ``computed``. An
option not in the table gives WSAENOPROTOOPT, as Windows does for an unknown option or level
(getsockopt/setsockopt docs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsasim import connect_controls
from wsasim._state import CONNECTED, LISTENING_STATES, UNBOUND

if TYPE_CHECKING:
    from wsasim.sockets import Socket


class Option(NamedTuple):
    """One socket option."""

    default: int | None
    settable: bool = True
    gettable: bool = True
    computed: bool = False
    #: Only for this socket type (SOCK_STREAM / SOCK_DGRAM); None for both.
    only_type: int | None = None
    #: Only for this family (AF_INET6 for IPV6_V6ONLY); None for both.
    only_family: int | None = None
    #: How the value is kept: "int" (4 bytes), "DWORD" (4 bytes, read back unsigned, as the
    #: native backend reads every 4-byte option), "BOOL" (4 bytes, any non-zero value is 1), or
    #: "BOOLEAN" (1 byte: only the first byte of what is set counts). A BOOL or BOOLEAN takes
    #: a value shorter than 4 bytes (the missing bytes are 0), and a SOL_SOCKET BOOL even an
    #: empty one (Wine's sock.c, test_set_getsockopt's test_optsize table, which passes on
    #: Windows: SO_KEEPALIVE and TCP_NODELAY are 1 byte, SO_REUSEADDR a BOOL).
    kind: str = "int"


OPTIONS: dict[tuple[int, int], Option] = {
    (C.SOL_SOCKET, C.SO_BROADCAST): Option(0, kind="BOOL"),
    (C.SOL_SOCKET, C.SO_REUSEADDR): Option(0, kind="BOOL"),
    (C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE): Option(0, kind="BOOL"),
    (C.SOL_SOCKET, C.SO_KEEPALIVE): Option(0, kind="BOOLEAN"),
    (C.SOL_SOCKET, C.SO_DONTROUTE): Option(0),
    (C.SOL_SOCKET, C.SO_OOBINLINE): Option(0),
    (C.SOL_SOCKET, C.SO_SNDBUF): Option(65536),
    (C.SOL_SOCKET, C.SO_RCVBUF): Option(65536),
    (C.SOL_SOCKET, C.SO_RCVTIMEO): Option(0),
    # struct linger {u_short l_onoff; u_short l_linger;}, kept as its 4 little-endian bytes
    # read as an int (what a 4-byte optval is); getsockopt gives (l_onoff, l_linger). Stream
    # sockets only: a UDP socket gives WSAENOPROTOOPT (Wine's sock.c, test_extendedSocketOptions).
    (C.SOL_SOCKET, C.SO_LINGER): Option(0, only_type=C.SOCK_STREAM),
    # winsock2.h: SO_DONTLINGER is ~SO_LINGER, a BOOL view of "l_onoff is 0".
    (C.SOL_SOCKET, C.SO_DONTLINGER): Option(
        None, computed=True, only_type=C.SOCK_STREAM, kind="BOOL"
    ),
    (C.SOL_SOCKET, C.SO_SNDTIMEO): Option(0),
    # Windows lets setsockopt set SO_ERROR; getsockopt then reads the value set (Wine's sock.c,
    # test_set_getsockopt: "Test SO_ERROR set/get", 1234 back).
    (C.SOL_SOCKET, C.SO_ERROR): Option(None, computed=True),
    (C.SOL_SOCKET, C.SO_TYPE): Option(None, settable=False, computed=True),
    (C.SOL_SOCKET, C.SO_ACCEPTCONN): Option(None, settable=False, computed=True),
    # mswsock.h: seconds connected, or 0xFFFFFFFF when not connected.
    (C.SOL_SOCKET, C.SO_CONNECT_TIME): Option(None, settable=False, computed=True),
    # mswsock.h: set with a NULL value after WSAConnectByList/ConnectEx (WSAConnectByList
    # document, remarks); getsockopt does not support it.
    (C.SOL_SOCKET, C.SO_UPDATE_CONNECT_CONTEXT): Option(
        None, gettable=False, computed=True, only_type=C.SOCK_STREAM
    ),
    # ws2ipdef.h: IPV6_V6ONLY is on by default on Windows (IPPROTO_IPV6 socket options). An
    # AF_INET socket keeps the value too, with the same rule after bind (Wine's sock.c,
    # test_ipv6only), though it changes nothing there.
    (C.IPPROTO_IPV6, C.IPV6_V6ONLY): Option(1, kind="BOOLEAN"),  # 1 byte (sock.c:1231)
    (C.IPPROTO_TCP, C.TCP_NODELAY): Option(0, only_type=C.SOCK_STREAM, kind="BOOLEAN"),
    # mstcpip.h, Windows 10 2004 and later: an ICMP error fails a connect at once.
    (C.IPPROTO_TCP, C.TCP_FAIL_CONNECT_ON_ICMP_ERROR): Option(0, only_type=C.SOCK_STREAM),
    # ws2ipdef.h, a DWORD of seconds that bounds a connect (Microsoft's "IPPROTO_TCP socket
    # options" page); its effect on the connect timing is wsasim.connect_controls'.
    (C.IPPROTO_TCP, C.TCP_MAXRT): Option(0, only_type=C.SOCK_STREAM, kind="DWORD"),
}


def lookup(level: int, optname: int, family: int, type: int) -> Option:
    """The option, or WSAENOPROTOOPT (unknown, or not for this kind of socket)."""
    option = OPTIONS.get((level, optname))
    if option is None:
        raise E.error_for_code(E.WSAENOPROTOOPT, f"level {level:#x}, option {optname:#x}")
    if option.only_type not in (None, type) or option.only_family not in (None, family):
        raise E.error_for_code(E.WSAENOPROTOOPT, f"option {optname:#x} on this socket type")
    if level == C.IPPROTO_TCP and type != C.SOCK_STREAM:
        raise E.error_for_code(E.WSAENOPROTOOPT, "an IPPROTO_TCP option on a datagram socket")
    return option


def coerce(value: object, option: Option | None = None, level: int = 0) -> int:
    """Turn a setsockopt value into the int ``option`` keeps: an int, a bool, or raw
    little-endian bytes (see :attr:`Option.kind` for what is kept, and how short it may be).

    Raises:
        TypeError: any other type.
        WinsockError: WSAEFAULT for a value too short for the option (optlen too small,
            setsockopt document).
    """
    kind = "int" if option is None else option.kind
    if isinstance(value, bool):
        number = int(value)
    elif isinstance(value, int):
        if not -(2**31) <= value < 2**32:
            raise ValueError(f"value must fit in 32 bits, not {value}")
        number = value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        shortest = (
            4 if kind in ("int", "DWORD") else 0 if kind == "BOOL" and level == C.SOL_SOCKET else 1
        )
        if len(raw) < shortest:
            raise E.error_for_code(E.WSAEFAULT, f"optlen {len(raw)} is too small")
        number = int.from_bytes(raw[:4].ljust(4, b"\0"), "little", signed=True)
    else:
        raise TypeError(
            "value must be an int, bool, bytes, an SO_LINGER pair or None, "
            f"not {type(value).__name__}"
        )
    if kind == "BOOLEAN":
        return number & 0xFF
    if kind == "BOOL":
        return int(number != 0)
    if kind == "DWORD":
        return number & 0xFFFFFFFF
    return number


_LINGER = (C.SOL_SOCKET, C.SO_LINGER)


def linger_value(pair: tuple[object, ...]) -> int:
    """A ``(l_onoff, l_linger)`` pair as the int SO_LINGER is kept as (two u_short).

    Raises:
        TypeError, ValueError: not a pair of ints within 0..65535.
    """
    if len(pair) != 2:
        raise ValueError(f"value: SO_LINGER takes (l_onoff, l_linger), not {len(pair)} items")
    onoff, seconds = (checks.integer(v, "value", 0, 0xFFFF) for v in pair)
    return onoff | seconds << 16


def linger(sock: Socket) -> tuple[int, int]:
    """The socket's SO_LINGER as ``(l_onoff, l_linger)``."""
    raw = sock.option(*_LINGER) & 0xFFFFFFFF
    return raw & 0xFFFF, raw >> 16


_EXCLUSIVE = (C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE)
_REUSE = (C.SOL_SOCKET, C.SO_REUSEADDR)
_MAXRT = (C.IPPROTO_TCP, C.TCP_MAXRT)


def set_value(sock: Socket, level: int, optname: int, value: object) -> None:
    """setsockopt's rules: ``value`` an int/bool, raw bytes, or None for a NULL ``optval``.

    Raises:
        WinsockError: WSAENOPROTOOPT (unknown or read-only), WSAEFAULT (NULL or short optval),
            WSAENOTCONN (SO_UPDATE_CONNECT_CONTEXT unconnected), WSAEINVAL (IPV6_V6ONLY after
            bind; SO_REUSEADDR with SO_EXCLUSIVEADDRUSE).
        TypeError, ValueError: a value no C option can carry.
    """
    option = lookup(level, optname, sock.family, sock.type)
    key = (level, optname)
    if not option.settable:
        # Windows refuses SO_TYPE with WSAEINVAL on a UDP socket, WSAENOPROTOOPT on TCP
        # (Wine's sock.c, test_WSASocket).
        code = E.WSAEINVAL if key == (C.SOL_SOCKET, C.SO_TYPE) and not sock.stream else 0
        raise E.error_for_code(code or E.WSAENOPROTOOPT, f"option {optname:#x} is read-only")
    if key == (C.SOL_SOCKET, C.SO_UPDATE_CONNECT_CONTEXT):
        if sock.state is not CONNECTED:
            raise E.error_for_code(E.WSAENOTCONN)
        # WSAConnectByList remarks: the options set before the call come into force now.
        if sock.deferred_options:
            for deferred, deferred_value in sock.deferred_options.items():
                sock.set_option(*deferred, deferred_value)
        sock.deferred_options = None
        return
    if value is None:
        raise E.error_for_code(E.WSAEFAULT, "optval is NULL")
    if key == _LINGER and isinstance(value, tuple):
        value = linger_value(value)
    number = coerce(value, option, level)
    if key == (C.SOL_SOCKET, C.SO_ERROR):
        sock.so_error = number
        return
    if key == (C.SOL_SOCKET, C.SO_DONTLINGER):
        _, seconds = linger(sock)
        sock.set_option(*_LINGER, linger_value((int(not number), seconds)))
        return
    if key == (C.IPPROTO_IPV6, C.IPV6_V6ONLY) and sock.state is not UNBOUND:
        raise E.error_for_code(E.WSAEINVAL, "IPV6_V6ONLY after bind or connect")
    for this, other in ((_EXCLUSIVE, _REUSE), (_REUSE, _EXCLUSIVE)):
        if key == this and number and sock.option(*other):
            raise E.error_for_code(E.WSAEINVAL, "SO_REUSEADDR with SO_EXCLUSIVEADDRUSE")
    sock.set_option(level, optname, number)
    if key == _MAXRT:
        connect_controls.set_max_rt(sock, number)


def get_value(sock: Socket, level: int, optname: int) -> Any:
    """getsockopt's rules: the option's value, computed ones included.

    Raises:
        WinsockError: WSAENOPROTOOPT (unknown, or not readable).
    """
    option = lookup(level, optname, sock.family, sock.type)
    if not option.gettable:
        raise E.error_for_code(E.WSAENOPROTOOPT, f"option {optname:#x} can't be read")
    if (level, optname) == _LINGER:
        return linger(sock)
    if not option.computed:
        return sock.option(level, optname)
    if optname == C.SO_ERROR:
        code = sock.so_error
        # getsockopt document: SO_ERROR "retrieves error status and clear"; Windows keeps
        # it until a connection succeeds (profile flag sticky_so_error).
        if not sock.host.network.profile.sticky_so_error:
            sock.so_error = 0
        return code
    if optname == C.SO_TYPE:
        return sock.type
    if optname == C.SO_DONTLINGER:
        return int(not linger(sock)[0])
    if optname == C.SO_ACCEPTCONN:
        return int(sock.state in LISTENING_STATES)
    # SO_CONNECT_TIME (mswsock.h): whole seconds connected, 0xFFFFFFFF if not connected.
    if sock.state is not CONNECTED or sock.connected_at is None:
        return C.CONNECT_TIME_NOT_CONNECTED
    return int(sock.host.network.now - sock.connected_at)
