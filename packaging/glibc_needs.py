"""The glibc a bundle needs: the highest GLIBC_x.y symbol version any ELF file in it requires.

Reads each file's version needs with `objdump -T` (binutils). `python packaging/glibc_needs.py DIR` prints
the files that need the most, then the bundle's minimum; `--max X.Y` fails when the bundle needs more,
`--write FILE` records the minimum for packaging/parley-launcher.sh.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

GLIBC_VERSION = re.compile(r"\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?\b")
ELF_MAGIC = b"\x7fELF"

Version = tuple[int, ...]


def is_elf(path: Path) -> bool:
    """Whether the file at path is an ELF object (a program or a shared library)."""
    if not path.is_file() or path.is_symlink():
        return False
    with path.open("rb") as handle:
        return handle.read(4) == ELF_MAGIC


def needed_glibc(path: Path) -> Version | None:
    """The highest GLIBC_ version the ELF file at path requires, or None when it needs none."""
    result = subprocess.run(
        ["objdump", "-T", str(path)], capture_output=True, text=True, check=False
    )
    versions = [
        tuple(int(part) for part in match.groups() if part is not None)
        for match in GLIBC_VERSION.finditer(result.stdout)
    ]
    return max(versions) if versions else None


def scan(root: Path) -> dict[Path, Version]:
    """Every ELF file under root that needs glibc, with the version it needs."""
    needs: dict[Path, Version] = {}
    for path in sorted(root.rglob("*")):
        if is_elf(path):
            version = needed_glibc(path)
            if version is not None:
                needs[path.relative_to(root)] = version
    return needs


def dotted(version: Version) -> str:
    """2.31 for (2, 31)."""
    return ".".join(str(part) for part in version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the bundle folder (dist/Parley)")
    parser.add_argument("--max", help="fail when the bundle needs a newer glibc than this (2.31)")
    parser.add_argument("--write", type=Path, help="write the bundle's minimum glibc to this file")
    parser.add_argument("--top", type=int, default=15, help="how many of the neediest files to list")
    args = parser.parse_args(argv)

    needs = scan(args.bundle)
    if not needs:
        print(f"{args.bundle}: no ELF file needs glibc", file=sys.stderr)
        return 1
    ranked = sorted(needs.items(), key=lambda item: (item[1], str(item[0])), reverse=True)
    for path, version in ranked[: args.top]:
        print(f"GLIBC_{dotted(version):<6} {path}")
    minimum = ranked[0][1]
    print(f"{len(needs)} ELF files; the bundle needs glibc {dotted(minimum)} or newer")
    if args.write is not None:
        args.write.write_text(dotted(minimum) + "\n", encoding="utf-8")
    if args.max is not None:
        limit = tuple(int(part) for part in args.max.split("."))
        if minimum > limit:
            print(f"the bundle needs glibc {dotted(minimum)}, more than {args.max}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
