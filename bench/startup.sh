#!/usr/bin/env bash
# Start-up of the sample, from the process's start to the first PONG on its Redis port, in three
# forms, interleaved round by round so that the machine's drift falls on all three alike:
#   jvm         java -jar on the extracted application (Spring Boot's "jarmode=tools extract")
#   aot-cache   the same with the JDK's AOT cache (JEP 483/514, JDK 25), trained by one run that
#               exits once the context is refreshed (-Dspring.context.exit=onRefresh)
#   spring-aot  Spring's ahead-of-time processing (-Dspring.aot.enabled=true) and its own AOT cache
#   redis       redis-server (Debian's), for comparison
# Prints the median of each and its ratio to jvm.
#
#   bench/startup.sh               # 5 rounds on $JAVA, else the newest JDK under /usr/lib/jvm
#   bench/startup.sh --rounds 9
#   bench/startup.sh --smoke       # 1 round: checks that everything runs, measures nothing
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=5
while [ $# -gt 0 ]; do
	case "$1" in
		--rounds) ROUNDS=$2; shift 2 ;;
		--smoke) ROUNDS=1; shift ;;
		*) echo "startup: unknown option $1" >&2; exit 2 ;;
	esac
done

JAVA=${JAVA:-$(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | while read -r j; do
	v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')
	echo "$v $j"; done | sort -n | tail -1 | cut -d' ' -f2)}
version=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')
if [ "${version%%.*}" -lt 25 ]; then
	echo "startup: $JAVA is Java $version; the AOT cache needs 25 or later" >&2
	exit 1
fi

JAR=sample-app/target/gserver-sample-app-aot.jar
[ -f "$JAR" ] || mvn -B -q -Paot -DskipTests package -pl sample-app -am
WORK=$(mktemp -d)
APP=""
cleanup() {
	if [ -n "$APP" ]; then kill -KILL "$APP" 2>/dev/null || true; wait "$APP" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# CDS and the AOT cache read classes from plain jars on the class path, not from nested ones
"$JAVA" -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" >/dev/null
APP_JAR="$WORK/app/$(basename "$JAR")"
ARGS=(--gserver.address=127.0.0.1 --gserver.servers.chat.port=0 --server.port=0)

echo "startup: training the AOT caches on $JAVA"
"$JAVA" -XX:AOTCacheOutput="$WORK/jvm.aot" -Dspring.context.exit=onRefresh -jar "$APP_JAR" "${ARGS[@]}" \
	--gserver.port=0 >"$WORK/train-jvm.log" 2>&1
"$JAVA" -XX:AOTCacheOutput="$WORK/spring.aot" -Dspring.aot.enabled=true -Dspring.context.exit=onRefresh \
	-jar "$APP_JAR" "${ARGS[@]}" --gserver.port=0 >"$WORK/train-spring.log" 2>&1
[ -f "$WORK/jvm.aot" ] && [ -f "$WORK/spring.aot" ] || { echo "startup: no AOT cache written" >&2; tail "$WORK"/train-*.log >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# milliseconds from the launch to the first PONG
measure() { # form java-options...  (form redis: redis-server, for comparison)
	local form=$1 port start now
	shift
	port=$(free_port)
	start=$(date +%s%N)
	if [ "$form" = redis ]; then
		redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/$form.log" 2>&1 &
	else
		"$JAVA" "$@" -jar "$APP_JAR" "${ARGS[@]}" --gserver.port="$port" >"$WORK/$form.log" 2>&1 &
	fi
	APP=$!
	until [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ]; do
		kill -0 "$APP" 2>/dev/null || { echo "startup: $form ended before answering" >&2; tail -20 "$WORK/$form.log" >&2; exit 1; }
		now=$(date +%s%N)
		[ $(( (now - start) / 1000000 )) -lt 120000 ] || { echo "startup: $form did not answer within 120 s" >&2; exit 1; }
		sleep 0.01
	done
	now=$(date +%s%N)
	kill -TERM "$APP"
	wait "$APP" || true
	APP=""
	echo $(( (now - start) / 1000000 ))
}

declare -A times
for round in $(seq 1 "$ROUNDS"); do
	times[jvm]+="$(measure jvm) "
	times[aot-cache]+="$(measure aot-cache -XX:AOTCache="$WORK/jvm.aot") "
	times[spring-aot]+="$(measure spring-aot -XX:AOTCache="$WORK/spring.aot" -Dspring.aot.enabled=true) "
	times[redis]+="$(measure redis) "
	echo "startup: round $round: jvm ${times[jvm]##* }... done"
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo "${times[jvm]}" | median)
echo "startup: ms from launch to the first PONG, median of $ROUNDS round(s) on $("$JAVA" -version 2>&1 | head -1)"
for form in jvm aot-cache spring-aot redis; do
	m=$(echo "${times[$form]}" | median)
	printf 'startup: %-11s %6s ms  (%s)  ratio to jvm %s\n' "$form" "$m" "${times[$form]% }" \
		"$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2f", a / b}')"
done
