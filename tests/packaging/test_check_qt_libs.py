"""The check for the system libraries Qt's X11 plugin needs: `make run`'s and the bundle entry's."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-cursor.so.0 => not found
\tlibsomething-new.so.2 => not found
"""


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_qt_libs", PACKAGING / "check_qt_libs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_libraries_are_read_from_ldd_once_each() -> None:
    check = load()
    assert check.missing_libraries(LDD_OUTPUT) == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libsomething-new.so.2"]


@pytest.mark.parametrize(
    ("library", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb.so.1", "libxcb1"),
        ("libGL.so.1", "libgl1"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
        ("libEGL.so.1", "libegl1"),
        ("libfontconfig.so.1", "libfontconfig1"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
    ],
)
def test_each_library_is_named_by_its_debian_package(library: str, package: str) -> None:
    assert load().debian_packages([library]) == [package]


def test_one_package_is_named_once_and_an_unknown_library_never_reaches_apt() -> None:
    check = load()
    libraries = ["libglib-2.0.so.0", "libgthread-2.0.so.0", "libGL.so.1", "libsomething-new.so.2"]
    assert check.debian_packages(libraries) == ["libglib2.0-0", "libgl1"]
    text = check.message(libraries)
    apt = next(line for line in text.splitlines() if "apt install" in line)
    assert apt == "On Debian or Ubuntu: sudo apt install libglib2.0-0 libgl1"
    assert "apt-file search libsomething-new.so.2" in text
    assert "libGL.so.1" in text.splitlines()[0]


def test_the_check_says_what_is_missing_and_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    check = load()
    monkeypatch.setattr(check, "applies", lambda: True)
    monkeypatch.setattr(check, "_plugin_files", lambda: [Path("/plugin.so")])

    class Done:
        stdout = LDD_OUTPUT

    monkeypatch.setattr(check.subprocess, "run", lambda *args, **kwargs: Done())
    assert check.main() == 1
    err = capsys.readouterr().err
    assert "libxcb-cursor.so.0" in err and "sudo apt install libxcb-cursor0 libxcb-icccm4\n" in err


@pytest.mark.parametrize(
    ("arguments", "opens"),
    [
        ([], True),
        (["--version"], False),
        (["--self-test", "--model", "m.gguf"], False),
        (["models", "list"], False),
        (["ask", "hi"], False),
        (["--multiprocessing-fork", "tracker_fd=5"], False),
    ],
)
def test_only_a_launch_that_opens_the_window_is_checked(arguments: list[str], opens: bool) -> None:
    assert load().opens_the_window(arguments) is opens


def test_the_installed_plugin_is_checked_for_real() -> None:
    check = load()
    if not sys.platform.startswith("linux"):
        pytest.skip("the xcb plugin is Linux's")
    assert check._plugin_files(), "PySide6's xcb plugin was not found where the check looks"


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def test_the_bundle_entry_names_the_packages_everywhere_a_user_looks_before_qt_loads(
    tmp_path: Path, parley_home: Path
) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    # ldd as on a system without libGL and glib; notify-send records what the desktop would show.
    _tool(tools, "ldd", 'echo "\tlibGL.so.1 => not found"; echo "\tlibglib-2.0.so.0 => not found"\n')
    shown = tmp_path / "shown.txt"
    _tool(tools, "notify-send", f'printf "%s\\n" "$@" > "{shown}"\n')
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(PATH=f"{tools}{os.pathsep}{env['PATH']}", DISPLAY=":99", PARLEY_HOME=str(parley_home))
    env["PYTHONPATH"] = str(PACKAGING.parent)  # app/ as the bundle has it

    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(PACKAGING / "parley_main.py")],
        env=env, capture_output=True, text=True, timeout=120, cwd=PACKAGING.parent,
    )

    assert result.returncode == 1
    assert "sudo apt install libgl1 libglib2.0-0" in result.stderr
    assert "PySide6" not in result.stderr  # -X importtime lists every import: Qt was never loaded
    log = (parley_home / "logs" / "parley.log").read_text(encoding="utf-8")
    assert "ERROR app.launcher:" in log and "sudo apt install libgl1 libglib2.0-0" in log
    lines = shown.read_text(encoding="utf-8")
    assert "Parley cannot start" in lines and "libgl1 libglib2.0-0" in lines


def test_the_bundle_entry_starts_parley_when_nothing_is_missing(tmp_path: Path, parley_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "parley_main.py"), "--version"],
        env={**os.environ, "PARLEY_HOME": str(parley_home), "PYTHONPATH": str(PACKAGING.parent)},
        capture_output=True, text=True, timeout=120, cwd=PACKAGING.parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Parley ")
