"""Benchmark: the simulator's speed and size, against real loopback sockets in the same run.

Four measures (issue 2, "Speed and size"), each printed with the baseline it is compared to:

1. **cycle**: a blocking connect + accept + close of both ends on the simulator's low-level
   API, against the same cycle with Python's ``socket`` module on real loopback (127.0.0.1
   only: docs/wine.md). Best of several runs, microseconds per cycle; the ratio is the
   simulator's speed-up (goal at least 1x, aim 3x).
2. **memory**: bytes per open simulated connection (both ends), from
   ``tracemalloc.get_traced_memory()`` before and after opening 100,000 connections
   (``--quick``: 20,000). Everything the simulator keeps for a connection counts, its entry in
   ``net.attempts`` included. Goal at most 4 KiB.
3. **no growth**: microseconds per connect + accept for the first 1,000 connections of a fresh
   network, against 1,000 more made with 100,000 (``--quick``: 20,000) already open. Goal: at
   most 1.5x.
4. **timed-out connects**: virtual seconds per wall second over blocking connects to a
   blackholed address (each takes 21 virtual seconds). Goal: at least 10,000.

Timings are reported, never asserted: the exit status is 0 whatever the figures (a slow machine
is not an error). ``--profile`` adds the simulator's hot spots on the cycle (cProfile) and the
lines that allocate an open connection's memory (tracemalloc).

Run it as ``python bench/bench_sim.py`` (``--quick`` for CI).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import socket
import sys
import time
import tracemalloc
from dataclasses import dataclass

import wsasim
from table import Row, print_table, timed
from table import speedup as speedup_text
from wsasim.winsock import Winsock

from wsaconnect import constants as C
from wsaconnect import errors as E

#: Goals (issue 2).
GOAL_SPEEDUP = 1.0
AIM_SPEEDUP = 3.0
GOAL_BYTES = 4096
GOAL_GROWTH = 1.5
GOAL_VIRTUAL_PER_WALL = 10_000.0

#: The ephemeral range for the memory and growth runs, and how many connections each client
#: host makes (fewer than the range holds, so that no connect fails for want of a port).
WIDE_EPHEMERAL = range(1024, 65536)
PER_CLIENT = 60_000

SERVER_ADDRESS = "198.18.0.1"
SERVER_PORT = 80
BLACKHOLE = "198.18.255.254"


class BenchError(RuntimeError):
    """A simulated call failed where the benchmark needs it to succeed."""


def _check(ok: bool, ws: Winsock, what: str) -> None:
    if not ok:
        code = ws.WSAGetLastError()
        raise BenchError(f"{what} failed: {E.name(code)} ({code})")


# --- The simulated side ----------------------------------------------------------------------


class SimServer:
    """A network with one listening server and as many client hosts as the load needs.

    :meth:`open` makes connections that stay open (connect + accept); :meth:`cycle` makes and
    closes them.
    """

    def __init__(self, ephemeral_ports: range = range(49152, 65536)) -> None:
        self.net = wsasim.Network(ephemeral_ports=ephemeral_ports)
        server = self.net.add_host("server", [f"{SERVER_ADDRESS}/15"])
        self.server_ws = server.winsock
        _check(self.server_ws.WSAStartup() == 0, self.server_ws, "WSAStartup")
        self.listener = self.server_ws.socket(C.AF_INET, C.SOCK_STREAM)
        _check(self.listener != C.INVALID_SOCKET, self.server_ws, "socket")
        bound = self.server_ws.bind(self.listener, (SERVER_ADDRESS, SERVER_PORT))
        _check(bound == 0, self.server_ws, "bind")
        _check(self.server_ws.listen(self.listener, 200) == 0, self.server_ws, "listen")
        self.address = (SERVER_ADDRESS, SERVER_PORT)
        self.clients: list[Winsock] = []
        self.on_client = PER_CLIENT  # forces a first client host
        self.open_count = 0

    def client(self) -> Winsock:
        """The client host's Winsock for the next connection (a new host every PER_CLIENT)."""
        if self.on_client >= PER_CLIENT:
            n = len(self.clients)
            host = self.net.add_host(f"client{n}", [f"198.19.{n // 250}.{n % 250 + 1}/15"])
            ws = host.winsock
            _check(ws.WSAStartup() == 0, ws, "WSAStartup")
            self.clients.append(ws)
            self.on_client = 0
        return self.clients[-1]

    def open(self, count: int) -> None:
        """Open ``count`` connections (connect + accept) and leave both ends open."""
        server_ws, listener, address = self.server_ws, self.listener, self.address
        for _ in range(count):
            ws = self.client()
            s = ws.socket(C.AF_INET, C.SOCK_STREAM)
            if ws.connect(s, address) != 0:
                _check(False, ws, "connect")
            c, _peer = server_ws.accept(listener)
            _check(c != C.INVALID_SOCKET, server_ws, "accept")
            self.on_client += 1
        self.open_count += count

    def cycle(self, count: int) -> None:
        """Connect, accept and close both ends, ``count`` times."""
        ws = self.client()
        server_ws, listener, address = self.server_ws, self.listener, self.address
        for _ in range(count):
            s = ws.socket(C.AF_INET, C.SOCK_STREAM)
            if ws.connect(s, address) != 0:
                _check(False, ws, "connect")
            c, _peer = server_ws.accept(listener)
            _check(c != C.INVALID_SOCKET, server_ws, "accept")
            ws.closesocket(s)
            server_ws.closesocket(c)


def sim_cycle_us(count: int, repeat: int) -> float:
    """Best of ``repeat`` runs of ``count`` simulated cycles, in microseconds per cycle."""
    best = float("inf")
    for _ in range(repeat):
        server = SimServer()
        server.cycle(10)  # warm up the code paths
        gc.collect()
        start = time.perf_counter()
        server.cycle(count)
        best = min(best, time.perf_counter() - start)
    return best / count * 1e6


# --- The real side ---------------------------------------------------------------------------


def real_cycle_us(count: int, repeat: int) -> float:
    """Best of ``repeat`` runs of ``count`` loopback cycles, in microseconds per cycle.

    Real sockets on 127.0.0.1 only (docs/wine.md).
    """
    best = float("inf")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        address = listener.getsockname()
        for _ in range(repeat):
            gc.collect()
            start = time.perf_counter()
            for _ in range(count):
                client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                client.connect(address)
                conn, _peer = listener.accept()
                client.close()
                conn.close()
            best = min(best, time.perf_counter() - start)
    return best / count * 1e6


# --- Memory and growth -------------------------------------------------------------------------


@dataclass
class Load:
    """The figures of the memory and growth runs."""

    #: How many connections were open when the loaded batches began.
    open_connections: int
    bytes_per_connection: float
    first_us: float
    loaded_us: float
    top_allocations: list[str]


def _connect_us(server: SimServer, count: int) -> float:
    gc.collect()
    start = time.perf_counter()
    server.open(count)
    return (time.perf_counter() - start) / count * 1e6


def _allocation_sites(
    after: tracemalloc.Snapshot, before: tracemalloc.Snapshot, opened: int, top: int = 10
) -> list[str]:
    """The lines that hold the most new memory, in bytes per opened connection.

    A namedtuple's generated ``__new__`` lives in ``"<string>"``: its caller is named instead.
    """
    sizes: dict[str, int] = {}
    for stat in after.compare_to(before, "traceback"):
        frames = [f for f in stat.traceback if f.filename != "<string>"]
        if not frames:
            continue
        frame = frames[-1]  # the most recent frame outside "<string>"
        where = f"{frame.filename.split('/sim/')[-1].split('/src/')[-1]}:{frame.lineno}"
        sizes[where] = sizes.get(where, 0) + stat.size_diff
    ranked = sorted(sizes.items(), key=lambda item: item[1], reverse=True)[:top]
    return [f"{size / opened:8.1f} B/conn  {where}" for where, size in ranked]


def measure_load(open_target: int, batch: int, repeat: int, *, breakdown: bool) -> Load:
    """Memory per open connection, and the cost of a connect before and under load.

    The first ``batch`` connects are timed on fresh networks (best of ``repeat``). Then one
    network opens ``open_target`` connections under tracemalloc, and, with tracemalloc
    stopped, ``batch`` more connects are timed ``repeat`` times (best of them).
    """
    first = min(_connect_us(SimServer(WIDE_EPHEMERAL), batch) for _ in range(repeat))

    server = SimServer(WIDE_EPHEMERAL)
    server.open(1)  # the first client host and the code paths exist before the baseline
    opened_before = server.open_count
    gc.collect()
    tracemalloc.start(2)  # two frames: a namedtuple's "<string>" __new__ and its caller
    before_snapshot = tracemalloc.take_snapshot() if breakdown else None
    before, _peak = tracemalloc.get_traced_memory()
    server.open(open_target)
    gc.collect()
    after, _peak = tracemalloc.get_traced_memory()
    opened = server.open_count - opened_before
    top: list[str] = []
    if before_snapshot is not None:
        top = _allocation_sites(tracemalloc.take_snapshot(), before_snapshot, opened)
    tracemalloc.stop()
    per_connection = (after - before) / opened

    already_open = server.open_count
    loaded = min(_connect_us(server, batch) for _ in range(repeat))
    return Load(already_open, per_connection, first, loaded, top)


# --- Timed-out connects -----------------------------------------------------------------------


def virtual_per_wall(count: int) -> tuple[float, float]:
    """Blocking connects to a blackholed address: (virtual s per wall s, virtual s each)."""
    net = wsasim.Network()
    ws = net.add_host("client", ["192.0.2.10/24"]).winsock
    _check(ws.WSAStartup() == 0, ws, "WSAStartup")
    net.blackhole(BLACKHOLE)
    target = (BLACKHOLE, 443)
    gc.collect()
    virtual_start = net.now
    start = time.perf_counter()
    for _ in range(count):
        s = ws.socket(C.AF_INET, C.SOCK_STREAM)
        rc = ws.connect(s, target)
        if rc == 0 or ws.WSAGetLastError() != E.WSAETIMEDOUT:
            raise BenchError(f"connect to a blackhole gave {rc}, {ws.WSAGetLastError()}")
        ws.closesocket(s)
    wall = time.perf_counter() - start
    virtual = net.now - virtual_start
    return virtual / wall, virtual / count


# --- Profile ------------------------------------------------------------------------------------


def profile_cycle(count: int, top: int = 10) -> list[str]:
    """The simulator's ``top`` functions by own time over ``count`` cycles (cProfile)."""
    server = SimServer()
    server.cycle(10)
    profiler = cProfile.Profile()
    profiler.runcall(server.cycle, count)
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
    total = sum(value[2] for _key, value in rows)
    lines = [
        f"{'own %':>6} {'own µs/cycle':>12} {'cum µs/cycle':>12} {'calls/cycle':>11}  function"
    ]
    for (filename, lineno, function), (_cc, ncalls, tottime, cumtime, _callers) in rows[:top]:
        where = filename.split("/sim/")[-1].split("/src/")[-1]
        lines.append(
            f"{tottime / total * 100:6.1f} {tottime / count * 1e6:12.2f}"
            f" {cumtime / count * 1e6:12.2f} {ncalls / count:11.1f}  {function} ({where}:{lineno})"
        )
    return lines


# --- Output ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table.

    Args:
        argv: command-line arguments without the program name; None means ``sys.argv[1:]``.

    Returns:
        0, the exit status (the table says whether each goal is met; a slow machine is not an
        error).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller loads (for CI)")
    parser.add_argument(
        "--profile", action="store_true", help="also print the cycle's hot spots and memory sites"
    )
    args = parser.parse_args(argv)
    if args.quick:
        cycles, real_cycles, repeat, open_target, timeouts = 2_000, 1_000, 3, 20_000, 500
    else:
        cycles, real_cycles, repeat, open_target, timeouts = 10_000, 3_000, 5, 100_000, 3_000
    batch = 1_000

    results: dict[str, float] = {}
    loads: list[Load] = []

    def run_cycles() -> None:
        results["sim_us"] = sim_cycle_us(cycles, repeat)
        results["real_us"] = real_cycle_us(real_cycles, repeat)

    def run_load() -> None:
        loads.append(measure_load(open_target, batch, 3, breakdown=args.profile))

    def run_timeouts() -> None:
        results["vpw"], results["virtual_each"] = virtual_per_wall(timeouts)

    timed(f"cycle: {cycles} simulated, {real_cycles} real, best of {repeat}", run_cycles)
    timed(f"memory and growth: {open_target:,} connections open", run_load)
    timed(f"timed-out connects: {timeouts}", run_timeouts)
    load = loads[0]

    sim_us, real_us = results["sim_us"], results["real_us"]
    speedup = real_us / sim_us
    growth = load.loaded_us / load.first_us
    vpw = results["vpw"]
    rows = [
        Row(
            "cycle: connect+accept+close, µs",
            f"{sim_us:.1f}",
            f"{real_us:.1f} loopback",
            speedup_text(speedup),
            f">= {GOAL_SPEEDUP:g}x (aim {AIM_SPEEDUP:g}x)",
            speedup >= GOAL_SPEEDUP,
        ),
        Row(
            f"memory: bytes/connection, {load.open_connections:,} open",
            f"{load.bytes_per_connection:,.0f}",
            "-",
            f"{load.bytes_per_connection / GOAL_BYTES:.2f} of goal",
            f"<= {GOAL_BYTES:,}",
            load.bytes_per_connection <= GOAL_BYTES,
        ),
        Row(
            f"growth: µs/connect, {load.open_connections:,} open",
            f"{load.loaded_us:.1f}",
            f"{load.first_us:.1f} first {batch:,}",
            f"{growth:.2f}x",
            f"<= {GOAL_GROWTH:g}x",
            growth <= GOAL_GROWTH,
        ),
        Row(
            f"timeouts: virtual s/wall s ({results['virtual_each']:g} s each)",
            f"{vpw:,.0f}",
            "1 real time",
            f"{vpw:,.0f}x",
            f">= {GOAL_VIRTUAL_PER_WALL:,.0f}",
            vpw >= GOAL_VIRTUAL_PER_WALL,
        ),
    ]
    print(
        f"wsasim benchmark ({'quick' if args.quick else 'full'}); Python {sys.version.split()[0]}"
    )
    print()
    print_table(rows)

    if args.profile:
        print()
        print(f"hot spots of the simulated cycle (cProfile, {cycles} cycles, by own time):")
        for text in profile_cycle(cycles):
            print("  " + text)
        print()
        print("memory per open connection, by allocating line (tracemalloc):")
        for text in load.top_allocations:
            print("  " + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
