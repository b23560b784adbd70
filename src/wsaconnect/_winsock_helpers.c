/* wsaconnect._winsock: the C compiled around the declarations (CFFI out-of-line API mode).
 *
 * This file is not compiled on its own: build_ffi.py reads it and gives it to
 * FFI.set_source(), which puts it ahead of the code cffi generates, in one translation unit
 * (so the helpers are `static`). It owns Winsock's headers, the small `wsac_*` wrappers that
 * adapt pointer types (a SOCKADDR as `char *`, a HANDLE or HWND as an integer), the run-time
 * resolution of WSAConnectByList / WSAConnectByNameW / WSACancelBlockingCall, and the
 * message-only window for WSAAsyncSelect. The names Python sees are declared in
 * _winsock.cdef.h beside it; the Python behaviour is wsaconnect._native's.
 *
 * Portable C for MSVC (cibuildwheel) and mingw-w64 (tools/wine/run-native-tests).
 */

#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <mstcpip.h>
#include <windows.h>
#include <stdint.h>
#include <string.h>

/* Option values of the Windows SDK's ws2ipdef.h that mingw-w64's headers lack. Where the
   compiler's headers have them (MSVC), theirs are used, so the tests compare the SDK's. */
#ifndef TCP_KEEPALIVE
#define TCP_KEEPALIVE 3
#endif
#ifndef TCP_MAXSEG
#define TCP_MAXSEG 4
#endif
#ifndef TCP_MAXRT
#define TCP_MAXRT 5
#endif
#ifndef TCP_KEEPCNT
#define TCP_KEEPCNT 16
#endif
#ifndef TCP_KEEPIDLE
#define TCP_KEEPIDLE TCP_KEEPALIVE
#endif
#ifndef TCP_KEEPINTVL
#define TCP_KEEPINTVL 17
#endif
#ifndef TCP_FAIL_CONNECT_ON_ICMP_ERROR
#define TCP_FAIL_CONNECT_ON_ICMP_ERROR 18
#endif
#ifndef TCP_ICMP_ERROR_INFO
#define TCP_ICMP_ERROR_INFO 19
#endif

#define WSAC_SOCKADDR_IN_SIZE ((int)sizeof(struct sockaddr_in))
#define WSAC_SOCKADDR_IN6_SIZE ((int)sizeof(struct sockaddr_in6))
#define WSAC_SOCKADDR_STORAGE_SIZE ((int)sizeof(SOCKADDR_STORAGE))
#define WSAC_WSA_INVALID_EVENT ((uintptr_t)WSA_INVALID_EVENT)
#define WSAC_FD_SETSIZE FD_SETSIZE
#define WSAC_TCP_INITIAL_RTO_PARAMETERS_SIZE ((int)sizeof(TCP_INITIAL_RTO_PARAMETERS))

static int wsac_bind(SOCKET s, const char *name, int namelen)
{ return bind(s, (const struct sockaddr *)name, namelen); }

static int wsac_connect(SOCKET s, const char *name, int namelen)
{ return connect(s, (const struct sockaddr *)name, namelen); }

static SOCKET wsac_accept(SOCKET s, char *addr, int *addrlen)
{ return accept(s, (struct sockaddr *)addr, addrlen); }

static int wsac_getsockname(SOCKET s, char *name, int *namelen)
{ return getsockname(s, (struct sockaddr *)name, namelen); }

static int wsac_getpeername(SOCKET s, char *name, int *namelen)
{ return getpeername(s, (struct sockaddr *)name, namelen); }

static int wsac_WSAConnect(SOCKET s, const char *name, int namelen, WSABUF *caller,
                           WSABUF *callee, QOS *sqos, QOS *gqos)
{ return WSAConnect(s, (const struct sockaddr *)name, namelen, caller, callee, sqos, gqos); }

static int wsac_sendto(SOCKET s, const char *buf, int len, int flags, const char *to, int tolen)
{ return sendto(s, buf, len, flags, (const struct sockaddr *)to, tolen); }

static int wsac_recvfrom(SOCKET s, char *buf, int len, int flags, char *from, int *fromlen)
{ return recvfrom(s, buf, len, flags, (struct sockaddr *)from, fromlen); }

static int wsac_WSAIoctl(SOCKET s, DWORD code, char *in, DWORD in_size, char *out,
                         DWORD out_size, DWORD *bytes_returned)
{ return WSAIoctl(s, code, in, in_size, out, out_size, bytes_returned, NULL, NULL); }

/* Run-time resolution. A static import of WSAConnectByList loads under Wine 8, which does not
   export it, but calling it aborts the process (docs/wine.md): look it up instead. The
   cache is one pointer; a race resolves twice to the same value.

   WSAC_REFERENCE_PROVIDER is defined only by the Wine test build (build_ffi.py, when
   tools/wine/run-native-tests sets WSACONNECT_REFERENCE_PROVIDER=1), never in release wheels or
   the sdist's default build: then a name ws2_32 lacks is looked up in wsac_reference.dll, the
   reference provider of tools/wine/wsac_reference.c, loaded from the extension's directory. */
#ifdef WSAC_REFERENCE_PROVIDER
#include <wchar.h>

static HMODULE wsac_reference_module(void)
{
    static HMODULE module;
    HMODULE self = NULL;
    wchar_t path[MAX_PATH];
    DWORD n;
    wchar_t *slash;
    if (module != NULL)
        return module;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)(void *)wsac_reference_module, &self))
        return NULL;
    n = GetModuleFileNameW(self, path, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return NULL;
    slash = wcsrchr(path, L'\\');
    if (slash == NULL || (size_t)(slash - path) + 20 >= MAX_PATH)
        return NULL;
    wcscpy(slash + 1, L"wsac_reference.dll");
    module = LoadLibraryW(path);
    return module;
}
#endif

static FARPROC wsac_resolve(const char *name)
{
    HMODULE ws2 = GetModuleHandleW(L"ws2_32.dll");
    FARPROC p = ws2 == NULL ? NULL : GetProcAddress(ws2, name);
#ifdef WSAC_REFERENCE_PROVIDER
    if (p == NULL) {
        HMODULE reference = wsac_reference_module();
        p = reference == NULL ? NULL : GetProcAddress(reference, name);
    }
#endif
    return p;
}

static FARPROC wsac_cached(FARPROC *slot, const char *name)
{
    FARPROC p = *slot;
    if (p == NULL) {
        p = wsac_resolve(name);
        *slot = p;
    }
    return p;
}

static int wsac_has_export(const char *name) { return wsac_resolve(name) != NULL; }

typedef BOOL (WSAAPI *wsac_by_list_fn)(SOCKET, PSOCKET_ADDRESS_LIST, LPDWORD, LPSOCKADDR,
                                       LPDWORD, LPSOCKADDR, struct timeval *,
                                       LPWSAOVERLAPPED);
typedef BOOL (WSAAPI *wsac_by_name_fn)(SOCKET, LPWSTR, LPWSTR, LPDWORD, LPSOCKADDR, LPDWORD,
                                       LPSOCKADDR, struct timeval *, LPWSAOVERLAPPED);
typedef int (WSAAPI *wsac_cancel_fn)(void);
static FARPROC wsac_by_list_slot, wsac_by_name_slot, wsac_cancel_slot;

static BOOL wsac_WSAConnectByList(SOCKET s, SOCKET_ADDRESS_LIST *list, DWORD *llen,
                                  char *laddr, DWORD *rlen, char *raddr,
                                  struct timeval *timeout, void *reserved)
{
    FARPROC p = wsac_cached(&wsac_by_list_slot, "WSAConnectByList");
    if (p == NULL) {
        WSASetLastError(ERROR_PROC_NOT_FOUND);
        return FALSE;
    }
    return ((wsac_by_list_fn)(void (*)(void))p)(s, list, llen, (LPSOCKADDR)laddr, rlen,
                                               (LPSOCKADDR)raddr, timeout,
                                               (LPWSAOVERLAPPED)reserved);
}

static BOOL wsac_WSAConnectByNameW(SOCKET s, wchar_t *node, wchar_t *service, DWORD *llen,
                                   char *laddr, DWORD *rlen, char *raddr,
                                   struct timeval *timeout, void *reserved)
{
    FARPROC p = wsac_cached(&wsac_by_name_slot, "WSAConnectByNameW");
    if (p == NULL) {
        WSASetLastError(ERROR_PROC_NOT_FOUND);
        return FALSE;
    }
    return ((wsac_by_name_fn)(void (*)(void))p)(s, node, service, llen, (LPSOCKADDR)laddr,
                                               rlen, (LPSOCKADDR)raddr, timeout,
                                               (LPWSAOVERLAPPED)reserved);
}

static int wsac_WSACancelBlockingCall(void)
{
    FARPROC p = wsac_cached(&wsac_cancel_slot, "WSACancelBlockingCall");
    if (p == NULL) {
        WSASetLastError(ERROR_PROC_NOT_FOUND);
        return SOCKET_ERROR;
    }
    return ((wsac_cancel_fn)(void (*)(void))p)();
}

static uintptr_t wsac_WSACreateEvent(void) { return (uintptr_t)WSACreateEvent(); }
static BOOL wsac_WSACloseEvent(uintptr_t h) { return WSACloseEvent((WSAEVENT)h); }
static BOOL wsac_WSASetEvent(uintptr_t h) { return WSASetEvent((WSAEVENT)h); }
static BOOL wsac_WSAResetEvent(uintptr_t h) { return WSAResetEvent((WSAEVENT)h); }

static int wsac_WSAEventSelect(SOCKET s, uintptr_t h, long mask)
{ return WSAEventSelect(s, (WSAEVENT)h, mask); }

static DWORD wsac_WSAWaitForMultipleEvents(DWORD n, const uintptr_t *events, BOOL all,
                                           DWORD timeout, BOOL alertable)
{ return WSAWaitForMultipleEvents(n, (const WSAEVENT *)events, all, timeout, alertable); }

static int wsac_WSAEnumNetworkEvents(SOCKET s, uintptr_t h, WSANETWORKEVENTS *events)
{ return WSAEnumNetworkEvents(s, (WSAEVENT)h, events); }

static int wsac_WSAAsyncSelect(SOCKET s, uintptr_t hwnd, u_int msg, long mask)
{ return WSAAsyncSelect(s, (HWND)hwnd, msg, mask); }

static uintptr_t wsac_create_message_window(void)
{
    static const wchar_t cls[] = L"wsaconnect.MessageWindow";
    HINSTANCE inst = GetModuleHandleW(NULL);
    WNDCLASSEXW wc;
    memset(&wc, 0, sizeof wc);
    wc.cbSize = sizeof wc;
    wc.lpfnWndProc = DefWindowProcW;
    wc.hInstance = inst;
    wc.lpszClassName = cls;
    if (!RegisterClassExW(&wc) && GetLastError() != ERROR_CLASS_ALREADY_EXISTS)
        return 0;
    return (uintptr_t)CreateWindowExW(0, cls, L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, inst,
                                      NULL);
}

static BOOL wsac_destroy_window(uintptr_t hwnd) { return DestroyWindow((HWND)hwnd); }

static int wsac_peek_message(uintptr_t hwnd, u_int *message, uintptr_t *wparam,
                             intptr_t *lparam)
{
    MSG m;
    if (!PeekMessageW(&m, (HWND)hwnd, 0, 0, PM_REMOVE))
        return 0;
    *message = m.message;
    *wparam = (uintptr_t)m.wParam;
    *lparam = (intptr_t)m.lParam;
    return 1;
}
