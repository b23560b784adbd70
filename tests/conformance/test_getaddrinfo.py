"""The low-level getaddrinfo (GetAddrInfoW) on every backend, without a DNS query: numeric
names, "localhost", and the failures its page documents (Microsoft's "GetAddrInfoW function"
page: "Failure returns a nonzero Windows Sockets error code"; WSAGetLastError holds it too).
Names of the simulated network are tests/sim/test_getaddrinfo.py's."""

from __future__ import annotations

import pytest

from tests.conformance.harness import Env
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.backend import AddrInfo, SupportsGetaddrinfo, require


def gai(env: Env, *args: object) -> tuple[int, list[AddrInfo]]:
    return require(env.ws, SupportsGetaddrinfo).getaddrinfo(*args)  # type: ignore[arg-type]


def test_a_numeric_ipv4_name_is_itself_with_the_hints_socket_type(env: Env) -> None:
    # The hints' socket type and protocol are copied (0 stays 0).
    assert gai(env, "127.0.0.1", "80", C.AF_UNSPEC, C.SOCK_STREAM) == (
        0,
        [(C.AF_INET, C.SOCK_STREAM, 0, "", ("127.0.0.1", 80))],
    )


def test_a_numeric_ipv6_name_and_a_service_name(env: Env) -> None:
    assert gai(env, "::1", "http") == (0, [(C.AF_INET6, 0, 0, "", ("::1", 80, 0, 0))])


def test_localhost_for_ipv4_is_the_ipv4_loopback(env: Env) -> None:
    assert gai(env, "localhost", "80", C.AF_INET, C.SOCK_STREAM) == (
        0,
        [(C.AF_INET, C.SOCK_STREAM, 0, "", ("127.0.0.1", 80))],
    )


@pytest.mark.wine_deviation("localhost is 127.0.0.1 only, from the Linux host's resolver")
def test_localhost_is_ipv6_loopback_then_ipv4(env: Env) -> None:
    rc, results = gai(env, "localhost", "80", C.AF_UNSPEC, C.SOCK_STREAM)
    assert rc == 0
    assert [r[4] for r in results] == [("::1", 80, 0, 0), ("127.0.0.1", 80)]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("127.0.0.1", "no-such-service", C.AF_UNSPEC, C.SOCK_STREAM), E.WSATYPE_NOT_FOUND),
        (("not-numeric", "80", C.AF_UNSPEC, 0, 0, C.AI_NUMERICHOST), E.WSAHOST_NOT_FOUND),
        ((None, None), E.WSAHOST_NOT_FOUND),
        (("127.0.0.1", "80", 10), E.WSAEAFNOSUPPORT),  # AF_CCITT on Windows
        (("127.0.0.1", "80", C.AF_UNSPEC, 99), E.WSAESOCKTNOSUPPORT),
    ],
    ids=["service", "numerichost", "neither", "family", "socktype"],
)
def test_a_failure_returns_its_windows_sockets_code(
    env: Env, args: tuple[object, ...], code: int
) -> None:
    assert gai(env, *args) == (code, [])
    assert env.ws.WSAGetLastError() == code, E.name(env.ws.WSAGetLastError())
