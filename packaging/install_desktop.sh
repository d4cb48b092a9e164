#!/usr/bin/env bash
# Installs Parley for the current user: the bundle (dist/Parley) into ~/.local/lib/parley, the
# desktop entry into ~/.local/share/applications and the icons into the hicolor theme, so that
# Parley appears in the application menu and opens with a double-click. Nothing needs root.
#
#   packaging/install_desktop.sh BUNDLE_DIR      (make install-desktop passes dist/Parley)
#   packaging/install_desktop.sh --uninstall
#
# XDG_DATA_HOME (default ~/.local/share) and PARLEY_LIB_DIR (default ~/.local/lib/parley) move
# where things go; the tests use both.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
lib="${PARLEY_LIB_DIR:-$HOME/.local/lib/parley}"
apps="$data/applications"
icons="$data/icons/hicolor"

refresh() {
    # Menus pick the change up without a new login where these tools exist; missing ones are fine.
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$lib"
    rm -f "$apps/parley.desktop"
    find "$icons" -path '*/apps/parley.png' -delete 2>/dev/null || true
    rm -f "$icons/scalable/apps/parley.svg"
    refresh
    echo "Parley's launcher, icons and bundle were removed (your conversations and models stay)."
    exit 0
fi

bundle="${1:?usage: install_desktop.sh BUNDLE_DIR | --uninstall}"
[ -x "$bundle/parley" ] || { echo "no bundle at $bundle (run make package first)" >&2; exit 2; }

mkdir -p "$apps" "$(dirname "$lib")"
staging="$lib.new"
rm -rf "$staging"
cp -a "$bundle" "$staging"
rm -rf "$lib"
mv "$staging" "$lib"

for png in "$here"/icons/hicolor/*/apps/parley.png; do
    size="$(basename "$(dirname "$(dirname "$png")")")"
    install -D -m 644 "$png" "$icons/$size/apps/parley.png"
done
install -D -m 644 "$here/../resources/icons/parley.svg" "$icons/scalable/apps/parley.svg"
# Exec and TryExec point at the installed bundle.
sed -e "s|^Exec=.*|Exec=\"$lib/parley\"|" -e "/^Exec=/a TryExec=$lib/parley" \
    "$here/parley.desktop" > "$apps/parley.desktop"
chmod 644 "$apps/parley.desktop"
refresh
echo "Parley is installed: $lib/parley, in the menu through $apps/parley.desktop"
