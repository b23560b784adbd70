"""The order in which WSAConnectByList tries its (local, remote) address pairs: RFC 6724.

WSAConnectByList takes every remote address it is given and every local address of the host, and
tries the address pairs most likely to succeed first (source document, Remarks). This module owns
that ordering and nothing else: it is pure (no sockets, no clock, no I/O), so the simulator and
the native-free code can share it and test it alone. Trying the pairs is the caller's business.

What it does, for a socket of family ``socket_family``:

1. *Pairing.* Each destination is paired with every local address that can reach it: the same
   family once IPv4-mapped addresses are unmapped; a loopback destination only with a loopback
   source and any other destination never with one (a loopback source never leaves the node);
   a link-local destination (loopback aside) with a zone (``scope_id``) not with a source in
   another zone (RFC 6724 section 4). On an AF_INET6 socket IPv4 destinations are reachable,
   and written IPv4-mapped, unless ``v6only``; on an AF_INET socket AF_INET6 destinations
   (mapped ones included: Winsock would refuse the sockaddr) are not. A destination no local
   address can reach is left out of the pairs; :func:`unreachable_destinations` lists them.
   The local side of a pair has port 0: the connect binds it implicitly.
2. *Source selection* (section 5) ranks a destination's sources with rules 1 (same address),
   2 (appropriate scope), 6 (matching label) and 8 (longest matching prefix, where
   CommonPrefixLen stops at the source's prefix length, section 2.2). Its best is Source(D).
3. *Destination selection* (section 6) orders the destinations with rules 2 (matching scope),
   5 (matching label), 6 (higher precedence), 8 (smaller scope), 9 (longest matching prefix)
   and 10 (otherwise keep the given order). Rule 1 (avoid unusable destinations) is the
   pairing step: an unusable destination has no pair at all.
4. The pairs come destination by destination, each destination's sources best first: the RFC
   ranks destinations, and sources only within a destination, so no order across them is given.

Precedence and label come from the default policy table of section 2.1, and scope from
sections 3.1 and 3.2: IPv4 loopback (127/8) and autoconfiguration (169.254/16) addresses are
link-local, every other IPv4 address (the private ones included) global; ``::1`` is link-local
(RFC 4007 section 4); ULAs (fc00::/7) are global; a multicast address carries its own scope.

What a host does not know here, every rule reading it takes as equal for all candidates:
deprecated addresses (source rule 3, destination rule 3), home and care-of addresses (source
rule 4, destination rule 4), the outgoing interface and next hop (source rules 5 and 5.5, as the
simulated hosts have no interfaces), temporary addresses (source rule 7), known-unreachable
destinations (destination rule 1) and encapsulating transports (destination rule 7). So RFC 6724
section 10's examples that turn on those rules come out otherwise here (see the tests).

The RFC states its rules as comparisons of two candidates. Each is turned into a key, one tuple
per candidate, so that one stable sort does the work (the performance goal is 500 destinations
in well under 10 ms): every source rule compares a property of each source against the same
destination, and every destination rule a property of a destination and its Source(D). Rule 9
alone applies only to two destinations of one family, which would not make a key; but it is
never reached with one IPv4 and one IPv6 destination, because the table gives IPv4 (as
``::ffff:0:0/96``) a precedence, 35, that no IPv6 row has, so rule 6 always decides first.
"""

from __future__ import annotations

import socket as _socket
from collections.abc import Iterable
from operator import itemgetter
from typing import NamedTuple

from wsaconnect import constants as C
from wsaconnect.addresses import SockAddr, from_tuple, is_v4_mapped, unmapped, v4_mapped

__all__ = [
    "DEFAULT_POLICY_TABLE",
    "SCOPE_GLOBAL",
    "SCOPE_LINK_LOCAL",
    "SCOPE_SITE_LOCAL",
    "LocalAddress",
    "Pair",
    "address_pairs",
    "common_prefix_len",
    "label",
    "precedence",
    "rank_sources",
    "scope",
    "sort_destinations",
    "unreachable_destinations",
]

#: Scope values (RFC 4291 section 2.7, as RFC 6724 section 3.1 uses them): smaller is narrower.
SCOPE_LINK_LOCAL = 0x2
SCOPE_SITE_LOCAL = 0x5
SCOPE_GLOBAL = 0xE

#: RFC 6724 section 2.1: (prefix, precedence, label), as printed.
DEFAULT_POLICY_TABLE: tuple[tuple[str, int, int], ...] = (
    ("::1/128", 50, 0),
    ("::/0", 40, 1),
    ("::ffff:0:0/96", 35, 4),
    ("2002::/16", 30, 2),
    ("2001::/32", 5, 5),
    ("fc00::/7", 3, 13),
    ("::/96", 1, 3),
    ("fec0::/10", 1, 11),
    ("3ffe::/16", 1, 12),
)


def _row(text: str, prec: int, lab: int) -> tuple[int, int, int, int]:
    prefix, bits = text.split("/")
    value = int.from_bytes(_socket.inet_pton(_socket.AF_INET6, prefix), "big")
    shift = 128 - int(bits)
    return shift, value >> shift, prec, lab


# The table as (shift, prefix >> shift, precedence, label), longest prefix first, so the first
# row that matches is the longest match.
_POLICY = tuple(sorted((_row(*r) for r in DEFAULT_POLICY_TABLE), key=itemgetter(0)))
_V4 = next(r for r in _POLICY if r[:2] == (32, 0xFFFF))  # ::ffff:0:0/96: every IPv4 address


class LocalAddress(NamedTuple):
    """A local (source) address of the host, with the length of its on-link prefix.

    ``address`` is an AF_INET or AF_INET6 :class:`SockAddr` (an IPv4-mapped one counts as IPv4);
    its port and flowinfo are ignored, its ``scope_id`` is the zone of a link-local address.
    ``prefixlen`` (0-32 or 0-128) caps CommonPrefixLen (RFC 6724 section 2.2).
    """

    address: SockAddr
    prefixlen: int

    @classmethod
    def parse(cls, text: str) -> LocalAddress:
        """Parse ``"192.0.2.10/24"`` or ``"2001:db8::10/64"``; no prefix means a host route.

        Raises:
            ValueError: not a numeric address, or a prefix length out of range.
        """
        host, _, bits = text.partition("/")
        address = from_tuple((host, 0), "address")
        width = len(address.packed) * 8
        prefixlen = int(bits) if bits else width
        if not 0 <= prefixlen <= width:
            raise ValueError(f"prefix length {prefixlen} out of range in {text!r}")
        return cls(address, prefixlen)


class Pair(NamedTuple):
    """One connection attempt: from ``local`` (port 0) to ``remote``."""

    local: SockAddr
    remote: SockAddr


# --- Per-address attributes ------------------------------------------------------------------


def _native(addr: SockAddr) -> tuple[int, int] | None:
    """(width in bits, value) of the address once unmapped; None for another family."""
    if addr.family == C.AF_INET6 and is_v4_mapped(addr):
        return 32, int.from_bytes(addr.packed[12:], "big")
    if addr.family in (C.AF_INET, C.AF_INET6):
        return len(addr.packed) * 8, int.from_bytes(addr.packed, "big")
    return None


def _policy(width: int, value: int) -> tuple[int, int, int, int]:
    if width == 32:
        return _V4
    for row in _POLICY:
        if value >> row[0] == row[1]:
            return row
    raise AssertionError("::/0 matches every address")  # pragma: no cover


def _scope(width: int, value: int) -> int:
    if width == 32:  # RFC 6724 section 3.2
        return SCOPE_LINK_LOCAL if value >> 24 == 127 or value >> 16 == 0xA9FE else SCOPE_GLOBAL
    if value >> 120 == 0xFF:  # multicast: the scope field (RFC 4291 section 2.7)
        return (value >> 112) & 0xF
    if value >> 118 == 0xFE80 >> 6 or value == 1:  # fe80::/10; ::1 per RFC 4007 section 4
        return SCOPE_LINK_LOCAL
    if value >> 118 == 0xFEC0 >> 6:  # fec0::/10, deprecated but still in the table
        return SCOPE_SITE_LOCAL
    return SCOPE_GLOBAL


def precedence(addr: SockAddr) -> int:
    """The precedence of ``addr`` in the default policy table (RFC 6724 section 2.1).

    Raises:
        ValueError: ``addr`` is neither AF_INET nor AF_INET6 (so for :func:`label`, :func:`scope`).
    """
    return _required(addr).precedence


def label(addr: SockAddr) -> int:
    """The label of ``addr`` in the default policy table (RFC 6724 section 2.1)."""
    return _required(addr).label


def scope(addr: SockAddr) -> int:
    """The scope of ``addr`` (RFC 6724 sections 3.1 and 3.2), one of the ``SCOPE_*`` values."""
    return _required(addr).scope


def common_prefix_len(a: SockAddr, b: SockAddr) -> int:
    """The number of leading bits ``a`` and ``b`` share, IPv4-mapped ones compared as IPv4.

    RFC 6724 section 2.2 stops the count at the source's prefix length; :func:`address_pairs`
    applies that cap, this function does not. Addresses of different families share 0 bits.
    """
    pa, pb = _native(a), _native(b)
    if pa is None or pb is None or pa[0] != pb[0]:
        return 0
    return pa[0] - (pa[1] ^ pb[1]).bit_length()


class _Attrs(NamedTuple):
    """What the rules read of one address, computed once per address."""

    #: 32 or 128: the address's width once IPv4-mapped addresses are unmapped.
    width: int
    #: The address as an int of ``width`` bits.
    value: int
    #: Its scope (section 3), a ``SCOPE_*`` value.
    scope: int
    #: Its label in the policy table (section 2.1).
    label: int
    #: Its precedence in the policy table (section 2.1).
    precedence: int
    #: True for 127.0.0.0/8 and ``::1``.
    loopback: bool
    #: Its ``scope_id``: the zone of a link-local address, 0 for none.
    zone: int
    #: Its index in the caller's list (not ``index``: that is a tuple method).
    position: int
    #: The prefix length that caps CommonPrefixLen (section 2.2): ``width`` for a destination.
    prefixlen: int


# What _Attrs(...) and Pair(...) do, without their Python-level __new__ (CPython's
# collections.namedtuple builds its instances with tuple.__new__ too): an _Attrs is made once
# per address and a Pair once per pair, and the constructor made address_pairs 15-25% slower
# (bench/bench_ordering.py).
_new = tuple.__new__


def _attrs(addr: SockAddr, index: int, prefixlen: int | None = None) -> _Attrs | None:
    parts = _native(addr)
    if parts is None:
        return None
    width, value = parts
    plen = width if prefixlen is None else prefixlen
    if not 0 <= plen <= width:
        raise ValueError(f"prefix length {plen} out of range for {addr}")
    _, _, precedence, label = _policy(width, value)
    loopback = value >> 24 == 127 if width == 32 else value == 1
    scope = _scope(width, value)
    return _new(
        _Attrs, (width, value, scope, label, precedence, loopback, addr.scope_id, index, plen)
    )


def _required(addr: SockAddr, index: int = 0, prefixlen: int | None = None) -> _Attrs:
    attrs = _attrs(addr, index, prefixlen)
    if attrs is None:
        raise ValueError(f"address family {addr.family} is neither AF_INET nor AF_INET6")
    return attrs


#: The sources of a host grouped by (width, loopback): a source can reach a destination only
#: if both are IPv4 or both IPv6 once unmapped, and both loopback or neither (section 4).
_Sources = dict[tuple[int, bool], list[_Attrs]]


def _sources(locals_: list[LocalAddress]) -> _Sources:
    """The attributes of the local addresses, grouped, each group in the order given."""
    grouped: _Sources = {}
    for i, a in enumerate(locals_):
        s = _required(a.address, i, a.prefixlen)
        grouped.setdefault((s.width, s.loopback), []).append(s)
    return grouped


def _ranked(d: _Attrs, sources: _Sources) -> list[_Attrs]:
    """The sources that can reach ``d``, best first (RFC 6724 section 5)."""
    width, d_loop = d.width, d.loopback
    candidates = sources.get((width, d_loop))
    if not candidates:
        return []
    value, d_scope, d_label, d_zone = d.value, d.scope, d.label, d.zone
    # Section 4: a link-local destination in a zone takes sources from its own link only.
    zoned = d_scope == SCOPE_LINK_LOCAL and not d_loop and d_zone
    keyed: list[tuple[tuple[int, int, int, int], _Attrs]] = []
    for s in candidates:
        if zoned and s.zone and s.zone != d_zone:
            continue
        s_value, s_scope = s.value, s.scope
        cpl = width - (s_value ^ value).bit_length()
        key = (
            s_value != value,  # rule 1: prefer the same address
            # rule 2: the narrowest scope that is not below Scope(D), else the widest
            s_scope if s_scope >= d_scope else 32 - s_scope,
            s.label != d_label,  # rule 6: prefer matching label
            -min(cpl, s.prefixlen),  # rule 8: longest matching prefix, up to S's prefix
        )
        keyed.append((key, s))
    keyed.sort(key=itemgetter(0))  # stable: equal sources keep the order they were given in
    return [s for _, s in keyed]


def _order(
    destinations: Iterable[SockAddr],
    local_addresses: Iterable[LocalAddress],
    socket_family: int,
    v6only: bool,
) -> tuple[list[SockAddr], list[tuple[int, list[_Attrs]]], list[LocalAddress]]:
    """(destinations, (index, ranked sources) of the reachable ones in order, local addresses)."""
    if socket_family not in (C.AF_INET, C.AF_INET6):
        raise ValueError(f"socket_family must be AF_INET or AF_INET6, not {socket_family}")
    locals_ = list(local_addresses)
    sources = _sources(locals_)
    dests = list(destinations)
    # What a socket of this family cannot use: on AF_INET, every AF_INET6 sockaddr (mapped ones
    # included: Winsock refuses them there); on AF_INET6 with IPV6_V6ONLY, IPv4 in any form.
    inet_only = socket_family == C.AF_INET
    no_ipv4 = v6only and socket_family == C.AF_INET6
    keyed: list[tuple[tuple[int, int, int, int, int], int, list[_Attrs]]] = []
    for i, addr in enumerate(dests):
        if inet_only and addr.family != C.AF_INET:
            continue
        d = _attrs(addr, i)
        if d is None or (no_ipv4 and d.width == 32):
            continue
        ranked = _ranked(d, sources)
        if not ranked:
            continue  # rule 1: Source(D) is undefined, so D is unusable
        best, d_scope = ranked[0], d.scope
        cpl = d.width - (best.value ^ d.value).bit_length()
        key = (
            d_scope != best.scope,  # rule 2: prefer Scope(D) = Scope(Source(D))
            best.label != d.label,  # rule 5: prefer Label(Source(D)) = Label(D)
            -d.precedence,  # rule 6: prefer higher precedence
            d_scope,  # rule 8: prefer smaller scope
            -min(cpl, best.prefixlen),  # rule 9: longest CommonPrefixLen(Source(D), D); see above
        )
        keyed.append((key, i, ranked))
    keyed.sort(key=itemgetter(0))  # stable: rule 10, otherwise leave the order unchanged
    return dests, [(i, ranked) for _, i, ranked in keyed], locals_


# --- Public orderings ------------------------------------------------------------------------


def rank_sources(
    destination: SockAddr, local_addresses: Iterable[LocalAddress]
) -> list[LocalAddress]:
    """The local addresses that can reach ``destination``, best first (RFC 6724 section 5).

    Args:
        destination: the remote address; an IPv4-mapped one counts as IPv4.
        local_addresses: the candidate sources.

    Returns:
        The reachable candidates, best first, ties in the order given; empty if none can reach.

    Raises:
        ValueError: a prefix length out of range, or an address of another family.
    """
    locals_ = list(local_addresses)
    return [locals_[s.position] for s in _ranked(_required(destination), _sources(locals_))]


def address_pairs(
    destinations: Iterable[SockAddr],
    local_addresses: Iterable[LocalAddress],
    *,
    socket_family: int = C.AF_INET6,
    v6only: bool = False,
) -> list[Pair]:
    """Every (local, remote) pair WSAConnectByList may try, best first.

    Destinations come in RFC 6724 section 6 order, each with its sources in section 5 order;
    ties keep the order given. On an AF_INET6 socket IPv4 addresses, local and remote, are
    written IPv4-mapped. A destination no local address can reach has no pair (see
    :func:`unreachable_destinations`).

    Args:
        destinations: the remote addresses (AF_INET, AF_INET6 or IPv4-mapped AF_INET6).
        local_addresses: the host's candidate sources.
        socket_family: AF_INET or AF_INET6, the family of the socket that will connect.
        v6only: IPV6_V6ONLY is on, so an AF_INET6 socket cannot reach IPv4 destinations.

    Returns:
        The pairs; each local address has port 0, each remote keeps its port.

    Raises:
        ValueError: ``socket_family`` is neither AF_INET nor AF_INET6, or a local address is
            of another family or has a prefix length out of range.
    """
    dests, kept, locals_ = _order(destinations, local_addresses, socket_family, v6only)
    mapped = socket_family == C.AF_INET6
    outs = []
    for local in locals_:
        a = unmapped(local.address)
        out = SockAddr(a.family, a.packed, 0, 0, a.scope_id)
        outs.append(v4_mapped(out) if mapped else out)
    pairs: list[Pair] = []
    for i, ranked in kept:
        remote = v4_mapped(dests[i]) if mapped else dests[i]  # v4_mapped leaves AF_INET6 alone
        pairs.extend([_new(Pair, (outs[s.position], remote)) for s in ranked])
    return pairs


def sort_destinations(
    destinations: Iterable[SockAddr],
    local_addresses: Iterable[LocalAddress],
    *,
    socket_family: int = C.AF_INET6,
    v6only: bool = False,
) -> list[SockAddr]:
    """The destinations :func:`address_pairs` keeps, in its order (RFC 6724 section 6).

    Takes the arguments of :func:`address_pairs` and raises as it does; returns the
    destinations as they were given (not IPv4-mapped).
    """
    dests, kept, _ = _order(destinations, local_addresses, socket_family, v6only)
    return [dests[i] for i, _ in kept]


def unreachable_destinations(
    destinations: Iterable[SockAddr],
    local_addresses: Iterable[LocalAddress],
    *,
    socket_family: int = C.AF_INET6,
    v6only: bool = False,
) -> list[SockAddr]:
    """The destinations :func:`address_pairs` leaves out, in the order given.

    Takes the arguments of :func:`address_pairs` and raises as it does.
    """
    dests, kept, _ = _order(destinations, local_addresses, socket_family, v6only)
    reached = {i for i, _ in kept}
    return [addr for i, addr in enumerate(dests) if i not in reached]
