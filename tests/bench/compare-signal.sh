#!/usr/bin/env bash
# compare-signal.sh: confab-signal and the article's Node server, side by
# side in one run, under the same bench-signal load; then confab-signal
# holding as many idle clients as it can, up to 100,000.
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   ./run bench compare-signal.sh [--reps N] [--clients N] [--duration S]
#                                 [--rate MSGS_PER_S] [--hold-clients N]
#                                 [--hold S] [--no-hold] [--no-node]
#
# Each repetition starts both servers afresh (so RSS before connecting is a
# fresh process's), alternating which goes first so that the machine's
# noise falls on both, and runs the same bench-signal command against each:
# register --clients, relay at saturation for --duration, then at --rate.
# Prints every run's figures and the medians side by side.  It reports;
# it never fails on a figure.
#
# confab-signal: $CONFAB_SIGNAL, else the build directory's.  bench-signal:
# $BENCH_SIGNAL, else the build directory's.  The Node server needs node and
# npm; its `websocket` package is installed into node-reference/ on first use.
set -euo pipefail

# Filled in by meson when this script is copied into the build directory;
# from the source tree they are found relative to the script.
top_srcdir='@top_srcdir@'
top_builddir='@top_builddir@'
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case "$top_srcdir" in @*) top_srcdir=$(cd "$here/../.." && pwd) ;; esac
case "$top_builddir" in @*) top_builddir=$top_srcdir/_build ;; esac

reps=3
clients=5000
duration=10
rate=10000
hold_clients=100000
hold_seconds=10
do_hold=1
do_node=1

while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --hold-clients) hold_clients=$2; shift 2 ;;
    --hold) hold_seconds=$2; shift 2 ;;
    --no-hold) do_hold=0; shift ;;
    --no-node) do_node=0; shift ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare-signal.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

confab=${CONFAB_SIGNAL:-$top_builddir/src/server/confab-signal}
bench=${BENCH_SIGNAL:-$top_builddir/tests/bench/bench-signal}
reference=$top_srcdir/tests/bench/node-reference

for f in "$confab" "$bench"; do
  if [ ! -x "$f" ]; then
    echo "compare-signal.sh: $f is not built (meson compile -C $top_builddir)" >&2
    exit 1
  fi
done

if [ "$do_node" = 1 ]; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "compare-signal.sh: the Node reference needs node and npm (apt-get install nodejs npm)" >&2
    exit 1
  fi
  if [ ! -d "$reference/node_modules/websocket" ]; then
    echo "==> Installing the reference server's npm packages" >&2
    (cd "$reference" && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; }) >&2
  fi
fi

work=$(mktemp -d)
server_pid=
server_port=

stop_server () {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}

cleanup () {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server confab|node: starts it on a free port of 127.0.0.1 and sets
# server_pid and server_port.
start_server () {
  local out=$work/server.out
  : >"$out"
  case "$1" in
    confab)
      "$confab" --host 127.0.0.1 --port 0 --quiet >"$out" 2>"$work/server.err" &
      ;;
    node)
      (cd "$reference" && exec node server.js 0) >"$out" 2>"$work/server.err" &
      ;;
  esac
  server_pid=$!
  for _ in $(seq 200); do
    server_port=$(sed -n -e 's|.*listening on ws://[^:]*:\([0-9][0-9]*\).*|\1|p' \
                         -e 's|^listening on server \([0-9][0-9]*\).*|\1|p' "$out" | head -n 1)
    [ -n "$server_port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "compare-signal.sh: the $1 server did not start:" >&2
  cat "$work/server.err" >&2
  exit 1
}

# run_bench NAME OUT ARGS...: one bench-signal run against a fresh server;
# the summary goes to stderr, the JSON line is added to OUT.
run_bench () {
  local name=$1 json=$2; shift 2
  start_server "$name"
  echo "==> $name (pid $server_pid, port $server_port): bench-signal $*" >&2
  "$bench" --url "ws://127.0.0.1:$server_port" --server-pid "$server_pid" "$@" \
    | tee "$work/last.out" | grep -v '^{' | sed 's/^/    /' >&2 || true
  grep '^{' "$work/last.out" | tail -n 1 >>"$json" || true
  stop_server
}

common=(--clients "$clients" --duration "$duration" --rate "$rate")
servers=(confab)
[ "$do_node" = 1 ] && servers+=(node)

for rep in $(seq "$reps"); do
  echo "==> Repetition $rep of $reps" >&2
  order=("${servers[@]}")
  if [ $((rep % 2)) = 0 ] && [ ${#servers[@]} = 2 ]; then
    order=(node confab)
  fi
  for s in "${order[@]}"; do
    run_bench "$s" "$work/$s.json" "${common[@]}"
  done
done

# The hold test: as many idle clients as asked, if the descriptor limit
# lets both the server and the bench have one each.
hold_note=
if [ "$do_hold" = 1 ]; then
  hard=$(ulimit -Hn)
  want=$hold_clients
  if [ "$hard" != unlimited ] && [ "$hard" -lt $((hold_clients + 100)) ]; then
    want=$(( (hard - 100) / 2 * 2 ))
    hold_note="RLIMIT_NOFILE's hard limit here is $hard: the server and the bench can hold $want clients each, not $hold_clients (raising it needs CAP_SYS_RESOURCE)"
    echo "==> $hold_note" >&2
  fi
  run_bench confab "$work/hold.json" --clients "$want" --duration 0 --hold "$hold_seconds" \
    --register-timeout 900
fi

# Medians and the table, in node when there (it reads JSON), else as raw
# lines.
[ -f "$work/confab.json" ] || { echo "compare-signal.sh: no figures" >&2; exit 1; }
touch "$work/node.json" "$work/hold.json"

cat <<EOF

compare-signal: medians of $reps run(s), each: $clients clients, $duration s at saturation,
$duration s at $rate msgs/s offered, 2 KiB SDP ($(nproc) cores, $(uname -r))
EOF

if ! command -v node >/dev/null; then
  cat "$work/confab.json" "$work/node.json" "$work/hold.json"
  exit 0
fi

HOLD_NOTE=$hold_note node - "$work/confab.json" "$work/node.json" "$work/hold.json" <<'EOF'
const fs = require("fs");
const [confabFile, nodeFile, holdFile] = process.argv.slice(2);
const read = f => fs.readFileSync(f, "utf8").split("\n").filter(l => l.startsWith("{")).map(l => JSON.parse(l));
const runs = { confab: read(confabFile), node: read(nodeFile) };
const hold = read(holdFile)[0];

const median = xs => {
  const v = xs.filter(x => typeof x === "number").sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const med = (server, key) => median(runs[server].map(r => r[key]));
const fmt = (x, digits = 0) => x === null ? "-" : x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = us => us === null ? "-" : (us / 1000).toFixed(2) + " ms";

const rows = [
  ["relayed msgs/s at saturation", "sat_msgs_per_s", x => fmt(x), "higher", ">= 50,000"],
  ["latency p50 at saturation", "sat_p50_us", ms, "lower", ""],
  ["latency p99 at saturation", "sat_p99_us", ms, "lower", ""],
  ["relayed msgs/s at --rate", "rate_msgs_per_s", x => fmt(x), "higher", ""],
  ["latency p50 at --rate", "rate_p50_us", ms, "lower", ""],
  ["latency p99 at --rate", "rate_p99_us", ms, "lower", "<= 2 ms at 10,000/s"],
  ["server CPU ms / 10k msgs (saturation)", "sat_server_cpu_ms_per_10k", x => fmt(x, 1), "lower", "<= 1/5 of Node"],
  ["server CPU ms / 10k msgs (--rate)", "rate_server_cpu_ms_per_10k", x => fmt(x, 1), "lower", ""],
  ["RSS KiB / idle registered connection", "rss_per_conn_kib", x => fmt(x, 2), "lower", "<= 10 KiB, <= 1/2 of Node"],
  ["register time, ms (all clients)", "register_ms", x => fmt(x, 0), "lower", ""],
  ["register time, us / client", "register_us_per_client", x => fmt(x, 1), "lower", ""],
  ["bench's own CPU % at saturation", "sat_bench_cpu_pct", x => fmt(x, 0), "", ""],
];

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log("");
console.log(pad("", 40) + lpad("confab-signal", 16) + lpad("Node (article)", 16) + lpad("confab/Node", 13) + "   target");
for (const [label, key, show, , target] of rows) {
  const c = med("confab", key), n = runs.node.length ? med("node", key) : null;
  const ratio = c !== null && n !== null && n !== 0 ? (c / n).toFixed(2) : "-";
  console.log(pad(label, 40) + lpad(show(c), 16) + lpad(runs.node.length ? show(n) : "-", 16) + lpad(ratio, 13) + "   " + target);
}

const problems = s => runs[s].reduce((sum, r) => sum + Object.values(r.errors).reduce((a, b) => a + b, 0), 0);
console.log("");
console.log(`problems over all runs: confab-signal ${problems("confab")}, Node ${runs.node.length ? problems("node") : "-"}` +
            " (error replies, refused names, closes, failed connects; see the runs above)");
if (hold) {
  console.log("");
  console.log(`hold: confab-signal held ${fmt(hold.registered)} of ${fmt(hold.clients)} registered clients; ` +
              `RSS ${fmt(hold.rss_per_conn_kib, 2)} KiB a connection after registering, ` +
              `${fmt(hold.rss_per_conn_held_kib, 2)} KiB after holding; register took ${fmt(hold.register_ms / 1000, 1)} s`);
  if (process.env.HOLD_NOTE) console.log("      " + process.env.HOLD_NOTE);
}
console.log("");
console.log("JSON of every run:");
for (const s of ["confab", "node"]) for (const r of runs[s]) console.log(JSON.stringify(r));
if (hold) console.log(JSON.stringify(hold));
EOF
