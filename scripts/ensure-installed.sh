#!/bin/sh
# Installs npm dependencies when node_modules is missing or older than the lockfile, so that
# `npm start` and `npm test` work on a fresh clone. The stamp records the lockfile it was made from.
set -e
cd "$(dirname "$0")/.."
stamp=node_modules/.callpane-install-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "callpane: installing dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi
