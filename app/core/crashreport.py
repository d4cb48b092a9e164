"""Crash reports: one file per bug in the log folder (``crash-<time>.txt``) for the user to share; sent nowhere.

A report holds the traceback, the versions and a machine summary. The rule: nothing the user wrote:
nothing here reads the store, the settings or the log, frames carry no local variables, and an
exception's message is cut to ``MESSAGE_LIMIT`` characters.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import platform
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from app import version
from app.core import paths
from app.core.atomic import write_atomically
from app.core.models import fit, gpu

log = logging.getLogger("app.crash")

MESSAGE_LIMIT = 160
REPORT_PREFIX = "crash-"
CUT = "… [cut]"


def _cut(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + CUT


def format_traceback(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """The traceback as Python prints it, chained causes included, each exception's message cut."""
    lines: list[str] = []
    for part in traceback.TracebackException(exc_type, exc, tb, capture_locals=False).format():
        if part.startswith("  ") or part.startswith("Traceback") or not part.strip():
            lines.append(part)
            continue
        # An exception line ("ValueError: ...") or a chaining note between two tracebacks.
        head, sep, message = part.rstrip("\n").partition(": ")
        lines.append(f"{head}{sep}{_cut(message)}\n" if sep else part)
    return "".join(lines)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _gib(value: int | None) -> str:
    return f"{value / 1024**3:.1f} GiB" if value is not None else "unknown"


def system_summary(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Versions, the OS and the machine; ``extra`` adds what only the caller knows (the Qt version)."""
    backends = sorted(gpu.installed_backends())
    summary = {
        "Parley": f"{version.full_version()} ({'bundle' if paths.is_frozen() else 'source'})",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "llama.cpp": f"llama-cpp-python {_version('llama-cpp-python')}",
        "OS": platform.platform(),
        "CPU": f"{_cpu_name()}, {os.cpu_count() or '?'} logical cores",
        "Memory available": _gib(fit.available_ram_bytes()),
        "GPU": (
            f"llama.cpp built for {', '.join(backends)}; free GPU memory {_gib(gpu.free_vram_bytes())}"
            if backends
            else "none used (a CPU-only llama.cpp build)"
        ),
    }
    summary.update(extra or {})
    return summary


def build_report(traceback_text: str, extra: Mapping[str, str] | None = None, *, when: float | None = None) -> str:
    """The report's text: a header, the system summary, then the traceback."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(when))
    rows = system_summary(extra)
    width = max(len(key) for key in rows)
    lines = [
        "Parley crash report",
        f"Written {stamp}. It holds no conversation text and was sent nowhere.",
        "",
        *(f"{key.ljust(width)}  {value}" for key, value in rows.items()),
        "",
        traceback_text.rstrip("\n"),
        "",
    ]
    return "\n".join(lines)


def write_report(text: str, *, when: float | None = None) -> Path | None:
    """Writes ``text`` as a new report in the log folder; None when the folder refuses (logged)."""
    moment = time.time() if when is None else when
    name = f"{REPORT_PREFIX}{time.strftime('%Y%m%d-%H%M%S', time.localtime(moment))}-{os.getpid()}"
    try:
        folder = paths.log_dir()
        target = folder / f"{name}.txt"
        number = 1
        while target.exists():  # two crashes in one second keep both reports
            number += 1
            target = folder / f"{name}-{number}.txt"
        write_atomically(target, lambda handle: handle.write(text.encode("utf-8")))
    except OSError:
        log.exception("could not write the crash report")
        return None
    return target


def reports() -> list[Path]:
    """The reports in the log folder, oldest first."""
    try:
        return sorted(paths.log_dir().glob(f"{REPORT_PREFIX}*.txt"), key=lambda path: path.stat().st_mtime)
    except OSError:
        return []
