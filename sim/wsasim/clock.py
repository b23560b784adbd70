"""The virtual clock: a heap of ``(time, sequence, timer)`` that moves only when told.

This module owns simulated time and the order in which scheduled callbacks run. Two callbacks
due at the same instant run in the order they were scheduled (the sequence number breaks ties,
as in SimPy's ``(time, priority, seq, event)`` heap), so a scenario replays identically. Time
never goes backwards and the clock never reads the wall clock (trio's MockClock: "time can't
go backwards").

It knows nothing of networks or sockets.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

from wsaconnect import checks


class Timer:
    """A scheduled callback; :meth:`cancel` stops it from running."""

    __slots__ = ("callback", "when")

    def __init__(self, when: float, callback: Callable[[], object]) -> None:
        self.when = when
        self.callback: Callable[[], object] | None = callback

    def cancel(self) -> None:
        """Cancel the callback (a no-op if it has run or was cancelled)."""
        self.callback = None

    @property
    def cancelled(self) -> bool:
        """True once cancelled or run."""
        return self.callback is None


class Clock:
    """Virtual seconds and the callbacks due at them."""

    __slots__ = ("_heap", "_seq", "now")

    def __init__(self) -> None:
        #: Virtual seconds since the clock was made. Read it; only the clock moves it (a plain
        #: attribute rather than a property: the simulator reads it on every packet).
        self.now = 0.0
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()

    def call_at(self, when: float, callback: Callable[[], object]) -> Timer:
        """Run ``callback`` at virtual time ``when`` (now, if ``when`` is in the past).

        Raises:
            TypeError: ``when`` is not a number or ``callback`` is not callable.
            ValueError: ``when`` is NaN.
        """
        when = checks.seconds(when, "when", negative_ok=True)
        if not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}")
        return self._push(max(when, self.now), callback)

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        """Run ``callback`` ``delay`` virtual seconds from now (now, if ``delay`` < 0).

        Raises:
            TypeError, ValueError: as :meth:`call_at`.
        """
        return self.call_at(self.now + checks.seconds(delay, "delay", negative_ok=True), callback)

    def schedule(self, delay: float, callback: Callable[[], object]) -> Timer:
        """:meth:`call_later` without the argument checks: the simulator's own scheduling,
        on its hot path, with arguments it computed itself (a delay >= 0)."""
        return self._push(self.now + delay, callback)

    def _push(self, when: float, callback: Callable[[], object]) -> Timer:
        timer = Timer(when, callback)
        heapq.heappush(self._heap, (when, next(self._seq), timer))
        return timer

    def next_time(self) -> float | None:
        """When the next live callback is due, or None if nothing is scheduled."""
        heap = self._heap
        while heap and heap[0][2].callback is None:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def step(self, until: float | None = None) -> bool:
        """Run the next callback, if one is due at or before ``until`` (None: whenever it is
        due), moving the time to it. False if there is none."""
        heap = self._heap
        while heap:
            when, _, timer = heap[0]
            callback = timer.callback
            if callback is None:  # cancelled
                heapq.heappop(heap)
                continue
            if until is not None and when > until:
                return False
            heapq.heappop(heap)
            timer.callback = None
            self.now = when
            callback()
            return True
        return False

    def run_until(self, when: float) -> None:
        """Run every callback due up to ``when``, then set the time to ``when``.

        Raises:
            ValueError: ``when`` is before now, or NaN.
        """
        if when != when:
            raise ValueError("when must not be NaN")
        if when < self.now:
            raise ValueError(f"time can't go backwards (now {self.now}, asked {when})")
        while self.step(when):
            pass
        self.now = when

    def run_until_idle(self) -> None:
        """Run callbacks until none is scheduled."""
        while self.step():
            pass
