"""Tests for wsasim.ports: the binding rules of one host and its ephemeral ports.

The rules are Windows' (Microsoft's "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE"; Wine's sock.c,
test_reuseaddr): the same address is shared only when both sockets set SO_REUSEADDR
(WSAEACCES when only the new one did); a specific address may bind inside a wildcard unless the
wildcard is exclusive (WSAEACCES); a wildcard may bind over a specific address unless the
wildcard is exclusive (WSAEADDRINUSE); an AF_INET6 wildcard with IPV6_V6ONLY off also holds
IPv4, as the most general binding of all.
"""

from __future__ import annotations

import pytest
from wsasim.ports import Binding, PortTable

from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.errors import WinsockError

TCP, UDP = C.SOCK_STREAM, C.SOCK_DGRAM
V4_ANY = bytes(4)
V4_A = bytes([192, 0, 2, 10])
V4_B = bytes([192, 0, 2, 11])
V6_ANY = bytes(16)
V6_A = bytes.fromhex("20010db8000000000000000000000010")
V4_MAPPED_A = bytes(10) + b"\xff\xff" + V4_A


def v4(packed: bytes = V4_ANY, *, reuse: bool = False, exclusive: bool = False) -> Binding:
    return Binding(C.AF_INET, packed, dual_stack=False, reuse=reuse, exclusive=exclusive)


def v6(
    packed: bytes = V6_ANY,
    *,
    dual_stack: bool = False,
    reuse: bool = False,
    exclusive: bool = False,
) -> Binding:
    return Binding(C.AF_INET6, packed, dual_stack=dual_stack, reuse=reuse, exclusive=exclusive)


def table(ephemeral: range = range(49152, 65536), start: int = 0) -> PortTable:
    return PortTable(ephemeral, start)


def assert_in_use(ports: PortTable, owner: int, type: int, port: int, binding: Binding) -> None:
    with pytest.raises(WinsockError) as info:
        ports.bind(owner, type, port, binding)
    assert info.value.winerror == E.WSAEADDRINUSE
    assert owner not in set(ports.holders(type, port))


# --- Conflicts -------------------------------------------------------------------------------


def test_same_address_and_port_conflicts() -> None:
    ports = table()
    assert ports.bind(1, TCP, 80, v4(V4_A)) == 80
    assert_in_use(ports, 2, TCP, 80, v4(V4_A))


def assert_refused(ports: PortTable, owner: int, port: int, binding: Binding, code: int) -> None:
    with pytest.raises(WinsockError) as info:
        ports.bind(owner, TCP, port, binding)
    assert info.value.winerror == code
    assert owner not in set(ports.holders(TCP, port))


def test_a_specific_address_and_a_wildcard_share_a_port_either_way() -> None:
    # sock.c test_reuseaddr, 2256 and 2290: no option needed; the more specific one is chosen.
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    assert ports.bind(2, TCP, 80, v4(V4_ANY)) == 80
    other = table()
    other.bind(1, TCP, 80, v4(V4_ANY))
    assert other.bind(2, TCP, 80, v4(V4_A)) == 80


def test_different_specific_addresses_share_a_port() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    assert ports.bind(2, TCP, 80, v4(V4_B)) == 80
    assert set(ports.holders(TCP, 80)) == {1, 2}


def test_different_ports_do_not_conflict() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    assert ports.bind(2, TCP, 81, v4(V4_A)) == 81


def test_tcp_and_udp_ports_are_separate() -> None:
    ports = table()
    ports.bind(1, TCP, 53, v4(V4_ANY))
    assert ports.bind(2, UDP, 53, v4(V4_ANY)) == 53


def test_ipv6_and_ipv4_specific_addresses_do_not_conflict() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v6(V6_A))
    assert ports.bind(2, TCP, 80, v4(V4_A)) == 80


def test_check_raises_without_recording() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    with pytest.raises(WinsockError) as info:
        ports.check(TCP, 80, v4(V4_A))
    assert info.value.winerror == E.WSAEADDRINUSE
    ports.check(TCP, 80, v4(V4_B))  # no conflict: no exception
    assert set(ports.holders(TCP, 80)) == {1}


def test_release_frees_the_port() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    ports.release(1, TCP, 80)
    assert list(ports.holders(TCP, 80)) == []
    assert ports.bind(2, TCP, 80, v4(V4_A)) == 80


def test_release_of_an_unknown_owner_is_harmless() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    ports.release(99, TCP, 80)
    ports.release(1, TCP, 81)
    assert set(ports.holders(TCP, 80)) == {1}


# --- SO_REUSEADDR and SO_EXCLUSIVEADDRUSE ------------------------------------------------------


def test_reuseaddr_on_the_new_socket_alone_is_wsaeacces() -> None:
    # sock.c test_reuseaddr, 2185: the first socket must have set SO_REUSEADDR too.
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    assert_refused(ports, 2, 80, v4(V4_A, reuse=True), E.WSAEACCES)


def test_reuseaddr_on_both_sockets_shares_the_address() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A, reuse=True))
    assert ports.bind(2, TCP, 80, v4(V4_A, reuse=True)) == 80
    assert set(ports.holders(TCP, 80)) == {1, 2}


def test_reuseaddr_only_on_the_existing_socket_does_not_allow_sharing() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A, reuse=True))
    assert_in_use(ports, 2, TCP, 80, v4(V4_A))


def test_an_exclusive_address_is_not_shared() -> None:
    # sock.c tests_exclusive row 19; and SO_REUSEADDR on the new socket is denied.
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A, exclusive=True))
    assert_in_use(ports, 2, TCP, 80, v4(V4_A))
    assert_refused(ports, 3, 80, v4(V4_A, reuse=True), E.WSAEACCES)


def test_exclusive_new_socket_cannot_join_a_used_address() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A, reuse=True))
    assert_in_use(ports, 2, TCP, 80, v4(V4_A, exclusive=True))


def test_exclusive_socket_on_a_non_overlapping_address_is_allowed() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A, exclusive=True))
    assert ports.bind(2, TCP, 80, v4(V4_B)) == 80


def test_an_exclusive_wildcard_denies_every_address_inside_it_with_wsaeacces() -> None:
    # sock.c tests_exclusive rows 0 and 3.
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_ANY, exclusive=True))
    assert_refused(ports, 2, 80, v4(V4_B), E.WSAEACCES)
    assert_refused(ports, 3, 80, v4(V4_B, reuse=True), E.WSAEACCES)


def test_a_wildcard_over_a_specific_address_may_not_be_exclusive() -> None:
    # sock.c tests_exclusive rows 4 and 5.
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    assert_in_use(ports, 2, TCP, 80, v4(V4_ANY, exclusive=True))
    assert ports.bind(3, TCP, 80, v4(V4_ANY)) == 80
    other = table()
    other.bind(1, TCP, 80, v4(V4_A, exclusive=True))
    assert other.bind(2, TCP, 80, v4(V4_ANY)) == 80


# --- Dual stack --------------------------------------------------------------------------------


def test_a_dual_stack_wildcard_is_more_general_than_an_ipv4_wildcard() -> None:
    # sock.c tests_exclusive rows 10, 11 and 14.
    ports = table()
    ports.bind(1, TCP, 80, v6(V6_ANY, dual_stack=True))
    assert ports.bind(2, TCP, 80, v4(V4_ANY)) == 80
    assert ports.bind(3, TCP, 80, v4(V4_A, exclusive=True)) == 80
    exclusive = table()
    exclusive.bind(1, TCP, 80, v6(V6_ANY, dual_stack=True, exclusive=True))
    assert_refused(exclusive, 2, 80, v4(V4_ANY), E.WSAEACCES)
    assert_refused(exclusive, 3, 80, v6(V6_A), E.WSAEACCES)


def test_an_exclusive_dual_stack_wildcard_over_ipv4_is_wsaeaddrinuse() -> None:
    # sock.c tests_exclusive row 6.
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    assert_in_use(ports, 2, TCP, 80, v6(V6_ANY, dual_stack=True, exclusive=True))
    assert ports.bind(3, TCP, 80, v6(V6_ANY, dual_stack=True)) == 80


def test_an_ipv4_mapped_address_is_its_ipv4_address() -> None:
    # sock.c tests_exclusive rows 9, 16 and 17.
    ports = table()
    ports.bind(1, TCP, 80, v6(V4_MAPPED_A, dual_stack=True))
    assert_in_use(ports, 2, TCP, 80, v4(V4_A))
    assert_in_use(ports, 3, TCP, 80, v4(V4_ANY, exclusive=True))


def test_v6only_wildcard_does_not_cover_ipv4() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v6(V6_ANY))
    assert ports.bind(2, TCP, 80, v4(V4_ANY)) == 80


def test_dual_stack_specific_ipv6_address_does_not_cover_ipv4() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v6(V6_A, dual_stack=True))
    assert ports.bind(2, TCP, 80, v4(V4_A)) == 80


# --- Ephemeral ports ----------------------------------------------------------------------------


def test_port_zero_takes_an_ephemeral_port_from_the_start_offset() -> None:
    ports = table(range(5000, 5010), start=3)
    assert ports.bind(1, TCP, 0, v4(V4_A)) == 5003
    assert set(ports.holders(TCP, 5003)) == {1}


def test_start_offset_wraps_modulo_the_range() -> None:
    ports = table(range(5000, 5010), start=23)
    assert ports.bind(1, TCP, 0, v4(V4_A)) == 5003


def test_ephemeral_allocation_cycles_through_the_range() -> None:
    ports = table(range(5000, 5004), start=2)
    got = [ports.bind(n, TCP, 0, v4(V4_A)) for n in range(4)]
    assert got == [5002, 5003, 5000, 5001]


def test_ephemeral_allocation_moves_on_rather_than_reusing_a_released_port() -> None:
    ports = table(range(5000, 5004), start=0)
    first = ports.bind(1, TCP, 0, v4(V4_A))
    ports.release(1, TCP, first)
    assert ports.bind(2, TCP, 0, v4(V4_A)) == 5001


def test_ephemeral_allocation_skips_ports_held_explicitly() -> None:
    ports = table(range(5000, 5004), start=0)
    ports.bind(1, TCP, 5000, v4(V4_B))
    ports.bind(2, TCP, 5001, v4(V4_B))
    assert ports.bind(3, TCP, 0, v4(V4_A)) == 5002


def test_ephemeral_port_is_never_shared_even_with_reuseaddr() -> None:
    ports = table(range(5000, 5002), start=0)
    ports.bind(1, TCP, 0, v4(V4_A, reuse=True))
    ports.bind(2, TCP, 0, v4(V4_B, reuse=True))
    assert_no_buffers(ports, 3, TCP, v4(V4_A, reuse=True))


def test_ephemeral_ports_are_counted_per_protocol() -> None:
    ports = table(range(5000, 5001), start=0)
    assert ports.bind(1, TCP, 0, v4(V4_A)) == 5000
    assert ports.bind(2, UDP, 0, v4(V4_A)) == 5000


def assert_no_buffers(ports: PortTable, owner: int, type: int, binding: Binding) -> None:
    with pytest.raises(WinsockError) as info:
        ports.bind(owner, type, 0, binding)
    assert info.value.winerror == E.WSAENOBUFS


def test_exhausted_range_is_wsaenobufs() -> None:
    ports = table(range(5000, 5003), start=1)
    for owner in range(3):
        ports.bind(owner, TCP, 0, v4(V4_A))
    assert_no_buffers(ports, 3, TCP, v4(V4_A))


def test_released_port_is_found_again_after_exhaustion() -> None:
    ports = table(range(5000, 5003), start=0)
    for owner in range(3):
        ports.bind(owner, TCP, 0, v4(V4_A))
    ports.release(1, TCP, 5001)
    assert ports.bind(9, TCP, 0, v4(V4_A)) == 5001
    assert_no_buffers(ports, 10, TCP, v4(V4_A))


def test_empty_range_is_wsaenobufs_at_once() -> None:
    ports = table(range(0), start=0)
    assert_no_buffers(ports, 1, TCP, v4(V4_A))
    assert ports.bind(1, TCP, 80, v4(V4_A)) == 80  # explicit ports still work


# An AF_INET6 dual-stack socket bound to ::ffff:192.0.2.10 holds the IPv4 endpoint
# 192.0.2.10 (Host.find_listener serves IPv4 through it), so the two conflict.
def test_v4_mapped_dual_stack_binding_conflicts_with_the_same_ipv4_address() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v4(V4_A))
    assert_in_use(ports, 2, TCP, 80, v6(V4_MAPPED_A, dual_stack=True))


def test_v4_mapped_dual_stack_binding_leaves_other_ipv4_addresses_free() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v6(V4_MAPPED_A, dual_stack=True))
    assert ports.bind(2, TCP, 80, v4(V4_B)) == 80


def test_ipv4_binding_conflicts_with_an_earlier_v4_mapped_dual_stack_one() -> None:
    ports = table()
    ports.bind(1, TCP, 80, v6(V4_MAPPED_A, dual_stack=True))
    assert_in_use(ports, 2, TCP, 80, v4(V4_A))
