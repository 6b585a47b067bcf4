#!/usr/bin/env bash
# One member, ours vs Debian's real etcd, same workloads, same client (our bin/benchmark).
# Runs one server at a time (real etcd, then ours) on free ports with its own data dir on the same
# disk and default flags (same fsync behaviour): starts it, warms it up (JIT), runs every workload,
# stops it. Prints workload | etcd QPS | ours QPS | ratio | etcd p99 | ours p99.
#
# Usage: bench/compare.sh [--dir DIR] [--quick] [--keep]
#   --dir DIR   where the temporary data dirs go (default ${TMPDIR:-/tmp}); pick the disk to measure
#   --quick     a tenth of the requests (smoke test)
#   --keep      keep the data dirs and server logs
# Env: ETCD_BIN (default /usr/bin/etcd), ETCD_JAVA_OPTS (passed to our bin/etcd, default none),
#      ORDER (default "etcd ours": which server runs first in odd rounds), ROUNDS (default 2),
#      WARM_ROUND (default 1: an unreported round 0 with the first server).
# ROUNDS rounds alternate which server goes first (the second one measured up to 2x faster here in
# single runs, either way round); the table shows per-side means. Each measured run starts with
# --warmup requests of its own workload in the same load-tool JVM, unreported (the tool's JIT).
set -euo pipefail
src="${BASH_SOURCE[0]}"
while [ -L "$src" ]; do
  d="$(cd -P "$(dirname "$src")" && pwd)"; src="$(readlink "$src")"; [[ "$src" != /* ]] && src="$d/$src"
done
root="$(cd -P "$(dirname "$src")/.." && pwd)"

me=compare.sh
. "$root/bench/side-by-side.sh" "$@"

bm() { "$root/bin/benchmark" "$@"; }
kv() { printf '%s' "--key-size=8 --val-size=256"; }

# name|args (after --endpoints); totals are divided by $scale. The put and range totals are the ones
# etcd's performance doc (op-guide/performance.md) runs its benchmark with: 10,000 for one client,
# 100,000 for many; shorter runs measure mostly the first second of each run (connection set-up, the
# load tool's own JIT), where the p99 of either server comes from.
workloads=(
  "put, 1 client, 1 conn|--conns=1 --clients=1 --warmup=$((2000/scale)) put $(kv) --sequential-keys --key-space-size=100000 --total=$((10000/scale))"
  "put, 100 clients, 10 conns|--conns=10 --clients=100 --warmup=$((20000/scale)) put $(kv) --sequential-keys --key-space-size=100000 --total=$((100000/scale))"
  "range linearizable, 100 clients, 10 conns|--conns=10 --clients=100 --warmup=$((20000/scale)) range foo --consistency=l --total=$((100000/scale))"
  "range serializable, 100 clients, 10 conns|--conns=10 --clients=100 --warmup=$((20000/scale)) range foo --consistency=s --total=$((100000/scale))"
  "txn-put, 100 clients, 10 conns|--conns=10 --clients=100 --warmup=$((5000/scale)) txn-put $(kv) --key-space-size=100000 --total=$((20000/scale))"
)

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
# One server at a time: a second one idling beside the measured one is not idle on this disk
# (its unsynced writes ride along with the measured one's fsyncs on ext4), which skewed the
# comparison when both ran together.
# run_one WHO LABEL: starts real etcd or ours, warms it, runs every workload into
# $work/wI.WHO.LABEL, stops it.
run_one() {
  local who="$1" label="$2" e i w args round
  if [ "$who" = etcd ]; then start "etcd-$label" "$real_etcd"; else start "ours-$label" "$root/bin/etcd"; fi
  e="--endpoints=127.0.0.1:$port"
  # the key the range workloads read
  ETCDCTL_API=3 etcdctl "$e" put foo "$(head -c 256 /dev/zero | tr '\0' v)" >/dev/null
  # Warm-up, not reported, identical for both: a fresh JVM spends its first ~50k requests compiling
  # (C2 took ~25 s of CPU on 2 cores here), and recompiles once more after the first clients
  # disconnect, which would otherwise be measured as server time. Go has nothing to warm.
  echo "warming up $who (~$((60/scale)) s)..." >&2
  for round in 1 2; do
    bm $e --conns=10 --clients=100 put $(kv) --key-space-size=100000 --total=$((20000/scale)) >/dev/null
    bm $e --conns=10 --clients=100 range foo --consistency=l --total=$((10000/scale)) >/dev/null
    bm $e --conns=10 --clients=100 range foo --consistency=s --total=$((5000/scale)) >/dev/null
    bm $e --conns=10 --clients=100 txn-put $(kv) --key-space-size=100000 --total=$((5000/scale)) >/dev/null
    # one client is latency-bound: C2 was still compiling its path during a 2,000-put window
    bm $e --conns=1 --clients=1 put $(kv) --key-space-size=100000 --total=$((5000/scale)) >/dev/null
  done
  i=0
  for w in "${workloads[@]}"; do
    args="${w#*|}"; i=$((i+1))
    bm $e $args >"$work/w$i.$who.$label" 2>&1
  done
  stop_started
}

# Round 0, not reported (WARM_ROUND=0 skips it): the first server measured on an idle machine ran
# 15-20 % slower at put 100/10 than the same server later in the script, whichever it was.
if [ "${WARM_ROUND:-1}" = 1 ]; then
  run_one "$(rounds_order 1 | cut -d' ' -f1)" warm
  rm -f "$work"/w*.warm
fi
for r in $(seq 1 "${ROUNDS:-2}"); do
  for who in $(rounds_order "$r"); do
    run_one "$who" "r$r"
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo
print_results
