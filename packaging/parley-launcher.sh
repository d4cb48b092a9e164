#!/bin/sh
# Starts the bundle's `parley` beside it, after checking the system's glibc against the minimum the
# release build recorded in `glibc-minimum` (packaging/glibc_needs.py). A bundle started on an older
# glibc fails inside the dynamic loader ("GLIBC_2.xx not found") before any of Parley runs, so this is
# a shell script: it says so in one sentence on stderr and, for a double-click, as a desktop
# notification or a dialog. No recorded minimum, or a libc that is not glibc: it just starts parley.
here="$(dirname "$(readlink -f "$0")")"

glibc_version() {
    # 2.36 from "glibc 2.36" (getconf) or from the end of ldd's first line.
    version="$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc \([0-9][0-9.]*\).*/\1/p')"
    if [ -z "$version" ]; then
        version="$(ldd --version 2>/dev/null | sed -n '1s/.* \([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p')"
    fi
    echo "$version"
}

older_than() {
    # True when version $1 is older than version $2 (major.minor).
    [ "${1%%.*}" -lt "${2%%.*}" ] || { [ "${1%%.*}" -eq "${2%%.*}" ] && [ "${1#*.}" -lt "${2#*.}" ]; }
}

minimum="$(sed -n '1s/^\([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' "$here/glibc-minimum" 2>/dev/null)"
system="$(glibc_version)"
if [ -n "$minimum" ] && [ -n "$system" ] && older_than "$system" "$minimum"; then
    message="Parley needs glibc $minimum or newer and this system has glibc $system: update the system or run Parley from source."
    echo "$message" >&2
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        if command -v notify-send >/dev/null 2>&1; then
            notify-send --app-name=Parley "Parley cannot start" "$message" 2>/dev/null
        elif command -v zenity >/dev/null 2>&1; then
            zenity --error --title="Parley cannot start" --text="$message" 2>/dev/null
        fi
    fi
    exit 1
fi
exec "$here/parley" "$@"
