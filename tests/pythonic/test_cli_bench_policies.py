"""bench/bench_connect_policies.py: its scenarios give exact virtual times, and it runs.

Only virtual times are asserted; the wall-clock rows are printed, never judged.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import wsasim

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCH))  # the script imports its neighbour, table.py
    try:
        yield importlib.import_module("bench_connect_policies")
    finally:
        sys.path.remove(str(BENCH))


#: scenario label -> (WSAConnectByList, socket.create_connection, staggered_connect, asyncio),
#: each (virtual seconds, the error's name or None).
EXPECTED: dict[str, tuple[tuple[float, str | None], ...]] = {
    "localhost (::1 refused)": ((2.0, None), (2.0, None), (0.0, None), (0.25, None)),
    "1 dead IPv6 + IPv4": ((21.04, None), (21.04, None), (0.29, None), (0.29, None)),
    "2 dead IPv6 + IPv4": ((42.04, None), (42.04, None), (0.29, None), (0.29, None)),
    "3 dead IPv6 + IPv4": ((63.04, None), (63.04, None), (0.29, None), (0.29, None)),
    "4 dead IPv6 + IPv4": ((84.04, None), (84.04, None), (0.29, None), (0.29, None)),
    "all dead, timeout 5 s": (
        (21.0, "WSAETIMEDOUT"),  # WSAConnectByList looks at its timeout between attempts
        (10.0, "TimeoutError"),  # socket.create_connection's is per attempt
        (5.0, "WSAETIMEDOUT"),
        (5.0, "TimeoutError"),
    ),
}


def test_every_policy_takes_its_exact_virtual_time(bench: ModuleType) -> None:
    policies = [bench.by_list, bench.sequential, bench.staggered, bench.asyncio_policy(wsasim.run)]
    found = {}
    for scenario in bench.scenarios():
        times = []
        for policy in policies:
            seconds, error = bench.virtual_seconds(policy, scenario)
            times.append((round(seconds, 6), error))
        found[scenario.label] = tuple(times)
    assert found == EXPECTED


def test_staggered_connect_meets_every_goal(bench: ModuleType) -> None:
    for scenario in bench.scenarios():
        seconds, _ = bench.virtual_seconds(bench.staggered, scenario)
        assert scenario.goal[1](seconds), (scenario.label, seconds, scenario.goal[0])


def test_the_benchmark_prints_its_table_and_exits_0(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if ": staggered_connect" in line]
    assert len(rows) == 6 + 2  # the scenarios, and the two wall-clock rows
    assert all(line.endswith("yes") for line in rows[:6])
    assert "asyncio (happy eyeballs)" in out
