"""Tests for wsaconnect.backend: the Backend protocol, its capabilities, and how a backend is
chosen.

The core protocol is frozen: its exact method list is pinned here, so that adding a method to
it (which would turn every existing user-written backend into a non-backend) takes a deliberate
edit of this file. New functions are capability protocols, checked with ``require``.
"""

from __future__ import annotations

import contextvars
import subprocess
import sys
from typing import Any

import pytest

import wsaconnect
from wsaconnect import constants as C
from wsaconnect.backend import (
    CAPABILITIES,
    ENVIRONMENT_VARIABLE,
    Backend,
    BackendUnavailable,
    SupportsGetaddrinfo,
    SupportsShutdown,
    SupportsWSAIoctl,
    protocol_methods,
    require,
)

#: The methods the protocol lists.
PROTOCOL_METHODS = sorted(
    name for name, value in vars(Backend).items() if not name.startswith("_") and callable(value)
)

#: The frozen core. Changing this list breaks every user's existing fake backend: add a
#: capability protocol instead (see wsaconnect.backend's docstring).
CORE_METHODS = [
    "WSAAsyncSelect",
    "WSACancelBlockingCall",
    "WSACleanup",
    "WSACloseEvent",
    "WSAConnect",
    "WSAConnectByList",
    "WSAConnectByName",
    "WSACreateEvent",
    "WSAEnumNetworkEvents",
    "WSAEventSelect",
    "WSAGetLastError",
    "WSAResetEvent",
    "WSASetEvent",
    "WSASetLastError",
    "WSAStartup",
    "WSAWaitForMultipleEvents",
    "accept",
    "bind",
    "closesocket",
    "connect",
    "create_message_window",
    "get_messages",
    "getpeername",
    "getsockname",
    "getsockopt",
    "ioctlsocket",
    "listen",
    "recv",
    "recvfrom",
    "select",
    "send",
    "sendto",
    "setsockopt",
    "socket",
    "socket_object",
]


def _stub(*args: object, **kwargs: object) -> int:
    return 0


def make_fake_backend() -> Any:
    """An object with every protocol method (each returning 0): a Backend by shape."""
    cls = type("FakeBackend", (), dict.fromkeys(PROTOCOL_METHODS, _stub))
    return cls()


@pytest.fixture(autouse=True)
def _no_backend_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without WSACONNECT_BACKEND, whatever the caller's environment says."""
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)


# --- The protocol ----------------------------------------------------------------------------


def test_protocol_lists_the_connection_calls() -> None:
    for name in ("WSAStartup", "socket", "connect", "WSAConnect", "WSAConnectByList"):
        assert name in PROTOCOL_METHODS
    assert "WSAConnectByName" in PROTOCOL_METHODS


def test_the_core_protocol_is_frozen() -> None:
    assert PROTOCOL_METHODS == CORE_METHODS
    assert protocol_methods(Backend) == CORE_METHODS


def test_fake_with_every_method_is_a_backend() -> None:
    assert isinstance(make_fake_backend(), Backend)


def test_object_missing_a_method_is_not_a_backend() -> None:
    fake = make_fake_backend()
    cls = type("Partial", (), {n: _stub for n in PROTOCOL_METHODS if n != "WSAConnect"})
    assert isinstance(fake, Backend)
    assert not isinstance(cls(), Backend)


def test_a_simulated_host_winsock_is_a_backend() -> None:
    import wsasim

    backend = wsasim.Network().add_host("h").winsock
    assert [name for name in CORE_METHODS if not callable(getattr(backend, name, None))] == []
    assert isinstance(backend, Backend)


# --- Capabilities ------------------------------------------------------------------------------


def test_capabilities_are_runtime_checkable_protocols_apart_from_the_core() -> None:
    assert list(CAPABILITIES) == [SupportsShutdown, SupportsWSAIoctl, SupportsGetaddrinfo]
    for capability in CAPABILITIES:
        assert capability.__name__.startswith("Supports")
        methods = protocol_methods(capability)
        assert methods, capability
        assert not set(methods) & set(CORE_METHODS), capability
        assert not isinstance(object(), capability)  # runtime_checkable, or this raises


def test_supports_shutdown_is_exactly_shutdown() -> None:
    assert protocol_methods(SupportsShutdown) == ["shutdown"]


def test_supports_wsaioctl_and_getaddrinfo_are_exactly_their_call() -> None:
    assert protocol_methods(SupportsWSAIoctl) == ["WSAIoctl"]
    assert protocol_methods(SupportsGetaddrinfo) == ["getaddrinfo"]


def test_a_core_only_backend_lacks_wsaioctl_and_getaddrinfo_and_require_names_them() -> None:
    fake = make_fake_backend()
    pairs: list[tuple[type, str]] = [
        (SupportsWSAIoctl, "WSAIoctl"),
        (SupportsGetaddrinfo, "getaddrinfo"),
    ]
    for capability, method in pairs:
        assert not isinstance(fake, capability)
        with pytest.raises(TypeError, match=rf"has no {method}\(\).*{capability.__name__}"):
            require(fake, capability, "backend")


def test_a_core_only_backend_is_still_a_backend_but_lacks_shutdown() -> None:
    # What growing by capabilities buys: a fake written before shutdown existed still passes.
    fake = make_fake_backend()
    assert isinstance(fake, Backend)
    assert not isinstance(fake, SupportsShutdown)
    with wsaconnect.use_backend(fake):
        assert wsaconnect.current_backend() is fake


def test_require_returns_a_backend_that_has_the_capability() -> None:
    cls = type("WithShutdown", (), {**dict.fromkeys(PROTOCOL_METHODS, _stub), "shutdown": _stub})
    backend: object = cls()
    shutdown: object = require(backend, SupportsShutdown)
    core: object = require(backend, Backend)
    assert shutdown is backend
    assert core is backend


def test_require_names_the_missing_method_the_capability_and_the_argument() -> None:
    fake = make_fake_backend()
    with pytest.raises(TypeError) as info:
        require(fake, SupportsShutdown, "sock.backend")
    message = str(info.value)
    assert message.startswith("sock.backend (FakeBackend) has no shutdown()")
    assert "wsaconnect.backend.SupportsShutdown" in message


def test_require_names_backend_by_default() -> None:
    with pytest.raises(TypeError, match=r"^backend \(object\) has no shutdown\(\)"):
        require(object(), SupportsShutdown)


def test_require_a_shutdown_that_is_not_callable_counts_as_missing() -> None:
    cls = type("Broken", (), {**dict.fromkeys(PROTOCOL_METHODS, _stub), "shutdown": None})
    with pytest.raises(TypeError, match=r"has no shutdown\(\)"):
        require(cls(), SupportsShutdown)


def test_require_of_the_core_lists_a_few_missing_methods_and_counts_the_rest() -> None:
    with pytest.raises(TypeError) as info:
        require("not a backend", Backend, "backend")
    message = str(info.value)
    assert message.startswith("backend (str) has no WSAAsyncSelect(), WSACancelBlockingCall(), ")
    assert f"and {len(CORE_METHODS) - 3} more" in message
    assert "wsaconnect.backend.Backend" in message


# --- get_backend ------------------------------------------------------------------------------


def test_get_backend_sim_is_a_simulated_winsock() -> None:
    backend = wsaconnect.get_backend("sim")
    assert type(backend).__module__ == "wsasim.winsock"
    assert type(backend).__name__ == "Winsock"


def test_get_backend_sim_works_end_to_end_on_loopback() -> None:
    ws = wsaconnect.get_backend("sim")
    assert ws.WSAStartup(0x0202) == 0
    listener = ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert listener != C.INVALID_SOCKET
    assert ws.bind(listener, ("127.0.0.1", 0)) == 0
    assert ws.listen(listener, 5) == 0
    rc, name = ws.getsockname(listener)
    assert rc == 0
    assert name is not None
    client = ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert ws.connect(client, ("127.0.0.1", name[1])) == 0, ws.WSAGetLastError()
    server, peer = ws.accept(listener)
    assert server != C.INVALID_SOCKET
    assert peer == ws.getsockname(client)[1]
    assert ws.send(client, b"ping") == 4
    assert ws.recv(server, 16) == (4, b"ping")
    for s in (client, server, listener):
        assert ws.closesocket(s) == 0
    assert ws.WSACleanup() == 0


def test_get_backend_sim_host_has_the_documented_addresses() -> None:
    ws = wsaconnect.get_backend("sim")
    assert ws.WSAStartup() == 0
    for family, host in ((C.AF_INET, "192.0.2.10"), (C.AF_INET6, "2001:db8::10")):
        s = ws.socket(family, C.SOCK_STREAM)
        assert ws.bind(s, (host, 0)) == 0, (host, ws.WSAGetLastError())


def test_get_backend_sim_is_one_default_network_per_process() -> None:
    import wsasim

    net = wsasim.reset_default_network()
    first = wsaconnect.get_backend("sim")
    second = wsaconnect.get_backend("sim")
    assert first is second is net.hosts["client"].winsock
    assert first.WSAStartup() == 0
    s = first.socket(C.AF_INET, C.SOCK_STREAM)
    assert first.bind(s, ("127.0.0.1", 8080)) == 0
    # The same network: the handle made through one call is found through the next.
    assert second.getsockname(s) == (0, ("127.0.0.1", 8080))
    # A reset starts afresh: nothing started, the port free.
    fresh = wsasim.reset_default_network()
    assert fresh is not net
    third = wsaconnect.get_backend("sim")
    assert third is not first
    assert third.socket(C.AF_INET, C.SOCK_STREAM) == C.INVALID_SOCKET
    assert third.WSAGetLastError() == wsaconnect.errors.WSANOTINITIALISED


def test_use_backend_takes_a_name() -> None:
    import wsasim

    wsasim.reset_default_network()
    with wsaconnect.use_backend("sim") as backend:
        assert backend is wsaconnect.get_backend("sim")
        assert wsaconnect.current_backend() is backend
    with pytest.raises(ValueError, match="unknown backend"), wsaconnect.use_backend("simulator"):
        pass


@pytest.mark.parametrize("name", ["sim", "SIM", " sim "])
def test_get_backend_name_is_case_and_space_insensitive(name: str) -> None:
    assert type(wsaconnect.get_backend(name)).__module__ == "wsasim.winsock"


@pytest.mark.parametrize("name", ["", "simulator", "wine", "nativ"])
def test_get_backend_unknown_name_is_value_error(name: str) -> None:
    with pytest.raises(ValueError, match="unknown backend"):
        wsaconnect.get_backend(name)


def test_get_backend_name_of_the_wrong_type_is_type_error() -> None:
    with pytest.raises(TypeError, match="name"):
        wsaconnect.get_backend(1)  # type: ignore[arg-type]


def test_environment_variable_chooses_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "sim")
    assert type(wsaconnect.get_backend()).__module__ == "wsasim.winsock"


def test_environment_variable_with_an_unknown_name_is_value_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "bogus")
    with pytest.raises(ValueError, match="bogus"):
        wsaconnect.get_backend()


def test_explicit_name_wins_over_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "bogus")
    assert type(wsaconnect.get_backend("sim")).__module__ == "wsasim.winsock"


def test_environment_variable_name_is_exactly_wsaconnect_backend() -> None:
    assert ENVIRONMENT_VARIABLE == "WSACONNECT_BACKEND"


def test_no_name_and_no_variable_means_native(monkeypatch: pytest.MonkeyPatch) -> None:
    # Off Windows the native backend raises: the simulator is never chosen silently.
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(BackendUnavailable):
        wsaconnect.get_backend()


def test_empty_variable_means_native(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "")
    with pytest.raises(BackendUnavailable):
        wsaconnect.get_backend()


# --- native_backend -----------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["linux", "darwin", "freebsd14"])
def test_native_backend_off_windows_is_unavailable_and_points_to_the_simulator(
    monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    with pytest.raises(BackendUnavailable) as info:
        wsaconnect.native_backend()
    message = str(info.value)
    assert platform in message
    assert "simulator" in message
    assert ENVIRONMENT_VARIABLE in message


def test_backend_unavailable_is_a_runtime_error() -> None:
    assert issubclass(BackendUnavailable, RuntimeError)


# --- use_backend / current_backend ------------------------------------------------------------


def test_use_backend_sets_and_resets_current_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    fake = make_fake_backend()
    with wsaconnect.use_backend(fake) as entered:
        assert entered is fake
        assert wsaconnect.current_backend() is fake
    with pytest.raises(BackendUnavailable):
        wsaconnect.current_backend()


def test_use_backend_nests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "sim")
    outer, inner = make_fake_backend(), make_fake_backend()
    with wsaconnect.use_backend(outer):
        with wsaconnect.use_backend(inner):
            assert wsaconnect.current_backend() is inner
        assert wsaconnect.current_backend() is outer
    after = wsaconnect.current_backend()
    assert after is not outer
    assert after is not inner
    assert type(after).__module__ == "wsasim.winsock"


def test_use_backend_resets_after_an_exception() -> None:
    outer, inner = make_fake_backend(), make_fake_backend()
    with wsaconnect.use_backend(outer):
        with pytest.raises(KeyError), wsaconnect.use_backend(inner):
            raise KeyError("boom")
        assert wsaconnect.current_backend() is outer


def test_copied_context_sees_the_backend_and_keeps_its_own_changes() -> None:
    outer, inner = make_fake_backend(), make_fake_backend()
    seen: list[object] = []
    held = []

    def in_copy() -> None:
        seen.append(wsaconnect.current_backend())
        # Entered inside the copy and left open: it must not leak to the original context.
        manager = wsaconnect.use_backend(inner)
        held.append(manager)  # keep it alive, or closing the generator would reset it
        manager.__enter__()
        seen.append(wsaconnect.current_backend())

    with wsaconnect.use_backend(outer):
        copy = contextvars.copy_context()
        copy.run(in_copy)
        assert wsaconnect.current_backend() is outer
        assert copy.run(wsaconnect.current_backend) is inner
        copy.run(held[0].__exit__, None, None, None)
        assert copy.run(wsaconnect.current_backend) is outer
    assert seen == [outer, inner]


def test_context_copied_before_use_backend_does_not_see_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "sim")
    before = contextvars.copy_context()
    fake = make_fake_backend()
    with wsaconnect.use_backend(fake):
        seen = before.run(wsaconnect.current_backend)
    assert seen is not fake
    assert type(seen).__module__ == "wsasim.winsock"


@pytest.mark.parametrize("value", [None, object(), b"sim", 42])
def test_use_backend_rejects_a_non_backend_with_type_error(value: object) -> None:
    with pytest.raises(TypeError, match="backend"), wsaconnect.use_backend(value):  # type: ignore[arg-type]
        pass


def test_rejected_use_backend_leaves_the_current_backend_alone() -> None:
    fake = make_fake_backend()
    with wsaconnect.use_backend(fake):
        with pytest.raises(TypeError), wsaconnect.use_backend(object()):  # type: ignore[arg-type]
            pass
        assert wsaconnect.current_backend() is fake


# --- Import hygiene ----------------------------------------------------------------------------


def test_importing_wsaconnect_does_not_import_wsasim() -> None:
    code = "import wsaconnect, sys; assert 'wsasim' not in sys.modules, sorted(sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_get_backend_sim_imports_wsasim_only_when_asked() -> None:
    code = (
        "import wsaconnect, sys\n"
        "assert 'wsasim' not in sys.modules\n"
        "wsaconnect.get_backend('sim')\n"
        "assert 'wsasim' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
