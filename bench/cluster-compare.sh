#!/usr/bin/env bash
# Three members, ours vs Debian's real etcd, same workloads, same client (our bin/benchmark).
# Runs one cluster at a time on this machine (6 servers and a client at once would measure the
# scheduler): start 3 real etcd members on free loopback ports, warm up, run the workloads, stop
# them; then the same with 3 of ours. Prints workload | etcd QPS | ours QPS | ratio | p99s.
# Workloads (issue #4): put, 1 client, to the leader; put, 256 clients over 16 conns, to the
# leader; linearizable range of one key on a follower, 100 clients over 10 conns. Totals as etcd's
# performance doc: 10,000 one-client puts, 100,000 requests with many clients (shorter runs mostly
# measure the load tool's own JIT warm-up: a new JVM per run).
#
# Each measured run starts with --warmup requests of its own workload in the same load-tool JVM,
# unreported: otherwise a third of the machine goes to the tool's C2 compiler during the window.
# ROUNDS rounds (default 2) alternate which cluster goes first; the table shows per-side means
# (this machine's QPS moves by 20 % between identical runs).
#
# Usage: bench/cluster-compare.sh [--dir DIR] [--quick] [--keep]
# Env: ETCD_BIN (default /usr/bin/etcd), ETCD_JAVA_OPTS (passed to our bin/etcd),
#      ORDER (default "etcd ours": which cluster runs first in odd rounds), ROUNDS (default 2),
#      WARM_ROUND (default 1: an unreported round 0 with the first cluster).
set -euo pipefail
src="${BASH_SOURCE[0]}"
while [ -L "$src" ]; do
  d="$(cd -P "$(dirname "$src")" && pwd)"; src="$(readlink "$src")"; [[ "$src" != /* ]] && src="$d/$src"
done
root="$(cd -P "$(dirname "$src")/.." && pwd)"

me=cluster-compare.sh
. "$root/bench/side-by-side.sh" "$@"

bm() { "$root/bin/benchmark" "$@"; }
kv="--key-size=8 --val-size=256"
workloads=(
  "put, 1 client, leader|leader|--conns=1 --clients=1 --warmup=$((2000/scale)) put $kv --sequential-keys --key-space-size=100000 --total=$((10000/scale))"
  "put, 256 clients, 16 conns, leader|leader|--conns=16 --clients=256 --warmup=$((100000/scale)) put $kv --sequential-keys --key-space-size=100000 --total=$((100000/scale))"
  "range linearizable, 100/10, follower|follower|--conns=10 --clients=100 --warmup=$((30000/scale)) range foo --consistency=l --total=$((100000/scale))"
)

# leader_and_follower ENDPOINTS -> "leaderEndpoint followerEndpoint" from endpoint status
leader_and_follower() {
  ETCDCTL_API=3 etcdctl --endpoints="$1" endpoint status -w json | python3 -c '
import json, sys
st = json.load(sys.stdin)
lead = [s["Endpoint"] for s in st if s["Status"]["header"]["member_id"] == s["Status"]["leader"]]
rest = [s["Endpoint"] for s in st if s["Endpoint"] not in lead]
print(lead[0].replace("http://", ""), rest[0].replace("http://", ""))'
}

# run_side NAME BINARY ROUND: start a cluster, warm it, run every workload into $work/wI.NAME.ROUND
run_side() {
  local name="$1" bin="$2" r="$3" i w target args lf leader follower
  start_cluster "$name-r$r" "$bin" 3
  ETCDCTL_API=3 etcdctl --endpoints="$cluster_endpoints" put foo "$(head -c 256 /dev/zero | tr '\0' v)" >/dev/null
  read -r leader follower < <(leader_and_follower "$cluster_endpoints")
  echo "$name: leader $leader, follower $follower; warming up..." >&2
  # WARMUPS times (default 4): a JVM recompiles its request path after the first clients disconnect,
  # and its optimizing compiler is still busy after two rounds (a fifth of a core on the leader, with
  # QPS 20-40 % below its steady state), so C2 still compiling would be measured as member time.
  for round in $(seq 1 "${WARMUPS:-4}"); do
    bm --endpoints="$leader" --conns=16 --clients=256 put $kv --key-space-size=100000 --total=$((40000/scale)) >/dev/null
    bm --endpoints="$follower" --conns=10 --clients=100 range foo --consistency=l --total=$((20000/scale)) >/dev/null
    bm --endpoints="$leader" --conns=1 --clients=1 put $kv --total=$((5000/scale)) >/dev/null
  done
  i=0
  for w in "${workloads[@]}"; do
    i=$((i+1)); IFS='|' read -r _ target args <<<"$w"
    if [ "$target" = leader ]; then lf="$leader"; else lf="$follower"; fi
    bm --endpoints="$lf" $args >"$work/w$i.$name.$r" 2>&1
  done
  stop_started
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
# Round 0, not reported (WARM_ROUND=0 skips it): the first cluster measured on an idle machine ran
# slower than the same one later in the script, whichever it was.
if [ "${WARM_ROUND:-1}" = 1 ]; then
  first="$(rounds_order 1 | cut -d' ' -f1)"
  if [ "$first" = etcd ]; then run_side etcd "$real_etcd" warm; else run_side ours "$root/bin/etcd" warm; fi
  rm -f "$work"/w*.warm
fi
rounds="${ROUNDS:-2}"
for r in $(seq 1 "$rounds"); do
  for who in $(rounds_order "$r"); do
    if [ "$who" = etcd ]; then run_side etcd "$real_etcd" "$r"; else run_side ours "$root/bin/etcd" "$r"; fi
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo
print_results
