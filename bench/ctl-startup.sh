#!/usr/bin/env bash
# Start-up cost of `etcdctl get foo` against a running member: etcd-java's bin/etcdctl vs Go's etcdctl
# (and `etcdctl version`, which never connects). Each command runs N times (after warm-up runs); the
# table gives median and p90 of wall time and of user+sys CPU time (GNU time), the latter being less
# sensitive to other load on the machine.
#   bench/ctl-startup.sh [runs]          # starts a throwaway /usr/bin/etcd on free loopback ports
#   ENDPOINT=127.0.0.1:23790 bench/ctl-startup.sh [runs]
#   HYPERFINE=1 bench/ctl-startup.sh     # also runs hyperfine (apt-get install -y hyperfine) on `get foo`
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
[ -n "$tmp" ] || tmp="$(mktemp -d)"

# one row: median and p90 of wall and user+sys over $runs runs, after 3 warm-up runs
measure() {
  local name="$1"; shift
  local log="$tmp/times"
  : >"$log"
  for _ in 1 2 3; do "$@" >/dev/null 2>&1; done
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -f "%e %U %S" -a -o "$log" "$@" >/dev/null 2>&1
  done
  python3 - "$name" "$log" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[2]) if l.strip() and l[0].isdigit()]
wall = sorted(float(r[0]) * 1000 for r in rows)
cpu = sorted((float(r[1]) + float(r[2])) * 1000 for r in rows)
q = lambda v, p: v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]
print("%-28s %6.0f %6.0f %9.0f %6.0f %6d" % (sys.argv[1], q(wall, .5), q(wall, .9), q(cpu, .5), q(cpu, .9), len(rows)))
PY
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)   endpoint: $ENDPOINT"
printf '%-28s %6s %6s %9s %6s %6s\n' "command (ms)" "wall50" "wall90" "user+sys50" "cpu90" "runs"
measure "etcd-java etcdctl get foo" "$ours" --endpoints="$ENDPOINT" get foo
measure "Go etcdctl get foo" "$go" --endpoints="$ENDPOINT" get foo
measure "etcd-java etcdctl version" "$ours" version
measure "Go etcdctl version" "$go" version
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ -n "${HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 3 --runs "$runs" \
    -n "etcd-java etcdctl" "$ours --endpoints=$ENDPOINT get foo" \
    -n "Go etcdctl" "$go --endpoints=$ENDPOINT get foo"
fi
