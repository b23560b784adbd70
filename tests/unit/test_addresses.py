"""Tests for wsaconnect.addresses: tuples, Windows-layout SOCKADDR bytes, and address tests.

The expected byte layouts are written out by hand from ws2def.h / ws2ipdef.h (``sockaddr_in``:
family u16 little-endian, port u16 big-endian, 4 address bytes, 8 zero bytes;
``sockaddr_in6``: family, port, flowinfo u32, 16 address bytes, scope_id u32), so that the
module is checked against Windows rather than against itself.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import (
    SockAddr,
    decode,
    from_bytes,
    from_tuple,
    is_limited_broadcast,
    is_loopback,
    is_unspecified,
    is_v4_mapped,
    map_tuple,
    parse_host,
    size_of,
    unmapped,
    v4_mapped,
)
from wsaconnect.errors import WinsockError

# 192.0.2.1:80 as a Windows sockaddr_in.
IN_192_0_2_1_80 = b"\x02\x00" + b"\x00\x50" + bytes([192, 0, 2, 1]) + b"\x00" * 8
# [2001:db8::1]:443, flowinfo 7, scope_id 5 as a Windows sockaddr_in6.
IN6_2001_DB8_1_443 = (
    b"\x17\x00"
    + b"\x01\xbb"
    + b"\x07\x00\x00\x00"
    + bytes.fromhex("20010db8000000000000000000000001")
    + b"\x05\x00\x00\x00"
)


def winsock_code(info: pytest.ExceptionInfo[WinsockError]) -> int:
    return info.value.winerror


# --- Layout and round trips ----------------------------------------------------------------


def test_ipv4_tuple_encodes_to_the_16_byte_windows_layout() -> None:
    raw = from_tuple(("192.0.2.1", 80)).to_bytes()
    assert len(raw) == C.SOCKADDR_IN_SIZE == 16
    assert raw == IN_192_0_2_1_80


def test_ipv6_tuple_encodes_to_the_28_byte_windows_layout() -> None:
    raw = from_tuple(("2001:db8::1", 443, 7, 5)).to_bytes()
    assert len(raw) == C.SOCKADDR_IN6_SIZE == 28
    assert raw == IN6_2001_DB8_1_443


def test_family_is_little_endian_and_port_big_endian() -> None:
    raw = from_tuple(("10.0.0.1", 0x1234)).to_bytes()
    assert raw[0:2] == b"\x02\x00"  # AF_INET = 2, little-endian
    assert raw[2:4] == b"\x12\x34"  # network order
    raw6 = from_tuple(("::1", 0xABCD)).to_bytes()
    assert raw6[0:2] == b"\x17\x00"  # AF_INET6 = 23, little-endian
    assert raw6[2:4] == b"\xab\xcd"


def test_ipv4_bytes_decode_to_the_tuple() -> None:
    decoded = decode(IN_192_0_2_1_80, socket_family=C.AF_INET)
    assert decoded == SockAddr(C.AF_INET, bytes([192, 0, 2, 1]), 80)
    assert decoded is not None
    assert decoded.to_tuple() == ("192.0.2.1", 80)


def test_ipv6_bytes_decode_to_the_four_tuple() -> None:
    decoded = decode(IN6_2001_DB8_1_443, socket_family=C.AF_INET6)
    assert decoded is not None
    assert decoded.to_tuple() == ("2001:db8::1", 443, 7, 5)


def test_ipv6_two_tuple_gets_zero_flowinfo_and_scope_id() -> None:
    address = from_tuple(("::1", 8080))
    assert address.to_tuple() == ("::1", 8080, 0, 0)


def test_ipv4_round_trips_through_bytes_and_tuple() -> None:
    original = ("203.0.113.9", 65535)
    raw = from_tuple(original).to_bytes()
    decoded = decode(raw, socket_family=C.AF_INET)
    assert decoded is not None
    assert decoded.to_tuple() == original


def test_from_bytes_returns_none_for_unspecified_family() -> None:
    assert from_bytes(b"\x00" * 16) is None


def test_size_of_each_family() -> None:
    assert size_of(C.AF_INET) == 16
    assert size_of(C.AF_INET6) == 28


def test_str_brackets_ipv6_only() -> None:
    assert str(from_tuple(("192.0.2.1", 80))) == "192.0.2.1:80"
    assert str(from_tuple(("2001:db8::1", 80))) == "[2001:db8::1]:80"


def test_with_port_changes_only_the_port() -> None:
    address = from_tuple(("2001:db8::1", 80, 3, 4)).with_port(81)
    assert address.to_tuple() == ("2001:db8::1", 81, 3, 4)


def test_decode_accepts_bytearray_and_memoryview() -> None:
    for raw in (bytearray(IN_192_0_2_1_80), memoryview(IN_192_0_2_1_80)):
        decoded = decode(raw, socket_family=C.AF_INET)
        assert decoded == from_tuple(("192.0.2.1", 80))


def test_decode_uses_namelen_prefix_of_a_longer_buffer() -> None:
    decoded = decode(IN_192_0_2_1_80 + b"\xff" * 12, 16, socket_family=C.AF_INET)
    assert decoded == from_tuple(("192.0.2.1", 80))


# --- decode(): the checks and their order ----------------------------------------------------


def test_null_name_is_wsaefault() -> None:
    with pytest.raises(WinsockError) as info:
        decode(None, socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEFAULT


def test_null_name_with_a_namelen_is_still_wsaefault() -> None:
    with pytest.raises(WinsockError) as info:
        decode(None, 16, socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEFAULT


def test_namelen_larger_than_the_buffer_is_wsaefault() -> None:
    with pytest.raises(WinsockError) as info:
        decode(IN_192_0_2_1_80, 17, socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEFAULT


@pytest.mark.parametrize("namelen", [-1, 0, 1])
def test_namelen_shorter_than_the_family_field_is_wsaefault(namelen: int) -> None:
    with pytest.raises(WinsockError) as info:
        decode(IN_192_0_2_1_80, namelen, socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEFAULT


def test_one_byte_buffer_is_wsaefault() -> None:
    with pytest.raises(WinsockError) as info:
        decode(b"\x02", socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEFAULT


@pytest.mark.parametrize("size", [2, 8, 16, 28, 128])
def test_all_zero_structure_is_decoded_as_none(size: int) -> None:
    assert decode(b"\x00" * size, socket_family=C.AF_INET) is None
    assert decode(b"\x00" * size, socket_family=C.AF_INET6) is None


def test_all_zero_is_judged_over_namelen_only() -> None:
    raw = b"\x00" * 8 + b"\x01" * 8
    assert decode(raw, 8, socket_family=C.AF_INET) is None


def test_all_zero_wins_over_namelen_too_small_for_the_family() -> None:
    # Check 2 (all zero) comes before check 4 (namelen smaller than sockaddr_in).
    assert decode(b"\x00" * 16, 4, socket_family=C.AF_INET) is None


def test_ipv4_address_any_with_family_set_is_not_all_zero() -> None:
    decoded = decode(from_tuple(("0.0.0.0", 0)).to_bytes(), socket_family=C.AF_INET)
    assert decoded is not None
    assert is_unspecified(decoded)


@pytest.mark.parametrize("family", [1, 3, 17, 0x1700, 0xFFFF])
def test_other_family_is_wsaeafnosupport(family: int) -> None:
    raw = family.to_bytes(2, "little") + IN_192_0_2_1_80[2:]
    with pytest.raises(WinsockError) as info:
        decode(raw, socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEAFNOSUPPORT


def test_ipv6_bytes_on_an_ipv4_socket_is_wsaeafnosupport() -> None:
    with pytest.raises(WinsockError) as info:
        decode(IN6_2001_DB8_1_443, socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEAFNOSUPPORT


def test_ipv4_bytes_on_an_ipv6_socket_is_wsaeafnosupport() -> None:
    with pytest.raises(WinsockError) as info:
        decode(IN_192_0_2_1_80, socket_family=C.AF_INET6)
    assert winsock_code(info) == E.WSAEAFNOSUPPORT


def test_ipv4_tuple_on_an_ipv6_socket_is_wsaeafnosupport() -> None:
    with pytest.raises(WinsockError) as info:
        decode(("192.0.2.1", 80), socket_family=C.AF_INET6)
    assert winsock_code(info) == E.WSAEAFNOSUPPORT


def test_family_mismatch_wins_over_namelen_too_small() -> None:
    # Check 3 (family) comes before check 4 (namelen smaller than the family's structure).
    with pytest.raises(WinsockError) as info:
        decode(IN6_2001_DB8_1_443, 16, socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEAFNOSUPPORT


@pytest.mark.parametrize("namelen", [2, 8, 15])
def test_namelen_too_small_for_ipv4_is_wsaefault(namelen: int) -> None:
    with pytest.raises(WinsockError) as info:
        decode(IN_192_0_2_1_80, namelen, socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEFAULT


@pytest.mark.parametrize("namelen", [16, 24, 27])
def test_namelen_too_small_for_ipv6_is_wsaefault(namelen: int) -> None:
    with pytest.raises(WinsockError) as info:
        decode(IN6_2001_DB8_1_443, namelen, socket_family=C.AF_INET6)
    assert winsock_code(info) == E.WSAEFAULT


def test_ipv6_bytes_cut_to_16_is_wsaefault_not_garbage() -> None:
    with pytest.raises(WinsockError) as info:
        decode(IN6_2001_DB8_1_443[:16], socket_family=C.AF_INET6)
    assert winsock_code(info) == E.WSAEFAULT


def test_tuple_with_namelen_too_small_is_wsaefault() -> None:
    with pytest.raises(WinsockError) as info:
        decode(("192.0.2.1", 80), 8, socket_family=C.AF_INET)
    assert winsock_code(info) == E.WSAEFAULT


def test_tuple_with_a_generous_namelen_is_accepted() -> None:
    decoded = decode(("192.0.2.1", 80), C.SOCKADDR_STORAGE_SIZE, socket_family=C.AF_INET)
    assert decoded == from_tuple(("192.0.2.1", 80))


def test_decode_namelen_of_the_wrong_type_is_type_error() -> None:
    with pytest.raises(TypeError, match="namelen"):
        decode(IN_192_0_2_1_80, "16", socket_family=C.AF_INET)
    with pytest.raises(TypeError, match="namelen"):
        decode(IN_192_0_2_1_80, True, socket_family=C.AF_INET)


def test_decode_name_of_the_wrong_type_is_type_error() -> None:
    with pytest.raises(TypeError, match="name"):
        decode(["192.0.2.1", 80], socket_family=C.AF_INET)
    with pytest.raises(TypeError, match="name"):
        decode("192.0.2.1", socket_family=C.AF_INET)


# --- Bad tuples ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "exception", "words"),
    [
        ((b"192.0.2.1", 80), TypeError, "host"),
        ((192, 80), TypeError, "host"),
        (("192.0.2.1", "80"), TypeError, "port"),
        (("192.0.2.1", True), TypeError, "port"),
        (("192.0.2.1", 80.0), TypeError, "port"),
        (("192.0.2.1", 70000), ValueError, "port"),
        (("192.0.2.1", -1), ValueError, "port"),
        (("example.com", 80), ValueError, "example.com"),
        (("localhost", 80), ValueError, "localhost"),
        (("192.0.2", 80), ValueError, "192.0.2"),
        (("2001:db8::zz", 80), ValueError, "2001:db8::zz"),
        (("192.0.2.1", 80, 0, 0), ValueError, "IPv6"),
        (("::1", 80, "0", 0), TypeError, "flowinfo"),
        (("::1", 80, 0, None), TypeError, "scope_id"),
        (("::1", 80, 2**32, 0), ValueError, "flowinfo"),
        (("::1", 80, 0, -1), ValueError, "scope_id"),
        (("192.0.2.1",), TypeError, "tuple"),
        (("192.0.2.1", 80, 0), TypeError, "tuple"),
        ("192.0.2.1", TypeError, "tuple"),
    ],
)
def test_bad_tuple_raises_naming_the_argument(
    address: object, exception: type[Exception], words: str
) -> None:
    with pytest.raises(exception) as info:
        from_tuple(address, "remote")
    message = str(info.value)
    assert message.startswith("remote")
    assert words in message


def test_from_tuple_names_name_by_default() -> None:
    with pytest.raises(ValueError, match=r"^name: port must be 0-65535, not 70000$"):
        from_tuple(("192.0.2.1", 70000))


def test_bool_port_is_not_taken_for_one() -> None:
    with pytest.raises(TypeError, match="port must be an int, not bool"):
        from_tuple(("192.0.2.1", True))


def test_parse_host_gives_family_and_packed() -> None:
    assert parse_host("192.0.2.1") == (C.AF_INET, bytes([192, 0, 2, 1]))
    assert parse_host("::1") == (C.AF_INET6, b"\x00" * 15 + b"\x01")


def test_parse_host_rejects_non_str_and_names() -> None:
    with pytest.raises(TypeError, match="target"):
        parse_host(b"192.0.2.1", "target")
    with pytest.raises(ValueError, match=r"example\.com"):
        parse_host("example.com")


# --- IPv4-mapped helpers ---------------------------------------------------------------------


def test_v4_mapped_makes_the_ffff_prefix_form() -> None:
    mapped = v4_mapped(from_tuple(("192.0.2.1", 80)))
    assert mapped.family == C.AF_INET6
    assert mapped.packed == b"\x00" * 10 + b"\xff\xff" + bytes([192, 0, 2, 1])
    assert mapped.port == 80
    assert is_v4_mapped(mapped)


def test_v4_mapped_leaves_ipv6_unchanged() -> None:
    address = from_tuple(("2001:db8::1", 80))
    assert v4_mapped(address) is address


def test_unmapped_inverts_v4_mapped() -> None:
    address = from_tuple(("198.51.100.7", 1234))
    assert unmapped(v4_mapped(address)) == address


def test_unmapped_leaves_plain_ipv6_and_ipv4_unchanged() -> None:
    six = from_tuple(("2001:db8::1", 80))
    four = from_tuple(("192.0.2.1", 80))
    assert unmapped(six) is six
    assert unmapped(four) is four


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("::ffff:192.0.2.1", True),
        ("::ffff:0.0.0.0", True),
        ("::192.0.2.1", False),  # the deprecated IPv4-compatible form
        ("64:ff9b::192.0.2.1", False),  # NAT64, not mapped
        ("2001:db8::1", False),
        ("192.0.2.1", False),
    ],
)
def test_is_v4_mapped(host: str, expected: bool) -> None:
    assert is_v4_mapped(from_tuple((host, 0))) is expected


def test_map_tuple_maps_ipv4_and_keeps_ipv6() -> None:
    assert map_tuple(("192.0.2.1", 80)) == ("::ffff:192.0.2.1", 80, 0, 0)
    assert map_tuple(("2001:db8::1", 80, 1, 2)) == ("2001:db8::1", 80, 1, 2)


# --- Address tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [("0.0.0.0", True), ("::", True), ("0.0.0.1", False), ("::1", False), ("192.0.2.1", False)],
)
def test_is_unspecified(host: str, expected: bool) -> None:
    assert is_unspecified(from_tuple((host, 80))) is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("128.0.0.1", False),
        ("126.255.255.255", False),
        ("::2", False),
        ("::", False),
        ("::ffff:127.0.0.1", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(from_tuple((host, 0)).packed) is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("255.255.255.255", True),
        ("192.0.2.255", False),  # a subnet broadcast is not the limited broadcast
        ("0.0.0.0", False),
        ("::ffff:255.255.255.255", False),
        ("ff02::1", False),
    ],
)
def test_is_limited_broadcast(host: str, expected: bool) -> None:
    assert is_limited_broadcast(from_tuple((host, 0))) is expected


# --- Property: any address and port round-trips --------------------------------------------

ports = st.integers(min_value=0, max_value=0xFFFF)
u32 = st.integers(min_value=0, max_value=0xFFFFFFFF)


@given(address=st.ip_addresses(v=4), port=ports)
def test_any_ipv4_address_and_port_round_trip(address: ipaddress.IPv4Address, port: int) -> None:
    original = from_tuple((str(address), port))
    raw = original.to_bytes()
    assert len(raw) == 16
    decoded = decode(raw, socket_family=C.AF_INET)
    assert decoded == original
    assert decoded is not None
    host, back_port = decoded.to_tuple()[:2]
    assert ipaddress.ip_address(host) == address
    assert back_port == port


@given(address=st.ip_addresses(v=6), port=ports, flowinfo=u32, scope_id=u32)
def test_any_ipv6_address_and_port_round_trip(
    address: ipaddress.IPv6Address, port: int, flowinfo: int, scope_id: int
) -> None:
    original = from_tuple((str(address), port, flowinfo, scope_id))
    raw = original.to_bytes()
    assert len(raw) == 28
    decoded = decode(raw, socket_family=C.AF_INET6)
    assert decoded == original
    assert decoded is not None
    host, back_port, back_flowinfo, back_scope = decoded.to_tuple()  # type: ignore[misc]
    assert ipaddress.ip_address(host) == address
    assert (back_port, back_flowinfo, back_scope) == (port, flowinfo, scope_id)
    assert from_tuple(decoded.to_tuple()) == original


# --- The parsed-name memo (decode of a tuple) -------------------------------------------------


@pytest.mark.parametrize("port", [80.0, True])
def test_decode_remembers_a_name_but_a_float_or_bool_port_still_raises(port: object) -> None:
    # ("h", 80.0) and ("h", True) equal and hash like ("h", 80) and ("h", 1): a memo keyed by
    # value alone would hand them the remembered answer.
    number = int(port)  # type: ignore[call-overload]
    first = decode(("192.0.2.1", number), socket_family=C.AF_INET)
    assert first is decode(("192.0.2.1", number), socket_family=C.AF_INET)  # remembered
    with pytest.raises(TypeError, match="port must be an int"):
        decode(("192.0.2.1", port), socket_family=C.AF_INET)


def test_decode_of_a_four_tuple_with_float_numbers_raises() -> None:
    assert decode(("::1", 80, 0, 0), socket_family=C.AF_INET6) is not None
    with pytest.raises(TypeError, match="flowinfo must be an int"):
        decode(("::1", 80, 0.0, 0), socket_family=C.AF_INET6)


def test_decode_does_not_remember_a_failure() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="port must be 0-65535"):
            decode(("192.0.2.1", 70000), socket_family=C.AF_INET)


def test_decode_of_a_str_subclass_host_is_parsed() -> None:
    class Host(str):
        pass

    decoded = decode((Host("192.0.2.1"), 80), socket_family=C.AF_INET)
    assert decoded == from_tuple(("192.0.2.1", 80))
