"""The Windows TCP connect timing model (SPEC.md section 5, NOTES.md section 4).

This module owns the numbers; :mod:`wsasim.tcp` applies them. Both profiles share them, since
the documentation gives none.

* An unanswered SYN is retransmitted after the retransmission timeout (RTO), which starts at
  3 s and doubles, twice: SYNs at 0, 3 and 9 s, and the connect fails with WSAETIMEDOUT at
  21 s (Microsoft KB 2786464; TcpMaxConnectRetransmissions).
* A SYN answered by RST is sent again 1 s after the RST arrives, twice, so a refused connect
  fails with WSAECONNREFUSED about 2 s after the first SYN plus three round trips (libuv PR
  2896, curl issue 14144: 2002-2011 ms measured on Windows, even on loopback).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TcpTiming:
    """Parameters of the connect timing model; the defaults are Windows 10/11's."""

    #: The first SYN retransmission timeout, in seconds.
    initial_rto: float = 3.0
    #: How many times an unanswered SYN is sent again before WSAETIMEDOUT.
    syn_retransmissions: int = 2
    #: How many times a SYN answered by RST is sent again before WSAECONNREFUSED.
    refused_retries: int = 2
    #: Seconds between a RST and the next SYN.
    refused_retry_interval: float = 1.0

    def __post_init__(self) -> None:
        if self.initial_rto <= 0 or self.refused_retry_interval < 0:
            raise ValueError("initial_rto must be > 0 and refused_retry_interval >= 0")
        if self.syn_retransmissions < 0 or self.refused_retries < 0:
            raise ValueError("syn_retransmissions and refused_retries must be >= 0")

    def rto(self, syn_index: int) -> float:
        """The timeout that follows SYN number ``syn_index`` (0 for the first)."""
        return self.initial_rto * float(2**syn_index)

    @property
    def connect_timeout(self) -> float:
        """Seconds from the first SYN to WSAETIMEDOUT when nothing answers (21 s)."""
        return float(sum(self.rto(i) for i in range(self.syn_retransmissions + 1)))
