#!/usr/bin/env bash
# Watch delivery, ours vs Debian's real etcd, with our bin/benchmark watch-latency (etcd's
# `benchmark watch-latency`: a sample is put-sent -> event-received, one per watcher per put).
#   1. big fan-out, ours only: 10,000 watchers on one key over 100 streams, 1,000 puts
#      (10,000,000 events): delivered count, p99, and the member's peak RSS (VmHWM).
#   2. 100 watchers (10 streams x 10) x 2,000 puts against real etcd and ours, one server at a
#      time, each warmed up by $WARM_ROUNDS (8) runs of 1,000 puts, in $ROUNDS (3) rounds that
#      alternate which goes first: mean p99 of both, and each round's. The measured run starts
#      with 2,000 unreported put rounds on its own streams (--warmup): without them the load
#      tool's JIT competed with the server on this 2-core machine during the measurement.
# Prints the load average before and after (the machine may be shared).
#
# Usage: bench/watch-compare.sh [--dir DIR] [--quick] [--keep] [--big-only|--compare-only]
#   --dir DIR   where the temporary data dirs go (default ${TMPDIR:-/tmp})
#   --quick     a tenth of the puts (smoke test)
#   --keep      keep the data dirs and server logs
# Env: ETCD_BIN (default /usr/bin/etcd), ETCD_JAVA_OPTS (passed to our bin/etcd),
#      BENCHMARK_JAVA_OPTS (the load tool's JVM; default -Xmx2g: it keeps every sample),
#      BIG_STREAMS (100), BIG_WATCHERS_PER_STREAM (100), BIG_PUTS (1000), WARM_ROUNDS (8),
#      ROUNDS (3), ORDER (default "etcd ours": who goes first in odd rounds).
set -euo pipefail
src="${BASH_SOURCE[0]}"
while [ -L "$src" ]; do
  d="$(cd -P "$(dirname "$src")" && pwd)"; src="$(readlink "$src")"; [[ "$src" != /* ]] && src="$d/$src"
done
root="$(cd -P "$(dirname "$src")/.." && pwd)"

base="${TMPDIR:-/tmp}"; scale=1; keep=0; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) base="$2"; shift 2 ;;
    --quick) scale=10; shift ;;
    --big-only) only=big; shift ;;
    --compare-only) only=compare; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "watch-compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

me=watch-compare.sh
declare -A rss=()
. "$root/bench/side-by-side.sh"

export BENCHMARK_JAVA_OPTS="${BENCHMARK_JAVA_OPTS:--Xmx2g}"
bm() { "$root/bin/benchmark" "$@"; }
delivered() { awk '/^Events delivered:/ {print $3 " of " $5}' "$1"; }
hwm() { awk '/^VmHWM:/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
# start_warm NAME BINARY: one server alone (an idle second one is not idle on this disk), warmed
# up identically: $WARM_ROUNDS watch runs (default 8). A JVM compiles the delivery path again after
# its first clients disconnect, and C2 still spent ~0.9 s of CPU in a fourth run (0.36 s in a ninth):
# fewer rounds measure the JIT, not the server. Sets $port and $pid.
start_warm() {
  start "$1" "$2"; pid="${pids[-1]}"
  echo "warming up $1..." >&2
  for round in $(seq "${WARM_ROUNDS:-8}"); do
    bm --endpoints="127.0.0.1:$port" watch-latency --streams=10 --watchers-per-stream=10 --put-total=$((1000/scale)) --put-rate=0 >/dev/null
  done
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"

if [ "$only" != compare ]; then
  start_warm ours "$root/bin/etcd"
  bs="${BIG_STREAMS:-100}"; bw="${BIG_WATCHERS_PER_STREAM:-100}"; bp=$(( ${BIG_PUTS:-1000} / scale ))
  bm --endpoints="127.0.0.1:$port" --conns=10 watch-latency --streams="$bs" --watchers-per-stream="$bw" \
    --put-total="$bp" --put-rate=0 >"$work/big.ours" 2>&1 || true
  echo "big fan-out (ours): $((bs*bw)) watchers over $bs streams x $bp puts: delivered $(delivered "$work/big.ours"), p99 $(p99 "$work/big.ours") s, member peak RSS $(hwm "$pid")"
  tail -n +1 "$work/big.ours" | sed -n '1,8p' >&2
  stop_started
fi

if [ "$only" != big ]; then
  n=$((2000/scale))
  for r in $(seq 1 "${ROUNDS:-3}"); do
    for who in $(rounds_order "$r"); do
      if [ "$who" = etcd ]; then start_warm etcd-r$r "$real_etcd"; else start_warm ours-r$r "$root/bin/etcd"; fi
      bm --endpoints="127.0.0.1:$port" --warmup="$n" watch-latency --streams=10 --watchers-per-stream=10 --put-total="$n" --put-rate=0 >"$work/cmp.$who.$r" 2>&1 || true
      rss[$who]="$(hwm "$pid")"
      stop_started
    done
  done
  each() { local f out=""; for f in "$work"/cmp.$1.*; do out="${out:+$out, }$(p99 "$f")"; done; echo "$out"; }
  echo "100 watchers x $n puts, mean of ${ROUNDS:-3} rounds: etcd p99 $(p99 "$work"/cmp.etcd.*) s (delivered $(delivered "$work/cmp.etcd.1") in round 1), ours p99 $(p99 "$work"/cmp.ours.*) s (delivered $(delivered "$work/cmp.ours.1") in round 1)"
  echo "p99 per round (s): etcd $(each etcd); ours $(each ours)"
  echo "peak RSS: etcd ${rss[etcd]}, ours ${rss[ours]}"
fi
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
