"""The memory estimate and the fit badge, for machines described by the test."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.models import fit
from app.core.models.fit import MachineProfile
from app.core.models.recommended import load_recommended

GB = 1000**3
MISTRAL = next(m for m in load_recommended() if m.id == "qwen2.5-coder-7b-instruct")  # a 7B, 4.7 GB
QWEN_05 = next(m for m in load_recommended() if m.id == "qwen2.5-0.5b-instruct")


def test_kv_cache_formula() -> None:
    # Mistral 7B at 4096 tokens: 2 * 32 layers * 4096 * 8 KV heads * 128 * 2 bytes = 512 MiB.
    assert fit.kv_cache_bytes(32, 4096, 8, 128) == 512 * 1024 * 1024


def test_a_small_model_fits_a_laptop() -> None:
    laptop = MachineProfile(ram_free_bytes=8 * GB)
    estimate = fit.estimate_for_recommended(QWEN_05, 4096, laptop)
    assert estimate.verdict == "fits"
    assert estimate.needed_bytes == estimate.weights_bytes + estimate.kv_cache_bytes + estimate.overhead_bytes
    assert estimate.weights_bytes == QWEN_05.size_bytes
    assert estimate.from_metadata


def test_a_7b_model_is_slow_when_memory_is_tight_and_wont_fit_in_less() -> None:
    assert fit.estimate_for_recommended(MISTRAL, 4096, MachineProfile(ram_free_bytes=16 * GB)).verdict == "fits"
    assert fit.estimate_for_recommended(MISTRAL, 4096, MachineProfile(ram_free_bytes=6 * GB)).verdict == "may_be_slow"
    assert fit.estimate_for_recommended(MISTRAL, 4096, MachineProfile(ram_free_bytes=4 * GB)).verdict == "wont_fit"


def test_a_gpu_that_holds_it_fits_and_a_small_gpu_splits_the_work() -> None:
    little_ram = 4 * GB
    big_gpu = MachineProfile(ram_free_bytes=little_ram, vram_free_bytes=12 * GB)
    small_gpu = MachineProfile(ram_free_bytes=little_ram, vram_free_bytes=3 * GB)
    tiny_gpu_and_ram = MachineProfile(ram_free_bytes=1 * GB, vram_free_bytes=1 * GB)
    assert fit.estimate_for_recommended(MISTRAL, 4096, big_gpu).verdict == "fits"
    assert fit.estimate_for_recommended(MISTRAL, 4096, small_gpu).verdict == "may_be_slow"
    assert fit.estimate_for_recommended(MISTRAL, 4096, tiny_gpu_and_ram).verdict == "wont_fit"


def test_a_longer_context_needs_more_memory() -> None:
    machine = MachineProfile(ram_free_bytes=16 * GB)
    short = fit.estimate_for_recommended(MISTRAL, 2048, machine)
    long = fit.estimate_for_recommended(MISTRAL, 32768, machine)
    assert long.kv_cache_bytes == 16 * short.kv_cache_bytes
    assert long.needed_bytes > short.needed_bytes
    # The model's own limit caps the context asked for.
    assert fit.estimate_for_recommended(MISTRAL, 10**6, machine).n_ctx == MISTRAL.context_length


def test_without_shape_metadata_the_estimate_uses_the_download_size() -> None:
    bare = replace(MISTRAL, n_layer=None, n_head_kv=None, head_dim=None)
    estimate = fit.estimate_for_recommended(bare, 4096, MachineProfile(ram_free_bytes=16 * GB))
    assert not estimate.from_metadata
    assert estimate.kv_cache_bytes > 0
    assert estimate.verdict == "fits"
    assert fit.estimate_for_download(40 * GB, 4096, MachineProfile(ram_free_bytes=16 * GB)).verdict == "wont_fit"


def test_free_ram_is_detected() -> None:
    machine = MachineProfile.detect(gpu_free_bytes=None)
    assert machine.ram_free_bytes > 0
    assert machine.vram_free_bytes is None
    assert MachineProfile.detect(gpu_free_bytes=5 * GB).vram_free_bytes == 5 * GB


def test_meminfo_is_parsed(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    8000000 kB\n")
    assert fit._meminfo_available(meminfo) == 8_000_000 * 1024
    meminfo.write_text("garbage\n")
    assert fit._meminfo_available(meminfo) is None


def test_context_must_be_positive() -> None:
    with pytest.raises(ValueError):
        fit.estimate_for_recommended(MISTRAL, 0, MachineProfile(ram_free_bytes=GB))
