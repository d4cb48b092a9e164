"""The system libraries Qt's X11 plugin needs, checked before Qt is imported.

Without them Qt stops with a generic "could not load the Qt platform plugin "xcb"" (or an
``ImportError: libGL.so.1``) and no word of what is missing. This asks ``ldd`` which libraries the
xcb plugin (of the installed PySide6, or of the bundle) cannot find and names the Debian/Ubuntu
packages that provide them. ``make run`` runs it as a script (exit 1 when something is missing);
the bundle's entry (``parley_main.py``) imports it and, when something is missing, also shows a
desktop notification or a dialog. It imports nothing of Qt and nothing outside the standard library.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# The library files Qt's xcb plugin needs that a minimal system may lack, and their Debian package.
DEBIAN_PACKAGES = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)
# Arguments that mean no window opens: a command, --version, the self-test, a multiprocessing child.
NO_WINDOW_ARGUMENTS = frozenset({"--version", "-h", "--help", "--self-test", "--multiprocessing-fork", "-c"})
COMMANDS = frozenset({"ask", "models", "history", "personas", "serve"})
TITLE = "Parley cannot start"


def missing_libraries(ldd_output: str) -> list[str]:
    """The library files `ldd` says it could not find, in order, each once."""
    found: list[str] = []
    for name in _NOT_FOUND.findall(ldd_output):
        if name not in found:
            found.append(name)
    return found


def debian_packages(libraries: list[str]) -> list[str]:
    """The Debian/Ubuntu packages that provide the known ``libraries``, in order, each once."""
    packages: list[str] = []
    for name in libraries:
        package = DEBIAN_PACKAGES.get(name)
        if package is not None and package not in packages:
            packages.append(package)
    return packages


def unknown_libraries(libraries: list[str]) -> list[str]:
    """The ``libraries`` whose package the table does not know."""
    return [name for name in libraries if name not in DEBIAN_PACKAGES]


def message(libraries: list[str]) -> str:
    """What to tell the user: the missing files, then the apt command that installs them."""
    lines = ["Parley's window needs system libraries that are not installed: " + ", ".join(libraries) + "."]
    packages = debian_packages(libraries)
    if packages:
        lines.append("On Debian or Ubuntu: sudo apt install " + " ".join(packages))
    unknown = unknown_libraries(libraries)
    if unknown:
        lines.append("Find the package for the others with: apt-file search " + " ".join(unknown))
    return "\n".join(lines)


def _plugin_files() -> list[Path]:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:  # frozen: PyInstaller's layout
        root = Path(bundle)
        candidates = [root / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so", root / "libQt6XcbQpa.so.6"]
    else:
        spec = importlib.util.find_spec("PySide6")
        if spec is None or not spec.submodule_search_locations:
            return []
        qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
        candidates = [qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"]
    return [path for path in candidates if path.is_file()]


def _library_path() -> str:
    # Inside the bundle its own copies count as found, as they do when Qt loads the plugin there.
    bundle = getattr(sys, "_MEIPASS", None)
    folders = [bundle, str(Path(bundle) / "PySide6" / "Qt" / "lib")] if bundle else []
    return os.pathsep.join([*folders, *filter(None, [os.environ.get("LD_LIBRARY_PATH")])])


def applies() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return sys.platform.startswith("linux") and platform in ("", "xcb") and not os.environ.get("WAYLAND_DISPLAY")


def opens_the_window(arguments: list[str]) -> bool:
    """Whether a launch with ``arguments`` opens the window (a command or ``--version`` does not)."""
    if any(argument in NO_WINDOW_ARGUMENTS for argument in arguments):
        return False
    return not (arguments and arguments[0] in COMMANDS)


def find_missing() -> list[str]:
    """The library files the xcb plugin lacks here; empty when all is there or the check does not apply."""
    ldd = shutil.which("ldd")
    if not applies() or ldd is None:
        return []
    env = {**os.environ, "LD_LIBRARY_PATH": _library_path()}
    output = ""
    for path in _plugin_files():
        output += subprocess.run([ldd, str(path)], capture_output=True, text=True, check=False, env=env).stdout
    return missing_libraries(output)


def _dialogs(text: str) -> list[list[str]]:
    return [
        ["notify-send", "--urgency=critical", "--app-name=Parley", TITLE, text],
        ["zenity", "--error", "--no-wrap", f"--title={TITLE}", f"--text={text}"],
        ["kdialog", "--title", TITLE, "--error", text],
        ["xmessage", "-center", f"{TITLE}\n\n{text}"],
    ]


def show(text: str) -> str | None:
    """Shows ``text`` on the desktop with the first tool that works; the tool's name, or None."""
    if not any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")):
        return None
    for command in _dialogs(text):
        program = shutil.which(command[0])
        if program is None:
            continue
        try:
            done = subprocess.run([program, *command[1:]], capture_output=True, check=False, timeout=600)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return command[0]
    return None


def main() -> int:
    missing = find_missing()
    if not missing:
        return 0
    print(message(missing), file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
