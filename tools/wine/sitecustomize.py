"""Installed as ``sitecustomize.py`` into the Windows CPython that tools/wine/run-native-tests runs.

It makes the cross-compiled extension, which the script builds outside the repository (the
source tree stays free of generated files), importable as ``wsaconnect._winsock``, a submodule
of the repository's own ``src/wsaconnect`` package. The module is looked up beside the
interpreter, in ``wsaconnect-ext\\_winsock.pyd``. Nothing else is changed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from types import ModuleType

_PYD = os.path.join(os.path.dirname(sys.executable), "wsaconnect-ext", "_winsock.pyd")


class _ExtensionFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "wsaconnect._winsock" or not os.path.exists(_PYD):
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, _PYD)
        return importlib.util.spec_from_file_location(fullname, _PYD, loader=loader)


sys.meta_path.insert(0, _ExtensionFinder())
