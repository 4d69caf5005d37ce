#!/usr/bin/env bash
# Runs bench/readiness/ReadinessProbe.java in its two modes (jdk: the JDK's blocking read; edge:
# gserver-owned edge-triggered readiness) and redis-server, one after another pinned to core 0,
# and drives each with redis-benchmark PING_MBULK -c 50 at -P 1 and -P 16 on core 1. Prints
# requests per second and the server's CPU per request (utime + stime from /proc), per round.
#
#   bench/readiness/compare.sh [ROUNDS] [REQUESTS]        # JDK 22+ as $JAVA, else Temurin 25
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROUNDS=${1:-3}; N=${2:-300000}
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java | head -1)}
TICK=$(getconf CLK_TCK)
OUT=$(mktemp -d)
# shellcheck source=../servers.sh
. ../servers.sh
trap 'stop; rm -rf "$OUT"' EXIT

measure() { # name port pipeline
	local before after rps
	before=$(cpu_ticks "$SERVER")
	rps=$(taskset -c 1 redis-benchmark -p "$2" -n "$N" -c 50 -P "$3" -t ping_mbulk --csv 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"')
	after=$(cpu_ticks "$SERVER")
	awk -v name="$1" -v p="$3" -v rps="$rps" -v t=$((after - before)) -v hz="$TICK" -v n="$N" \
		'BEGIN {printf "%-6s -P %-2s %10.0f req/s  %6.2f us CPU per request\n", name, p, rps, t / hz * 1e6 / n}'
}
for round in $(seq 1 "$ROUNDS"); do
	echo "round $round"
	for mode in redis jdk edge; do
		if [ "$mode" = redis ]; then
			start "redis-server --save '' --appendonly no --port 7441 --bind 127.0.0.1" 7441 || exit 1
			port=7441
		else
			start "$JAVA --enable-native-access=ALL-UNNAMED --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
				--add-opens java.base/sun.nio.ch=ALL-UNNAMED ReadinessProbe.java 7442 $mode" 7442 || exit 1
			port=7442
			taskset -c 1 redis-benchmark -p 7442 -n "$N" -c 50 -P 1 -t ping_mbulk -q >/dev/null 2>&1   # warm-up
		fi
		measure "$mode" "$port" 1
		measure "$mode" "$port" 16
		stop || true
	done
done
