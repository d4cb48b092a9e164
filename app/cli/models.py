"""``parley models …``: list, search, download, import, verify and remove models from a terminal.

Errors end the command as every command's do (``app.cli.tree``); Ctrl+C during a download pauses it
(the partial file is kept, and the same command resumes it) with status 130. Ctrl+C anywhere else (a
search, a listing, a connection that does not answer) ends the command at once with "Stopped." and
status 130: every Hub request runs where it cannot hold Ctrl+C up.
Progress is a single updating line on a terminal, and a line every few seconds otherwise. The Hub's
client (``app.core.models.hub``, ``downloads``: huggingface_hub, a slow import) is imported by the
actions that use it, so the other commands of the tree do not wait for it.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.cli import tree
from app.cli.terminal import EXIT_INTERRUPTED, STOPPED, Background, forgiving_output, in_background
from app.cli.tree import Commands
from app.core.config import settings
from app.core.errors import AppError, HubNoGgufError, ModelNotFoundError
from app.core.models import installed
from app.core.models.gguf import split_part_names
from app.core.models.library import human_size, import_model, model_target, remove_model, verify_model

if TYPE_CHECKING:
    from app.core.models.downloads import Download, DownloadProgress, DownloadResult
    from app.core.models.hub import GgufModelFile

EXIT_OK = 0
EXIT_DAMAGED = 1  # `verify` found a model whose files are not the ones installed
PREFERRED_QUANT = "Q4_K_M"
LOG_INTERVAL_S = 5.0
# After Ctrl+C, how long a download may take to pause between two reads; one still waiting for a
# silent server is left behind (it ends with the process) and what it had is kept.
PAUSE_WAIT_S = 2.0


def add_parser(commands: Commands) -> None:
    models = commands.add_parser(
        "models",
        help="list, search, download, import and remove models",
        description="Manage the models Parley can use.",
    )
    sub = models.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="the installed models, and downloads waiting to be resumed")
    listing.set_defaults(run=_list)
    search = sub.add_parser("search", help="GGUF models on the Hugging Face Hub")
    search.add_argument("query")
    search.set_defaults(run=_search)
    download = sub.add_parser("download", help="download a model from the Hub (Q4_K_M unless FILE is given)")
    download.add_argument("repo", help="owner/name on the Hub")
    download.add_argument("file", nargs="?", help="the .gguf file (any part of a split model)")
    download.add_argument("--revision", default="main", help="branch, tag or commit (default: main)")
    download.set_defaults(run=_download)
    imp = sub.add_parser("import", help="use a .gguf file you already have")
    imp.add_argument("path", type=Path)
    how = imp.add_mutually_exclusive_group()
    how.add_argument("--copy", action="store_true", help="copy it into Parley's models folder")
    how.add_argument("--in-place", action="store_true", help="use it where it is (the default)")
    imp.set_defaults(run=_import)
    remove = sub.add_parser("remove", help="delete a downloaded model, or forget an imported one")
    remove.add_argument("name")
    remove.set_defaults(run=_remove)
    verify = sub.add_parser("verify", help="check installed models against the sizes and sha256 recorded at install")
    verify.add_argument("name", nargs="?", help="one model (all of them when left out)")
    verify.set_defaults(run=_verify)


def run_models_command(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``parley models ARGV``, through the one tree (for ``python -m app.cli.models`` and tests)."""
    return tree.run((add_parser,), ["models", *argv], out, err)


def _list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    prefs = settings.load()
    for entry in installed.installed_models(prefs.imported_models):
        origin = {"starter": "built in", "imported": f"used from {entry.path}", "file": str(entry.path)}.get(
            entry.source, "models folder"
        )
        if entry.provenance is not None and entry.provenance.repo:
            origin = f"from {entry.provenance.repo} @ {entry.provenance.revision[:7]}"
        elif entry.provenance is not None and entry.provenance.original_path:
            origin = f"copied from {entry.provenance.original_path}"
        damaged = f"  (damaged: {entry.damage})" if entry.damage else ""
        print(f"{entry.name}  {human_size(entry.size_bytes)}  {origin}{damaged}", file=out)
    from app.core.models.downloads import partial_downloads

    for partial in partial_downloads():
        percent = 100 * partial.done_bytes // max(partial.total_bytes, 1)
        print(f"(paused) {partial.repo} {partial.file}  {percent}% of {human_size(partial.total_bytes)}", file=out)
    return EXIT_OK


def _search(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.core.models.hub import HubConfig, search_models

    config = HubConfig.from_settings(settings.load())
    results = in_background(lambda: search_models(args.query, config=config), "parley-search")
    if not results:
        print(f"No GGUF models match “{args.query}”.", file=out)
    for repo in results:
        gated = "  (gated: accept the licence on the Hub)" if repo.gated else ""
        print(f"{repo.repo}  {repo.downloads} downloads  {repo.likes} likes{gated}", file=out)
    return EXIT_OK


def pick_model(models: tuple[GgufModelFile, ...]) -> GgufModelFile | None:
    """Q4_K_M if the repo has it, else the smallest file (``models`` is smallest first)."""
    preferred = [model for model in models if model.quantization == PREFERRED_QUANT]
    candidates = preferred or list(models)
    return candidates[0] if candidates else None


def _download(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.core.models.downloads import Download, DownloadRequest
    from app.core.models.hub import HubConfig, list_gguf_files

    config = HubConfig.from_settings(settings.load())
    file = args.file
    if file is None:
        listing = in_background(lambda: list_gguf_files(args.repo, args.revision, config=config), "parley-listing")
        model = pick_model(listing.models)
        if model is None:
            raise HubNoGgufError(repo=args.repo)
        why = "" if model.quantization == PREFERRED_QUANT else f" (no {PREFERRED_QUANT}; the smallest file)"
        print(
            f"Downloading {model.name}{why}, {model.quantization or 'unknown quantization'}, {human_size(model.size)}",
            file=out,
        )
        file = model.name
    target = model_target(split_part_names(file)[0])
    damage = installed.damage(target, installed.read_provenance(target)) if target.is_file() else ""
    if damage:
        print(f"The installed copy is damaged ({damage}); downloading it again.", file=out)
    printer = _ProgressPrinter(out)
    download = Download(DownloadRequest(args.repo, (file,), args.revision), config=config, on_progress=printer)
    try:
        result = _run_interruptibly(download)
    finally:
        printer.finish()
    if result is None:
        kept = _kept_bytes(args.repo, file)
        print("Paused. Run the same command again to resume." if kept else STOPPED, file=err)
        return EXIT_INTERRUPTED
    if result.status == "already_installed":
        print(f"Already installed: {result.model_path}", file=out)
    elif result.status == "installed":
        print(f"Installed and verified: {result.model_path}", file=out)
    else:
        print(f"Download {result.status}.", file=err)
        return EXIT_INTERRUPTED
    return EXIT_OK


def _run_interruptibly(download: Download) -> DownloadResult | None:
    """Runs the download on a thread so Ctrl+C can pause it cleanly; None when paused that way."""
    job = Background(download.run, "parley-download")
    try:
        job.wait()
    except KeyboardInterrupt:
        download.pause()
        if not job.wait(PAUSE_WAIT_S):
            return None  # still waiting for a server that does not answer: nothing more will arrive
        try:
            result = job.result()
        except AppError:  # it failed as it stopped (a listing cut short): the user asked to stop, so it stopped
            return None
        return None if result.status == "paused" else result
    return job.result()


def _kept_bytes(repo: str, file: str) -> int:
    """How much of a stopped download of ``file`` is kept for the next run."""
    from app.core.models.downloads import partial_downloads

    names = set(split_part_names(file))
    return sum(p.done_bytes for p in partial_downloads() if p.repo == repo and p.file in names)


class _ProgressPrinter:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self.last_line = 0.0
        self.width = 0

    def __call__(self, progress: DownloadProgress) -> None:
        line = self.describe(progress)
        if self.tty:
            self.out.write("\r" + line.ljust(self.width))
            self.width = len(line)
            self.out.flush()
            return
        now = time.monotonic()
        finished = progress.done_bytes >= progress.total_bytes
        if now - self.last_line >= LOG_INTERVAL_S or (finished and progress.verifying):
            self.last_line = now
            print(line, file=self.out, flush=True)

    @staticmethod
    def describe(progress: DownloadProgress) -> str:
        percent = 100 * progress.done_bytes // max(progress.total_bytes, 1)
        part = f"part {progress.part}/{progress.part_count}  " if progress.part_count > 1 else ""
        if progress.verifying:
            return f"{part}{human_size(progress.done_bytes)}  100%  verifying…"
        speed = f"{human_size(progress.speed_bps)}/s" if progress.speed_bps else "…"
        eta = "" if progress.eta_s is None else f"  ETA {int(progress.eta_s) // 60}:{int(progress.eta_s) % 60:02d}"
        return f"{part}{human_size(progress.done_bytes)} / {human_size(progress.total_bytes)}  {percent}%  {speed}{eta}"

    def finish(self) -> None:
        if self.tty and self.width:
            self.out.write("\n")
            self.out.flush()


def _import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    result = import_model(args.path, copy=args.copy)
    if result.imported_setting is not None:
        prefs = settings.load()
        if result.imported_setting not in prefs.imported_models:
            settings.save(replace(prefs, imported_models=(*prefs.imported_models, result.imported_setting)))
        print(f"Using {result.model_path} where it is.", file=out)
    else:
        print(f"Copied into {result.model_path}.", file=out)
    return EXIT_OK


def _verify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """One line per model: OK, DAMAGED with the reason and how to mend it, or not checked (no record)."""
    prefs = settings.load()
    if args.name:
        entries = [installed.resolve_model(args.name, prefs.imported_models)]
    else:
        entries = installed.installed_models(prefs.imported_models)
    damaged = 0
    for entry in entries:
        problem = in_background(functools.partial(verify_model, entry), "parley-verify")  # hashing: Ctrl+C-able
        if problem is None:
            print(f"not checked  {entry.name}: nothing was recorded when it was installed", file=out)
        elif not problem:
            print(f"OK  {entry.name}", file=out)
        else:
            damaged += 1
            print(f"DAMAGED  {entry.name}: {problem}. {_mend(entry)}", file=out)
    if damaged:
        print(f"parley: damaged: {damaged} of {len(entries)}", file=err)
    return EXIT_DAMAGED if damaged else EXIT_OK


def _mend(entry: installed.ModelEntry) -> str:
    provenance = entry.provenance
    if provenance is not None and provenance.repo and provenance.files:
        revision = f" --revision {provenance.revision}" if provenance.revision else ""
        return f"Download it again: parley models download {provenance.repo} {provenance.files[0]}{revision}"
    if provenance is not None and provenance.original_path:
        return f"Import it again: parley models remove “{entry.name}”, then import {provenance.original_path}"
    return "Remove it and install it again."


def _remove(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    prefs = settings.load()
    entry = installed.resolve_model(args.name, prefs.imported_models)
    if entry.source == "file":
        raise ModelNotFoundError(name=args.name)
    kept = remove_model(entry, prefs.imported_models)
    if kept != prefs.imported_models:
        settings.save(replace(prefs, imported_models=kept))
        print(f"Forgot {entry.name}; the file {entry.path} was left where it is.", file=out)
    else:
        print(f"Removed {entry.name}.", file=out)
    return EXIT_OK


if __name__ == "__main__":
    forgiving_output()
    sys.exit(run_models_command(sys.argv[1:]))
