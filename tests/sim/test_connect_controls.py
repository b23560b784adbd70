"""Exact virtual times of Windows' connect controls: SIO_TCP_INITIAL_RTO and TCP_MAXRT.

The rules and their sources are wsasim.connect_controls' (docs/simulator.md, "The TCP timing
model"): Rtt sets the initial RTO to 3 * Rtt (RFC 2988/6298 section 2.2; nmap issue 2113),
which doubles up to 60 s (the IPPROTO_TCP options page); MaxSynRetransmissions counts the SYNs
sent again, after a timeout or after a RST; TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS sends one
SYN only; TCP_MAXRT ends the attempt with WSAETIMEDOUT that many seconds after its first SYN.
"""

from __future__ import annotations

import struct

import pytest
import wsasim

from tests.sim.conftest import LATENCY, Lab, make_lab
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.structures import NO_SYN_RETRANSMISSIONS, TcpInitialRtoParameters

RTT = 2 * LATENCY
BLACKHOLE = ("192.0.2.99", 80)  # no host has it: the SYNs are lost
REFUSING = ("192.0.2.20", 81)  # the server, where nothing listens


def syn_times(net: wsasim.Network) -> list[float]:
    assert net.trace is not None
    return [t for t, _, what in net.trace if what.startswith("SYN")]


def rto_ioctl(lab: Lab, s: int, rtt: int, count: int) -> None:
    data = TcpInitialRtoParameters(rtt, count).pack()
    assert lab.ws.WSAIoctl(s, C.SIO_TCP_INITIAL_RTO, data, 0) == (0, b"")


def fails_at(lab: Lab, s: int, destination: tuple[str, int], code: int, when: float) -> None:
    start = lab.net.now
    assert lab.ws.connect(s, destination) == C.SOCKET_ERROR
    assert lab.error() == code, E.name(lab.error())
    assert lab.net.now - start == pytest.approx(when, abs=1e-12)


# --- SIO_TCP_INITIAL_RTO: the SYN schedule -----------------------------------------------------


def test_rtt_1000_ms_and_two_retransmissions_is_an_initial_rto_of_3_s() -> None:
    # RTO = 3 * Rtt = 3 s, doubled: SYNs at 0, 3 and 9 s, and the last one's RTO (12 s) ends
    # the attempt at 21 s: Windows' default schedule, which this Rtt is the estimate behind.
    lab = make_lab(trace=True)
    s = lab.tcp()
    rto_ioctl(lab, s, 1000, 2)
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 21.0)
    assert syn_times(lab.net) == [0.0, 3.0, 9.0]


def test_rtt_500_ms_and_three_retransmissions() -> None:
    # RTO 1.5 s, doubled: SYNs at 0, 1.5, 4.5 and 10.5 s; WSAETIMEDOUT 12 s after the last.
    lab = make_lab(trace=True)
    s = lab.tcp()
    rto_ioctl(lab, s, 500, 3)
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 22.5)
    assert syn_times(lab.net) == [0.0, 1.5, 4.5, 10.5]


def test_the_doubling_stops_at_60_seconds() -> None:
    # Rtt 10 s: RTO 30 s, then 60 s, then 60 s again (the cap), then 60 s.
    lab = make_lab(trace=True)
    s = lab.tcp()
    rto_ioctl(lab, s, 10_000, 3)
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 210.0)
    assert syn_times(lab.net) == [0.0, 30.0, 90.0, 150.0]


def test_no_syn_retransmissions_against_a_blackhole_times_out_after_one_rto() -> None:
    lab = make_lab(trace=True)
    s = lab.tcp()
    rto_ioctl(lab, s, C.TCP_INITIAL_RTO_UNSPECIFIED_RTT, C.TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS)
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 3.0)
    assert syn_times(lab.net) == [0.0]


def test_no_syn_retransmissions_with_an_rtt_times_out_after_3_rtt() -> None:
    lab = make_lab(trace=True)
    s = lab.tcp()
    rto_ioctl(lab, s, 100, C.TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS)
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 0.3)
    assert syn_times(lab.net) == [0.0]


def test_no_syn_retransmissions_refused_by_a_host_fails_in_one_round_trip(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.WSAIoctl(s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack()) == (0, b"")
    fails_at(lab, s, REFUSING, E.WSAECONNREFUSED, RTT)


def test_no_syn_retransmissions_refused_on_loopback_fails_at_once(lab: Lab) -> None:
    for af, host in ((C.AF_INET, "127.0.0.1"), (C.AF_INET6, "::1")):
        s = lab.tcp(af)
        assert lab.ws.WSAIoctl(s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack()) == (0, b"")
        fails_at(lab, s, (host, 81), E.WSAECONNREFUSED, 0.0)


def test_max_syn_retransmissions_also_counts_the_syns_sent_again_after_a_rst(lab: Lab) -> None:
    # One retransmission: RST at 1 RTT, the SYN again 1 s later, its RST 1 RTT after that.
    s = lab.tcp()
    rto_ioctl(lab, s, C.TCP_INITIAL_RTO_UNSPECIFIED_RTT, 1)
    fails_at(lab, s, REFUSING, E.WSAECONNREFUSED, 1.0 + 2 * RTT)


@pytest.mark.parametrize(
    ("rtt", "count"),
    [
        (C.TCP_INITIAL_RTO_UNSPECIFIED_RTT, C.TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS),
        (C.TCP_INITIAL_RTO_DEFAULT_RTT, C.TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS),
    ],
    ids=["unspecified", "default"],
)
def test_unspecified_and_default_fields_take_the_networks_timing(rtt: int, count: int) -> None:
    timing = wsasim.TcpTiming(initial_rto=1.0, syn_retransmissions=1, refused_retries=0)
    lab = make_lab(timing=timing, trace=True)
    s = lab.tcp()
    rto_ioctl(lab, s, 1000, 4)  # an earlier setting, replaced field by field
    rto_ioctl(lab, s, rtt, count)
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 3.0)
    assert syn_times(lab.net) == [0.0, 1.0]
    sock = lab.client.find_socket(s)
    assert sock is not None
    assert sock.timing == timing


def test_each_field_alone_keeps_the_network_value_of_the_other() -> None:
    lab = make_lab(trace=True)
    rtt_only, count_only = lab.tcp(), lab.tcp()
    rto_ioctl(lab, rtt_only, 500, C.TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS)
    rto_ioctl(lab, count_only, C.TCP_INITIAL_RTO_UNSPECIFIED_RTT, 1)
    fails_at(lab, rtt_only, BLACKHOLE, E.WSAETIMEDOUT, 1.5 + 3.0 + 6.0)  # two retransmissions
    fails_at(lab, count_only, BLACKHOLE, E.WSAETIMEDOUT, 3.0 + 6.0)  # the initial RTO of 3 s


def test_a_count_of_0_is_the_default_not_none(lab: Lab) -> None:
    # TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS is 0: "no retransmission" has its own
    # value, TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS.
    s = lab.tcp()
    rto_ioctl(lab, s, C.TCP_INITIAL_RTO_UNSPECIFIED_RTT, 0)
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 21.0)


def test_only_the_socket_it_is_set_on_changes(lab: Lab) -> None:
    quick, normal = lab.tcp(), lab.tcp()
    assert lab.ws.WSAIoctl(quick, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack()) == (0, b"")
    fails_at(lab, quick, ("127.0.0.1", 81), E.WSAECONNREFUSED, 0.0)
    fails_at(lab, normal, ("127.0.0.1", 81), E.WSAECONNREFUSED, 2.0)


def test_a_change_during_a_connect_is_for_the_next_attempt(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    assert lab.ws.connect(s, BLACKHOLE) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEWOULDBLOCK
    assert lab.ws.WSAIoctl(s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack()) == (0, b"")
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 1) == 0
    assert lab.ws.select([], [], [s], None) == (1, [], [], [s])
    assert lab.net.now == 21.0  # the attempt in progress kept the timing it started with
    assert lab.ws.ioctlsocket(s, C.FIONBIO, 0) == 0
    fails_at(lab, s, ("127.0.0.1", 81), E.WSAECONNREFUSED, 0.0)  # the next one has it


def test_connect_by_list_attempts_follow_the_socket_timing(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.WSAIoctl(s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack()) == (0, b"")
    assert lab.ws.WSAConnectByList(s, [REFUSING]) == (False, None, None)
    assert lab.error() == E.WSAECONNREFUSED
    assert lab.net.now == pytest.approx(RTT)


# --- TCP_MAXRT -----------------------------------------------------------------------------------


def test_tcp_maxrt_5_against_a_blackhole_times_out_at_exactly_5_seconds() -> None:
    lab = make_lab(trace=True)
    s = lab.tcp()
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 5) == 0
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 5.0)
    assert syn_times(lab.net) == [0.0, 3.0]  # cut short in the middle of the schedule
    attempt = lab.net.attempts[-1]
    assert (attempt.started, attempt.ended, attempt.outcome) == (0.0, 5.0, "WSAETIMEDOUT")


def test_tcp_maxrt_wins_a_tie_with_a_retransmission_due_at_the_same_instant() -> None:
    lab = make_lab(trace=True)
    s = lab.tcp()
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 3) == 0
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 3.0)
    assert syn_times(lab.net) == [0.0]


def test_tcp_maxrt_1_with_a_refusal_times_out_whatever_the_rsts(lab: Lab) -> None:
    # nmap issue 2113: WSAETIMEDOUT "regardless of whether any RST was received".
    for destination in (REFUSING, ("127.0.0.1", 81)):
        s = lab.tcp()
        assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 1) == 0
        fails_at(lab, s, destination, E.WSAETIMEDOUT, 1.0)


def test_tcp_maxrt_longer_than_the_schedule_changes_nothing(lab: Lab) -> None:
    s, refused = lab.tcp(), lab.tcp()
    for sock in (s, refused):
        assert lab.ws.setsockopt(sock, C.IPPROTO_TCP, C.TCP_MAXRT, 30) == 0
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 21.0)
    fails_at(lab, refused, ("127.0.0.1", 81), E.WSAECONNREFUSED, 2.0)


@pytest.mark.parametrize("value", [0, -1, 0xFFFFFFFF])
def test_tcp_maxrt_of_0_or_minus_1_sets_no_limit(lab: Lab, value: int) -> None:
    s = lab.tcp()
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 5) == 0
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, value) == 0
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 21.0)


def test_tcp_maxrt_does_not_end_a_connect_that_succeeded(lab: Lab) -> None:
    lab.listen(80)
    s = lab.tcp()
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 1) == 0
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    lab.net.advance(5.0)
    assert lab.ws.send(s, b"x") == 1
    assert lab.ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR) == (0, 0)


def test_tcp_maxrt_bounds_each_attempt_of_connect_by_list(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 2) == 0
    lab.net.blackhole("192.0.2.20")
    assert lab.ws.WSAConnectByList(s, [("192.0.2.20", 80)]) == (False, None, None)
    assert lab.error() == E.WSAETIMEDOUT
    assert lab.net.now == 2.0


def test_tcp_maxrt_and_no_syn_retransmissions_combine() -> None:
    lab = make_lab(trace=True)
    s = lab.tcp()
    rto_ioctl(lab, s, 10_000, C.TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS)  # one RTO of 30 s
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 7) == 0
    fails_at(lab, s, BLACKHOLE, E.WSAETIMEDOUT, 7.0)
    sock = lab.client.find_socket(s)
    assert sock is not None
    assert (sock.timing.initial_rto, sock.timing.syn_retransmissions) == (30.0, 0)
    assert sock.timing.connect_limit == 7.0


def test_tcp_maxrt_reads_back_as_a_dword_and_defaults_to_0(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT) == (0, 0)
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, struct.pack("<i", -1)) == 0
    assert lab.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT) == (0, 0xFFFFFFFF)


def test_tcp_maxrt_shorter_than_a_dword_is_wsaefault(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, b"\x05\x00") == C.SOCKET_ERROR
    assert lab.error() == E.WSAEFAULT


def test_tcp_maxrt_on_a_udp_socket_is_wsaenoprotoopt(lab: Lab) -> None:
    s = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT, 5) == C.SOCKET_ERROR
    assert lab.error() == E.WSAENOPROTOOPT
    assert lab.ws.getsockopt(s, C.IPPROTO_TCP, C.TCP_MAXRT) == (C.SOCKET_ERROR, None)
    assert lab.error() == E.WSAENOPROTOOPT


# --- WSAIoctl's own rules on the simulator -----------------------------------------------------


def fails_with(lab: Lab, result: tuple[int, bytes], code: int) -> None:
    assert result == (C.SOCKET_ERROR, b"")
    assert lab.error() == code, E.name(lab.error())


def test_sio_tcp_initial_rto_with_an_output_buffer_is_wsaeinval(lab: Lab) -> None:
    # The page: cbOutBuffer "must be set to zero".
    s = lab.tcp()
    fails_with(
        lab,
        lab.ws.WSAIoctl(s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack(), 4),
        E.WSAEINVAL,
    )


def test_sio_tcp_initial_rto_longer_than_its_structure_reads_its_first_bytes(lab: Lab) -> None:
    s = lab.tcp()
    data = NO_SYN_RETRANSMISSIONS.pack() + b"\xaa" * 4
    assert lab.ws.WSAIoctl(s, C.SIO_TCP_INITIAL_RTO, data) == (0, b"")
    fails_at(lab, s, ("127.0.0.1", 81), E.WSAECONNREFUSED, 0.0)


def test_sio_tcp_initial_rto_on_a_udp_socket_is_wsaeinval(lab: Lab) -> None:
    s = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    fails_with(
        lab, lab.ws.WSAIoctl(s, C.SIO_TCP_INITIAL_RTO, NO_SYN_RETRANSMISSIONS.pack()), E.WSAEINVAL
    )


def test_a_control_code_may_be_given_as_its_signed_pattern(lab: Lab) -> None:
    s = lab.tcp()
    signed = C.SIO_TCP_INITIAL_RTO - 2**32
    assert lab.ws.WSAIoctl(s, signed, NO_SYN_RETRANSMISSIONS.pack()) == (0, b"")


def test_wsaioctl_follows_the_rules_every_call_shares() -> None:
    lab = make_lab()
    s = lab.tcp()
    lab.client.set_network_down(True)
    fails_with(lab, lab.ws.WSAIoctl(s, C.FIONBIO, b"\x01\x00\x00\x00"), E.WSAENETDOWN)
    lab.client.set_network_down(False)
    lab.ws.WSACleanup()
    fails_with(lab, lab.ws.WSAIoctl(s, C.FIONBIO, b"\x01\x00\x00\x00"), E.WSANOTINITIALISED)


def test_wsaioctl_success_clears_the_last_error(lab: Lab) -> None:
    s = lab.tcp()
    lab.ws.WSASetLastError(E.WSAEINVAL)
    assert lab.ws.WSAIoctl(s, C.FIONBIO, b"\x00\x00\x00\x00") == (0, b"")
    assert lab.error() == 0


def test_fionbio_off_while_wsaeventselect_is_in_force_is_wsaeinval(lab: Lab) -> None:
    s = lab.tcp()
    event = lab.ws.WSACreateEvent()
    assert lab.ws.WSAEventSelect(s, event, C.FD_CONNECT) == 0
    fails_with(lab, lab.ws.WSAIoctl(s, C.FIONBIO, bytes(4)), E.WSAEINVAL)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((C.FIONBIO, "x"), TypeError, r"^in_buffer must be bytes or None"),
        ((1.5, None), TypeError, r"^code must be an int"),
        ((2**32, None), ValueError, r"^code must be"),
        ((C.FIONBIO, None, -1), ValueError, r"^out_size must be"),
        ((C.FIONBIO, None, True), TypeError, r"^out_size must be an int"),
    ],
)
def test_wsaioctl_arguments_no_c_type_holds_raise(
    lab: Lab, args: tuple[object, ...], error: type[Exception], message: str
) -> None:
    s = lab.tcp()
    with pytest.raises(error, match=message):
        lab.ws.WSAIoctl(s, *args)  # type: ignore[arg-type]
