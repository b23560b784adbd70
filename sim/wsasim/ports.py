"""Which sockets hold which local ports on one host: binding rules and ephemeral ports.

This module owns the port table of a host: whether a bind conflicts with an existing one
(WSAEADDRINUSE), how SO_REUSEADDR and SO_EXCLUSIVEADDRUSE change that, and the choice of an
ephemeral port for an implicit bind (WSAENOBUFS when the range is exhausted, docs/simulator.md).

Windows' rules (bind documentation, "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE"):

* Two bindings of one protocol to one port conflict when their addresses overlap: the same
  address, or a wildcard and anything of its family. An AF_INET6 wildcard with IPV6_V6ONLY
  off also covers IPv4.
* A conflict is allowed when the *new* socket set SO_REUSEADDR, unless the existing one set
  SO_EXCLUSIVEADDRUSE. A socket that set SO_EXCLUSIVEADDRUSE never shares.

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


def _ipv4_part(b: Binding) -> bytes | None:
    """The IPv4 address a binding holds: b"" for all of them, None for none."""
    if b.family == C.AF_INET:
        return b.packed if any(b.packed) else b""
    if not b.dual_stack:
        return None
    if not any(b.packed):
        return b""  # a dual-stack wildcard covers every IPv4 address
    return b.packed[12:] if b.packed[:12] == V4MAPPED_PREFIX else None


def _overlap(a: Binding, b: Binding) -> bool:
    if a.family == b.family and (a.packed == b.packed or not any(a.packed) or not any(b.packed)):
        return True
    # Across families, or an IPv4-mapped address: compare what each holds of IPv4.
    va, vb = _ipv4_part(a), _ipv4_part(b)
    return va is not None and vb is not None and (va == vb or not va or not vb)


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
        """Raise WSAEADDRINUSE if ``binding`` may not join ``port`` now."""
        for _, other in self._held.get((type, port), ()):
            if not _overlap(binding, other):
                continue
            if binding.exclusive or other.exclusive or not binding.reuse:
                raise E.error_for_code(E.WSAEADDRINUSE, f"port {port}")

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
