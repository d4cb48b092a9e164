"""The bundle's entry point: the system check, then the same ``main`` as ``python -m app``.

Before anything imports Qt, a launch that opens the window checks the system libraries Qt's xcb
plugin needs (``check_qt_libs``, bundled beside this file). When one is missing, a double-click
would otherwise die without a word: the packages to install are then said on stderr, in the log
folder and, where a tool for it exists, in a desktop notification or a dialog; the exit code is 1.

``main`` calls ``multiprocessing.freeze_support()`` first, so the engine worker, started with spawn
from inside the bundle, runs the worker and not a second window.
"""

import logging
import sys

import check_qt_libs


def report_missing(libraries: list[str]) -> None:
    """Says what is missing on stderr, in the log folder and on the desktop."""
    from app.core import logs

    text = check_qt_libs.message(libraries)
    print(text, file=sys.stderr)
    target = logs.configure()
    logging.getLogger("app.launcher").error("%s", text.replace("\n", " "))
    if target is not None:
        print(f"(also written to {target})", file=sys.stderr)
    check_qt_libs.show(text)


def launch(arguments: list[str]) -> int:
    if check_qt_libs.opens_the_window(arguments):
        missing = check_qt_libs.find_missing()
        if missing:
            report_missing(missing)
            return 1
    from app.__main__ import main

    return main()


if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:]))
