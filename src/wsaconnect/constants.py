"""Winsock constants with their Windows values.

This module owns the numbers of winsock2.h, ws2def.h, ws2ipdef.h, mswsock.h, mstcpip.h and
qos.h that the project uses, spelled as Windows spells them. It holds no error codes
(those live in :mod:`wsaconnect.errors`) and no behaviour.

The values are Windows' own, not the host OS's: ``AF_INET6`` is 23 here even on Linux, where
``socket.AF_INET6`` is 10. The native backend's tests compare every name below with the
compiled module's values.
"""

from __future__ import annotations

import struct

# --- Return values (winsock2.h) -------------------------------------------------------------
SOCKET_ERROR = -1
#: ``(SOCKET)(~0)``: SOCKET is UINT_PTR, so its width follows the pointer size.
INVALID_SOCKET = (1 << (8 * struct.calcsize("P"))) - 1
WINSOCK_VERSION = 0x0202

# --- Address families (ws2def.h) ------------------------------------------------------------
AF_UNSPEC = 0
AF_INET = 2
AF_INET6 = 23

# --- Socket types and protocols -------------------------------------------------------------
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
SOCK_RDM = 4
SOCK_SEQPACKET = 5

IPPROTO_IP = 0
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_IPV6 = 41

# --- Special addresses ----------------------------------------------------------------------
INADDR_ANY = 0x00000000
INADDR_LOOPBACK = 0x7F000001
INADDR_BROADCAST = 0xFFFFFFFF
INADDR_NONE = 0xFFFFFFFF

#: Sizes of the Windows address structures.
SOCKADDR_IN_SIZE = 16
SOCKADDR_IN6_SIZE = 28
SOCKADDR_STORAGE_SIZE = 128

# --- Socket options: level SOL_SOCKET (winsock2.h, ws2def.h) -----------------------------------
SOL_SOCKET = 0xFFFF
SO_DEBUG = 0x0001
SO_ACCEPTCONN = 0x0002
SO_REUSEADDR = 0x0004
SO_KEEPALIVE = 0x0008
SO_DONTROUTE = 0x0010
SO_BROADCAST = 0x0020
SO_USELOOPBACK = 0x0040
SO_LINGER = 0x0080
SO_OOBINLINE = 0x0100
SO_DONTLINGER = ~SO_LINGER
SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR
SO_SNDBUF = 0x1001
SO_RCVBUF = 0x1002
SO_SNDLOWAT = 0x1003
SO_RCVLOWAT = 0x1004
SO_SNDTIMEO = 0x1005
SO_RCVTIMEO = 0x1006
SO_ERROR = 0x1007
SO_TYPE = 0x1008

# --- Socket options from mswsock.h ----------------------------------------------------------
SO_CONNDATA = 0x7000
SO_CONNOPT = 0x7001
SO_DISCDATA = 0x7002
SO_DISCOPT = 0x7003
SO_CONNDATALEN = 0x7004
SO_CONNOPTLEN = 0x7005
SO_MAXDG = 0x7009
SO_MAXPATHDG = 0x700A
SO_UPDATE_ACCEPT_CONTEXT = 0x700B
SO_CONNECT_TIME = 0x700C
SO_UPDATE_CONNECT_CONTEXT = 0x7010

#: What getsockopt(SO_CONNECT_TIME) reports for a socket that is not connected.
CONNECT_TIME_NOT_CONNECTED = 0xFFFFFFFF

# --- Level IPPROTO_IPV6 (ws2ipdef.h) ---------------------------------------------------------
IPV6_V6ONLY = 27

# --- Level IPPROTO_TCP (ws2ipdef.h, mstcpip.h) -----------------------------------------------
TCP_NODELAY = 0x0001
TCP_MAXSEG = 4
TCP_KEEPALIVE = 3
TCP_MAXRT = 5
TCP_KEEPCNT = 16
TCP_KEEPIDLE = TCP_KEEPALIVE
TCP_KEEPINTVL = 17
TCP_FAIL_CONNECT_ON_ICMP_ERROR = 18
TCP_ICMP_ERROR_INFO = 19

# --- ioctlsocket commands (winsock2.h) -------------------------------------------------------
FIONREAD = 0x4004667F
FIONBIO = 0x8004667E
SIOCATMARK = 0x40047307

# --- WSAIoctl control codes (winsock2.h, mstcpip.h) ------------------------------------------
#: The "vendor" family of WSAIoctl codes (winsock2.h: ``IOC_VENDOR``), and ``IOC_IN``: the
#: code takes an input buffer. ``_WSAIOW(x, y)`` is ``IOC_IN | x | y``.
IOC_IN = 0x80000000
IOC_VENDOR = 0x18000000
#: mstcpip.h: ``_WSAIOW(IOC_VENDOR, 17)``; its input is a TCP_INITIAL_RTO_PARAMETERS
#: (Microsoft's "SIO_TCP_INITIAL_RTO Control Code" page).
SIO_TCP_INITIAL_RTO = IOC_IN | IOC_VENDOR | 17

# --- TCP_INITIAL_RTO_PARAMETERS values (mstcpip.h) -------------------------------------------
#: ``(USHORT)-1``: leave Rtt to the administrator-configured setting.
TCP_INITIAL_RTO_UNSPECIFIED_RTT = 0xFFFF
#: ``(UCHAR)-1``: leave MaxSynRetransmissions to the administrator-configured setting.
TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS = 0xFF
#: The system default Rtt.
TCP_INITIAL_RTO_DEFAULT_RTT = 0
#: The system default MaxSynRetransmissions.
TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS = 0
#: ``(UCHAR)-2``: no SYN retransmission at all.
TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS = 0xFE
#: ``sizeof(TCP_INITIAL_RTO_PARAMETERS)``: a USHORT and a UCHAR, padded to 4 bytes.
TCP_INITIAL_RTO_PARAMETERS_SIZE = 4

# --- getaddrinfo flags (ws2def.h: the ai_flags of ADDRINFOW) -----------------------------------
AI_PASSIVE = 0x00000001
AI_CANONNAME = 0x00000002
AI_NUMERICHOST = 0x00000004
AI_NUMERICSERV = 0x00000008
AI_ALL = 0x00000100
AI_ADDRCONFIG = 0x00000400
AI_V4MAPPED = 0x00000800

# --- Message flags --------------------------------------------------------------------------
MSG_OOB = 0x1
MSG_PEEK = 0x2
MSG_DONTROUTE = 0x4
MSG_WAITALL = 0x8

# --- shutdown (winsock2.h) -------------------------------------------------------------------
SD_RECEIVE = 0
SD_SEND = 1
SD_BOTH = 2

# --- listen ---------------------------------------------------------------------------------
SOMAXCONN = 0x7FFFFFFF

# --- Network events (winsock2.h) -------------------------------------------------------------
FD_READ_BIT = 0
FD_WRITE_BIT = 1
FD_OOB_BIT = 2
FD_ACCEPT_BIT = 3
FD_CONNECT_BIT = 4
FD_CLOSE_BIT = 5
FD_QOS_BIT = 6
FD_GROUP_QOS_BIT = 7
FD_ROUTING_INTERFACE_CHANGE_BIT = 8
FD_ADDRESS_LIST_CHANGE_BIT = 9
FD_MAX_EVENTS = 10

FD_READ = 1 << FD_READ_BIT
FD_WRITE = 1 << FD_WRITE_BIT
FD_OOB = 1 << FD_OOB_BIT
FD_ACCEPT = 1 << FD_ACCEPT_BIT
FD_CONNECT = 1 << FD_CONNECT_BIT
FD_CLOSE = 1 << FD_CLOSE_BIT
FD_QOS = 1 << FD_QOS_BIT
FD_GROUP_QOS = 1 << FD_GROUP_QOS_BIT
FD_ROUTING_INTERFACE_CHANGE = 1 << FD_ROUTING_INTERFACE_CHANGE_BIT
FD_ADDRESS_LIST_CHANGE = 1 << FD_ADDRESS_LIST_CHANGE_BIT
FD_ALL_EVENTS = (1 << FD_MAX_EVENTS) - 1

# --- Event objects (winsock2.h, winbase.h) ----------------------------------------------------
WSA_INVALID_EVENT = 0
WSA_MAXIMUM_WAIT_EVENTS = 64
WSA_INFINITE = 0xFFFFFFFF
WSA_WAIT_EVENT_0 = 0x00000000
WSA_WAIT_IO_COMPLETION = 0x000000C0
WSA_WAIT_TIMEOUT = 0x00000102
WSA_WAIT_FAILED = 0xFFFFFFFF

# --- QOS (qos.h) ------------------------------------------------------------------------------
QOS_NOT_SPECIFIED = 0xFFFFFFFF
SERVICETYPE_NOTRAFFIC = 0x00000000
SERVICETYPE_BESTEFFORT = 0x00000001
SERVICETYPE_CONTROLLEDLOAD = 0x00000002
SERVICETYPE_GUARANTEED = 0x00000003
SERVICETYPE_NETWORK_UNAVAILABLE = 0x00000004
SERVICETYPE_GENERAL_INFORMATION = 0x00000005
SERVICETYPE_NOCHANGE = 0x00000006
SERVICETYPE_NONCONFORMING = 0x00000009
SERVICETYPE_NETWORK_CONTROL = 0x0000000A
SERVICETYPE_QUALITATIVE = 0x0000000D
SERVICE_NO_TRAFFIC_CONTROL = 0x81000000
SERVICE_NO_QOS_SIGNALING = 0x40000000

# --- Window messages used with WSAAsyncSelect (winuser.h) -------------------------------------
WM_USER = 0x0400
