"""``python -m wsaconnect``: see :mod:`wsaconnect.cli`."""

import sys

from wsaconnect.cli import main

sys.exit(main())
