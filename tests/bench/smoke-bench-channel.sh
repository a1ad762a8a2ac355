#!/usr/bin/env bash
# smoke-bench-channel.sh BENCH: three calls, a few round trips and a small
# bulk transfer between two sessions, and the same on bare webrtcbin,
# checking that bench-channel runs through and that every figure comes
# out as a number.  It never judges a figure.
set -euo pipefail

bench=${1:?usage: smoke-bench-channel.sh BENCH}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$bench" --calls 3 --round-trips 20 --bulk 4 --bulk-size 262144 --timeout 30 | tee "$out"

json=$(grep '^{' "$out" | tail -n 1)
status=0
for part in confab webrtcbin; do
  for key in accept_to_open_callee_p50_ms accept_to_open_caller_p50_ms rtt_p50_ms rtt_p99_ms \
             bulk_seconds bulk_mb_per_s; do
    # Each must be a measured number: present and not negative.
    if ! printf '%s\n' "$json" | grep -Eq "\"$part\":\\{[^}]*\"$key\":[0-9]"; then
      echo "no figure for $part.$key" >&2
      status=1
    fi
  done
done
if ! printf '%s\n' "$json" | grep -Eq '"confab":\{[^}]*"call_to_open_p50_ms":[0-9]'; then
  echo "no figure for confab.call_to_open_p50_ms" >&2
  status=1
fi
exit $status
