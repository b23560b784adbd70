"""Benchmark: an unmodified ``http.client`` GET on the simulator against the same GET over real
loopback, in the same run.

Two measures, each the wall-clock microseconds per GET, best of several runs:

1. **new connection**: ``http.client.HTTPConnection`` to the server, one GET, read the body,
   close (``Connection: close``): a connect, the request, the response and both closes.
2. **keep-alive**: GETs on one open connection (HTTP/1.1).

On the simulator the client runs under ``wsasim.patch(client)`` (``socket``, ``getaddrinfo``
and the clock are the simulated host's) and the server is a ``host.serve`` protocol; over
loopback the client is the same code on real sockets and the server an
``http.server.ThreadingHTTPServer`` in a thread of this process. The ratio is the simulator's
speed-up; the goal is at least 1x (the simulator is no slower than the real thing it stands
in for). Timings are reported, never asserted: the exit status is 0 whatever the figures.

Run it as ``python bench/bench_http.py`` (``--quick`` for CI).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import http.server
import threading
import time
from collections.abc import Callable

import wsasim
from table import Row, print_table, speedup, timed

GOAL_SPEEDUP = 1.0
BODY = b"x" * 512
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n"
)


class SimResponder(asyncio.Protocol):
    """Answers every request (everything up to a blank line) with ``BODY``; closes after it
    when the request said ``Connection: close``."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        self.pending += data
        while b"\r\n\r\n" in self.pending:
            head, self.pending = self.pending.split(b"\r\n\r\n", 1)
            close = b"connection: close" in head.lower()
            self.transport.write(RESPONSE + (b"Connection: close\r\n\r\n" if close else b"\r\n"))
            self.transport.write(BODY)
            if close:
                self.transport.close()
                return


class RealHandler(http.server.BaseHTTPRequestHandler):
    """The same answer from the standard library's HTTP server."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two sends: without this, Nagle's algorithm holds the body
    # until the client's delayed ACK (40 ms a GET), which is not what is measured here.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        pass


def fresh_gets(host: str, port: int, count: int) -> None:
    """``count`` GETs, each on a new connection."""
    for _ in range(count):
        conn = http.client.HTTPConnection(host, port)
        conn.request("GET", "/", headers={"Connection": "close"})
        body = conn.getresponse().read()
        conn.close()
        if body != BODY:
            raise RuntimeError(f"unexpected body: {body[:40]!r}")


def kept_gets(host: str, port: int, count: int) -> None:
    """``count`` GETs on one connection."""
    conn = http.client.HTTPConnection(host, port)
    for _ in range(count):
        conn.request("GET", "/")
        if conn.getresponse().read() != BODY:
            raise RuntimeError("unexpected body")
    conn.close()


def best_us(run: Callable[[int], None], count: int, repeat: int) -> float:
    """The best of ``repeat`` runs of ``run(count)``, in microseconds per GET."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run(count)
        best = min(best, time.perf_counter() - start)
    return best / count * 1e6


def sim_us(gets: Callable[[str, int, int], None], count: int, repeat: int) -> float:
    """``gets`` on the simulator: a fresh network, a server host, the client patched."""
    net = wsasim.Network(profile="windows", latency=0.0005)
    client = net.add_host("client", ["192.0.2.10/24"])
    server = net.add_host("server", ["192.0.2.20/24"])
    net.add_name("www.example", ["192.0.2.20"])
    # The real perf_counter: the patch's clock would time the virtual network, not this run.
    clock = time.perf_counter
    with server.serve(80, SimResponder), wsasim.patch(client, clock=False):
        best = float("inf")
        for _ in range(repeat):
            start = clock()
            gets("www.example", 80, count)
            best = min(best, clock() - start)
    return best / count * 1e6


def real_us(gets: Callable[[str, int, int], None], count: int, repeat: int) -> float:
    """``gets`` against a real HTTP server on 127.0.0.1 (a thread of this process)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RealHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        return best_us(lambda n: gets("127.0.0.1", int(port), n), count, repeat)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; returns 0 (figures are reported, not judged)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller loads (for CI)")
    args = parser.parse_args(argv)
    count, repeat = (300, 3) if args.quick else (2_000, 5)
    results: dict[str, float] = {}

    def run(name: str, gets: Callable[[str, int, int], None]) -> None:
        results[f"sim {name}"] = sim_us(gets, count, repeat)
        results[f"real {name}"] = real_us(gets, count, repeat)

    timed(f"new connection: {count} GETs, best of {repeat}", lambda: run("fresh", fresh_gets))
    timed(f"keep-alive: {count} GETs, best of {repeat}", lambda: run("kept", kept_gets))
    rows = []
    for name, label in (("fresh", "GET on a new connection, µs"), ("kept", "GET, keep-alive, µs")):
        sim, real = results[f"sim {name}"], results[f"real {name}"]
        rows.append(
            Row(
                f"http.client {label}",
                f"{sim:.1f}",
                f"{real:.1f} loopback",
                speedup(real / sim),
                f">= {GOAL_SPEEDUP:g}x",
                real / sim >= GOAL_SPEEDUP,
            )
        )
    print(f"http.client on wsasim.patch vs real loopback ({'quick' if args.quick else 'full'})")
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
