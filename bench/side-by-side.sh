# Shared by the bench/*compare.sh scripts (sourced, not run): checks for real etcd, builds what is
# missing, makes the work dir (removed on exit unless $keep=1), and defines free_port and
# start NAME BINARY, which starts one single-member server on free loopback ports, waits until
# /health says true and sets $port; every server started is stopped on exit.
# Expects: $root (repository root), $base (parent of the work dir), $keep (0/1), $me (script name).
real_etcd="${ETCD_BIN:-/usr/bin/etcd}"
[ -x "$real_etcd" ] || { echo "$me: real etcd not found at $real_etcd (apt-get install etcd-server)" >&2; exit 2; }
if [ ! -f "$root/server/target/etcd-java-server.jar" ] || [ ! -f "$root/bench/target/classes/io/etcdjava/bench/tool/Benchmark.class" ]; then
  echo "$me: building (mvn -pl server,bench -am package -DskipTests)..." >&2
  (cd "$root" && mvn -q -B -ntp -pl server,bench -am package -DskipTests)
fi

work="$(mktemp -d "$base/etcd-${me%.sh}.XXXXXX")"
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
# A free loopback port, never 23790 (a user's etcd may live there) nor one handed out before.
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
  echo "$me: $name did not become healthy; its log:" >&2
  tail -30 "$work/$name/log" >&2
  exit 1
}
