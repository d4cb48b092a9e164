#!/usr/bin/env bash
# Installs Parley for the current user: the bundle (dist/Parley) into its own folder under
# ~/.local/lib/parley/versions, a `current` link switched to it in one step, the desktop entry
# (through the link) into ~/.local/share/applications and the icons into the hicolor theme.
# Nothing needs root.
#
#   packaging/install_desktop.sh BUNDLE_DIR      (make install-desktop passes dist/Parley)
#   packaging/install_desktop.sh --uninstall
#
# Updating while Parley runs is safe: the running instance keeps reading its own version's folder,
# which is never changed; the next start goes through the new link. The previous version and any
# older one a process still uses are kept; other older versions are removed.
#
# XDG_DATA_HOME (default ~/.local/share) and PARLEY_LIB_DIR (default ~/.local/lib/parley) move
# where things go; the tests use both.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
lib="${PARLEY_LIB_DIR:-$HOME/.local/lib/parley}"
apps="$data/applications"
icons="$data/icons/hicolor"
versions="$lib/versions"
# Caches this script's refresh created (and so uninstall removes), one path a line.
made="$lib/made-caches"

refresh() {
    # Menus pick the change up without a new login where these tools exist; missing ones are fine.
    local cache
    for cache in "$apps/mimeinfo.cache" "$icons/icon-theme.cache"; do
        if [ ! -e "$cache" ] && [ -d "$lib" ] && ! grep -qsxF "$cache" "$made"; then
            echo "$cache" >> "$made"
        fi
    done
    if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$apps" || true; fi
    if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true; fi
}

in_use() {
    # True when a process runs, maps a library of, or holds a file open in $1 (a file or a folder).
    local dir
    dir="$(realpath "$1")"
    [ -d /proc/self/fd ] || return 0  # no way to tell here: treat it as in use
    local hit
    hit="$(find /proc/[0-9]*/exe /proc/[0-9]*/fd -maxdepth 1 \( -lname "$dir" -o -lname "$dir/*" \) -print -quit \
        2>/dev/null || true)"
    [ -z "$hit" ] || return 0
    hit="$(grep -lsF "$dir/" /proc/[0-9]*/maps 2>/dev/null || true)"
    [ -n "$hit" ]
}

uninstall() {
    local cache size
    rm -f "$apps/parley.desktop"
    for size in "$icons"/*/apps; do
        rm -f "$size/parley.png" "$size/parley.svg"
    done
    if [ -f "$made" ]; then
        while IFS= read -r cache; do rm -f "$cache"; done < "$made"
    fi
    rm -rf "$lib"
    # The folders the install filled, when nothing else is in them now.
    for size in "$icons"/*/; do
        rmdir "$size/apps" "$size" 2>/dev/null || true
    done
    rmdir "$icons" "$data/icons" 2>/dev/null || true
    # Other programs' entries keep their menu cache up to date.
    if compgen -G "$apps/*.desktop" >/dev/null && command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$apps" || true
    fi
    if [ -d "$icons" ] && command -v gtk-update-icon-cache >/dev/null; then
        gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
    fi
    echo "Parley's launcher, icons and bundle were removed (your conversations and models stay)."
}

if [ "${1:-}" = "--uninstall" ]; then
    uninstall
    exit 0
fi

bundle="${1:?usage: install_desktop.sh BUNDLE_DIR | --uninstall}"
[ -x "$bundle/parley" ] || { echo "no bundle at $bundle (run make package first)" >&2; exit 2; }

# The folder's name: the version the bundle reports and a hash of its contents, so that installing
# the same build twice reuses its folder and two builds of one version never share one.
version="$(timeout 60 "$bundle/parley" --version 2>/dev/null | sed -n 's/^Parley \([0-9][^ ]*\)$/\1/p' | head -n 1)"
build="$(cd "$bundle" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
id="${version:-unversioned}-$build"

mkdir -p "$apps" "$versions"
# The layout before versions: the bundle straight in $lib. Removed unless it is running (then the
# next install, or uninstall, removes it).
if [ -f "$lib/parley" ] && [ ! -L "$lib/parley" ]; then
    if in_use "$lib/_internal" || in_use "$lib/parley"; then
        echo "an older Parley is running from $lib; its files stay until the next install"
    else
        rm -rf "$lib/parley" "$lib/_internal"
    fi
fi

previous=""
if [ -L "$lib/current" ]; then previous="$(basename "$(readlink "$lib/current")")"; fi
if [ ! -d "$versions/$id" ]; then
    staging="$versions/.$id.partial"
    rm -rf "$staging"
    cp -a "$bundle" "$staging"
    # The entry starts it through the launcher, which says so when the system's glibc is too old.
    [ -e "$staging/parley-launcher" ] || install -m 755 "$here/parley-launcher.sh" "$staging/parley-launcher"
    mv -T "$staging" "$versions/$id"
fi
# The switch: a new link under a temporary name, renamed over the old one (rename is atomic).
ln -sfn "versions/$id" "$lib/.current.$$"
mv -T "$lib/.current.$$" "$lib/current"

for old in "$versions"/* "$versions"/.*.partial; do
    [ -d "$old" ] || continue
    name="$(basename "$old")"
    if [ "$name" = "$id" ] || [ "$name" = "$previous" ]; then continue; fi
    if in_use "$old"; then
        echo "kept $old: a running Parley uses it"
    else
        rm -rf "$old"
    fi
done

for png in "$here"/icons/hicolor/*/apps/parley.png; do
    size="$(basename "$(dirname "$(dirname "$png")")")"
    install -D -m 644 "$png" "$icons/$size/apps/parley.png"
done
install -D -m 644 "$here/../resources/icons/parley.svg" "$icons/scalable/apps/parley.svg"
# Exec and TryExec point through the link, so a launch always starts the newest install.
sed -e "s|^Exec=.*|Exec=\"$lib/current/parley-launcher\"|" -e "/^Exec=/a TryExec=$lib/current/parley" \
    "$here/parley.desktop" > "$apps/parley.desktop"
chmod 644 "$apps/parley.desktop"
refresh
echo "Parley $id is installed: $lib/current/parley, in the menu through $apps/parley.desktop"
