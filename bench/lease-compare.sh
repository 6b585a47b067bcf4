#!/usr/bin/env bash
# Issue 6's lease workload, one member, ours vs Debian's real etcd in one run (one server at a time), same client
# (bin/benchmark lease-keepalive): 100,000 leases kept alive by 100 clients (keep-alive QPS), then
# 10,000 leases expiring at once while a put load runs (longest put = the stall, and how long the
# expiry took). Default flags on both (etcd: 1000 revokes/s; ours too). Each server is started,
# warmed up, measured and stopped before the next one starts.
#
# Usage: bench/lease-compare.sh [--dir DIR] [--quick] [--keep]
#   --dir DIR   where the temporary data dirs go (default ${TMPDIR:-/tmp})
#   --quick     a tenth of the leases (smoke test)
#   --keep      keep the data dirs and server logs
# Env: ETCD_BIN (default /usr/bin/etcd), ETCD_JAVA_OPTS (passed to our bin/etcd, default none).
set -euo pipefail
src="${BASH_SOURCE[0]}"
while [ -L "$src" ]; do
  d="$(cd -P "$(dirname "$src")" && pwd)"; src="$(readlink "$src")"; [[ "$src" != /* ]] && src="$d/$src"
done
root="$(cd -P "$(dirname "$src")/.." && pwd)"

me=lease-compare.sh
. "$root/bench/side-by-side.sh" "$@"

leases=$((100000/scale)); expiring=$((10000/scale))
args="--conns=10 --clients=100 --leases=$leases --ttl=600 --window=16 --seconds=20 --expiring=$expiring --expiring-ttl=5 --put-clients=8"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
# One server at a time: a second one idling beside the measured one is not idle on this disk.
for who in etcd ours; do
  if [ "$who" = etcd ]; then start etcd "$real_etcd"; else start ours "$root/bin/etcd"; fi
  echo "warming up $who..." >&2
  "$root/bin/benchmark" lease-keepalive --endpoints="127.0.0.1:$port" --conns=10 --clients=100 --leases=$((10000/scale)) \
    --ttl=600 --seconds=10 --expiring=$((1000/scale)) --expiring-ttl=3 --put-clients=4 >/dev/null
  "$root/bin/benchmark" lease-keepalive --endpoints="127.0.0.1:$port" $args >"$work/$who.out" 2>&1 || true
  stop_started
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "etcd: $(tail -1 "$work/etcd.out")"
echo "ours: $(tail -1 "$work/ours.out")"
