"""asyncio on the virtual clock: ``wsasim.new_event_loop(host)`` and ``wsasim.run(coro, host)``.

This module owns :class:`SimEventLoop`: Windows CPython's ``asyncio.SelectorEventLoop``
(``_WindowsSelectorEventLoop`` of Lib/asyncio/windows_events.py is
``asyncio.selector_events.BaseSelectorEventLoop`` with the default selector, on Windows
``selectors.SelectSelector``) on one simulated host::

    result = wsasim.run(main(), client)   # asyncio.run(main()), as host client, in virtual time

The standard library's asyncio runs on it unchanged (Lib/asyncio/base_events.py's
``create_connection``, its happy eyeballs and ``create_server``; Lib/asyncio/selector_events.py's
``sock_*`` methods and transports; streams, timeouts). What differs from the base class, and
why (docs/asyncio.md has the whole story):

* **Time.** ``loop.time()`` is ``net.now``; the loop waits by running the network
  (:class:`wsasim.loop_selector.SimSelector`), never in wall time. ``_clock_resolution`` is
  1 ns: Windows' monotonic clock ticks every 15.6 ms, the virtual one is exact (the nanosecond
  only absorbs the rounding of ``when - now``).
* **Sockets.** While the loop runs (``run_forever``, so also ``run_until_complete``) it is
  inside ``wsasim.patch(host, clock=True)``: the sockets asyncio makes itself (``socket.socket``
  in ``create_connection``, ``create_server``, the staggered race) are ``host``'s, and
  ``time.monotonic()``, ``time.sleep()``... follow the virtual clock. The patch is left when the
  loop stops; one already active around the loop nests.
* **No self-pipe.** BaseSelectorEventLoop's ``socket.socketpair()`` would be real, and no real
  descriptor can be in a simulator select; nor is one needed: the loop's select is the
  network's wait, in this thread, and what can wake it is a callback of the network's clock
  (``net.call_at``, which stands for another thread): ``call_soon``, ``call_at`` and
  ``call_soon_threadsafe`` made from one end the wait (:meth:`SimSelector.wake`).
  ``call_soon_threadsafe`` from a real other thread while the loop runs is a RuntimeError.
* **Names.** ``getaddrinfo`` and ``getnameinfo`` answer from the network's names at once
  (:class:`wsasim.resolver.Resolver`), without an executor.
* **A failed connect** is reported in exceptfds, merged into EVENT_WRITE (Lib/selectors.py,
  win32), and ``_sock_connect_cb`` raises ``OSError(err, 'Connect call failed ...')``: on
  Windows that is a ConnectionRefusedError for 10061 (Objects/exceptions.c defines
  ECONNREFUSED, ETIMEDOUT... as the WSA codes there), on Linux a plain OSError, so the loop
  makes the one Windows makes (:func:`windows_oserror`).
* **Servers.** ``create_server`` sets no SO_REUSEADDR by default and refuses ``reuse_port``,
  as on Windows.
* **Executors.** ``run_in_executor`` runs the function at once, in the loop's thread, and
  returns a completed future: a thread would run in wall time. The loop waits meanwhile, as
  for a worker; a blocking simulator call in the function runs the network's clock.
* **Refused.** Subprocesses, pipes and signal handlers raise NotImplementedError, as on
  Windows' SelectorEventLoop; ``add_reader`` of a real descriptor is a ValueError.

One network runs one clock, and one loop serves all its hosts (a listening socket made with
``other_host.socket`` goes to ``start_server(sock=...)``; ``host.serve`` servers run on the
clock by themselves). Two simulator loops cannot run at once in one thread.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from asyncio import selector_events
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from contextvars import Context
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from wsaconnect import errors as E
from wsasim.host import Host
from wsasim.loop_selector import SimSelector
from wsasim.patch import patch
from wsasim.resolver import Resolver

__all__ = ["WINDOWS_ERRNO_CLASSES", "SimEventLoop", "new_event_loop", "run", "windows_oserror"]

T = TypeVar("T")
if TYPE_CHECKING:
    from typing_extensions import TypeVarTuple, Unpack

    Ts = TypeVarTuple("Ts")

#: The resolution of the loop's clock: timers due within it of the time a wait ended at run.
CLOCK_RESOLUTION = 1e-9

#: The OSError subclass ``OSError(code, text)`` is on Windows for a Winsock code (the others
#: are plain OSError): Objects/exceptions.c, under MS_WINDOWS, defines EALREADY, ECONNABORTED,
#: ECONNREFUSED, ECONNRESET, EINPROGRESS, ESHUTDOWN, ETIMEDOUT and EWOULDBLOCK as the WSA
#: codes before it maps errno values to the subclasses (PEP 3151). WSAEINTR and WSAEACCES are
#: not among them: EINTR and EACCES keep the C runtime's values there.
WINDOWS_ERRNO_CLASSES: dict[int, type[OSError]] = {
    E.WSAEWOULDBLOCK: BlockingIOError,
    E.WSAEINPROGRESS: BlockingIOError,
    E.WSAEALREADY: BlockingIOError,
    E.WSAECONNABORTED: ConnectionAbortedError,
    E.WSAECONNREFUSED: ConnectionRefusedError,
    E.WSAECONNRESET: ConnectionResetError,
    E.WSAESHUTDOWN: BrokenPipeError,
    E.WSAETIMEDOUT: TimeoutError,
}


def windows_oserror(code: int, text: str) -> OSError:
    """``OSError(code, text)`` as Windows CPython makes it: ConnectionRefusedError for 10061,
    TimeoutError for 10060 (:data:`WINDOWS_ERRNO_CLASSES`), a plain OSError for the others;
    ``errno`` is ``code``, and there is no ``winerror`` (None on Windows with two arguments)."""
    return WINDOWS_ERRNO_CLASSES.get(code, OSError)(code, text)


def _not_on_windows(what: str) -> NotImplementedError:
    return NotImplementedError(
        f"{what}: not available on the simulator's event loop, as on Windows' "
        "SelectorEventLoop (and what it needs runs in wall time, outside the virtual clock)"
    )


#: BaseEventLoop's own call_soon, called directly (no super() lookup on the hot path).
_BASE_CALL_SOON = asyncio.BaseEventLoop.call_soon


class SimEventLoop(selector_events.BaseSelectorEventLoop):
    """Windows' ``SelectorEventLoop`` on simulated host ``host``, in virtual time (see the
    module's documentation). Make one with :func:`wsasim.new_event_loop`."""

    #: BaseEventLoop's (set by ``set_default_executor``; this loop never makes one).
    _default_executor: Executor | None

    def __init__(self, host: Host) -> None:
        if not isinstance(host, Host):
            self._closed = True  # so that BaseEventLoop.__del__ finds nothing to close
            raise TypeError(f"host must be a wsasim.Host, not {type(host).__name__}")
        self._host = host
        self._network = host.network
        self._clock = host.network.clock
        self._resolver = Resolver(host)
        self._sim_selector = SimSelector(host)
        self._running_thread: int | None = None
        super().__init__(self._sim_selector)
        self._clock_resolution = CLOCK_RESOLUTION

    @property
    def host(self) -> Host:
        """The simulated host whose sockets the loop makes and whose names it resolves."""
        return self._host

    def __repr__(self) -> str:
        state = "closed" if self.is_closed() else "running" if self.is_running() else "idle"
        return f"<{type(self).__name__} host={self._host.name} t={self.time():g} {state}>"

    # --- time and running -----------------------------------------------------------------

    def time(self) -> float:
        """The network's virtual time, ``net.now``."""
        return self._network.clock.now

    def run_forever(self) -> None:
        """BaseEventLoop's ``run_forever``, inside ``wsasim.patch(host, clock=True)``."""
        with patch(self._host, clock=True):
            outer, self._running_thread = self._running_thread, threading.get_ident()
            try:
                super().run_forever()
            finally:
                self._running_thread = outer

    def _wake_if_waiting(self) -> None:
        if self._network.clock.running:  # a callback of the clock, during the loop's wait
            self._sim_selector.wake()

    def call_soon(
        self,
        callback: Callable[[Unpack[Ts]], object],
        *args: Unpack[Ts],
        context: Context | None = None,
    ) -> asyncio.Handle:
        """BaseEventLoop's ``call_soon``; from a callback of the network's clock, it also
        ends the loop's wait."""
        handle = _BASE_CALL_SOON(self, callback, *args, context=context)
        if self._clock.running:  # _wake_if_waiting, inline: this is asyncio's hottest call
            self._sim_selector.wake()
        return handle

    def call_at(
        self,
        when: float,
        callback: Callable[[Unpack[Ts]], object],
        *args: Unpack[Ts],
        context: Context | None = None,
    ) -> asyncio.TimerHandle:
        """BaseEventLoop's ``call_at``; from a callback of the network's clock, it also ends
        the loop's wait (whose timeout may now be too long)."""
        handle = super().call_at(when, callback, *args, context=context)
        self._wake_if_waiting()
        return handle

    def call_soon_threadsafe(
        self,
        callback: Callable[[Unpack[Ts]], object],
        *args: Unpack[Ts],
        context: Context | None = None,
    ) -> asyncio.Handle:
        """BaseEventLoop's ``call_soon_threadsafe``, from the loop's own thread (a callback of
        the network's clock included), or from any thread while the loop is not running.

        Raises:
            RuntimeError: from another thread while the loop runs (it never sleeps in wall
                time, so it could not wait for that thread).
        """
        running = self._running_thread
        if running is not None and running != threading.get_ident():
            raise RuntimeError(
                f"call_soon_threadsafe from thread {threading.current_thread().name!r} while "
                "the simulator's event loop runs in another: the loop waits in virtual time, "
                "in the network's clock, and cannot be woken by a real thread (schedule the "
                "call with net.call_at, whose callbacks stand for other threads)"
            )
        return super().call_soon_threadsafe(callback, *args, context=context)

    # --- the self-pipe: none (see the module's documentation) ------------------------------

    def _make_self_pipe(self) -> None:
        self._ssock = self._csock = None

    def _close_self_pipe(self) -> None:
        pass

    def _read_from_self(self) -> None:
        pass

    def _write_to_self(self) -> None:
        self._wake_if_waiting()

    # --- names -----------------------------------------------------------------------------

    async def getaddrinfo(
        self,
        host: bytes | str | None,
        port: bytes | str | int | None,
        *,
        family: int = 0,
        type: int = 0,
        proto: int = 0,
        flags: int = 0,
    ) -> list[tuple[Any, Any, int, str, Any]]:
        """``socket.getaddrinfo`` on the simulated network (:meth:`Resolver.getaddrinfo`),
        answered at once, without an executor."""
        return self._resolver.getaddrinfo(host, port, family, type, proto, flags)

    async def getnameinfo(self, sockaddr: Any, flags: int = 0) -> tuple[str, str]:
        """``socket.getnameinfo`` on the simulated network (:meth:`Resolver.getnameinfo`)."""
        return self._resolver.getnameinfo(sockaddr, flags)

    # --- connections -------------------------------------------------------------------------

    def _sock_connect_cb(self, fut: asyncio.Future[None], sock: Any, address: Any) -> None:
        # Lib/asyncio/selector_events.py, BaseSelectorEventLoop._sock_connect_cb (identical in
        # 3.10 to 3.13), with the exception Windows makes of SO_ERROR (windows_oserror).
        if fut.done():
            return
        try:
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err != 0:
                raise windows_oserror(err, f"Connect call failed {address}")
        except (BlockingIOError, InterruptedError):
            pass  # still registered: called again when the socket is next writable
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            fut.set_exception(exc)
        else:
            fut.set_result(None)
        finally:
            del fut  # as the original's "fut = None": no cycle through a traceback

    def _make_socket_transport(self, sock: Any, protocol: Any, *args: Any, **kwargs: Any) -> Any:
        transport = super()._make_socket_transport(sock, protocol, *args, **kwargs)  # type: ignore[misc]
        _send_as_windows(transport)
        return transport

    def _make_ssl_transport(self, rawsock: Any, *args: Any, **kwargs: Any) -> Any:
        # The socket transport under SSLProtocol is made by the base class; it is the one
        # registered for the socket's handle (_SelectorTransport.__init__).
        app = super()._make_ssl_transport(rawsock, *args, **kwargs)  # type: ignore[misc]
        _send_as_windows(self._transports.get(rawsock.fileno()))  # type: ignore[attr-defined]
        return app

    async def create_server(
        self,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        host: Any = None,
        port: Any = None,
        *,
        reuse_address: bool | None = None,
        reuse_port: bool | None = None,
        **kwargs: Any,
    ) -> asyncio.Server:
        """BaseEventLoop's ``create_server`` with Windows' defaults: no SO_REUSEADDR unless
        asked for (``os.name`` is "nt" there), and ``reuse_port`` refused with Windows' error
        (its socket module has no SO_REUSEPORT: Lib/asyncio/base_events.py, _set_reuseport)."""
        if reuse_port:
            raise ValueError("reuse_port not supported by socket module")
        return await super().create_server(
            protocol_factory, host, port, reuse_address=bool(reuse_address), **kwargs
        )

    # --- what has no virtual-time meaning ----------------------------------------------------

    def run_in_executor(  # type: ignore[override]
        self, executor: Any, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        """Run ``func(*args)`` now, in the loop's thread, and return a completed future (with
        its result or exception); ``executor`` is not used (see the module's doc)."""
        if self.is_closed():
            raise RuntimeError("Event loop is closed")  # BaseEventLoop._check_closed
        future: asyncio.Future[T] = self.create_future()
        try:
            result = func(*args)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future

    async def shutdown_default_executor(self, timeout: float | None = None) -> None:
        """Shut a default executor down (one set with ``set_default_executor``; nothing was
        ever submitted to it), in the loop's thread: BaseEventLoop's would wait for a thread
        that calls ``call_soon_threadsafe``."""
        self._executor_shutdown_called = True
        executor = self._default_executor
        self._default_executor = None
        if executor is not None:
            executor.shutdown(wait=True)

    def _make_subprocess_transport(self, *args: Any, **kwargs: Any) -> Any:
        raise _not_on_windows("subprocesses")

    def _make_read_pipe_transport(self, *args: Any, **kwargs: Any) -> Any:
        raise _not_on_windows("pipes (connect_read_pipe)")

    def _make_write_pipe_transport(self, *args: Any, **kwargs: Any) -> Any:
        raise _not_on_windows("pipes (connect_write_pipe)")

    def add_signal_handler(
        self, sig: int, callback: Callable[[Unpack[Ts]], object], *args: Unpack[Ts]
    ) -> None:
        """Unix only in asyncio: NotImplementedError, as on Windows."""
        raise _not_on_windows("add_signal_handler")

    def remove_signal_handler(self, sig: int) -> bool:
        """Unix only in asyncio: NotImplementedError, as on Windows."""
        raise _not_on_windows("remove_signal_handler")


def _send_as_windows(transport: object) -> None:
    """Make a socket transport write with ``send``, as on Windows: from Python 3.12 the
    transport writes its buffer with ``sendmsg`` where ``socket.socket`` has it
    (Lib/asyncio/selector_events.py, ``_HAS_SENDMSG``), which Windows' has not, nor SimSocket."""
    send = getattr(transport, "_write_send", None)
    if send is not None:
        transport._write_ready = send  # type: ignore[attr-defined]


def new_event_loop(host: Host) -> SimEventLoop:
    """A new event loop on simulated host ``host``, in the network's virtual time.

    Raises:
        TypeError: ``host`` is not a :class:`wsasim.Host`.
    """
    return SimEventLoop(host)


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    # Lib/asyncio/runners.py, _cancel_all_tasks (Python 3.10).
    to_cancel = asyncio.all_tasks(loop)
    if not to_cancel:
        return
    for task in to_cancel:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*to_cancel, return_exceptions=True))
    for task in to_cancel:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during asyncio.run() shutdown",
                    "exception": task.exception(),
                    "task": task,
                }
            )


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Close ``loop`` as ``asyncio.run`` does: cancel its tasks, finish the asynchronous
    generators and the default executor, then ``loop.close()``."""
    try:
        _cancel_all_tasks(loop)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()


def run(main: Coroutine[Any, Any, T], host: Host, *, debug: bool | None = None) -> T:
    """``asyncio.run(main)`` on a new simulator event loop of ``host`` (:func:`new_event_loop`).

    ``asyncio.Runner(loop_factory=...)`` on Python 3.11 and later; on 3.10 the same steps as
    ``asyncio.run`` (Lib/asyncio/runners.py). The loop is closed when it returns, also after an
    exception, and the ``socket`` module is back as it was.

    Raises:
        TypeError: ``host`` is not a :class:`wsasim.Host`.
        ValueError: ``main`` is not a coroutine.
        RuntimeError: called from a running event loop.
        Deadlock: the coroutine waits for something nothing scheduled will do.
    """
    if not isinstance(host, Host):
        raise TypeError(f"host must be a wsasim.Host, not {type(host).__name__}")
    if sys.version_info >= (3, 11):
        with asyncio.Runner(debug=debug, loop_factory=partial(new_event_loop, host)) as runner:
            return runner.run(main)
    if asyncio._get_running_loop() is not None:
        raise RuntimeError("asyncio.run() cannot be called from a running event loop")
    if not asyncio.iscoroutine(main):
        raise ValueError(f"a coroutine was expected, got {main!r}")
    loop = new_event_loop(host)
    try:
        if debug is not None:
            loop.set_debug(debug)
        return loop.run_until_complete(main)
    finally:
        close_loop(loop)
