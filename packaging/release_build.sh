#!/usr/bin/env bash
# The release bundle (make release-bundle): dist/release/Parley, built inside a Debian 11 (bullseye,
# glibc 2.31) chroot so that it runs on Debian 11, Ubuntu 20.04, RHEL 9 and anything newer. A bundle
# built on this machine needs the glibc it was built on (2.36 on Debian 12): every binary links the
# newest symbol versions of the libc it was compiled against.
#
#   sudo packaging/release_build.sh      (needs root and debootstrap; the network for Debian and PyPI)
#
# The chroot (build/chroot-bullseye, made once by debootstrap) gets the build tools; CPython 3.11 is
# compiled there from Debian's own source tarball (bookworm's python3.11 orig, checked by its SHA-256),
# llama-cpp-python from source with GGML_NATIVE=OFF (no CPU features of the build machine), then
# PyInstaller runs packaging/parley.spec. packaging/glibc_needs.py fails the build when any file needs
# a glibc newer than GLIBC_MAX and records the bundle's minimum for packaging/parley-launcher.sh, which
# is copied into the bundle as `parley-launcher` (it says so when the system's glibc is older).
#
# PARLEY_CHROOT, PARLEY_MIRROR and GLIBC_MAX override the defaults below.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
chroot_dir="${PARLEY_CHROOT:-$root/build/chroot-bullseye}"
mirror="${PARLEY_MIRROR:-http://deb.debian.org/debian}"
suite=bullseye
glibc_max="${GLIBC_MAX:-2.31}"
python_tarball=python3.11_3.11.2.orig.tar.gz
python_url="$mirror/pool/main/p/python3.11/$python_tarball"
python_sha256=2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849
build_deps=build-essential,ca-certificates,xz-utils,binutils,libssl-dev,zlib1g-dev,libbz2-dev,libffi-dev,\
liblzma-dev,libsqlite3-dev,libreadline-dev,uuid-dev,libgdbm-dev,libncurses-dev,cmake,ninja-build,git,\
pkg-config,libgl1,libegl1,libxkbcommon0,libfontconfig1,libdbus-1-3,libglib2.0-0,file

if [ "$(id -u)" != 0 ]; then
    echo "release_build.sh needs root (debootstrap and chroot)." >&2
    exit 1
fi
if [ ! -x "$chroot_dir/usr/bin/gcc" ]; then
    command -v debootstrap >/dev/null || { echo "Install debootstrap first (apt install debootstrap)." >&2; exit 1; }
    debootstrap --variant=minbase --include="$build_deps" "$suite" "$chroot_dir" "$mirror"
fi

mkdir -p "$root/build"
if [ ! -f "$root/build/$python_tarball" ]; then
    curl -fL --retry 3 -o "$root/build/$python_tarball.part" "$python_url"
    mv "$root/build/$python_tarball.part" "$root/build/$python_tarball"
fi
echo "$python_sha256  $root/build/$python_tarball" | sha256sum -c --quiet

cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
# The chroot trusts what this machine trusts (a proxy's own CA on a company network, for pip and curl).
host_ca="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
if [ -f "$host_ca" ]; then
    mkdir -p "$chroot_dir/etc/ssl/certs"
    cp "$host_ca" "$chroot_dir/etc/ssl/certs/host-ca-bundle.crt"
else
    host_ca=""
fi
mkdir -p "$chroot_dir/src" "$chroot_dir/proc" "$chroot_dir/dev"
cleanup() {
    umount "$chroot_dir/src" 2>/dev/null || true
    umount "$chroot_dir/proc" 2>/dev/null || true
    umount "$chroot_dir/dev" 2>/dev/null || true
}
trap cleanup EXIT
mountpoint -q "$chroot_dir/src" || mount --bind "$root" "$chroot_dir/src"
mountpoint -q "$chroot_dir/proc" || mount -t proc proc "$chroot_dir/proc"
mountpoint -q "$chroot_dir/dev" || mount --bind /dev "$chroot_dir/dev"
chroot "$chroot_dir" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin \
    GLIBC_MAX="$glibc_max" PYTHON_TARBALL="$python_tarball" \
    ${host_ca:+PIP_CERT=/etc/ssl/certs/host-ca-bundle.crt SSL_CERT_FILE=/etc/ssl/certs/host-ca-bundle.crt} \
    /bin/bash /src/packaging/release_build_chroot.sh
