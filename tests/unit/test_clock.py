"""Tests for wsasim.clock: the virtual clock's order, cancellation and refusal to go back.

No test reads the wall clock: the clock under test never does either.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from wsasim.clock import Clock, Timer


def recorder(log: list[str], label: str) -> Callable[[], None]:
    def record() -> None:
        log.append(label)

    return record


def test_new_clock_starts_at_zero_with_nothing_scheduled() -> None:
    clock = Clock()
    assert clock.now == 0.0
    assert clock.next_time() is None
    assert clock.step() is False


def test_callbacks_run_in_time_order_not_scheduling_order() -> None:
    clock, log = Clock(), list[str]()
    clock.call_at(3, recorder(log, "c"))
    clock.call_at(1, recorder(log, "a"))
    clock.call_at(2, recorder(log, "b"))
    clock.run_until_idle()
    assert log == ["a", "b", "c"]


def test_ties_run_in_scheduling_order() -> None:
    clock, log = Clock(), list[str]()
    for label in "abcdefghij":
        clock.call_at(5.0, recorder(log, label))
    clock.run_until_idle()
    assert log == list("abcdefghij")


def test_tie_scheduled_from_a_callback_runs_after_those_already_due() -> None:
    clock, log = Clock(), list[str]()

    def first() -> None:
        log.append("first")
        clock.call_at(clock.now, recorder(log, "scheduled by first"))

    clock.call_at(1, first)
    clock.call_at(1, recorder(log, "second"))
    clock.run_until_idle()
    assert log == ["first", "second", "scheduled by first"]


def test_int_and_float_times_tie_in_scheduling_order() -> None:
    clock, log = Clock(), list[str]()
    clock.call_at(2.0, recorder(log, "float"))
    clock.call_at(2, recorder(log, "int"))
    clock.run_until_idle()
    assert log == ["float", "int"]


def test_now_is_the_due_time_while_a_callback_runs() -> None:
    clock, seen = Clock(), []
    clock.call_at(7.5, lambda: seen.append(clock.now))
    clock.run_until_idle()
    assert seen == [7.5]
    assert clock.now == 7.5


def test_call_later_is_relative_to_now() -> None:
    clock, seen = Clock(), []
    clock.run_until(10)
    clock.call_later(2.5, lambda: seen.append(clock.now))
    clock.run_until_idle()
    assert seen == [12.5]


def test_call_at_returns_a_timer_with_its_due_time() -> None:
    clock = Clock()
    timer = clock.call_at(4, lambda: None)
    assert isinstance(timer, Timer)
    assert timer.when == 4.0
    assert not timer.cancelled


# --- Cancellation ----------------------------------------------------------------------------


def test_cancelled_timer_does_not_run() -> None:
    clock, log = Clock(), list[str]()
    clock.call_at(1, recorder(log, "a"))
    timer = clock.call_at(2, recorder(log, "cancelled"))
    clock.call_at(3, recorder(log, "c"))
    timer.cancel()
    assert timer.cancelled
    clock.run_until_idle()
    assert log == ["a", "c"]


def test_next_time_skips_cancelled_timers() -> None:
    clock = Clock()
    early = clock.call_at(1, lambda: None)
    clock.call_at(2, lambda: None)
    early.cancel()
    assert clock.next_time() == 2.0


def test_only_cancelled_timers_left_means_idle() -> None:
    clock = Clock()
    clock.call_at(1, lambda: None).cancel()
    assert clock.next_time() is None
    assert clock.step() is False
    assert clock.now == 0.0  # a cancelled timer does not move the clock


def test_cancel_from_an_earlier_callback_prevents_a_later_one() -> None:
    clock, log = Clock(), list[str]()
    later = clock.call_at(5, recorder(log, "later"))
    clock.call_at(1, later.cancel)
    clock.run_until_idle()
    assert log == []


def test_cancelling_a_timer_that_already_ran_is_a_no_op() -> None:
    clock, log = Clock(), list[str]()
    timer = clock.call_at(1, recorder(log, "ran"))
    clock.run_until_idle()
    assert timer.cancelled  # "cancelled" also means "will not run again"
    timer.cancel()
    assert log == ["ran"]


def test_cancel_twice_is_a_no_op() -> None:
    clock = Clock()
    timer = clock.call_at(1, lambda: None)
    timer.cancel()
    timer.cancel()
    assert timer.cancelled


# --- run_until -------------------------------------------------------------------------------


def test_run_until_runs_what_is_due_and_sets_the_time() -> None:
    clock, log = Clock(), list[str]()
    clock.call_at(1, recorder(log, "1"))
    clock.call_at(2, recorder(log, "2"))
    clock.call_at(3, recorder(log, "3"))
    clock.run_until(2)
    assert log == ["1", "2"]  # a callback due exactly at the limit runs
    assert clock.now == 2.0
    assert clock.next_time() == 3.0


def test_run_until_with_nothing_due_still_moves_the_clock() -> None:
    clock = Clock()
    clock.run_until(42)
    assert clock.now == 42.0


def test_run_until_runs_callbacks_scheduled_within_the_window() -> None:
    clock, log = Clock(), list[str]()
    clock.call_at(1, lambda: clock.call_at(1.5, recorder(log, "chained")))
    clock.run_until(2)
    assert log == ["chained"]


def test_run_until_now_is_allowed() -> None:
    clock = Clock()
    clock.run_until(5)
    clock.run_until(5)
    assert clock.now == 5.0


def test_run_until_the_past_is_value_error_and_keeps_the_time() -> None:
    clock, log = Clock(), list[str]()
    clock.run_until(5)
    clock.call_at(6, recorder(log, "later"))
    with pytest.raises(ValueError, match="backwards"):
        clock.run_until(4.999)
    assert clock.now == 5.0
    assert log == []


def test_run_until_nan_is_value_error_and_runs_nothing() -> None:
    clock, log = Clock(), list[str]()
    clock.call_at(100, recorder(log, "far future"))
    with pytest.raises(ValueError, match="NaN"):
        clock.run_until(float("nan"))
    assert log == []
    assert clock.now == 0.0


def test_time_never_goes_backwards_through_a_whole_run() -> None:
    clock, seen = Clock(), []
    for when in (5, 1, 3, 3, 0, 9, 2):
        clock.call_at(when, lambda: seen.append(clock.now))
    clock.run_until_idle()
    assert seen == sorted(seen)


# --- The past --------------------------------------------------------------------------------


def test_call_at_in_the_past_runs_now() -> None:
    clock, seen = Clock(), []
    clock.run_until(10)
    timer = clock.call_at(3, lambda: seen.append(clock.now))
    assert timer.when == 10.0
    assert clock.next_time() == 10.0
    clock.run_until(10)
    assert seen == [10.0]
    assert clock.now == 10.0


def test_call_at_in_the_past_runs_after_what_is_already_due_now() -> None:
    clock, log = Clock(), list[str]()
    clock.run_until(10)
    clock.call_at(10, recorder(log, "due now"))
    clock.call_at(-1, recorder(log, "past"))
    clock.run_until_idle()
    assert log == ["due now", "past"]


def test_negative_delay_runs_now() -> None:
    clock, seen = Clock(), []
    clock.run_until(3)
    clock.call_later(-2, lambda: seen.append(clock.now))
    clock.run_until_idle()
    assert seen == [3.0]


# --- run_until_idle and step -------------------------------------------------------------------


def test_run_until_idle_runs_chains_to_the_end() -> None:
    clock, log = Clock(), list[str]()

    def tick(n: int) -> None:
        log.append(str(n))
        if n < 5:
            clock.call_later(1, lambda: tick(n + 1))

    clock.call_at(0, lambda: tick(0))
    clock.run_until_idle()
    assert log == ["0", "1", "2", "3", "4", "5"]
    assert clock.now == 5.0
    assert clock.next_time() is None


def test_run_until_idle_on_an_empty_clock_keeps_the_time() -> None:
    clock = Clock()
    clock.run_until(3)
    clock.run_until_idle()
    assert clock.now == 3.0


def test_step_runs_exactly_one_callback() -> None:
    clock, log = Clock(), list[str]()
    clock.call_at(1, recorder(log, "a"))
    clock.call_at(1, recorder(log, "b"))
    assert clock.step() is True
    assert log == ["a"]
    assert clock.step() is True
    assert log == ["a", "b"]
    assert clock.step() is False


def test_callback_that_raises_leaves_the_clock_usable() -> None:
    clock, log = Clock(), list[str]()

    def boom() -> None:
        raise RuntimeError("boom")

    clock.call_at(1, boom)
    clock.call_at(2, recorder(log, "after"))
    with pytest.raises(RuntimeError, match="boom"):
        clock.run_until_idle()
    assert clock.now == 1.0
    clock.run_until_idle()
    assert log == ["after"]


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["1", None, True, [1], 1j])
def test_call_at_time_of_the_wrong_type_is_type_error(when: object) -> None:
    with pytest.raises(TypeError, match="when"):
        Clock().call_at(when, lambda: None)  # type: ignore[arg-type]


@pytest.mark.parametrize("callback", [None, 1, "f"])
def test_call_at_callback_not_callable_is_type_error(callback: object) -> None:
    with pytest.raises(TypeError, match="callback"):
        Clock().call_at(1, callback)  # type: ignore[arg-type]


def test_call_at_nan_is_value_error() -> None:
    clock = Clock()
    with pytest.raises(ValueError, match="NaN"):
        clock.call_at(float("nan"), lambda: None)
    assert clock.next_time() is None


def test_call_later_nan_is_value_error() -> None:
    with pytest.raises(ValueError, match="NaN"):
        Clock().call_later(float("nan"), lambda: None)


def test_call_later_delay_of_the_wrong_type_is_type_error() -> None:
    with pytest.raises(TypeError):
        Clock().call_later("1", lambda: None)  # type: ignore[arg-type]


def test_rejected_call_at_schedules_nothing() -> None:
    clock = Clock()
    with pytest.raises(TypeError):
        clock.call_at(1, None)  # type: ignore[arg-type]
    assert clock.next_time() is None
