#!/bin/sh
# run-under-xvfb.sh COMMAND [ARG]... - runs COMMAND on a private X server.
#
# Starts Xvfb on a display number it picks itself (-displayfd: the first free
# one), with a fresh MIT-MAGIC-COOKIE so that no other local client can
# connect, runs COMMAND with DISPLAY, XAUTHORITY and QT_QPA_PLATFORM=xcb set,
# then stops that Xvfb (by its PID) and removes the cookie. Every wait is
# bounded. Exit status: COMMAND's, or 1 when the X server could not start.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 COMMAND [ARG]..." >&2
    exit 2
fi
for tool in Xvfb xauth mcookie; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "xvfb: $tool is missing; tools/deps.sh installs xvfb and xauth." >&2
        exit 1
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/pg-xvfb-XXXXXX")
xvfb=""
cleanup() {
    if [ -n "$xvfb" ]; then
        kill "$xvfb" 2>/dev/null || true
        i=0
        while kill -0 "$xvfb" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$xvfb" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A wildcard entry (family ffff, no display number) matches whichever display
# Xvfb picks; the server reads the same file with -auth.
: >"$work/Xauthority"
cookie=$(mcookie)
printf 'ffff 0000  0000  0012 4d49542d4d414749432d434f4f4b49452d31 0010 %s\n' "$cookie" |
    xauth -q -f "$work/Xauthority" nmerge -

Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp -auth "$work/Xauthority" \
    3>"$work/display" 2>"$work/xvfb.log" &
xvfb=$!

i=0
while [ ! -s "$work/display" ]; do
    if ! kill -0 "$xvfb" 2>/dev/null || [ $i -ge 100 ]; then
        echo "xvfb: the X server did not start within 10 s:" >&2
        cat "$work/xvfb.log" >&2
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done
display=":$(tr -d '[:space:]' <"$work/display")"
echo "xvfb: running on display $display (pid $xvfb)"

status=0
DISPLAY=$display XAUTHORITY=$work/Xauthority QT_QPA_PLATFORM=xcb "$@" || status=$?
exit $status
