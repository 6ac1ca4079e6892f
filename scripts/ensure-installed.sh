#!/bin/sh
# Installs npm dependencies when node_modules is missing or older than the lockfile, so that
# `npm start` and `npm test` work on a fresh clone. The stamp records the lockfile it was made from.
# Also installs the media relay, rtpengine (Debian rtpengine-daemon), when it is missing and root
# may use apt; that step never fails the script: without rtpengine Callpane starts anyway and
# says that calls then work only between browsers on one network.
set -e
cd "$(dirname "$0")/.."
stamp=node_modules/.callpane-install-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "callpane: installing dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi

# Not wanted when the relay is off or runs elsewhere (CALLPANE_MEDIA_RELAY, CALLPANE_MEDIA_RTPENGINE_ENGINES).
if [ "${CALLPANE_MEDIA_RELAY:-}" != never ] && [ -z "${CALLPANE_MEDIA_RTPENGINE_ENGINES:-}" ] \
  && ! command -v rtpengine >/dev/null 2>&1 \
  && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log="${TMPDIR:-/tmp}/callpane-apt.log"
  echo "callpane: installing the media relay rtpengine (apt-get install rtpengine-daemon)…" >&2
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rtpengine-daemon; } >"$log" 2>&1; then
    echo "callpane: could not install rtpengine-daemon (see $log); starting without a media relay" >&2
  fi
fi
