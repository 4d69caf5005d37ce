#!/usr/bin/env bash
# End-to-end check of ahead-of-time processing: the sample built with its aot profile
# (spring-boot:process-aot) runs with -Dspring.aot.enabled=true, logs that it is AOT-processed,
# serves redis-cli PONG on its default server and a chat line on its named one (both registered
# by gserver at build time), and stops on SIGTERM with exit code 0.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=sample-app/target/gserver-sample-app-aot.jar
START_BUDGET_SECONDS=120

echo "e2e-aot: building $JAR"
mvn -B -q -Paot -DskipTests package -pl sample-app -am

WORK=$(mktemp -d)
APP=""
cleanup() {
	if [ -n "$APP" ] && kill -0 "$APP" 2>/dev/null; then
		kill -KILL "$APP" 2>/dev/null || true
		wait "$APP" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
	echo "e2e-aot: $*" >&2
	tail -40 "$WORK/app.log" >&2 || true
	exit 1
}

java -Dspring.aot.enabled=true -jar "$JAR" --gserver.address=127.0.0.1 --gserver.port=0 \
	--gserver.servers.chat.port=0 --server.port=0 >"$WORK/app.log" 2>&1 &
APP=$!

# the bound ports, from the start lines: port 0 keeps the check clear of whatever else runs here
port_of() { # handler class
	sed -n "s/.*Started <StreamServer .*handle=dev\.gserver\.sample\.$1@.*port=\([0-9]*\),.*/\1/p" "$WORK/app.log" | head -1
}
deadline=$(( $(date +%s) + START_BUDGET_SECONDS ))
until grep -q "Started SampleApplication" "$WORK/app.log"; do
	kill -0 "$APP" 2>/dev/null || fail "the application ended before it started"
	[ "$(date +%s)" -lt "$deadline" ] || fail "not started within ${START_BUDGET_SECONDS}s"
	sleep 0.2
done
grep -q "Starting AOT-processed SampleApplication" "$WORK/app.log" || fail "the application did not run its AOT-processed form"
redis_port=$(port_of RedisHandler)
chat_port=$(port_of ChatHandler)
[ -n "$redis_port" ] && [ -n "$chat_port" ] || fail "no start line for both servers"

answer=$(redis-cli -p "$redis_port" ping)
[ "$answer" = "PONG" ] || fail "redis-cli ping answered '$answer'"
echo "e2e-aot: AOT-processed sample: redis-cli -p $redis_port ping -> $answer"

python3 - "$chat_port" <<'PY' || fail "the chat room did not answer"
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as chat:
    chat.sendall(b"x" * 1025 + b"\n")
    reply = chat.makefile("rb").readline()
    assert reply == b"ERR line too long\n", reply
PY
echo "e2e-aot: the chat room (gserver.servers.chat) answers on port $chat_port"

kill -TERM "$APP"
status=0
wait "$APP" || status=$?
APP=""
[ "$status" -eq 0 ] || fail "SIGTERM -> exit code $status"
echo "e2e-aot: SIGTERM -> exit code 0"
echo "e2e-aot: passed"
