"""The starter re-packed into a second, larger GGUF with llama.cpp's own quantizer (for the speed tests and bench).

A helper of the tests and the bench only: the app imports ``llama_cpp`` in its engine process alone, and this
runs in a child process of its own too (``tests.in_child``).
"""

from __future__ import annotations

import ctypes
from pathlib import Path

from tests.in_child import in_child


def requantize(source: Path, target: Path, file_type: str = "F16") -> Path:
    """``source`` written again as ``target`` in ``file_type`` ("F16", "Q8_0", "Q4_0", "F32"); returns ``target``."""
    return in_child(_requantize, source, target, file_type)


def _requantize(source: Path, target: Path, file_type: str) -> Path:
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = {
        "F16": llama_cpp.LLAMA_FTYPE_MOSTLY_F16,
        "Q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0,
        "Q4_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0,
        "F32": llama_cpp.LLAMA_FTYPE_ALL_F32,
    }[file_type]
    params.allow_requantize = True  # the starter is already quantized (Q4_1)
    if llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), ctypes.byref(params)) != 0:
        raise RuntimeError(f"llama_model_quantize could not write {target}")
    return target
