"""The socket module's name functions, answered from a simulated network.

This module owns :class:`Resolver`: ``getaddrinfo``, ``gethostbyname``, ``gethostbyname_ex``,
``gethostbyaddr``, ``gethostname`` and ``getnameinfo`` as Windows CPython's ``socket`` module
has them, answered from the names of one host's network (:mod:`wsasim.names`: numeric
addresses are themselves, ``"localhost"`` is ``::1`` and 127.0.0.1, the rest come from
``net.add_name``), in the order Windows' getaddrinfo gives: RFC 6724 destination selection
against the host's addresses (:func:`wsaconnect.ordering.sort_destinations`), unreachable
destinations last. Results have CPython's shapes and the host OS's ``AF_*``/``SOCK_*``
values; errors are ``socket.gaierror`` with Windows' codes and Windows CPython's message
(11001 "getaddrinfo failed" for an unknown name: see :meth:`Resolver.getaddrinfo`).

:func:`wsasim.patch` installs them in the ``socket`` module; the layers that resolve names
themselves use them directly (:meth:`Resolver.setipaddr` is what CPython's ``bind`` and
``connect`` do with a host name).
"""

from __future__ import annotations

import socket as _socket
from typing import Any

from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect import ordering
from wsaconnect.addresses import SockAddr, from_tuple, v4_mapped
from wsaconnect.errors import WinsockError
from wsasim import names
from wsasim.host import Host
from wsasim.patch_select import index
from wsasim.pysocket_args import to_host_family

__all__ = ["Resolver"]

# --- The host OS's flag values (socket.AI_*, socket.NI_*: the numbering callers pass) -------


def _flag(name: str) -> int:
    value: int = getattr(_socket, name, 0)
    return value


AI_PASSIVE = _flag("AI_PASSIVE")
AI_CANONNAME = _flag("AI_CANONNAME")
AI_NUMERICHOST = _flag("AI_NUMERICHOST")
AI_NUMERICSERV = _flag("AI_NUMERICSERV")
AI_V4MAPPED = _flag("AI_V4MAPPED")
AI_ALL = _flag("AI_ALL")
AI_ADDRCONFIG = _flag("AI_ADDRCONFIG")
_KNOWN_AI = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_NUMERICSERV
_KNOWN_AI |= AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG
NI_NUMERICHOST = _flag("NI_NUMERICHOST")
NI_NUMERICSERV = _flag("NI_NUMERICSERV")
NI_NAMEREQD = _flag("NI_NAMEREQD")

#: The socket types getaddrinfo takes (others: EAI_SOCKTYPE); the same numbers on every OS.
_SOCKET_TYPES = frozenset({0, C.SOCK_STREAM, C.SOCK_DGRAM, C.SOCK_RAW})

#: Windows CPython's message for every getaddrinfo error: Windows has no usable gai_strerror,
#: so Modules/socketmodule.c's ``set_gaierror`` uses its fixed text ("[Errno 11001]
#: getaddrinfo failed").
GAI_MESSAGE = "getaddrinfo failed"
#: ``set_herror`` without ``hstrerror`` (Windows): "host not found".
HERROR_MESSAGE = "host not found"

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**31), 2**31 - 1  # a C long on Windows (LLP64: 32 bits)

#: The last patch entered is the active one; all belong to one thread.


def _gaierror(code: int) -> OSError:
    error: OSError = _socket.gaierror(code, GAI_MESSAGE)
    return error


def _c_int(value: object) -> int:
    """A C ``int`` argument ("i" in PyArg_ParseTuple): __index__, then the range."""
    number = index(value)
    if number > _INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if number < _INT_MIN:
        raise OverflowError("signed integer is less than minimum")
    return int(number)


def _host_text(value: object, what: str) -> str:
    """gethostby*'s argument: ``"et"`` with the idna codec (str encoded, bytes as given)."""
    if isinstance(value, str):
        return value.encode("idna").decode("ascii")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    raise TypeError(
        f"{what}() argument 1 must be str, bytes or bytearray, not {type(value).__name__}"
    )


def _node_text(host: object) -> str | None:
    """getaddrinfo's host, as Modules/socketmodule.c ``socket_getaddrinfo`` reads it: None, a
    str (encoded with the idna codec, whose UnicodeError for an empty or long label comes out
    as CPython's), or bytes."""
    if host is None:
        return None
    if isinstance(host, str):
        return host.encode("idna").decode("ascii")
    if isinstance(host, bytes):
        return host.decode("latin-1")
    raise TypeError("getaddrinfo() argument 1 must be string or None")


def _service_text(port: object) -> str | None:
    """getaddrinfo's port, as ``socket_getaddrinfo`` reads it: an exact int (PyLong_AsLong,
    whose C long is 32 bits on Windows, then "%ld"), a str, bytes or None; anything else (a
    bool, a float) is OSError "Int or String expected"."""
    if type(port) is int:
        if not _LONG_MIN <= port <= _LONG_MAX:
            raise OverflowError("Python int too large to convert to C long")
        return str(port)
    if isinstance(port, str):
        port.encode("utf-8")  # a lone surrogate: UnicodeEncodeError, as CPython
        return port
    if isinstance(port, bytes):
        return port.decode("latin-1")
    if port is None:
        return None
    raise OSError("Int or String expected")


def _numeric(node: str, port: int) -> SockAddr | None:
    """``node`` as a numeric address (an IPv6 one may carry a numeric zone: ``fe80::1%3``),
    else None."""
    text, percent, zone = node.partition("%")
    try:
        address = from_tuple((text, port), "host")
    except ValueError:
        return None
    if percent:
        if address.family != C.AF_INET6 or not (zone.isascii() and zone.isdigit()):
            return None
        scope = int(zone)
        if scope > 0xFFFFFFFF:
            return None
        address = address._replace(scope_id=scope)
    return address


def _kind(socktype: int) -> int:
    """Lib/socket.py's ``_intenum_converter(socktype, SocketKind)``."""
    try:
        return _socket.SocketKind(socktype)
    except ValueError:
        return socktype


class Resolver:
    """The socket module's name functions answered from ``host``'s simulated network.

    What :func:`patch` installs as ``socket.getaddrinfo`` and the others (see the module's
    documentation); usable without a patch, from the layers that resolve names themselves
    (:meth:`setipaddr` is what CPython's ``bind``/``connect`` do with a host name).
    """

    def __init__(self, host: Host) -> None:
        self.host = host
        self.network = host.network

    def _sorted(self, addresses: list[SockAddr]) -> list[SockAddr]:
        """``addresses`` in Windows' getaddrinfo order: RFC 6724 destination selection against
        the host's addresses, the unreachable ones after (rule 1: "avoid unusable
        destinations" ranks them last; it does not drop them)."""
        local = self.host.local_addresses()
        usable = ordering.sort_destinations(addresses, local, socket_family=C.AF_INET6)
        rest = ordering.unreachable_destinations(addresses, local, socket_family=C.AF_INET6)
        return usable + rest

    def _own(self, port: int) -> list[SockAddr]:
        """The host's registered (non-loopback) addresses; loopback if it has none."""
        own = [SockAddr(i.family, i.packed, port) for i in self.host.addresses()]
        if not own:
            own = [from_tuple(("::1", port)), from_tuple(("127.0.0.1", port))]
        return self._sorted(own)

    def _is_own_name(self, key: str) -> bool:
        return key == self.host.name.lower() and self.network.resolve(key) is None

    def _lookup(self, node: str | None, port: int, flags: int) -> tuple[list[SockAddr], bool]:
        """(addresses, whether ``node`` was numeric or absent), in Windows' order."""
        if node is None:
            # getaddrinfo document: a NULL pNodeName with AI_PASSIVE gives the wildcard
            # addresses (for bind), without it the loopback addresses.
            hosts = ("::", "0.0.0.0") if flags & AI_PASSIVE else ("::1", "127.0.0.1")
            return [from_tuple((h, port)) for h in hosts], True
        numeric = _numeric(node, port)
        if numeric is not None:
            return [numeric], True
        if flags & AI_NUMERICHOST:
            raise _gaierror(E.WSAHOST_NOT_FOUND)
        key = node.lower().rstrip(".")
        # getaddrinfo document, Remarks: an empty pNodeName, or "..localmachine", gives all
        # the registered addresses of the local computer; the simulator answers the host's
        # own name with them too, unless the network defines it.
        if node == "" or key == "..localmachine" or self._is_own_name(key):
            return self._own(port), False
        try:
            found = names.resolve(self.network, node, port)
        except WinsockError as exc:
            raise _gaierror(exc.winerror) from None
        return self._sorted(found), False

    def _port(self, service: str | None, flags: int) -> int:
        if service is None:
            return 0
        if flags & AI_NUMERICSERV and not (service.isascii() and service.isdigit()):
            raise _gaierror(E.WSAHOST_NOT_FOUND)
        try:
            return names.service_port(service)
        except WinsockError as exc:
            raise _gaierror(exc.winerror) from None  # WSATYPE_NOT_FOUND (EAI_SERVICE)

    def _addresses(
        self, node: str | None, service: str | None, family: int, flags: int
    ) -> list[SockAddr]:
        """What getaddrinfo resolves ``node`` and ``service`` to, for Windows ``family``."""
        if node is None and service is None:
            # getaddrinfo document, EAI_NONAME: "or neither pNodeName nor pServiceName".
            raise _gaierror(E.WSAHOST_NOT_FOUND)
        port = self._port(service, flags)
        found, numeric = self._lookup(node, port, flags)
        if flags & AI_ADDRCONFIG:
            # getaddrinfo document: with AI_ADDRCONFIG a family is returned only if the
            # host has an address of it, loopback not counting.
            found = [a for a in found if self.host.has_route(a.family)]
        if family == C.AF_INET:
            found = [a for a in found if a.family == C.AF_INET]
        elif family == C.AF_INET6:
            if flags & AI_V4MAPPED and (
                flags & AI_ALL or not any(a.family == C.AF_INET6 for a in found)
            ):
                found = [v4_mapped(a) for a in found]  # leaves AF_INET6 addresses alone
            else:
                found = [a for a in found if a.family == C.AF_INET6]
        if not found:
            # A name the network knows with no address of the family: WSANO_DATA ("The
            # requested name is valid, but no data of the requested type was found"); a
            # numeric address of the other family is not a name of this one.
            raise _gaierror(E.WSAHOST_NOT_FOUND if numeric else E.WSANO_DATA)
        return found

    def getaddrinfo(
        self,
        host: Any,
        port: Any,
        family: int = 0,
        type: int = 0,
        proto: int = 0,
        flags: int = 0,
    ) -> list[tuple[Any, Any, int, str, Any]]:
        """``socket.getaddrinfo`` on the simulated network, as Windows answers it.

        Arguments are read as Modules/socketmodule.c's ``socket_getaddrinfo`` reads them.
        Errors are ``socket.gaierror(code, "getaddrinfo failed")`` with the WSA codes the
        getaddrinfo document maps the EAI_* errors to: WSAHOST_NOT_FOUND (11001, EAI_NONAME:
        an unknown name, a non-numeric host with AI_NUMERICHOST, no host and no port),
        WSATYPE_NOT_FOUND (10109, EAI_SERVICE: an unknown service), WSAEAFNOSUPPORT (10047,
        EAI_FAMILY), WSAESOCKTNOSUPPORT (10044, EAI_SOCKTYPE), WSAEINVAL (10022,
        EAI_BADFLAGS), and WSANO_DATA (11004) for a known name without an address of the
        family asked for.

        Each address comes once, with the ``type`` and ``proto`` asked for (0 stays 0: Windows
        copies the hints' socket type and protocol instead of listing every type as glibc
        does); ``canonname`` is set on the first entry with AI_CANONNAME (the name as given).
        """
        node, service = _node_text(host), _service_text(port)
        family, socktype, proto, flags = (_c_int(v) for v in (family, type, proto, flags))
        if family not in (0, C.AF_INET, C.AF_INET6, _socket.AF_INET6):
            raise _gaierror(E.WSAEAFNOSUPPORT)
        if socktype not in _SOCKET_TYPES:
            raise _gaierror(E.WSAESOCKTNOSUPPORT)
        if flags & ~_KNOWN_AI or (flags & AI_CANONNAME and node is None):
            raise _gaierror(E.WSAEINVAL)
        win_family = C.AF_INET6 if family == _socket.AF_INET6 else family
        found = self._addresses(node, service, win_family, flags)
        canon = node if flags & AI_CANONNAME and node is not None else ""
        kind = _kind(socktype)
        return [
            (to_host_family(a.family), kind, proto, canon if i == 0 else "", a.to_tuple())
            for i, a in enumerate(found)
        ]

    def _ipv4(self, name: str) -> list[SockAddr]:
        """Modules/socketmodule.c ``setipaddr`` for AF_INET, then every IPv4 address."""
        if name == "":
            return [from_tuple(("0.0.0.0", 0))]  # getaddrinfo(NULL, "0", AI_PASSIVE)
        if name in ("<broadcast>", "255.255.255.255"):
            return [from_tuple(("255.255.255.255", 0))]
        return self._addresses(name, None, C.AF_INET, 0)

    def gethostbyname(self, hostname: Any) -> str:
        """``socket.gethostbyname``: the first IPv4 address, in Windows' order."""
        return self._ipv4(_host_text(hostname, "gethostbyname"))[0].host

    def gethostbyname_ex(self, hostname: Any) -> tuple[str, list[str], list[str]]:
        """``socket.gethostbyname_ex``: ``(name, [], [IPv4 addresses])``; the host's own
        name for ``""`` and for the host's name."""
        name = _host_text(hostname, "gethostbyname_ex")
        key = name.lower().rstrip(".")
        if name == "" or self._is_own_name(key):
            own = [a for a in self._own(0) if a.family == C.AF_INET]
            return self.host.name, [], [a.host for a in own] or ["127.0.0.1"]
        return name, [], [a.host for a in self._ipv4(name)]

    def gethostbyaddr(self, ip_address: Any) -> tuple[str, list[str], list[str]]:
        """``socket.gethostbyaddr``: the host's own addresses (loopback included) are its
        name; the simulated DNS has no other PTR records, so any other address is
        ``socket.herror(11004, "host not found")`` (WSANO_DATA; CPython's ``set_herror``)."""
        name = _host_text(ip_address, "gethostbyaddr")
        address = self._addresses(name, None, 0, 0)[0]  # setipaddr(name, AF_UNSPEC)
        if not self.host.owns(address.packed):
            raise _socket.herror(E.WSANO_DATA, HERROR_MESSAGE)
        return self.host.name, [], [address.host]

    def gethostname(self) -> str:
        """``socket.gethostname``: the host's name."""
        return self.host.name

    def getnameinfo(self, sockaddr: Any, flags: int) -> tuple[str, str]:
        """``socket.getnameinfo``: ``(host, port)`` for a numeric ``sockaddr``.

        Arguments are checked as Modules/socketmodule.c's ``socket_getnameinfo`` checks them.
        The host is the host's own name for its own addresses (unless NI_NUMERICHOST), else
        the numeric address (NI_NAMEREQD: gaierror 11001); the port is its service name from
        :data:`wsasim.names.SERVICES` (unless NI_NUMERICSERV), else the number.
        """
        if not isinstance(sockaddr, tuple):
            raise TypeError("getnameinfo() argument 1 must be a tuple")
        flags = _c_int(flags)
        if not 2 <= len(sockaddr) <= 4 or not isinstance(sockaddr[0], str):
            raise TypeError("getnameinfo(): illegal sockaddr argument")
        try:
            port = _c_int(sockaddr[1])
            flowinfo = _c_int(sockaddr[2]) if len(sockaddr) > 2 else 0
        except TypeError:
            raise TypeError("getnameinfo(): illegal sockaddr argument") from None
        if not 0 <= flowinfo <= 0xFFFFF:
            raise OverflowError("getnameinfo(): flowinfo must be 0-1048575.")
        address = self._addresses(sockaddr[0], str(port), 0, AI_NUMERICHOST)[0]
        if address.family == C.AF_INET and len(sockaddr) != 2:
            raise OSError("IPv4 sockaddr must be 2 tuple")
        if flags & NI_NUMERICHOST:
            host = address.host
        elif self.host.owns(address.packed):
            host = self.host.name
        elif flags & NI_NAMEREQD:
            raise _gaierror(E.WSAHOST_NOT_FOUND)
        else:
            host = address.host
        service = str(address.port)
        if not flags & NI_NUMERICSERV:
            service = next((n for n, p in names.SERVICES.items() if p == address.port), service)
        return host, service

    def setipaddr(self, name: str, family: int) -> str:
        """The numeric address ``socket.socket.bind``/``connect`` use for ``name``
        (Modules/socketmodule.c, ``setipaddr``): ``""`` is the wildcard of ``family``,
        ``"<broadcast>"`` 255.255.255.255, a numeric address itself, any other name the first
        address getaddrinfo gives for ``family`` (a Windows or host-OS AF_* value, or 0).

        Raises:
            socket.gaierror: as :meth:`getaddrinfo` (11001 for an unknown name).
            OSError: "address family mismatched" for ``"<broadcast>"`` off AF_INET.
        """
        win_family = C.AF_INET6 if family == _socket.AF_INET6 else family
        if name == "":
            return "::" if win_family == C.AF_INET6 else "0.0.0.0"
        if name in ("255.255.255.255", "<broadcast>"):
            if win_family not in (0, C.AF_INET):
                raise OSError("address family mismatched")
            return "255.255.255.255"
        return self._addresses(name, None, win_family, 0)[0].host
