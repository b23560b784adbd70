"""``python -m wsasim``: a short scenario on the simulator that prints what happened.

A dual-stack client connects with plain WSAConnect to a server whose IPv6 address is dead, then
to a port that refuses, then to the live IPv4 address, and prints each attempt with its
virtual times: a whole run of Windows' connect timing model (21 s timeout, 2 s refusal) in
milliseconds of wall time.
"""

from __future__ import annotations

import sys
import time

import wsasim
from wsaconnect import constants as C
from wsaconnect import errors as E


def main() -> int:
    """Run the scenario and print it. Returns the exit status."""
    started = time.perf_counter()
    net = wsasim.Network(profile="windows", latency=0.020)
    client = net.add_host("client", ["192.0.2.10/24", "2001:db8::10/64"])
    server = net.add_host("server", ["192.0.2.20/24", "2001:db8::20/64"])
    net.blackhole("2001:db8::20")  # the server's IPv6 address is dead
    ws, srv = client.winsock, server.winsock
    ws.WSAStartup(0x0202)
    srv.WSAStartup(0x0202)
    listener = srv.socket(C.AF_INET, C.SOCK_STREAM)
    srv.bind(listener, ("0.0.0.0", 443))
    srv.listen(listener, 16)

    print(f"{'t (s)':>8}  {'call':<42} result")
    for family, name in (
        (C.AF_INET6, ("2001:db8::20", 443, 0, 0)),
        (C.AF_INET, ("192.0.2.20", 80)),
        (C.AF_INET, ("192.0.2.20", 443)),
    ):
        s = ws.socket(family, C.SOCK_STREAM)
        before = net.now
        rc = ws.WSAConnect(s, name)
        result = "connected" if rc == 0 else E.name(ws.WSAGetLastError())
        call = f"WSAConnect({name[0]!s}, port {name[1]})"
        print(f"{before:8.3f}  {call:<42} {result} after {net.now - before:.3f} s")
        ws.closesocket(s)

    print("\nattempts recorded by the network:")
    for attempt in net.attempts:
        print(f"  {attempt}")
    wall = time.perf_counter() - started
    print(f"\n{net.now:.3f} virtual seconds in {wall * 1000:.1f} ms of wall time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
