"""The virtual clock: a heap of ``[time, sequence, callback]`` that moves only when told.

This module owns simulated time and the order in which scheduled callbacks run. Two callbacks
due at the same instant run in the order they were scheduled (the sequence number breaks ties,
as in SimPy's ``(time, priority, seq, event)`` heap), so a scenario replays identically. Time
never goes backwards and the clock never reads the wall clock (trio's MockClock: "time can't
go backwards").

Callbacks run one at a time, on one stack: a callback that tries to run the clock itself (a
blocking call made from a ``call_at`` callback, or ``advance``) raises :class:`ReentrantWait`
instead of running the rest of time inside the callback.

It knows nothing of networks or sockets.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from wsaconnect import checks


class ReentrantWait(RuntimeError):
    """A callback the clock is running tried to run the clock (to wait, or to advance it).

    A simulator error, not a Winsock error: the callbacks of ``call_at`` stand for other
    threads, but they run on the one stack of the waiting call, so none of them can wait.
    """


#: A heap entry: ``[when, sequence, callback]``; the callback is None once run or cancelled.
#: A list, so that cancelling is one store and scheduling allocates one object.
_Entry = list[Any]


class Timer:
    """A callback scheduled with :meth:`Clock.call_at`; :meth:`cancel` stops it from running."""

    __slots__ = ("_entry",)

    def __init__(self, entry: _Entry) -> None:
        self._entry = entry

    @property
    def when(self) -> float:
        """The virtual time the callback is due at."""
        when: float = self._entry[0]
        return when

    def cancel(self) -> None:
        """Cancel the callback (a no-op if it has run or was cancelled)."""
        self._entry[2] = None

    @property
    def cancelled(self) -> bool:
        """True once cancelled or run."""
        return self._entry[2] is None


class Clock:
    """Virtual seconds and the callbacks due at them."""

    __slots__ = ("_heap", "_seq", "now", "running")

    def __init__(self) -> None:
        #: True while a callback runs (the clock cannot be run from inside one).
        self.running = False
        #: Virtual seconds since the clock was made. Read it; only the clock moves it (a plain
        #: attribute rather than a property: the simulator reads it on every packet).
        self.now = 0.0
        self._heap: list[_Entry] = []
        self._seq = 0

    def call_at(self, when: float, callback: Callable[[], object]) -> Timer:
        """Run ``callback`` at virtual time ``when`` (now, if ``when`` is in the past).

        Raises:
            TypeError: ``when`` is not a number or ``callback`` is not callable.
            ValueError: ``when`` is NaN.
        """
        when = checks.seconds(when, "when", negative_ok=True)
        if not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}")
        return Timer(self._push(max(when, self.now), callback))

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        """Run ``callback`` ``delay`` virtual seconds from now (now, if ``delay`` < 0).

        Raises:
            TypeError, ValueError: as :meth:`call_at`.
        """
        return self.call_at(self.now + checks.seconds(delay, "delay", negative_ok=True), callback)

    def schedule(self, delay: float, callback: Callable[[], object]) -> None:
        """:meth:`call_later` without the argument checks and without a :class:`Timer`: the
        simulator's own packets, on its hot path, with a delay it computed itself (>= 0)
        and a callback that needs no cancelling (it checks whether it still matters)."""
        self._seq = seq = self._seq + 1  # _push, inline: this is the hot path
        heapq.heappush(self._heap, [self.now + delay, seq, callback])

    def _push(self, when: float, callback: Callable[[], object]) -> _Entry:
        self._seq += 1
        entry = [when, self._seq, callback]
        heapq.heappush(self._heap, entry)
        return entry

    def next_time(self) -> float | None:
        """When the next live callback is due, or None if nothing is scheduled."""
        heap = self._heap
        while heap and heap[0][2] is None:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def step(self, until: float | None = None) -> bool:
        """Run the next callback, if one is due at or before ``until`` (None: whenever it is
        due), moving the time to it. False if there is none.

        Raises:
            ReentrantWait: called from inside a callback.
        """
        if self.running:
            raise ReentrantWait("the clock cannot be run from inside one of its callbacks")
        heap = self._heap
        while heap:
            entry = heap[0]
            callback = entry[2]
            if callback is None:  # cancelled
                heapq.heappop(heap)
                continue
            when = entry[0]
            if until is not None and when > until:
                return False
            heapq.heappop(heap)
            entry[2] = None
            self.now = when
            self.running = True
            try:
                callback()
            finally:
                self.running = False
            return True
        return False

    def run_until(self, when: float) -> None:
        """Run every callback due up to ``when``, then set the time to ``when``.

        Raises:
            ValueError: ``when`` is before now, NaN or infinite.
            ReentrantWait: called from inside a callback.
        """
        when = checks.seconds(when, "when", negative_ok=True)
        if when < self.now:
            raise ValueError(f"time can't go backwards (now {self.now}, asked {when})")
        while self.step(when):
            pass
        self.now = when

    def run_due(self) -> None:
        """Run every callback due now (also those they schedule for now); time stays."""
        heap, now = self._heap, self.now
        while heap and heap[0][0] <= now:  # the common case, nothing due, costs no step()
            self.step(now)

    def run_until_idle(self) -> None:
        """Run callbacks until none is scheduled."""
        while self.step():
            pass
