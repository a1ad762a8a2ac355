#!/bin/sh
# Installs the interop tests' one npm dependency (playwright-core, pinned by
# package-lock.json) when node_modules is missing, and nothing else: Chromium
# comes from Debian (apt install chromium), never from a download.
set -eu
cd "$(dirname "$0")"
[ -f node_modules/playwright-core/package.json ] && exit 0
# Several tests may start at once: one installs, the others wait for it.
exec 9> .ensure-deps.lock
if command -v flock > /dev/null; then flock 9; fi
[ -f node_modules/playwright-core/package.json ] && exit 0
npm ci --no-audit --no-fund --loglevel=error >&2
