"""The rules every simulated Winsock function shares, applied by one decorator.

This module owns what happens before a function's own checks and after it fails:

* WSANOTINITIALISED before a successful WSAStartup (every function's error table);
* Winsock 1.1 blocking semantics: after ``WSAStartup(0x0101)``, a call made while a blocking
  call is in progress (from ``net.call_at``, as another thread or an APC would) gives
  WSAEINPROGRESS (WSAConnect document, WSAEINPROGRESS);
* WSAENETDOWN while the host's network subsystem is down, for the functions that need the
  network (WSAConnect document, WSAENETDOWN);
* a :class:`~wsaconnect.errors.WinsockError` raised inside becomes the C-style failure: the
  function returns its failure value (SOCKET_ERROR, INVALID_SOCKET, FALSE, ...; getaddrinfo
  returns the code itself, as its page says) and the code goes to WSAGetLastError;
* a call that gets past those rules clears WSAGetLastError first, so a success leaves 0
  (Wine's sock.c: ``SetLastError(0xdeadbeef)``, then a successful bind, setsockopt or
  getsockopt, then ``ok(!WSAGetLastError())``).

The wrapper is compiled with the wrapped function's own parameters, as :mod:`dataclasses`
compiles ``__init__``: a generic ``*args, **kwargs`` wrapper costs five times the call it
wraps, and these calls are the simulator's hot path (issue 2's benchmark).

It knows the attributes of :class:`wsasim.winsock.Winsock` it reads (``_started``,
``_blocking``, ``_version``, ``host``, ``_last_error``) and nothing else of it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from wsaconnect import errors as E
from wsaconnect.errors import WinsockError

F = TypeVar("F", bound=Callable[..., Any])

_TEMPLATE = """
def {name}({parameters}):
    if not self._started:
        self._last_error = WSANOTINITIALISED
        return {failure}
    if self._blocking and self._version < (2, 0):
        self._last_error = WSAEINPROGRESS
        return {failure}
{network_check}    self._last_error = 0
    try:
        return fn({arguments})
    except WinsockError as exc:
        self._last_error = exc.winerror
        return {failure}
"""

_NETWORK_CHECK = """    if self.host.network_down:
        self._last_error = WSAENETDOWN
        return {failure}
"""


def winsock_call(
    failure: object,
    *,
    needs_network: bool = True,
    failure_of: Callable[[int], object] | None = None,
) -> Callable[[F], F]:
    """Decorate a Winsock method (``self`` first) with the rules of the module doc.

    Args:
        failure: what the function returns when it fails.
        needs_network: False for the functions that work while the network is down
            (closesocket, WSACleanup).
        failure_of: for a function whose failure carries its code (getaddrinfo returns it),
            what it returns for a code; ``failure`` is then unused.
    """

    def decorate(fn: F) -> F:
        parameters, arguments = [], []
        namespace: dict[str, Any] = {
            "fn": fn,
            "failure": failure,
            "failure_of": failure_of,
            "WinsockError": WinsockError,
            "WSANOTINITIALISED": E.WSANOTINITIALISED,
            "WSAEINPROGRESS": E.WSAEINPROGRESS,
            "WSAENETDOWN": E.WSAENETDOWN,
        }
        keyword_only = False
        for p in inspect.signature(fn).parameters.values():
            if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                raise TypeError(f"{fn.__name__}: parameter {p.name} is {p.kind.description}")
            if p.kind is p.KEYWORD_ONLY and not keyword_only:
                keyword_only = True
                parameters.append("*")
            if p.default is p.empty:
                parameters.append(p.name)
            else:
                namespace[f"_default_{p.name}"] = p.default
                parameters.append(f"{p.name}=_default_{p.name}")
            arguments.append(f"{p.name}={p.name}" if keyword_only else p.name)
        returned = "failure" if failure_of is None else "failure_of(self._last_error)"
        source = _TEMPLATE.format(
            name=fn.__name__,
            parameters=", ".join(parameters),
            network_check=_NETWORK_CHECK.format(failure=returned) if needs_network else "",
            arguments=", ".join(arguments),
            failure=returned,
        )
        exec(compile(source, f"<winsock_call {fn.__qualname__}>", "exec"), namespace)
        return cast(F, functools.wraps(fn)(namespace[fn.__name__]))

    return decorate
