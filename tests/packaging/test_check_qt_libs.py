"""`make run`'s check for the system libraries Qt's X11 plugin needs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-cursor.so.0 => not found
\tlibsomething-new.so.2 => not found
"""


def load() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "packaging" / "check_qt_libs.py"
    spec = importlib.util.spec_from_file_location("check_qt_libs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_libraries_are_named_with_their_packages() -> None:
    check = load()
    missing = check.missing_libraries(LDD_OUTPUT)
    assert missing == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libsomething-new.so.2"]
    assert check.debian_packages(missing) == ["libxcb-cursor0", "libxcb-icccm4", "libsomething-new.so.2"]


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
    assert "libxcb-cursor.so.0" in err and "sudo apt install libxcb-cursor0 libxcb-icccm4" in err


def test_the_installed_plugin_is_checked_for_real() -> None:
    check = load()
    if not sys.platform.startswith("linux"):
        pytest.skip("the xcb plugin is Linux's")
    assert check._plugin_files(), "PySide6's xcb plugin was not found where the check looks"
