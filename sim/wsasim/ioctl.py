"""WSAIoctl and ioctlsocket on the simulator: which control codes it knows, and their checks.

This module owns the rules of the two control calls; :mod:`wsasim.winsock` calls them after it
has found the socket, and :mod:`wsasim.connect_controls` owns what SIO_TCP_INITIAL_RTO does to
the connect timing. Each rule's source:

* FIONBIO (the ioctlsocket page; WSAIoctl takes it too, its ``lpvInBuffer`` the ``u_long``):
  non-zero makes the socket non-blocking; going back to blocking while WSAEventSelect or
  WSAAsyncSelect is in force is WSAEINVAL (the WSAEventSelect page). Through WSAIoctl an input
  shorter than a ``u_long`` is WSAEFAULT (the WSAIoctl page: a buffer "not totally contained in
  a valid part of the user address space").
* SIO_TCP_INITIAL_RTO (Microsoft's "SIO_TCP_INITIAL_RTO Control Code" page): the input is a
  TCP_INITIAL_RTO_PARAMETERS (4 bytes); a shorter one is WSAEINVAL ("a specified input
  parameter is not acceptable"), and so is an output buffer, since "cbOutBuffer ... must be set
  to zero". On a socket that is not TCP it is WSAEINVAL too: the page's WSAEINVAL covers a
  command "not applicable to the type of socket specified". It returns no output bytes.
* Any other code is WSAEOPNOTSUPP, "the specified IOCTL command is not supported" (the WSAIoctl
  page), as Wine's ws2_32 answers every code it does not implement (dlls/ws2_32/socket.c,
  WSAIoctl's default case). ioctlsocket knows FIONBIO only, and refuses any other command with
  WSAEINVAL, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.structures import TcpInitialRtoParameters
from wsasim import connect_controls

if TYPE_CHECKING:
    from wsasim.sockets import Socket

#: The size of the ``u_long`` FIONBIO reads.
_U_LONG = 4
_U32_MAX = 0xFFFFFFFF


def set_nonblocking(sock: Socket, enable: bool) -> None:
    """FIONBIO.

    Raises:
        WinsockError: WSAEINVAL when ``enable`` is false and WSAEventSelect or WSAAsyncSelect
            is in force (the socket can't go back to blocking mode then).
    """
    if not enable and sock.registration is not None:
        raise E.error_for_code(E.WSAEINVAL, "WSAEventSelect/WSAAsyncSelect in force")
    sock.nonblocking = enable


def control_code(code: object, what: str) -> int:
    """A DWORD control code, given unsigned (0x98000011) or as its signed 32-bit pattern.

    Raises:
        TypeError, ValueError: not an int, or outside -2**31..0xFFFFFFFF.
    """
    return checks.integer(code, what, -(2**31), _U32_MAX) & _U32_MAX


def input_bytes(in_buffer: object) -> bytes:
    """WSAIoctl's ``lpvInBuffer``: bytes-like, or None for NULL (``cbInBuffer`` 0).

    Raises:
        TypeError: anything else.
    """
    if in_buffer is None:
        return b""
    if isinstance(in_buffer, (bytes, bytearray, memoryview)):
        return bytes(in_buffer)
    raise TypeError(f"in_buffer must be bytes or None, not {type(in_buffer).__name__}")


def wsaioctl(sock: Socket, code: int, data: bytes, out_size: int) -> bytes:
    """WSAIoctl's rules for ``sock``: the output bytes (none for the codes known here).

    Raises:
        WinsockError: the code Windows documents (see the module docstring).
    """
    if code == C.FIONBIO:
        if len(data) < _U_LONG:
            raise E.error_for_code(E.WSAEFAULT, f"FIONBIO takes a u_long, not {len(data)} bytes")
        set_nonblocking(sock, any(data[:_U_LONG]))
        return b""
    if code == C.SIO_TCP_INITIAL_RTO:
        if len(data) < C.TCP_INITIAL_RTO_PARAMETERS_SIZE or out_size != 0:
            raise E.error_for_code(
                E.WSAEINVAL, f"SIO_TCP_INITIAL_RTO: {len(data)} bytes in, {out_size} out"
            )
        if not sock.stream:
            raise E.error_for_code(E.WSAEINVAL, "SIO_TCP_INITIAL_RTO on a datagram socket")
        connect_controls.set_initial_rto(sock, TcpInitialRtoParameters.unpack(data))
        return b""
    raise E.error_for_code(E.WSAEOPNOTSUPP, f"control code {code:#010x}")
