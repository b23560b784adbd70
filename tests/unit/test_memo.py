"""wsaconnect.memo.Memo: the project's one bounded cache of computed answers."""

from __future__ import annotations

import pytest

from wsaconnect.memo import DEFAULT_SIZE, Memo


class Counter:
    """A compute function that counts its calls per key, and fails for negative keys."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, key: int) -> str:
        self.calls.append(key)
        if key < 0:
            raise ValueError(f"negative key {key}")
        return f"answer {key}"


def test_an_answer_is_computed_once_per_key() -> None:
    compute = Counter()
    memo = Memo(compute)
    assert [memo(1), memo(2), memo(1), memo(2), memo(1)] == [
        "answer 1",
        "answer 2",
        "answer 1",
        "answer 2",
        "answer 1",
    ]
    assert compute.calls == [1, 2]
    assert len(memo) == 2


def test_the_remembered_answer_is_the_same_object() -> None:
    memo: Memo[int, list[int]] = Memo(lambda key: [key])
    assert memo(5) is memo(5)


def test_it_forgets_every_key_when_it_holds_maxsize() -> None:
    compute = Counter()
    memo = Memo(compute, maxsize=3)
    for key in (1, 2, 3):
        memo(key)
    assert len(memo) == 3
    memo(1)  # a hit: nothing is forgotten
    assert compute.calls == [1, 2, 3]
    memo(4)  # a miss at maxsize: all are forgotten, then 4 is kept
    assert len(memo) == 1
    memo(4)
    memo(1)
    assert compute.calls == [1, 2, 3, 4, 1]
    assert len(memo) == 2


def test_it_never_holds_more_than_maxsize() -> None:
    memo = Memo(Counter(), maxsize=5)
    sizes = []
    for key in range(100):
        memo(key)
        sizes.append(len(memo))
    assert max(sizes) == 5
    assert min(sizes) == 1


def test_an_exception_passes_through_and_is_not_remembered() -> None:
    compute = Counter()
    memo = Memo(compute)
    for _ in range(2):
        with pytest.raises(ValueError, match="negative key -1"):
            memo(-1)
    assert compute.calls == [-1, -1]
    assert len(memo) == 0


def test_a_failure_at_maxsize_forgets_nothing() -> None:
    compute = Counter()
    memo = Memo(compute, maxsize=2)
    memo(1)
    memo(2)
    with pytest.raises(ValueError, match="negative key"):
        memo(-1)
    assert len(memo) == 2
    memo(1)
    assert compute.calls == [1, 2, -1]


def test_clear_forgets_every_answer() -> None:
    compute = Counter()
    memo = Memo(compute)
    memo(1)
    memo.clear()
    assert len(memo) == 0
    memo(1)
    assert compute.calls == [1, 1]


def test_maxsize_one_keeps_the_last_key() -> None:
    compute = Counter()
    memo = Memo(compute, maxsize=1)
    memo(1)
    memo(1)
    memo(2)
    memo(2)
    assert compute.calls == [1, 2]


def test_the_default_size() -> None:
    memo = Memo(Counter())
    for key in range(DEFAULT_SIZE):
        memo(key)
    assert len(memo) == DEFAULT_SIZE == 4096
    memo(DEFAULT_SIZE)
    assert len(memo) == 1


@pytest.mark.parametrize("maxsize", [0, -1, -(10**400)])
def test_maxsize_below_one_is_a_value_error(maxsize: int) -> None:
    with pytest.raises(ValueError, match=r"^maxsize must be >= 1, not "):
        Memo(Counter(), maxsize=maxsize)


@pytest.mark.parametrize("maxsize", [True, False, 1.0, 2.5, "8", None])
def test_maxsize_of_the_wrong_type_is_a_type_error(maxsize: object) -> None:
    with pytest.raises(TypeError, match=r"^maxsize must be an int, not "):
        Memo(Counter(), maxsize=maxsize)  # type: ignore[arg-type]


def test_an_unhashable_key_is_a_type_error_and_computes_nothing() -> None:
    calls: list[object] = []
    memo: Memo[object, object] = Memo(calls.append)
    with pytest.raises(TypeError):
        memo([1])
    assert calls == []
