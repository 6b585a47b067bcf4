#!/usr/bin/env bash
# Issue 6's lease workload, one member, ours vs Debian's real etcd in one run, same client
# (bin/benchmark lease-keepalive): 100,000 leases kept alive by 100 clients (keep-alive QPS), then
# 10,000 leases expiring at once while a put load runs (longest put = the stall, and how long the
# expiry took). Default flags on both (etcd: 1000 revokes/s; ours too). Stops both servers on exit.
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

base="${TMPDIR:-/tmp}"; scale=1; keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) base="$2"; shift 2 ;;
    --quick) scale=10; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "lease-compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

real_etcd="${ETCD_BIN:-/usr/bin/etcd}"
[ -x "$real_etcd" ] || { echo "lease-compare.sh: real etcd not found at $real_etcd (apt-get install etcd-server)" >&2; exit 2; }
if [ ! -f "$root/server/target/etcd-java-server.jar" ] || [ ! -f "$root/bench/target/classes/io/etcdjava/bench/tool/Benchmark.class" ]; then
  echo "lease-compare.sh: building (mvn -pl server,bench -am package -DskipTests)..." >&2
  (cd "$root" && mvn -q -B -ntp -pl server,bench -am package -DskipTests)
fi

work="$(mktemp -d "$base/etcd-lease-compare.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null || true
  done
  if [ "$keep" = 1 ]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

declare -A taken=()
free_port() {
  local p
  while true; do
    p=$(( 20000 + RANDOM % 20000 ))
    [ "$p" = 23790 ] && continue
    [ -n "${taken[$p]:-}" ] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      taken[$p]=1; echo "$p"; return
    fi
  done
}

# start NAME BINARY -> sets $port, appends the pid
start() {
  local name="$1" bin="$2" cport pport
  cport=$(free_port); pport=$(free_port)
  mkdir -p "$work/$name"
  "$bin" --name "$name" --data-dir "$work/$name/data" \
    --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "$name=http://127.0.0.1:$pport" >"$work/$name/log" 2>&1 &
  pids+=("$!")
  local i
  for i in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$cport/health" 2>/dev/null | grep -q '"health":"true"'; then
      port="$cport"; return
    fi
    if ! kill -0 "$!" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "lease-compare.sh: $name did not become healthy; its log:" >&2
  tail -30 "$work/$name/log" >&2
  exit 1
}

start etcd "$real_etcd"; etcd_port="$port"
start ours "$root/bin/etcd"; ours_port="$port"

leases=$((100000/scale)); expiring=$((10000/scale))
args="--conns=10 --clients=100 --leases=$leases --ttl=600 --window=16 --seconds=20 --expiring=$expiring --expiring-ttl=5 --put-clients=8"
echo "warming up both servers..." >&2
for p in "$etcd_port" "$ours_port"; do
  "$root/bin/benchmark" lease-keepalive --endpoints="127.0.0.1:$p" --conns=10 --clients=100 --leases=$((10000/scale)) \
    --ttl=600 --seconds=10 --expiring=$((1000/scale)) --expiring-ttl=3 --put-clients=4 >/dev/null
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
"$root/bin/benchmark" lease-keepalive --endpoints="127.0.0.1:$etcd_port" $args >"$work/etcd.out" 2>&1 || true
"$root/bin/benchmark" lease-keepalive --endpoints="127.0.0.1:$ours_port" $args >"$work/ours.out" 2>&1 || true
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "etcd: $(tail -1 "$work/etcd.out")"
echo "ours: $(tail -1 "$work/ours.out")"
