#!/usr/bin/env bash
# gserver's benchmark: the sample app (through the starter, Actuator and metrics on) on JDK 25
# and JDK 17 against redis-server, one after another on 127.0.0.1, driven by redis-benchmark.
#
#   bench/bench.sh                 # 3 interleaved rounds of W1-W4, then the 10,000-connection idle probe
#   bench/bench.sh --idle 100000   # the idle probe with 100,000 connections (several source addresses)
#   bench/bench.sh --smoke         # tiny counts: checks that the script works, measures nothing
#   bench/bench.sh --phases idle   # only the idle probe (or: --phases bench)
#
# W1: -P 1 -c 50 PING_INLINE, PING_MBULK, SET, GET; W2: the same with -P 16; W3: one connection
# per request (-k 0); W4: latency of PING_MBULK at -c 50 and -c 1. Servers run on core 0
# (taskset), the client on core 1; each round visits the targets in a rotated order, so that
# machine noise falls on all of them alike. Figures are ratios to redis-server in the same round:
# throughput, and CPU per request (the server process's utime+stime from /proc over the requests
# a test served; on W3 that is CPU per connection). The idle probe reports RSS growth and, for a
# JVM, live heap growth (after a full GC) per held connection, and takes the larger.
# Prerequisites: apt-get install redis-server redis-tools; a JDK 25 and a JDK 17.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=3; N1=200000; N2=1000000; N3=20000; N4=100000; N4C1=20000; WARM=50000; IDLE=10000; PHASES=bench,idle
while [ $# -gt 0 ]; do
	case "$1" in
		--rounds) ROUNDS=$2; shift 2 ;;
		--idle) IDLE=$2; shift 2 ;;
		--phases) PHASES=$2; shift 2 ;;
		--smoke) ROUNDS=1; N1=2000; N2=20000; N3=200; N4=2000; N4C1=500; WARM=1000; IDLE=200; shift ;;
		-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "bench: unknown option $1" >&2; exit 2 ;;
	esac
done

J25=${J25:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1)}
J17=${J17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
for c in redis-server redis-benchmark taskset python3 "$J25" "$J17"; do
	command -v "$c" >/dev/null 2>&1 || { echo "bench: missing $c" >&2; exit 1; }
done
JAR=sample-app/target/gserver-sample-app.jar
mvn -B -q -DskipTests package || exit 1
OUT=${BENCH_RESULTS:-/tmp/gserver-bench}/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# name|port|command (run pinned to core 0)
TARGETS=(
	"redis|17001|redis-server --save '' --appendonly no --port 17001 --bind 127.0.0.1 --maxclients 200000"
	"gserver-25|17002|$J25 -jar $JAR --gserver.port=17002 --gserver.servers.chat.port=0 --gserver.address=127.0.0.1 --server.port=0"
	"gserver-17|17003|$J17 -jar $JAR --gserver.port=17003 --gserver.servers.chat.port=0 --gserver.address=127.0.0.1 --server.port=0"
)

# shellcheck source=servers.sh
. bench/servers.sh
trap stop EXIT

TICKS=$(getconf CLK_TCK)

# One redis-benchmark test, with the server's CPU taken right before and right after it: CPU per
# request is that CPU over the requests the test served (with -k 0, one connection each).
rb() { # round target workload port requests test args...
	local round=$1 target=$2 workload=$3 port=$4 requests=$5 test=$6 before after line label rps p50 p99
	shift 6
	before=$(cpu_ticks "$SERVER")
	line=$(taskset -c 1 redis-benchmark -p "$port" --csv -n "$requests" -t "$test" "$@" 2>/dev/null | tail -n +2 | tr -d '"')
	after=$(cpu_ticks "$SERVER")
	IFS=, read -r label rps _ _ p50 _ p99 _ <<<"$line"
	[ -n "$label" ] || { echo "bench: redis-benchmark printed nothing for $target $workload $test" >&2; return 1; }
	awk -v b="$before" -v a="$after" -v t="$TICKS" -v n="$requests" \
		'BEGIN { s = (a - b) / t; printf "%s,%.2f,%.3f\n", n, s, s / n * 1e6 }' |
		sed "s/^/$round,$target,$workload,$label,$rps,$p50,$p99,/" >>"$OUT/results.csv"
}

echo "round,target,workload,test,rps,p50_ms,p99_ms,requests,cpu_s,cpu_us_per_request" >"$OUT/results.csv"
[[ ",$PHASES," == *",bench,"* ]] || ROUNDS=0
for round in $(seq 1 "$ROUNDS"); do
	count=${#TARGETS[@]}
	for i in $(seq 0 $((count - 1))); do
		IFS='|' read -r name port command <<<"${TARGETS[$(((i + round - 1) % count))]}"
		echo "bench: round $round/$ROUNDS, $name"
		start "$command" "$port" || exit 1
		taskset -c 1 redis-benchmark -p "$port" -n "$WARM" -c 50 -q -t ping_mbulk,set,get >/dev/null 2>&1
		# and the accept-to-close path W3 takes, so that W3 measures a warm server, not its JIT
		taskset -c 1 redis-benchmark -p "$port" -n "$((WARM / 10))" -c 50 -k 0 -q -t ping_mbulk >/dev/null 2>&1
		for t in ping_inline ping_mbulk set get; do
			rb "$round" "$name" W1 "$port" "$N1" "$t" -c 50 -P 1 || exit 1
		done
		for t in ping_inline ping_mbulk set get; do
			rb "$round" "$name" W2 "$port" "$N2" "$t" -c 50 -P 16 || exit 1
		done
		rb "$round" "$name" W3 "$port" "$N3" ping_mbulk -c 50 -k 0 || exit 1
		rb "$round" "$name" W4c50 "$port" "$N4" ping_mbulk -c 50 || exit 1
		rb "$round" "$name" W4c1 "$port" "$N4C1" ping_mbulk -c 1 || exit 1
		stop
	done
done

echo "target,connections,rss_kib_per_connection,heap_kib_per_connection,threads_before,threads_after,answered" >"$OUT/idle.csv"
SOURCES=$(( (IDLE + 19999) / 20000 ))
[[ ",$PHASES," == *",idle,"* ]] || TARGETS=()
for target in "${TARGETS[@]}"; do
	IFS='|' read -r name port command <<<"$target"
	echo "bench: idle probe, $name, $IDLE connections"
	start "$command" "$port" || exit 1
	jcmd=""
	case "$name" in
		gserver-*) jcmd=$(dirname "$(awk '{print $1}' <<<"$command")")/jcmd ;; # the target's own JDK
	esac
	taskset -c 1 python3 bench/idle_probe.py --port "$port" --pid "$SERVER" -n "$IDLE" --sources "$SOURCES" \
		--jcmd "$jcmd" | python3 -c 'import json,sys
r = json.load(sys.stdin)
print(",".join(str(r[k]) for k in ("connections","rss_kib_per_connection","heap_kib_per_connection","threads_before","threads_after","answered_after_holding")))' |
		sed "s/^/$name,/" >>"$OUT/idle.csv"
	stop
done

python3 bench/summarize.py "$OUT/results.csv" "$OUT/idle.csv" | tee "$OUT/summary.md"
