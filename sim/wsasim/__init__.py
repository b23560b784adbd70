"""wsasim: a deterministic Winsock simulator with a virtual network and a virtual clock.

On it, Winsock's connection calls behave as Microsoft documents them (profile
``"documented"``) or as Windows 10/11 does (profile ``"windows"``), in virtual time: a 21 s
SYN timeout takes microseconds.

    net = wsasim.Network()
    client = net.add_host("client", ["192.0.2.10/24"])
    ws = client.winsock          # the low-level API of docs/api.md
"""

from wsasim._state import State
from wsasim.clock import Clock, ReentrantWait, Timer
from wsasim.default import default_network, reset_default_network
from wsasim.guard import RealNetworkBlocked
from wsasim.host import Host, Interface
from wsasim.network import Attempt, Deadlock, Network
from wsasim.profiles import DOCUMENTED, PROFILES, WINDOWS, Profile
from wsasim.pysocket import SimSocket
from wsasim.timing import TcpTiming
from wsasim.winsock import Winsock

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
    "SimSocket",
    "State",
    "TcpTiming",
    "Timer",
    "Winsock",
    "default_network",
    "reset_default_network",
]
