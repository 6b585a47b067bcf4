#!/usr/bin/env bash
# Raft library benchmark: 3 in-process members, real WALs with fsync, in-memory network.
# Usage: bench/raft-bench.sh [--nodes 3] [--outstanding 1,256] [--seconds 10] [--warmup 3]
#                            [--value-size 256] [--dir DIR-ON-THE-DISK-TO-MEASURE]
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -d "$root/bench/target/lib" ]; then
  (cd "$root" && mvn -B -q -ntp -pl bench -am package -DskipTests)
fi
exec java -Xms1g -Xmx4g -XX:+UseParallelGC -cp "$root/bench/target/classes:$root/bench/target/lib/*" \
  io.etcdjava.bench.raft.RaftBenchmark "$@"
