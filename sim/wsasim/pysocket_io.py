"""File objects over a :class:`wsasim.SimSocket`: ``makefile()`` and ``sendfile()``.

This module owns the stream side of the ``socket.socket`` interface, as CPython's
Lib/socket.py builds it on Windows:

* ``makefile()`` wraps the socket in the standard library's own :class:`socket.SocketIO`
  (raw I/O over ``recv_into``/``send``), buffered and text layers as ``socket.makefile``
  does; each file object holds a reference (``_io_refs``), and ``close()`` on the socket
  waits for the last one (``_real_close``);
* ``sendfile()`` is ``socket._sendfile_use_send``: Windows has no ``os.sendfile``, so
  ``socket.sendfile`` always falls back to ``send()``.

:class:`SocketIO` differs from the standard library's in one thing: ``socket._blocking_errnos``
is ``{EAGAIN, EWOULDBLOCK}``, and on Windows ``errno.EWOULDBLOCK`` is WSAEWOULDBLOCK (10035;
Modules/errnomodule.c undefines the CRT's value), so a non-blocking read with nothing to read
returns None there. Off Windows the set holds 11, so the subclass adds 10035.
"""

from __future__ import annotations

import io
import socket as _socket
from typing import IO, TYPE_CHECKING, Any

from wsaconnect import errors as E

if TYPE_CHECKING:
    from wsasim.pysocket import SimSocket


class SocketIO(_socket.SocketIO):
    """``socket.SocketIO`` with Windows' ``EWOULDBLOCK`` (WSAEWOULDBLOCK) as a blocking errno."""

    def readinto(self, b: Any) -> int | None:
        """Lib/socket.py, ``SocketIO.readinto``: None when a non-blocking socket has no data."""
        try:
            return super().readinto(b)
        except BlockingIOError as exc:
            if exc.errno == E.WSAEWOULDBLOCK:
                return None
            raise

    def write(self, b: Any) -> int | None:
        """Lib/socket.py, ``SocketIO.write``: None when a non-blocking socket can't send."""
        try:
            return super().write(b)
        except BlockingIOError as exc:
            if exc.errno == E.WSAEWOULDBLOCK:
                return None
            raise


def makefile(
    sock: SimSocket,
    mode: str = "r",
    buffering: int | None = None,
    *,
    encoding: str | None = None,
    errors: str | None = None,
    newline: str | None = None,
) -> IO[Any]:
    """Lib/socket.py, ``socket.makefile``: the same modes, buffering and text layer."""
    if not set(mode) <= {"r", "w", "b"}:
        raise ValueError(f"invalid mode {mode!r} (only r, w, b allowed)")
    writing = "w" in mode
    reading = "r" in mode or not writing
    binary = "b" in mode
    rawmode = ("r" if reading else "") + ("w" if writing else "")
    raw = SocketIO(sock, rawmode)  # type: ignore[arg-type]  # duck-typed: recv_into, send...
    sock._io_refs += 1
    if buffering is None:
        buffering = -1
    if buffering < 0:
        buffering = io.DEFAULT_BUFFER_SIZE
    if buffering == 0:
        if not binary:
            raise ValueError("unbuffered streams must be binary")
        return raw  # type: ignore[return-value]  # a RawIOBase, as socket.makefile returns
    buffer: Any
    if reading and writing:
        buffer = io.BufferedRWPair(raw, raw, buffering)
    elif reading:
        buffer = io.BufferedReader(raw, buffering)
    else:
        buffer = io.BufferedWriter(raw, buffering)
    if binary:
        return buffer  # type: ignore[no-any-return]
    encoding = io.text_encoding(encoding)  # type: ignore[attr-defined]  # 3.10+; typeshed: 3.11
    text = io.TextIOWrapper(buffer, encoding, errors, newline)
    text.mode = mode  # type: ignore[misc]
    return text


def sendfile(sock: SimSocket, file: Any, offset: int = 0, count: int | None = None) -> int:
    """Lib/socket.py, ``socket._sendfile_use_send`` (what ``sendfile`` does on Windows) with
    ``_check_sendfile_params``'s checks."""
    if "b" not in getattr(file, "mode", "b"):
        raise ValueError("file should be opened in binary mode")
    if not sock.type & _socket.SOCK_STREAM:
        raise ValueError("only SOCK_STREAM type sockets are supported")
    if count is not None:
        if not isinstance(count, int):
            raise TypeError(f"count must be a positive integer (got {count!r})")
        if count <= 0:
            raise ValueError(f"count must be a positive integer (got {count!r})")
    if sock.gettimeout() == 0:
        raise ValueError("non-blocking sockets are not supported")
    if offset:
        file.seek(offset)
    blocksize = min(count, 8192) if count else 8192
    total_sent = 0
    try:
        while True:
            if count:
                blocksize = min(count - total_sent, blocksize)
                if blocksize <= 0:
                    break
            data = memoryview(file.read(blocksize))
            if not data:
                break  # EOF
            while True:
                try:
                    sent = sock.send(data)
                except BlockingIOError:
                    continue
                total_sent += sent
                if sent < len(data):
                    data = data[sent:]
                else:
                    break
        return total_sent
    finally:
        if total_sent > 0 and hasattr(file, "seek"):
            file.seek(offset + total_sent)
