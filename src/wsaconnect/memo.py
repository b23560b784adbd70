"""One bounded memo, the project's only cache of computed answers.

This module owns the one rule every remembered answer follows: an answer is computed once per
key and kept until the memo holds ``maxsize`` keys, when it forgets them all (a connect loop
asks the same few keys again and again; a scan over many keys must not grow memory without
bound). A cache that must forget on an event (the network's routes) calls :meth:`Memo.clear`.

It knows nothing of addresses or sockets.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from wsaconnect import checks

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: How many keys a memo keeps unless told otherwise.
DEFAULT_SIZE = 4096


class Memo(dict[K, V]):
    """``compute(key)``, remembered: ``memo[key]`` (or ``memo(key)``) computes an answer once
    per key.

    A dict whose missing keys are computed: a remembered answer costs one dict lookup in C,
    which is why the simulator's per-packet caches can use it.

    Args:
        compute: the function whose answers are remembered (its exceptions pass through and
            nothing is remembered, or forgotten, for that key).
        maxsize: the number of keys kept before the memo forgets them all.
    """

    __slots__ = ("_compute", "_maxsize")

    def __init__(self, compute: Callable[[K], V], maxsize: int = DEFAULT_SIZE) -> None:
        checks.integer(maxsize, "maxsize", 1)
        super().__init__()
        self._compute = compute
        self._maxsize = maxsize

    def __missing__(self, key: K) -> V:
        answer = self._compute(key)
        if len(self) >= self._maxsize:
            self.clear()
        self[key] = answer
        return answer

    #: ``memo(key)`` is ``memo[key]``.
    __call__ = dict.__getitem__
