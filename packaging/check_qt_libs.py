"""Before `make run` opens the window on Linux: names the system libraries Qt's X11 plugin lacks.

Without them Qt stops with a generic "could not load the Qt platform plugin "xcb"" and no word of
what is missing. This asks `ldd` which libraries the installed PySide6's xcb plugin cannot find and
prints them with the Debian/Ubuntu packages that provide them; exit code 1 then, 0 when all is
there (or the check does not apply: another system, another Qt platform, no `ldd`).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# The library files Qt's xcb plugin needs that a minimal desktop may lack, and their Debian package.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


def missing_libraries(ldd_output: str) -> list[str]:
    """The library files `ldd` says it could not find, in order, each once."""
    found: list[str] = []
    for name in _NOT_FOUND.findall(ldd_output):
        if name not in found:
            found.append(name)
    return found


def debian_packages(libraries: list[str]) -> list[str]:
    """The Debian/Ubuntu packages that provide ``libraries`` (a library not in the table is named as it is)."""
    return [DEBIAN_PACKAGES.get(name, name) for name in libraries]


def _plugin_files() -> list[Path]:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    candidates = [qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"]
    return [path for path in candidates if path.is_file()]


def applies() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return sys.platform.startswith("linux") and platform in ("", "xcb") and not os.environ.get("WAYLAND_DISPLAY")


def main() -> int:
    ldd = shutil.which("ldd")
    if not applies() or ldd is None:
        return 0
    output = ""
    for path in _plugin_files():
        output += subprocess.run([ldd, str(path)], capture_output=True, text=True, check=False).stdout
    missing = missing_libraries(output)
    if not missing:
        return 0
    print("Parley's window needs system libraries that are not installed:", ", ".join(missing), file=sys.stderr)
    print("On Debian or Ubuntu: sudo apt install " + " ".join(debian_packages(missing)), file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
