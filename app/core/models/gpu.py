"""What GPU help this installation of llama.cpp can give, found without loading llama.cpp.

The GUI process never imports llama_cpp, so it reads the build from the backend libraries the
package ships (``libggml-cuda``, ``-vulkan``, ``-metal``, ``-hip``) and asks the NVIDIA driver's
own tool for free memory. When a model loads, the engine's ``ModelLoaded.gpu_offload`` is the
final word on whether a GPU was really used.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

BACKENDS = ("cuda", "vulkan", "metal", "hip", "sycl")
PROBE_SECONDS = 2.0


def _llama_cpp_folder() -> Path | None:
    spec = importlib.util.find_spec("llama_cpp")  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def build_backends(folder: Path | None = None) -> set[str]:
    """The GPU backends the installed llama.cpp was built with (empty: CPU only)."""
    folder = folder or _llama_cpp_folder()
    if folder is None:
        return set()
    found: set[str] = set()
    for library in folder.rglob("*ggml-*"):
        match = re.search(r"ggml-([a-z]+)", library.name)
        if match and match.group(1) in BACKENDS:
            found.add(match.group(1))
    return found


def nvidia_free_vram_bytes() -> int | None:
    """Free memory of the roomiest NVIDIA GPU, from nvidia-smi; None when there is no answer."""
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return None
    try:
        result = subprocess.run(
            [tool, "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=PROBE_SECONDS,
            check=True,
        )
        values = [int(line.strip()) for line in result.stdout.splitlines() if line.strip()]
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return max(values) * 1024 * 1024 if values else None


@functools.cache
def installed_backends() -> frozenset[str]:
    """``build_backends()`` of the installed package, read once: it does not change while Parley runs."""
    return frozenset(build_backends())


def free_vram_bytes(backends: set[str] | frozenset[str] | None = None) -> int | None:
    """Free GPU memory that llama.cpp could use here; None on a CPU-only build or when unknown."""
    backends = installed_backends() if backends is None else backends
    if "cuda" in backends:
        return nvidia_free_vram_bytes()
    return None
