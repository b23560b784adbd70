"""Which sockets hold which local ports on one host: binding rules and ephemeral ports.

This module owns the port table of a host: whether a bind conflicts with an existing one
(WSAEADDRINUSE), how SO_REUSEADDR and SO_EXCLUSIVEADDRUSE change that, and the choice of an
ephemeral port for an implicit bind (WSAENOBUFS when the range is exhausted, docs/simulator.md).

Windows' rules (Microsoft's "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE" and its table of
who may share; Wine's sock.c, test_reuseaddr, whose rows pass on Windows). Two bindings of one
protocol to one port *overlap* when they hold a common address: the same address, or a
wildcard and an address of its family (an AF_INET6 wildcard with IPV6_V6ONLY off also holds
every IPv4 address; an IPv4-mapped address is its IPv4 address). Between overlapping bindings
what matters is which is more general: a specific address, then a wildcard of one family,
then a dual-stack wildcard.

* The same generality (the same address, or two wildcards of the same reach): the new bind
  succeeds only when both set SO_REUSEADDR; WSAEACCES when the new one set it and the old one
  did not; otherwise WSAEADDRINUSE.
* The new binding more specific than the old (a specific address inside a wildcard): it
  succeeds, unless the old one set SO_EXCLUSIVEADDRUSE: WSAEACCES.
* The new binding more general (a wildcard over a specific address): it succeeds, unless the
  new one sets SO_EXCLUSIVEADDRUSE: WSAEADDRINUSE.

It knows nothing about connections; the WSAEADDRINUSE that WSAConnect reports for two
connections with the same four-tuple is checked by :mod:`wsasim.winsock`.
"""

from __future__ import annotations

from typing import NamedTuple

from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import V4MAPPED_PREFIX


class Binding(NamedTuple):
    """What a socket claims: a local address (possibly a wildcard) and how it shares it."""

    family: int
    packed: bytes
    dual_stack: bool  # an AF_INET6 socket with IPV6_V6ONLY off
    reuse: bool  # SO_REUSEADDR
    exclusive: bool  # SO_EXCLUSIVEADDRUSE


#: What a binding holds of one family: None (nothing), b"" (every address) or one address.
_Held = bytes | None


def _holds(b: Binding) -> tuple[_Held, _Held, int]:
    """``(IPv4 held, IPv6 held, generality)``: 0 a specific address, 1 a wildcard of one
    family, 2 a dual-stack wildcard."""
    if b.family == C.AF_INET:
        return (b.packed, None, 0) if any(b.packed) else (b"", None, 1)
    if b.packed[:12] == V4MAPPED_PREFIX:  # an IPv4-mapped address is its IPv4 address
        v4 = b.packed[12:]
        return (v4, None, 0) if any(v4) else (b"", None, 1)
    if any(b.packed):
        return None, b.packed, 0
    return (b"", b"", 2) if b.dual_stack else (None, b"", 1)


def _meet(x: _Held, y: _Held) -> bool:
    return x is not None and y is not None and (x == y or not x or not y)


def _conflict(new: Binding, old: Binding) -> int:
    """The code ``new`` gets for binding beside ``old`` (0: it may)."""
    new4, new6, new_rank = _holds(new)
    old4, old6, old_rank = _holds(old)
    if not (_meet(new4, old4) or _meet(new6, old6)):
        return 0
    if new_rank < old_rank:  # more specific than what holds the port
        return E.WSAEACCES if old.exclusive else 0
    if new_rank > old_rank:  # more general
        return E.WSAEADDRINUSE if new.exclusive else 0
    if new.reuse:
        return 0 if old.reuse else E.WSAEACCES
    return E.WSAEADDRINUSE


class PortTable:
    """The ports of one host, per protocol (SOCK_STREAM, SOCK_DGRAM)."""

    __slots__ = ("_cursor", "_held", "_range")

    def __init__(self, ephemeral: range, start: int) -> None:
        self._range = ephemeral
        self._cursor = start % len(ephemeral) if len(ephemeral) else 0
        # (protocol, port) -> ((owner, binding), ...): a small tuple, as most ports have one
        # holder (a dict per port would cost 4 times the memory with 100,000 connections).
        self._held: dict[tuple[int, int], tuple[tuple[int, Binding], ...]] = {}

    def __len__(self) -> int:
        """How many (protocol, port) pairs are held."""
        return len(self._held)

    def holders(self, type: int, port: int) -> list[int]:
        """The ids of the sockets bound to ``port`` for protocol ``type``."""
        return [owner for owner, _ in self._held.get((type, port), ())]

    def check(self, type: int, port: int, binding: Binding) -> None:
        """Raise WSAEADDRINUSE or WSAEACCES if ``binding`` may not join ``port`` now (see the
        module's rules)."""
        for _, other in self._held.get((type, port), ()):
            code = _conflict(binding, other)
            if code:
                raise E.error_for_code(code, f"port {port}")

    def bind(self, owner: int, type: int, port: int, binding: Binding) -> int:
        """Record ``owner`` (a socket id) on ``port`` (0: an ephemeral port). Returns the port.

        Raises:
            WinsockError: WSAEADDRINUSE for a conflict; WSAENOBUFS when no ephemeral port is
                free.
        """
        if port == 0:
            port = self._ephemeral(type, binding)
        else:
            self.check(type, port, binding)
        key = (type, port)
        self._held[key] = (*self._held.get(key, ()), (owner, binding))
        return port

    def release(self, owner: int, type: int, port: int) -> None:
        """Forget ``owner``'s claim on ``port``."""
        key = (type, port)
        holders = self._held.get(key)
        if holders is None:
            return
        if len(holders) == 1:  # the common case: one holder, or a port ``owner`` never held
            if holders[0][0] == owner:
                del self._held[key]
            return
        kept = tuple(h for h in holders if h[0] != owner)
        if kept:
            self._held[key] = kept
        else:
            del self._held[key]

    def _ephemeral(self, type: int, binding: Binding) -> int:
        # Windows hands out ephemeral ports from its dynamic range and never shares one on an
        # implicit bind; the range is a network parameter (docs/simulator.md).
        ports, held, span = self._range, self._held, len(self._range)
        cursor = self._cursor
        for _ in range(span):
            port = ports[cursor]
            cursor = cursor + 1 if cursor + 1 < span else 0
            if (type, port) not in held:
                self._cursor = cursor
                return port
        raise E.error_for_code(E.WSAENOBUFS, "no ephemeral port left")
