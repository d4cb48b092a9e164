"""GPU offload planning: Auto's layer count, the step-down on memory failures, the load log's report,
and the capability sentence. No GPU is needed: figures and a loader are given."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.engine import gpu_plan
from app.core.engine.gpu_plan import MemoryLoadError
from app.core.engine.local import LocalEngine
from app.core.engine.protocol import (
    AUTO_GPU_LAYERS,
    MAX_GPU_LAYERS,
    NO_GPU_LAYERS,
    BackendDevice,
    ModelLoaded,
    ModelSpec,
)
from app.core.models import fit
from tests.core.engine_helpers import EventLog

GIB = 1024**3
# An 8B model at Q4_K_M: 4.9 GB of weights, 32 layers, 8 KV heads of 128.
SHAPE = {"weights_bytes": int(4.9e9), "n_layer": 32, "n_head_kv": 8, "head_dim": 128}


def test_auto_puts_every_layer_on_a_card_with_room_and_agrees_with_the_badge() -> None:
    layers = gpu_plan.auto_layers_for(**SHAPE, n_ctx=8192, vram_free_bytes=12 * GIB)
    assert layers == 32
    kv = fit.kv_cache_bytes(32, 8192, 8, 128)
    badge = fit.estimate(SHAPE["weights_bytes"], kv, 8192, fit.MachineProfile(16 * GIB, 12 * GIB))
    assert badge.verdict == "fits"


def test_auto_puts_part_of_the_model_on_a_small_card_and_the_badge_says_it_may_be_slow() -> None:
    layers = gpu_plan.auto_layers_for(**SHAPE, n_ctx=8192, vram_free_bytes=4 * GIB)
    # (4 GiB × 0.9 − 0.6 GB of buffers) ÷ (5.9 GB ÷ 32 layers) ≈ 17.
    assert 14 <= layers <= 19
    kv = fit.kv_cache_bytes(32, 8192, 8, 128)
    badge = fit.estimate(SHAPE["weights_bytes"], kv, 8192, fit.MachineProfile(16 * GIB, 4 * GIB))
    assert badge.verdict == "may_be_slow"


def test_a_longer_context_leaves_room_for_fewer_layers() -> None:
    short = gpu_plan.auto_layers_for(**SHAPE, n_ctx=4096, vram_free_bytes=4 * GIB)
    long = gpu_plan.auto_layers_for(**SHAPE, n_ctx=32768, vram_free_bytes=4 * GIB)
    assert long < short


def test_no_vram_or_a_cpu_build_means_no_layers() -> None:
    assert gpu_plan.auto_layers_for(**SHAPE, n_ctx=4096, vram_free_bytes=None) == 0
    assert gpu_plan.resolve_layers(AUTO_GPU_LAYERS, 32, 20, gpu_build=False) == 0
    assert gpu_plan.resolve_layers(AUTO_GPU_LAYERS, 32, 20, gpu_build=True) == 20
    assert gpu_plan.resolve_layers(0, 32, 20, gpu_build=True) == 0  # Off
    assert gpu_plan.resolve_layers(99, 32, 20, gpu_build=True) == 32  # a number, at most the model's layers


def test_a_load_that_runs_out_of_memory_steps_the_layers_down_then_the_context() -> None:
    tried: list[tuple[int, int]] = []

    def load(layers: int, n_ctx: int) -> str:
        tried.append((layers, n_ctx))
        if layers > 0 or n_ctx > 2048:
            raise MemoryLoadError("cudaMalloc failed: out of memory")
        return "loaded"

    planned = gpu_plan.load_with_step_down(load, 24, 8192)
    assert planned.loaded == "loaded"
    assert tried == [(24, 8192), (18, 8192), (12, 8192), (6, 8192), (0, 8192), (0, 4096), (0, 2048)]
    assert (planned.layers, planned.n_ctx) == (0, 2048)
    assert planned.failed == tuple(tried[:-1])
    text = gpu_plan.describe_offload(0, 33, 0, planned.failed, gpu_build=True)
    assert text.startswith("running on CPU: out of GPU memory at 6 layers")


def test_the_step_down_stops_at_the_first_load_that_fits() -> None:
    def load(layers: int, n_ctx: int) -> tuple[int, int]:
        if layers > 12:
            raise MemoryLoadError("ErrorOutOfDeviceMemory")
        return layers, n_ctx

    planned = gpu_plan.load_with_step_down(load, 24, 4096)
    assert planned.loaded == (12, 4096)
    assert planned.failed == ((24, 4096), (18, 4096))
    assert gpu_plan.describe_offload(12, 33, int(2.6e9), planned.failed, True) == (
        "12/33 layers on GPU · 2.6 GB VRAM (after 2 attempts ran out of memory)"
    )


def test_a_failure_that_is_not_memory_ends_the_plan_at_once() -> None:
    tried: list[int] = []

    def load(layers: int, n_ctx: int) -> None:
        tried.append(layers)
        raise ValueError("unknown model architecture: 'foo'")

    with pytest.raises(ValueError, match="architecture"):
        gpu_plan.load_with_step_down(load, 24, 4096)
    assert tried == [24]


def test_when_nothing_fits_the_last_memory_error_is_raised() -> None:
    def load(layers: int, n_ctx: int) -> None:
        raise MemoryLoadError(f"out of memory at {layers}/{n_ctx}")

    with pytest.raises(MemoryLoadError, match="0/1024"):
        gpu_plan.load_with_step_down(load, 8, 4096)


def test_memory_failures_are_told_from_other_load_errors() -> None:
    assert gpu_plan.is_memory_failure(["ggml_backend_cuda_buffer_type_alloc_buffer: allocating 5000.00 MiB on "
                                       "device 0: cudaMalloc failed: out of memory"])
    assert gpu_plan.is_memory_failure(["llama_init_from_model: failed to initialize the context"])
    assert not gpu_plan.is_memory_failure(["error loading model: unknown model architecture: 'foo'"])


def test_the_load_log_gives_the_layers_and_vram_really_used() -> None:
    lines = [
        "load_tensors: offloading 24 repeating layers to GPU",
        "load_tensors: offloaded 24/33 layers to GPU",
        "load_tensors:        CUDA0 model buffer size =  3600.00 MiB",
        "load_tensors:   CPU_Mapped model buffer size =  1300.00 MiB",
        "llama_kv_cache:      CUDA0 KV buffer size =   768.00 MiB",
        "llama_kv_cache:        CPU KV buffer size =   256.00 MiB",
        "sched_reserve:      CUDA0 compute buffer size =   500.00 MiB",
        "sched_reserve:  CUDA_Host compute buffer size =    24.00 MiB",
    ]
    on_gpu, total, vram = gpu_plan.parse_offload(lines)
    assert (on_gpu, total) == (24, 33)
    assert vram == (3600 + 768 + 500) * 1024 * 1024
    assert gpu_plan.describe_offload(on_gpu, total, vram, (), True) == "24/33 layers on GPU · 5.1 GB VRAM"


def test_a_cpu_only_build_log_reports_no_layers_on_the_gpu() -> None:
    lines = [f"load_tensors: layer {i:3d} assigned to device CPU, is_swa = 0" for i in range(31)]
    lines += ["load_tensors:          AMX model buffer size =    95.34 MiB",
              "load_tensors:   CPU_Mapped model buffer size =    92.10 MiB"]
    assert gpu_plan.parse_offload(lines) == (0, 31, 0)
    assert gpu_plan.describe_offload(0, 31, 0, (), gpu_build=False) == "running on CPU (CPU-only build)"


def test_the_sentence_for_a_cpu_only_build_on_a_machine_with_an_nvidia_gpu() -> None:
    cpu = BackendDevice("CPU", "Intel(R) Xeon(R)", "cpu", 8 * GIB, 16 * GIB)
    cap = gpu_plan.capability(["CPU"], [cpu], nvidia_present=True, platform="linux")
    assert not cap.gpu_build and cap.suggested_target == "gpu-cuda"
    assert gpu_plan.describe(cap) == "CPU-only build: to use your NVIDIA GPU, run `make gpu-cuda`."
    mac = gpu_plan.capability(["CPU"], [cpu], nvidia_present=False, platform="darwin")
    assert gpu_plan.describe(mac) == "CPU-only build: to use your Mac's GPU, run `make gpu-metal`."
    plain = gpu_plan.capability(["CPU"], [cpu], nvidia_present=False, platform="linux")
    assert gpu_plan.describe(plain).startswith("CPU-only build, and no GPU was found")


def test_the_sentence_for_a_cuda_build_names_the_devices_and_their_free_memory() -> None:
    devices = [BackendDevice("CUDA0", "NVIDIA GeForce RTX 4070", "gpu", int(10.5 * GIB), 12 * GIB),
               BackendDevice("CPU", "AMD Ryzen 7", "cpu", 20 * GIB, 32 * GIB)]
    cap = gpu_plan.capability(["CUDA", "CPU"], devices, nvidia_present=True)
    assert cap.gpu_build and cap.suggested_target is None
    assert gpu_plan.describe(cap) == "CUDA build: NVIDIA GeForce RTX 4070 (10.5 GB free)."


def test_the_engine_reports_where_the_layers_went_and_what_the_build_has(starter_model: Path) -> None:
    log = EventLog()
    engine = LocalEngine(log.put)
    try:
        engine.load(ModelSpec(str(starter_model), "starter", n_ctx=1024))
        loaded = log.wait_for(ModelLoaded, timeout=120)
    finally:
        engine.shutdown()
    report = loaded.offload
    assert report is not None
    assert report.layers_total == 31  # SmolLM2-135M: 30 blocks and the output layer
    assert "CPU" in loaded.backends and any(device.kind == "cpu" for device in loaded.devices)
    if not report.gpu_build:  # this machine's build: everything on the CPU, and said so
        assert (report.layers_on_gpu, report.vram_bytes, report.requested_layers) == (0, 0, 0)
        cap = gpu_plan.capability(loaded.backends, loaded.devices, nvidia_present=False, platform="linux")
        assert gpu_plan.describe(cap).startswith("CPU-only build")
    else:
        assert report.layers_on_gpu > 0 and report.vram_bytes > 0


def test_auto_reads_the_models_shape_from_its_header(starter_model: Path) -> None:
    spec = ModelSpec(str(starter_model), "starter", n_ctx=2048)
    roomy = [BackendDevice("CUDA0", "big card", "gpu", 24 * GIB, 24 * GIB)]
    assert gpu_plan.first_attempt(spec, True, lambda: roomy) == (30, 30)
    # 98 MB of weights and 45 MB of KV cache over 30 layers: a card with 400 MB free (less the
    # ~0.36 GB of buffers) takes only some of them.
    small = [BackendDevice("CUDA0", "small card", "gpu", 400 * 1024 * 1024, GIB)]
    layers, n_layer = gpu_plan.first_attempt(spec, True, lambda: small)
    assert 0 < layers < n_layer == 30
    assert gpu_plan.first_attempt(spec, False, lambda: roomy) == (0, 0)  # a CPU-only build asks for none
    off = ModelSpec(str(starter_model), "starter", n_ctx=2048, n_gpu_layers=0)
    assert gpu_plan.first_attempt(off, True, lambda: roomy)[0] == 0


def test_without_a_header_to_plan_with_every_layer_is_asked_for_unless_off(tmp_path: Path) -> None:
    odd = tmp_path / "odd.gguf"
    odd.write_bytes(b"not a gguf header")
    roomy = [BackendDevice("CUDA0", "big card", "gpu", 24 * GIB, 24 * GIB)]
    assert gpu_plan.first_attempt(ModelSpec(str(odd), "odd"), True, lambda: roomy) == (MAX_GPU_LAYERS, 0)
    off = ModelSpec(str(odd), "odd", n_gpu_layers=NO_GPU_LAYERS)
    assert gpu_plan.first_attempt(off, True, lambda: roomy) == (0, 0)


def test_gpu_layers_alone_need_no_reload_only_on_a_build_that_cannot_offload() -> None:
    loaded = ModelSpec("/models/a.gguf", "a", n_ctx=4096, n_gpu_layers=AUTO_GPU_LAYERS)
    off = ModelSpec("/models/a.gguf", "a", n_ctx=4096, n_gpu_layers=0)
    assert gpu_plan.same_load(loaded, off, gpu_build=False)
    assert not gpu_plan.same_load(loaded, off, gpu_build=True)
    assert gpu_plan.same_load(loaded, loaded, gpu_build=True)
    for other in (ModelSpec("/models/a.gguf", "a", n_ctx=2048, n_gpu_layers=0),
                  ModelSpec("/models/b.gguf", "a", n_ctx=4096, n_gpu_layers=0),
                  ModelSpec("/models/a.gguf", "a", n_ctx=4096, n_gpu_layers=0, kv_type="q8_0")):
        assert not gpu_plan.same_load(loaded, other, gpu_build=False)
