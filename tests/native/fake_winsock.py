"""A stand-in for the compiled ``wsaconnect._winsock``, so that the native backend's Python side
runs on every OS.

``abi_ffi()`` is an ABI-mode FFI of the real cdef: the same types and structures, laid out by
the host's C ABI (on Linux a ``long`` is 64 bits and a ``wchar_t`` 32, so tests compare values,
never sizes). ``RecordingLib`` answers every function with 0 and records the calls. Nothing here
calls Winsock; what Winsock does with the arguments is tests/native/test_native_backend.py's, on
Windows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

cffi = pytest.importorskip("cffi", reason="the native backend's C types need cffi")
build_ffi = pytest.importorskip("build_ffi", reason="build_ffi.py is not on sys.path")


def abi_ffi() -> Any:
    """An ABI-mode FFI of the cdef, its two partial structs (``...;``) given a concrete body."""
    ffi = cffi.FFI()
    cdef = re.sub(
        r"^\s*\.\.\.;\s*$", "    char wsac_opaque[512];", build_ffi.read_cdef(), flags=re.M
    )
    ffi.cdef(cdef)
    return ffi


class RecordingLib:
    """A ``lib`` whose every function returns ``results.get(name, 0)`` and records its call."""

    #: FD_SETSIZE, as winsock2.h defines it unless a program does.
    WSAC_FD_SETSIZE = 64

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.results: dict[str, Any] = {}
        #: Functions run with a call's arguments *during* the call: what a pointer argument
        #: points to is the caller's only until the call returns (the binding may free it).
        self.inspect: dict[str, Callable[..., None]] = {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__"):
            raise AttributeError(name)

        def call(*args: Any) -> Any:
            self.calls.append((name, args))
            if name in self.inspect:
                self.inspect[name](*args)
            return self.results.get(name, 0)

        return call

    def last(self, name: str) -> tuple[Any, ...]:
        """The arguments of the last call of ``name``."""
        args: tuple[Any, ...]
        for called, args in reversed(self.calls):
            if called == name:
                return args
        raise AssertionError(f"{name} was not called: {[c for c, _ in self.calls]}")
