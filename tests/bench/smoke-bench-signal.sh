#!/usr/bin/env bash
# smoke-bench-signal.sh BENCH: 50 clients for 1 s against the real
# confab-signal ($CONFAB_SIGNAL), checking that bench-signal and the server
# work together and that every figure comes out.  It never judges a figure:
# speed is for the benchmark to report, not for a test to assert.
set -euo pipefail

bench=${1:?usage: smoke-bench-signal.sh BENCH}
server=${CONFAB_SIGNAL:?CONFAB_SIGNAL names the confab-signal binary}
work=$(mktemp -d)
pid=

cleanup () {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --rate 0: 50 clients at full speed each send far more than the default
# 50 messages a second that the server allows one client.
"$server" --host 127.0.0.1 --port 0 --rate 0 --quiet >"$work/server.out" 2>"$work/server.err" &
pid=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$work/server.out" 2>/dev/null && break
  sleep 0.05
done
port=$(sed -n 's|.*listening on ws://[^:]*:\([0-9]*\).*|\1|p' "$work/server.out")
if [ -z "$port" ]; then
  echo "Bail out! confab-signal did not start"
  cat "$work/server.err"
  exit 1
fi

"$bench" --url "ws://127.0.0.1:$port" --clients 50 --duration 1 --warmup 0.2 \
  --rate 1000 --server-pid "$pid" | tee "$work/bench.out"

json=$(grep '^{' "$work/bench.out" | tail -n 1)
status=0
for key in register_ms rss_per_conn_kib sat_msgs_per_s sat_p50_us sat_p99_us \
           sat_server_cpu_ms_per_10k rate_msgs_per_s rate_p50_us rate_p99_us; do
  # Each must be a number, not null: the figure was measured.
  if ! printf '%s\n' "$json" | grep -Eq "\"$key\":[0-9]"; then
    echo "no figure for $key" >&2
    status=1
  fi
done
if ! printf '%s\n' "$json" | grep -q '"registered":50,'; then
  echo "not every client registered" >&2
  status=1
fi
if ! printf '%s\n' "$json" | grep -q '"errors":{"error_replies":0,"names_taken":0,"closed_by_server":0,"protocol":0,"unexpected":0'; then
  echo "the server answered with errors or closed connections" >&2
  status=1
fi
exit $status
