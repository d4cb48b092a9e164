"""The one place Parley talks to the Hugging Face Hub, and the only ``huggingface_hub`` import.

Search, file listings, a file's resolve URL and a byte stream from an offset. The endpoint (settings
or ``HF_ENDPOINT``) is passed explicitly at call time; the token is the one in Parley's key store,
never one found elsewhere on the machine. The rule: every library or transport exception becomes an
``AppError`` here, with short timeouts and no retries (the download engine decides those).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx2
from huggingface_hub import HfApi, get_hf_file_metadata, get_session, hf_hub_url, hf_raise_for_status
from huggingface_hub.errors import (
    FileMetadataError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    OfflineModeIsEnabled,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils._headers import build_hf_headers  # not re-exported where mypy can see it

from app.core.config import secrets
from app.core.config.settings import Settings
from app.core.errors import (
    QT_TRANSLATE_NOOP,
    AppError,
    HubError,
    HubFileNotFoundError,
    HubGatedRepoError,
    HubInvalidRepoNameError,
    HubRepoNotFoundError,
    HubRevisionNotFoundError,
    HubUnreachableError,
)
from app.core.models import gguf
from app.core.models.gguf import quantization_from_name, split_name

log = logging.getLogger("app.hub")

DEFAULT_ENDPOINT = "https://huggingface.co"
# How long one request to the Hub may wait, in seconds; PARLEY_HUB_TIMEOUT_S lengthens it (a slow link, or
# a test that must press Ctrl+C before any timeout can fire on a loaded machine).
API_TIMEOUT_S = float(os.environ.get("PARLEY_HUB_TIMEOUT_S", "") or 10.0)
STREAM_TIMEOUT = httpx2.Timeout(
    connect=API_TIMEOUT_S / 2, read=API_TIMEOUT_S * 2, write=API_TIMEOUT_S * 2, pool=API_TIMEOUT_S / 2
)
SEARCH_LIMIT = 30


@dataclass(frozen=True)
class HubConfig:
    endpoint: str
    token: str | None = None  # None: anonymous

    @classmethod
    def from_settings(cls, settings: Settings | None = None, keys: secrets.KeyStore | None = None) -> HubConfig:
        """The endpoint of ``settings``; the token of the key store (or of a settings file it could not move from)."""
        settings = settings or Settings()
        token = secrets.hub_token(keys) or settings.hub_token.strip()
        return cls(endpoint=resolve_endpoint(settings.hub_endpoint), token=token or None)

    @property
    def token_arg(self) -> str | bool:
        # False, not None: None would make the library use a token found on the machine.
        return self.token or False


# A well-known public mirror of the Hub, for where huggingface.co cannot be reached (offered in one
# click by the window, and checked before it is used).
SUGGESTED_MIRROR = "https://hf-mirror.com"


def probe(endpoint: str) -> None:
    """Checks that ``endpoint`` answers like a Hub (one small search); raises the ``AppError`` saying why not."""
    search_models("gguf", config=HubConfig(endpoint=endpoint.rstrip("/"), token=None), limit=1)


def resolve_endpoint(setting: str = "") -> str:
    """The setting if given, else ``HF_ENDPOINT`` (read now, not at import), else the public Hub."""
    value = setting.strip() or os.environ.get("HF_ENDPOINT", "").strip() or DEFAULT_ENDPOINT
    return value.rstrip("/")


def needs_newer_parley(architecture: str | None) -> bool:
    """Whether the Hub's reading of a GGUF header names an architecture this build of llama.cpp does not know."""
    return architecture is not None and gguf.architecture_is_known(architecture) is False


def _architecture(item: object) -> str | None:
    """The architecture in a model's ``gguf`` metadata as the Hub reports it ({"architecture": "qwen3", ...})."""
    metadata = item.get("gguf") if isinstance(item, dict) else getattr(item, "gguf", None)
    architecture = metadata.get("architecture") if isinstance(metadata, dict) else None
    return architecture if isinstance(architecture, str) and architecture else None


@dataclass(frozen=True)
class RepoSummary:
    repo: str
    downloads: int
    likes: int
    gated: bool
    architecture: str | None = None  # from the search's gguf metadata, when the Hub gives it

    @property
    def needs_newer_parley(self) -> bool:
        return needs_newer_parley(self.architecture)


@dataclass(frozen=True)
class HubFile:
    name: str
    size: int
    sha256: str | None  # the LFS oid; None for a small file kept in git
    blob_id: str | None = None  # the git blob sha1


@dataclass(frozen=True)
class GgufModelFile:
    """One downloadable model: a single .gguf file, or every part of a split one."""

    name: str  # the file llama.cpp loads (the first part of a split model)
    parts: tuple[HubFile, ...]
    quantization: str | None

    @property
    def size(self) -> int:
        return sum(part.size for part in self.parts)

    @property
    def is_split(self) -> bool:
        return len(self.parts) > 1


@dataclass(frozen=True)
class RepoFiles:
    repo: str
    commit: str  # the revision asked for, resolved to a commit sha
    gated: bool
    models: tuple[GgufModelFile, ...]  # smallest first
    incomplete: tuple[str, ...]  # split models with parts missing from the repo
    architecture: str | None = None  # the Hub's reading of the GGUF header ("qwen3"), when it gives one

    @property
    def needs_newer_parley(self) -> bool:
        """The models' architecture is one this build of llama.cpp does not know."""
        return needs_newer_parley(self.architecture)


@dataclass(frozen=True)
class RemoteFile:
    repo: str
    file: str
    commit: str
    size: int
    url: str  # where the bytes are (the resolve URL, or the CDN it redirects to)


class TransferError(Exception):
    """The connection broke while bytes were arriving; the caller may resume from where it got."""


@contextmanager
def translate_errors(repo: str, file: str | None = None, revision: str | None = None) -> Iterator[None]:
    """Turns what the library and its HTTP client raise into the user's ``AppError``, and logs it."""
    try:
        with _translated(repo, file, revision):
            yield
    except AppError as err:
        cause = err.__cause__
        log.info("%s%s: %s%s", repo, f"/{file}" if file else "", err, f" ({cause!r})" if cause else "")
        raise


@contextmanager
def _translated(repo: str, file: str | None, revision: str | None) -> Iterator[None]:
    try:
        yield
    except AppError:
        raise
    except GatedRepoError as exc:
        raise HubGatedRepoError(repo=repo) from exc
    except RepositoryNotFoundError as exc:
        raise HubRepoNotFoundError(repo=repo) from exc
    except RevisionNotFoundError as exc:
        raise HubRevisionNotFoundError(revision=revision, repo=repo) from exc
    except RemoteEntryNotFoundError as exc:
        raise HubFileNotFoundError(file=file, repo=repo) from exc
    except HFValidationError as exc:
        raise HubInvalidRepoNameError(repo=repo) from exc
    except OfflineModeIsEnabled as exc:
        raise HubUnreachableError(reason=QT_TRANSLATE_NOOP("AppError", "offline mode is on (HF_HUB_OFFLINE)")) from exc
    except FileMetadataError as exc:
        reason = QT_TRANSLATE_NOOP("AppError", "the server does not answer like a Hugging Face Hub")
        raise HubError(reason=reason) from exc
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (401, 403):
            raise HubGatedRepoError(repo=repo) from exc
        raise HubError(reason=f"HTTP {status}" if status else str(exc)) from exc
    except httpx2.TimeoutException as exc:
        raise HubUnreachableError(reason=QT_TRANSLATE_NOOP("AppError", "the connection timed out")) from exc
    except httpx2.ConnectError as exc:
        raise HubUnreachableError(reason=_connect_reason(exc)) from exc
    except httpx2.TransportError as exc:
        raise HubUnreachableError(reason=f"the connection failed: {exc or type(exc).__name__}") from exc


def _connect_reason(exc: httpx2.ConnectError) -> str:
    text = str(exc).lower()
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "name resolution" in text:
        return QT_TRANSLATE_NOOP("AppError", "its address could not be looked up")
    if "refused" in text:
        return QT_TRANSLATE_NOOP("AppError", "the connection was refused")
    return QT_TRANSLATE_NOOP("AppError", "no connection could be made")


def search_models(query: str, *, config: HubConfig | None = None, limit: int = SEARCH_LIMIT) -> list[RepoSummary]:
    """GGUF model repos matching ``query``, most downloaded first."""
    config = config or HubConfig.from_settings()
    # One request with a timeout, not HfApi.list_models: that pages through http_backoff with no
    # timeout and retries a refused connection for ~23 s.
    # "expand" names every field wanted (the Hub then sends only those): gguf carries the architecture.
    params: dict[str, Any] = {
        "search": query, "filter": "gguf", "sort": "downloads", "limit": limit,
        "expand[]": ["downloads", "likes", "gated", "gguf"],
    }
    with translate_errors(query):
        response = get_session().get(
            f"{config.endpoint}/api/models",
            params=params,
            headers=build_hf_headers(token=config.token_arg),
            timeout=STREAM_TIMEOUT,
        )
        hf_raise_for_status(response)
        items = response.json()
    if not isinstance(items, list):
        raise HubError(reason="the search answer was not a list")
    results = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        results.append(
            RepoSummary(
                repo=item["id"],
                downloads=int(item.get("downloads") or 0),
                likes=int(item.get("likes") or 0),
                gated=bool(item.get("gated")),
                architecture=_architecture(item),
            )
        )
    return results


def group_gguf_files(files: list[HubFile]) -> tuple[tuple[GgufModelFile, ...], tuple[str, ...]]:
    """Single files as they are; the parts of a split model as one model (incomplete ones apart)."""
    by_name = {f.name: f for f in files if f.name.lower().endswith(".gguf")}
    models: list[GgufModelFile] = []
    incomplete: list[str] = []
    for name, hub_file in by_name.items():
        split = split_name(name)
        if split is None:
            models.append(GgufModelFile(name, (hub_file,), quantization_from_name(name)))
            continue
        if split.index != 1:
            continue
        prefix = name[: len(name) - len(name.rsplit("/", 1)[-1])]
        names = [f"{prefix}{split.stem}-{i:05d}-of-{split.count:05d}.gguf" for i in range(1, split.count + 1)]
        if all(part in by_name for part in names):
            parts = tuple(by_name[part] for part in names)
            models.append(GgufModelFile(name, parts, quantization_from_name(name)))
        else:
            incomplete.append(name)
    models.sort(key=lambda model: (model.size, model.name))
    return tuple(models), tuple(incomplete)


def list_gguf_files(repo: str, revision: str = "main", *, config: HubConfig | None = None) -> RepoFiles:
    """The GGUF models in ``repo`` at ``revision``, with sizes, sha256 and quantization."""
    info, files = _model_files(repo, revision, config or HubConfig.from_settings())
    models, incomplete = group_gguf_files(files)
    return RepoFiles(
        repo=repo, commit=info.sha, gated=bool(info.gated), models=models, incomplete=incomplete,
        architecture=_architecture(info),
    )


def _model_files(repo: str, revision: str, config: HubConfig) -> tuple[Any, list[HubFile]]:
    """The repo's model info at ``revision`` and every file in it, with sizes and (LFS) sha256."""
    with translate_errors(repo, revision=revision):
        info = HfApi(endpoint=config.endpoint, token=config.token_arg).model_info(
            repo, revision=revision, files_metadata=True, timeout=API_TIMEOUT_S
        )
    files = []
    for sibling in info.siblings or []:
        lfs = sibling.lfs
        size = lfs.size if lfs is not None else sibling.size
        sha256 = lfs.sha256 if lfs is not None else None
        files.append(HubFile(sibling.rfilename, int(size or 0), sha256, sibling.blob_id))
    if not info.sha:
        raise HubError(reason=f"the Hub did not say which commit {revision} of {repo} is")
    return info, files


def list_repo_files(repo: str, revision: str = "main", *, config: HubConfig | None = None) -> tuple[str, list[HubFile]]:
    """The commit ``revision`` is at, and every file of ``repo`` there (speech models are not GGUF)."""
    info, files = _model_files(repo, revision, config or HubConfig.from_settings())
    return str(info.sha), files


def resolve_file(repo: str, file: str, commit: str, *, config: HubConfig) -> RemoteFile:
    """Where ``file`` at ``commit`` can be fetched from, and its size (one HEAD request)."""
    url = hf_hub_url(repo, file, revision=commit, endpoint=config.endpoint)
    with translate_errors(repo, file, commit):
        metadata = get_hf_file_metadata(url, token=config.token_arg, timeout=API_TIMEOUT_S, endpoint=config.endpoint)
    if metadata.commit_hash is None or metadata.size is None:
        raise HubError(reason="the server does not answer like a Hugging Face Hub")
    return RemoteFile(repo, file, metadata.commit_hash, metadata.size, metadata.location)


def _same_origin(url: str, endpoint: str) -> bool:
    a, b = urlsplit(url), urlsplit(endpoint)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


@dataclass
class ByteStream:
    start: int  # where these bytes begin in the file: the offset asked for, or 0 if the server ignored it
    total: int | None
    _response: httpx2.Response

    def chunks(self) -> Iterator[bytes]:
        """The body as it arrives (no 10 MiB batching); a broken connection raises ``TransferError``."""
        try:
            for chunk in self._response.iter_raw():
                if chunk:
                    yield chunk
        except httpx2.TransportError as exc:
            raise TransferError(str(exc) or type(exc).__name__) from exc


@contextmanager
def open_stream(remote: RemoteFile, offset: int, *, config: HubConfig) -> Iterator[ByteStream]:
    """GETs ``remote`` from ``offset`` with ``Range: bytes=offset-``; the token goes to the Hub only."""
    token = config.token_arg if _same_origin(remote.url, config.endpoint) else False
    headers = build_hf_headers(token=token)
    headers["Accept-Encoding"] = "identity"
    if offset > 0:
        headers["Range"] = f"bytes={offset}-"
    with (
        translate_errors(remote.repo, remote.file, remote.commit),
        get_session().stream("GET", remote.url, headers=headers, timeout=STREAM_TIMEOUT) as response,
    ):
        hf_raise_for_status(response)
        start = offset if response.status_code == 206 else 0
        length = response.headers.get("Content-Length")
        total = start + int(length) if length and length.isdigit() else None
        yield ByteStream(start=start, total=total, _response=response)
