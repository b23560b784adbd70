"""Tests for wsasim.calls: the compiled wrapper keeps the function's signature and applies the
shared rules (the rules themselves are also tested through every Winsock function)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from wsasim.calls import winsock_call

from wsaconnect import errors as E


class FakeHost:
    network_down = False


class FakeWinsock:
    """The attributes winsock_call reads, and methods decorated with it."""

    def __init__(self) -> None:
        self._started = 1
        self._blocking = 0
        self._version = (2, 2)
        self._last_error = 0
        self.host = FakeHost()

    @winsock_call(-1)
    def plain(self, a: int, b: int = 2, *, c: int = 3) -> tuple[int, int, int] | int:
        """Echo the arguments."""
        return a, b, c

    @winsock_call("failed")
    def failing(self, code: int) -> str:
        raise E.error_for_code(code)

    @winsock_call(-1, needs_network=False)
    def offline(self) -> int:
        return 0


def test_the_wrapper_keeps_name_doc_and_signature() -> None:
    assert FakeWinsock.plain.__name__ == "plain"
    assert FakeWinsock.plain.__doc__ == "Echo the arguments."
    assert str(inspect.signature(FakeWinsock.plain)) == str(
        inspect.signature(FakeWinsock.plain.__wrapped__)  # type: ignore[attr-defined]
    )


def test_positional_keyword_and_default_arguments_pass_through() -> None:
    ws = FakeWinsock()
    assert ws.plain(1) == (1, 2, 3)
    assert ws.plain(1, 5) == (1, 5, 3)
    assert ws.plain(a=1, b=6, c=7) == (1, 6, 7)


def test_keyword_only_stays_keyword_only() -> None:
    with pytest.raises(TypeError):
        FakeWinsock().plain(1, 2, 3)  # type: ignore[call-arg]


def test_missing_argument_is_type_error_as_for_the_function_itself() -> None:
    with pytest.raises(TypeError, match="a"):
        FakeWinsock().plain()  # type: ignore[call-arg]


def test_winsock_error_becomes_the_failure_value_and_the_last_error() -> None:
    ws = FakeWinsock()
    assert ws.failing(E.WSAECONNREFUSED) == "failed"
    assert ws._last_error == E.WSAECONNREFUSED


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ({"_started": 0}, E.WSANOTINITIALISED),
        ({"_blocking": 1, "_version": (1, 1)}, E.WSAEINPROGRESS),
    ],
)
def test_shared_rules_refuse_before_the_function_runs(setup: dict[str, Any], code: int) -> None:
    ws = FakeWinsock()
    for name, value in setup.items():
        setattr(ws, name, value)
    assert ws.plain(1) == -1
    assert ws._last_error == code


def test_a_blocking_call_under_winsock_2_does_not_refuse_others() -> None:
    ws = FakeWinsock()
    ws._blocking = 1
    assert ws.plain(1) == (1, 2, 3)


def test_network_down_refuses_only_functions_that_need_the_network() -> None:
    ws = FakeWinsock()
    ws.host.network_down = True
    assert ws.plain(1) == -1
    assert ws._last_error == E.WSAENETDOWN
    assert ws.offline() == 0


def test_a_function_with_star_args_is_refused_at_decoration() -> None:
    def spread(self: Any, *args: int) -> int:
        return 0

    with pytest.raises(TypeError, match="spread: parameter args"):
        winsock_call(-1)(spread)


# --- every function of the simulator's Winsock goes through the rules -------------------------


def test_every_public_winsock_method_is_wrapped_or_a_listed_exemption() -> None:
    from wsasim.winsock import EXEMPT, Winsock

    public = {
        name
        for name, value in vars(Winsock).items()
        if not name.startswith("_") and inspect.isfunction(value)
    }
    wrapped = {name for name in public if hasattr(getattr(Winsock, name), "__wrapped__")}
    assert public - wrapped == set(EXEMPT)
    assert set(EXEMPT) <= public  # no stale exemption


@pytest.mark.parametrize(
    ("call", "failure"),
    [
        (lambda ws: ws.WSACreateEvent(), 0),  # WSA_INVALID_EVENT
        (lambda ws: ws.WSACloseEvent(1 << 32), False),
        (lambda ws: ws.WSASetEvent(1 << 32), False),
        (lambda ws: ws.WSAResetEvent(1 << 32), False),
        (lambda ws: ws.WSAWaitForMultipleEvents([1 << 32], False, 0), 0xFFFFFFFF),
    ],
)
def test_event_functions_before_wsastartup_fail_with_wsanotinitialised(
    call: Any, failure: object
) -> None:
    import wsasim

    ws = wsasim.Network().add_host("h").winsock
    assert call(ws) == failure
    assert ws.WSAGetLastError() == E.WSANOTINITIALISED


def test_a_cancelled_wait_for_events_returns_wsa_wait_failed_with_wsaeintr() -> None:
    import wsasim

    net = wsasim.Network()
    ws = net.add_host("h").winsock
    assert ws.WSAStartup(0x0101) == 0
    event = ws.WSACreateEvent()
    net.call_at(1.0, ws.WSACancelBlockingCall)
    assert ws.WSAWaitForMultipleEvents([event], False, 10_000) == 0xFFFFFFFF  # WSA_WAIT_FAILED
    assert ws.WSAGetLastError() == E.WSAEINTR
    assert net.now == 1.0
