"""The bundle's entry point: the same ``main`` as ``python -m app`` and the ``parley`` console script.

``main`` calls ``multiprocessing.freeze_support()`` first, so the engine worker, started with spawn
from inside the bundle, runs the worker and not a second window.
"""

import sys

from app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
