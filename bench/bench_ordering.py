"""Benchmark: ordering WSAConnectByList's address pairs (wsaconnect.ordering).

Times :func:`wsaconnect.ordering.address_pairs` on 500 mixed destinations (global and
link-local IPv6, 6to4, ULA, IPv4 given plainly and IPv4-mapped, a few loopback) against 6 local
addresses, best of several runs, and prints the milliseconds per call, the ratio to a baseline
measured in the same run (``sorted()`` of the same 500 addresses by their packed bytes, so the
ratio travels across machines) and whether the goal (well under 10 ms per call) is met.

Run it as ``python bench/bench_ordering.py`` (``--quick`` for CI: fewer repetitions).
"""

from __future__ import annotations

import argparse
import random
import sys
import timeit
from collections.abc import Callable, Sequence

from wsaconnect import constants as C
from wsaconnect.addresses import SockAddr, from_tuple
from wsaconnect.ordering import LocalAddress, address_pairs, sort_destinations

GOAL_MS = 10.0
DESTINATIONS = 500

LOCAL_ADDRESSES = [
    LocalAddress.parse(text)
    for text in (
        "127.0.0.1/8",
        "::1",
        "192.0.2.10/24",
        "10.0.0.5/8",
        "2001:db8:1::10/64",
        "fe80::10/64",
    )
]


def destinations(count: int = DESTINATIONS, seed: int = 0) -> list[SockAddr]:
    """``count`` mixed destinations, the same for a given seed."""
    rng = random.Random(seed)
    makers: list[Callable[[], str]] = [
        lambda: f"2001:db8:{rng.randrange(16):x}::{rng.randrange(1, 0xFFFF):x}",
        lambda: f"fe80::{rng.randrange(1, 0xFFFF):x}",
        lambda: f"2002:c633:6401::{rng.randrange(1, 0xFFFF):x}",
        lambda: f"fd00::{rng.randrange(1, 0xFFFF):x}",
        lambda: f"192.0.2.{rng.randrange(1, 255)}",
        lambda: f"198.51.100.{rng.randrange(1, 255)}",
        lambda: f"::ffff:203.0.113.{rng.randrange(1, 255)}",
        lambda: f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
    ]
    result = [from_tuple((rng.choice(makers)(), 443)) for _ in range(count - 4)]
    result += [from_tuple(("127.0.0.1", 443)), from_tuple(("::1", 443))] * 2
    rng.shuffle(result)
    return result


def best_ms(fn: Callable[[], object], number: int, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``number`` calls, in milliseconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1000.0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table.

    Args:
        argv: command-line arguments without the program name; None means ``sys.argv[1:]``.

    Returns:
        0, the exit status (the table says whether the goal is met; a slow machine is not an
        error).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (for CI)")
    args = parser.parse_args(argv)
    number, repeat = (3, 3) if args.quick else (20, 7)

    dests = destinations()
    locs = LOCAL_ADDRESSES
    baseline = best_ms(lambda: sorted(dests, key=lambda a: a.packed), number * 10, repeat)
    cases: list[tuple[str, Callable[[], object], bool]] = [
        ("address_pairs, AF_INET6 socket", lambda: address_pairs(dests, locs), True),
        (
            "address_pairs, AF_INET socket",
            lambda: address_pairs(dests, locs, socket_family=C.AF_INET),
            True,
        ),
        ("sort_destinations, AF_INET6", lambda: sort_destinations(dests, locs), False),
    ]

    pairs = len(address_pairs(dests, locs))
    print(f"{len(dests)} destinations x {len(locs)} local addresses -> {pairs} pairs")
    print(f"best of {repeat} runs of {number} calls; Python {sys.version.split()[0]}")
    print()
    header = f"{'case':<36} {'ms/call':>9} {'x baseline':>11}  goal < {GOAL_MS:g} ms"
    print(header)
    print("-" * len(header))
    print(f"{'baseline: sorted() by packed bytes':<36} {baseline:>9.3f} {1.0:>11.1f}")
    for name, fn, judged in cases:
        ms = best_ms(fn, number, repeat)
        verdict = ("met" if ms < GOAL_MS else "NOT MET") if judged else ""
        print(f"{name:<36} {ms:>9.3f} {ms / baseline:>11.1f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
