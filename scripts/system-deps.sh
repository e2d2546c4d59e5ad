#!/bin/sh
# Installs the Debian tools the suite uses when they are missing: ffmpeg (media fixtures),
# chromium (browser test), nginx (deployment check, feed benchmark), nodejs and npm
# (podcast-partytime, the Podcast Index's feed parser), postgresql-client (pg_dump and pg_restore
# for backups of a PostgreSQL catalogue); `bench` adds wrk.
# Without root it only says what is missing: the tests that need them skip and say why.
# Each entry is command:package.
tools="ffmpeg:ffmpeg chromium:chromium nginx:nginx node:nodejs npm:npm pg_dump:postgresql-client"
[ "$1" = "bench" ] && tools="$tools wrk:wrk"
missing=""
for entry in $tools; do
    tool=${entry%%:*}
    package=${entry#*:}
    path=$(command -v "$tool" 2>/dev/null || true)
    [ -z "$path" ] && [ -x "/usr/sbin/$tool" ] && path="/usr/sbin/$tool"
    [ -z "$path" ] && missing="$missing $package"
done
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
