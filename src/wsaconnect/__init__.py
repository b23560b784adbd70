"""wsaconnect: Winsock's connection-establishment calls for Python, on Windows and on a simulator.

The public names, and nothing else. See README.md.
"""

from wsaconnect import constants, errors
from wsaconnect.addresses import AddressTuple, SockAddr
from wsaconnect.api import (
    Connection,
    connect,
    connect_by_list,
    connect_by_name,
    create_connection,
    staggered_connect,
)
from wsaconnect.backend import (
    Backend,
    BackendUnavailable,
    current_backend,
    get_backend,
    native_backend,
    use_backend,
)
from wsaconnect.errors import WinsockError, WSAError, error_class, raise_for_code
from wsaconnect.ordering import address_pairs
from wsaconnect.structures import FLOWSPEC, QOS, WSABUF

__version__ = "0.1.0"

__all__ = [
    "FLOWSPEC",
    "QOS",
    "WSABUF",
    "AddressTuple",
    "Backend",
    "BackendUnavailable",
    "Connection",
    "SockAddr",
    "WSAError",
    "WinsockError",
    "__version__",
    "address_pairs",
    "connect",
    "connect_by_list",
    "connect_by_name",
    "constants",
    "create_connection",
    "current_backend",
    "error_class",
    "errors",
    "get_backend",
    "native_backend",
    "raise_for_code",
    "staggered_connect",
    "use_backend",
]
