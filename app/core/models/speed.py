"""How fast a model will answer here: a decode measurement on this computer, scaled by bytes per token.

Decoding one token reads every weight it uses once, so on a CPU its time is mostly memory traffic:
``seconds per token ≈ fixed + bytes read per token / bandwidth``. One measurement of the engine's
own decode speed (llama.cpp's timings, taken in the engine process for a real answer, on the
starter or on whatever model was loaded) gives both terms through ``FIXED_SHARE``; a model's bytes
per token are its file size times the share of its weights one token reads (a mixture of experts
reads only its active experts). Layers that go to a GPU are read at ``GPU_BANDWIDTH_CLASS`` times
the CPU's bandwidth. The result is an estimate and is always labelled as one.

The latest measurement is cached in ``decode_speed.json`` under the data folder; every answer the
engine finishes on a local model refreshes it (``record``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app.core import paths
from app.core.models.recommended import RecommendedModel

log = logging.getLogger(__name__)

CACHE_FILE = "decode_speed.json"
COMFORTABLE_TOKENS_PER_SECOND = 8.0  # the main button's floor: slower answers feel like waiting
# The share of the measured model's time per token that does not grow with its size (sampling, the
# graph, thread hand-offs). bench/speed_estimate.py measures the starter (Q4_1, 98 MB) against its
# F16 re-pack (271 MB, 2.75x the bytes): on a 2-core machine the F16 decoded 1.07x slower idle and
# 1.0x to 1.5x slower while the machine was shared, so at 135M parameters memory traffic hardly sets
# the pace; models of gigabytes are memory-bound. 0.5 is therefore an assumption between the two,
# not a fit: a second measured model (any answer on it) is what would pin it (not done yet).
FIXED_SHARE = 0.5
# A GPU reads its memory this many times faster than a desktop CPU (coarse: ~400 GB/s against ~50).
GPU_BANDWIDTH_CLASS = 8.0
# Before this computer has answered once: the starter (SmolLM2-135M Q4_1, 98 MB) decodes at about 50
# tokens/s per core, up to 8 cores (the bench's figure: about 100 tokens/s on two cores).
STARTER_BYTES = 98_362_432
ASSUMED_TOKENS_PER_SECOND_PER_CORE = 50.0
MIN_DECODED_TOKENS = 16  # fewer tokens measure the first decodes' warm-up, not the steady speed
_lock = threading.Lock()


@dataclass(frozen=True)
class DecodeMeasurement:
    """The engine's decode speed for one model on this computer."""

    model_bytes: int  # the measured model's weights (all its parts)
    tokens_per_second: float
    n_threads: int
    gpu_offload: bool  # layers were on a GPU: scaling from it to the CPU is not meaningful
    measured_at: float  # time.time()
    model_name: str = ""

    @property
    def seconds_per_token(self) -> float:
        return 1.0 / self.tokens_per_second


def bytes_per_token(model: RecommendedModel) -> int:
    """The weights one token reads: the download's size, times the active share for a mixture of experts."""
    return int(model.size_bytes * model.active_share)


def estimate_tokens_per_second(
    target_bytes_per_token: int, measurement: DecodeMeasurement, gpu_share: float = 0.0
) -> float:
    """About how many tokens a second a model reading ``target_bytes_per_token`` decodes here.

    ``gpu_share`` is the part of its layers that go to a GPU (0: all on the CPU).
    """
    if target_bytes_per_token <= 0:
        raise ValueError("a model reads some bytes per token")
    measured = measurement.seconds_per_token
    fixed = measured * FIXED_SHARE
    per_byte = measured * (1.0 - FIXED_SHARE) / measurement.model_bytes
    gpu_share = 0.0 if measurement.gpu_offload else min(1.0, max(0.0, gpu_share))
    traffic = target_bytes_per_token * per_byte * ((1.0 - gpu_share) + gpu_share / GPU_BANDWIDTH_CLASS)
    return 1.0 / (fixed + traffic)


def estimate_for(model: RecommendedModel, measurement: DecodeMeasurement, gpu_share: float = 0.0) -> float:
    return estimate_tokens_per_second(bytes_per_token(model), measurement, gpu_share)


def rounded(tokens_per_second: float) -> int:
    """The number shown: two significant figures at most, never 0 ("about 0 tokens/s" says nothing)."""
    if tokens_per_second >= 10:
        digits = 10 ** (int(math.log10(tokens_per_second)) - 1)
        return int(round(tokens_per_second / digits) * digits)
    return max(1, round(tokens_per_second))


def quality_rank(model: RecommendedModel) -> float:
    """Which of two models answers better, roughly: its parameters; a mixture of experts counts as the
    geometric mean of its total and active parameters (a common rule of thumb)."""
    total = model.parameters_b or model.size_bytes / 0.6e9  # ~4.8 bits a weight when the catalog lacks it
    if model.active_parameters_b:
        return math.sqrt(total * model.active_parameters_b)
    return total


def main_choice(
    candidates: list[tuple[RecommendedModel, float]], floor: float = COMFORTABLE_TOKENS_PER_SECOND
) -> RecommendedModel | None:
    """The model the first screen offers: of those that fit (with their estimated speed), the best one
    that answers at ``floor`` tokens/s or faster; when none does, the fastest. Models for a special
    purpose (code, always thinking first) are not a first download."""
    general = [(model, speed) for model, speed in candidates if not model.coding and model.thinking != "always"]
    comfortable = [(model, speed) for model, speed in general if speed >= floor]
    if comfortable:
        return max(comfortable, key=lambda pair: (quality_rank(pair[0]), pair[1]))[0]
    return max(general, key=lambda pair: pair[1], default=(None, 0.0))[0]


def assumed_measurement(cores: int | None = None) -> DecodeMeasurement:
    """What the estimates start from until this computer's own answers measure it."""
    cores = max(1, min(cores or os.cpu_count() or 1, 8))
    return DecodeMeasurement(
        model_bytes=STARTER_BYTES,
        tokens_per_second=ASSUMED_TOKENS_PER_SECOND_PER_CORE * cores,
        n_threads=cores,
        gpu_offload=False,
        measured_at=0.0,
        model_name="",
    )


def current_measurement() -> DecodeMeasurement:
    """The cached measurement of this computer, or the assumed one before its first answer."""
    return load_measurement() or assumed_measurement()


# -- the cache ----------------------------------------------------------------------------------


def _cache_path() -> Path:
    return paths.data_dir() / CACHE_FILE


def load_measurement() -> DecodeMeasurement | None:
    """The cached measurement, or None when there is none (or it is unreadable: measured again)."""
    path = _cache_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        measurement = DecodeMeasurement(
            model_bytes=int(raw["model_bytes"]),
            tokens_per_second=float(raw["tokens_per_second"]),
            n_threads=int(raw["n_threads"]),
            gpu_offload=bool(raw["gpu_offload"]),
            measured_at=float(raw["measured_at"]),
            model_name=str(raw.get("model_name", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("the decode speed cache %s is unreadable (%s): it will be measured again", path, exc)
        return None
    if measurement.model_bytes <= 0 or measurement.tokens_per_second <= 0:
        return None
    return measurement


def save_measurement(measurement: DecodeMeasurement) -> None:
    path = _cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with _lock:
        temporary.write_text(json.dumps(asdict(measurement)), encoding="utf-8")
        os.replace(temporary, path)


def measurement_from_answer(
    model_path: str, decode_seconds: float, decoded_tokens: int, n_threads: int, gpu_offload: bool
) -> DecodeMeasurement | None:
    """A measurement from one finished answer's llama.cpp timings; None when too short to tell."""
    if decoded_tokens < MIN_DECODED_TOKENS or decode_seconds <= 0:
        return None
    from app.core.models import gguf  # the parts of a split model count too

    try:
        size = sum(part.stat().st_size for part in gguf.part_paths(Path(model_path)))
    except OSError:
        return None
    return DecodeMeasurement(
        model_bytes=size,
        tokens_per_second=decoded_tokens / decode_seconds,
        n_threads=n_threads,
        gpu_offload=gpu_offload,
        measured_at=time.time(),
        model_name=Path(model_path).name,
    )


def record(
    model_path: str, decode_seconds: float, decoded_tokens: int, n_threads: int | None, gpu_offload: bool
) -> DecodeMeasurement | None:
    """Caches the speed of an answer the engine just finished; returns what was cached, if anything.

    A measurement on a GPU never replaces one on the CPU: the CPU one is what scales to other models.
    """
    threads = n_threads or (os.cpu_count() or 1)
    measurement = measurement_from_answer(model_path, decode_seconds, decoded_tokens, threads, gpu_offload)
    if measurement is None:
        return None
    previous = load_measurement()
    if gpu_offload and previous is not None and not previous.gpu_offload:
        return None
    save_measurement(measurement)
    return measurement
