"""What every benchmark here prints: a table of measures against a baseline of the same run.

The columns are measure, value, baseline, ratio, goal and met? ("-" where a measure has no
goal); :func:`timed` says on stderr what runs and how long it took.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Row:
    measure: str
    value: str
    baseline: str
    ratio: str
    goal: str
    met: bool | None


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "NO"


def print_table(rows: Sequence[Row]) -> None:
    """Print the rows under the columns measure, value, baseline, ratio, goal, met?."""
    header = ("measure", "value", "baseline", "ratio", "goal", "met?")
    cells = [
        (r.measure, r.value, r.baseline, r.ratio, r.goal, "-" if r.met is None else _yes_no(r.met))
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in [header, *cells]) for i in range(len(header))]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = [v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for cell in cells:
        print(line(cell))


def timed(what: str, fn: Callable[[], object]) -> None:
    """Run ``fn``, saying on stderr what runs and how long it took (progress for slow runs)."""
    print(f"... {what}", end="", file=sys.stderr, flush=True)
    start = time.perf_counter()
    fn()
    print(f" ({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)


def speedup(ratio: float, digits: int = 2) -> str:
    """A speed-up ratio as the table says it: "1.52x faster", or "0.91x (slower)" below 1."""
    return f"{ratio:.{digits}f}x faster" if ratio >= 1 else f"{ratio:.{digits}f}x (slower)"
