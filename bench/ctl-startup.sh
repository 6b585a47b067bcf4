#!/usr/bin/env bash
# Wall time of `etcdctl get foo` against a running member: etcd-java's bin/etcdctl vs Go's etcdctl.
#   bench/ctl-startup.sh                 # starts a throwaway /usr/bin/etcd on free loopback ports
#   ENDPOINT=127.0.0.1:23790 bench/ctl-startup.sh [runs]
# Uses hyperfine when installed (apt-get install -y hyperfine), else a loop timed with date +%s%N.
set -euo pipefail
here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ours="$here/../bin/etcdctl"
go="${GO_ETCDCTL:-/usr/bin/etcdctl}"
runs="${1:-20}"
etcd_pid=""
tmp=""
cleanup() {
  if [ -n "$etcd_pid" ]; then kill "$etcd_pid" 2>/dev/null || true; wait "$etcd_pid" 2>/dev/null || true; fi
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

if [ -z "${ENDPOINT:-}" ]; then
  tmp="$(mktemp -d)"
  cport="$(free_port)"; pport="$(free_port)"
  while [ "$cport" = 2379 ] || [ "$cport" = 2380 ]; do cport="$(free_port)"; done
  while [ "$pport" = 2379 ] || [ "$pport" = 2380 ] || [ "$pport" = "$cport" ]; do pport="$(free_port)"; done
  /usr/bin/etcd --name bench --data-dir "$tmp/data" \
    --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "bench=http://127.0.0.1:$pport" >"$tmp/etcd.log" 2>&1 &
  etcd_pid=$!
  ENDPOINT="127.0.0.1:$cport"
  for _ in $(seq 1 300); do
    if curl -fs "http://$ENDPOINT/health" 2>/dev/null | grep -q true; then break; fi
    sleep 0.1
  done
fi

"$go" --endpoints="$ENDPOINT" put foo bar >/dev/null
# one warm-up run each (page cache, CDS archive mapping)
"$ours" --endpoints="$ENDPOINT" get foo >/dev/null
"$go" --endpoints="$ENDPOINT" get foo >/dev/null

if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 3 --runs "$runs" \
    -n "etcd-java etcdctl" "$ours --endpoints=$ENDPOINT get foo" \
    -n "Go etcdctl" "$go --endpoints=$ENDPOINT get foo"
  exit 0
fi

measure() {
  local name="$1"; shift
  local total=0 min=0 max=0
  for _ in $(seq 1 "$runs"); do
    local t0 t1 ms
    t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    total=$((total + ms))
    if [ "$min" = 0 ] || [ "$ms" -lt "$min" ]; then min=$ms; fi
    if [ "$ms" -gt "$max" ]; then max=$ms; fi
  done
  printf '%-20s mean %4d ms   min %4d ms   max %4d ms   (%d runs)\n' "$name" $((total / runs)) "$min" "$max" "$runs"
}
measure "etcd-java etcdctl" "$ours" --endpoints="$ENDPOINT" get foo
measure "Go etcdctl" "$go" --endpoints="$ENDPOINT" get foo
