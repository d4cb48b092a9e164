"""install_desktop.sh's updates: each build in its own folder, a `current` link switched in one step,
a running instance's version kept, older unused ones pruned, and uninstall leaving nothing behind."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "install_desktop.sh"

# Like PyInstaller's bootloader, the program finds its own folder through the resolved executable,
# keeps a file of it open, and reads its files again later (as the bundle reads its archive).
PROGRAM = """#!/bin/sh
here="$(dirname "$(readlink -f "$0")")"
case "$1" in
--version) echo "Parley {version}";;
--serve)
    exec 3< "$here/_internal/data.txt"
    echo ready
    while [ ! -e "$2" ]; do sleep 0.05; done
    cat "$here/_internal/data.txt" "$here/_internal/more/lib.txt";;
*) echo "parley {version} started";;
esac
"""


def make_bundle(root: Path, version: str) -> Path:
    """A stand-in for dist/Parley of ``version``: the program, a data file and a nested library."""
    folder = root / f"dist-{version}" / "Parley"
    (folder / "_internal" / "more").mkdir(parents=True)
    program = folder / "parley"
    program.write_text(PROGRAM.format(version=version))
    program.chmod(0o755)
    (folder / "_internal" / "data.txt").write_text(f"data of {version}\n")
    (folder / "_internal" / "more" / "lib.txt").write_text(f"library of {version}\n")
    return folder


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    tools = tmp_path / "tools"
    tools.mkdir()
    # A menu-cache tool that writes its cache as the real one does (it is not installed everywhere).
    fake = tools / "update-desktop-database"
    fake.write_text(
        '#!/bin/sh\nfor d; do case "$d" in -*) ;; *) echo "[MIME Cache]" > "$d/mimeinfo.cache";; esac; done\n'
    )
    fake.chmod(0o755)
    return {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "share"),
        "PARLEY_LIB_DIR": str(tmp_path / "lib" / "parley"),
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
    }


def install(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def lib(env: dict[str, str]) -> Path:
    return Path(env["PARLEY_LIB_DIR"])


def current(env: dict[str, str]) -> Path:
    return (lib(env) / "current").resolve()


def installed(env: dict[str, str]) -> list[str]:
    return sorted(path.name for path in (lib(env) / "versions").iterdir())


def files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_second_install_moves_the_link_and_leaves_the_first_versions_files_intact(
    tmp_path: Path, env: dict[str, str]
) -> None:
    first = make_bundle(tmp_path, "1.0")
    install(env, str(first))
    one = current(env)
    assert one.parent == lib(env) / "versions" and one.name.startswith("1.0-")
    assert os.readlink(lib(env) / "current") == f"versions/{one.name}"  # relative: the folder can move
    before = files(one)
    # The bundle's files and the launcher the entry starts it through (packaging/parley-launcher.sh).
    assert before == files(first) | {"parley-launcher": (SCRIPT.parent / "parley-launcher.sh").read_bytes()}

    install(env, str(make_bundle(tmp_path, "2.0")))

    two = current(env)
    assert two.name.startswith("2.0-") and two != one
    assert files(one) == before  # the running version's folder is untouched
    assert installed(env) == sorted([one.name, two.name])
    entry = (Path(env["XDG_DATA_HOME"]) / "applications" / "parley.desktop").read_text()
    assert f'Exec="{lib(env) / "current" / "parley-launcher"}"' in entry
    started = subprocess.run([str(lib(env) / "current" / "parley")], capture_output=True, text=True, check=True)
    assert started.stdout == "parley 2.0 started\n"


def test_the_same_build_installed_again_keeps_its_folder(tmp_path: Path, env: dict[str, str]) -> None:
    bundle = make_bundle(tmp_path, "1.0")
    install(env, str(bundle))
    install(env, str(bundle))
    assert installed(env) == [current(env).name]


def test_older_versions_are_pruned_but_the_previous_one_stays(tmp_path: Path, env: dict[str, str]) -> None:
    for version in ("1.0", "2.0", "3.0"):
        install(env, str(make_bundle(tmp_path, version)))
    names = installed(env)
    assert [name.split("-")[0] for name in names] == ["2.0", "3.0"]


def test_a_running_instance_keeps_working_through_two_updates(tmp_path: Path, env: dict[str, str]) -> None:
    install(env, str(make_bundle(tmp_path, "1.0")))
    first = current(env)
    stop = tmp_path / "stop"
    running = subprocess.Popen(
        [str(lib(env) / "current" / "parley"), "--serve", str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert running.stdout is not None and running.stdout.readline() == "ready\n"
        install(env, str(make_bundle(tmp_path, "2.0")))
        # 1.0 is neither current nor the previous version now, but the running instance holds it.
        third = install(env, str(make_bundle(tmp_path, "3.0")))
        assert f"kept {first}" in third.stdout
        assert first.is_dir()
        stop.touch()
        out, _ = running.communicate(timeout=30)
    finally:
        running.kill()
        running.wait()
    assert running.returncode == 0
    assert out == "data of 1.0\nlibrary of 1.0\n"  # the files it started with, read after the updates

    install(env, str(make_bundle(tmp_path, "4.0")))  # nothing uses 1.0 any more
    deadline = time.monotonic() + 5
    while first.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not first.exists()
    assert [name.split("-")[0] for name in installed(env)] == ["3.0", "4.0"]


def test_uninstall_removes_every_version_and_the_caches_the_install_made(
    tmp_path: Path, env: dict[str, str]
) -> None:
    install(env, str(make_bundle(tmp_path, "1.0")))
    install(env, str(make_bundle(tmp_path, "2.0")))
    data = Path(env["XDG_DATA_HOME"])
    assert (data / "applications" / "mimeinfo.cache").is_file()

    install(env, "--uninstall")

    assert not lib(env).exists()
    assert not (data / "applications" / "parley.desktop").exists()
    assert not (data / "applications" / "mimeinfo.cache").exists()
    assert not (data / "icons").exists()


def test_uninstall_keeps_what_was_there_before(tmp_path: Path, env: dict[str, str]) -> None:
    data = Path(env["XDG_DATA_HOME"])
    (data / "applications").mkdir(parents=True)
    (data / "applications" / "other.desktop").write_text("[Desktop Entry]\nName=Other\n")
    (data / "applications" / "mimeinfo.cache").write_text("[MIME Cache]\n")
    theirs = data / "icons" / "hicolor" / "48x48" / "apps" / "other.png"
    theirs.parent.mkdir(parents=True)
    theirs.write_bytes(b"png")

    install(env, str(make_bundle(tmp_path, "1.0")))
    install(env, "--uninstall")

    assert (data / "applications" / "other.desktop").is_file()
    assert (data / "applications" / "mimeinfo.cache").is_file()  # not Parley's: refreshed, not removed
    assert theirs.is_file()
    assert not list((data / "icons").rglob("parley.*"))
    assert not (data / "icons" / "hicolor" / "16x16").exists()
