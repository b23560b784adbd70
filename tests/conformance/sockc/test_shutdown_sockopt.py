"""The socket options of a connection's life: SO_LINGER, SO_ERROR, the buffer sizes,
SO_KEEPALIVE, SO_TYPE, SO_REUSEADDR and TCP_NODELAY.

Translated from Wine 8.0's ``dlls/ws2_32/tests/sock.c``: ``test_set_getsockopt`` (line 1187:
its SO_SNDBUF/SO_RCVBUF, SO_LINGER/SO_DONTLINGER, TCP_NODELAY and SO_ERROR parts and the rows
of its ``test_optsize`` table for those options, SO_KEEPALIVE and SO_REUSEADDR),
``test_sockopt_validity`` (13008: the options the backends know), the SO_TYPE checks of
``test_WSASocket`` (3133) and ``close_with_rst`` (212).

How the low-level API expresses a C option value (docs/api.md): ``setsockopt`` takes an int (a
4-byte optval), raw bytes (their length is ``optlen``: ``b""`` is a valid pointer with optlen
0) or None (a NULL optval, optlen 0); ``getsockopt`` reads with a 4-byte buffer and returns an
option of 1, 2 or 4 bytes as an unsigned int (a 1-byte BOOLEAN is its one byte), SO_LINGER as
``(l_onoff, l_linger)``. The optlen getsockopt writes back cannot be seen, nor can a buffer of
another size be passed.
"""

from __future__ import annotations

import struct
from typing import Any, NamedTuple

import pytest

from tests.conformance.harness import Env
from tests.conformance.sockc.helpers import DEADBEEF, fails_with
from wsaconnect import constants as C
from wsaconnect import errors as E


def linger(onoff: int, seconds: int) -> bytes:
    """A ``struct linger`` (two u_short) as setsockopt's raw optval."""
    return struct.pack("<HH", onoff, seconds)


# --- test_set_getsockopt: SO_SNDBUF, SO_RCVBUF, SO_LINGER, TCP_NODELAY, SO_ERROR ---------------


def test_so_sndbuf_and_so_rcvbuf_read_back_the_value_set(env: Env) -> None:
    """sock.c:1290-1308 test_set_getsockopt: SO_SNDBUF and SO_RCVBUF set to 4096 read 4096."""
    s = env.socket()
    for option in (C.SO_SNDBUF, C.SO_RCVBUF):
        assert env.ws.setsockopt(s, C.SOL_SOCKET, option, 4096) == 0
        assert env.ws.getsockopt(s, C.SOL_SOCKET, option) == (0, 4096)


@pytest.mark.parametrize(("onoff", "seconds"), [(0, 0), (0, 73), (1, 0), (5, 189)])
def test_so_linger_reads_back_the_value_set(env: Env, onoff: int, seconds: int) -> None:
    """sock.c:1311-1322 test_set_getsockopt, over linger_testvals (1175): l_onoff reads back
    as set (zero or not), and l_linger too when l_onoff is on."""
    s = env.socket()
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, linger(onoff, seconds)) == 0
    rc, value = env.ws.getsockopt(s, C.SOL_SOCKET, C.SO_LINGER)
    assert rc == 0
    got_onoff, got_seconds = value
    assert bool(got_onoff) == bool(onoff)
    if got_onoff:
        assert got_seconds == seconds


def test_so_linger_and_so_dontlinger_with_a_null_value_are_wsaefault(env: Env) -> None:
    """sock.c:1329-1330 and 1337-1338 test_set_getsockopt: a NULL optval with optlen 0."""
    s = env.socket()
    assert fails_with(env, env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, None), E.WSAEFAULT)
    assert fails_with(env, env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_DONTLINGER, None), E.WSAEFAULT)


def test_tcp_nodelay_accepts_a_4_byte_and_a_42_byte_value(env: Env) -> None:
    """sock.c:1355-1375 test_set_getsockopt: "optlen doesn't matter on windows, it should work
    with any positive value" (4 and 42; sock.c's 42 bytes start with the int 1)."""
    s = env.socket()
    for value in (struct.pack("<I", 1), struct.pack("<I", 1) + bytes(38)):
        assert env.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, value) == 0
        assert env.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY) == (0, 1)
        assert env.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, 0) == 0


def test_tcp_nodelay_accepts_a_1_byte_value(env: Env) -> None:
    """sock.c:1344-1353 test_set_getsockopt: TCP_NODELAY with optlen 1."""
    s = env.socket()
    assert env.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, b"\x01") == 0
    assert env.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY) == (0, 1)
    assert env.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, 0) == 0


def test_tcp_nodelay_with_a_zero_length_value_is_wsaefault(env: Env) -> None:
    """sock.c:1377-1384 test_set_getsockopt: optlen 0 fails and the option stays off."""
    s = env.socket()
    rc = env.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, b"")
    assert fails_with(env, rc, E.WSAEFAULT)
    assert env.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY) == (0, 0)


def test_tcp_nodelay_set_to_0x100_reads_back_0(env: Env) -> None:
    """sock.c:1396-1402 test_set_getsockopt: value 0x100 with optlen 4."""
    s = env.socket()
    assert env.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, 0x100) == 0
    assert env.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY) == (0, 0)


def test_so_error_can_be_set(env: Env) -> None:
    """sock.c:1430-1441 test_set_getsockopt, "Test SO_ERROR set/get": setsockopt(SO_ERROR,
    1234) succeeds, and getsockopt(SO_ERROR) too."""
    s = env.socket()
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_ERROR, 1234) == 0
    rc, _ = env.ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR)
    assert rc == 0


@pytest.mark.wine_deviation("sock.c todo_wine: SO_ERROR reads 0, not the 1234 set")
def test_so_error_reads_back_the_value_set(env: Env) -> None:
    """sock.c:1444-1445 test_set_getsockopt (todo_wine): SO_ERROR reads 1234 back."""
    s = env.socket()
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_ERROR, 1234) == 0
    assert env.ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR) == (0, 1234)


def test_getsockopt_on_a_closed_socket_is_wsaenotsock(env: Env) -> None:
    """sock.c:1623-1630 test_set_getsockopt, "Test with the closed socket"."""
    s = env.ws.socket(C.AF_INET, C.SOCK_STREAM, 0)
    assert s != C.INVALID_SOCKET
    assert env.ws.closesocket(s) == 0
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR) == (C.SOCKET_ERROR, None)
    assert env.ws.WSAGetLastError() == E.WSAENOTSOCK


def test_successful_setsockopt_and_getsockopt_set_the_last_error_to_zero(env: Env) -> None:
    """sock.c:1430-1441 test_set_getsockopt (SO_ERROR set and get: "expected 0 with 0") and
    sock.c:217-220 close_with_rst (SO_LINGER {1, 0}: GetLastError() is 0)."""
    s = env.socket()
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_ERROR, 1234) == 0
    assert env.ws.WSAGetLastError() == 0
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR)[0] == 0
    assert env.ws.WSAGetLastError() == 0
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, linger(1, 0)) == 0
    assert env.ws.WSAGetLastError() == 0


# --- test_set_getsockopt: the test_optsize table (sock.c:1190-1232, loop 1458-1621) -----------


class Row(NamedTuple):
    """One row of sock.c's test_optsize (AF_INET, SOCK_STREAM; accepts_large_value TRUE)."""

    level: int
    optname: int
    accepts_short_len: bool
    size: int  # sizes[2]: the option's size as getsockopt gives it
    bool_value: bool

    def expected_after_0x100(self) -> Any:
        """What getsockopt reads after the value 0x100 was set with optlen 4 (sock.c:1536-1540):
        a 1-byte option got its first byte (0), a BOOL is 1, any other keeps 0x100."""
        value = 0 if self.size == 1 else (1 if self.bool_value else 0x100)
        if self.optname == C.SO_LINGER:
            return (value & 0xFFFF, value >> 16)  # l_onoff 0x100, l_linger 0
        return value

    def one(self) -> Any:
        """What getsockopt reads after the 4-byte value 1 was set (sock.c:1579-1592)."""
        return (1, 0) if self.optname == C.SO_LINGER else 1


ROWS = {
    "SO_DONTLINGER": Row(C.SOL_SOCKET, C.SO_DONTLINGER, True, 4, True),  # sock.c:1204
    "SO_LINGER": Row(C.SOL_SOCKET, C.SO_LINGER, False, 4, False),  # sock.c:1205
    "SO_RCVBUF": Row(C.SOL_SOCKET, C.SO_RCVBUF, False, 4, False),  # sock.c:1207
    "SO_KEEPALIVE": Row(C.SOL_SOCKET, C.SO_KEEPALIVE, True, 1, False),  # sock.c:1208
    "SO_REUSEADDR": Row(C.SOL_SOCKET, C.SO_REUSEADDR, True, 4, True),  # sock.c:1211
    "SO_SNDBUF": Row(C.SOL_SOCKET, C.SO_SNDBUF, False, 4, False),  # sock.c:1213
    "TCP_NODELAY": Row(C.IPPROTO_TCP, C.TCP_NODELAY, True, 1, False),  # sock.c:1216
}


def rows(wine: dict[str, str] | None = None) -> list[Any]:
    """The rows as pytest params; ``wine`` maps a row's name to its wine_deviation reason."""
    return [
        pytest.param(row, id=name, marks=[pytest.mark.wine_deviation(wine[name])])
        if wine and name in wine
        else pytest.param(row, id=name)
        for name, row in ROWS.items()
    ]


def pack(value: Any) -> Any:
    """A value getsockopt gave, in the form setsockopt takes back (sock.c's save_value)."""
    return linger(*value) if isinstance(value, tuple) else value


@pytest.mark.parametrize("row", rows())
def test_option_accepts_an_8_byte_value(env: Env, row: Row) -> None:
    """sock.c:1466-1477 test_set_getsockopt: getsockopt of the default succeeds; an 8-byte
    optval (0xffffffff00000001) is accepted; getsockopt succeeds after it."""
    s = env.socket()
    assert env.ws.getsockopt(s, row.level, row.optname)[0] == 0
    value64 = struct.pack("<Q", 0xFFFFFFFF00000001)
    assert env.ws.setsockopt(s, row.level, row.optname, value64) == 0
    assert env.ws.getsockopt(s, row.level, row.optname)[0] == 0


@pytest.mark.parametrize(
    "row",
    rows(),
)
def test_option_with_a_zero_length_value(env: Env, row: Row) -> None:
    """sock.c:1515-1529 test_set_getsockopt: optlen 0 is accepted for a SOL_SOCKET BOOL
    option, and WSAEFAULT for the others."""
    s = env.socket()
    rc = env.ws.setsockopt(s, row.level, row.optname, b"")
    if row.level == C.SOL_SOCKET and row.bool_value:
        assert rc == 0
    else:
        assert fails_with(env, rc, E.WSAEFAULT)


@pytest.mark.parametrize(
    "row",
    rows(
        {"SO_LINGER": "sock.c todo_wine (1566): l_onoff 0x100 reads back 1"},
    ),
)
def test_option_set_to_0x100(env: Env, row: Row) -> None:
    """sock.c:1536-1567 test_set_getsockopt: the value 0x100 with optlen 4 is accepted and
    reads back as 0 (a 1-byte option), 1 (a BOOL) or 0x100 (SO_LINGER: l_onoff 0x100)."""
    s = env.socket()
    assert env.ws.setsockopt(s, row.level, row.optname, 0x100) == 0
    assert env.ws.getsockopt(s, row.level, row.optname) == (0, row.expected_after_0x100())


@pytest.mark.parametrize(
    "row",
    rows(),
)
def test_option_with_a_1_or_2_byte_value(env: Env, row: Row) -> None:
    """sock.c:1573-1604 test_set_getsockopt (the setsockopt of lengths 1 and 2): accepted
    where the row accepts a short length, WSAEFAULT otherwise."""
    s = env.socket()
    for size in (1, 2):
        rc = env.ws.setsockopt(s, row.level, row.optname, struct.pack("<I", 1)[:size])
        if row.accepts_short_len:
            assert rc == 0, (size, env.ws.WSAGetLastError())
        else:
            assert fails_with(env, rc, E.WSAEFAULT), size


@pytest.mark.parametrize("row", rows())
def test_option_set_to_1_reads_back_1_and_the_default_can_be_restored(env: Env, row: Row) -> None:
    """sock.c:1573-1611 (length 4) and 1617-1619 test_set_getsockopt: the 4-byte value 1 is
    accepted and reads back 1 (SO_LINGER: l_onoff 1, l_linger 0); setting the saved default
    back succeeds."""
    s = env.socket()
    rc, saved = env.ws.getsockopt(s, row.level, row.optname)
    assert rc == 0
    assert env.ws.setsockopt(s, row.level, row.optname, struct.pack("<I", 1)) == 0
    assert env.ws.getsockopt(s, row.level, row.optname) == (0, row.one())
    assert env.ws.setsockopt(s, row.level, row.optname, pack(saved)) == 0


@pytest.mark.parametrize(
    "row",
    rows(),
)
def test_successful_option_calls_of_the_table_set_the_last_error_to_zero(
    env: Env, row: Row
) -> None:
    """sock.c:1473, 1529, 1556, 1565, 1604 and 1610 test_set_getsockopt: after each
    successful setsockopt (8 bytes; 0 bytes for a SOL_SOCKET BOOL; 0x100; 1, 2 or 4 bytes
    where accepted) and getsockopt (after 0x100, after the 4-byte 1), WSAGetLastError() is 0."""
    ws = env.ws
    s = env.socket()

    def last_error_after_set(value: object) -> int:
        ws.WSASetLastError(DEADBEEF)
        assert ws.setsockopt(s, row.level, row.optname, value) == 0
        return ws.WSAGetLastError()

    def last_error_after_get() -> int:
        ws.WSASetLastError(DEADBEEF)
        assert ws.getsockopt(s, row.level, row.optname)[0] == 0
        return ws.WSAGetLastError()

    assert last_error_after_set(struct.pack("<Q", 0xFFFFFFFF00000001)) == 0
    if row.level == C.SOL_SOCKET and row.bool_value:
        assert last_error_after_set(b"") == 0
    assert last_error_after_set(0x100) == 0
    assert last_error_after_get() == 0
    for size in (1, 2, 4) if row.accepts_short_len else (4,):
        assert last_error_after_set(struct.pack("<I", 1)[:size]) == 0
        assert last_error_after_get() == 0


# --- SO_TYPE (test_WSASocket) ---------------------------------------------------------------


def test_so_type_of_a_tcp_socket_is_sock_stream_and_read_only(env: Env) -> None:
    """sock.c:3157-3175 test_WSASocket: SO_TYPE reads SOCK_STREAM; setting it to either type
    fails with WSAENOPROTOOPT (the socket there is made from WSAPROTOCOL_INFO: a plain TCP
    socket here)."""
    s = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.getsockopt(s, C.SOL_SOCKET, C.SO_TYPE) == (0, C.SOCK_STREAM)
    for socktype in (C.SOCK_STREAM, C.SOCK_DGRAM):
        env.ws.WSASetLastError(DEADBEEF)
        rc = env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_TYPE, socktype)
        assert fails_with(env, rc, E.WSAENOPROTOOPT), socktype


def test_so_type_of_a_udp_socket_is_sock_dgram_and_cannot_be_set(env: Env) -> None:
    """sock.c:3133-3149 test_WSASocket: SO_TYPE of a UDP socket reads SOCK_DGRAM; setting it to
    either type fails (the code is the next test's)."""
    s = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    assert env.ws.getsockopt(s, C.SOL_SOCKET, C.SO_TYPE) == (0, C.SOCK_DGRAM)
    for socktype in (C.SOCK_STREAM, C.SOCK_DGRAM):
        assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_TYPE, socktype) == C.SOCKET_ERROR


@pytest.mark.wine_deviation(
    "sock.c todo_wine: setting SO_TYPE on a UDP socket fails, not with WSAEINVAL"
)
def test_setting_so_type_of_a_udp_socket_is_wsaeinval(env: Env) -> None:
    """sock.c:3140-3150 test_WSASocket (todo_wine 3144, 3150): setting SO_TYPE of a UDP socket
    fails with WSAEINVAL."""
    s = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    for socktype in (C.SOCK_STREAM, C.SOCK_DGRAM):
        env.ws.WSASetLastError(DEADBEEF)
        rc = env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_TYPE, socktype)
        assert fails_with(env, rc, E.WSAEINVAL), socktype


# --- test_sockopt_validity (sock.c:13008; do_sockopt_validity_tests 12966) ----------------------

SOCKETS = [
    pytest.param(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_IP, id="IPv4-TCP"),
    pytest.param(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_IP, id="IPv4-UDP"),
    pytest.param(C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_IPV6, id="IPv6-TCP"),
    pytest.param(C.AF_INET6, C.SOCK_DGRAM, C.IPPROTO_IPV6, id="IPv6-UDP"),
]


@pytest.mark.parametrize(("af", "type", "level"), SOCKETS)
def test_an_unknown_ip_option_is_wsaenoprotoopt(env: Env, af: int, type: int, level: int) -> None:
    """sock.c:13012, 13047, 13117, 13152 test_sockopt_validity (the row ``-1``, checked at
    12978-12986): getsockopt of option -1 at the IP level fails with WSAENOPROTOOPT."""
    s = env.socket(af, type)
    env.ws.WSASetLastError(0)
    assert env.ws.getsockopt(s, level, -1) == (C.SOCKET_ERROR, None)
    assert env.ws.WSAGetLastError() == E.WSAENOPROTOOPT


@pytest.mark.parametrize("type", [C.SOCK_STREAM, C.SOCK_DGRAM], ids=["TCP", "UDP"])
def test_ipv6_v6only_can_be_read_and_set_back(env: Env, type: int) -> None:
    """sock.c:13132 and 13167 test_sockopt_validity (checked at 12978-13002): getsockopt of
    IPV6_V6ONLY succeeds with the last error left 0, and setsockopt with the value and length
    it gave (1 byte: sock.c:1231, sizes {1, 1, 1}) succeeds with the last error 0."""
    s = env.socket(C.AF_INET6, type)
    env.ws.WSASetLastError(0)
    rc, value = env.ws.getsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY)
    assert (rc, env.ws.WSAGetLastError()) == (0, 0)
    env.ws.WSASetLastError(0)
    rc = env.ws.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, bytes([value]))
    assert (rc, env.ws.WSAGetLastError()) == (0, 0)


def test_options_of_a_handle_that_is_not_a_socket_are_wsaenotsock(env: Env) -> None:
    """sock.c:13220-13225 and 13276-13278 test_sockopt_validity (file_handle_tests): on a
    handle that is not a socket (sock.c: a file; here an event object), getsockopt of option
    -1 and of SO_TYPE fails with WSAENOTSOCK."""
    event = env.ws.WSACreateEvent()
    assert event != C.WSA_INVALID_EVENT
    try:
        for optname in (-1, C.SO_TYPE):
            env.ws.WSASetLastError(0)
            assert env.ws.getsockopt(event, C.SOL_SOCKET, optname) == (C.SOCKET_ERROR, None)
            assert env.ws.WSAGetLastError() == E.WSAENOTSOCK, optname
    finally:
        env.ws.WSACloseEvent(event)
