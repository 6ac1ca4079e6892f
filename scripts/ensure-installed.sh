#!/bin/sh
# Installs npm dependencies when node_modules is missing or older than the lockfile, so that
# `npm start` and `npm test` work on a fresh clone. The stamp records the lockfile it was made from.
# Also installs the media relay, rtpengine (Debian rtpengine-daemon), when it is missing and root
# may use apt; that step never fails the script: without rtpengine Callpane starts anyway and
# says that calls then work only between browsers on one network.
set -e
start_dir=$(pwd)
cd "$(dirname "$0")/.."
stamp=node_modules/.callpane-install-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "callpane: installing dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi

# Not wanted when the relay is off or runs elsewhere: media.relay never, or media.rtpengine.engines,
# from the environment or else the configuration file (CALLPANE_CONFIG, else ./callpane.json,
# as Callpane finds it; a --config given to `npm start --` is not seen here).
file_says=$(node_modules/.bin/node -e '
  const { readFileSync } = require("node:fs");
  const { resolve } = require("node:path");
  let media;
  try {
    media = JSON.parse(readFileSync(resolve(process.argv[1], process.env.CALLPANE_CONFIG?.trim() || "callpane.json"), "utf8")).media;
  } catch {
    process.exit(0);
  }
  if (media?.relay === "never") console.log("never");
  else if (Array.isArray(media?.rtpengine?.engines) && media.rtpengine.engines.length > 0) console.log("external");
' "$start_dir" 2>/dev/null || true)
relay=${CALLPANE_MEDIA_RELAY:-}
[ -n "$relay" ] || [ "$file_says" != never ] || relay=never
engines=${CALLPANE_MEDIA_RTPENGINE_ENGINES:-}
[ -n "$engines" ] || [ "$file_says" != external ] || engines=configured

# A failed install (offline, no such package in this distribution) is tried again after a day,
# not at every start: each attempt runs apt-get update as root.
failed=node_modules/.callpane-rtpengine-install-failed
retry_after=86400
failed_recently() {
  [ -f "$failed" ] || return 1
  at=$(cut -d' ' -f1 "$failed")
  case "$at" in '' | *[!0-9]*) return 1 ;; esac
  [ $(($(date +%s) - at)) -lt "$retry_after" ]
}

if [ "$relay" != never ] && [ -z "$engines" ] \
  && ! command -v rtpengine >/dev/null 2>&1 \
  && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if failed_recently; then
    echo "callpane: not installing rtpengine-daemon again before a day has passed since it failed at $(cut -d' ' -f2 "$failed") (delete $failed to try now)" >&2
  else
    log="${TMPDIR:-/tmp}/callpane-apt.log"
    echo "callpane: installing the media relay rtpengine (apt-get install rtpengine-daemon)…" >&2
    if { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rtpengine-daemon; } >"$log" 2>&1; then
      rm -f "$failed"
    else
      date -u '+%s %Y-%m-%dT%H:%M:%SZ' >"$failed"
      echo "callpane: could not install rtpengine-daemon (see $log); starting without a media relay; next attempt in a day" >&2
    fi
  fi
fi
