"""Desktop integration: install-desktop's launcher, icons and bundle, uninstall, and the AppImage recipe's AppDir."""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
SIZES = ("16x16", "24x24", "32x32", "48x48", "64x64", "128x128", "256x256", "512x512")


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A stand-in for dist/Parley: a ``parley`` program that says how it was started."""
    folder = tmp_path / "dist" / "Parley"
    folder.mkdir(parents=True)
    program = folder / "parley"
    program.write_text('#!/bin/sh\necho "parley started with: $*"\n')
    program.chmod(0o755)
    return folder


def _run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PACKAGING / script), *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_install_desktop_puts_parley_in_the_menu_and_uninstall_takes_it_out(bundle: Path, tmp_path: Path) -> None:
    data, lib = tmp_path / "share", tmp_path / "lib" / "parley"
    env = {"XDG_DATA_HOME": str(data), "PARLEY_LIB_DIR": str(lib)}

    result = _run("install_desktop.sh", str(bundle), env=env)

    assert result.returncode == 0, result.stderr
    entry = _desktop_entry(data / "applications" / "parley.desktop")
    program = lib / "current" / "parley-launcher"  # checks the system's glibc, then starts parley
    assert entry["Exec"] == f'"{program}"' and entry["TryExec"] == str(lib / "current" / "parley")
    assert entry["Icon"] == "parley" and entry["Terminal"] == "false" and entry["Type"] == "Application"
    started = subprocess.run([str(program)], capture_output=True, text=True, check=True)
    assert started.stdout.startswith("parley started")  # what a double-click on the entry runs
    for size in SIZES:
        assert (data / "icons" / "hicolor" / size / "apps" / "parley.png").is_file(), size
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "parley.svg").is_file()

    removed = _run("install_desktop.sh", "--uninstall", env=env)
    assert removed.returncode == 0, removed.stderr
    assert not (data / "applications" / "parley.desktop").exists() and not lib.exists()
    # Nothing of Parley's is left: no icon, no cache the install made, no emptied icon folder.
    assert not (data / "icons").exists()
    assert not (data / "applications" / "mimeinfo.cache").exists()


def test_install_desktop_without_a_bundle_says_what_to_do(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "share"), "PARLEY_LIB_DIR": str(tmp_path / "lib")}
    result = _run("install_desktop.sh", str(tmp_path / "nothing"), env=env)
    assert result.returncode == 2 and "make package" in result.stderr
    assert not (tmp_path / "share" / "applications" / "parley.desktop").exists()


def test_the_appimage_recipe_lays_out_an_appdir_that_starts_parley(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = _run("appimage.sh", str(bundle), str(out), env={"PATH": "/usr/bin:/bin", "APPIMAGETOOL": ""})

    assert result.returncode == 0, result.stderr
    appdir = out / "Parley.AppDir"
    assert _desktop_entry(appdir / "parley.desktop")["Icon"] == "parley"
    assert (appdir / "parley.png").is_file() and (appdir / ".DirIcon").resolve() == appdir / "parley.png"
    started = subprocess.run([str(appdir / "AppRun"), "--self-test"], capture_output=True, text=True, check=True)
    assert started.stdout.strip() == "parley started with: --self-test"
    if "no appimagetool" in result.stdout:  # not installable from the registries here: said, not hidden
        assert not list(out.glob("*.AppImage"))


def test_make_desktop_installs_every_icon_size_and_uninstall_takes_it_out(tmp_path: Path) -> None:
    data, lib = tmp_path / "share", tmp_path / "lib" / "parley"
    env = {"XDG_DATA_HOME": str(data), "PARLEY_LIB_DIR": str(lib)}
    # -o: the virtualenv counts as set up, so make only writes the launcher and the icons.
    made = subprocess.run(
        ["make", "-s", "-o", ".venv/.parley-installed", "desktop"],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )

    assert made.returncode == 0, made.stderr
    entry = _desktop_entry(data / "applications" / "parley.desktop")
    assert entry["Exec"].endswith("/.venv/bin/parley") and entry["Icon"] == "parley"
    from app.ui.common.icons import ICON_SIZES

    for size in ICON_SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "parley.png").is_file(), size
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "parley.svg").is_file()

    removed = _run("install_desktop.sh", "--uninstall", env=env)  # make uninstall-desktop-source
    assert removed.returncode == 0, removed.stderr
    assert not (data / "applications" / "parley.desktop").exists() and not (data / "icons").exists()
