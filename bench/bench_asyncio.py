"""Benchmark: asyncio's connect and close on the simulator's event loop against the same on
the real default loop over loopback, in the same run.

The measure is the wall-clock microseconds per cycle of ``asyncio.open_connection(host, port)``
then ``writer.close(); await writer.wait_closed()``, the best of several runs of many cycles
(each run a fresh loop; the three measures' runs interleaved):

1. **simulator, loopback**: ``wsasim.run`` of a coroutine doing the cycles against an
   ``asyncio.start_server`` listener on the same simulated host, at 127.0.0.1;
2. **simulator, two hosts**: the same cycles to a ``host.serve`` server on another simulated
   host (0.5 ms one way, which costs virtual time only);
3. **real** (the baseline): ``asyncio.run`` of the same coroutine on the default event loop,
   against an ``asyncio.start_server`` listener in the same loop at 127.0.0.1.

Each listener's handler reads to end of file, then closes (as ``host.serve``'s
``asyncio.Protocol`` does). The ratio is the simulator's speed-up; the goal is at least 1x
(the simulator is no slower than the real thing it stands in for). Timings are reported,
never asserted: the exit status is 0 whatever the figures.

Run it as ``python bench/bench_asyncio.py`` (``--quick`` for CI).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable

import wsasim
from table import Row, print_table, speedup, timed

GOAL_SPEEDUP = 1.0
#: The real clock, taken before any loop runs: inside the simulator's loop ``time.perf_counter``
#: follows the virtual clock (docs/asyncio.md, "The time module"), which would time the network.
CLOCK = time.perf_counter


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The listener's side of a cycle: wait for the client's FIN, then close."""
    await reader.read()
    writer.close()


async def cycles(host: str, port: int, count: int) -> None:
    """``count`` connects to ``host``:``port``, each closed at once."""
    for _ in range(count):
        _, writer = await asyncio.open_connection(host, port)
        writer.close()
        await writer.wait_closed()


async def run_us(host: str, port: int, count: int) -> float:
    """One run of ``count`` cycles, in microseconds of wall time per cycle."""
    start = CLOCK()
    await cycles(host, port, count)
    return (CLOCK() - start) / count * 1e6


async def loopback_us(count: int) -> float:
    """:func:`run_us` against an ``asyncio.start_server`` listener of this loop, 127.0.0.1."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        port = int(server.sockets[0].getsockname()[1])
        return await run_us("127.0.0.1", port, count)
    finally:
        server.close()
        await server.wait_closed()


def sim_loopback_us(count: int) -> float:
    """:func:`loopback_us` on the simulator's loop, as a fresh network's only host."""
    net = wsasim.Network(profile="windows", latency=0.0005)
    client = net.add_host("client", ["192.0.2.10/24"])
    return wsasim.run(loopback_us(count), client)


def sim_two_hosts_us(count: int) -> float:
    """:func:`run_us` on the simulator's loop to a ``host.serve`` server on another host."""
    net = wsasim.Network(profile="windows", latency=0.0005)
    client = net.add_host("client", ["192.0.2.10/24"])
    server = net.add_host("server", ["192.0.2.20/24"])
    with server.serve(80, asyncio.Protocol):  # closes when the client's FIN arrives
        return wsasim.run(run_us("192.0.2.20", 80, count), client)


def real_us(count: int) -> float:
    """:func:`loopback_us` on the real default event loop, over real loopback."""
    return asyncio.run(loopback_us(count))


MEASURES: list[tuple[str, Callable[[int], float]]] = [
    ("wsasim.run, loopback", sim_loopback_us),
    ("wsasim.run, to host.serve", sim_two_hosts_us),
    ("real", real_us),
]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; returns 0 (figures are reported, not judged)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller loads (for CI)")
    args = parser.parse_args(argv)
    count, repeat = (300, 3) if args.quick else (2_000, 5)
    best = {name: float("inf") for name, _ in MEASURES}

    def run() -> None:
        for _ in range(repeat):  # the runs interleaved: a slow spell of the machine hits all
            for name, measure in MEASURES:
                best[name] = min(best[name], measure(count))

    timed(f"open_connection + close: {count} cycles, best of {repeat}, three ways", run)
    real = best["real"]
    rows = [
        Row(
            f"asyncio open_connection + close, µs ({name})",
            f"{best[name]:.1f}",
            f"{real:.1f} real loopback",
            speedup(real / best[name]),
            f">= {GOAL_SPEEDUP:g}x",
            real / best[name] >= GOAL_SPEEDUP,
        )
        for name, _ in MEASURES[:2]
    ]
    kind = "quick" if args.quick else "full"
    print(f"asyncio on the simulator's event loop vs the real default loop ({kind})")
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
