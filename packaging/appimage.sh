#!/usr/bin/env bash
# The AppImage recipe: lays out dist/Parley.AppDir from the one-folder bundle (dist/Parley), then
# packs it with appimagetool when one is on PATH (APPIMAGETOOL=/path/to/appimagetool also works).
#
# appimagetool is not in PyPI, Debian or npm (python-appimage and the npm AppImage makers fetch
# it from the network at run time), so on a machine without it this stops after the AppDir and says
# so; the AppDir itself runs as it is (dist/Parley.AppDir/AppRun).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bundle="${1:?usage: appimage.sh BUNDLE_DIR [OUT_DIR]}"
out="${2:-$(dirname "$bundle")}"
appdir="$out/Parley.AppDir"

rm -rf "$appdir"
mkdir -p "$appdir/usr/lib" "$appdir/usr/share/applications"
cp -a "$bundle" "$appdir/usr/lib/parley"
cp "$here/parley.desktop" "$appdir/parley.desktop"
cp "$here/parley.desktop" "$appdir/usr/share/applications/parley.desktop"
cp "$here/icons/hicolor/256x256/apps/parley.png" "$appdir/parley.png"
cp -r "$here/icons/hicolor" "$appdir/usr/share/icons/" 2>/dev/null || { mkdir -p "$appdir/usr/share/icons"; cp -r "$here/icons/hicolor" "$appdir/usr/share/icons/"; }
ln -sf parley.png "$appdir/.DirIcon"
cat > "$appdir/AppRun" <<'RUN'
#!/bin/sh
here="$(dirname "$(readlink -f "$0")")"
exec "$here/usr/lib/parley/parley" "$@"
RUN
chmod +x "$appdir/AppRun"

tool="${APPIMAGETOOL:-$(command -v appimagetool || true)}"
if [ -z "$tool" ]; then
    echo "AppDir ready at $appdir; no appimagetool here, so no .AppImage was packed (see packaging/README.md)."
    exit 0
fi
ARCH="$(uname -m)" "$tool" "$appdir" "$out/Parley-$(uname -m).AppImage"
echo "AppImage: $out/Parley-$(uname -m).AppImage"
