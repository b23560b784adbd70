"""Windows' connect controls on every backend (loopback only): WSAIoctl's SIO_TCP_INITIAL_RTO
and FIONBIO, and the TCP_MAXRT socket option.

Sources: Microsoft's "SIO_TCP_INITIAL_RTO Control Code", "TCP_INITIAL_RTO_PARAMETERS
structure", "WSAIoctl function" and "IPPROTO_TCP socket options" pages; docs/windows.md,
"Refused connects and the controls". Wine 8 implements neither control: its WSAIoctl answers
every code it does not know with WSAEOPNOTSUPP, even on a closed handle, and its getsockopt and
setsockopt refuse TCP_MAXRT with WSAENOPROTOOPT (dlls/ws2_32/socket.c; docs/wine.md). The exact
virtual times of the timing they set are tests/sim/test_connect_controls.py's.
"""

from __future__ import annotations

import struct
import time

import pytest

from tests.conformance.harness import Env
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.backend import SupportsWSAIoctl, require
from wsaconnect.structures import NO_SYN_RETRANSMISSIONS, TcpInitialRtoParameters

WINE_NO_SIO = "WSAIoctl(SIO_TCP_INITIAL_RTO) is WSAEOPNOTSUPP whatever the input (docs/wine.md)"
WINE_NO_MAXRT = "TCP_MAXRT is WSAENOPROTOOPT (docs/wine.md)"


def ioctl(env: Env, s: int, code: int, data: bytes | None, out_size: int = 0) -> tuple[int, bytes]:
    return require(env.ws, SupportsWSAIoctl).WSAIoctl(s, code, data, out_size)


def fails_with(env: Env, result: tuple[int, bytes], code: int) -> None:
    assert result == (C.SOCKET_ERROR, b"")
    assert env.ws.WSAGetLastError() == code, E.name(env.ws.WSAGetLastError())


def now(env: Env) -> float:
    """Seconds: virtual on the simulator, wall-clock natively."""
    return env.network.now if env.network is not None else time.monotonic()


# --- SIO_TCP_INITIAL_RTO ---------------------------------------------------------------------


@pytest.mark.wine_deviation(WINE_NO_SIO)
@pytest.mark.parametrize(
    "parameters",
    [
        NO_SYN_RETRANSMISSIONS,
        TcpInitialRtoParameters(),
        TcpInitialRtoParameters(C.TCP_INITIAL_RTO_DEFAULT_RTT, 2),
        TcpInitialRtoParameters(1000, C.TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS),
    ],
    ids=["no-syn-retransmissions", "unspecified", "default-rtt", "rtt-1000"],
)
def test_sio_tcp_initial_rto_is_accepted_on_a_tcp_socket_before_connect(
    env: Env, parameters: TcpInitialRtoParameters
) -> None:
    for af in (C.AF_INET, C.AF_INET6):
        assert ioctl(env, env.socket(af), C.SIO_TCP_INITIAL_RTO, parameters.pack()) == (0, b"")


@pytest.mark.wine_deviation(WINE_NO_SIO)
def test_sio_tcp_initial_rto_is_accepted_on_a_bound_socket_and_it_still_connects(
    env: Env,
) -> None:
    _, port = env.listener()
    s = env.socket()
    assert env.ws.bind(s, ("127.0.0.1", 0)) == 0
    assert ioctl(env, s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack()) == (0, b"")
    assert env.ws.connect(s, ("127.0.0.1", port)) == 0


@pytest.mark.wine_deviation(WINE_NO_SIO)
@pytest.mark.parametrize("data", [None, b"", b"\xff", b"\xff\xff\xfe"], ids=repr)
def test_sio_tcp_initial_rto_shorter_than_its_structure_is_wsaeinval(
    env: Env, data: bytes | None
) -> None:
    # "WSAEINVAL ... a specified input parameter is not acceptable"; the structure is 4 bytes.
    fails_with(env, ioctl(env, env.socket(), C.SIO_TCP_INITIAL_RTO, data), E.WSAEINVAL)


def test_sio_tcp_initial_rto_on_a_udp_socket_is_refused(env: Env) -> None:
    # The page documents both answers for it: WSAEINVAL, "the command is not applicable to the
    # type of socket specified", and WSAEOPNOTSUPP, the IOCTL "is not supported by the
    # transport provider". The simulator gives the first; Wine gives the second for any code.
    s = env.socket(C.AF_INET, C.SOCK_DGRAM)
    result = ioctl(env, s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack())
    assert result == (C.SOCKET_ERROR, b"")
    assert env.ws.WSAGetLastError() in (E.WSAEINVAL, E.WSAEOPNOTSUPP)
    if env.kind == "sim":
        assert env.ws.WSAGetLastError() == E.WSAEINVAL


@pytest.mark.wine_deviation(WINE_NO_SIO)
def test_sio_tcp_initial_rto_on_a_closed_socket_is_wsaenotsock(env: Env) -> None:
    s = env.ws.socket(C.AF_INET, C.SOCK_STREAM, 0)
    env.ws.closesocket(s)
    result = ioctl(env, s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack())
    fails_with(env, result, E.WSAENOTSOCK)


def test_an_unknown_control_code_is_wsaeopnotsupp(env: Env) -> None:
    # WSAIoctl page: WSAEOPNOTSUPP, "the specified IOCTL command is not supported".
    fails_with(env, ioctl(env, env.socket(), 0xDEADBEEF, None), E.WSAEOPNOTSUPP)


@pytest.mark.wine_deviation(WINE_NO_SIO)
def test_a_refused_loopback_connect_without_syn_retransmissions_fails_at_once(env: Env) -> None:
    # The Go/libuv fix (golang/go#23366, libuv PR 2896): no SYN retransmission, so the first
    # RST ends the connect; without it Windows takes about 2 s (docs/windows.md).
    port = env.closed_port()
    s = env.socket()
    assert ioctl(env, s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack()) == (0, b"")
    start = now(env)
    assert env.ws.connect(s, ("127.0.0.1", port)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAECONNREFUSED
    if env.kind == "sim":
        assert now(env) - start == 0.0  # one loopback round trip
    else:
        assert now(env) - start < 1.0  # the first retry would come 1 s after the RST


# --- FIONBIO through WSAIoctl ------------------------------------------------------------------


def test_fionbio_through_wsaioctl_makes_the_socket_non_blocking(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    assert ioctl(env, s, C.FIONBIO, struct.pack("<I", 1)) == (0, b"")
    assert env.ws.connect(s, ("127.0.0.1", port)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEWOULDBLOCK


@pytest.mark.parametrize("data", [None, b"\x01"], ids=repr)
def test_fionbio_without_a_whole_u_long_is_wsaefault(env: Env, data: bytes | None) -> None:
    fails_with(env, ioctl(env, env.socket(), C.FIONBIO, data), E.WSAEFAULT)


# --- TCP_MAXRT ---------------------------------------------------------------------------------


@pytest.mark.wine_deviation(WINE_NO_MAXRT)
@pytest.mark.parametrize("seconds", [5, 1, 120])
def test_tcp_maxrt_reads_back_what_was_set(env: Env, seconds: int) -> None:
    s = env.socket()
    assert env.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, seconds) == 0
    assert env.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT) == (0, seconds)


@pytest.mark.wine_deviation(WINE_NO_MAXRT)
def test_tcp_maxrt_of_minus_one_disables_the_timeout_and_reads_back_as_a_dword(env: Env) -> None:
    s = env.socket()
    assert env.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, -1) == 0
    assert env.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT) == (0, 0xFFFFFFFF)


@pytest.mark.wine_deviation(WINE_NO_MAXRT)
def test_tcp_maxrt_on_a_connected_socket_is_still_an_option(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    assert env.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 5) == 0
    assert env.ws.connect(s, ("127.0.0.1", port)) == 0
    assert env.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT) == (0, 5)
