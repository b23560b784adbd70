"""Benchmark: time to connect, in virtual seconds, of four connect policies on the scenarios
where they differ, on the simulator (profile "windows", 20 ms one way, so a round trip is
40 ms; a SYN timeout is 21 s, a refused connect 2 s).

The policies, each on a fresh network per scenario:

1. **WSAConnectByList** (``wsaconnect.create_connection``): one attempt at a time, its
   timeout looked at only between attempts (the baseline of every other row);
2. **sequential** (``socket.create_connection`` under ``wsasim.patch``): the standard
   library's loop over getaddrinfo's answers, its timeout per attempt;
3. **staggered_connect** (``wsaconnect.staggered_connect``, delay 0.25 s): Happy Eyeballs
   (RFC 8305);
4. **asyncio** (``asyncio.open_connection(..., happy_eyeballs_delay=0.25)`` under
   ``wsasim.run``): the standard library's Happy Eyeballs, where ``wsasim.run`` exists.

The scenarios: ``localhost`` with ``::1`` refused and 127.0.0.1 listening; k = 1..4 dead IPv6
addresses (blackholed) before a live IPv4 one; everything dead with a 5 s timeout (an
``asyncio.wait_for`` for asyncio). The goals are staggered_connect's: k dead addresses cost at
most k x delay plus a round trip, localhost under 10 ms (a refused ``::1`` fails fast:
SIO_TCP_INITIAL_RTO), the deadline exact (5.0 s). A last pair of rows is the wall-clock cost
of one staggered connect on the simulator against one WSAConnectByList connect, same run.

Figures are reported, never asserted: the exit status is 0 whatever they are. Run it as
``python bench/bench_connect_policies.py`` (``--quick`` for CI: fewer wall-clock repeats).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import wsasim
from table import Row, print_table, speedup, timed

import wsaconnect
from wsaconnect import constants as C
from wsaconnect import errors as E

LATENCY = 0.020
RTT = 2 * LATENCY
DELAY = 0.25
PORT = 443
LOCALHOST_GOAL = 0.010
V4 = "192.0.2.20"


@dataclass(frozen=True)
class Scenario:
    """A network to connect on: what is dead, what listens, the name and its addresses."""

    label: str
    name: str  # what the socket-module policies resolve
    addresses: tuple[str, ...]  # the name's addresses, in its order
    dead: tuple[str, ...] = ()
    listening: tuple[str, ...] = (V4,)
    timeout: float | None = None
    #: staggered_connect's goal: (the text, whether a time meets it).
    goal: tuple[str, Callable[[float], bool]] | None = None

    def network(self) -> tuple[wsasim.Network, wsasim.Host, list[wsasim.Server]]:
        """A fresh network: the client, and the servers (which accept, so that connects can
        be repeated on one network)."""
        net = wsasim.Network(profile="windows", latency=LATENCY)
        client = net.add_host("client", ["192.0.2.10/24", "2001:db8::10/64"])
        client.winsock.WSAStartup(C.WINSOCK_VERSION)
        servers = []
        for i, address in enumerate(a for a in self.addresses if a not in ("::1", "127.0.0.1")):
            server = net.add_host(f"server{i}", [f"{address}/{128 if ':' in address else 32}"])
            if address in self.listening:
                servers.append(server.serve(PORT, asyncio.Protocol))
        if "127.0.0.1" in self.listening:  # the client itself, on 127.0.0.1 only
            servers.append(client.serve(PORT, asyncio.Protocol, address="127.0.0.1"))
        if self.name != "localhost":
            net.add_name(self.name, self.addresses)
        for address in self.dead:
            net.blackhole(address)
        return net, client, servers


def _at_most(limit: float) -> Callable[[float], bool]:
    return lambda t: t <= limit + 1e-9


def scenarios() -> list[Scenario]:
    """The scenarios of the table, in its order."""
    found = [
        Scenario(
            "localhost (::1 refused)",
            "localhost",
            ("::1", "127.0.0.1"),
            listening=("127.0.0.1",),
            goal=(f"< {LOCALHOST_GOAL * 1000:g} ms", lambda t: t < LOCALHOST_GOAL),
        )
    ]
    for k in range(1, 5):
        dead = tuple(f"2001:db8::{0x21 + i:x}" for i in range(k))
        limit = k * DELAY + RTT
        found.append(
            Scenario(
                f"{k} dead IPv6 + IPv4",
                "app.example",
                (*dead, V4),
                dead=dead,
                goal=(f"<= {limit:.3f} s", _at_most(limit)),
            )
        )
    found.append(
        Scenario(
            "all dead, timeout 5 s",
            "app.example",
            ("2001:db8::21", V4),
            dead=("2001:db8::21", V4),
            timeout=5.0,
            goal=("= 5.000 s", lambda t: abs(t - 5.0) < 1e-9),
        )
    )
    return found


# --- the policies: each connects once on (client, scenario) and closes what it got ----------


def by_list(client: wsasim.Host, s: Scenario) -> None:
    addresses = [(a, PORT) for a in s.addresses]
    wsaconnect.create_connection(addresses, timeout=s.timeout, backend=client.winsock).close()


def sequential(client: wsasim.Host, s: Scenario) -> None:
    with wsasim.patch(client, clock=False):
        socket.create_connection((s.name, PORT), timeout=s.timeout).close()


def staggered(client: wsasim.Host, s: Scenario) -> None:
    addresses = [(a, PORT) for a in s.addresses]
    conn = wsaconnect.staggered_connect(
        addresses, delay=DELAY, timeout=s.timeout, backend=client.winsock
    )
    conn.socket.close()


def asyncio_policy(run: Callable[..., Any]) -> Callable[[wsasim.Host, Scenario], None]:
    """asyncio's Happy Eyeballs, run on the simulator by ``run`` (``wsasim.run``)."""

    def policy(client: wsasim.Host, s: Scenario) -> None:
        async def connect() -> None:
            opening = asyncio.open_connection(s.name, PORT, happy_eyeballs_delay=DELAY)
            _, writer = await asyncio.wait_for(opening, s.timeout)
            writer.close()

        run(connect(), client)

    return policy


POLICIES: list[tuple[str, Callable[[wsasim.Host, Scenario], None]]] = [
    ("WSAConnectByList", by_list),
    ("socket.create_connection", sequential),
    ("staggered_connect", staggered),
]


def virtual_seconds(
    policy: Callable[[wsasim.Host, Scenario], None], s: Scenario
) -> tuple[float, str | None]:
    """How long ``policy`` took on a fresh network of ``s``, and its error's name if any."""
    net, client, _servers = s.network()
    start = net.now
    error = None
    try:
        policy(client, s)
    except (OSError, asyncio.TimeoutError) as exc:
        code = getattr(exc, "winerror", None)
        error = E.name(code) if code else type(exc).__name__
    return net.now - start, error


def wall_us(policy: Callable[[wsasim.Host, Scenario], None], s: Scenario, n: int) -> float:
    """The best of three runs of ``n`` connects on one network, in µs of wall time each."""
    _net, client, _servers = s.network()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            policy(client, s)
        best = min(best, time.perf_counter() - start)
    return best / n * 1e6


def _seconds(value: float, error: str | None) -> str:
    return f"{value:.3f} s" + (f" ({error})" if error else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table; returns 0 (figures are reported, not judged)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer wall-clock repeats (CI)")
    args = parser.parse_args(argv)
    policies = list(POLICIES)
    try:
        policies.append(("asyncio (happy eyeballs)", asyncio_policy(wsasim.run)))
        missing = ""
    except (AttributeError, ImportError) as exc:  # wsasim.run not there (yet)
        missing = f"(no asyncio column: wsasim.run is missing: {exc})"
    rows: list[Row] = []

    def measure() -> None:
        for s in scenarios():
            baseline = virtual_seconds(by_list, s)
            for name, policy in policies:
                value, error = baseline if policy is by_list else virtual_seconds(policy, s)
                goal, met = "-", None
                if name == "staggered_connect" and s.goal is not None:
                    # Met: within the goal, and connected unless the scenario is all dead.
                    goal, met = s.goal[0], s.goal[1](value) and (error is None) == (not s.timeout)
                first = policy is by_list
                rows.append(
                    Row(
                        f"{s.label}: {name}",
                        _seconds(value, error),
                        "-" if first else _seconds(*baseline),
                        "-" if first or value <= 0 else speedup(baseline[0] / value, 1),
                        goal,
                        met,
                    )
                )

    timed("virtual time to connect: every scenario and policy", measure)
    n = 50 if args.quick else 300
    cases = [
        Scenario("one live IPv4", "app.example", (V4,)),
        Scenario("1 dead IPv6 + IPv4", "app.example", ("2001:db8::21", V4), dead=("2001:db8::21",)),
    ]
    for s in cases:
        results: dict[str, float] = {}

        def run(s: Scenario = s, results: dict[str, float] = results) -> None:
            results["by_list"] = wall_us(by_list, s, n)
            results["staggered"] = wall_us(staggered, s, n)

        timed(f"wall time: {n} connects of each policy, {s.label}, best of 3", run)
        rows.append(
            Row(
                f"wall µs per connect, {s.label}: staggered_connect",
                f"{results['staggered']:.1f}",
                f"{results['by_list']:.1f} WSAConnectByList",
                f"{results['staggered'] / results['by_list']:.2f}x the cost",
                "-",
                None,
            )
        )
    print(
        f"Time to connect in virtual seconds on wsasim (profile windows, {LATENCY * 1000:g} ms "
        f"one way, delay {DELAY:g} s); baseline WSAConnectByList "
        f"({'quick' if args.quick else 'full'})"
    )
    if missing:
        print(missing)
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
