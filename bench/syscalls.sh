#!/usr/bin/env bash
# System calls per request: the sample on JDK 25 and redis-server, each pinned to core 0 and
# driven by redis-benchmark on core 1 (-c 50, PING_MBULK and GET, at -P 1 and -P 16; and per
# connection, PING_MBULK with -k 0), counted
# with perf's syscall tracepoints on the server process only. It shows where a blocking read on
# a virtual thread differs from an event loop: a read that finds nothing and an epoll_ctl re-arm
# per wait.
#
#   bench/syscalls.sh [REQUESTS]       # default 200000 per test
#
# Prerequisites: perf (Debian's linux-perf) with access to tracepoints (root, or
# kernel.perf_event_paranoid <= -1), redis-server, redis-tools, a JDK 25.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
N=${1:-200000}
J25=${J25:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1)}
for c in perf redis-server redis-benchmark redis-cli taskset "$J25"; do
	command -v "$c" >/dev/null 2>&1 || { echo "syscalls: missing $c" >&2; exit 1; }
done
JAR=sample-app/target/gserver-sample-app.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package
CALLS=(read write epoll_ctl epoll_wait futex accept accept4 close fcntl getsockname getpeername setsockopt)
EVENTS=$(printf 'syscalls:sys_enter_%s,' "${CALLS[@]}")
OUT=$(mktemp -d)
# shellcheck source=servers.sh
. bench/servers.sh
trap 'stop; rm -rf "$OUT"' EXIT

count() { # name port label requests redis-benchmark-options...: the calls made, per request, of those made at all
	local name=$1 port=$2 label=$3 n=$4 perf
	shift 4
	perf stat -x, -e "${EVENTS%,}" -p "$SERVER" -o "$OUT/perf" &
	perf=$!
	sleep 1
	taskset -c 1 redis-benchmark -p "$port" -n "$n" -c 50 -q "$@" >/dev/null 2>&1
	kill -INT "$perf"
	wait "$perf" || true
	awk -F, -v n="$n" -v name="$name" -v label="$label" '
		/sys_enter_/ && $1 > 0 {sub(/syscalls:sys_enter_/, "", $3); line = line sprintf("  %s %.3f", $3, $1 / n)}
		END {printf "%-10s %-16s%s\n", name, label, line}' "$OUT/perf"
}

echo "syscalls: per request, $N requests per test, -c 50"
for target in "redis|17011|redis-server --save '' --appendonly no --port 17011 --bind 127.0.0.1" \
	"gserver-25|17012|$J25 -jar $JAR --gserver.port=17012 --gserver.servers.chat.port=0 --gserver.address=127.0.0.1 --server.port=0"; do
	IFS='|' read -r name port command <<<"$target"
	start "$command" "$port" || exit 1
	taskset -c 1 redis-benchmark -p "$port" -n "$N" -c 50 -t ping_mbulk,get -q >/dev/null 2>&1   # warm-up
	for p in 1 16; do
		for t in ping_mbulk get; do
			count "$name" "$port" "-P $p $t" "$N" -P "$p" -t "$t"
		done
	done
	# W3: a connection per request, so that these are the calls per connection
	count "$name" "$port" "-k 0 ping_mbulk" "$((N / 20))" -k 0 -t ping_mbulk
	stop || true
done
