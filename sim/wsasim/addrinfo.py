"""getaddrinfo at the Winsock level on the simulator: the network's names, in Windows' numbering.

This module owns the low-level ``getaddrinfo`` of the backend protocol (docs/api.md,
"getaddrinfo"): the answers are :class:`wsasim.resolver.Resolver`'s (numeric names are
themselves, ``"localhost"`` is ``::1`` then 127.0.0.1, the rest are ``net.add_name``'s, in RFC
6724 order against the host's addresses), turned from the ``socket`` module's shape (the host
OS's ``AF_*`` and ``AI_*`` values, ``socket.gaierror``) into the C function's: Windows'
``AF_*`` and ``AI_*`` numbers (ws2def.h), and a failure as the Windows Sockets error code
GetAddrInfoW returns (its page's table: WSAHOST_NOT_FOUND for EAI_NONAME, WSATYPE_NOT_FOUND for
EAI_SERVICE, WSAEAFNOSUPPORT, WSAESOCKTNOSUPPORT, WSAEINVAL for EAI_BADFLAGS, WSANO_DATA).

The seven flags of ws2def.h the resolver models are taken (AI_PASSIVE, AI_CANONNAME,
AI_NUMERICHOST, AI_NUMERICSERV, AI_ALL, AI_ADDRCONFIG, AI_V4MAPPED); any other bit is WSAEINVAL
(EAI_BADFLAGS) here, since the simulator does not model it.
"""

from __future__ import annotations

import socket as _socket
from typing import TYPE_CHECKING

from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple
from wsasim import resolver

if TYPE_CHECKING:
    from wsasim.host import Host

#: One result: ``(family, socktype, protocol, canonname, sockaddr)``, Windows' numbers.
AddrInfo = tuple[int, int, int, str, AddressTuple]

#: Windows' AI_* bit (ws2def.h) -> the host OS's, which the resolver reads.
_FLAGS = {
    C.AI_PASSIVE: resolver.AI_PASSIVE,
    C.AI_CANONNAME: resolver.AI_CANONNAME,
    C.AI_NUMERICHOST: resolver.AI_NUMERICHOST,
    C.AI_NUMERICSERV: resolver.AI_NUMERICSERV,
    C.AI_ALL: resolver.AI_ALL,
    C.AI_ADDRCONFIG: resolver.AI_ADDRCONFIG,
    C.AI_V4MAPPED: resolver.AI_V4MAPPED,
}
_KNOWN = sum(_FLAGS)
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _text(value: object, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{what} must be a str or None, not {type(value).__name__}")
    if value is not None and "\0" in value:
        raise ValueError(f"{what} must not contain NUL")
    return value


def _host_flags(flags: int) -> int:
    if flags & ~_KNOWN:
        raise E.error_for_code(E.WSAEINVAL, f"ai_flags {flags:#x}: not modelled")
    return sum(host for windows, host in _FLAGS.items() if flags & windows)


def getaddrinfo(
    host: Host,
    nodename: object,
    servicename: object,
    family: object,
    socktype: object,
    protocol: object,
    flags: object,
) -> list[AddrInfo]:
    """The addresses ``nodename``/``servicename`` resolve to on ``host``'s network.

    Raises:
        TypeError, ValueError: a name that is not a str or None (or holds NUL), a number that
            is not a C ``int``.
        WinsockError: what GetAddrInfoW would return (see the module docstring).
    """
    node, service = _text(nodename, "nodename"), _text(servicename, "servicename")
    family, socktype, protocol, flags = (
        checks.integer(v, what, _INT_MIN, _INT_MAX)
        for v, what in (
            (family, "family"),
            (socktype, "socktype"),
            (protocol, "protocol"),
            (flags, "flags"),
        )
    )
    if family not in (C.AF_UNSPEC, C.AF_INET, C.AF_INET6):
        # Windows' numbers only: the host OS's AF_INET6 (10 on Linux) is another family here.
        raise E.error_for_code(E.WSAEAFNOSUPPORT, f"family {family}")
    try:
        found = resolver.Resolver(host).getaddrinfo(
            node, service, family, socktype, protocol, _host_flags(flags)
        )
    except _socket.gaierror as exc:
        raise E.error_for_code(exc.errno or E.WSAHOST_NOT_FOUND, str(node)) from None
    except UnicodeError:
        # A name the idna codec refuses (an empty or over-long label) is no DNS name.
        raise E.error_for_code(E.WSAHOST_NOT_FOUND, repr(node)) from None
    return [
        (
            C.AF_INET6 if len(address) == 4 else C.AF_INET,
            int(kind),
            proto,
            canonname,
            address,
        )
        for _, kind, proto, canonname, address in found
    ]
