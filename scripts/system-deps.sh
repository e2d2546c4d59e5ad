#!/bin/sh
# Installs the Debian tools the test suite uses (ffmpeg for media fixtures, chromium for
# browser tests) when they are missing. Without root it only says what is missing: the
# tests that need them then skip and say why.
missing=""
command -v ffmpeg >/dev/null 2>&1 || missing="$missing ffmpeg"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing"
    apt-get update -qq >/dev/null && \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || \
        echo "warning: could not install$missing; tests that need them will skip"
else
    echo "note: not installed:$missing (tests that need them will skip); install with apt-get"
fi
exit 0
