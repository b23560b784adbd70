"""The Windows TCP connect timing model (docs/simulator.md, "The TCP timing model").

This module owns the numbers; :mod:`wsasim.tcp` applies them, and :mod:`wsasim.connect_controls`
derives a socket's own from Windows' connect controls. Both profiles share them, since the
documentation gives none.

* An unanswered SYN is retransmitted after the retransmission timeout (RTO), which starts at
  3 s and doubles, twice: SYNs at 0, 3 and 9 s, and the connect fails with WSAETIMEDOUT at
  21 s (Microsoft KB 2786464; TcpMaxConnectRetransmissions). The doubling stops at 60 s
  (Microsoft's "IPPROTO_TCP socket options" page, TCP_MAXRT: "the retransmit timeout increases
  exponentially for each retransmission up to its maximum value of 60sec"; nmap issue 2113;
  measured on Windows CI: 1 s doubling six times ends at 123 s, SciQLop/speasy PR 344).
* A SYN answered by RST is sent again 1 s after the RST arrives, twice, so a refused connect
  fails with WSAECONNREFUSED about 2 s after the first SYN plus three round trips (libuv PR
  2896, curl issue 14144: 2002-2011 ms measured on Windows, even on loopback).
* A socket's TCP_MAXRT bounds the whole attempt (:attr:`TcpTiming.connect_limit`).

Every field is checked when a :class:`TcpTiming` is made, by :mod:`wsaconnect.checks` (a wrong
type is a TypeError, an impossible value a ValueError, each naming the field), so that a bad
number fails there and not in the middle of a connect.
"""

from __future__ import annotations

from dataclasses import dataclass

from wsaconnect import checks

#: The most retransmissions a count can ask for. TCP_INITIAL_RTO_PARAMETERS, the structure that
#: sets them per socket (SIO_TCP_INITIAL_RTO), holds MaxSynRetransmissions as a UCHAR
#: (mstcpip.h).
MAX_RETRANSMISSIONS = 0xFF

#: The largest connect limit: TCP_MAXRT is a DWORD of seconds.
MAX_CONNECT_LIMIT = 0xFFFFFFFF


@dataclass(frozen=True)
class TcpTiming:
    """Parameters of the connect timing model; the defaults are Windows 10/11's.

    Attributes:
        initial_rto: the first SYN retransmission timeout, in seconds: finite and > 0.
        syn_retransmissions: how many times an unanswered SYN is sent again before
            WSAETIMEDOUT: an int, 0..255.
        refused_retries: how many times a SYN answered by RST is sent again before
            WSAECONNREFUSED: an int, 0..255.
        refused_retry_interval: seconds between a RST and the next SYN: finite and >= 0.
        max_rto: the largest retransmission timeout the doubling reaches, in seconds: finite
            and > 0.
        connect_limit: None, or the seconds after the first SYN at which the attempt fails
            with WSAETIMEDOUT whatever its SYNs are doing (TCP_MAXRT): finite, >= 0, at most
            0xFFFFFFFF.

    Raises:
        TypeError: a field of the wrong type (a str, a float count, a bool).
        ValueError: NaN, an infinity, a negative number, an RTO of 0, a count outside
            0..255, an RTO or interval above 2**31 - 1 s, or a limit above 0xFFFFFFFF s.
    """

    #: The first SYN retransmission timeout, in seconds (finite, > 0).
    initial_rto: float = 3.0
    #: How many times an unanswered SYN is sent again before WSAETIMEDOUT (0..255).
    syn_retransmissions: int = 2
    #: How many times a SYN answered by RST is sent again before WSAECONNREFUSED (0..255).
    refused_retries: int = 2
    #: Seconds between a RST and the next SYN (finite, >= 0).
    refused_retry_interval: float = 1.0
    #: The cap of the doubling retransmission timeout, in seconds (finite, > 0).
    max_rto: float = 60.0
    #: Seconds from the first SYN to WSAETIMEDOUT whatever happens (TCP_MAXRT); None: none.
    connect_limit: float | None = None

    def __post_init__(self) -> None:
        # Frozen: the checked values (seconds as floats) are stored as the dataclass would.
        store = object.__setattr__
        # At most a timeval's 2**31 - 1 s each, so that the clock's sums stay finite (the
        # retransmission timeout doubles: 255 doublings of it still fit a float).
        for name in ("initial_rto", "max_rto"):
            value = checks.seconds(getattr(self, name), name, maximum=checks.TIMEVAL_MAX)
            if value == 0:
                raise ValueError(f"{name} must be a number of seconds > 0, not 0")
            store(self, name, value)
        store(
            self,
            "refused_retry_interval",
            checks.seconds(
                self.refused_retry_interval, "refused_retry_interval", maximum=checks.TIMEVAL_MAX
            ),
        )
        for name in ("syn_retransmissions", "refused_retries"):
            checks.integer(getattr(self, name), name, 0, MAX_RETRANSMISSIONS)
        if self.connect_limit is not None:
            limit = checks.seconds(self.connect_limit, "connect_limit", maximum=MAX_CONNECT_LIMIT)
            store(self, "connect_limit", limit)

    def rto(self, syn_index: int) -> float:
        """The timeout that follows SYN number ``syn_index`` (0 for the first): the initial
        RTO doubled once per earlier SYN, at most :attr:`max_rto`."""
        return min(self.initial_rto * float(2**syn_index), self.max_rto)

    @property
    def connect_timeout(self) -> float:
        """Seconds from the first SYN to WSAETIMEDOUT when nothing answers (21 s): the SYNs'
        schedule, or :attr:`connect_limit` if that comes first."""
        schedule = float(sum(self.rto(i) for i in range(self.syn_retransmissions + 1)))
        return schedule if self.connect_limit is None else min(schedule, self.connect_limit)
