"""Tests for wsaconnect.ordering: RFC 6724 ordering of WSAConnectByList's address pairs.

The worked examples are RFC 6724 section 10.1 (source selection) and 10.2 (destination
selection), each with its candidate sets and result as the RFC prints them. The examples that
turn on information a host does not have here (deprecated, home and temporary addresses) are
strict xfails: they state the RFC's result, and a companion test states what happens instead.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsaconnect import constants as C
from wsaconnect.addresses import SockAddr, from_tuple, is_v4_mapped, unmapped
from wsaconnect.ordering import (
    SCOPE_GLOBAL,
    SCOPE_LINK_LOCAL,
    SCOPE_SITE_LOCAL,
    LocalAddress,
    Pair,
    address_pairs,
    common_prefix_len,
    label,
    precedence,
    rank_sources,
    scope,
    sort_destinations,
    unreachable_destinations,
)


def addr(host: str, port: int = 0, scope_id: int = 0) -> SockAddr:
    if scope_id:
        return from_tuple((host, port, 0, scope_id))
    return from_tuple((host, port))


def local(text: str) -> LocalAddress:
    """A local address; IPv6 ones without a prefix get /64, the usual on-link prefix."""
    if "/" not in text and ":" in text:
        text += "/64"
    return LocalAddress.parse(text)


def norm(host: str) -> str:
    """The host as inet_ntop writes it, so that expected results can be copied from the RFC."""
    return addr(host).host


def best_source(destination: str, candidates: list[str]) -> str:
    return rank_sources(addr(destination), [local(c) for c in candidates])[0].address.host


def ordered(destinations: list[str], sources: list[str]) -> list[tuple[str, str]]:
    """(destination, its best source) in the order WSAConnectByList tries them, unmapped."""
    pairs = address_pairs([addr(d, 80) for d in destinations], [local(s) for s in sources])
    seen: dict[str, str] = {}
    for pair in pairs:
        seen.setdefault(unmapped(pair.remote).host, unmapped(pair.local).host)
    return list(seen.items())


# --- RFC 6724 section 10.1: source address selection -----------------------------------------

RFC_10_1_NOT_HERE = "needs deprecated/home/temporary flags, which a host does not have here"


@pytest.mark.parametrize(
    ("destination", "candidates", "expected"),
    [
        # The RFC prints the result as 2001:db8::1, which is not a candidate: a typo for this.
        pytest.param(
            "2001:db8:1::1", ["2001:db8:3::1", "fe80::1"], "2001:db8:3::1", id="scope-global"
        ),
        pytest.param("ff05::1", ["2001:db8:3::1", "fe80::1"], "2001:db8:3::1", id="scope-mcast"),
        # 2001:db8:1::1 is deprecated in the RFC; rule 1 decides before rule 3 would.
        pytest.param(
            "2001:db8:1::1", ["2001:db8:1::1", "2001:db8:2::1"], "2001:db8:1::1", id="same-address"
        ),
        # fe80::2 is deprecated in the RFC; rule 2 decides before rule 3 would.
        pytest.param("fe80::1", ["fe80::2", "2001:db8:1::1"], "fe80::2", id="scope-link"),
        # The RFC prints the result as 2001:db8:1:::2 (three colons): a typo for this.
        pytest.param(
            "2001:db8:1::1", ["2001:db8:1::2", "2001:db8:3::2"], "2001:db8:1::2", id="longest"
        ),
        pytest.param(
            "2001:db8:1::1",
            ["2001:db8:1::2", "2001:db8:3::2"],  # care-of, home
            "2001:db8:3::2",
            id="home-address",
            marks=pytest.mark.xfail(strict=True, reason=RFC_10_1_NOT_HERE),
        ),
        # The 6to4 candidate is a temporary address in the RFC; rule 6 decides before rule 7.
        pytest.param(
            "2002:c633:6401::1",
            ["2002:c633:6401::d5e3:7953:13eb:22e8", "2001:db8:1::2"],
            "2002:c633:6401::d5e3:7953:13eb:22e8",
            id="matching-label",
        ),
        pytest.param(
            "2001:db8:1::d5e3:0:0:1",
            ["2001:db8:1::2", "2001:db8:1::d5e3:7953:13eb:22e8"],  # public, temporary
            "2001:db8:1::d5e3:7953:13eb:22e8",
            id="temporary",
            marks=pytest.mark.xfail(strict=True, reason=RFC_10_1_NOT_HERE),
        ),
    ],
)
def test_rfc6724_section_10_1_source_selection(
    destination: str, candidates: list[str], expected: str
) -> None:
    assert best_source(destination, candidates) == norm(expected)
    assert best_source(destination, candidates[::-1]) == norm(expected)


def test_same_address_wins_over_a_longer_matching_prefix() -> None:
    # Rule 8 alone would take ::2 (64 bits, capped) over ::1 (capped at its /48): rule 1 first.
    sources = [LocalAddress.parse("2001:db8:1::2/64"), LocalAddress.parse("2001:db8:1::1/48")]
    assert rank_sources(addr("2001:db8:1::1"), sources)[0].address.host == "2001:db8:1::1"


def test_matching_label_wins_over_a_longer_matching_prefix() -> None:
    # 2003::1 has label 1. The 6to4 source shares 15 bits with it, the native one 5: rule 6
    # must decide before rule 8 would take the 6to4 one.
    assert best_source("2003::1", ["2002:cb00::7", "2400::7"]) == "2400::7"


def test_without_home_or_temporary_flags_the_longest_prefix_or_given_order_decides() -> None:
    # 10.1 "home-address": rule 4 is equal here, so rule 8 picks the care-of address.
    assert best_source("2001:db8:1::1", ["2001:db8:1::2", "2001:db8:3::2"]) == "2001:db8:1::2"
    # 10.1 "temporary": rule 7 is equal here and both share the /64, so the given order decides.
    public, temporary = "2001:db8:1::2", "2001:db8:1::d5e3:7953:13eb:22e8"
    assert best_source("2001:db8:1::d5e3:0:0:1", [public, temporary]) == norm(public)
    assert best_source("2001:db8:1::d5e3:0:0:1", [temporary, public]) == norm(temporary)


# --- RFC 6724 section 10.2: destination address selection ------------------------------------

RFC_10_2_NOT_HERE = "needs home/deprecated flags, which a host does not have here"


@pytest.mark.parametrize("reverse", [False, True], ids=["as-given", "reversed"])
@pytest.mark.parametrize(
    ("sources", "destinations", "expected"),
    [
        pytest.param(
            ["2001:db8:1::2", "fe80::1", "169.254.13.78/16"],
            ["2001:db8:1::1", "198.51.100.121"],
            [("2001:db8:1::1", "2001:db8:1::2"), ("198.51.100.121", "169.254.13.78")],
            id="matching-scope-1",
        ),
        pytest.param(
            ["fe80::1", "198.51.100.117/24"],
            ["2001:db8:1::1", "198.51.100.121"],
            [("198.51.100.121", "198.51.100.117"), ("2001:db8:1::1", "fe80::1")],
            id="matching-scope-2",
        ),
        pytest.param(
            ["2001:db8:1::2", "fe80::1", "10.1.2.4/8"],
            ["2001:db8:1::1", "10.1.2.3"],
            [("2001:db8:1::1", "2001:db8:1::2"), ("10.1.2.3", "10.1.2.4")],
            id="higher-precedence-1",
        ),
        pytest.param(
            ["2001:db8:1::2", "fe80::2"],
            ["2001:db8:1::1", "fe80::1"],
            [("fe80::1", "fe80::2"), ("2001:db8:1::1", "2001:db8:1::2")],
            id="smaller-scope",
        ),
        pytest.param(
            ["2001:db8:1::2", "2001:db8:3::1", "fe80::2"],  # care-of, home, care-of
            ["2001:db8:1::1", "fe80::1"],
            [("2001:db8:1::1", "2001:db8:3::1"), ("fe80::1", "fe80::2")],
            id="home-address",
            marks=pytest.mark.xfail(strict=True, reason=RFC_10_2_NOT_HERE),
        ),
        pytest.param(
            ["2001:db8:1::2", "fe80::2"],  # fe80::2 deprecated
            ["2001:db8:1::1", "fe80::1"],
            [("2001:db8:1::1", "2001:db8:1::2"), ("fe80::1", "fe80::2")],
            id="avoid-deprecated",
            marks=pytest.mark.xfail(strict=True, reason=RFC_10_2_NOT_HERE),
        ),
        pytest.param(
            ["2001:db8:1::2", "2001:db8:3f44::2", "fe80::2"],
            ["2001:db8:1::1", "2001:db8:3ffe::1"],
            [("2001:db8:1::1", "2001:db8:1::2"), ("2001:db8:3ffe::1", "2001:db8:3f44::2")],
            id="longest-prefix",
        ),
        pytest.param(
            ["2002:c633:6401::2", "fe80::2"],
            ["2002:c633:6401::1", "2001:db8:1::1"],
            [("2002:c633:6401::1", "2002:c633:6401::2"), ("2001:db8:1::1", "2002:c633:6401::2")],
            id="matching-label",
        ),
        pytest.param(
            ["2002:c633:6401::2", "2001:db8:1::2", "fe80::2"],
            ["2002:c633:6401::1", "2001:db8:1::1"],
            [("2001:db8:1::1", "2001:db8:1::2"), ("2002:c633:6401::1", "2002:c633:6401::2")],
            id="higher-precedence-2",
        ),
    ],
)
def test_rfc6724_section_10_2_destination_selection(
    sources: list[str],
    destinations: list[str],
    expected: list[tuple[str, str]],
    reverse: bool,
) -> None:
    given = destinations[::-1] if reverse else destinations
    assert ordered(given, sources) == [(norm(d), norm(s)) for d, s in expected]


def test_without_home_or_deprecated_flags_the_smaller_scope_goes_first() -> None:
    # 10.2 "home-address" and "avoid-deprecated": rules 3 and 4 are equal here, so rule 8 does.
    assert ordered(["2001:db8:1::1", "fe80::1"], ["2001:db8:1::2", "2001:db8:3::1", "fe80::2"]) == [
        ("fe80::1", "fe80::2"),
        ("2001:db8:1::1", "2001:db8:1::2"),
    ]


# --- Policy table, scope, common prefix -------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected_precedence", "expected_label"),
    [
        ("::1", 50, 0),
        ("2001:db8::1", 40, 1),
        ("fe80::1", 40, 1),
        ("198.51.100.1", 35, 4),
        ("::ffff:198.51.100.1", 35, 4),
        ("2002:c633:6401::1", 30, 2),
        ("2001::1", 5, 5),
        ("fd00::1", 3, 13),
        ("::198.51.100.1", 1, 3),
        ("fec0::1", 1, 11),
        ("3ffe::1", 1, 12),
    ],
)
def test_default_policy_table_by_longest_prefix(
    host: str, expected_precedence: int, expected_label: int
) -> None:
    assert (precedence(addr(host)), label(addr(host))) == (expected_precedence, expected_label)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", SCOPE_LINK_LOCAL),
        ("::ffff:127.0.0.1", SCOPE_LINK_LOCAL),
        ("169.254.13.78", SCOPE_LINK_LOCAL),
        ("169.253.13.78", SCOPE_GLOBAL),
        ("10.1.2.3", SCOPE_GLOBAL),  # private IPv4 is global (RFC 6724 section 3.2)
        ("192.168.1.1", SCOPE_GLOBAL),
        ("::1", SCOPE_LINK_LOCAL),
        ("fe80::1", SCOPE_LINK_LOCAL),
        ("febf::1", SCOPE_LINK_LOCAL),
        ("fec0::1", SCOPE_SITE_LOCAL),
        ("fd00::1", SCOPE_GLOBAL),
        ("2001:db8::1", SCOPE_GLOBAL),
        ("ff02::1", 0x2),
        ("ff05::1", 0x5),
        ("ff0e::1", 0xE),
    ],
)
def test_scope_of_address(host: str, expected: int) -> None:
    assert scope(addr(host)) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("fe80::1", "fe80::2", 126),
        ("2001:db8:3f44::2", "2001:db8:3ffe::1", 40),
        ("10.1.2.4", "10.1.2.7", 30),
        ("10.1.2.4", "::ffff:10.1.2.4", 32),
        ("10.1.2.4", "2001:db8::1", 0),
    ],
)
def test_common_prefix_len(a: str, b: str, expected: int) -> None:
    assert common_prefix_len(addr(a), addr(b)) == expected


def test_common_prefix_stops_at_the_source_prefix_length() -> None:
    far, near = "10.200.0.1", "10.1.2.3"  # 8 and 30 bits in common with 10.1.2.4
    assert ordered([far, near], ["10.1.2.4/24"]) == [(near, "10.1.2.4"), (far, "10.1.2.4")]
    assert ordered([far, near], ["10.1.2.4/8"]) == [(far, "10.1.2.4"), (near, "10.1.2.4")]


# --- Pairing -----------------------------------------------------------------------------------


def test_every_remote_paired_with_every_local_that_can_reach_it() -> None:
    sources = ["192.0.2.10/24", "10.0.0.5/8", "2001:db8::10", "fe80::1", "127.0.0.1/8", "::1"]
    destinations = ["198.51.100.7", "2001:db8:5::1", "127.0.0.1"]
    pairs = address_pairs([addr(d, 443) for d in destinations], [local(s) for s in sources])
    got = {(unmapped(p.local).host, unmapped(p.remote).host) for p in pairs}
    assert len(pairs) == len(got)
    assert got == {
        ("192.0.2.10", "198.51.100.7"),
        ("10.0.0.5", "198.51.100.7"),
        ("2001:db8::10", "2001:db8:5::1"),
        ("fe80::1", "2001:db8:5::1"),
        ("127.0.0.1", "127.0.0.1"),
    }
    assert all(p.local.port == 0 and p.remote.port == 443 for p in pairs)


def test_pairs_come_destination_by_destination_with_sources_best_first() -> None:
    pairs = address_pairs(
        [addr("2001:db8:5::1"), addr("fe80::9")], [local("fe80::1"), local("2001:db8:5::2")]
    )
    assert [(p.remote.host, p.local.host) for p in pairs] == [
        ("fe80::9", "fe80::1"),
        ("fe80::9", "2001:db8:5::2"),
        ("2001:db8:5::1", "2001:db8:5::2"),
        ("2001:db8:5::1", "fe80::1"),
    ]


def test_ties_keep_the_given_order() -> None:
    first, second = addr("2001:db8:1::5"), addr("2001:db8:1::6")
    sources = [local("2001:db8:1::2"), local("2001:db8:1::3")]
    assert sort_destinations([first, second], sources) == [first, second]
    assert sort_destinations([second, first], sources) == [second, first]
    assert [s.address.host for s in rank_sources(first, sources)] == [
        "2001:db8:1::2",
        "2001:db8:1::3",
    ]
    assert [s.address.host for s in rank_sources(first, sources[::-1])] == [
        "2001:db8:1::3",
        "2001:db8:1::2",
    ]


def test_ipv4_is_written_ipv4_mapped_on_an_af_inet6_socket() -> None:
    pairs = address_pairs([addr("198.51.100.7", 80)], [local("192.0.2.10/24")])
    assert pairs == [
        Pair(
            SockAddr(C.AF_INET6, b"\0" * 10 + b"\xff\xff" + bytes([192, 0, 2, 10]), 0),
            SockAddr(C.AF_INET6, b"\0" * 10 + b"\xff\xff" + bytes([198, 51, 100, 7]), 80),
        )
    ]
    mapped = address_pairs([addr("::ffff:198.51.100.7", 80)], [local("192.0.2.10/24")])
    assert mapped == pairs


def test_ipv4_stays_af_inet_on_an_af_inet_socket() -> None:
    pairs = address_pairs(
        [addr("198.51.100.7", 80)], [local("::ffff:192.0.2.10/24")], socket_family=C.AF_INET
    )
    assert pairs == [Pair(addr("192.0.2.10"), addr("198.51.100.7", 80))]


def test_v6only_socket_cannot_reach_ipv4_destinations() -> None:
    destinations = [addr("198.51.100.7"), addr("::ffff:198.51.100.8"), addr("2001:db8::1")]
    sources = [local("192.0.2.10/24"), local("2001:db8::10")]
    pairs = address_pairs(destinations, sources, v6only=True)
    assert [p.remote for p in pairs] == [addr("2001:db8::1")]
    assert unreachable_destinations(destinations, sources, v6only=True) == destinations[:2]


def test_ipv6_destinations_dropped_on_an_af_inet_socket() -> None:
    destinations = [addr("2001:db8::1"), addr("198.51.100.7"), addr("::ffff:198.51.100.8")]
    sources = [local("192.0.2.10/24"), local("2001:db8::10")]
    pairs = address_pairs(destinations, sources, socket_family=C.AF_INET)
    assert [p.remote for p in pairs] == [addr("198.51.100.7")]
    assert unreachable_destinations(destinations, sources, socket_family=C.AF_INET) == [
        destinations[0],
        destinations[2],
    ]


def test_loopback_destination_pairs_only_with_a_loopback_source() -> None:
    sources = [local("192.0.2.10/24"), local("127.0.0.1/8"), local("2001:db8::10"), local("::1")]
    pairs = address_pairs([addr("127.0.0.2", 7), addr("::1", 7)], sources)
    assert [(unmapped(p.remote).host, unmapped(p.local).host) for p in pairs] == [
        ("::1", "::1"),  # precedence 50 beats IPv4's 35
        ("127.0.0.2", "127.0.0.1"),
    ]


def test_loopback_source_never_reaches_another_host() -> None:
    sources = [local("127.0.0.1/8"), local("::1")]
    destinations = [addr("192.0.2.1"), addr("2001:db8::1")]
    assert address_pairs(destinations, sources) == []
    assert unreachable_destinations(destinations, sources) == destinations


def test_link_local_destination_with_a_zone_skips_sources_in_other_zones() -> None:
    sources = [
        LocalAddress(addr("fe80::1", scope_id=3), 64),
        LocalAddress(addr("fe80::2", scope_id=4), 64),
        LocalAddress(addr("fe80::3"), 64),  # no zone given: not excluded
    ]
    pairs = address_pairs([addr("fe80::9", 80, scope_id=4)], sources)
    assert [(p.local.host, p.local.scope_id) for p in pairs] == [("fe80::2", 4), ("fe80::3", 0)]


def test_destination_without_a_source_of_its_family_is_left_out_and_reported() -> None:
    destinations = [addr("2001:db8::1"), addr("198.51.100.7")]
    sources = [local("192.0.2.10/24")]
    assert sort_destinations(destinations, sources) == [destinations[1]]
    assert unreachable_destinations(destinations, sources) == [destinations[0]]


def test_invalid_arguments_raise_value_error() -> None:
    with pytest.raises(ValueError, match="socket_family"):
        address_pairs([], [], socket_family=C.AF_UNSPEC)
    with pytest.raises(ValueError, match="prefix length"):
        address_pairs([addr("192.0.2.1")], [LocalAddress(addr("192.0.2.10"), 33)])
    with pytest.raises(ValueError, match="prefix length"):
        LocalAddress.parse("2001:db8::1/129")
    with pytest.raises(ValueError, match="not a numeric"):
        LocalAddress.parse("example.com/24")


# --- Properties -----------------------------------------------------------------------------

HOSTS = [
    "192.0.2.1",
    "192.0.2.10",
    "10.1.2.3",
    "169.254.1.1",
    "127.0.0.1",
    "127.0.0.2",
    "::ffff:192.0.2.7",
    "::1",
    "2001:db8::1",
    "2001:db8:1::2",
    "2002:c633:6401::1",
    "2001::1",
    "fd00::1",
    "fe80::1",
    "fe80::2",
    "fec0::1",
    "3ffe::1",
    "ff05::1",
    "ff02::1",
]

destination_st = st.builds(
    lambda host, port, zone: addr(host, port, zone if ":" in host else 0),
    st.sampled_from(HOSTS),
    st.integers(0, 65535),
    st.sampled_from([0, 0, 1, 2]),
)
local_st = st.builds(
    lambda host, bits, zone: LocalAddress(
        addr(host, 0, zone if ":" in host else 0),
        bits % (33 if ":" not in host or host.startswith("::ffff:") else 129),
    ),
    st.sampled_from(HOSTS),
    st.integers(0, 128),
    st.sampled_from([0, 0, 1, 2]),
)


def reaches(source: LocalAddress, destination: SockAddr, family: int, v6only: bool) -> bool:
    """Reachability as the module documents it, written out independently."""
    s, d = unmapped(source.address), unmapped(destination)
    if family == C.AF_INET and destination.family != C.AF_INET:
        return False
    if family == C.AF_INET6 and v6only and d.family == C.AF_INET:
        return False
    loop_s = s.packed[0] == 127 if s.family == C.AF_INET else s.host == "::1"
    loop_d = d.packed[0] == 127 if d.family == C.AF_INET else d.host == "::1"
    unicast = d.packed[:2] == b"\xfe\x80"  # fe80::/10, as HOSTS has it
    multicast = d.packed[0] == 0xFF and d.packed[1] & 0xF == 2  # ff02::/16-like: link scope
    link = d.family == C.AF_INET6 and (unicast or multicast)
    zones_differ = bool(s.scope_id and d.scope_id and s.scope_id != d.scope_id)
    return s.family == d.family and loop_s == loop_d and not (link and zones_differ)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(destination_st, max_size=12),
    st.lists(local_st, max_size=6),
    st.sampled_from([C.AF_INET, C.AF_INET6]),
    st.booleans(),
)
def test_pairs_are_a_deterministic_permutation_of_the_reachable_pairs(
    destinations: list[SockAddr], sources: list[LocalAddress], family: int, v6only: bool
) -> None:
    pairs = address_pairs(destinations, sources, socket_family=family, v6only=v6only)
    assert pairs == address_pairs(destinations, sources, socket_family=family, v6only=v6only)

    expected = Counter(
        (unmapped(s.address).packed, unmapped(d).packed, d.port)
        for d in destinations
        for s in sources
        if reaches(s, d, family, v6only)
    )
    got = Counter(
        (unmapped(p.local).packed, unmapped(p.remote).packed, p.remote.port) for p in pairs
    )
    assert got == expected
    # Destination by destination, in sort_destinations' order, each with all its sources.
    kept = sort_destinations(destinations, sources, socket_family=family, v6only=v6only)
    runs = [d for d in kept for s in sources if reaches(s, d, family, v6only)]
    assert [unmapped(p.remote) for p in pairs] == [unmapped(d) for d in runs]
    for pair in pairs:
        assert pair.local.port == 0
        if family == C.AF_INET6:
            assert pair.local.family == pair.remote.family == C.AF_INET6
        else:
            assert pair.local.family == pair.remote.family == C.AF_INET
        assert is_v4_mapped(pair.local) == is_v4_mapped(pair.remote)


# --- The per-address record ------------------------------------------------------------------


def test_an_address_record_has_named_fields_in_the_order_it_is_built() -> None:
    from wsaconnect import ordering

    # _attrs builds its NamedTuple without the constructor (for speed): the values must land in
    # the fields they are named for.
    record = ordering._attrs(addr("fe80::1", 443, scope_id=7), 3, 64)
    assert record is not None
    assert type(record) is ordering._Attrs
    assert record._asdict() == {
        "width": 128,
        "value": 0xFE80 << 112 | 1,
        "scope": SCOPE_LINK_LOCAL,
        "label": 1,
        "precedence": 40,
        "loopback": False,
        "zone": 7,
        "position": 3,
        "prefixlen": 64,
    }
    mapped = ordering._attrs(addr("::ffff:127.0.0.1"), 0)
    assert mapped is not None
    assert (mapped.width, mapped.loopback, mapped.label, mapped.prefixlen) == (32, True, 4, 32)


def test_pairs_are_pair_instances_read_by_name() -> None:
    pairs = address_pairs([addr("192.0.2.1", 80)], [LocalAddress.parse("192.0.2.10/24")])
    assert [type(p) for p in pairs] == [Pair]
    assert pairs[0].local == addr("::ffff:192.0.2.10")
    assert pairs[0].remote == addr("::ffff:192.0.2.1", 80)
