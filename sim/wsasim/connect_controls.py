"""Windows' per-socket connect controls, as changes to the socket's :class:`~wsasim.TcpTiming`.

This module owns what SIO_TCP_INITIAL_RTO and TCP_MAXRT do to a socket's connect timing
(docs/simulator.md, "The TCP timing model"); :mod:`wsasim.ioctl` and :mod:`wsasim.options`
check the calls, and :mod:`wsasim.tcp` applies the timing. Each control changes only its own
fields of ``sock.timing``, so the two combine; a connect takes the socket's timing when it
starts, so a change reaches the next attempt, not one in progress (the SIO_TCP_INITIAL_RTO
page: values are supplied "before starting a TCP connection attempt"; the structure's page:
the stack honours them "for subsequent connection attempts").

SIO_TCP_INITIAL_RTO (Microsoft's "SIO_TCP_INITIAL_RTO Control Code" and
"TCP_INITIAL_RTO_PARAMETERS structure" pages):

* ``Rtt`` is the initial round-trip time estimate, in milliseconds, "used to compute the
  retransmission timeout". The page defers the computation to RFC 2988, whose section 2.2 (kept
  by RFC 6298) sets, from a first measurement R, SRTT = R and RTTVAR = R/2, so RTO = SRTT +
  4 * RTTVAR = 3R; nmap issue 2113 found the same on Windows ("The first one has a timeout of
  3 * RTT, and each one doubles after that up to 60 seconds"). So ``initial_rto`` becomes
  3 * Rtt / 1000 s, and doubles as before (:meth:`TcpTiming.rto`).
* ``MaxSynRetransmissions`` is how many retransmissions are attempted "before the connection
  setup fails". A SYN sent again after a RST is one of them (nmap issue 2113: when every one
  of these retries gets a RST, the connect fails with WSAECONNREFUSED), so it sets both
  ``syn_retransmissions`` and ``refused_retries``. ``TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS``
  sets both to 0: an unanswered SYN fails after one RTO, a refused one at its first RST, in one
  round trip (what Go, golang/go#23366, and libuv, PR 2896, rely on for loopback).
* An ``UNSPECIFIED`` field takes "administrator-configured settings" and a ``DEFAULT`` one the
  system default: on the simulator both are the network's ``TcpTiming`` (it stands for the
  machine's configuration), whatever an earlier SIO_TCP_INITIAL_RTO set.

TCP_MAXRT (Microsoft's "IPPROTO_TCP socket options" page): a DWORD; a non-negative value is "the
desired connection timeout in seconds", -1 disables the connection timeout. A connect fails
with WSAETIMEDOUT that many seconds after its first SYN, "regardless of whether any RST was
received" (nmap issue 2113), unless it ended before. Not documented, so the simulator's reading:
0 (what a new socket reads back) sets no limit of its own, and neither does -1, since
"retransmit forever" is not modelled: the SYN count still ends the attempt.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from wsaconnect import constants as C
from wsaconnect.structures import TcpInitialRtoParameters

if TYPE_CHECKING:
    from wsasim.sockets import Socket

#: TCP_MAXRT's "disable the connection timeout", as the DWORD it is kept as.
MAXRT_DISABLED = 0xFFFFFFFF

_UNCHANGED_RTT = (C.TCP_INITIAL_RTO_UNSPECIFIED_RTT, C.TCP_INITIAL_RTO_DEFAULT_RTT)
_UNCHANGED_COUNT = (
    C.TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS,
    C.TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS,
)


def rto_from_rtt(rtt_ms: int) -> float:
    """The initial retransmission timeout, in seconds, of an Rtt of ``rtt_ms`` (3 * RTT)."""
    return 3 * rtt_ms / 1000


def set_initial_rto(sock: Socket, parameters: TcpInitialRtoParameters) -> None:
    """SIO_TCP_INITIAL_RTO: the socket's initial RTO and SYN retransmission counts."""
    system = sock.host.network.timing
    rtt = parameters.rtt
    initial_rto = system.initial_rto if rtt in _UNCHANGED_RTT else rto_from_rtt(rtt)
    count = parameters.max_syn_retransmissions
    if count == C.TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS:
        syns = refused = 0
    elif count in _UNCHANGED_COUNT:
        syns, refused = system.syn_retransmissions, system.refused_retries
    else:
        syns = refused = count
    sock.timing = dataclasses.replace(
        sock.timing, initial_rto=initial_rto, syn_retransmissions=syns, refused_retries=refused
    )


def set_max_rt(sock: Socket, value: int) -> None:
    """TCP_MAXRT (``value`` the DWORD set): the socket's connect limit, in seconds."""
    value &= 0xFFFFFFFF
    limit = None if value in (0, MAXRT_DISABLED) else float(value)
    sock.timing = dataclasses.replace(sock.timing, connect_limit=limit)
