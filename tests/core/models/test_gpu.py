"""Reading the llama.cpp build's GPU backends and free VRAM without loading llama.cpp."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.core.models import gpu


def test_a_cpu_only_build_counts_no_vram(tmp_path: Path) -> None:
    for name in ("libggml-base.so", "libggml-cpu.so", "libllama.so"):
        (tmp_path / name).write_bytes(b"")
    assert gpu.build_backends(tmp_path) == set()
    assert gpu.free_vram_bytes(set()) is None


def test_backends_are_read_from_the_shipped_libraries(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in ("libggml-base.so", "libggml-cpu.so", "libggml-cuda.so", "libllama.so"):
        (lib / name).write_bytes(b"")
    assert gpu.build_backends(tmp_path) == {"cuda"}


def test_free_vram_comes_from_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = tmp_path / "nvidia-smi"
    tool.write_text("#!/bin/sh\nprintf '1024\\n8000\\n'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert gpu.free_vram_bytes({"cuda"}) == 8000 * 1024 * 1024
    assert gpu.free_vram_bytes({"vulkan"}) is None  # no portable way to ask: treated as unknown
