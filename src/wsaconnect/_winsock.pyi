"""Type stub of the compiled CFFI module ``wsaconnect._winsock`` (built by build_ffi.py).

cffi's ``ffi`` and ``lib`` are dynamic; their ``Any`` stays here, in one file. Only
:mod:`wsaconnect._native` imports this module; the names on ``lib`` are those declared in
``_winsock.cdef.h``.
"""

from typing import Any

ffi: Any
lib: Any
