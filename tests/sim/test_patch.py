"""``wsasim.patch(host)``: the standard library's socket code, unchanged, on the simulator.

Each scenario runs ``socket``/``select``/``selectors``/``time`` calls as an application would
and asserts the virtual instant things happen at (never the wall clock). Sources: Lib/socket.py
(create_connection, socketpair), Lib/selectors.py (SelectSelector on win32), the getaddrinfo
and select documents (Microsoft Learn), RFC 6724, docs/simulator.md for the timing model.
"""

from __future__ import annotations

import builtins
import select
import selectors
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import wsasim
from wsasim.patch_select import HIDDEN
from wsasim.resolver import Resolver

from tests.world import World, world
from wsaconnect import constants as C
from wsaconnect import errors as E

LATENCY = 0.001
RTT = 2 * LATENCY
PORT = 8080
NAME = "server.example"
#: A refused connect on loopback (no round trip): the SYN is sent again after each RST, 1 s
#: apart, twice (wsasim.timing.TcpTiming: refused_retries, refused_retry_interval).
LOOPBACK_REFUSED = 2.0

PATCHED = [
    (socket, "socket"),
    (socket, "SocketType"),
    (socket, "socketpair"),
    (socket, "fromfd"),
    (socket, "getaddrinfo"),
    (socket, "gethostbyname"),
    (socket, "gethostbyname_ex"),
    (socket, "gethostbyaddr"),
    (socket, "gethostname"),
    (socket, "getnameinfo"),
    (select, "select"),
    (selectors, "SelectSelector"),
    (selectors, "DefaultSelector"),
]
CLOCKS = [
    (time, name)
    for name in (
        "time",
        "time_ns",
        "monotonic",
        "monotonic_ns",
        "perf_counter",
        "perf_counter_ns",
        "sleep",
    )
]


def snapshot() -> dict[str, object]:
    """The identity of everything a patch replaces or hides (what Windows CPython lacks)."""
    found = {f"{m.__name__}.{n}": getattr(m, n) for m, n in PATCHED + CLOCKS}
    for module, names in ((select, HIDDEN["select"]), (selectors, HIDDEN["selectors"])):
        for name in names:
            found[f"{module.__name__}.{name}"] = getattr(module, name, None)
    return found


@pytest.fixture
def w() -> Iterator[World]:
    """The windows-profile world, the server listening on PORT, a dual-stack name for it."""
    made = world("windows", latency=LATENCY)
    made.server.listen(PORT)
    made.net.add_name(NAME, ["2001:db8::20", "192.0.2.20"])
    before = snapshot()
    yield made
    assert snapshot() == before  # every test leaves the modules as it found them


# --- entering, leaving, nesting, threads ---------------------------------------------------------


def test_patch_replaces_the_modules_names_and_puts_them_back(w: World) -> None:
    before = snapshot()
    with wsasim.patch(w.client) as host:
        assert host is w.client
        assert vars(socket)["socket"] is wsasim.SimSocket
        assert vars(socket)["SocketType"] is wsasim.SimSocket
        inside = snapshot()
        for key, value in before.items():
            if value is not None:  # replaced, or hidden (None inside)
                assert inside[key] is not value, key
        assert not hasattr(select, "poll")  # as on Windows
        assert not hasattr(selectors, "PollSelector")
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        assert isinstance(s, socket.socket)
        assert s.fileno() >= 2**32  # a simulator handle
        s.close()
    after = snapshot()
    assert all(after[k] is before[k] for k in before)


def test_everything_is_put_back_after_an_exception(w: World) -> None:
    before = snapshot()
    seen: list[object] = []

    def fail() -> None:
        with wsasim.patch(w.client):
            seen.append(time.monotonic)
            raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        fail()
    assert seen[0] is not before["time.monotonic"]
    after = snapshot()
    assert all(after[k] is before[k] for k in before)


def test_clock_false_leaves_time_alone(w: World) -> None:
    before = snapshot()
    with wsasim.patch(w.client, clock=False):
        assert all(getattr(m, n) is before[f"time.{n}"] for m, n in CLOCKS)
        assert socket.getaddrinfo is not before["socket.getaddrinfo"]


def test_patches_nest_and_the_inner_host_is_active_until_it_exits(w: World) -> None:
    with wsasim.patch(w.client):
        assert socket.gethostname() == "client"
        with wsasim.patch(w.server):
            assert socket.gethostname() == "server"
            s = socket.socket()
            assert isinstance(s, wsasim.SimSocket)
            assert s.backend.host is w.server
            s.close()
            time.sleep(1)
        assert socket.gethostname() == "client"
        s = socket.socket()
        assert isinstance(s, wsasim.SimSocket)
        assert s.backend.host is w.client
        s.close()
        assert w.net.now == 1.0


def test_a_patch_object_cannot_be_entered_twice_at_once(w: World) -> None:
    p = wsasim.patch(w.client)
    with p, pytest.raises(RuntimeError, match="already active"), p:
        pass
    with p:  # once it has exited, it may be entered again
        assert socket.gethostname() == "client"


def test_another_thread_can_neither_enter_a_patch_nor_use_the_simulator(w: World) -> None:
    refused: list[str] = []
    clock_moved: list[float] = []

    def intruder() -> None:
        try:
            with wsasim.patch(w.server):
                pass
        except RuntimeError as exc:
            refused.append(str(exc))
        try:
            socket.getaddrinfo(NAME, PORT)
        except RuntimeError as exc:
            refused.append(str(exc))
        time.sleep(0.001)  # another thread's time is real: the network's clock stays
        clock_moved.append(w.net.now)

    with wsasim.patch(w.client):
        thread = threading.Thread(target=intruder, name="intruder")
        thread.start()
        thread.join()
    assert len(refused) == 2
    assert "entered from thread 'intruder'" in refused[0]
    assert "socket.getaddrinfo was called from thread 'intruder'" in refused[1]
    assert clock_moved == [0.0]


def test_patch_checks_its_arguments(w: World) -> None:
    with pytest.raises(TypeError, match=r"wsasim\.Host"):
        wsasim.patch("client")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="clock must be a bool"):
        wsasim.patch(w.client, clock=1)  # type: ignore[arg-type]


# --- names ---------------------------------------------------------------------------------------


def test_getaddrinfo_puts_ipv6_first_for_a_dual_stack_client_as_rfc_6724(w: World) -> None:
    w.net.add_name("v4first.example", ["192.0.2.20", "2001:db8::20"])
    with wsasim.patch(w.client):
        for name in (NAME, "v4first.example"):
            assert socket.getaddrinfo(name, PORT, type=socket.SOCK_STREAM) == [
                (socket.AF_INET6, socket.SOCK_STREAM, 0, "", ("2001:db8::20", PORT, 0, 0)),
                (socket.AF_INET, socket.SOCK_STREAM, 0, "", ("192.0.2.20", PORT)),
            ]
        family, kind, *_ = socket.getaddrinfo(NAME, PORT)[0]
        assert isinstance(family, socket.AddressFamily)
        assert kind == 0  # Windows copies the hints' socket type: 0 stays 0


def test_getaddrinfo_puts_ipv4_first_for_a_client_without_ipv6(w: World) -> None:
    v4only = w.net.add_host("v4only", ["192.0.2.30/24"])
    with wsasim.patch(v4only):
        found = [sa for *_, sa in socket.getaddrinfo(NAME, PORT, type=socket.SOCK_STREAM)]
    assert found == [("192.0.2.20", PORT), ("2001:db8::20", PORT, 0, 0)]  # unreachable last


def test_getaddrinfo_shapes_ports_families_and_flags(w: World) -> None:
    with wsasim.patch(w.client):
        gai = socket.getaddrinfo
        assert gai("localhost", 80) == [
            (socket.AF_INET6, 0, 0, "", ("::1", 80, 0, 0)),
            (socket.AF_INET, 0, 0, "", ("127.0.0.1", 80)),
        ]
        assert gai("192.0.2.99", "443", proto=socket.IPPROTO_TCP) == [
            (socket.AF_INET, 0, socket.IPPROTO_TCP, "", ("192.0.2.99", 443))
        ]
        assert gai("2001:db8::99", None) == [(socket.AF_INET6, 0, 0, "", ("2001:db8::99", 0, 0, 0))]
        assert [sa for *_, sa in gai(NAME, "http", socket.AF_INET)] == [("192.0.2.20", 80)]
        assert [sa for *_, sa in gai(NAME, b"https", socket.AF_INET6)] == [
            ("2001:db8::20", 443, 0, 0)
        ]
        assert [sa for *_, sa in gai(None, 80, flags=socket.AI_PASSIVE)] == [
            ("::", 80, 0, 0),
            ("0.0.0.0", 80),
        ]
        canon = [c for _, _, _, c, _ in gai(NAME, 80, flags=socket.AI_CANONNAME)]
        assert canon == [NAME, ""]
        assert [sa[0] for *_, sa in gai("", 80)] == ["2001:db8::10", "192.0.2.10"]
        w.net.add_name("v4.example", ["192.0.2.20"])
        mapped = gai("v4.example", 80, socket.AF_INET6, flags=socket.AI_V4MAPPED)
        assert [sa for *_, sa in mapped] == [("::ffff:192.0.2.20", 80, 0, 0)]


def test_getaddrinfo_errors_are_gaierror_with_windows_codes(w: World) -> None:
    w.net.add_name("v6only.example", ["2001:db8::20"])
    with wsasim.patch(w.client):
        cases: list[tuple[tuple[object, ...], dict[str, int], int]] = [
            (("nowhere.example", 80), {}, E.WSAHOST_NOT_FOUND),
            ((NAME, 80), {"flags": socket.AI_NUMERICHOST}, E.WSAHOST_NOT_FOUND),
            ((None, None), {}, E.WSAHOST_NOT_FOUND),
            ((NAME, "no-such-service"), {}, E.WSATYPE_NOT_FOUND),
            (("v6only.example", 80), {"family": socket.AF_INET}, E.WSANO_DATA),
            ((NAME, 80), {"family": 12345}, E.WSAEAFNOSUPPORT),
        ]
        gai: Any = socket.getaddrinfo  # called with wrong types too
        for args, kwargs, code in cases:
            with pytest.raises(socket.gaierror) as info:
                gai(*args, **kwargs)
            assert info.value.args == (code, "getaddrinfo failed"), (args, kwargs)
        with pytest.raises(socket.gaierror) as info:
            socket.gethostbyname("nowhere.example")
        assert info.value.errno == 11001
        with pytest.raises(OSError, match="Int or String expected"):
            gai(NAME, 80.0)
        with pytest.raises(TypeError, match="must be string or None"):
            gai(5, 80)


def test_gethostbyname_gethostname_getfqdn_and_getnameinfo(w: World) -> None:
    with wsasim.patch(w.client):
        assert socket.gethostbyname(NAME) == "192.0.2.20"
        assert socket.gethostbyname("localhost") == "127.0.0.1"
        assert socket.gethostbyname("") == "0.0.0.0"
        assert socket.gethostbyname_ex(NAME) == (NAME, [], ["192.0.2.20"])
        assert socket.gethostname() == "client"
        assert socket.gethostbyname(socket.gethostname()) == "192.0.2.10"
        assert socket.gethostbyaddr("192.0.2.10") == ("client", [], ["192.0.2.10"])
        with pytest.raises(socket.herror) as info:
            socket.gethostbyaddr("192.0.2.20")
        assert info.value.args == (E.WSANO_DATA, "host not found")
        assert socket.getfqdn() == "client"  # Lib/socket.py's getfqdn, on the patched names
        assert socket.getnameinfo(("192.0.2.20", 443), 0) == ("192.0.2.20", "https")
        assert socket.getnameinfo(("::1", 80, 0, 0), socket.NI_NUMERICSERV) == ("client", "80")


def test_resolver_setipaddr_is_what_bind_and_connect_resolve(w: World) -> None:
    names = Resolver(w.client)  # no patch needed
    assert names.setipaddr("", socket.AF_INET6) == "::"
    assert names.setipaddr("", socket.AF_INET) == "0.0.0.0"
    assert names.setipaddr("<broadcast>", socket.AF_INET) == "255.255.255.255"
    assert names.setipaddr(NAME, 0) == "2001:db8::20"
    assert names.setipaddr(NAME, socket.AF_INET) == "192.0.2.20"
    with pytest.raises(socket.gaierror):
        names.setipaddr("nowhere.example", 0)


# --- create_connection (Lib/socket.py, unchanged) ------------------------------------------------


def test_create_connection_waits_out_the_21_s_syn_timeout_then_connects_over_ipv4(
    w: World,
) -> None:
    w.net.blackhole("2001:db8::20")
    with wsasim.patch(w.client):
        sock = socket.create_connection((NAME, PORT))
    assert isinstance(sock, wsasim.SimSocket)
    assert sock.getpeername() == ("192.0.2.20", PORT)
    assert w.net.now == pytest.approx(21.0 + RTT)
    assert [a.outcome for a in w.client.attempts] == ["WSAETIMEDOUT", "connected"]
    sock.close()


def test_create_connection_with_a_timeout_gives_up_on_ipv6_after_it(w: World) -> None:
    w.net.blackhole("2001:db8::20")
    with wsasim.patch(w.client):
        sock = socket.create_connection((NAME, PORT), timeout=5)
    assert sock.getpeername() == ("192.0.2.20", PORT)
    assert sock.gettimeout() == 5.0
    assert w.net.now == pytest.approx(5.0 + RTT)
    first = w.client.attempts[0]
    assert (first.remote.host, first.started) == ("2001:db8::20", 0.0)
    sock.close()


#: ExceptionGroup (Python 3.11), looked up so that the module also imports on 3.10.
EXCEPTION_GROUP: type[Exception] = vars(builtins).get("ExceptionGroup", Exception)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="all_errors is new in Python 3.11")
def test_create_connection_all_errors_groups_both_refusals(w: World) -> None:
    connect: Any = socket.create_connection  # all_errors: 3.11
    with wsasim.patch(w.client), pytest.raises(EXCEPTION_GROUP) as info:
        connect((NAME, PORT + 1), all_errors=True)
    assert type(info.value).__name__ == "ExceptionGroup"
    group: Any = info.value
    assert group.message == "create_connection failed"
    errors = group.exceptions
    assert len(errors) == 2
    assert all(isinstance(e, ConnectionRefusedError) for e in errors)
    assert [getattr(e, "winerror", None) for e in errors] == [10061, 10061]
    assert w.net.now == pytest.approx(2 * (2.0 + 3 * RTT))


def test_localhost_is_slow_on_windows_when_the_server_listens_on_127_0_0_1_only(
    w: World,
) -> None:
    ws = w.client.winsock
    ws.WSAStartup()
    listener = ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert ws.bind(listener, ("127.0.0.1", PORT)) == 0
    assert ws.listen(listener, 5) == 0
    timing = w.net.timing
    assert timing.refused_retries * timing.refused_retry_interval == LOOPBACK_REFUSED
    with wsasim.patch(w.client):
        sock = socket.create_connection(("localhost", PORT))
    assert sock.getpeername() == ("127.0.0.1", PORT)
    assert w.net.now == LOOPBACK_REFUSED  # ::1 first, refused after 2 s; then 127.0.0.1
    first, second = w.client.attempts
    assert (first.remote.host, first.outcome, first.ended) == ("::1", "WSAECONNREFUSED", 2.0)
    assert (second.remote.host, second.outcome) == ("127.0.0.1", "connected")
    sock.close()


def test_create_server_and_has_dualstack_ipv6_run_unchanged(w: World) -> None:
    with wsasim.patch(w.client):
        assert socket.has_dualstack_ipv6()
        server = socket.create_server(("::", PORT), family=socket.AF_INET6, dualstack_ipv6=True)
        client = socket.create_connection(("127.0.0.1", PORT))
        conn, address = server.accept()
        assert address == ("::ffff:127.0.0.1", client.getsockname()[1], 0, 0)
        assert w.net.now == 0.0  # loopback: no delay, nothing refused
        for s in (conn, client, server):
            s.close()


# --- select, poll, selectors ---------------------------------------------------------------------


def connecting(port: int) -> socket.socket:
    """A non-blocking IPv4 socket whose connect to the server is under way."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    assert s.connect_ex(("192.0.2.20", port)) == E.WSAEWOULDBLOCK
    return s


def test_select_reports_a_nonblocking_connect_writable_at_the_connect_time(w: World) -> None:
    with wsasim.patch(w.client):
        s = connecting(PORT)
        assert select.select([], [s], [s]) == ([], [s], [])
        assert w.net.now == pytest.approx(RTT)
        assert select.select([s.fileno()], [s.fileno()], [], 0) == ([], [s.fileno()], [])
        s.close()


def test_select_reports_a_refused_connect_in_exceptfds_as_windows_does(w: World) -> None:
    with wsasim.patch(w.client):
        s = connecting(PORT + 1)
        assert select.select([], [s], [s]) == ([], [], [s])
        assert w.net.now == pytest.approx(2.0 + 3 * RTT)
        assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == E.WSAECONNREFUSED
        s.close()


def test_select_times_out_in_virtual_time_and_an_empty_one_is_wsaeinval(w: World) -> None:
    with wsasim.patch(w.client):
        s = connecting(PORT)
        select.select([], [s], [])
        assert select.select([s], [], [], 1.5) == ([], [], [])  # nothing to read
        assert w.net.now == pytest.approx(RTT + 1.5)
        start = w.net.now
        for timeout in (2, None):
            # Windows' select refuses three empty sets (WSAEINVAL), at once.
            with pytest.raises(OSError, match="three empty sets") as refused:
                select.select([], [], [], timeout)
            assert getattr(refused.value, "winerror", None) == E.WSAEINVAL
        assert w.net.now == start
        mixed: list[Any] = [s, 0]
        with pytest.raises(ValueError, match="real file descriptors"):
            select.select(mixed, [], [], 0)
        with pytest.raises(ValueError, match="timeout must be non-negative"):
            select.select([s], [], [], -1)
        s.close()


def test_selectors_default_selector_is_windows_select_selector(w: World) -> None:
    with wsasim.patch(w.client):
        sel = selectors.DefaultSelector()
        assert isinstance(sel, selectors.SelectSelector)
        ok, refused = connecting(PORT), connecting(PORT + 1)
        sel.register(ok, selectors.EVENT_WRITE, "ok")
        sel.register(refused, selectors.EVENT_WRITE, "refused")
        events = sel.select()
        assert [(key.data, mask) for key, mask in events] == [("ok", selectors.EVENT_WRITE)]
        assert w.net.now == pytest.approx(RTT)
        sel.unregister(ok)
        # Lib/selectors.py on win32: a failed connect (exceptfds) is reported as EVENT_WRITE.
        events = sel.select()
        assert [(key.fileobj, mask) for key, mask in events] == [(refused, selectors.EVENT_WRITE)]
        assert w.net.now == pytest.approx(2.0 + 3 * RTT)
        assert refused.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == E.WSAECONNREFUSED
        assert sel.select(timeout=0) == events  # exceptfds stays set until the next connect
        sel.unregister(refused)
        with pytest.raises(OSError, match="empty") as empty:  # nothing registered: refused
            sel.select(timeout=0.5)
        assert getattr(empty.value, "winerror", None) == E.WSAEINVAL
        sel.close()
        ok.close()
        refused.close()


def test_poll_and_epoll_are_absent_as_on_windows(w: World) -> None:
    with wsasim.patch(w.client):
        for name in HIDDEN["select"]:
            assert not hasattr(select, name), name
        for name in HIDDEN["selectors"]:
            assert not hasattr(selectors, name), name
        default: object = selectors.DefaultSelector
        assert default is selectors.SelectSelector


# --- time ----------------------------------------------------------------------------------------


def test_time_sleep_runs_the_network_for_exactly_that_long(w: World) -> None:
    ran: list[float] = []
    w.net.call_at(1.5, lambda: ran.append(w.net.now))
    with wsasim.patch(w.client):
        mono, mono_ns, perf, wall = (
            time.monotonic(),
            time.monotonic_ns(),
            time.perf_counter(),
            time.time(),
        )
        time.sleep(3)
        assert w.net.now == 3.0
        assert ran == [1.5]
        assert time.monotonic() - mono == 3.0
        assert time.monotonic_ns() - mono_ns == 3_000_000_000
        assert time.perf_counter() - perf == 3.0
        assert time.time() - wall == pytest.approx(3.0)
        time.sleep(0.25)
        assert w.net.now == 3.25
        with pytest.raises(ValueError, match="sleep length must be non-negative"):
            time.sleep(-1)
        with pytest.raises(TypeError):
            time.sleep("1")  # type: ignore[arg-type]
    assert w.net.now == 3.25


# --- socketpair, fromfd --------------------------------------------------------------------------


def test_socketpair_is_windows_loopback_pair_on_the_simulated_host(w: World) -> None:
    with wsasim.patch(w.client):
        a, b = socket.socketpair()
        assert isinstance(a, socket.socket)
        assert isinstance(b, socket.socket)
        assert a.getsockname()[0] == "127.0.0.1"
        assert a.getpeername() == b.getsockname()
        a.sendall(b"ping")
        assert b.recv(4) == b"ping"
        with pytest.raises(ValueError, match="SOCK_STREAM"):
            socket.socketpair(socket.AF_INET, socket.SOCK_DGRAM)
        a.close()
        b.close()


def test_fromfd_duplicates_a_simulator_handle_and_refuses_a_real_descriptor(w: World) -> None:
    with wsasim.patch(w.client):
        with pytest.raises(RuntimeError, match="real socket"):
            socket.fromfd(0, socket.AF_INET, socket.SOCK_STREAM)
        a, b = socket.socketpair()
        copy = socket.fromfd(a.fileno(), socket.AF_INET, socket.SOCK_STREAM)
        assert copy.fileno() != a.fileno()
        a.close()  # the duplicate keeps the connection open
        copy.sendall(b"dup")
        assert b.recv(3) == b"dup"
        copy.close()
        assert b.recv(3) == b""
        b.close()


# --- host names in addresses (getsockaddrarg) ------------------------------------------------


def test_bind_and_connect_resolve_host_names_as_cpython_does(w: World) -> None:
    with wsasim.patch(w.client):
        with socket.socket() as s:
            s.bind(("", 0))  # setipaddr: "" is INADDR_ANY
            assert s.getsockname()[0] == "0.0.0.0"
        with socket.socket(socket.AF_INET6) as s:
            s.connect((NAME, PORT))  # the first address getaddrinfo gives for AF_INET6
            assert s.getpeername()[:2] == ("2001:db8::20", PORT)
        with socket.create_server(("", 8080)) as server:
            assert server.getsockname() == ("0.0.0.0", 8080)
        with socket.socket() as s, pytest.raises(socket.gaierror) as unknown:
            s.connect(("nowhere.example", PORT))
        assert unknown.value.errno == 11001  # WSAHOST_NOT_FOUND
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("localhost", 0))  # an AF_INET socket: localhost's IPv4 address
            assert u.getsockname()[0] == "127.0.0.1"
            assert u.sendto(b"x", ("localhost", u.getsockname()[1])) == 1
            assert u.recv(1) == b"x"
