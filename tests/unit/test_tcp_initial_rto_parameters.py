"""wsaconnect.structures.TcpInitialRtoParameters: TCP_INITIAL_RTO_PARAMETERS (mstcpip.h) packed
as WSAIoctl's input, and its values' checks."""

from __future__ import annotations

import pytest

from wsaconnect import constants as C
from wsaconnect.structures import NO_SYN_RETRANSMISSIONS, TcpInitialRtoParameters


def test_the_constants_have_their_mstcpip_values() -> None:
    # mstcpip.h: (USHORT)-1, (UCHAR)-1, 0, 0, (UCHAR)-2; _WSAIOW(IOC_VENDOR, 17).
    assert C.TCP_INITIAL_RTO_UNSPECIFIED_RTT == 0xFFFF
    assert C.TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS == 0xFF
    assert C.TCP_INITIAL_RTO_DEFAULT_RTT == 0
    assert C.TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS == 0
    assert C.TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS == 0xFE
    assert C.SIO_TCP_INITIAL_RTO == 0x98000011 == C.IOC_IN | C.IOC_VENDOR | 17


def test_pack_is_a_little_endian_ushort_a_uchar_and_a_padding_byte() -> None:
    assert TcpInitialRtoParameters(1000, 2).pack() == b"\xe8\x03\x02\x00"
    assert len(TcpInitialRtoParameters().pack()) == C.TCP_INITIAL_RTO_PARAMETERS_SIZE == 4


def test_the_defaults_are_unspecified() -> None:
    assert TcpInitialRtoParameters().pack() == b"\xff\xff\xff\x00"


def test_no_syn_retransmissions_is_what_go_and_libuv_pass() -> None:
    # golang/go#23366, libuv PR 2896: Rtt unspecified, MaxSynRetransmissions (UCHAR)-2.
    assert TcpInitialRtoParameters(0xFFFF, 0xFE) == NO_SYN_RETRANSMISSIONS
    assert NO_SYN_RETRANSMISSIONS.pack() == b"\xff\xff\xfe\x00"


@pytest.mark.parametrize(
    "value", [TcpInitialRtoParameters(0, 0), TcpInitialRtoParameters(65535, 255)]
)
def test_unpack_reads_back_what_pack_wrote_and_ignores_the_rest(
    value: TcpInitialRtoParameters,
) -> None:
    assert TcpInitialRtoParameters.unpack(value.pack()) == value
    assert TcpInitialRtoParameters.unpack(value.pack() + b"\x99\x99") == value
    assert TcpInitialRtoParameters.unpack(value.pack()[:3] + b"\x7f") == value  # padding


@pytest.mark.parametrize("data", [b"", b"\x01", b"\x01\x02\x03"])
def test_unpack_of_less_than_the_structure_is_a_value_error(data: bytes) -> None:
    with pytest.raises(ValueError, match=r"TCP_INITIAL_RTO_PARAMETERS is 4 bytes"):
        TcpInitialRtoParameters.unpack(data)


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"rtt": -1}, ValueError, "rtt"),
        ({"rtt": 0x10000}, ValueError, "rtt"),
        ({"rtt": 1.0}, TypeError, "rtt"),
        ({"rtt": True}, TypeError, "rtt"),
        ({"max_syn_retransmissions": 256}, ValueError, "max_syn_retransmissions"),
        ({"max_syn_retransmissions": -2}, ValueError, "max_syn_retransmissions"),
        ({"max_syn_retransmissions": "2"}, TypeError, "max_syn_retransmissions"),
    ],
)
def test_a_field_outside_its_c_type_raises_naming_it(
    kwargs: dict[str, object], error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=rf"^TcpInitialRtoParameters\.{field} "):
        TcpInitialRtoParameters(**kwargs)  # type: ignore[arg-type]


def test_it_is_an_immutable_value() -> None:
    value = TcpInitialRtoParameters(1, 2)
    with pytest.raises(AttributeError):
        value.rtt = 3  # type: ignore[misc]
    assert value == TcpInitialRtoParameters(1, 2)
    assert hash(value) == hash(TcpInitialRtoParameters(1, 2))
