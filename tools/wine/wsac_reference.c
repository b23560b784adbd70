/* wsac_reference.dll: a reference provider of WSAConnectByList, for the Wine test leg only.
 *
 * Wine 8's ws2_32.dll does not export WSAConnectByList (docs/wine.md). tools/wine/run-native-tests
 * cross-compiles this file with mingw-w64 and puts the DLL beside the test build of the
 * extension, which was built with WSAC_REFERENCE_PROVIDER and so loads it when ws2_32 lacks the
 * export. It is NOT Windows: it is Microsoft's WSAConnectByList document implemented over
 * Wine's own Winsock, with the preconditions in the order of the simulator
 * (sim/wsasim/by_list.py and sim/wsasim/winsock.py), because the conformance suite runs the
 * same tests on both. Release wheels and the sdist's default build never contain or load it.
 *
 * What it does, in order:
 *   1. s must be a socket (getsockopt SO_TYPE; else its error, WSAENOTSOCK).
 *   2. Reserved must be NULL: WSAEINVAL.
 *   3. s must be connection-oriented (SOCK_STREAM): WSAEINVAL.
 *   4. s must be unbound (getsockname fails on an unbound socket; a bound, listening,
 *      connecting or connected socket is bound): WSAEINVAL.
 *   5. SocketAddress must be a non-empty list: NULL or iAddressCount <= 0 is WSAEINVAL; an
 *      entry with a NULL lpSockaddr or a length shorter than its family's SOCKADDR is WSAEFAULT;
 *      an entry of another family than the socket's is WSAEAFNOSUPPORT.
 *   6. A non-NULL LocalAddress/RemoteAddress needs a length pointer whose value is at least the
 *      socket's SOCKADDR (16 or 28 bytes): else WSAEFAULT, before anything is sent, with the
 *      lengths left unchanged. A NULL address means its length is ignored (the document).
 *   7. The pairs: every remote address, in the caller's order, each with the source the stack
 *      chooses for it (connect on an unbound socket binds implicitly). This is the simpler
 *      faithful reading of "all the local computer's source addresses": on loopback-only test
 *      hosts there is one source per destination. There is no RFC 6724 sorting (the simulator
 *      sorts with wsaconnect.ordering; Windows with CreateSortedAddressPairs); on an AF_INET6
 *      socket with IPV6_V6ONLY on, IPv4-mapped destinations have no pair. No pair at all:
 *      WSAEHOSTUNREACH, no attempt made.
 *   8. One attempt at a time: a non-blocking connect, then select with writefds and exceptfds
 *      (exceptfds, or SO_ERROR, is a failure) and no select timeout: "an individual operation
 *      (connect) will not be interrupted once the timeout has been exceeded". The timeout is
 *      checked between attempts only (after a failed attempt that has a successor): once it
 *      has passed, WSAETIMEDOUT. The first attempt always starts.
 *   9. The result: TRUE with LocalAddress/RemoteAddress from getsockname/getpeername and their
 *      lengths set; or FALSE with the last attempt's code (WSASetLastError). The socket is set
 *      back to blocking mode in both cases (Winsock cannot read FIONBIO back, so a socket that
 *      was non-blocking before the call comes back blocking; the simulator leaves the mode).
 *
 * A failed attempt's implicit bind: on Windows the same socket is reused for the next pair and
 * binds afresh; the simulator releases the port. Winsock has no unbind, and the caller owns s,
 * so a fresh socket per attempt is not possible. Over Wine the Linux stack releases the
 * implicit port itself when a connect fails (the socket was not bound explicitly); Linux then
 * answers the first connect after an asynchronous failure with ECONNABORTED, which Wine reports
 * as WSAECONNABORTED (docs/wine.md), and that connect resets the socket to unconnected: the
 * attempt is then made again once. That retry is the nearest faithful thing to "binds afresh".
 *
 * Not modelled: "the socket s does not enable previously set properties or options until
 * SO_UPDATE_CONNECT_CONTEXT is set" (options stay as they were); WSACancelBlockingCall.
 *
 * Recording (for tests/native): when the environment variable WSAC_REFERENCE_RECORD names a
 * file, each call appends one line describing what it was passed, before any check:
 *   count=N addr=LEN:HEX,... llen=V|NULL laddr=SET|NULL rlen=V|NULL raddr=SET|NULL
 *   timeout=SEC.USEC|NULL reserved=SET|NULL
 * (an address list pointer that is NULL is count=NULL addr=).
 */

#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <stdio.h>
#include <string.h>

static int family_size(int family)
{
    return family == AF_INET6 ? (int)sizeof(struct sockaddr_in6)
                              : (int)sizeof(struct sockaddr_in);
}

static void record(const SOCKET_ADDRESS_LIST *list, const DWORD *llen, const void *laddr,
                   const DWORD *rlen, const void *raddr, const struct timeval *timeout,
                   const void *reserved)
{
    wchar_t path[MAX_PATH];
    DWORD n = GetEnvironmentVariableW(L"WSAC_REFERENCE_RECORD", path, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return;
    FILE *f = _wfopen(path, L"ab");
    if (f == NULL)
        return;
    if (list == NULL) {
        fputs("count=NULL addr=", f);
    } else {
        fprintf(f, "count=%d addr=", (int)list->iAddressCount);
        for (INT i = 0; i < list->iAddressCount; i++) {
            const SOCKET_ADDRESS *a = &list->Address[i];
            fprintf(f, "%s%d:", i ? "," : "", (int)a->iSockaddrLength);
            if (a->lpSockaddr != NULL)
                for (INT j = 0; j < a->iSockaddrLength; j++)
                    fprintf(f, "%02x", ((const unsigned char *)a->lpSockaddr)[j]);
        }
    }
    if (llen) fprintf(f, " llen=%lu", (unsigned long)*llen); else fputs(" llen=NULL", f);
    fputs(laddr ? " laddr=SET" : " laddr=NULL", f);
    if (rlen) fprintf(f, " rlen=%lu", (unsigned long)*rlen); else fputs(" rlen=NULL", f);
    fputs(raddr ? " raddr=SET" : " raddr=NULL", f);
    if (timeout)
        fprintf(f, " timeout=%ld.%06ld", (long)timeout->tv_sec, (long)timeout->tv_usec);
    else
        fputs(" timeout=NULL", f);
    fputs(reserved ? " reserved=SET\n" : " reserved=NULL\n", f);
    fclose(f);
}

static BOOL fail(int code)
{
    WSASetLastError(code);
    return FALSE;
}

static int is_v4_mapped(const struct sockaddr_in6 *a)
{
    static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(&a->sin6_addr, prefix, sizeof prefix) == 0;
}

/* One non-blocking connect and its completion: 0, or the attempt's error. */
static int attempt(SOCKET s, const struct sockaddr *name, int namelen, int after_failure)
{
    int rc = connect(s, name, namelen);
    int error = rc == 0 ? 0 : WSAGetLastError();
    if (error == WSAECONNABORTED && after_failure) {
        /* Linux (under Wine) reports the previous attempt's asynchronous failure to this
           connect and resets the socket: the attempt is made again once (header comment). */
        rc = connect(s, name, namelen);
        error = rc == 0 ? 0 : WSAGetLastError();
    }
    if (rc == 0)
        return 0;
    if (error != WSAEWOULDBLOCK)
        return error;
    fd_set writable, failed;
    FD_ZERO(&writable);
    FD_ZERO(&failed);
    FD_SET(s, &writable);
    FD_SET(s, &failed);
    if (select(0, NULL, &writable, &failed, NULL) == SOCKET_ERROR)
        return WSAGetLastError();
    int so_error = 0, size = (int)sizeof so_error;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&so_error, &size) == SOCKET_ERROR)
        return WSAGetLastError();
    if (so_error != 0)
        return so_error;
    return FD_ISSET(s, &failed) ? WSAECONNREFUSED : 0;
}

static void set_blocking(SOCKET s)
{
    u_long off = 0;
    ioctlsocket(s, FIONBIO, &off);
}

static int copy_name(SOCKET s, int peer, DWORD *length, struct sockaddr *out)
{
    SOCKADDR_STORAGE name;
    int size = (int)sizeof name;
    int rc = peer ? getpeername(s, (struct sockaddr *)&name, &size)
                  : getsockname(s, (struct sockaddr *)&name, &size);
    if (rc == SOCKET_ERROR)
        return WSAGetLastError();
    if (out == NULL)
        return 0;
    if ((DWORD)size > *length)
        return WSAEFAULT;
    memcpy(out, &name, (size_t)size);
    *length = (DWORD)size;
    return 0;
}

BOOL WSAAPI wsac_reference_connect_by_list(SOCKET s, PSOCKET_ADDRESS_LIST list,
                                           LPDWORD llen, LPSOCKADDR laddr, LPDWORD rlen,
                                           LPSOCKADDR raddr, const struct timeval *timeout,
                                           LPWSAOVERLAPPED reserved)
{
    record(list, llen, laddr, rlen, raddr, timeout, reserved);

    /* 1-4: the socket and Reserved. */
    int type = 0, size = (int)sizeof type;
    if (getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&type, &size) == SOCKET_ERROR)
        return fail(WSAGetLastError());
    if (reserved != NULL)
        return fail(WSAEINVAL);
    if (type != SOCK_STREAM)
        return fail(WSAEINVAL);
    WSAPROTOCOL_INFOW info;
    size = (int)sizeof info;
    if (getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&info, &size) == SOCKET_ERROR)
        return fail(WSAGetLastError());
    int family = info.iAddressFamily;
    SOCKADDR_STORAGE bound;
    size = (int)sizeof bound;
    if (getsockname(s, (struct sockaddr *)&bound, &size) == 0)
        return fail(WSAEINVAL); /* already bound: listening, connecting, connected or bound */

    /* 5: the address list. */
    if (list == NULL || list->iAddressCount <= 0)
        return fail(WSAEINVAL);
    for (INT i = 0; i < list->iAddressCount; i++) {
        const SOCKET_ADDRESS *a = &list->Address[i];
        if (a->lpSockaddr == NULL || a->iSockaddrLength < (INT)sizeof(u_short))
            return fail(WSAEFAULT);
        if (a->lpSockaddr->sa_family != family)
            return fail(WSAEAFNOSUPPORT);
        if (a->iSockaddrLength < family_size(family))
            return fail(WSAEFAULT);
    }

    /* 6: the lengths. */
    DWORD needed = (DWORD)family_size(family);
    if (laddr != NULL && (llen == NULL || *llen < needed))
        return fail(WSAEFAULT);
    if (raddr != NULL && (rlen == NULL || *rlen < needed))
        return fail(WSAEFAULT);

    /* 7: which destinations have a pair. */
    int v6only = 0;
    if (family == AF_INET6) {
        size = (int)sizeof v6only;
        if (getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (char *)&v6only, &size) == SOCKET_ERROR)
            v6only = 1; /* Windows' default */
    }

    /* 8: the attempts. */
    ULONGLONG start = GetTickCount64();
    ULONGLONG limit = 0;
    if (timeout != NULL) {
        LONGLONG ms = (LONGLONG)timeout->tv_sec * 1000 + timeout->tv_usec / 1000;
        limit = ms < 0 ? 0 : (ULONGLONG)ms;
    }
    u_long on = 1;
    if (ioctlsocket(s, FIONBIO, &on) == SOCKET_ERROR)
        return fail(WSAGetLastError());
    int error = WSAEHOSTUNREACH, tried = 0;
    for (INT i = 0; i < list->iAddressCount; i++) {
        const SOCKET_ADDRESS *a = &list->Address[i];
        if (family == AF_INET6 && v6only && is_v4_mapped((const struct sockaddr_in6 *)a->lpSockaddr))
            continue; /* no pair */
        if (tried && timeout != NULL && GetTickCount64() - start >= limit) {
            error = WSAETIMEDOUT;
            break;
        }
        error = attempt(s, a->lpSockaddr, family_size(family), tried > 0);
        tried++;
        if (error == 0)
            break;
        if (error == WSAENOTSOCK || error == WSAEINTR)
            break; /* closed by another thread, or cancelled */
    }
    set_blocking(s);

    /* 9: the result. */
    if (error != 0)
        return fail(error);
    error = copy_name(s, 0, llen, laddr);
    if (error == 0)
        error = copy_name(s, 1, rlen, raddr);
    if (error != 0)
        return fail(error);
    return TRUE;
}
