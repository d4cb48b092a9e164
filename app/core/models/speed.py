"""How fast a model will answer here: decode measurements on this computer, fitted and scaled by bytes per token.

Decoding one token reads every weight it uses once, so its time is a fixed part (sampling, the
graph, thread hand-offs) plus a part that grows with the bytes read:
``seconds per token = fixed + bytes read per token × seconds per byte``. Both terms are fitted
(``calibrate``) from the engine's own decode speeds on this computer (llama.cpp's timings of real
answers: the starter measured at first start, and every model loaded since); two models of
different sizes pin both terms, one alone splits its time by ``FIXED_SHARE``; bytes beyond the largest
measured model cost at least a read from memory (``CORE_MEMORY_BYTES_PER_SECOND``). A model's bytes per
token are its file size times the share of its weights one token reads (a mixture of experts reads
only its active experts). Layers that go to a GPU are read at ``GPU_BANDWIDTH_CLASS`` times the CPU's
speed. The result is an estimate and is always labelled as one.

The measurements are cached in ``decode_speed.json`` under the data folder (the latest few of each
model), with the computer they were taken on (``machine_key``: its processor, cores, llama.cpp build
and backends); a different computer or a new llama.cpp build starts afresh, and the starter is
measured again.
"""

from __future__ import annotations

import json
import logging
import math
import os
import platform
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from app.core import paths
from app.core.models.recommended import RecommendedModel

log = logging.getLogger(__name__)

CACHE_FILE = "decode_speed.json"
COMFORTABLE_TOKENS_PER_SECOND = 8.0  # the main button's floor: slower answers feel like waiting
# With one measured model only, the share of its time per token that does not grow with the bytes
# read. bench/speed_estimate.py fits both terms from the starter (Q4_1, 98 MB) and its F16 re-pack
# (271 MB) on a 2-core machine; four runs put 0.86 to 0.93 of the starter's time in the fixed part
# (a 135M model is small enough that the graph and sampling weigh). 0.8, a little toward the bytes,
# is used until a second model is measured here.
FIXED_SHARE = 0.8
# Two measured models pin both terms only when their sizes differ enough to rise above the noise.
MIN_SIZE_RATIO = 1.5
# The fitted byte term keeps at least this share of the smallest measured model's time: a noisy pair
# of answers (the larger decoding faster) must not make the bytes free, which would rate every size alike.
MIN_BYTE_SHARE = 0.05
# The measured models are small (the starter and its re-packs: 0.1 to 0.3 GB) and may sit in the
# processor's cache, which reads far faster than memory: bench/speed_estimate.py fitted 140 GB/s
# between them on a 2-core EPYC. Bytes beyond the largest measured model are therefore read no faster
# than this per thread decoding (a core streams about 10 GB/s from memory; more cores add up).
CORE_MEMORY_BYTES_PER_SECOND = 10e9
# A GPU reads its memory this many times faster than a desktop CPU (coarse: ~400 GB/s against ~50).
GPU_BANDWIDTH_CLASS = 8.0
# Before this computer has answered once: the starter (SmolLM2-135M Q4_1, 98 MB) decodes at about 50
# tokens/s per core, up to 8 cores (the bench's figure: about 100 tokens/s on two idle cores).
STARTER_BYTES = 98_362_432
ASSUMED_TOKENS_PER_SECOND_PER_CORE = 50.0
MIN_DECODED_TOKENS = 16  # fewer tokens measure the first decodes' warm-up, not the steady speed
KEPT_PER_MODEL = 5  # the latest answers of each model kept in the cache
MAX_KEPT = 40
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


@dataclass(frozen=True)
class Calibration:
    """This computer's decode cost: ``fixed_seconds + bytes × seconds_per_byte`` per token."""

    fixed_seconds: float
    seconds_per_byte: float  # as measured, up to ``largest_bytes``
    fitted: bool  # both terms from two measured sizes; False: one measurement split by FIXED_SHARE
    gpu_offload: bool = False  # measured with layers on a GPU: not scaled by GPU_BANDWIDTH_CLASS again
    measured: tuple[str, ...] = ()  # the models it comes from
    largest_bytes: int = 0  # the largest model measured
    memory_seconds_per_byte: float = 0.0  # the least a byte beyond ``largest_bytes`` costs (from memory)

    def seconds_per_token(self, bytes_per_token: int) -> float:
        return self.fixed_seconds + self.traffic_seconds(bytes_per_token)

    def traffic_seconds(self, bytes_per_token: int) -> float:
        """The part of a token's time that reads its weights."""
        within = min(bytes_per_token, self.largest_bytes)
        beyond = bytes_per_token - within
        return within * self.seconds_per_byte + beyond * max(self.seconds_per_byte, self.memory_seconds_per_byte)

    @property
    def bytes_per_second(self) -> float:
        """The memory speed the fit implies (for the log and the bench)."""
        return 1.0 / self.seconds_per_byte


def _memory_seconds_per_byte(n_threads: int) -> float:
    return 1.0 / (max(1, min(n_threads, 8)) * CORE_MEMORY_BYTES_PER_SECOND)


def from_one(measurement: DecodeMeasurement) -> Calibration:
    """One measured model: its time split into the two terms by ``FIXED_SHARE``."""
    seconds = measurement.seconds_per_token
    return Calibration(
        fixed_seconds=seconds * FIXED_SHARE,
        seconds_per_byte=seconds * (1.0 - FIXED_SHARE) / measurement.model_bytes,
        fitted=False,
        gpu_offload=measurement.gpu_offload,
        measured=(measurement.model_name,),
        largest_bytes=measurement.model_bytes,
        memory_seconds_per_byte=_memory_seconds_per_byte(measurement.n_threads),
    )


def calibrate(measurements: Sequence[DecodeMeasurement]) -> Calibration:
    """Fits both terms to the measurements (least squares over each size's best time per token).

    Each size counts by its fastest recent answer: an answer slowed by other work on the computer
    (the usual noise on a shared machine) says little about the model, and nothing runs faster than
    the computer can. Measurements on the CPU are preferred (they are what scales to other models);
    of those, sizes that differ by ``MIN_SIZE_RATIO`` or more are fitted, and a single size falls
    back to ``from_one``. Raises ``ValueError`` on an empty list.
    """
    if not measurements:
        raise ValueError("nothing measured to calibrate from")
    on_cpu = [m for m in measurements if not m.gpu_offload]
    chosen = on_cpu or list(measurements)
    by_size: dict[int, list[float]] = {}
    for measurement in chosen:
        by_size.setdefault(measurement.model_bytes, []).append(measurement.seconds_per_token)
    sizes = sorted(by_size)
    latest = max(chosen, key=lambda m: m.measured_at)
    if len(sizes) < 2 or sizes[-1] < sizes[0] * MIN_SIZE_RATIO:
        best = max((m for m in chosen if m.model_bytes == latest.model_bytes), key=lambda m: m.tokens_per_second)
        return from_one(best)
    xs = [float(size) for size in sizes]
    ys = [min(by_size[size]) for size in sizes]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    # Clamped to what can be: the fixed part is not negative and the bytes are never free.
    smallest_time = ys[0]
    slope = max(slope, MIN_BYTE_SHARE * smallest_time / xs[0])
    fixed = max(0.0, mean_y - slope * mean_x)
    names = tuple(dict.fromkeys(m.model_name for m in sorted(chosen, key=lambda m: m.model_bytes)))
    return Calibration(
        fixed, slope, fitted=True, gpu_offload=not on_cpu, measured=names, largest_bytes=sizes[-1],
        memory_seconds_per_byte=_memory_seconds_per_byte(latest.n_threads),
    )


def bytes_per_token(model: RecommendedModel) -> int:
    """The weights one token reads: the download's size, times the active share for a mixture of experts."""
    return int(model.size_bytes * model.active_share)


def estimate_tokens_per_second(
    target_bytes_per_token: int, calibration: Calibration, gpu_share: float = 0.0
) -> float:
    """About how many tokens a second a model reading ``target_bytes_per_token`` decodes here.

    ``gpu_share`` is the part of its layers that go to a GPU (0: all on the CPU).
    """
    if target_bytes_per_token <= 0:
        raise ValueError("a model reads some bytes per token")
    gpu_share = 0.0 if calibration.gpu_offload else min(1.0, max(0.0, gpu_share))
    traffic = calibration.traffic_seconds(target_bytes_per_token)
    traffic *= (1.0 - gpu_share) + gpu_share / GPU_BANDWIDTH_CLASS
    return 1.0 / (calibration.fixed_seconds + traffic)


def estimate_for(model: RecommendedModel, calibration: Calibration, gpu_share: float = 0.0) -> float:
    return estimate_tokens_per_second(bytes_per_token(model), calibration, gpu_share)


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


def current_calibration() -> Calibration:
    """This computer's calibration from its cached measurements, or the assumed one before its first answer."""
    measured = load_measurements()
    return calibrate(measured) if measured else from_one(assumed_measurement())


def needs_measuring() -> bool:
    """Whether this computer (with this llama.cpp build) has no decode speed measured on the CPU yet."""
    return not any(not m.gpu_offload for m in load_measurements())


# -- the cache ----------------------------------------------------------------------------------


@cache
def machine_key() -> str:
    """What the measurements are only true for: the processor, its cores, the llama.cpp build and backends."""
    from app.core.models import gguf, gpu  # gguf reads the llama.cpp library's folder: only when asked

    try:
        package = metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        package = "?"
    return " | ".join(
        [
            platform.machine(), _processor_name(), f"{os.cpu_count() or 1} cores",
            f"llama-cpp-python {package}", f"ggml {gguf.ggml_version() or '?'}",
            ",".join(sorted(gpu.build_backends())),
        ]
    )


def _processor_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _cache_path() -> Path:
    return paths.data_dir() / CACHE_FILE


def load_measurements() -> list[DecodeMeasurement]:
    """This computer's cached measurements, oldest first; none when the cache is missing, unreadable
    (measured again) or from another computer or llama.cpp build."""
    path = _cache_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("machine") != machine_key():
            return []
        measured = [_measurement(item) for item in raw["measurements"]]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("the decode speed cache %s is unreadable (%s): it will be measured again", path, exc)
        return []
    return sorted((m for m in measured if m.model_bytes > 0 and m.tokens_per_second > 0), key=lambda m: m.measured_at)


def _measurement(item: dict[str, object]) -> DecodeMeasurement:
    return DecodeMeasurement(
        model_bytes=int(str(item["model_bytes"])),
        tokens_per_second=float(str(item["tokens_per_second"])),
        n_threads=int(str(item["n_threads"])),
        gpu_offload=bool(item["gpu_offload"]),
        measured_at=float(str(item["measured_at"])),
        model_name=str(item.get("model_name", "")),
    )


def load_measurement() -> DecodeMeasurement | None:
    """The latest cached measurement, or None."""
    measured = load_measurements()
    return measured[-1] if measured else None


def save_measurement(measurement: DecodeMeasurement) -> None:
    """Adds ``measurement`` to the cache; of each model the latest ``KEPT_PER_MODEL`` stay."""
    path = _cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    model = (measurement.model_name, measurement.model_bytes)
    with _lock:
        kept = load_measurements()
        same = [m for m in kept if (m.model_name, m.model_bytes) == model]
        dropped = same[: max(0, len(same) + 1 - KEPT_PER_MODEL)]
        kept = [*(m for m in kept if m not in dropped), measurement][-MAX_KEPT:]
        data = {"machine": machine_key(), "measurements": [asdict(m) for m in kept]}
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
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

    A measurement with layers on a GPU is kept beside those on the CPU; ``calibrate`` prefers the latter.
    """
    threads = n_threads or (os.cpu_count() or 1)
    measurement = measurement_from_answer(model_path, decode_seconds, decoded_tokens, threads, gpu_offload)
    if measurement is None:
        return None
    save_measurement(measurement)
    log.info("decode speed of %s here: %.1f tokens/s", measurement.model_name, measurement.tokens_per_second)
    return measurement
