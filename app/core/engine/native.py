"""Native helpers for the worker that need llama.cpp's libraries but not the ``llama_cpp`` import.

The worker (the only module that imports llama_cpp) hands in what they work on: the ggml
library handle for the backend registry (its devices and their free memory), and the binding
module whose default model params a load uses (to turn off the CPU's extra buffer types where
they crash). Kept apart so that the worker stays about the token loop.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterator
from typing import Any

from app.core.engine.protocol import BackendDevice

_DEVICE_KINDS: dict[int, Any] = {0: "cpu", 1: "gpu", 2: "igpu", 3: "accel"}


def _has_amx() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            return any(line.startswith("flags") and "amx_int8" in line for line in handle)
    except OSError:
        return False


@contextlib.contextmanager
def without_extra_cpu_buffers(binding: Any) -> Iterator[None]:
    """On a CPU with AMX, loads without llama.cpp's extra CPU buffer types.

    Their AMX path crashes the process at the first decode on some Sapphire Rapids machines
    (https://github.com/ggml-org/llama.cpp/issues/20824, closed unfixed; seen here with the starter
    model). ``Llama`` has no argument for ``use_extra_bufts``, so its default params are swapped
    while it is built; this process builds one ``Llama`` at a time, on one thread.
    """
    if not _has_amx():
        yield
        return
    module = binding
    original = module.llama_model_default_params

    def params() -> Any:
        value = original()
        value.use_extra_bufts = False
        return value

    module.llama_model_default_params = params
    try:
        yield
    finally:
        module.llama_model_default_params = original


def _typed(lib: Any) -> Any:
    if not getattr(lib, "_parley_typed", False):
        lib.ggml_backend_dev_count.restype = ctypes.c_size_t
        lib.ggml_backend_dev_get.restype = ctypes.c_void_p
        lib.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
        for name in ("ggml_backend_dev_name", "ggml_backend_dev_description"):
            getattr(lib, name).restype = ctypes.c_char_p
            getattr(lib, name).argtypes = [ctypes.c_void_p]
        lib.ggml_backend_dev_type.restype = ctypes.c_int
        lib.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
        lib.ggml_backend_dev_memory.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_size_t),
            ctypes.POINTER(ctypes.c_size_t),
        ]
        lib.ggml_backend_reg_count.restype = ctypes.c_size_t
        lib.ggml_backend_reg_get.restype = ctypes.c_void_p
        lib.ggml_backend_reg_get.argtypes = [ctypes.c_size_t]
        lib.ggml_backend_reg_name.restype = ctypes.c_char_p
        lib.ggml_backend_reg_name.argtypes = [ctypes.c_void_p]
        lib._parley_typed = True
    return lib


def backend_devices(library: Any) -> tuple[BackendDevice, ...]:
    """The devices llama.cpp's backend registry sees, with their free memory now."""
    lib = _typed(library)
    devices = []
    for index in range(lib.ggml_backend_dev_count()):
        device = lib.ggml_backend_dev_get(index)
        free, total = ctypes.c_size_t(), ctypes.c_size_t()
        lib.ggml_backend_dev_memory(device, ctypes.byref(free), ctypes.byref(total))
        devices.append(
            BackendDevice(
                (lib.ggml_backend_dev_name(device) or b"").decode(errors="replace"),
                (lib.ggml_backend_dev_description(device) or b"").decode(errors="replace"),
                _DEVICE_KINDS.get(lib.ggml_backend_dev_type(device), "accel"),
                free.value,
                total.value,
            )
        )
    return tuple(devices)


def backend_names(library: Any) -> tuple[str, ...]:
    """The backends compiled in, e.g. ("CPU",) or ("CUDA", "CPU")."""
    lib = _typed(library)
    return tuple(
        (lib.ggml_backend_reg_name(lib.ggml_backend_reg_get(i)) or b"").decode(errors="replace")
        for i in range(lib.ggml_backend_reg_count())
    )
