"""Unmodified clients on the simulator: the standard library's ``http.client``,
``urllib.request`` and ``socket`` code, and ``requests`` (urllib3), run as a simulated host
under ``wsasim.patch`` against a ``host.serve`` HTTP server, with exact virtual times.

The network: a dual-stack client and server, 1 ms one way (a round trip, RTT, is 2 ms), the
``"windows"`` profile (a SYN timeout of 21 s, a refusal that takes 2 s). A GET on a fresh
connection costs two round trips: the handshake, then the request and its response.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import requests
import wsasim

from tests.world import World, world

LATENCY = 0.001
RTT = 2 * LATENCY
SYN_TIMEOUT = 21.0  # the windows profile: SYNs at 0, 3 and 9 s, given up at 21 s
REFUSED = 2.0  # the windows profile: a refused connect is retried twice, 0.5 s then 1 s... 2 s
NAME = "www.example"
PAGES = {"/": b"hello from the simulator\n", "/two": b"second page\n"}
#: The requests the server received: (virtual time, request line).
Seen = list[tuple[float, bytes]]


class HttpResponder(asyncio.Protocol):
    """A small HTTP/1.1 server: GET of ``PAGES`` (404 otherwise), persistent connections
    unless the client sends ``Connection: close`` or speaks HTTP/1.0."""

    def __init__(self, seen: list[tuple[float, bytes]], net: wsasim.Network) -> None:
        self.seen = seen
        self.net = net
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            request_line, *header_lines = head.split(b"\r\n")
            method, path, version = request_line.split(b" ")
            self.seen.append((self.net.now, request_line))
            headers: dict[bytes, bytes] = {}
            for field in header_lines:
                name, _, value = field.partition(b": ")
                headers[name.lower()] = value.lower()
            body = PAGES.get(path.decode())
            status = b"200 OK" if body is not None and method == b"GET" else b"404 Not Found"
            body = body if body is not None else b"not here\n"
            close = version == b"HTTP/1.0" or headers.get(b"connection") == b"close"
            self.transport.write(
                b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\n"
                b"Content-Length: "
                + str(len(body)).encode()
                + b"\r\n"
                + (b"Connection: close\r\n" if close else b"")
                + b"\r\n"
                + body
            )
            if close:
                self.transport.close()
                return


@pytest.fixture
def w() -> World:
    """The world, an HTTP server on port 80 of the server host, ``NAME`` resolving to the
    server's IPv6 address then its IPv4 one."""
    made = world("windows", latency=LATENCY)
    made.net.add_name(NAME, ["2001:db8::20", "192.0.2.20"])
    return made


@pytest.fixture
def requests_seen(w: World) -> Iterator[list[tuple[float, bytes]]]:
    """The requests the HTTP server received, with their virtual arrival times."""
    seen: list[tuple[float, bytes]] = []
    with w.server.serve(80, lambda: HttpResponder(seen, w.net)):
        yield seen


# --- http.client and urllib.request ---------------------------------------------------------


def test_http_client_get_takes_two_round_trips(w: World, requests_seen: Seen) -> None:
    with wsasim.patch(w.client):
        conn = http.client.HTTPConnection(NAME, 80)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert (response.status, response.read()) == (200, PAGES["/"])
        assert w.net.now == pytest.approx(2 * RTT)
        # The same connection again: one round trip more (keep-alive).
        conn.request("GET", "/two")
        assert conn.getresponse().read() == PAGES["/two"]
        assert w.net.now == pytest.approx(3 * RTT)
        conn.close()
    assert [line for _, line in requests_seen] == [b"GET / HTTP/1.1", b"GET /two HTTP/1.1"]


def test_urllib_request_urlopen(w: World, requests_seen: Seen) -> None:
    with wsasim.patch(w.client):
        with urllib.request.urlopen(f"http://{NAME}/", timeout=10) as response:
            assert response.read() == PAGES["/"]
        assert w.net.now == pytest.approx(2 * RTT)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://{NAME}/nothing", timeout=10)
        assert missing.value.code == 404
        missing.value.close()


def test_a_blackholed_ipv6_address_costs_a_whole_syn_timeout(w: World, requests_seen: Seen) -> None:
    w.net.blackhole("2001:db8::20")
    with wsasim.patch(w.client):
        conn = http.client.HTTPConnection(NAME, 80)  # no timeout: create_connection waits
        conn.request("GET", "/")
        assert conn.getresponse().read() == PAGES["/"]
        # IPv6 first (RFC 6724), given up after 21 s; then IPv4: its handshake, the GET.
        assert w.net.now == pytest.approx(SYN_TIMEOUT + 2 * RTT)
        conn.close()


def test_a_timeout_bounds_each_attempt_of_create_connection(w: World, requests_seen: Seen) -> None:
    w.net.blackhole("2001:db8::20")
    with wsasim.patch(w.client):
        conn = http.client.HTTPConnection(NAME, 80, timeout=5)
        conn.request("GET", "/")
        assert conn.getresponse().read() == PAGES["/"]
        assert w.net.now == pytest.approx(5 + 2 * RTT)  # 5 s for IPv6, then IPv4
        conn.close()


def test_localhost_is_slow_on_windows(w: World) -> None:
    """A server on 127.0.0.1 only, ``localhost`` resolving to ::1 first: the refused ::1
    costs the 2 s of Windows' refusal retries before 127.0.0.1 answers (loopback has no
    latency)."""
    seen: list[tuple[float, bytes]] = []
    with (
        w.client.serve(8080, lambda: HttpResponder(seen, w.net), address="127.0.0.1"),
        wsasim.patch(w.client),
    ):
        conn = http.client.HTTPConnection("localhost", 8080)
        conn.request("GET", "/")
        assert conn.getresponse().read() == PAGES["/"]
        assert w.net.now == pytest.approx(REFUSED)
        assert conn.sock is not None
        assert conn.sock.getpeername() == ("127.0.0.1", 8080)
        conn.close()


# --- plain sockets --------------------------------------------------------------------------


class LineEcho(asyncio.Protocol):
    """Answers each line with the line upper-cased."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            self.transport.write(line.upper() + b"\n")


def test_makefile_readline_over_a_line_protocol(w: World) -> None:
    with w.server.serve(7, LineEcho), wsasim.patch(w.client):
        with socket.create_connection(("192.0.2.20", 7)) as sock, sock.makefile("rwb") as f:
            f.write(b"one\ntwo\n")
            f.flush()
            assert f.readline() == b"ONE\n"
            assert f.readline() == b"TWO\n"
            assert w.net.now == pytest.approx(2 * RTT)
        with (
            socket.create_connection(("192.0.2.20", 7)) as sock,
            sock.makefile("r", encoding="ascii", newline="\n") as reader,
        ):
            sock.sendall(b"three\n")
            assert reader.readline() == "THREE\n"


# --- a third-party client: requests (urllib3) ----------------------------------------------


@pytest.fixture
def session(w: World) -> Iterator[requests.Session]:
    """A requests session, used under the patch."""
    with wsasim.patch(w.client), requests.Session() as s:
        yield s


def test_requests_get_with_keep_alive(
    w: World, requests_seen: Seen, session: requests.Session
) -> None:
    get = session.get
    first = get(f"http://{NAME}/", timeout=10)
    assert (first.status_code, first.content) == (200, PAGES["/"])
    assert w.net.now == pytest.approx(2 * RTT)
    second = get(f"http://{NAME}/two", timeout=10)
    assert second.content == PAGES["/two"]
    assert w.net.now == pytest.approx(3 * RTT)  # the pooled connection, one round trip


def test_requests_past_a_dead_ipv6_address_with_a_connect_timeout(
    w: World, requests_seen: Seen, session: requests.Session
) -> None:
    w.net.blackhole("2001:db8::20")
    get = session.get
    response = get(f"http://{NAME}/", timeout=(5, 10))
    assert response.content == PAGES["/"]
    assert w.net.now == pytest.approx(5 + 2 * RTT)


def test_requests_connect_timeout_when_every_address_is_dead(
    w: World, session: requests.Session
) -> None:
    w.net.blackhole("2001:db8::20")
    w.net.blackhole("192.0.2.20")
    get = session.get
    with pytest.raises(requests.exceptions.ConnectTimeout):
        get(f"http://{NAME}/", timeout=3)
    assert w.net.now == pytest.approx(2 * 3)  # urllib3 tries each address for 3 s
