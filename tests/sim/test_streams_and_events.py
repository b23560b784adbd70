"""After the handshake: bytes, FIN and reset between simulated sockets, and their FD_* events."""

from __future__ import annotations

import struct

import wsasim

from tests.sim.conftest import LATENCY, Lab
from wsaconnect import constants as C
from wsaconnect import errors as E


def connected_pair(lab: Lab) -> tuple[int, int, int]:
    listener = lab.listen(80)
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    conn, _ = lab.srv.accept(listener)
    return listener, s, conn


def test_bytes_arrive_one_way_delay_later_in_order(lab: Lab) -> None:
    _, s, conn = connected_pair(lab)
    sent_at = lab.net.now
    assert lab.ws.send(s, b"abc") == 3
    assert lab.ws.send(s, b"def") == 3
    assert lab.srv.recv(conn, 4) == (4, b"abcd")
    assert lab.net.now == sent_at + LATENCY
    assert lab.srv.recv(conn, 100, C.MSG_PEEK) == (2, b"ef")
    assert lab.srv.recv(conn, 100) == (2, b"ef")


def test_close_delivers_fin_and_recv_returns_zero(lab: Lab) -> None:
    _, s, conn = connected_pair(lab)
    lab.ws.closesocket(s)
    assert lab.srv.recv(conn, 10) == (0, b"")


def test_nonblocking_recv_with_nothing_queued_is_wsaewouldblock(lab: Lab) -> None:
    _, s, _ = connected_pair(lab)
    lab.ws.ioctlsocket(s, C.FIONBIO, 1)
    assert lab.ws.recv(s, 10) == (C.SOCKET_ERROR, b"")
    assert lab.error() == E.WSAEWOULDBLOCK


def test_closing_a_listener_resets_connections_not_yet_accepted(lab: Lab) -> None:
    listener = lab.listen(80)
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    lab.srv.closesocket(listener)
    assert lab.ws.recv(s, 10) == (C.SOCKET_ERROR, b"")
    assert lab.error() == E.WSAECONNRESET


def test_event_select_reports_accept_read_and_close(lab: Lab) -> None:
    listener = lab.listen(80)
    event = lab.srv.WSACreateEvent()
    assert lab.srv.WSAEventSelect(listener, event, C.FD_ACCEPT) == 0
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    assert lab.srv.WSAWaitForMultipleEvents([event], False, 1000) == C.WSA_WAIT_EVENT_0
    assert lab.srv.WSAEnumNetworkEvents(listener, event)[1] == C.FD_ACCEPT
    conn, _ = lab.srv.accept(listener)
    conn_event = lab.srv.WSACreateEvent()
    assert lab.srv.WSAEventSelect(conn, conn_event, C.FD_READ | C.FD_CLOSE) == 0
    lab.ws.send(s, b"x")
    lab.ws.closesocket(s)
    lab.net.run_until_idle()
    rc, happened, codes = lab.srv.WSAEnumNetworkEvents(conn, conn_event)
    assert (rc, happened) == (0, C.FD_READ | C.FD_CLOSE)
    assert codes == [0] * C.FD_MAX_EVENTS


def test_fd_read_is_not_reported_again_until_recv_reenables_it(lab: Lab) -> None:
    _, s, conn = connected_pair(lab)
    hwnd = lab.srv.create_message_window()
    assert lab.srv.WSAAsyncSelect(conn, hwnd, C.WM_USER, C.FD_READ) == 0
    lab.ws.send(s, b"one")
    lab.net.run_until_idle()
    lab.ws.send(s, b"two")
    lab.net.run_until_idle()
    assert lab.srv.get_messages(hwnd) == [(C.WM_USER, conn, C.FD_READ)]
    assert lab.srv.recv(conn, 3) == (3, b"one")
    # Data remains, so recv re-enables FD_READ and it is posted again at once.
    assert lab.srv.get_messages(hwnd) == [(C.WM_USER, conn, C.FD_READ)]


def test_accepted_socket_has_the_listeners_port_and_the_peer_address(lab: Lab) -> None:
    _, s, conn = connected_pair(lab)
    assert lab.srv.getsockname(conn) == (0, ("192.0.2.20", 80))
    assert lab.srv.getpeername(conn) == lab.ws.getsockname(s)


# --- SO_LINGER ------------------------------------------------------------------------------------


def test_so_linger_round_trips_and_so_dontlinger_mirrors_it(lab: Lab) -> None:
    # sock.c:1311 test_set_getsockopt (linger_testvals) and 4921 test_extendedSocketOptions.
    s = lab.tcp()
    for pair in ((0, 0), (0, 73), (1, 0), (5, 189)):
        assert lab.ws.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, pair) == 0
        assert lab.ws.getsockopt(s, C.SOL_SOCKET, C.SO_LINGER) == (0, pair)
        assert lab.ws.getsockopt(s, C.SOL_SOCKET, C.SO_DONTLINGER) == (0, int(not pair[0]))
    assert lab.ws.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, struct.pack("<HH", 1, 7)) == 0
    assert lab.ws.getsockopt(s, C.SOL_SOCKET, C.SO_LINGER) == (0, (1, 7))
    assert lab.ws.setsockopt(s, C.SOL_SOCKET, C.SO_DONTLINGER, 1) == 0
    assert lab.ws.getsockopt(s, C.SOL_SOCKET, C.SO_LINGER) == (0, (0, 7))
    assert lab.ws.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, None) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEFAULT
    udp = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.ws.getsockopt(udp, C.SOL_SOCKET, C.SO_LINGER) == (C.SOCKET_ERROR, None)
    assert lab.error() == E.WSAENOPROTOOPT


def test_an_abortive_close_resets_the_peer(lab: Lab) -> None:
    # sock.c:213 close_with_rst and 6889 test_close_events ("Trigger RST"): the peer's FD_CLOSE
    # carries WSAECONNABORTED, its recv gives WSAECONNRESET, and select finds it readable
    # and writable, not exceptional (13350 test_tcp_reset).
    listener = lab.listen(80)
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    conn, _ = lab.srv.accept(listener)
    window = lab.srv.create_message_window()
    assert lab.srv.WSAAsyncSelect(conn, window, 0x400, C.FD_CLOSE | C.FD_READ) == 0
    assert lab.ws.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, (1, 0)) == 0
    assert lab.ws.closesocket(s) == 0
    assert lab.srv.select([conn], [], [], 1.0) == (1, [conn], [], [])  # the RST arrived
    assert lab.srv.select([conn], [conn], [conn], 0) == (2, [conn], [conn], [])
    assert lab.srv.get_messages(window) == [(0x400, conn, (E.WSAECONNABORTED << 16) | C.FD_CLOSE)]
    assert lab.srv.recv(conn, 10) == (C.SOCKET_ERROR, b"")
    assert lab.srv.WSAGetLastError() == E.WSAECONNRESET


def test_an_accepted_socket_inherits_the_listeners_options_and_registration(lab: Lab) -> None:
    # sock.c:4765 test_accept_inheritance; 6247 test_accept_events ("inherits the same
    # parameters": the accepted socket reports FD_WRITE through the listener's window).
    listener = lab.srv.socket(C.AF_INET, C.SOCK_STREAM)
    values = {
        (C.SOL_SOCKET, C.SO_REUSEADDR): 1,
        (C.SOL_SOCKET, C.SO_KEEPALIVE): 1,
        (C.SOL_SOCKET, C.SO_OOBINLINE): 1,
        (C.SOL_SOCKET, C.SO_SNDBUF): 0x123,
        (C.SOL_SOCKET, C.SO_RCVBUF): 0x123,
        (C.SOL_SOCKET, C.SO_SNDTIMEO): 0x123,
        (C.SOL_SOCKET, C.SO_RCVTIMEO): 0x123,
        (C.IPPROTO_TCP, C.TCP_NODELAY): 1,
    }
    for (level, name), value in values.items():
        assert lab.srv.setsockopt(listener, level, name, value) == 0
    assert lab.srv.setsockopt(listener, C.SOL_SOCKET, C.SO_LINGER, (1, 555)) == 0
    assert lab.srv.bind(listener, ("192.0.2.20", 80)) == 0
    assert lab.srv.listen(listener, 1) == 0
    window = lab.srv.create_message_window()
    mask = C.FD_ACCEPT | C.FD_WRITE
    assert lab.srv.WSAAsyncSelect(listener, window, 0x401, mask) == 0
    assert lab.ws.connect(lab.tcp(), ("192.0.2.20", 80)) == 0
    lab.net.advance(LATENCY)  # the handshake's last ACK reaches the server
    assert lab.srv.get_messages(window) == [(0x401, listener, C.FD_ACCEPT)]
    conn, _ = lab.srv.accept(listener)
    for (level, name), value in values.items():
        assert lab.srv.getsockopt(conn, level, name) == (0, value), name
    assert lab.srv.getsockopt(conn, C.SOL_SOCKET, C.SO_LINGER) == (0, (1, 555))
    assert lab.srv.get_messages(window) == [(0x401, conn, C.FD_WRITE)]


def test_a_syn_for_four_addresses_the_server_still_holds_is_refused() -> None:
    # The client closed and reused its only ephemeral port while the server kept the old
    # connection open: a second connection with the same four addresses cannot exist.
    net = wsasim.Network(ephemeral_ports=range(50000, 50001))
    client, server = net.add_host("c", ["192.0.2.10/24"]), net.add_host("s", ["192.0.2.20/24"])
    ws, srv = client.winsock, server.winsock
    assert ws.WSAStartup() == 0
    assert srv.WSAStartup() == 0
    listener = server.listen(80)
    first = ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert ws.connect(first, ("192.0.2.20", 80)) == 0
    held, _ = srv.accept(listener)
    assert ws.closesocket(first) == 0
    second = ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert ws.connect(second, ("192.0.2.20", 80)) == C.SOCKET_ERROR
    assert ws.WSAGetLastError() == E.WSAECONNREFUSED
    assert srv.closesocket(held) == 0  # now the four addresses are free
    assert ws.connect(second, ("192.0.2.20", 80)) == 0
