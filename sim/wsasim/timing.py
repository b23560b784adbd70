"""The Windows TCP connect timing model (docs/simulator.md, "The TCP timing model").

This module owns the numbers; :mod:`wsasim.tcp` applies them. Both profiles share them, since
the documentation gives none.

* An unanswered SYN is retransmitted after the retransmission timeout (RTO), which starts at
  3 s and doubles, twice: SYNs at 0, 3 and 9 s, and the connect fails with WSAETIMEDOUT at
  21 s (Microsoft KB 2786464; TcpMaxConnectRetransmissions).
* A SYN answered by RST is sent again 1 s after the RST arrives, twice, so a refused connect
  fails with WSAECONNREFUSED about 2 s after the first SYN plus three round trips (libuv PR
  2896, curl issue 14144: 2002-2011 ms measured on Windows, even on loopback).

Every field is checked when a :class:`TcpTiming` is made, by :mod:`wsaconnect.checks` (a wrong
type is a TypeError, an impossible value a ValueError, each naming the field), so that a bad
number fails there and not in the middle of a connect.
"""

from __future__ import annotations

from dataclasses import dataclass

from wsaconnect import checks

#: The most retransmissions a count can ask for. TCP_INITIAL_RTO_PARAMETERS, the structure that
#: sets them per socket (SIO_TCP_INITIAL_RTO), holds MaxSynRetransmissions as a UCHAR
#: (mstcpip.h), and a larger count would overflow the doubling RTO (3 * 2**2000 is no float).
MAX_RETRANSMISSIONS = 0xFF


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

    Raises:
        TypeError: a field of the wrong type (a str, a float count, a bool).
        ValueError: NaN, an infinity, a negative number, an RTO of 0, a count outside
            0..255, or an RTO or interval above 2**31 - 1 s.
    """

    #: The first SYN retransmission timeout, in seconds (finite, > 0).
    initial_rto: float = 3.0
    #: How many times an unanswered SYN is sent again before WSAETIMEDOUT (0..255).
    syn_retransmissions: int = 2
    #: How many times a SYN answered by RST is sent again before WSAECONNREFUSED (0..255).
    refused_retries: int = 2
    #: Seconds between a RST and the next SYN (finite, >= 0).
    refused_retry_interval: float = 1.0

    def __post_init__(self) -> None:
        # Frozen: the checked values (seconds as floats) are stored as the dataclass would.
        store = object.__setattr__
        # At most a timeval's 2**31 - 1 s each, so that the clock's sums stay finite (the
        # retransmission timeout doubles: 255 doublings of it still fit a float).
        initial_rto = checks.seconds(self.initial_rto, "initial_rto", maximum=checks.TIMEVAL_MAX)
        if initial_rto == 0:
            raise ValueError("initial_rto must be a number of seconds > 0, not 0")
        store(self, "initial_rto", initial_rto)
        store(
            self,
            "refused_retry_interval",
            checks.seconds(
                self.refused_retry_interval, "refused_retry_interval", maximum=checks.TIMEVAL_MAX
            ),
        )
        for name in ("syn_retransmissions", "refused_retries"):
            checks.integer(getattr(self, name), name, 0, MAX_RETRANSMISSIONS)

    def rto(self, syn_index: int) -> float:
        """The timeout that follows SYN number ``syn_index`` (0 for the first)."""
        return self.initial_rto * float(2**syn_index)

    @property
    def connect_timeout(self) -> float:
        """Seconds from the first SYN to WSAETIMEDOUT when nothing answers (21 s)."""
        return float(sum(self.rto(i) for i in range(self.syn_retransmissions + 1)))
