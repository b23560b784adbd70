"""The Winsock structures the low-level calls take, as Python value objects: WSABUF, FLOWSPEC
and QOS (WSAConnect), and TCP_INITIAL_RTO_PARAMETERS (WSAIoctl's SIO_TCP_INITIAL_RTO).

This module owns their shape and the type and range checks on their fields; what a backend
does with them (WSAEFAULT for a WSABUF whose ``len`` exceeds its buffer, WSAEOPNOTSUPP for a
service type no provider offers, the connect timing SIO_TCP_INITIAL_RTO sets) belongs to the
backends.

``WSABUF`` is mutable because it is also an out-parameter: WSAConnect sets ``callee_data.len``
to the number of bytes the peer sent back (0 over TCP/IP). ``FLOWSPEC``, ``QOS`` and
``TcpInitialRtoParameters`` are immutable values.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field, fields

from wsaconnect import checks
from wsaconnect import constants as C

_U32_MAX = 0xFFFFFFFF
_len = len  # WSABUF names a field "len", after the C member


class WSABUF:
    """A buffer and its declared length, as ``WSABUF { ULONG len; CHAR *buf; }``.

    Args:
        len: the declared length; None means ``len(buf)``. A length larger than the buffer is
            allowed here, because it is how a caller expresses the C mistake Winsock answers
            with WSAEFAULT.
        buf: the bytes (for input) or a bytearray (for output); None is a NULL ``buf``.

    Raises:
        TypeError: ``len`` is not an int or ``buf`` is not bytes-like.
        ValueError: ``len`` is negative or over 0xFFFFFFFF.
    """

    __slots__ = ("buf", "len")

    def __init__(self, len: int | None = None, buf: bytes | bytearray | None = None) -> None:
        if buf is not None and not isinstance(buf, (bytes, bytearray)):
            raise TypeError(f"buf must be bytes, bytearray or None, not {type(buf).__name__}")
        if len is None:
            len = 0 if buf is None else _len(buf)
        if isinstance(len, bool) or not isinstance(len, int):
            raise TypeError(f"len must be an int, not {type(len).__name__}")
        if not 0 <= len <= _U32_MAX:
            raise ValueError(f"len must be 0-{_U32_MAX}, not {len}")
        self.len = len
        self.buf = buf

    @property
    def overruns(self) -> bool:
        """True when ``len`` claims more bytes than ``buf`` holds (Winsock: WSAEFAULT)."""
        return self.len > (0 if self.buf is None else _len(self.buf))

    def __repr__(self) -> str:
        return f"WSABUF(len={self.len}, buf={self.buf!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WSABUF):
            return NotImplemented
        return (self.len, self.buf) == (other.len, other.buf)

    __hash__ = None  # type: ignore[assignment]  # mutable: WSAConnect writes len back


def _u32(default: int = C.QOS_NOT_SPECIFIED) -> int:
    return field(default=default)


@dataclass(frozen=True)
class FLOWSPEC:
    """``FLOWSPEC`` (qos.h): one direction's traffic specification.

    Every field is a ULONG named after the C field in snake case; the ones not given are
    ``QOS_NOT_SPECIFIED``, and ``service_type`` defaults to ``SERVICETYPE_BESTEFFORT``.

    Raises:
        TypeError: a field is not an int.
        ValueError: a field is outside 0..0xFFFFFFFF.
    """

    token_rate: int = _u32()
    token_bucket_size: int = _u32()
    peak_bandwidth: int = _u32()
    latency: int = _u32()
    delay_variation: int = _u32()
    service_type: int = _u32(C.SERVICETYPE_BESTEFFORT)
    max_sdu_size: int = _u32()
    minimum_policed_size: int = _u32()

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"FLOWSPEC.{f.name} must be an int, not {type(value).__name__}")
            if not 0 <= value <= _U32_MAX:
                raise ValueError(f"FLOWSPEC.{f.name} must be 0-{_U32_MAX}, not {value}")

    @property
    def base_service_type(self) -> int:
        """``service_type`` without the SERVICE_NO_* flag bits."""
        return self.service_type & ~(C.SERVICE_NO_QOS_SIGNALING | C.SERVICE_NO_TRAFFIC_CONTROL)


@dataclass(frozen=True)
class QOS:
    """``QOS`` (winsock2.h): a FLOWSPEC for each direction and provider-specific bytes.

    Raises:
        TypeError: ``sending``/``receiving`` are not FLOWSPEC, ``provider_specific`` not WSABUF.
    """

    sending: FLOWSPEC = field(default_factory=FLOWSPEC)
    receiving: FLOWSPEC = field(default_factory=FLOWSPEC)
    provider_specific: WSABUF | None = None

    def __post_init__(self) -> None:
        for name in ("sending", "receiving"):
            value = getattr(self, name)
            if not isinstance(value, FLOWSPEC):
                raise TypeError(f"QOS.{name} must be a FLOWSPEC, not {type(value).__name__}")
        if self.provider_specific is not None and not isinstance(self.provider_specific, WSABUF):
            raise TypeError(
                "QOS.provider_specific must be a WSABUF or None, "
                f"not {type(self.provider_specific).__name__}"
            )


#: ``TCP_INITIAL_RTO_PARAMETERS { USHORT Rtt; UCHAR MaxSynRetransmissions; }`` (mstcpip.h),
#: little-endian with its padding byte: ``sizeof`` is 4 (the native tests compare it).
_RTO_PARAMETERS = struct.Struct("<HBx")


@dataclass(frozen=True)
class TcpInitialRtoParameters:
    """``TCP_INITIAL_RTO_PARAMETERS`` (mstcpip.h): the input of ``SIO_TCP_INITIAL_RTO``.

    Microsoft's "TCP_INITIAL_RTO_PARAMETERS structure" page: ``Rtt`` is the initial round trip
    time estimate in milliseconds, from which the retransmission timeout is computed;
    ``MaxSynRetransmissions`` the number of retransmissions before the connection setup fails.
    ``TCP_INITIAL_RTO_UNSPECIFIED_*`` (the defaults here) leave a field to the administrator's
    setting, ``TCP_INITIAL_RTO_DEFAULT_*`` (0) ask for the system default, and
    ``TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS`` for no SYN retransmission at all: what Go
    (golang/go#23366) and libuv (PR #2896) set on loopback connects, as
    :data:`NO_SYN_RETRANSMISSIONS` does.

    Attributes:
        rtt: a USHORT, 0..0xFFFF.
        max_syn_retransmissions: a UCHAR, 0..0xFF.

    Raises:
        TypeError: a field is not an int.
        ValueError: a field is outside its C type.
    """

    rtt: int = C.TCP_INITIAL_RTO_UNSPECIFIED_RTT
    max_syn_retransmissions: int = C.TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS

    def __post_init__(self) -> None:
        checks.integer(self.rtt, "TcpInitialRtoParameters.rtt", 0, 0xFFFF)
        checks.integer(
            self.max_syn_retransmissions,
            "TcpInitialRtoParameters.max_syn_retransmissions",
            0,
            0xFF,
        )

    def pack(self) -> bytes:
        """The structure's 4 bytes, as WSAIoctl's ``lpvInBuffer`` holds it."""
        return _RTO_PARAMETERS.pack(self.rtt, self.max_syn_retransmissions)

    @classmethod
    def unpack(cls, data: bytes) -> TcpInitialRtoParameters:
        """The structure at the start of ``data`` (its padding byte is ignored).

        Raises:
            ValueError: ``data`` is shorter than the structure.
        """
        if len(data) < _RTO_PARAMETERS.size:
            raise ValueError(
                f"TCP_INITIAL_RTO_PARAMETERS is {_RTO_PARAMETERS.size} bytes, not {len(data)}"
            )
        rtt, count = _RTO_PARAMETERS.unpack_from(data)
        return cls(rtt, count)


#: Rtt unspecified and no SYN retransmission: a refused loopback connect fails in one round
#: trip instead of about 2 s (docs/windows.md, "Refused connects and the controls").
NO_SYN_RETRANSMISSIONS = TcpInitialRtoParameters(
    max_syn_retransmissions=C.TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS
)
