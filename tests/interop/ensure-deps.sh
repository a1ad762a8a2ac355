#!/bin/sh
# ensure-deps.sh [DIR]: installs the npm packages that DIR's package.json
# names (pinned by its package-lock.json) when any is missing from
# DIR/node_modules, and nothing else.  DIR is this folder (playwright-core)
# by default; the interop tests also give it tests/bench/node-reference (the
# article's server and its `websocket` package).  Chromium comes from Debian
# (apt install chromium), never from a download.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "${1:-$here}"

installed () {
  node -e '
    const fs = require("fs");
    const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const names = Object.keys({ ...p.dependencies, ...p.devDependencies });
    process.exit(names.every((n) => fs.existsSync(`node_modules/${n}/package.json`)) ? 0 : 1);'
}

installed && exit 0
# Several tests may start at once: one installs, the others wait for it.
# The lock lives here whatever DIR is (.gitignore knows it).
exec 9> "$here/.ensure-deps.lock"
if command -v flock > /dev/null; then flock 9; fi
installed && exit 0
npm ci --no-audit --no-fund --loglevel=error >&2
