"""The low-level getaddrinfo on the simulator: the network's names, Windows' numbering, C-style
failures (wsasim.addrinfo; GetAddrInfoW's page for the codes)."""

from __future__ import annotations

import pytest

from tests.sim.conftest import Lab, make_lab
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.backend import SupportsGetaddrinfo, require


def test_a_name_resolves_in_rfc_6724_order_with_windows_numbers(lab: Lab) -> None:
    lab.net.add_name("app.example", ["192.0.2.20", "2001:db8::20"])
    rc, results = lab.ws.getaddrinfo("app.example", "443", C.AF_UNSPEC, C.SOCK_STREAM)
    assert rc == 0
    assert lab.error() == 0
    # The client has both families: IPv6 first (RFC 6724 rule 6, the default policy table).
    assert results == [
        (C.AF_INET6, C.SOCK_STREAM, 0, "", ("2001:db8::20", 443, 0, 0)),
        (C.AF_INET, C.SOCK_STREAM, 0, "", ("192.0.2.20", 443)),
    ]
    assert C.AF_INET6 == 23


def test_localhost_is_ipv6_loopback_then_ipv4(lab: Lab) -> None:
    rc, results = lab.ws.getaddrinfo("localhost", "http")
    assert rc == 0
    assert [r[4] for r in results] == [("::1", 80, 0, 0), ("127.0.0.1", 80)]
    assert [r[0] for r in results] == [C.AF_INET6, C.AF_INET]


def test_the_family_hint_filters(lab: Lab) -> None:
    lab.net.add_name("app.example", ["2001:db8::20", "192.0.2.20"])
    assert lab.ws.getaddrinfo("app.example", "80", C.AF_INET) == (
        0,
        [(C.AF_INET, 0, 0, "", ("192.0.2.20", 80))],
    )
    rc, results = lab.ws.getaddrinfo("app.example", "80", C.AF_INET6, 0, C.IPPROTO_TCP)
    assert (rc, [r[4] for r in results], results[0][2]) == (0, [("2001:db8::20", 80, 0, 0)], 6)


def test_an_unknown_name_is_wsahost_not_found_returned_and_in_the_last_error(lab: Lab) -> None:
    assert lab.ws.getaddrinfo("nowhere.example", "80") == (E.WSAHOST_NOT_FOUND, [])
    assert lab.error() == E.WSAHOST_NOT_FOUND


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("127.0.0.1", "no-such-service"), E.WSATYPE_NOT_FOUND),
        (("app", "80", C.AF_UNSPEC, 0, 0, C.AI_NUMERICHOST), E.WSAHOST_NOT_FOUND),
        ((None, None), E.WSAHOST_NOT_FOUND),
        (("127.0.0.1", "80", 10), E.WSAEAFNOSUPPORT),  # Linux's AF_INET6 is no Windows family
        (("127.0.0.1", "80", C.AF_UNSPEC, 99), E.WSAESOCKTNOSUPPORT),
        (("127.0.0.1", "80", C.AF_UNSPEC, 0, 0, 0x00020000), E.WSAEINVAL),  # AI_FQDN: not modelled
        ((None, "80", C.AF_UNSPEC, 0, 0, C.AI_CANONNAME), E.WSAEINVAL),
        (("::1", "80", C.AF_INET), E.WSAHOST_NOT_FOUND),
        (("a..b", "80"), E.WSAHOST_NOT_FOUND),
    ],
)
def test_failures_return_the_windows_sockets_code(
    lab: Lab, args: tuple[object, ...], code: int
) -> None:
    assert lab.ws.getaddrinfo(*args) == (code, [])  # type: ignore[arg-type]
    assert lab.error() == code


def test_a_name_without_an_address_of_the_family_is_wsano_data(lab: Lab) -> None:
    lab.net.add_name("v6only.example", ["2001:db8::20"])
    assert lab.ws.getaddrinfo("v6only.example", "80", C.AF_INET) == (E.WSANO_DATA, [])


def test_ai_v4mapped_maps_ipv4_results_for_an_ipv6_family(lab: Lab) -> None:
    lab.net.add_name("v4only.example", ["192.0.2.20"])
    assert lab.ws.getaddrinfo("v4only.example", "80", C.AF_INET6, 0, 0, C.AI_V4MAPPED) == (
        0,
        [(C.AF_INET6, 0, 0, "", ("::ffff:192.0.2.20", 80, 0, 0))],
    )


def test_ai_passive_without_a_name_is_the_wildcards(lab: Lab) -> None:
    rc, results = lab.ws.getaddrinfo(None, "80", C.AF_UNSPEC, C.SOCK_STREAM, 0, C.AI_PASSIVE)
    assert rc == 0
    assert [r[4] for r in results] == [("::", 80, 0, 0), ("0.0.0.0", 80)]


def test_ai_canonname_names_the_first_result(lab: Lab) -> None:
    lab.net.add_name("app.example", ["192.0.2.20", "2001:db8::20"])
    rc, results = lab.ws.getaddrinfo("app.example", None, C.AF_UNSPEC, 0, 0, C.AI_CANONNAME)
    assert rc == 0
    assert [r[3] for r in results] == ["app.example", ""]


def test_before_wsastartup_it_is_wsanotinitialised() -> None:
    lab = make_lab()
    lab.ws.WSACleanup()
    assert lab.ws.getaddrinfo("localhost", "80") == (E.WSANOTINITIALISED, [])
    assert lab.error() == E.WSANOTINITIALISED


def test_names_resolve_while_the_network_is_down(lab: Lab) -> None:
    lab.net.add_name("app.example", ["192.0.2.20"])
    lab.client.set_network_down(True)
    assert lab.ws.getaddrinfo("app.example", "80")[0] == 0


def test_it_is_the_simulators_getaddrinfo_capability(lab: Lab) -> None:
    backend = require(lab.ws, SupportsGetaddrinfo)
    assert backend.getaddrinfo("127.0.0.1", "80") == (0, [(C.AF_INET, 0, 0, "", ("127.0.0.1", 80))])


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("localhost", 80), TypeError, r"^servicename must be a str or None, not int"),
        ((b"localhost", "80"), TypeError, r"^nodename must be a str or None"),
        (("local\0host", "80"), ValueError, r"^nodename must not contain NUL"),
        (("localhost", "80", 2.0), TypeError, r"^family must be an int"),
        (("localhost", "80", 0, 0, 0, 2**31), ValueError, r"^flags must be"),
    ],
)
def test_arguments_no_c_type_holds_raise(
    lab: Lab, args: tuple[object, ...], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        lab.ws.getaddrinfo(*args)  # type: ignore[arg-type]
