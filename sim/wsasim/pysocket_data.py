"""The data methods of :class:`wsasim.SimSocket`: ``send``, ``sendall``, ``sendto``, ``recv``,
``recv_into``, ``recvfrom`` and ``recvfrom_into``, as Windows CPython has them.

This module owns :class:`DataMethods`, the part of ``SimSocket`` that moves bytes. Each method
converts its arguments as Modules/socketmodule.c does (:mod:`wsasim.pysocket_args`: bytes-like
data, C ints, the same ValueErrors for a negative or too large size) and makes its Winsock call
through ``sock_call`` (:mod:`wsasim.pysocket_call`), so a socket timeout applies: the call
waits in the simulator's select, in virtual time. Sizes are capped at INT_MAX, as the Windows
``sock_*_impl`` functions cap them for Winsock's ``int`` lengths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wsaconnect import constants as C
from wsaconnect.addresses import AddressTuple
from wsasim.pysocket_args import INT_MAX, c_int, c_ssize, readable_buffer, writable_buffer
from wsasim.pysocket_call import run

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

    from wsasim.pysocket import SimSocket
    from wsasim.winsock import Winsock


#: :meth:`DataMethods._send`'s destination for ``send`` (``sendto`` has an address).
_SEND: Any = object()


class DataMethods:
    """``socket.socket``'s data methods (a base of :class:`wsasim.SimSocket`)."""

    __slots__ = ()

    if TYPE_CHECKING:
        _ws: Winsock
        _handle: int
        _timeout_ns: int

        def gettimeout(self) -> float | None: ...

        def _sockaddr(self, address: object) -> object: ...

    def _recv(self, size: int, flags: int, source: bool) -> tuple[bytes, AddressTuple | None]:
        got: list[tuple[bytes, AddressTuple | None]] = []
        size = min(size, INT_MAX)  # sock_recv_impl / sock_recvfrom_impl

        def attempt() -> bool:
            if source:
                rc, data, address = self._ws.recvfrom(self._handle, size, flags)
            else:
                (rc, data), address = self._ws.recv(self._handle, size, flags), None
            got.append((data, address))
            return rc != C.SOCKET_ERROR

        run(self._self(), False, attempt, self.gettimeout())
        return got[-1]

    def _self(self) -> SimSocket:
        return self  # type: ignore[return-value]  # a mixin of SimSocket only

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        """``sock_recv``: up to ``bufsize`` bytes; b"" once the peer closed, and at once (no
        call) for a size of 0 (``sock_recv_guts``)."""
        size, bits = c_ssize(bufsize), c_int(flags)
        if size < 0:
            raise ValueError("negative buffersize in recv")
        return self._recv(size, bits, False)[0] if size else b""

    def recv_into(self, buffer: WriteableBuffer, nbytes: int = 0, flags: int = 0) -> int:
        """``sock_recv_into``: into a writable buffer (``nbytes`` 0: its length); the count."""
        view, size, bits = writable_buffer(buffer, "recv_into"), c_ssize(nbytes), c_int(flags)
        if size < 0:
            raise ValueError("negative buffersize in recv_into")
        size = size or len(view)
        if len(view) < size:
            raise ValueError("buffer too small for requested bytes")
        data = self._recv(size, bits, False)[0] if size else b""
        view[: len(data)] = data
        return len(data)

    def recvfrom(self, bufsize: int, flags: int = 0) -> tuple[bytes, AddressTuple | None]:
        """``sock_recvfrom``: ``(data, address)``."""
        size, bits = c_ssize(bufsize), c_int(flags)
        if size < 0:
            raise ValueError("negative buffersize in recvfrom")
        return self._recv(size, bits, True)

    def recvfrom_into(
        self, buffer: WriteableBuffer, nbytes: int = 0, flags: int = 0
    ) -> tuple[int, AddressTuple | None]:
        """``sock_recvfrom_into``: ``(count, address)``."""
        view = writable_buffer(buffer, "recvfrom_into")
        size, bits = c_ssize(nbytes), c_int(flags)
        if size < 0:
            raise ValueError("negative buffersize in recvfrom_into")
        if size > len(view):
            raise ValueError("nbytes is greater than the length of the buffer")
        data, address = self._recv(size or len(view), bits, True)
        view[: len(data)] = data
        return len(data), address

    def _send(self, view: memoryview, flags: int, timeout: float | None, to: Any = _SEND) -> int:
        sent: list[int] = []

        def attempt() -> bool:
            data = bytes(view[:INT_MAX])
            if to is _SEND:
                sent.append(self._ws.send(self._handle, data, flags))
            else:
                sent.append(self._ws.sendto(self._handle, data, flags, to))
            return sent[-1] != C.SOCKET_ERROR

        run(self._self(), True, attempt, timeout)
        return sent[-1]

    def send(self, data: ReadableBuffer, flags: int = 0) -> int:
        """``sock_send``: a bytes-like object; returns the number of bytes sent."""
        view, bits = readable_buffer(data), c_int(flags)
        return self._send(view, bits, self.gettimeout())

    def sendall(self, data: ReadableBuffer, flags: int = 0) -> None:
        """``sock_sendall``: send everything. With a timeout, the timeout is for the whole call
        (CPython 3.5+): ``TimeoutError("timed out")`` once it is spent."""
        view, bits = readable_buffer(data), c_int(flags)
        timeout = self.gettimeout()
        has_timeout, deadline = timeout is not None and timeout > 0, None
        while True:  # do { ... } while (len > 0): an empty buffer is sent once
            if has_timeout:
                assert timeout is not None
                if deadline is None:
                    deadline = self._ws.network.now + timeout
                else:
                    timeout = deadline - self._ws.network.now
                    if timeout <= 0:
                        raise TimeoutError("timed out")
            view = view[self._send(view, bits, timeout) :]
            if not view:
                return

    def sendto(self, *args: object) -> int:
        """``sock_sendto``: ``sendto(data, address)`` or ``sendto(data, flags, address)``."""
        if len(args) not in (2, 3):
            raise TypeError(f"sendto() takes 2 or 3 arguments ({len(args)} given)")
        view = readable_buffer(args[0])
        bits = 0 if len(args) == 2 else c_int(args[1])
        return self._send(view, bits, self.gettimeout(), to=self._sockaddr(args[-1]))
