# Shared by the bench/*compare.sh scripts (sourced, not run): checks for real etcd, builds what is
# missing, makes the work dir (removed on exit unless $keep=1), and defines free_port and
# start NAME BINARY, which starts one single-member server on free loopback ports, waits until
# /health says true and sets $port; every server started is stopped on exit.
# Expects $root (repository root) and $me (script name); sourced with the script's arguments, it
# parses the options every compare script takes: --dir DIR (parent of the work dir, default
# $TMPDIR or /tmp), --quick (sets $scale=10: a tenth of the requests), --keep, -h/--help (prints
# the script's leading comment).
base="${base:-${TMPDIR:-/tmp}}"; scale="${scale:-1}"; keep="${keep:-0}"  # a script that parsed its own options keeps them
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) base="$2"; shift 2 ;;
    --quick) scale=10; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "$me: unknown argument $1" >&2; exit 2 ;;
  esac
done
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

# start_cluster NAME BINARY N -> starts N members NAME-1..NAME-N as one cluster on free loopback
# ports, waits until every member's /health says true, sets $cluster_endpoints (host:port,...).
start_cluster() {
  local name="$1" bin="$2" n="$3" k initial="" cports=() pports=() first=${#pids[@]}
  for k in $(seq 1 "$n"); do
    cports+=("$(free_port)"); pports+=("$(free_port)")
    initial="${initial:+$initial,}$name-$k=http://127.0.0.1:${pports[$((k-1))]}"
  done
  for k in $(seq 1 "$n"); do
    mkdir -p "$work/$name-$k"
    "$bin" --name "$name-$k" --data-dir "$work/$name-$k/data" --initial-cluster-token "$name" \
      --listen-client-urls "http://127.0.0.1:${cports[$((k-1))]}" \
      --advertise-client-urls "http://127.0.0.1:${cports[$((k-1))]}" \
      --listen-peer-urls "http://127.0.0.1:${pports[$((k-1))]}" \
      --initial-advertise-peer-urls "http://127.0.0.1:${pports[$((k-1))]}" \
      --initial-cluster "$initial" >"$work/$name-$k/log" 2>&1 &
    pids+=("$!")
  done
  cluster_endpoints=""
  for k in $(seq 1 "$n"); do
    local i ok=0
    for i in $(seq 1 300); do
      if curl -sf "http://127.0.0.1:${cports[$((k-1))]}/health" 2>/dev/null | grep -q '"health":"true"'; then
        ok=1; break
      fi
      if ! kill -0 "${pids[$((first+k-1))]}" 2>/dev/null; then break; fi
      sleep 0.2
    done
    if [ "$ok" != 1 ]; then
      echo "$me: $name-$k did not become healthy; its log:" >&2
      tail -30 "$work/$name-$k/log" >&2
      exit 1
    fi
    cluster_endpoints="${cluster_endpoints:+$cluster_endpoints,}127.0.0.1:${cports[$((k-1))]}"
  done
}

# stop_started: stops every server started so far and waits for them.
stop_started() {
  local p
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  pids=()
  # Write back what the stopped server left dirty in the page cache (ours leaves RocksDB WAL appends
  # unsynced) before the next one starts: otherwise the next server's fsyncs carry it on ext4, and
  # whichever runs second after ours measured 20-40 % slower.
  sync
}

# Over one or more bin/benchmark reports: mean QPS, mean p99 (s), total errors.
qps() { awk -F'\t' '/Requests\/sec:/ {s+=$2; n++} END {if (n) print s/n; else print 0}' "$@"; }
p99() { awk '/^  99% in/ {s+=$3; n++} END {if (n) printf "%.5f\n", s/n; else print 0}' "$@"; }
errs() { awk 'FNR == 1 {e=0} /^Error distribution:/ {e=1; next} e && /\[/ {gsub(/[\[\]]/,"",$1); n+=$1} END {print n+0}' "$@"; }

# rounds_order R -> the servers in the order round R runs them: $ORDER (default "etcd ours") in
# odd rounds, reversed in even ones, so neither side always runs second on a warmer machine.
rounds_order() {
  local o=(${ORDER:-etcd ours})
  if [ $(($1 % 2)) = 1 ]; then echo "${o[*]}"; else echo "${o[1]} ${o[0]}"; fi
}

# table_row NAME "ETCD_REPORTS" "OURS_REPORTS": one markdown row from bin/benchmark reports (a
# side with several reports, one per round, shows their mean).
table_row() {
  # shellcheck disable=SC2086 # the report lists split on purpose
  awk -v n="$1" -v eq="$(qps $2)" -v oq="$(qps $3)" -v ep="$(p99 $2)" -v op="$(p99 $3)" \
      -v ee="$(errs $2)" -v oe="$(errs $3)" 'BEGIN {
    ratio = (eq > 0) ? sprintf("%.2f", oq / eq) : "n/a"
    note = ""
    if (ee > 0 || oe > 0) note = sprintf(" (errors: etcd %d, ours %d)", ee, oe)
    printf "| %-42s | %10.0f | %10.0f | %6s | %12.2f | %12.2f |%s\n", n, eq, oq, ratio, ep * 1000, op * 1000, note
  }'
}

# rounds_detail NAME "ETCD_REPORTS" "OURS_REPORTS": each round's QPS, printed under the table.
rounds_detail() {
  local f e="" o=""
  for f in $2; do e="${e:+$e, }$(printf '%.0f' "$(qps "$f")")"; done
  for f in $3; do o="${o:+$o, }$(printf '%.0f' "$(qps "$f")")"; done
  echo "  $1: etcd $e; ours $o"
}

# print_results: the table and each round's QPS for ${workloads[@]} ("name|..." entries), from the
# reports $work/wI.etcd.ROUND and $work/wI.ours.ROUND (I = the workload's place, from 1).
print_results() {
  local i=0 w
  table_header
  for w in "${workloads[@]}"; do
    i=$((i+1))
    table_row "${w%%|*}" "$(ls "$work"/w$i.etcd.*)" "$(ls "$work"/w$i.ours.*)"
  done
  echo
  echo "QPS per round:"
  i=0
  for w in "${workloads[@]}"; do
    i=$((i+1))
    rounds_detail "${w%%|*}" "$(ls "$work"/w$i.etcd.*)" "$(ls "$work"/w$i.ours.*)"
  done
}

table_header() {
  printf '| %-42s | %10s | %10s | %6s | %12s | %12s |\n' workload "etcd QPS" "ours QPS" ratio "etcd p99 ms" "ours p99 ms"
  printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' $(seq 44))" "------------" "------------" "--------" "--------------" "--------------"
}
