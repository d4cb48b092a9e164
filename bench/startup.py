"""Cold start to a visible window: the bundle (dist/Parley/parley) ÷ ``python -m app`` from source.

Each launch starts a fresh process on an X server (Xvfb, started here unless DISPLAY is set) and
is timed until a mapped top-level window named "Parley" appears (``xwininfo``), then ended. Each
variant gets its own data folder, opened once untimed first so that no launch pays for creating
the history. The two are alternated, which goes first swapping every round, 5 launches each; the
medians are compared. Also prints the bundle's size. Needs ``xvfb`` and ``x11-utils`` (apt-get).

    python bench/startup.py [--bundle dist/Parley/parley] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 120.0
POLL_S = 0.02


def window_shown(display: str) -> bool:
    result = subprocess.run(
        ["xwininfo", "-root", "-children"], env={**os.environ, "DISPLAY": display},
        capture_output=True, text=True, check=False,
    )
    return any('"Parley"' in line for line in result.stdout.splitlines())


def launch_seconds(command: list[str], home: Path, display: str) -> float:
    env = {**os.environ, "DISPLAY": display, "PARLEY_HOME": str(home), "QT_QPA_PLATFORM": "xcb"}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not window_shown(display):
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} ended before a window showed: {process.stderr.read()!r}")  # type: ignore[union-attr]
            if time.perf_counter() - started > TIMEOUT_S:
                raise RuntimeError(f"no window from {command[0]} in {TIMEOUT_S:.0f} s")
            time.sleep(POLL_S)
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        while window_shown(display):
            time.sleep(POLL_S)


def start_xvfb() -> tuple[subprocess.Popen[bytes] | None, str]:
    if os.environ.get("DISPLAY"):
        return None, os.environ["DISPLAY"]
    if shutil.which("Xvfb") is None or shutil.which("xwininfo") is None:
        sys.exit("needs Xvfb and xwininfo: apt-get install xvfb x11-utils")
    display = ":97"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return server, display


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "Parley" / "parley")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not args.bundle.is_file():
        sys.exit(f"no bundle at {args.bundle}: run make package first")
    variants = {"bundle": [str(args.bundle)], "source": [sys.executable, "-m", "app"]}
    server, display = start_xvfb()
    times: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory(prefix="parley-startup-") as scratch:
        homes = {name: Path(scratch) / name for name in variants}
        try:
            for name, command in variants.items():
                launch_seconds(command, homes[name], display)  # creates the history: not timed
            for round_number in range(args.rounds):
                order = list(variants) if round_number % 2 == 0 else list(reversed(variants))
                for name in order:
                    times[name].append(launch_seconds(variants[name], homes[name], display))
        finally:
            if server is not None:
                server.terminate()
                server.wait()
    medians = {name: statistics.median(values) for name, values in times.items()}
    size = folder_bytes(args.bundle.parent)
    print(f"bundle size: {size / 1024**2:.0f} MiB ({args.bundle.parent})")
    for name, values in times.items():
        print(f"{name:>6}: median {medians[name]:.2f} s to a visible window "
              f"(launches: {', '.join(f'{v:.2f}' for v in values)})")
    print(f"ratio bundle/source: {medians['bundle'] / medians['source']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
