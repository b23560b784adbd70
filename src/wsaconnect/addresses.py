"""Socket addresses: ``socket``-module tuples, Windows-layout SOCKADDR bytes, and tests on them.

This module owns the conversion between the two ways the low-level API accepts an address:

* the ``socket`` module's tuples: ``(host, port)`` for AF_INET, ``(host, port, flowinfo,
  scope_id)`` or ``(host, port)`` for AF_INET6, with numeric hosts only;
* raw bytes in Windows layout: ``sockaddr_in`` (16 bytes) and ``sockaddr_in6`` (28 bytes), the
  family little-endian and the port big-endian, so that malformed input can be expressed.

Both become a :class:`SockAddr`, the parsed form every backend works with. Decoding applies the
checks Winsock applies to a ``name``/``namelen`` pair and reports a failure as the Winsock code
Windows documents (a :class:`~wsaconnect.errors.WinsockError`); a Python value of the wrong
type raises :class:`TypeError` naming the argument. It also holds the address tests the
backends share (unspecified, loopback, limited broadcast, IPv4-mapped).

It does not know about sockets, routes or hosts.
"""

from __future__ import annotations

import socket as _socket
import struct
from typing import NamedTuple, TypeAlias

from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.memo import Memo

#: An address as the ``socket`` module writes it.
AddressTuple: TypeAlias = tuple[str, int] | tuple[str, int, int, int]
#: What a low-level function accepts as ``name``: a tuple, or a raw Windows SOCKADDR.
Name: TypeAlias = AddressTuple | bytes | bytearray | memoryview

#: The first 96 bits of an IPv4-mapped IPv6 address, ::ffff:0:0/96 (RFC 4291 section 2.5.5.2).
V4MAPPED_PREFIX = b"\x00" * 10 + b"\xff\xff"
_IN_STRUCT = struct.Struct("<H")  # sa_family, little-endian (Windows is little-endian)
_PORT = struct.Struct(">H")  # sin_port / sin6_port, network order
_U32LE = struct.Struct("<I")


class SockAddr(NamedTuple):
    """A parsed socket address. ``packed`` is the 4- or 16-byte address in network order."""

    family: int
    packed: bytes
    port: int
    flowinfo: int = 0
    scope_id: int = 0

    @property
    def host(self) -> str:
        """The address as text (``"192.0.2.1"``, ``"2001:db8::1"``)."""
        af = _socket.AF_INET if self.family == C.AF_INET else _socket.AF_INET6
        return _socket.inet_ntop(af, self.packed)

    def to_tuple(self) -> AddressTuple:
        """The address as the ``socket`` module writes it (4-tuple for AF_INET6)."""
        if self.family == C.AF_INET:
            return (self.host, self.port)
        return (self.host, self.port, self.flowinfo, self.scope_id)

    def to_bytes(self) -> bytes:
        """The address as a Windows SOCKADDR (16 or 28 bytes)."""
        if self.family == C.AF_INET:
            return _IN_STRUCT.pack(C.AF_INET) + _PORT.pack(self.port) + self.packed + b"\x00" * 8
        return (
            _IN_STRUCT.pack(C.AF_INET6)
            + _PORT.pack(self.port)
            + _U32LE.pack(self.flowinfo)
            + self.packed
            + _U32LE.pack(self.scope_id)
        )

    def with_port(self, port: int) -> SockAddr:
        """The same address with another port."""
        return self._replace(port=port)

    def __str__(self) -> str:
        if self.family == C.AF_INET6:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"


def size_of(family: int) -> int:
    """The size of the Windows SOCKADDR structure for ``family``."""
    return C.SOCKADDR_IN6_SIZE if family == C.AF_INET6 else C.SOCKADDR_IN_SIZE


# --- Tuples ----------------------------------------------------------------------------------


def from_tuple(address: object, argument: str = "name") -> SockAddr:
    """Parse a ``socket``-module address tuple.

    Args:
        address: ``(host, port)`` or ``(host, port, flowinfo, scope_id)``; ``host`` is a numeric
            IPv4 or IPv6 address. The family follows from the host.
        argument: the parameter name to use in error messages.

    Returns:
        The parsed address.

    Raises:
        TypeError: ``address`` is not such a tuple, or an element has the wrong type.
        ValueError: the host is not a numeric address, or a number is out of range.
    """
    if not isinstance(address, tuple) or len(address) not in (2, 4):
        raise TypeError(
            f"{argument} must be a (host, port) or (host, port, flowinfo, scope_id) tuple "
            f"or bytes, not {type(address).__name__}"
        )
    host = address[0]
    if not isinstance(host, str):
        raise TypeError(f"{argument}: host must be a str, not {type(host).__name__}")
    port = checks.integer(address[1], f"{argument}: port")
    if not 0 <= port <= 0xFFFF:
        raise ValueError(f"{argument}: port must be 0-65535, not {port}")
    flowinfo = scope_id = 0
    if len(address) == 4:
        flowinfo = checks.integer(address[2], f"{argument}: flowinfo")
        scope_id = checks.integer(address[3], f"{argument}: scope_id")
        for value, what in ((flowinfo, "flowinfo"), (scope_id, "scope_id")):
            if not 0 <= value <= 0xFFFFFFFF:
                raise ValueError(f"{argument}: {what} must be 0-4294967295, not {value}")
    if ":" in host:
        try:
            packed = _socket.inet_pton(_socket.AF_INET6, host)
        except (OSError, ValueError):  # ValueError: an embedded NUL
            raise ValueError(f"{argument}: {host!r} is not a numeric IPv6 address") from None
        return SockAddr(C.AF_INET6, packed, port, flowinfo, scope_id)
    if len(address) == 4:
        raise ValueError(f"{argument}: a 4-tuple is for IPv6, but {host!r} is not IPv6")
    try:
        packed = _socket.inet_pton(_socket.AF_INET, host)
    except (OSError, ValueError):  # ValueError: an embedded NUL
        raise ValueError(f"{argument}: {host!r} is not a numeric IPv4 address") from None
    return SockAddr(C.AF_INET, packed, port)


#: Recent ``(str, int)`` names, parsed (a connect loop parses the same destination again and
#: again). The memo is keyed by value, and ``("h", 80.0)`` and ``("h", True)`` equal and hash
#: like ``("h", 80)`` and ``("h", 1)``: :func:`_parsed` consults it for exact pairs only.
_PARSED: Memo[tuple[str, int], SockAddr] = Memo(from_tuple)


def _parsed(name: object, what: str = "name") -> SockAddr:
    """:func:`from_tuple`, remembered for exact ``(str, int)`` pairs; every other name (a float
    or bool port, a 4-tuple) still reaches from_tuple's type checks. Errors name ``what``."""
    if type(name) is tuple and len(name) == 2 and type(name[0]) is str and type(name[1]) is int:
        try:
            return _PARSED(name)
        except ValueError:
            if what == "name":
                raise
    return from_tuple(name, what)


def parse_host(host: object, argument: str = "address") -> tuple[int, bytes]:
    """Parse a numeric host (``"192.0.2.1"``, ``"2001:db8::1"``) into ``(family, packed)``.

    Raises:
        TypeError: ``host`` is not a str.
        ValueError: it is not a numeric IPv4 or IPv6 address.
    """
    if not isinstance(host, str):
        raise TypeError(f"{argument} must be a str, not {type(host).__name__}")
    address = from_tuple((host, 0), argument)
    return address.family, address.packed


# --- Raw bytes ------------------------------------------------------------------------------


def from_bytes(raw: bytes) -> SockAddr | None:
    """Parse a Windows SOCKADDR of a known family; None for AF_UNSPEC or an unknown family.

    The caller has checked the length against the family (see :func:`decode`).
    """
    family = _IN_STRUCT.unpack_from(raw)[0]
    if family == C.AF_INET and len(raw) >= C.SOCKADDR_IN_SIZE:
        return SockAddr(C.AF_INET, bytes(raw[4:8]), _PORT.unpack_from(raw, 2)[0])
    if family == C.AF_INET6 and len(raw) >= C.SOCKADDR_IN6_SIZE:
        return SockAddr(
            C.AF_INET6,
            bytes(raw[8:24]),
            _PORT.unpack_from(raw, 2)[0],
            _U32LE.unpack_from(raw, 4)[0],
            _U32LE.unpack_from(raw, 24)[0],
        )
    return None


def decode(
    name: object,
    namelen: object = None,
    *,
    socket_family: int,
    what: tuple[str, str] = ("name", "namelen"),
) -> SockAddr | None:
    """Check and parse a ``name``/``namelen`` pair as Winsock does for a socket of a family.

    The order of the checks (a source of which code wins when several apply):

    1. ``name`` None (a NULL pointer) or ``namelen`` larger than the bytes given (the buffer
       ends before ``namelen``) or shorter than a family field: WSAEFAULT (WSAConnect
       document, WSAEFAULT: "the name or namelen parameter is not a valid part of the user
       address space").
    2. A structure that is zero over its whole ``namelen``: returned as None so that a
       datagram socket can disconnect (WSAConnect remarks) and a stream socket can report
       WSAEADDRNOTAVAIL.
    3. A family other than the socket's: WSAEAFNOSUPPORT ("addresses in the specified family
       cannot be used with this socket").
    4. ``namelen`` smaller than the family's structure: WSAEFAULT ("namelen is too small").

    Args:
        name: an address tuple, raw bytes, or None.
        namelen: the C ``namelen``; None means the size that fits ``name``.
        socket_family: AF_INET or AF_INET6, the socket's family.
        what: the two parameters' names, for the messages (sendto's are ``to`` and ``tolen``).

    Returns:
        The parsed address, or None for an all-zero structure.

    Raises:
        WinsockError: WSAEFAULT or WSAEAFNOSUPPORT as above.
        TypeError: ``name`` or ``namelen`` has the wrong Python type.
        ValueError: a tuple holds a value no SOCKADDR can carry.
    """
    if namelen is not None:
        namelen = checks.integer(namelen, what[1])
    if name is None:
        raise E.error_for_code(E.WSAEFAULT, "name is NULL")
    if isinstance(name, (bytes, bytearray, memoryview)):
        raw = bytes(name)
        length = len(raw) if namelen is None else namelen
        if length > len(raw) or length < 2:
            raise E.error_for_code(E.WSAEFAULT, f"namelen {length}, buffer {len(raw)} bytes")
        raw = raw[:length]
        if not any(raw):
            return None
        family = _IN_STRUCT.unpack_from(raw)[0]
        if family != socket_family:
            raise E.error_for_code(E.WSAEAFNOSUPPORT, f"address family {family}")
        if length < size_of(family):
            raise E.error_for_code(E.WSAEFAULT, f"namelen {length} is too small")
        parsed = from_bytes(raw)
        assert parsed is not None  # family and length were checked above
        return parsed
    address = _parsed(name, what[0])
    if address.family != socket_family:
        raise E.error_for_code(E.WSAEAFNOSUPPORT, f"{address.host} on this socket")
    if namelen is not None and namelen < size_of(address.family):
        raise E.error_for_code(E.WSAEFAULT, f"namelen {namelen} is too small")
    return address


# --- Tests on addresses ---------------------------------------------------------------------


def is_unspecified(address: SockAddr) -> bool:
    """True for ADDR_ANY: 0.0.0.0 or ``::``."""
    return not any(address.packed)


def is_loopback(packed: bytes) -> bool:
    """True for 127.0.0.0/8 and ``::1``."""
    if len(packed) == 4:
        return packed[0] == 127
    return packed == b"\x00" * 15 + b"\x01"


def is_limited_broadcast(address: SockAddr) -> bool:
    """True for 255.255.255.255 (INADDR_BROADCAST)."""
    return address.packed == b"\xff\xff\xff\xff"


def is_v4_mapped(address: SockAddr) -> bool:
    """True for an IPv4-mapped IPv6 address (``::ffff:a.b.c.d``, RFC 4291 section 2.5.5.2)."""
    return address.family == C.AF_INET6 and address.packed[:12] == V4MAPPED_PREFIX


def v4_mapped(address: SockAddr) -> SockAddr:
    """Map an AF_INET address to its IPv4-mapped AF_INET6 form (IN6ADDR_SETV4MAPPED)."""
    if address.family != C.AF_INET:
        return address
    return SockAddr(C.AF_INET6, V4MAPPED_PREFIX + address.packed, address.port)


def unmapped(address: SockAddr) -> SockAddr:
    """The AF_INET address inside an IPv4-mapped one; other addresses unchanged."""
    if not is_v4_mapped(address):
        return address
    return SockAddr(C.AF_INET, address.packed[12:], address.port)


def map_tuple(address: AddressTuple) -> AddressTuple:
    """Map an IPv4 ``(host, port)`` to the IPv4-mapped IPv6 4-tuple; IPv6 tuples unchanged."""
    return v4_mapped(from_tuple(address, "address")).to_tuple()
