"""packaging/parley-launcher.sh: the glibc check before the bundle starts, with a faked system glibc
(getconf and ldd stand-ins on PATH), and the one sentence it says when the system's is too old."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

LAUNCHER = Path(__file__).resolve().parents[2] / "packaging" / "parley-launcher.sh"


def bundle(tmp_path: Path, minimum: str | None) -> Path:
    """A bundle folder: the launcher, a `parley` that prints its arguments, the recorded minimum."""
    folder = tmp_path / "Parley"
    folder.mkdir()
    shutil.copy(LAUNCHER, folder / "parley-launcher")
    program = folder / "parley"
    program.write_text('#!/bin/sh\necho "parley ran: $*"\n')
    program.chmod(0o755)
    if minimum is not None:
        (folder / "glibc-minimum").write_text(minimum + "\n")
    return folder


def fake_tools(tmp_path: Path, getconf: str | None, ldd: str | None = None) -> Path:
    """A folder of stand-ins: getconf and ldd printing the given lines (failing when None), a notify-send
    that records its arguments in notified.txt."""
    tools = tmp_path / "bin"
    tools.mkdir()
    scripts = {
        "getconf": f'echo "{getconf}"' if getconf is not None else "exit 1",
        "ldd": f'echo "{ldd}"' if ldd is not None else "exit 1",
        "notify-send": f'echo "$*" > "{tmp_path}/notified.txt"',
    }
    for name, body in scripts.items():
        tool = tools / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(0o755)
    return tools


def launch(folder: Path, tools: Path, display: str = "") -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{tools}:/usr/bin:/bin", "DISPLAY": display, "HOME": str(folder)}
    return subprocess.run(
        [str(folder / "parley-launcher"), "--version", "two words"],
        capture_output=True, text=True, env=env, timeout=30, check=False,
    )


@pytest.mark.parametrize("system", ["2.28", "2.9", "1.99"])
def test_an_older_glibc_is_named_in_one_sentence_and_parley_is_not_started(tmp_path: Path, system: str) -> None:
    result = launch(bundle(tmp_path, "2.31"), fake_tools(tmp_path, f"glibc {system}"))

    assert result.returncode == 1
    assert "parley ran" not in result.stdout
    assert result.stderr.strip() == (
        f"Parley needs glibc 2.31 or newer and this system has glibc {system}: update the system "
        "or run Parley from source."
    )


@pytest.mark.parametrize("system", ["2.31", "2.36", "3.0"])
def test_the_minimum_or_newer_starts_parley_with_every_argument(tmp_path: Path, system: str) -> None:
    result = launch(bundle(tmp_path, "2.31"), fake_tools(tmp_path, f"glibc {system}"))

    assert result.returncode == 0, result.stderr
    assert result.stdout == "parley ran: --version two words\n"
    assert result.stderr == ""


def test_without_getconf_the_version_comes_from_ldd(tmp_path: Path) -> None:
    tools = fake_tools(tmp_path, None, ldd="ldd (Debian GLIBC 2.28-10+deb10u2) 2.28")
    result = launch(bundle(tmp_path, "2.31"), tools)

    assert result.returncode == 1
    assert "this system has glibc 2.28" in result.stderr


def test_no_recorded_minimum_or_an_unknown_libc_just_starts_parley(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    unrecorded = launch(bundle(tmp_path / "a", None), fake_tools(tmp_path / "a", "glibc 2.17"))
    musl = launch(bundle(tmp_path / "b", "2.31"), fake_tools(tmp_path / "b", None))

    assert unrecorded.stdout == musl.stdout == "parley ran: --version two words\n"


def test_a_desktop_session_also_gets_a_notification(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    result = launch(bundle(tmp_path / "a", "2.31"), fake_tools(tmp_path / "a", "glibc 2.28"), display=":0")

    assert result.returncode == 1
    notified = (tmp_path / "a" / "notified.txt").read_text()
    assert "Parley cannot start" in notified and "glibc 2.31 or newer" in notified


def test_started_through_a_link_it_finds_the_bundle_beside_its_target(tmp_path: Path) -> None:
    folder = bundle(tmp_path, "2.31")
    link = tmp_path / "parley-link"
    os.symlink(folder / "parley-launcher", link)
    env = {"PATH": f"{fake_tools(tmp_path, 'glibc 2.36')}:/usr/bin:/bin", "DISPLAY": ""}
    result = subprocess.run([str(link)], capture_output=True, text=True, env=env, timeout=30, check=False)

    assert result.stdout == "parley ran: \n"
