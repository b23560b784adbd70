"""wsasim: a deterministic Winsock simulator with a virtual network and a virtual clock.

On it, Winsock's connection calls behave as Microsoft documents them (profile
``"documented"``) or as Windows 10/11 does (profile ``"windows"``), in virtual time: a 21 s
SYN timeout takes microseconds.

    net = wsasim.Network()
    client = net.add_host("client", ["192.0.2.10/24"])
    ws = client.winsock          # the low-level API of docs/api.md

``wsasim.Server`` (what ``host.serve`` returns), ``wsasim.new_event_loop(host)`` and
``wsasim.run(coro, host)`` (asyncio on the virtual clock: docs/asyncio.md) are imported on first
use: they bring asyncio in.
"""

from typing import TYPE_CHECKING

from wsasim._state import State
from wsasim.clock import Clock, ReentrantWait, Timer
from wsasim.default import default_network, reset_default_network
from wsasim.guard import RealNetworkBlocked
from wsasim.host import Host, Interface
from wsasim.network import Attempt, Deadlock, Network
from wsasim.patch import patch
from wsasim.profiles import DOCUMENTED, PROFILES, WINDOWS, Profile
from wsasim.pysocket import SimSocket
from wsasim.timing import TcpTiming
from wsasim.winsock import Winsock

if TYPE_CHECKING:
    from wsasim.loop import new_event_loop, run
    from wsasim.serve import Server

__all__ = [
    "DOCUMENTED",
    "PROFILES",
    "WINDOWS",
    "Attempt",
    "Clock",
    "Deadlock",
    "Host",
    "Interface",
    "Network",
    "Profile",
    "RealNetworkBlocked",
    "ReentrantWait",
    "Server",
    "SimSocket",
    "State",
    "TcpTiming",
    "Timer",
    "Winsock",
    "default_network",
    "new_event_loop",
    "patch",
    "reset_default_network",
    "run",
]


def __getattr__(name: str) -> object:
    """``wsasim.Server``, ``wsasim.new_event_loop`` and ``wsasim.run``, imported when first
    asked for (PEP 562)."""
    if name == "Server":
        from wsasim.serve import Server

        return Server
    if name in ("new_event_loop", "run"):
        from wsasim import loop

        return getattr(loop, name)
    raise AttributeError(f"module 'wsasim' has no attribute {name!r}")
